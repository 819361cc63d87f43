package timeline_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/timeline"
)

// replayAny replays a library scenario, or a file when the path starts
// with testdata/.
func replayAny(t *testing.T, file, mutant string) (*scenarios.Result, string) {
	t.Helper()
	if !strings.HasPrefix(file, "testdata/") {
		return replay(t, file, mutant)
	}
	s, err := scenarios.LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return run(t, s, mutant)
}

func writePage(t *testing.T, path string, tl *timeline.Timeline) {
	t.Helper()
	var b bytes.Buffer
	if err := timeline.WriteHTML(&b, tl); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// countJS counts what the picture in the DOM stands for, row by row: each
// glyph's data-n is how many things of the data it draws.
const countJS = `(() => {
  const svg = document.querySelector('#chart svg');
  const sum = s => Array.from(svg.querySelectorAll(s)).reduce((a, e) => a + Number(e.getAttribute('data-n') || 0), 0);
  const n = s => svg.querySelectorAll(s).length;
  return {lanes: n('rect.lane'), ticks: sum('.tick'), tickGlyphs: n('.tick'), runs: sum('.run'), marks: sum('.mark, .timer'),
    world: sum('.incident, .expectation'), violations: n('line.violation'), down: n('rect.down'), zones: n('line.zone')};
})()`

func count(t *testing.T, ctx context.Context) map[string]int64 {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int64](countJS))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// classCounts counts the glyphs of each class the script drew.
func classCounts(t *testing.T, ctx context.Context) map[string]int64 {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int64](`(() => {
  const out = {};
  document.querySelectorAll('#chart svg [data-n]').forEach(e => { const c = e.getAttribute('class'); out[c] = (out[c] || 0) + 1; });
  return out;
})()`))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// expected counts what the data has in the span [from, to], as countJS
// counts the DOM.
func expected(tl *timeline.Timeline, from, to int64) map[string]int64 {
	in := func(at int64) bool { return at >= from && at <= to }
	overlaps := func(a, b int64) bool { return a <= to && max(a, b) >= from }
	want := map[string]int64{"lanes": int64(len(tl.Schedules))}
	for _, l := range tl.Schedules {
		for _, k := range l.Ticks {
			if overlaps(k.Nominal, k.Until) {
				want["ticks"] += max(k.Count, 1)
				want["tickItems"]++
			}
		}
		for _, x := range l.Executions {
			if overlaps(x.Start, x.Close) {
				want["runs"]++
			}
		}
		for _, m := range l.Marks {
			if in(m.At) {
				want["marks"]++
			}
		}
		for _, tm := range l.Timers {
			if in(tm.Due) {
				want["marks"]++
			}
		}
		for _, o := range l.Offsets[1:] {
			if in(o.At) {
				want["zones"]++
			}
		}
	}
	for _, m := range tl.Incidents {
		if in(m.At) {
			want["world"]++
		}
	}
	for _, f := range tl.Failures {
		if f.At != nil && in(*f.At) {
			want["world"]++
		}
	}
	for _, v := range tl.Violations {
		if in(v.At) {
			want["violations"]++
		}
	}
	for _, b := range tl.Downtime {
		if overlaps(b.From, b.Until) {
			want["down"]++
		}
	}
	return want
}

var utcInstant = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)

// pointAt moves the pointer over the first violation in view, else over
// the plot at 60%: the readout must give the instant in UTC and in every
// zone a schedule ticks in, and the cursor line must follow.
func pointAt(t *testing.T, ctx context.Context, tl *timeline.Timeline) {
	t.Helper()
	box, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(() => {
  const r = document.querySelector('#chart svg').getBoundingClientRect();
  return {left: r.left, top: r.top, width: r.width, from: schedsimTimeline.view.from, to: schedsimTimeline.view.to};
})()`))
	if err != nil {
		t.Fatal(err)
	}
	frac := 0.6
	for _, v := range tl.Violations {
		if f := float64(v.At-int64(box["from"])) / (box["to"] - box["from"]); f >= 0 && f <= 1 {
			frac = f
			break
		}
	}
	// The plot is 980 of the picture's 1200 units, from 190.
	x, y := box["left"]+box["width"]*(190+980*frac)/1200, box["top"]+40
	if err := chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y)); err != nil {
		t.Fatal(err)
	}
	readout, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('readout').textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if !utcInstant.MatchString(readout) {
		t.Errorf("readout %q gives no UTC instant", readout)
	}
	for _, l := range tl.Schedules {
		if l.Zone != "UTC" && !strings.Contains(readout, l.Zone) {
			t.Errorf("readout %q gives no time in %s", readout, l.Zone)
		}
	}
	cursor, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Number(document.getElementById('cursor').getAttribute('x1'))`))
	if err != nil {
		t.Fatal(err)
	}
	if cursor < 190 || cursor > 1170 {
		t.Errorf("the cursor line is at %v, outside the plot", cursor)
	}
}

