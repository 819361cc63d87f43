// Package ticks computes the ticks of a schedule trigger without the
// evaluator's code: a second, deliberately simple implementation of the
// trigger semantics of docs/semantics.md, so that a defect in the
// evaluator's cron or zone handling cannot hide from the checkers by being
// shared with them.
//
// It has its own cron parser (the robfig/cron v3 dialect: 5 fields, 6 with
// leading seconds, descriptors, names, lists, ranges and steps) and finds a
// cron's next tick by walking time forward in the schedule's zone, second
// by second where the wall clock could match and in whole units (days, hours,
// minutes) where the UTC offset stays the same and the unit cannot. Its DST
// rule is the definition itself: a cron fires at every instant whose wall
// clock reading in the zone matches the expression, so a wall time inside a
// spring-forward gap does not fire that day and one inside a repeated
// fall-back hour fires at each occurrence. It is differential-tested against
// robfig/cron across zones and DST changes (ticks_test.go), and against the
// reference evaluator's own calendar (evaluator_test.go): the two implement
// the rule independently.
//
// It imports only types from the evaluator package.
package ticks

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// Errors of Parse, for errors.Is.
var (
	ErrInvalid   = errors.New("invalid trigger")
	ErrZone      = errors.New("unknown time zone")
	ErrNeverFire = errors.New("trigger never fires")
)

// Trigger is a parsed trigger: an interval or a cron in a zone.
type Trigger struct {
	period time.Duration // > 0 for an interval
	fields [6]uint64     // second, minute, hour, day of month, month, day of week
	star   [6]bool       // the field was "*" or "?" (for the day-of-month/day-of-week rule)
	zone   *time.Location
}

type bounds struct {
	min, max int
	names    map[string]int
}

var fieldBounds = [6]bounds{
	{0, 59, nil}, {0, 59, nil}, {0, 23, nil}, {1, 31, nil},
	{1, 12, map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}},
	{0, 6, map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}},
}

// descriptors are the @-forms, as the six fields they stand for.
var descriptors = map[string]string{
	"@yearly": "0 0 0 1 1 *", "@annually": "0 0 0 1 1 *", "@monthly": "0 0 0 1 * *",
	"@weekly": "0 0 0 * * 0", "@daily": "0 0 0 * * *", "@midnight": "0 0 0 * * *", "@hourly": "0 0 * * * *",
}

// Parse reads a trigger spec. Errors wrap ErrInvalid, ErrZone or ErrNeverFire.
func Parse(spec evaluator.TriggerSpec) (*Trigger, error) {
	expr := strings.TrimSpace(spec.Cron)
	if spec.Interval != 0 {
		if expr != "" || spec.Timezone != "" {
			return nil, fmt.Errorf("%w: an interval with a cron or a zone", ErrInvalid)
		}
		return interval(time.Duration(spec.Interval))
	}
	zoneName := spec.Timezone
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(expr, prefix); ok {
			name, after, _ := strings.Cut(rest, " ")
			if zoneName != "" || strings.TrimSpace(after) == "" {
				return nil, fmt.Errorf("%w: zone prefix %q", ErrInvalid, name)
			}
			zoneName, expr = name, strings.TrimSpace(after)
			break
		}
	}
	if expr == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalid)
	}
	if d, ok := strings.CutPrefix(expr, "@every"); ok {
		period, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil || zoneName != "" {
			return nil, fmt.Errorf("%w: %q", ErrInvalid, expr)
		}
		return interval(period)
	}
	t := &Trigger{zone: time.UTC}
	switch zoneName {
	case "", "UTC":
	case "Local":
		return nil, fmt.Errorf("%w: Local", ErrZone)
	default:
		z, err := time.LoadLocation(zoneName)
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ErrZone, zoneName)
		}
		t.zone = z
	}
	if strings.HasPrefix(expr, "@") {
		six, ok := descriptors[expr]
		if !ok {
			return nil, fmt.Errorf("%w: descriptor %q", ErrInvalid, expr)
		}
		expr = six
	}
	fields := strings.Fields(expr)
	switch len(fields) {
	case 5:
		fields = append([]string{"0"}, fields...)
	case 6:
	default:
		return nil, fmt.Errorf("%w: %d fields in %q", ErrInvalid, len(fields), expr)
	}
	for i, f := range fields {
		bits, star, err := parseField(f, fieldBounds[i])
		if err != nil {
			return nil, fmt.Errorf("%w: field %d of %q: %v", ErrInvalid, i+1, expr, err)
		}
		t.fields[i], t.star[i] = bits, star
	}
	if t.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, fmt.Errorf("%w: %q", ErrNeverFire, expr)
	}
	return t, nil
}

func interval(p time.Duration) (*Trigger, error) {
	if p <= 0 {
		return nil, fmt.Errorf("%w: interval %s", ErrInvalid, p)
	}
	return &Trigger{period: p, zone: time.UTC}, nil
}

// parseField reads a comma-separated list of items: "*" or "?" (every
// value), "a", "a-b", each optionally "/step"; "a/step" runs to the field's
// maximum. As in robfig's dialect, an item whose range starts with "*" or
// "?" is the whole range whatever follows a hyphen, a step above 1 makes "*"
// an ordinary range for the day-of-month/day-of-week rule, and empty items
// are ignored.
func parseField(f string, b bounds) (uint64, bool, error) {
	var bits uint64
	star := false
	for _, item := range strings.Split(f, ",") {
		if item == "" {
			continue
		}
		rangePart, stepPart, hasStep := strings.Cut(item, "/")
		if strings.Contains(stepPart, "/") {
			return 0, false, fmt.Errorf("too many slashes in %q", item)
		}
		lo, hi, isStar := b.min, b.max, false
		low, high, hasHigh := strings.Cut(rangePart, "-")
		if low == "*" || low == "?" {
			isStar = true
		} else {
			var err error
			if lo, err = value(low, b); err != nil {
				return 0, false, err
			}
			hi = lo
			if hasHigh {
				if strings.Contains(high, "-") {
					return 0, false, fmt.Errorf("too many hyphens in %q", item)
				}
				if hi, err = value(high, b); err != nil {
					return 0, false, err
				}
			}
		}
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepPart)
			if err != nil || n < 0 {
				return 0, false, fmt.Errorf("step %q", stepPart)
			}
			step = n
			if !hasHigh {
				hi = b.max
			}
			if step > 1 {
				isStar = false
			}
		}
		if lo < b.min || hi > b.max || lo > hi || step == 0 {
			return 0, false, fmt.Errorf("range %q out of [%d, %d]", item, b.min, b.max)
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << v
		}
		star = star || isStar
	}
	return bits, star, nil
}

func value(s string, b bounds) (int, error) {
	if v, ok := b.names[strings.ToLower(s)]; ok {
		return v, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a value: %q", s)
	}
	return n, nil
}
