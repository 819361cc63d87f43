package temporal

import (
	"time"

	schedulepb "go.temporal.io/api/schedule/v1"
	"go.temporal.io/server/service/worker/scheduler"

	"github.com/schedsim/schedsim/fakes"
)

// jitterSeed is the seed Temporal's schedule workflow jitters with
// (scheduler.jitterSeed: namespace id, "-", schedule id), as Run starts it.
const jitterSeed = "nsid-s"

// spec is a schedule spec in force from an instant (the create, or the
// instant an update reached the workflow).
type spec struct {
	from time.Time
	spec *schedulepb.ScheduleSpec
}

// dueTimes gives each scheduled start its due time in Temporal's own
// reckoning: the nominal time plus Temporal's jitter (a fingerprint of the
// nominal time and the schedule), computed by Temporal's CompiledSpec for
// the spec that buffered it — the latest spec in force before the tick was
// due, under which it was due after that spec took effect (Temporal drops
// the ticks due before an update). Pauses, updates and deletes act on due
// times in Temporal (docs/findings.md, temporal-1), so the checks read them
// (invariants.History.Due). Manual starts have none.
func dueTimes(runs []fakes.Run, specs []spec) (map[string]time.Time, error) {
	b := scheduler.NewSpecBuilder(func() int { return 0 }, func() int { return 0 })
	compiled := make([]*scheduler.CompiledSpec, len(specs))
	for i, s := range specs {
		cs, err := b.NewCompiledSpec(s.spec)
		if err != nil {
			return nil, err
		}
		compiled[i] = cs
	}
	out := map[string]time.Time{}
	for _, r := range runs {
		if r.Request.Origin != "" {
			continue
		}
		n := r.Request.Nominal
		for i := len(specs) - 1; i >= 0; i-- {
			next, err := compiled[i].GetNextTime(jitterSeed, n.Add(-time.Second))
			// The create's ticks come after it; an update keeps those due
			// at its own instant.
			if err != nil || !next.Nominal.Equal(n) || next.Next.Before(specs[i].from) || i == 0 && next.Next.Equal(specs[i].from) || next.Next.After(r.StartedAt) {
				continue
			}
			out[r.Execution.RunID] = next.Next
			break
		}
	}
	return out, nil
}
