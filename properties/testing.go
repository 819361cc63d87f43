package properties

import "github.com/schedsim/schedsim/sim"

// TB is the part of testing.TB that Test uses, so this package does not
// import testing.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// Test runs Check in a test and fails it with the seed, the violations and
// the shrunk scenario.
//
//	func TestMyEvaluator(t *testing.T) {
//		properties.Test(t, myFactory, properties.Options{})
//	}
func Test(t TB, factory sim.Factory, o Options) {
	t.Helper()
	if err := Check(factory, o); err != nil {
		t.Fatalf("%v", err)
	}
	o = o.withDefaults()
	t.Logf("properties: %d histories (seed %d) hold every invariant", o.Cases, o.Seed)
}
