package sim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/schedsim/schedsim/evaluator"
	"github.com/schedsim/schedsim/sim"
)

// plainProcess hides the evaluator's TriggerNow: a process that offers no
// manual start.
type plainProcess struct{ sim.Process }

// A trigger_now to a process that is no Triggerer is refused, said so, and
// starts nothing; the reference takes it.
func TestTriggerNowNeedsATriggerer(t *testing.T) {
	ops := []sim.Op{
		{At: t0, Kind: sim.OpCreate, ScheduleID: "s", Config: interval(time.Hour, evaluator.OverlapSkip, evaluator.CatchUpAll)},
		{At: t0.Add(time.Minute), Kind: sim.OpTrigger, ScheduleID: "s"},
	}
	plain := func(s sim.Seams) (sim.Process, error) {
		p, err := sim.Reference(0)(s)
		return plainProcess{p}, err
	}
	for _, tc := range []struct {
		name    string
		factory sim.Factory
		starts  int
	}{{"plain", plain, 0}, {"reference", nil, 1}} {
		w, err := sim.New(sim.Config{Factory: tc.factory, Ops: ops})
		require.NoError(t, err)
		require.NoError(t, w.Run(t0.Add(2*time.Minute)))
		assert.Equal(t, tc.starts, w.Engine().Started(), tc.name)
		if tc.starts == 0 {
			rej := w.Rejected()
			require.Len(t, rej, 1)
			assert.Equal(t, sim.OpTrigger, rej[0].Kind)
			assert.Contains(t, rej[0].Err, "not implemented by this process: trigger")
		}
		w.Close()
	}
}
