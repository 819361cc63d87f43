package evaluator

// OverlapPolicy says what a due tick does while executions of the schedule are running.
type OverlapPolicy int

// Overlap policies. The zero value means unset and is rejected.
const (
	// OverlapSkip skips the tick.
	OverlapSkip OverlapPolicy = 1 + iota
	// OverlapBufferOne buffers the tick if none is buffered (else skips it); the
	// buffered tick starts as soon as the running set is empty.
	OverlapBufferOne
	// OverlapCancelPrevious asks every running execution to cancel, then starts at once.
	OverlapCancelPrevious
	// OverlapAllowAll starts regardless.
	OverlapAllowAll
	// OverlapBufferAll queues every tick that comes while an execution runs,
	// up to Config.BufferLimit (then skips), and starts them oldest first,
	// one at a time, as the running set empties (Temporal's BUFFER_ALL,
	// gocron's LimitModeWait).
	OverlapBufferAll
	// OverlapTerminatePrevious terminates every running execution (the
	// engine's Terminate: each closes at once), then starts (Temporal's
	// TERMINATE_OTHER). Unlike cancel_previous, the new run never overlaps.
	OverlapTerminatePrevious
)

var overlapEnum = enum[OverlapPolicy]{"overlap policy", []string{"unset", "skip", "buffer_one", "cancel_previous", "allow_all", "buffer_all", "terminate_previous"}, ErrInvalidConfig}

// OverlapPolicies lists the overlap policies the reference evaluator
// implements, in order: the table that the generators, the fault matrix and
// selfcheck follow.
func OverlapPolicies() []OverlapPolicy { return overlapEnum.values() }

// NamedOverlapPolicies lists every overlap policy that has a name, in order:
// the table that the scenario loader and the schemas follow. Today the
// reference implements every one (OverlapPolicies); a policy only other
// implementations offer would be named here first.
func NamedOverlapPolicies() []OverlapPolicy { return overlapEnum.values() }

func (p OverlapPolicy) valid() bool    { return overlapEnum.valid(p) }
func (p OverlapPolicy) String() string { return overlapEnum.String(p) }

// MarshalText implements encoding.TextMarshaler.
func (p OverlapPolicy) MarshalText() ([]byte, error) { return overlapEnum.marshal(p) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *OverlapPolicy) UnmarshalText(b []byte) error { return overlapEnum.unmarshal(b, p) }

// CatchUpPolicy says which late ticks start when a delivery finds several due.
type CatchUpPolicy int

// Catch-up policies. The zero value means unset and is rejected.
const (
	// CatchUpAll starts every late tick, oldest first, through the overlap policy.
	CatchUpAll CatchUpPolicy = 1 + iota
	// CatchUpOne starts only the oldest late tick.
	CatchUpOne
	// CatchUpSkip starts no late tick.
	CatchUpSkip
)

var catchUpEnum = enum[CatchUpPolicy]{"catch-up policy", []string{"unset", "all", "one", "skip"}, ErrInvalidConfig}

// CatchUpPolicies lists every catch-up policy, in order.
func CatchUpPolicies() []CatchUpPolicy { return catchUpEnum.values() }

// EventTypes lists every event type, in order.
func EventTypes() []EventType { return eventEnum.values() }

// Dispositions lists every disposition of a tick in a decision, in order.
func Dispositions() []Disposition { return dispositionEnum.values() }

func (p CatchUpPolicy) valid() bool    { return catchUpEnum.valid(p) }
func (p CatchUpPolicy) String() string { return catchUpEnum.String(p) }

// MarshalText implements encoding.TextMarshaler.
func (p CatchUpPolicy) MarshalText() ([]byte, error) { return catchUpEnum.marshal(p) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *CatchUpPolicy) UnmarshalText(b []byte) error { return catchUpEnum.unmarshal(b, p) }

// Disposition is what happened, or was decided, for a tick.
type Disposition int

// Dispositions of a tick.
const (
	// Start: the tick starts an execution (after cancelling, for cancel_previous).
	Start Disposition = 1 + iota
	// Skip: the overlap policy skipped the tick.
	Skip
	// Buffer: buffer_one buffered the tick.
	Buffer
	// Miss: the catch-up policy or window passed the tick over.
	Miss
)

var dispositionEnum = enum[Disposition]{"disposition", []string{"unset", "start", "skip", "buffer", "miss"}, ErrCorruptLog}

func (d Disposition) String() string { return dispositionEnum.String(d) }

// MarshalText implements encoding.TextMarshaler.
func (d Disposition) MarshalText() ([]byte, error) { return dispositionEnum.marshal(d) }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Disposition) UnmarshalText(b []byte) error { return dispositionEnum.unmarshal(b, d) }

// Overlap decides a tick against the running set: running says whether any
// execution is running, full whether the buffer has no room (buffer_one: a
// tick is buffered; buffer_all: its queue holds its bound). It is the whole
// overlap rule (docs/semantics.md, Overlap policy); with nothing running
// every policy starts.
func Overlap(p OverlapPolicy, running, full bool) Disposition {
	if !running {
		return Start
	}
	buffered := full
	switch p {
	case OverlapBufferOne, OverlapBufferAll:
		if buffered {
			return Skip
		}
		return Buffer
	case OverlapCancelPrevious, OverlapTerminatePrevious, OverlapAllowAll:
		return Start
	case OverlapSkip:
		return Skip
	default:
		// Unreachable: configs are validated against the table, and
		// TestEveryPolicyHasABehaviour fails for a policy added without a case.
		return Skip
	}
}
