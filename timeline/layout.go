package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The picture's geometry, in SVG user units (pixels at 100%). page.js
// draws the same layout from the same numbers when it zooms.
const (
	width   = 1200.0
	gutter  = 190.0 // the lanes' labels
	margin  = 30.0
	axisH   = 30.0
	worldH  = 26.0 // incidents and failed expectations
	tickH   = 18.0
	rowH    = 12.0
	marksH  = 18.0
	lanePad = 8.0
	// violationsH: the strip under the lanes that labels violations, four
	// labels deep (a fifth at one place overlaps the fourth).
	violationsH = 56.0
	// mergePx: marks of one kind closer than this are drawn as one range.
	mergePx = 3.0
)

// Glyph is one shape of the static picture. Count is how many things of the
// timeline it stands for (a merged range stands for several).
type Glyph struct {
	Shape      string // rect, line, path, text
	X, Y, W, H float64
	D          string // path data
	Class      string
	Title      string // the tooltip
	Text       string
	Count      int64
}

// Picture is the static SVG of a whole run.
type Picture struct {
	Width, Height float64
	Glyphs        []Glyph
}

// plot maps offsets in [from, to] onto the plot's width.
type plot struct{ from, to int64 }

func (p plot) x(ms int64) float64 {
	return gutter + float64(ms-p.from)/float64(max(p.to-p.from, 1))*(width-gutter-margin)
}

// Draw lays out the whole run: the picture a page shows without JavaScript.
// page.js draws the same for any span of it.
func Draw(t *Timeline) Picture {
	p := plot{0, max(t.End, 1)}
	var gs []Glyph
	add := func(g Glyph) { gs = append(gs, g) }
	height := axisH + worldH + 4
	for _, l := range t.Schedules {
		height += laneHeight(l)
	}
	lanesEnd := height
	if len(t.Violations) > 0 {
		height += violationsH
	}
	// Backgrounds first, so that the grid and the downtime show on them.
	y := axisH + worldH
	for i, l := range t.Schedules {
		add(Glyph{Shape: "rect", X: 0, Y: y, W: width, H: laneHeight(l), Class: fmt.Sprintf("lane lane%d", i%2), Title: l.ID})
		y += laneHeight(l)
	}
	for _, tick := range axisTicks(p.from, p.to) {
		x := p.x(tick)
		add(Glyph{Shape: "line", X: x, Y: axisH - 6, H: lanesEnd - axisH + 6, Class: "grid"})
		add(Glyph{Shape: "text", X: x, Y: axisH - 10, Class: "axis", Text: offsetText(tick), Title: t.utc(tick)})
	}
	add(Glyph{Shape: "text", X: 8, Y: axisH + 17, Class: "label", Text: "world"})
	if len(t.Violations) > 0 {
		add(Glyph{Shape: "text", X: 8, Y: lanesEnd + 14, Class: "label violation-label", Text: "violations"})
	}
	for _, b := range t.Downtime {
		if b.Until < p.from || b.From > p.to {
			continue
		}
		x0, x1 := p.x(max(b.From, p.from)), p.x(min(b.Until, p.to))
		add(Glyph{Shape: "rect", X: x0, Y: axisH, W: max(x1-x0, 2), H: lanesEnd - axisH, Class: "down", Count: 1,
			Title: fmt.Sprintf("down from %s to %s: %s", t.when(b.From), t.when(b.Until), b.Cause)})
	}
	var world []point
	for _, m := range t.Incidents {
		world = append(world, point{at: m.At, n: 1, class: "incident " + m.Kind, title: t.when(m.At) + ": " + strings.Join(strings.Fields(m.Kind+" "+m.Schedule+" "+m.Detail+" "+m.Error), " ")})
	}
	for _, f := range t.Failures {
		if f.At != nil {
			world = append(world, point{at: *f.At, n: 1, class: "expectation", title: fmt.Sprintf("%s: line %d: %s", t.when(*f.At), f.Line, f.What)})
		}
	}
	slices.SortStableFunc(world, func(a, b point) int { return cmp.Compare(a.at, b.at) })
	gs = append(gs, points(p, world, axisH+4, worldH-8, "marks")...)
	y = axisH + worldH
	for _, l := range t.Schedules {
		gs = append(gs, t.lane(p, l, y)...)
		y += laneHeight(l)
	}
	// Violations last, over everything; labels at one place stack.
	var labelled []float64
	for i, v := range t.Violations {
		if v.At < p.from || v.At > p.to {
			continue
		}
		x := p.x(v.At)
		lx := x + 3
		if x > width-margin-20 {
			lx = x - 36 // keep the label inside the picture
		}
		stacked := 0
		for _, other := range labelled {
			if lx-other < 40 && other-lx < 40 {
				stacked++
			}
		}
		labelled = append(labelled, lx)
		stacked = min(stacked, 3)
		add(Glyph{Shape: "line", X: x, Y: axisH, H: lanesEnd + 6 + float64(stacked)*11 - axisH, Class: "violation", Count: 1,
			Title: fmt.Sprintf("#%d %s %s at %s: %s", i+1, v.Invariant, v.Name, t.when(v.At), v.Detail)})
		add(Glyph{Shape: "text", X: lx, Y: lanesEnd + 14 + float64(stacked)*11, Class: "violation-label", Text: fmt.Sprintf("%d %s", i+1, v.Invariant)})
	}
	return Picture{Width: width, Height: height, Glyphs: gs}
}

