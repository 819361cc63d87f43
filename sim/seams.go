package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

// ErrCrash is what a seam call returns to the process that crashed in it.
var ErrCrash = errors.New("process crashed")

// ErrInjected is what a seam call returns when the plan makes it fail.
var ErrInjected = errors.New("injected seam error")

// ErrTookEffect is wrapped, beside ErrInjected, by an injected failure after
// the call took effect: the failure is indefinite.
var ErrTookEffect = errors.New("the call took effect")

// hook is the world's fakes.Hook: it counts calls and fires scripted and
// seeded faults. Fencing is the gates' job (a crash closes the incarnation's
// gate), so the harness itself can still read the fakes while the process is down.
func (w *World) hook(c fakes.Call, phase fakes.Phase) error {
	if w.observing {
		return nil // a Fresh incarnation: no faults, not counted
	}
	if phase == fakes.Before {
		w.totalCalls++
	}
	if len(w.callFaults) == 0 && w.plan.Rates.Crash == 0 && w.plan.Rates.Error == 0 {
		return nil // the common case: no seam faults, no per-name counts needed
	}
	if phase == fakes.Before {
		w.calls[c.Name]++
	}
	nth := w.calls[c.Name]
	for _, i := range w.callFaults {
		f := &w.plan.Faults[i]
		if w.fired[i] || !f.matches(c, phase, nth, w.totalCalls) || w.clock.Now().Before(f.After) {
			continue
		}
		w.fired[i] = true
		return w.inject(f.Kind, c, phase, f.Downtime)
	}
	// Seeded faults: one draw per call, at its Before phase, which also picks
	// the phase the fault fires in.
	if phase == fakes.After {
		k := w.afterFault
		w.afterFault = 0
		if k != 0 {
			return w.inject(k, c, phase, w.draw(w.plan.Rates.MaxDowntime))
		}
		return nil
	}
	if r := w.plan.Rates; r.Crash > 0 || r.Error > 0 {
		var k FaultKind
		switch x := w.rng.Float64(); {
		case x < r.Crash:
			k = Crash
		case x < r.Crash+r.Error:
			k = Error
		default:
			return nil
		}
		if w.rng.IntN(2) == 0 {
			w.afterFault = k
			return nil
		}
		return w.inject(k, c, phase, w.draw(r.MaxDowntime))
	}
	return nil
}

func (w *World) inject(k FaultKind, c fakes.Call, phase fakes.Phase, downtime time.Duration) error {
	if k == Error {
		downtime = 0
	}
	w.faulted = true
	if w.seamFault.IsZero() {
		w.seamFault = w.clock.Now().UTC()
	}
	detail := fmt.Sprintf("%s %s %s", k, phase, c.Name)
	if k == Error {
		w.record(Record{Kind: KindFault, ScheduleID: c.ScheduleID, Nominal: c.Nominal, Detail: detail})
		if phase == fakes.After {
			return fmt.Errorf("%w (%w)", ErrInjected, ErrTookEffect)
		}
		return ErrInjected
	}
	w.record(Record{Kind: KindCrash, ScheduleID: c.ScheduleID, Nominal: c.Nominal, Detail: fmt.Sprintf("%s downtime=%s", detail, downtime)})
	w.crash(downtime)
	return ErrCrash
}

// recorder wraps an incarnation's fenced seams and records every call that
// took effect.
type recorder struct {
	w      *World
	timers evaluator.TimerStore
	engine evaluator.Engine
	log    evaluator.EventLog
}

func (r recorder) Arm(ctx context.Context, t evaluator.Timer) error {
	err := r.timers.Arm(ctx, t)
	if r.w.cfg.Lean {
		return err
	}
	r.w.record(Record{Kind: KindArm, ScheduleID: t.ScheduleID, Nominal: t.At, Err: errText(err)})
	return err
}

func (r recorder) Disarm(ctx context.Context, id string) error {
	err := r.timers.Disarm(ctx, id)
	r.w.record(Record{Kind: KindDisarm, ScheduleID: strings.TrimPrefix(id, "schedule:"), Err: errText(err)})
	return err
}

func (r recorder) Start(ctx context.Context, req evaluator.StartRequest) (evaluator.StartResult, error) {
	res, err := r.engine.Start(ctx, req)
	if r.w.cfg.Lean {
		return res, err
	}
	rec := Record{Kind: KindStart, ScheduleID: req.ScheduleID, Nominal: req.Nominal, WorkflowID: req.WorkflowID,
		RunID: res.Execution.RunID, Err: errText(err)}
	if res.AlreadyStarted {
		rec.Detail = "already-started"
	}
	r.w.record(rec)
	return res, err
}

