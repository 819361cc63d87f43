package scenarios

import (
	"embed"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The bundled library, embedded so simrun replays it from any directory.
//
//go:embed library
var library embed.FS

// Library is the bundled scenario library: YAML files and their goldens.
func Library() fs.FS {
	sub, err := fs.Sub(library, "library")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}

// Find lists the scenario files (*.yaml, *.yml) under root in fsys, sorted;
// root may also be one file.
func Find(fsys fs.FS, root string) ([]string, error) {
	info, err := fs.Stat(fsys, root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var out []string
	err = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := path.Ext(p); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			out = append(out, p)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

// LoadAll loads every scenario under the roots in fsys. It reports every
// file's problems, joined, and returns no scenario when any file is invalid
// or two scenarios share a name (names are unique in one run), so a broken
// library never half-runs.
func LoadAll(fsys fs.FS, roots ...string) ([]*Scenario, error) {
	var names []string
	for _, root := range roots {
		found, err := Find(fsys, root)
		if err != nil {
			return nil, err
		}
		names = append(names, found...)
	}
	var out []*Scenario
	var errs []error
	seen := map[string]string{}
	for _, name := range names {
		s, err := LoadFS(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, ok := seen[s.Name]; ok {
			errs = append(errs, &Error{Pos: Pos{File: name}, Msg: "name " + strings.TrimSpace(s.Name) + " is also the name of " + prev})
			continue
		}
		seen[s.Name] = name
		out = append(out, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
