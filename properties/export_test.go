package properties

// WithoutBoundaryValues turns boundary generation off until the returned
// function is called (tests only; not safe for parallel tests).
func WithoutBoundaryValues() (restore func()) {
	boundaryValues = false
	return func() { boundaryValues = true }
}

// WithoutTransparentCrashes is withoutTransparentCrashes, for tests.
var WithoutTransparentCrashes = withoutTransparentCrashes
