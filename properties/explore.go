package properties

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/schedsim/schedsim/invariants"
	"github.com/schedsim/schedsim/sim"
)

// CaseResult is one case of an exploration: the history generated, what it
// violated, and what it exercised.
type CaseResult struct {
	Seed       int64
	History    History
	Violations []invariants.Violation
	Rechecked  bool      // run twice and compared (R3)
	Stats      sim.Stats // of the first run: a case with no delivery exercised no trigger
	// NotApplicable are the invariants the first run could not judge.
	NotApplicable []invariants.NotApplicable
	// M1Until is, when the reference model judged only the part of the run
	// before its first seam fault, that instant (see invariants.Report).
	M1Until time.Time
	Err     error // the generator's
}

// Explore runs, for each k of ks, the case of seed first+k (case 0 of
// Options with Seed first+k) on jobs workers, and hands the results to yield
// in the order of ks, so what a caller prints does not depend on jobs.
// rechecked picks the cases run twice for R3. It stops early when yield
// returns false, or when ctx is done (then it returns ctx.Err()); the cases
// in hand finish, none is started after.
func Explore(ctx context.Context, factory sim.Factory, o Options, first int64, ks []int, rechecked func(seed int64) bool, jobs int,
	yield func(CaseResult) bool) error {
	results := make([]chan CaseResult, len(ks))
	for i := range results {
		results[i] = make(chan CaseResult, 1)
	}
	quit := make(chan struct{})
	defer close(quit)
	work := make(chan int)
	go func() {
		defer close(work)
		for i := range ks {
			select {
			case work <- i:
			case <-quit:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	for range max(jobs, 1) {
		go func() {
			for i := range work {
				co := o
				co.Seed = first + int64(ks[i])
				results[i] <- runCase(factory, co, 0, rechecked(co.Seed))
			}
		}()
	}
	for i := range ks {
		if err := ctx.Err(); err != nil { // before a result that may be ready too
			return err
		}
		select {
		case r := <-results[i]:
			if !yield(r) {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Recheck picks, from the seed alone, a share of the cases to run twice.
func Recheck(share float64) func(seed int64) bool {
	return func(seed int64) bool { return float64(uint64(seed)*0x9E3779B97F4A7C15%10000) < share*10000 }
}

// Shard is the I-th of N disjoint slices of an exploration's cases.
type Shard struct{ I, N int }

// ParseShard reads "i/n" (0 <= i < n); "" is the whole, 0/1.
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{0, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("%w: shard must be i/n with 0 <= i < n, got %q", ErrInvalidOptions, s)
	}
	return Shard{i, n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// Cases lists the cases of seeds this shard runs: k = I, I+N, I+2N, ...
func (s Shard) Cases(seeds int) []int {
	var out []int
	for k := s.I; k < seeds; k += s.N {
		out = append(out, k)
	}
	return out
}