func (r recorder) Cancel(ctx context.Context, x evaluator.Execution) error {
	err := r.engine.Cancel(ctx, x)
	id, _, _ := strings.Cut(x.WorkflowID, "@")
	r.w.record(Record{Kind: KindCancel, ScheduleID: id, Nominal: nominalOf(x), WorkflowID: x.WorkflowID, RunID: x.RunID, Err: errText(err)})
	return err
}

func (r recorder) Terminate(ctx context.Context, x evaluator.Execution) error {
	before, _ := r.w.engine.Lookup(x.WorkflowID)
	err := r.engine.Terminate(ctx, x)
	id, _, _ := strings.Cut(x.WorkflowID, "@")
	r.w.record(Record{Kind: KindTerminate, ScheduleID: id, Nominal: nominalOf(x), WorkflowID: x.WorkflowID, RunID: x.RunID, Err: errText(err)})
	// The execution closed here, even if the call then failed or crashed:
	// recorded like any closure.
	if after, ok := r.w.engine.Lookup(x.WorkflowID); ok && after.Terminated && !before.Closed && after.Execution == x {
		r.w.record(Record{Kind: KindClose, ScheduleID: id, Nominal: nominalOf(x), WorkflowID: x.WorkflowID, RunID: x.RunID, Detail: "terminated"})
	}
	return err
}

func (r recorder) Describe(ctx context.Context, workflowID string) (evaluator.WorkflowInfo, error) {
	info, err := r.engine.Describe(ctx, workflowID)
	if r.w.cfg.Lean {
		return info, err
	}
	id, _, _ := strings.Cut(workflowID, "@")
	detail := "not-found"
	switch {
	case info.Closed:
		detail = "closed"
	case info.Found:
		detail = "running"
	}
	r.w.record(Record{Kind: KindDescribe, ScheduleID: id, Nominal: nominalOf(evaluator.Execution{WorkflowID: workflowID}),
		WorkflowID: workflowID, RunID: info.Execution.RunID, Detail: detail, Err: errText(err)})
	return info, err
}

func (r recorder) Append(ctx context.Context, events []evaluator.Event) error {
	err := r.log.Append(ctx, events)
	if r.w.cfg.Lean {
		return err
	}
	for _, e := range events {
		// The detail is rendered when the records are read (most runs are
		// only judged, and judging does not read it).
		e.Ranges = slices.Clone(e.Ranges) // the process reuses its buffer
		r.w.unrendered = append(r.w.unrendered, unrendered{len(r.w.records), e})
		r.w.record(Record{Kind: KindAppend, ScheduleID: e.ScheduleID, Nominal: e.Nominal, RunID: e.Execution.RunID, Err: errText(err)})
	}
	return err
}

func (r recorder) Read(ctx context.Context) (*evaluator.Snapshot, []evaluator.Event, error) {
	snap, events, err := r.log.Read(ctx)
	r.w.record(Record{Kind: KindRead, Detail: fmt.Sprintf("snapshot=%t events=%d", snap != nil, len(events)), Err: errText(err)})
	return snap, events, err
}

func (r recorder) WriteSnapshot(ctx context.Context, s *evaluator.Snapshot) error {
	err := r.log.WriteSnapshot(ctx, s)
	r.w.record(Record{Kind: KindSnapshot, Detail: fmt.Sprintf("schedules=%d", len(s.States)), Err: errText(err)})
	return err
}

// describeEvent renders an event's type and the fields that matter to a reader.
func describeEvent(e evaluator.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s seq=%d", e.Type, e.Seq)
	if e.Cause != "" {
		b.WriteString(" cause=" + e.Cause)
	}
	for _, r := range e.Ranges {
		fmt.Fprintf(&b, " %s[%s,%s)", r.Disposition, r.From.Format("2006-01-02T15:04:05.999999999"), r.Until.Format("2006-01-02T15:04:05.999999999"))
		if r.Count > 0 {
			fmt.Fprintf(&b, "x%d", r.Count)
		}
	}
	if !e.Next.IsZero() {
		b.WriteString(" next=" + e.Next.Format("2006-01-02T15:04:05.999999999"))
	}
	return b.String()
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
