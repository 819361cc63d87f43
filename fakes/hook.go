package fakes

// Phase says whether a hook runs before a call takes effect or after.
type Phase int

// Hook phases.
const (
	// Before: an error returned now means the call did not happen.
	Before Phase = 1 + iota
	// After: an error returned now means the call happened but reports failure.
	After
)

// Hook is called around every seam call with its name (for example
// "log.append", "engine.start", "timers.arm"); a non-nil error is returned to
// the caller. A nil Hook never fails.
type Hook func(call string, phase Phase) error

func (h Hook) call(call string, phase Phase) error {
	if h == nil {
		return nil
	}
	return h(call, phase)
}
