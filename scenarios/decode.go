package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/schedsim/schedsim/evaluator"
)

// maxErrors bounds the errors reported for one file.
const maxErrors = 20

// decoder walks a yaml.Node tree, collecting positioned errors; on an error
// its helpers return a zero value and decoding goes on, so one pass reports
// most problems of a file.
type decoder struct {
	file  string
	start time.Time // for offsets; zero until the header's start is known
	// configs holds each schedule's config after the updates decoded so far.
	configs map[string]evaluator.Config
	errs    []error
}

func (d *decoder) pos(n *yaml.Node) Pos { return Pos{File: d.file, Line: n.Line, Column: n.Column} }

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	if len(d.errs) < maxErrors {
		d.errs = append(d.errs, &Error{Pos: d.pos(n), Msg: fmt.Sprintf(format, args...)})
	}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// fields is a mapping's keys, checked against the known ones.
type fields struct {
	node *yaml.Node
	keys map[string]*yaml.Node
	at   map[string]*yaml.Node // key nodes, for positions
}

func (f fields) has(k string) bool       { return f.keys[k] != nil }
func (f fields) get(k string) *yaml.Node { return f.keys[k] }
func (f fields) keyNode(k string) *yaml.Node {
	if n := f.at[k]; n != nil {
		return n
	}
	return f.node
}

// mapping checks that n is a mapping whose keys are all known and distinct.
func (d *decoder) mapping(n *yaml.Node, what string, known ...string) (fields, bool) {
	f := fields{node: n, keys: map[string]*yaml.Node{}, at: map[string]*yaml.Node{}}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, got %s", what, kindName(n))
		return f, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%s: keys must be plain names", what)
			continue
		}
		switch {
		case !slices.Contains(known, k.Value):
			d.errorf(k, "%s: unknown field %q (known: %s)", what, k.Value, strings.Join(known, ", "))
		case f.keys[k.Value] != nil:
			d.errorf(k, "%s: field %q given twice", what, k.Value)
		default:
			f.keys[k.Value], f.at[k.Value] = v, k
		}
	}
	return f, true
}

func (d *decoder) scalar(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "%s must be a value, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) str(n *yaml.Node, what string) string {
	s, _ := d.scalar(n, what)
	return s
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	s, ok := d.scalar(n, what)
	if !ok {
		return false, false
	}
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	d.errorf(n, "%s must be true or false, got %q", what, s)
	return false, false
}

func (d *decoder) integer(n *yaml.Node, what string, lo, hi int64) (int64, bool) {
	s, ok := d.scalar(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		d.errorf(n, "%s must be an integer in [%d, %d], got %q", what, lo, hi, s)
		return 0, false
	}
	return v, true
}

func (d *decoder) fraction(n *yaml.Node, what string) float64 {
	s, ok := d.scalar(n, what)
	if !ok {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v >= 1 {
		d.errorf(n, "%s must be a number in [0, 1), got %q", what, s)
		return 0
	}
	return v
}

// maxDuration bounds every duration and offset (100 years), so sums of them
// never overflow.
const maxDuration = 100 * 366 * 24 * time.Hour

// duration parses a Go duration ("90s", "2m30s", "87600h"); "0" is zero.
func (d *decoder) duration(n *yaml.Node, what string) (time.Duration, bool) {
	s, ok := d.scalar(n, what)
	if !ok {
		return 0, false
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		d.errorf(n, "%s: bad duration %q (want Go syntax such as 90s, 2m30s or 48h)", what, s)
		return 0, false
	}
	if v < 0 || v > maxDuration {
		d.errorf(n, "%s: duration %q out of range (0 to %s)", what, s, maxDuration.Truncate(time.Hour))
		return 0, false
	}
	return v, true
}

// instant parses a time: an offset from the scenario's start ("2m30s", "0s")
// or an RFC 3339 instant.
func (d *decoder) instant(n *yaml.Node, what string) (time.Time, bool) {
	s, ok := d.scalar(n, what)
	if !ok {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		d.errorf(n, "%s: bad time %q (want an offset from the start such as 2m30s, or an RFC 3339 instant)", what, s)
		return time.Time{}, false
	}
	if v < 0 || v > maxDuration {
		d.errorf(n, "%s: offset %q out of range (0 to %s)", what, s, maxDuration.Truncate(time.Hour))
		return time.Time{}, false
	}
	return d.start.Add(v), true
}

// requiredInstant reads the time field key of f, which must be there; hint
// says what it means when it is missing.
func (d *decoder) requiredInstant(f fields, key, what, hint string) time.Time {
	v := f.get(key)
	if v == nil {
		d.errorf(f.node, "%s: missing %s%s", what, key, hint)
		return time.Time{}
	}
	t, _ := d.instant(v, what+" "+key)
	return t
}

// oneOf parses a scalar that must be one of the given words.
func (d *decoder) oneOf(n *yaml.Node, what string, words ...string) (string, bool) {
	s, ok := d.scalar(n, what)
	if !ok {
		return "", false
	}
	if !slices.Contains(words, s) {
		d.errorf(n, "%s: unknown value %q (want %s)", what, s, strings.Join(words, ", "))
		return "", false
	}
	return s, true
}

// pairs reads a mapping with free keys, which must be distinct.
func (d *decoder) pairs(n *yaml.Node, what string) [][2]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, got %s", what, kindName(n))
		return nil
	}
	var out [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			d.errorf(k, "%s: key %q given twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, n.Content[i+1]})
	}
	return out
}

func (d *decoder) list(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, got %s", what, kindName(n))
		return nil
	}
	return n.Content
}
