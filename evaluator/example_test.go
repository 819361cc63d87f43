package evaluator_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/fakes"
)

// Create a schedule and deliver its first two timers.
func Example() {
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC))
	timers, engine := &fakes.Timers{}, &fakes.Engine{}
	ev, err := evaluator.New(evaluator.Options{Clock: clock, Timers: timers, Engine: engine, Log: &fakes.Log{}})
	if err != nil {
		panic(err)
	}
	if err := ev.Recover(ctx); err != nil {
		panic(err)
	}
	err = ev.Create(ctx, evaluator.Request{RequestID: "r1", ScheduleID: "report"}, evaluator.Config{
		Trigger:      evaluator.TriggerSpec{Cron: "*/5 * * * *"},
		Overlap:      evaluator.OverlapSkip,
		CatchUp:      evaluator.CatchUpOne,
		WorkflowType: "build-report",
	})
	if err != nil {
		panic(err)
	}
	for i := 0; i < 2; i++ {
		tm := timers.Armed()[0]
		clock.Advance(tm.At.Sub(clock.Now()))
		out, err := ev.TimerFired(ctx, tm.ScheduleID, tm.At)
		fmt.Println(tm.At.Format("15:04"), out, err)
	}
	for _, r := range engine.Runs() {
		fmt.Println("started", r.Execution.WorkflowID)
	}
	d, _ := ev.Get(ctx, "report", 2)
	fmt.Println("skipped", d.Counters.Skipped, "next", d.Upcoming[0].Format("15:04"))
	// Output:
	// 00:05 decided <nil>
	// 00:10 decided <nil>
	// started report@2026-06-07T00:05:00Z
	// skipped 1 next 00:15
}

// Invalid configuration is rejected before anything is recorded, with a
// typed error naming the field.
func ExampleConfig_Validate() {
	err := evaluator.Config{
		Trigger:      evaluator.TriggerSpec{Cron: "0 0 30 2 *"},
		Overlap:      evaluator.OverlapSkip,
		CatchUp:      evaluator.CatchUpAll,
		WorkflowType: "never",
	}.Validate()
	var ce *evaluator.ConfigError
	fmt.Println(errors.As(err, &ce), ce.Field, errors.Is(err, evaluator.ErrNeverFires))
	fmt.Println(err)
	// Output:
	// true trigger true
	// config.trigger: trigger never fires: "0 0 30 2 *" matches no date
}

// A delivery after an outage decides every due tick at once.
func ExamplePlanDelivery() {
	trig, _ := evaluator.ParseTrigger(evaluator.TriggerSpec{Interval: evaluator.Duration(time.Minute)})
	t0 := time.Date(2026, 6, 7, 0, 0, 0, 0, time.UTC)
	plan := evaluator.PlanDelivery(trig.Grid(t0), evaluator.PlanInput{
		Next: t0.Add(time.Minute), Now: t0.Add(10 * time.Minute),
		Overlap: evaluator.OverlapSkip, CatchUp: evaluator.CatchUpOne,
	})
	for _, r := range plan.Ranges {
		fmt.Printf("%-5s [%s, %s)\n", r.Disposition, r.From.Format("15:04"), r.Until.Format("15:04"))
	}
	fmt.Println("next", plan.Next.Format("15:04"))
	// Output:
	// start [00:01, 00:02)
	// miss  [00:02, 00:10)
	// skip  [00:10, 00:11)
	// next 00:11
}
