package timeline

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"strings"
)

var (
	//go:embed page.html.tmpl
	pageSource string
	//go:embed page.css
	pageCSS string
	//go:embed page.js
	pageJS string
	//go:embed index.html.tmpl
	indexSource string

	pageTemplate  = template.Must(template.New("page").Funcs(funcs).Parse(pageSource))
	indexTemplate = template.Must(template.New("index").Parse(indexSource))
)

var funcs = template.FuncMap{
	"f":      func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"when":   func(t *Timeline, ms int64) string { return t.when(ms) },
	"offset": offsetText,
	"add":    func(a, b float64) float64 { return a + b },
	"focus":  focus,
}

// page is what the page template reads.
type page struct {
	*Timeline
	Picture Picture
	CSS     template.CSS
	JS      template.JS
	Data    template.JS // the timeline as JSON: < > & are escaped, so it cannot end the script
	UTCEnd  string
	Legend  []string
}

// WriteHTML writes t as one self-contained page: the static picture, the
// lists of violations and failed expectations, the data as JSON, and the
// script that adds zoom and the time readout. It loads nothing else.
func WriteHTML(w io.Writer, t *Timeline) error {
	data, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	p := page{Timeline: t, Picture: Draw(t), CSS: template.CSS(pageCSS), JS: template.JS(pageJS), Data: template.JS(data),
		UTCEnd: t.utc(t.End), Legend: []string{"start", "skip", "buffer", "miss", "drop", "none"}}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, p); err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// WriteSVG writes the static picture of t alone (the page's SVG, styled by
// the page's CSS classes).
func WriteSVG(w io.Writer, t *Timeline) error {
	return pageTemplate.ExecuteTemplate(w, "svg", page{Timeline: t, Picture: Draw(t)})
}

// WriteJSON writes t as the indented JSON the page embeds (docs/timeline.md).
func WriteJSON(w io.Writer, t *Timeline) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// Entry is one page of an index: a scenario's name, verdict and file.
type Entry struct {
	Title, Verdict, Page, File string
	Violations, Failures       int
}

// WriteIndex writes the page that links the pages of a run.
func WriteIndex(w io.Writer, title string, entries []Entry) error {
	var b bytes.Buffer
	passed := 0
	for _, e := range entries {
		if e.Verdict == "pass" {
			passed++
		}
	}
	err := indexTemplate.Execute(&b, struct {
		Title   string
		CSS     template.CSS
		Entries []Entry
		Passed  int
	}{title, template.CSS(pageCSS), entries, passed})
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// PageName is the file name of a scenario's page in a directory of pages:
// its path with separators as dashes, so two scenarios never share one.
func PageName(file string) string {
	name := strings.TrimSuffix(filepath.ToSlash(filepath.Clean(file)), filepath.Ext(file))
	name = strings.TrimLeft(strings.ReplaceAll(name, "../", ""), "./")
	return strings.ReplaceAll(name, "/", "-") + ".html"
}

// focus is the fragment that opens a page zoomed on an instant: a hundredth
// of the run on either side, at least a minute, at most a day.
func focus(t *Timeline, at int64) template.URL {
	w := min(max(t.End/100, 60_000), 86_400_000)
	return template.URL(fmt.Sprintf("#from=%d&to=%d", max(at-w, 0), min(at+w, t.End)))
}
