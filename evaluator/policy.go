package evaluator

import (
	"fmt"
)

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
)

var overlapNames = [...]string{"", "skip", "buffer_one", "cancel_previous", "allow_all"}

func (p OverlapPolicy) valid() bool { return p >= OverlapSkip && p <= OverlapAllowAll }

func (p OverlapPolicy) String() string {
	if p.valid() {
		return overlapNames[p]
	}
	if p == 0 {
		return "unset"
	}
	return fmt.Sprintf("OverlapPolicy(%d)", int(p))
}

// MarshalText implements encoding.TextMarshaler.
func (p OverlapPolicy) MarshalText() ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("%w: overlap policy %s", ErrInvalidConfig, p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *OverlapPolicy) UnmarshalText(b []byte) error {
	for i, n := range overlapNames[1:] {
		if string(b) == n {
			*p = OverlapPolicy(i + 1)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown overlap policy %q (want skip, buffer_one, cancel_previous or allow_all)", ErrInvalidConfig, b)
}

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

var catchUpNames = [...]string{"", "all", "one", "skip"}

func (p CatchUpPolicy) valid() bool { return p >= CatchUpAll && p <= CatchUpSkip }

func (p CatchUpPolicy) String() string {
	if p.valid() {
		return catchUpNames[p]
	}
	if p == 0 {
		return "unset"
	}
	return fmt.Sprintf("CatchUpPolicy(%d)", int(p))
}

// MarshalText implements encoding.TextMarshaler.
func (p CatchUpPolicy) MarshalText() ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("%w: catch-up policy %s", ErrInvalidConfig, p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *CatchUpPolicy) UnmarshalText(b []byte) error {
	for i, n := range catchUpNames[1:] {
		if string(b) == n {
			*p = CatchUpPolicy(i + 1)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown catch-up policy %q (want all, one or skip)", ErrInvalidConfig, b)
}

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

var dispositionNames = [...]string{"", "start", "skip", "buffer", "miss"}

func (d Disposition) String() string {
	if d >= Start && d <= Miss {
		return dispositionNames[d]
	}
	return fmt.Sprintf("Disposition(%d)", int(d))
}

// MarshalText implements encoding.TextMarshaler.
func (d Disposition) MarshalText() ([]byte, error) {
	if d < Start || d > Miss {
		return nil, fmt.Errorf("%w: disposition %s", ErrCorruptLog, d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Disposition) UnmarshalText(b []byte) error {
	for i, n := range dispositionNames[1:] {
		if string(b) == n {
			*d = Disposition(i + 1)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown disposition %q", ErrCorruptLog, b)
}

// Overlap decides a tick against the running set: running says whether any
// execution is running, buffered whether a tick is already buffered. It is the
// whole overlap rule of DESIGN §3; with nothing running every policy starts.
func Overlap(p OverlapPolicy, running, buffered bool) Disposition {
	if !running {
		return Start
	}
	switch p {
	case OverlapBufferOne:
		if buffered {
			return Skip
		}
		return Buffer
	case OverlapCancelPrevious, OverlapAllowAll:
		return Start
	default:
		return Skip
	}
}
