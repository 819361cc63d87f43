package robfigcron

import (
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/robfig/cron/v3"
)

// The findings in robfig/cron v3.0.1's SpecSchedule.Next as plain programs,
// without schedsim: what an upstream report would carry. Each states the
// wall-clock reading that makes robfig's answer wrong, and asserts robfig
// still gives it, so that a release that fixes it makes the test fail (and
// the finding go STALE in docs/findings.md). The runner asks Next for every
// entry after each run and at start, so it fires when Next says.

// next is robfig's answer for expr in zone after the RFC 3339 instant.
func next(t *testing.T, expr, zone, after string) (time.Time, *time.Location) {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	s, err := cron.ParseStandard(expr)
	if err != nil {
		t.Fatal(err)
	}
	s.(*cron.SpecSchedule).Location = loc
	at, err := time.Parse(time.RFC3339, after)
	if err != nil {
		t.Fatal(err)
	}
	return s.Next(at), loc
}

func stillThere(t *testing.T, finding string, got time.Time, loc *time.Location, buggy string) {
	t.Helper()
	if g := got.In(loc).Format(time.RFC3339); g != buggy {
		t.Errorf("%s is fixed: Next answers %s, not %s; take the finding off docs/findings.md and the known-failing list", finding, g, buggy)
	}
}

// TestUpstreamRobfig1 (robfig-1): where clocks change by 30 minutes, or by
// other than an hour, Next skips a day. Lord Howe went from 02:00 to 02:30 on
// 2025-10-05; "0 6 * * *" must fire at 06:00 that day, robfig answers the 6th.
// Caracas went from 03:00 back to 02:30 on 2007-12-09, so 03:00 read on the 9th
// (at 07:30Z); robfig answers the 10th.
func TestUpstreamRobfig1(t *testing.T) {
	got, loc := next(t, "0 6 * * *", "Australia/Lord_Howe", "2025-10-04T12:02:00Z")
	stillThere(t, "robfig-1", got, loc, "2025-10-06T06:00:00+11:00") // the rule: 2025-10-05T06:00:00+11:00
	got, loc = next(t, "0 3 * * *", "America/Caracas", "2007-12-08T12:00:00Z")
	stillThere(t, "robfig-1", got, loc, "2007-12-10T03:00:00-04:30") // the rule: 2007-12-09T03:00:00-04:30
}

// TestUpstreamRobfig2 (robfig-2): where clocks change at midnight, Next can
// answer a day the expression excludes. "18 5 * * 6" is Saturdays at 05:18;
// Santiago's clocks went from 24:00 to 01:00 on Sunday 2027-09-05, and robfig,
// asked after Saturday the 4th, answers that Sunday.
func TestUpstreamRobfig2(t *testing.T) {
	got, loc := next(t, "18 5 * * 6", "America/Santiago", "2027-09-04T09:18:00Z")
	if got.In(loc).Weekday() == time.Saturday {
		t.Errorf("robfig-2 is fixed: Next answers %s, a Saturday", got.In(loc))
	}
	stillThere(t, "robfig-2", got, loc, "2027-09-05T05:18:00-03:00") // the rule: 2027-09-11T05:18:00-03:00
}

// TestUpstreamRobfig3 (robfig-3): where clocks went back at 00:01 (St John's,
// until 2011), Next asked inside the repeated hour answers an instant before
// the question. At 00:01 NDT on 2000-10-29 clocks went back to 23:01 NST;
// asked one minute later (02:31Z), robfig answers 00:00 NDT (02:30Z), which
// had passed. A runner given that answer fires at once, off the schedule.
func TestUpstreamRobfig3(t *testing.T) {
	got, loc := next(t, "0 0 * * *", "America/St_Johns", "2000-10-29T02:31:00Z")
	if asked := time.Date(2000, 10, 29, 2, 31, 0, 0, time.UTC); got.After(asked) {
		t.Errorf("robfig-3 is fixed: Next answers %s, after the question", got.In(loc))
	}
	stillThere(t, "robfig-3", got, loc, "2000-10-29T00:00:00-02:30") // the rule: 2000-10-29T00:00:00-03:30
}

// TestUpstreamRobfig4 (robfig-4): where a day was skipped, Next can loop for
// ever. Samoa went from Thursday 2011-12-29 23:59:59 (-10) to Saturday the
// 31st (+14). Asked for Saturdays at 05:18 from the 28th, robfig's day walk
// adds a day to the 29th, gets the 29th back (the 30th does not exist, and
// time.Date normalises it backwards), and never reaches the year check. The
// call runs in a child process, killed after 10 s of wall time: an answer
// takes microseconds, so a child still running then has hung.
func TestUpstreamRobfig4(t *testing.T) {
	if os.Getenv("ROBFIG4_CHILD") == "1" {
		next(t, "18 5 * * 6", "Pacific/Apia", "2011-12-28T12:00:00Z")
		return // an answer: the bug is fixed
	}
	if testing.Short() {
		t.Skip("-short: a child process is left to spin for 10 s")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestUpstreamRobfig4$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ROBFIG4_CHILD=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Errorf("robfig-4 is fixed: Next returned (child: %v); take the finding off docs/findings.md", err)
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Log("robfig-4: Next had not returned after 10 s; the child was killed")
	}
}

// TestUpstreamRobfig3Runner: what robfig-3 does to the runner. An entry
// added inside St John's repeated hour gets a Next in the past, so the runner
// fires it at once, asks again, gets the same past instant, and fires again:
// a tight loop of runs while the clock stands still (the schedsim replay hung
// its bubble for that reason, so robfig-3 has no scenario). In a synctest
// bubble the clock cannot move while the runner spins; the test counts 1,000
// runs of a job due once a day at an unchanged instant, then stops the runner.
func TestUpstreamRobfig3Runner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stJohns, err := time.LoadLocation("America/St_Johns")
		if err != nil {
			t.Fatal(err)
		}
		// The bubble's fake clock moves to 23:01 NST, just after 00:01 NDT went back.
		<-time.After(time.Date(2000, 10, 29, 2, 31, 0, 0, time.UTC).Sub(time.Now()))
		c := cron.New(cron.WithLocation(stJohns))
		var runs atomic.Int64
		if _, err := c.AddFunc("0 0 * * *", func() { runs.Add(1) }); err != nil {
			t.Fatal(err)
		}
		at := time.Now()
		c.Start()
		for runs.Load() < 1000 {
			runtime.Gosched()
		}
		if !time.Now().Equal(at) {
			t.Errorf("robfig-3 no longer spins the runner: the clock moved from %s to %s", at, time.Now())
		}
		<-c.Stop().Done()
		t.Logf("robfig-3: %d runs of a daily job at %s, the clock standing still", runs.Load(), at.In(stJohns))
	})
}