// zoomTo zooms to span: merged marks split (every tick in view is a glyph
// of its own when the ticks are far enough apart), the counts follow the
// span, and the zoom-out button doubles it.
func zoomTo(t *testing.T, ctx context.Context, tl *timeline.Timeline, span [2]int64) {
	t.Helper()
	// How long a redraw takes, logged for the record (never asserted: the
	// machine is shared).
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => {
  const time = f => { const t0 = performance.now(); f(); return performance.now() - t0; };
  return [time(() => schedsimTimeline.setView(0, %d)), time(() => schedsimTimeline.setView(%d, %d))];
})()`, tl.End, span[0], span[1])))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("redraw: the whole run %.1f ms, %v of it %.1f ms", ms[0], span, ms[1])
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("schedsimTimeline.setView(%d, %d)", span[0], span[1]))); err != nil {
		t.Fatal(err)
	}
	got, want := count(t, ctx), expected(tl, span[0], span[1])
	for _, k := range []string{"ticks", "runs", "marks", "world", "down"} {
		if got[k] != want[k] {
			t.Errorf("zoomed to %v: %s: %d in the DOM, the data has %d", span, k, got[k], want[k])
		}
	}
	if got["tickGlyphs"] != want["tickItems"] {
		t.Errorf("zoomed to %v: %d tick glyphs for %d ticks: they should no longer merge", span, got["tickGlyphs"], want["tickItems"])
	}
	if err := chromedp.Do(ctx, chromedp.Click("#zoom-out")); err != nil {
		t.Fatal(err)
	}
	view, err := chromedp.Run(ctx, chromedp.Evaluate[[]int64](`[schedsimTimeline.view.from, schedsimTimeline.view.to]`))
	if err != nil {
		t.Fatal(err)
	}
	if view[1]-view[0] != 2*(span[1]-span[0]) {
		t.Errorf("zoom out from %v gave %v: not twice the span", span, view)
	}
}

// notBlank fails for a screenshot of one colour, or nearly: a page that
// drew nothing.
func notBlank(t *testing.T, shot []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("the screenshot is no PNG: %v", err)
	}
	b := img.Bounds()
	colours := map[[3]uint32]bool{}
	inked := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if r>>8 < 235 || g>>8 < 235 || bl>>8 < 235 {
				inked++
			}
		}
	}
	total := (b.Dx() / 2) * (b.Dy() / 2)
	if len(colours) < 16 || inked*100 < total*2 {
		t.Errorf("the screenshot looks blank: %d colours, %d of %d sampled pixels not white", len(colours), inked, total)
	}
	_ = image.Point{}
}

// offsetsAgree checks that page.js writes offsets as format.go does.
func offsetsAgree(t *testing.T, browser context.Context, dir string) {
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+dir+"/crash-downtime.html"), chromedp.WaitReady("html.js #chart svg")); err != nil {
		t.Fatal(err)
	}
	values := []int64{0, 1, 500, 1000, 1500, 59_999, 60_000, 90_000, 3_600_000, 3_690_500, 86_400_000, 255_010_000, 315_360_030_000, -60_000}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf("%v.map(schedsimTimeline.offsetText)", strings.Join(strings.Fields(fmt.Sprint(values)), ","))))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range values {
		if want := timeline.OffsetText(v); i >= len(got) || got[i] != want {
			t.Errorf("offset %d ms: page.js writes %q, format.go %q", v, got[min(i, len(got)-1)], want)
		}
	}
}