// laneHeight leaves room for the lane's three or four lines of label.
func laneHeight(l Lane) float64 {
	least := 50.0
	if zoneLine(l) {
		least = 62
	}
	return max(lanePad+tickH+float64(max(l.Rows, 1))*rowH+marksH, least)
}

// lane draws one schedule: its label, its zone's changes, its ticks, its
// executions, then its operations, cancels and timers.
func (t *Timeline) lane(p plot, l Lane, y float64) []Glyph {
	h := laneHeight(l)
	var gs []Glyph
	add := func(g Glyph) { gs = append(gs, g) }
	add(Glyph{Shape: "text", X: 8, Y: y + 16, Class: "label id", Text: l.ID})
	add(Glyph{Shape: "text", X: 8, Y: y + 29, Class: "label", Text: l.Trigger})
	add(Glyph{Shape: "text", X: 8, Y: y + 42, Class: "label", Text: l.Overlap + ", catch-up " + l.CatchUp})
	if zoneLine(l) {
		add(Glyph{Shape: "text", X: 8, Y: y + 55, Class: "label", Text: l.Zone})
	}
	for _, o := range l.Offsets[min(len(l.Offsets), 1):] {
		if o.At < p.from || o.At > p.to {
			continue
		}
		x := p.x(o.At)
		add(Glyph{Shape: "line", X: x, Y: y, H: h, Class: "zone", Count: 1,
			Title: fmt.Sprintf("%s: %s is UTC%s (%s) from here", t.utc(o.At), l.Zone, zoneOffset(o.Seconds), o.Name)})
		add(Glyph{Shape: "text", X: x + 2, Y: y + h - 3, Class: "zone-label", Text: o.Name + " " + zoneOffset(o.Seconds)})
	}
	y += lanePad / 2
	var ticks []point
	for _, k := range l.Ticks {
		title := fmt.Sprintf("%s %s: %s, decided %s", l.ID, t.when(k.Nominal), k.Disposition, t.offsetOnly(k.Decided))
		if k.Until > 0 {
			// An uncounted range stands for one thing: itself.
			ticks = append(ticks, point{at: k.Nominal, until: k.Until, n: max(k.Count, 1), class: "tick " + k.Disposition,
				title: fmt.Sprintf("%s: %s from %s until %s: %s, decided %s", l.ID, countText(k.Count), t.when(k.Nominal), t.when(k.Until), k.Disposition, t.offsetOnly(k.Decided))})
			continue
		}
		ticks = append(ticks, point{at: k.Nominal, n: 1, class: "tick " + k.Disposition, title: title})
	}
	gs = append(gs, points(p, ticks, y+2, tickH-6, "ticks")...)
	y += tickH
	for r := 0; r < max(l.Rows, 1); r++ {
		var bars []point
		for _, x := range l.Executions {
			if x.Row == r {
				bars = append(bars, point{at: x.Start, until: x.Close, n: 1, class: "run " + x.Outcome,
					title: fmt.Sprintf("%s @%s: %s, started %s, closed %s", l.ID, t.offsetOnly(x.Nominal), x.Outcome, t.offsetOnly(x.Start), t.offsetOnly(x.Close))})
			}
		}
		gs = append(gs, spans(p, bars, y+float64(r)*rowH+1, rowH-3)...)
	}
	y += float64(max(l.Rows, 1)) * rowH
	var marks []point
	for _, m := range l.Marks {
		title := t.when(m.At) + ": " + m.Detail
		if m.Error != "" {
			title += " error=" + m.Error
		}
		marks = append(marks, point{at: m.At, n: 1, class: "mark " + m.Kind + failed(m.Error), title: title})
	}
	for _, tm := range l.Timers {
		marks = append(marks, point{at: tm.Due, n: 1, class: "timer", title: fmt.Sprintf("timer for %s, armed %s", t.when(tm.Due), t.offsetOnly(tm.Armed))})
	}
	slices.SortStableFunc(marks, func(a, b point) int { return cmp.Compare(a.at, b.at) })
	gs = append(gs, points(p, marks, y+2, marksH-6, "marks")...)
	return gs
}

// zoneLine says whether a lane's label names its zone on a line of its own
// (a cron's zone is not in its trigger).
func zoneLine(l Lane) bool { return l.Zone != "UTC" && !strings.Contains(l.Trigger, l.Zone) }

// countText says how many ticks a range holds.
func countText(n int64) string {
	if n == 0 {
		return "the ticks (not counted)"
	}
	return fmt.Sprintf("%d ticks", n)
}

func failed(err string) string {
	if err != "" {
		return " failed"
	}
	return ""
}

