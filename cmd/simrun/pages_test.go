package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTraceWritesAPageAndJSON(t *testing.T) {
	dir := t.TempDir()
	file := write(t, dir, "tiny.yaml", scenario)
	page, data := filepath.Join(dir, "out", "tiny.html"), filepath.Join(dir, "tiny.json")
	code, out, errs := runArgs("trace", "--html", page, "--json", data, file)
	require.Equal(t, 0, code, errs)
	assert.Equal(t, "wrote "+page+"\nwrote "+data+"\nPASS tiny\n", out, "the verdict, not the trace")
	html, err := os.ReadFile(page)
	require.NoError(t, err)
	assert.Contains(t, string(html), "<svg id=\"timeline\"")
	assert.NotRegexp(t, regexp.MustCompile(`(?i)<(link|img|iframe)|src=|https?://[^"]*\.(js|css)`), string(html), "self-contained")
	var tl struct {
		Schema    string
		Verdict   string
		Schedules []struct {
			Ticks []struct{ Disposition string }
		}
		Downtime []struct{ From, Until int64 }
	}
	raw, err := os.ReadFile(data)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &tl))
	assert.Equal(t, "schedsim-timeline/1", tl.Schema)
	assert.Equal(t, "pass", tl.Verdict)
	require.Len(t, tl.Schedules, 1)
	assert.Len(t, tl.Schedules[0].Ticks, 2, "ticks at 1m and 2m")
	assert.Equal(t, []struct{ From, Until int64 }{{90_000, 90_000}}, tl.Downtime, "the crash at 1m30s, no downtime")
}

func TestTraceHTMLOfAMutantFails(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "p.html")
	code, out, _ := runArgs("trace", "--mutant", "recovery-clears-running", "--html", page, "../../scenarios/library/defects/defect-01-recovery-clears-running.yaml")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "FAIL defect-01-recovery-clears-running")
	html, err := os.ReadFile(page)
	require.NoError(t, err)
	assert.Contains(t, string(html), "S1 No overlap")
	assert.Contains(t, string(html), "the mutant recovery-clears-running")
}

func TestTraceHTMLUnwritable(t *testing.T) {
	dir := t.TempDir()
	file := write(t, dir, "tiny.yaml", scenario)
	blocker := write(t, dir, "file", "")
	code, _, errs := runArgs("trace", "--html", filepath.Join(blocker, "p.html"), file)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "simrun: trace: ")
	assert.Contains(t, errs, "not a directory")
}

func TestRunWritesAPagePerScenarioAndAnIndex(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runArgs("run", "--html", dir, "../../scenarios/library/dst")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "timelines: "+filepath.Join(dir, "index.html"))
	pages, err := filepath.Glob(filepath.Join(dir, "*.html"))
	require.NoError(t, err)
	yamls, err := filepath.Glob("../../scenarios/library/dst/*.yaml")
	require.NoError(t, err)
	assert.Len(t, pages, len(yamls)+1, "a page per scenario and the index")
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	assert.Equal(t, len(yamls), strings.Count(string(index), `<a href="`), "the index links every page")
	for _, p := range pages {
		if filepath.Base(p) != "index.html" {
			assert.Contains(t, string(index), `href="`+filepath.Base(p)+`"`)
		}
	}
}
