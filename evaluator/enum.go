package evaluator

import (
	"fmt"
	"strings"
)

// enum gives an int-based enumeration its text form. names[0] is the name of
// the zero value ("unset"); the valid values are 1..len(names)-1.
type enum[T ~int] struct {
	kind  string   // "overlap policy", for messages
	names []string // by value
	err   error    // sentinel wrapped by text errors
}

func (e enum[T]) valid(v T) bool { return v > 0 && int(v) < len(e.names) }

func (e enum[T]) String(v T) string {
	if v == 0 || e.valid(v) {
		return e.names[v]
	}
	return fmt.Sprintf("%s(%d)", e.kind, int(v))
}

func (e enum[T]) marshal(v T) ([]byte, error) {
	if !e.valid(v) {
		return nil, fmt.Errorf("%w: %s %s", e.err, e.kind, e.String(v))
	}
	return []byte(e.names[v]), nil
}

func (e enum[T]) unmarshal(b []byte, v *T) error {
	for i, n := range e.names[1:] {
		if string(b) == n {
			*v = T(i + 1)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown %s %q (want %s)", e.err, e.kind, b, strings.Join(e.names[1:], ", "))
}

// values lists the valid values, in order.
func (e enum[T]) values() []T {
	out := make([]T, 0, len(e.names)-1)
	for i := 1; i < len(e.names); i++ {
		out = append(out, T(i))
	}
	return out
}