// point is a mark to draw at an instant, or a range when until is set.
type point struct {
	at, until int64
	n         int64
	class     string
	title     string
}

// points draws the marks of one row: a tick of 2 units, a diamond, or a
// range; marks closer than mergePx, of any class, merge into one range
// (see merged), so that a row never has more glyphs than it has room for.
func points(p plot, ps []point, y, h float64, row string) []Glyph {
	ps = visible(p, ps)
	var gs []Glyph
	for i := 0; i < len(ps); {
		j, x0, x1 := group(p, ps, i)
		class, title, n := merged(ps[i:j], "marks")
		g := Glyph{Shape: "rect", X: x0 - 1, Y: y, W: max(x1-x0, 0) + 2, H: h, Class: class, Title: title, Count: n}
		if row == "marks" && j-i == 1 && ps[i].until == 0 {
			g = Glyph{Shape: "path", X: x0, Y: y, D: diamond(x0, y+h/2, h/2), Class: class, Title: title, Count: n}
		}
		gs = append(gs, g)
		i = j
	}
	return underneath(gs)
}

// group returns the end j of the marks ps[i:j] drawn as one glyph, and
// where it spans: marks join while the glyph is narrower than mergePx and
// the next mark, itself that narrow, starts less than mergePx after it. A
// row so never holds more glyphs than it has room for, and a mark wide
// enough to see is never merged.
func group(p plot, ps []point, i int) (j int, x0, x1 float64) {
	x0, x1 = p.x(ps[i].at), p.x(max(ps[i].until, ps[i].at))
	for j = i + 1; j < len(ps); j++ {
		a, b := p.x(ps[j].at), p.x(max(ps[j].until, ps[j].at))
		if x1-x0 >= mergePx || a-x1 >= mergePx || b-a >= mergePx {
			break
		}
		x1 = max(x1, b)
	}
	return j, x0, x1
}

// merged describes marks drawn as one glyph: the class of most of them
// (the first on a tie) marked " mixed" when they differ, a title counting
// each class, and how many things they stand for.
func merged(ps []point, what string) (class, title string, n int64) {
	if len(ps) == 1 {
		return ps[0].class, ps[0].title, ps[0].n
	}
	var classes []string
	counts := map[string]int64{}
	for _, q := range ps {
		if _, ok := counts[q.class]; !ok {
			classes = append(classes, q.class)
		}
		counts[q.class] += q.n
		n += q.n
	}
	class = classes[0]
	parts := make([]string, len(classes))
	for i, c := range classes {
		if counts[c] > counts[class] {
			class = c
		}
		parts[i] = fmt.Sprintf("%d %s", counts[c], c)
	}
	if len(classes) > 1 {
		class += " mixed"
	}
	return class, fmt.Sprintf("%d %s merged (zoom in): %s; the first: %s", len(ps), what, strings.Join(parts, ", "), ps[0].title), n
}

// underneath draws merged ranges first, so that the rarer marks they
// cross stay visible on top.
func underneath(gs []Glyph) []Glyph {
	slices.SortStableFunc(gs, func(a, b Glyph) int { return cmp.Compare(b.Count, a.Count) })
	return gs
}

// spans draws bars from at to until; bars too thin to tell apart, next to
// each other, merge.
func spans(p plot, ps []point, y, h float64) []Glyph {
	ps = visible(p, ps)
	var gs []Glyph
	for i := 0; i < len(ps); {
		j, x0, x1 := group(p, ps, i)
		class, title, n := merged(ps[i:j], "executions")
		// A pixel less, so that runs end to end on one row stay apart.
		gs = append(gs, Glyph{Shape: "rect", X: x0, Y: y, W: max(x1-x0-1, 1.5), H: h, Class: class, Title: title, Count: n})
		i = j
	}
	return gs
}

// visible keeps the marks in the plot's span, ranges cut to it.
func visible(p plot, ps []point) []point {
	var out []point
	for _, q := range ps {
		if q.at > p.to || max(q.until, q.at) < p.from {
			continue
		}
		if q.until > 0 {
			q.at, q.until = max(q.at, p.from), min(q.until, p.to)
		}
		out = append(out, q)
	}
	return out
}

func diamond(x, y, r float64) string {
	return fmt.Sprintf("M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ", x, y-r, x+r, y, x, y+r, x-r, y)
}

// steps are the axis's candidate spacings.
var steps = []time.Duration{time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute,
	15 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	2 * 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 91 * 24 * time.Hour, 365 * 24 * time.Hour, 5 * 365 * 24 * time.Hour}

// axisTicks are the offsets labelled on the axis: at most 12.
func axisTicks(from, to int64) []int64 {
	step := steps[len(steps)-1].Milliseconds()
	for _, s := range steps {
		if (to-from)/s.Milliseconds() <= 12 {
			step = s.Milliseconds()
			break
		}
	}
	var out []int64
	for t := (from + step - 1) / step * step; t <= to; t += step {
		out = append(out, t)
	}
	return out
}
