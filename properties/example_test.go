package properties_test

import (
	"errors"
	"fmt"

	"github.com/schedsim/schedsim/mutants"
	"github.com/schedsim/schedsim/properties"
	"github.com/schedsim/schedsim/sim"
)

// Checking an evaluator: here a broken one (cancel_previous forgets to
// cancel) and the reference. Any implementation of sim.Process created by a
// sim.Factory plugs in the same way.
func ExampleCheck() {
	broken, _ := mutants.ByName("cancel-previous-without-cancel")
	err := properties.Check(broken.Factory(0), properties.Options{Cases: 100})
	var f *properties.Failure
	if errors.As(err, &f) {
		fmt.Printf("caught: %s in case %d, shrunk to %d steps\n", f.Invariant, f.Case, f.History.Size())
	}
	fmt.Println("reference:", properties.Check(sim.Reference(0), properties.Options{Cases: 100}))
	// Output:
	// caught: S2 in case 3, shrunk to 1 steps
	// reference: <nil>
}
