package timeline_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/schedsim/schedsim/timeline"
)

var screenshots = flag.String("screenshots", "", "write the browser test's screenshots into this directory (docs: the README's is timeline-s1.png)")

// browserPage is one page the browser test opens.
type browserPage struct {
	name   string
	file   string // a library scenario, or a file under testdata
	mutant string
	// zoom, when set, is a span (offsets) the test zooms to and checks.
	zoom [2]int64
	// shot is the screenshot's window, view the span it shows (zero: as
	// the checks leave it).
	shot [2]int
	view [2]int64
}

var browserPages = []browserPage{
	{name: "crash-downtime", file: "faults/crash-after-start-with-downtime.yaml"},
	{name: "ten-year-outage", file: "defects/defect-06-ten-year-outage-one.yaml"},
	{name: "dst-gap", file: "dst/berlin-spring-gap.yaml"},
	{name: "timeline-s1", file: "testdata/s1-shrunk.yaml", mutant: "recovery-clears-running",
		shot: [2]int{1280, 700}, view: [2]int64{40 * 60e3, 61 * 60e3}},
	{name: "dense-week", file: "testdata/dense-week.yaml", zoom: [2]int64{99.5 * 3600e3, 100.5 * 3600e3}},
}

// chromium finds the browser: $SCHEDSIM_CHROMIUM, else chromium or Chrome
// on the PATH.
func chromium() string {
	if p := os.Getenv("SCHEDSIM_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser opens pages in headless Chromium as a person would: no
// console errors, the script ran, the lanes, ticks, bars and markers are in
// the DOM in the numbers the data gives (and in the numbers the static
// picture has: page.js and layout.go draw alike), zoom splits merged marks,
// the pointer shows the time in UTC and the schedules' zones, and the
// screenshot is not blank.
func TestBrowser(t *testing.T) {
	exe := chromium()
	if exe == "" {
		if os.Getenv("SCHEDSIM_REQUIRE_BROWSER") != "" {
			t.Fatal("SCHEDSIM_REQUIRE_BROWSER is set but no Chromium was found (install Debian's chromium, or set SCHEDSIM_CHROMIUM)")
		}
		t.Skip("SKIPPED, NOT PASSED: no Chromium found (install Debian's chromium or set SCHEDSIM_CHROMIUM; SCHEDSIM_REQUIRE_BROWSER=1 makes this a failure)")
	}
	dir := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(dir, "profile")), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	for _, bp := range browserPages {
		t.Run(bp.name, func(t *testing.T) { openPage(t, browser, bp, dir) })
	}
	t.Run("offsets-agree", func(t *testing.T) { offsetsAgree(t, browser, dir) })
	t.Run("without-javascript", func(t *testing.T) { withoutScript(t, browser, dir) })
}

// withoutScript opens a page with scripts disabled: the static picture
// holds what the data holds, and the controls that need the script are
// hidden.
func withoutScript(t *testing.T, browser context.Context, dir string) {
	res, impl := replayAny(t, "testdata/s1-shrunk.yaml", "recovery-clears-running")
	tl := timeline.Build(res, impl)
	path := filepath.Join(dir, "no-script.html")
	writePage(t, path, tl)
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	disable := func(ctx context.Context, target *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, target, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	}
	if err := chromedp.Do(ctx, disable, chromedp.Navigate("file://"+path), chromedp.WaitReady("#chart svg")); err != nil {
		t.Fatal(err)
	}
	state, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`({js: String(document.documentElement.classList.contains('js')),
  controls: getComputedStyle(document.querySelector('nav.controls')).display})`))
	if err != nil {
		t.Fatal(err)
	}
	if state["js"] != "false" || state["controls"] != "none" {
		t.Errorf("with scripts disabled: %v, want the page as drawn by Go and the controls hidden", state)
	}
	got, want := count(t, ctx), expected(tl, 0, tl.End)
	for _, k := range []string{"lanes", "ticks", "runs", "marks", "world", "violations", "down", "zones"} {
		if got[k] != want[k] {
			t.Errorf("static picture: %s: %d in the DOM, the data has %d", k, got[k], want[k])
		}
	}
}

func openPage(t *testing.T, browser context.Context, bp browserPage, dir string) {
	res, impl := replayAny(t, bp.file, bp.mutant)
	tl := timeline.Build(res, impl)
	path := filepath.Join(dir, bp.name+".html")
	writePage(t, path, tl)

	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, time.Minute)
	defer cancelTime()
	width, height := 1280, 900
	if bp.shot[0] > 0 {
		width, height = bp.shot[0], bp.shot[1]
	}
	msgs := listen(ctx)
	err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height)), chromedp.Navigate("file://"+path),
		chromedp.WaitReady("html.js #chart svg"))
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	got := count(t, ctx)
	want := expected(tl, 0, tl.End)
	for _, k := range []string{"lanes", "ticks", "runs", "marks", "world", "violations", "down", "zones"} {
		if got[k] != want[k] {
			t.Errorf("%s: %d in the DOM, the data has %d", k, got[k], want[k])
		}
	}
	if want["ticks"] == 0 || want["runs"] == 0 {
		t.Errorf("the page draws no ticks (%d) or no executions (%d): nothing to check", want["ticks"], want["runs"])
	}
	// The script draws what the static picture draws, class by class.
	static := map[string]int64{}
	for _, g := range timeline.Draw(tl).Glyphs {
		if g.Count > 0 {
			static[g.Class]++
		}
	}
	drawn := classCounts(t, ctx)
	if fmt.Sprint(static) != fmt.Sprint(drawn) {
		t.Errorf("page.js drew other glyphs than layout.go:\nstatic %v\nscript %v", static, drawn)
	}
	// A row holds at most one glyph per mergePx (3 units) of its 980-unit
	// plot, and its wide marks: far fewer than the marks of a dense week.
	rows, glyphs := 1, int64(0)
	for _, l := range tl.Schedules {
		rows += 2 + l.Rows
	}
	for _, n := range drawn {
		glyphs += n
	}
	if limit := int64(rows * 400); glyphs > limit {
		t.Errorf("%d glyphs in %d rows (at most %d): dense marks are not merged", glyphs, rows, limit)
	}
	pointAt(t, ctx, tl)
	if bp.zoom[1] > 0 {
		zoomTo(t, ctx, tl, bp.zoom)
	}
	if bp.view[1] > 0 {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("schedsimTimeline.setView(%d, %d)", bp.view[0], bp.view[1]))); err != nil {
			t.Fatal(err)
		}
		pointAt(t, ctx, tl)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	notBlank(t, shot)
	if *screenshots != "" {
		if err := os.WriteFile(filepath.Join(*screenshots, bp.name+".png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cancelTime()
	if errs := msgs(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// listen collects the page's console errors and uncaught exceptions; the
// function it returns gives them once the context is done.
func listen(ctx context.Context) func() []string {
	var mu sync.Mutex
	var errs []string
	done := make(chan struct{})
	messages := chromedp.Console(ctx)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errs = append(errs, m.String())
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return errs
	}
}
