package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// versionCmd prints the module version and the VCS revision the binary was
// built from, as the Go toolchain stamped them.
func versionCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		return usageError(stderr, "version takes no arguments, got %q", args[0])
	}
	fmt.Fprintln(stdout, version(debug.ReadBuildInfo()))
	return 0
}

func version(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "simrun (no build information)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	out := fmt.Sprintf("simrun %s %s", info.Main.Path, v)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		out += ", revision " + rev
		if settings["vcs.modified"] == "true" {
			out += " (modified)"
		}
		if t := settings["vcs.time"]; t != "" {
			out += ", committed " + t
		}
	} else {
		out += ", no VCS revision stamped (go run, a build outside a checkout, or -buildvcs=false)"
	}
	return out + ", " + info.GoVersion
}
