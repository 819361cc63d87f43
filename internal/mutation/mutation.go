// Package mutation names the deliberate defects ("mutants") that the
// reference evaluator can be built with, for the property suite to prove it
// catches them. Each is a change to the evaluator's own logic at one place,
// off unless a Set holds it. Being internal, only schedsim's own packages
// (the mutants package) can turn one on.
package mutation

// Set is a set of mutations; the zero Set is the correct evaluator.
type Set uint64

// Has reports whether s holds m.
func (s Set) Has(m Set) bool { return s&m != 0 }

// The mutations.
const (
	RecoveryClearsRunning Set = 1 << iota // seed defect 1
	FreshWorkflowIDs                      // seed defect 2
	BufferInMemory                        // seed defect 3
	SkipsNotRecorded                      // seed defect 4
	StaleDeliveriesDecide                 // seed defect 5
	TimersStayArmed                       // seed defect 7
	FailedStartUnarms                     // seed defect 8
	RecordBeforeValidate                  // seed defect 9
	ClosureClearsNewest                   // seed defect 10
	WindowInclusive
	BufferKeepsNewest
	CancelPreviousWithoutCancel
	IntervalFromActual
	ResumeCatchesUp
	UpdateDropsRunning
	RecoveryInMapOrder
	CatchUpOneNewest
	LoneLateTickIsLate
	ClosureIgnoresBuffer
	NeverAdopts
	RedeliveryRedecides
	OwedStartWaitsForTick
	BufferedStartWaitsForTick
	TickAtNowIsLate
	AnchorAtMillisecond
	BufferAllDrainsAtOnce
	BufferAllUnbounded
	DeliveryIgnoresBounds
	LimitCountsStartsOnly
	TerminateAsCancel
	TriggerIgnoresOverlap
	ManualIDFromClock
	FailurePauseKeepsBuffer
	FailureMissedAtRecovery
	QueuedRangeStalls
	CatchUpIgnoresJitter
	UpdateForgetsTickInFlight
	BackfillIgnoresOverlap
	BackfillLostAtRecovery
)
