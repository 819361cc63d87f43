package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/sim"

	"github.com/schedsim/schedsim/scenarios"
	"github.com/schedsim/schedsim/timeline"
)

// implName names what ran a scenario, for its page.
func implName(mutant, impl string) string {
	switch {
	case mutant != "":
		return "the mutant " + mutant
	case impl != "":
		return "the program " + impl
	}
	return "the reference evaluator"
}

// writeTimeline writes a replay's timeline to path, as a page or (asJSON)
// as its JSON, creating the directory it goes in.
func writeTimeline(path string, res *scenarios.Result, implementation string, asJSON bool) (*timeline.Timeline, error) {
	t := timeline.Build(res, implementation)
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	if asJSON {
		err = timeline.WriteJSON(w, t)
	} else {
		err = timeline.WriteHTML(w, t)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return t, nil
}

// writeIndex writes the page that links a directory's pages.
func writeIndex(path, title string, entries []timeline.Entry) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = timeline.WriteIndex(f, title, entries)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// failurePage replays a shrunk scenario and writes its timeline beside it
// (NAME.yaml → NAME.html), returning the page's path.
func failurePage(file string, factory sim.Factory, prof *profile.Profile, implementation string) (string, error) {
	s, err := scenarios.LoadFile(file)
	if err != nil {
		return "", fmt.Errorf("the shrunk scenario does not load: %w", err)
	}
	opts := scenarios.Options{Factory: factory}
	if prof != nil && prof.Name != profile.Default {
		opts.Profile = prof
	}
	res, err := scenarios.Run(s, opts)
	if err != nil {
		return "", err
	}
	page := strings.TrimSuffix(file, filepath.Ext(file)) + ".html"
	if _, err := writeTimeline(page, res, implementation, false); err != nil {
		return "", err
	}
	return page, nil
}
