package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is a bar on a terminal, and a line every tenth of the run otherwise.
type progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	total int
	n     int
}

func newProgress(stderr io.Writer, total int) *progress {
	p := &progress{w: stderr, total: total}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("checking"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("cases"),
			progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
	}
	return p
}

func (p *progress) step(failures int) {
	p.n++
	if p.bar != nil {
		_ = p.bar.Add(1)
		return
	}
	if every := max(p.total/10, 1); p.n%every == 0 && p.n < p.total {
		fmt.Fprintf(p.w, "simrun: checked %d/%d cases, %d violations\n", p.n, p.total, failures)
	}
}

func (p *progress) clear() {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
}

func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
