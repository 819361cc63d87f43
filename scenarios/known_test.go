package scenarios_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/schedsim/schedsim/scenarios"
)

func TestKnownJudge(t *testing.T) {
	k, err := scenarios.ParseKnown(strings.NewReader(`
# comment
a.yaml  C4     f-1
b.yaml  M1,S1  f-2  runs=3
`), "list")
	if err != nil {
		t.Fatal(err)
	}
	pass := &scenarios.Result{}
	c4 := &scenarios.Result{Failures: []scenarios.Failure{{What: "at x: invariants differ", Diff: "--- expected\n+++ actual\n@@ -0,0 +1 @@\n+C4 s: describes its next run"}}}
	s3 := &scenarios.Result{Failures: []scenarios.Failure{{What: "at x: invariants differ", Diff: "+++ actual\n+S3 s: buffered"}}}
	starts := &scenarios.Result{Failures: []scenarios.Failure{{What: "at x: starts differ", Diff: "+s 00:01"}}}
	m1 := &scenarios.Result{Failures: []scenarios.Failure{{What: "at x: invariants differ", Diff: "+M1 s @x: starts differ"}}}
	for _, c := range []struct {
		path    string
		results []*scenarios.Result
		want    error
	}{
		{"a.yaml", []*scenarios.Result{c4}, nil},
		{"a.yaml", []*scenarios.Result{pass}, scenarios.ErrStale},
		{"a.yaml", []*scenarios.Result{s3}, scenarios.ErrUnexpected},
		{"a.yaml", []*scenarios.Result{starts}, scenarios.ErrUnexpected},
		{"b.yaml", []*scenarios.Result{pass, m1, pass}, nil},
		{"b.yaml", []*scenarios.Result{pass, pass, pass}, scenarios.ErrStale},
		{"b.yaml", []*scenarios.Result{pass, c4, m1}, scenarios.ErrUnexpected},
		{"other.yaml", []*scenarios.Result{pass}, nil},
		{"other.yaml", []*scenarios.Result{c4}, scenarios.ErrUnexpected},
	} {
		if err := k.Judge(c.path, c.results...); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: got %v, want %v", c.path, err, c.want)
		}
	}
	if k.Runs("b.yaml") != 3 || k.Runs("a.yaml") != 1 || k.Runs("other.yaml") != 1 {
		t.Error("runs")
	}
	for _, bad := range []string{"a.yaml C4", "a.yaml C4 f runs=0", "a.yaml C4 f x=1", "a.yaml C4 f\na.yaml C4 g"} {
		if _, err := scenarios.ParseKnown(strings.NewReader(bad), "list"); err == nil || !strings.Contains(err.Error(), "list:") {
			t.Errorf("%q: want an error naming list:line, got %v", bad, err)
		}
	}
}
