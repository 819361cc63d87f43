package properties

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/schedsim/schedsim/evaluator"
)

// History is one generated world: schedules, each created by a step of its
// own, lifecycle operations and faults at times within the horizon. It is
// what the generators produce, what the shrinker simplifies, and what a
// failure prints as a scenario file.
type History struct {
	Start       time.Time
	Horizon     time.Duration
	CancelDelay time.Duration
	Schedules   []Schedule
	Steps       []Step
	Profile     Profile // what the case was drawn with
}

// Schedule is a generated schedule; CreateAt is when its create step runs.
type Schedule struct {
	ID       string
	Trigger  evaluator.TriggerSpec
	Overlap  string
	CatchUp  string
	Window   time.Duration // 0: none
	RunsFor  time.Duration // 0: until cancelled
	CreateAt time.Duration
	// BadTrigger, when set, makes the create invalid: it must be refused
	// and leave the log unchanged (WantError is what it fails with).
	BadTrigger *evaluator.TriggerSpec
	WantError  string
}

// Step kinds.
const (
	StepUpdate            = "update"
	StepPause             = "pause"
	StepResume            = "resume"
	StepDelete            = "delete"
	StepBadCreate         = "bad_create" // a create that must be refused
	StepCrash             = "crash"      // now, or at a seam call when Call is set
	StepError             = "error"
	StepLate              = "late"
	StepDuplicateDelivery = "duplicate_delivery"
	StepDuplicateNotice   = "duplicate_notice"
	StepJump              = "jump"
)

// Step is one generated step.
type Step struct {
	At       time.Duration
	Kind     string
	Schedule string
	// Update: the fields it changes (empty: unchanged); BadTrigger makes the
	// trigger invalid (the update or create must be refused).
	Overlap, CatchUp string
	Trigger          *evaluator.TriggerSpec
	// Faults at a seam call; Nominal for tick faults (an offset).
	Call, Phase string
	Nominal     time.Duration
	Duration    time.Duration // downtime, lateness or jump
	WantError   string        // filled in from a run before printing
}

// Size is the number of timeline steps the history prints (creates included).
func (h History) Size() int { return len(h.Schedules) + len(h.Steps) }

func dur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func trigger(t evaluator.TriggerSpec) string {
	switch {
	case t.Interval != 0:
		return fmt.Sprintf("{interval: %s}", dur(time.Duration(t.Interval)))
	case t.Timezone != "":
		return fmt.Sprintf("{cron: %q, timezone: %s}", t.Cron, t.Timezone)
	default:
		return fmt.Sprintf("{cron: %q}", t.Cron)
	}
}

// timeline is every step in time order, creates first at equal times.
type line struct {
	at   time.Duration
	text string
}

// YAML renders the history as a scenario file whose expectation is that every
// invariant holds; name and description head it.
func (h History) YAML(name, description string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\n", name)
	fmt.Fprintf(&b, "description: >\n  %s\n", strings.ReplaceAll(strings.TrimSpace(description), "\n", "\n  "))
	fmt.Fprintf(&b, "start: %s\nuntil: %s\n", h.Start.UTC().Format(time.RFC3339), dur(h.Horizon))
	if h.CancelDelay > 0 {
		fmt.Fprintf(&b, "cancel_delay: %s\n", dur(h.CancelDelay))
	}
	b.WriteString("schedules:\n")
	var lines []line
	for _, s := range h.Schedules {
		fmt.Fprintf(&b, "  - {id: %s, trigger: %s, overlap: %s, catch_up: %s", s.ID, trigger(s.Trigger), s.Overlap, s.CatchUp)
		if s.Window > 0 {
			fmt.Fprintf(&b, ", catch_up_window: %s", dur(s.Window))
		}
		if s.RunsFor > 0 {
			fmt.Fprintf(&b, ", runs_for: %s", dur(s.RunsFor))
		}
		b.WriteString("}\n")
		create := fmt.Sprintf("create: {schedule: %s, request_id: create-%s", s.ID, s.ID)
		if s.BadTrigger != nil {
			create += ", trigger: " + trigger(*s.BadTrigger)
		}
		if s.WantError != "" {
			create += fmt.Sprintf(", want_error: %q", s.WantError)
		}
		lines = append(lines, line{s.CreateAt, create + "}"})
	}
	for i, st := range h.Steps {
		lines = append(lines, line{st.At, st.render(i)})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at < lines[j].at })
	if len(lines) > 0 {
		b.WriteString("timeline:\n")
	}
	for _, l := range lines {
		fmt.Fprintf(&b, "  - at: %s\n    %s\n", dur(l.at), l.text)
	}
	b.WriteString("expect:\n  invariants: hold\n")
	return b.String()
}

func (st Step) render(i int) string {
	var f []string
	add := func(format string, args ...any) { f = append(f, fmt.Sprintf(format, args...)) }
	add("schedule: %s", st.Schedule)
	switch st.Kind {
	case StepUpdate, StepPause, StepResume, StepDelete, StepBadCreate:
		add("request_id: r%d", i+1)
		if st.Trigger != nil {
			add("trigger: %s", trigger(*st.Trigger))
		}
		if st.Overlap != "" {
			add("overlap: %s", st.Overlap)
		}
		if st.CatchUp != "" {
			add("catch_up: %s", st.CatchUp)
		}
		if st.WantError != "" {
			add("want_error: %q", st.WantError)
		}
		kind := st.Kind
		if kind == StepBadCreate {
			kind = "create"
		}
		return fmt.Sprintf("%s: {%s}", kind, strings.Join(f, ", "))
	case StepCrash, StepError:
		f = f[:0]
		if st.Call != "" {
			add("call: %s", st.Call)
			add("phase: %s", st.Phase)
			if st.Schedule != "" {
				add("schedule: %s", st.Schedule)
			}
		}
		if st.Kind == StepCrash {
			add("downtime: %s", dur(st.Duration))
		}
		return fmt.Sprintf("%s: {%s}", st.Kind, strings.Join(f, ", "))
	case StepLate:
		add("nominal: %s", dur(st.Nominal))
		add("by: %s", dur(st.Duration))
	case StepDuplicateDelivery, StepDuplicateNotice:
		add("nominal: %s", dur(st.Nominal))
	case StepJump:
		return "jump: " + dur(st.Duration)
	}
	return fmt.Sprintf("%s: {%s}", st.Kind, strings.Join(f, ", "))
}
