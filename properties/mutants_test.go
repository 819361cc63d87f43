package properties_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/properties"
)

func TestMutantsAreKilled(t *testing.T) {
	for _, m := range mutants.All {
		began := time.Now()
		err := properties.Check(m.Factory(0), properties.Options{})
		var f *properties.Failure
		if !errors.As(err, &f) {
			t.Errorf("%s survived", m.Name)
			continue
		}
		fmt.Printf("%-32s %-4s case %4d  steps %2d  runs %4d  %v\n", m.Name, f.Invariant, f.Case, f.History.Size(), f.Runs, time.Since(began).Round(time.Millisecond))
	}
}
