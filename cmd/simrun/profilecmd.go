package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/schedsim/schedsim/profile"
	"github.com/schedsim/schedsim/protocol"
	"github.com/schedsim/schedsim/sim"
)

// profileFlag adds --profile to a command's flags.
func profileFlag(fset *flag.FlagSet) *string {
	return fset.String("profile", "", "judge and generate in this profile's dialect ("+strings.Join(profile.Names(), ", ")+
		"; default: the one an --impl program declares in init, else schedsim); docs/profiles.md")
}

// chooseProfile is the profile a run judges in: --profile, or what an --impl
// program declares (they must agree on the name), or schedsim's. A program is
// started once to read its declaration; one that cannot start and recover is
// a usage error, not a violation.
func chooseProfile(flagged, impl, cmd string, factory sim.Factory, stderr io.Writer) (profile.Profile, int) {
	var declared *profile.Profile
	if impl != "" {
		w, err := sim.New(sim.Config{Factory: factory})
		if err != nil {
			return profile.Profile{}, usageError(stderr, "%s: --impl %q: %v", cmd, impl, err)
		}
		if p, ok := w.Process().(*protocol.Process); ok {
			prof := p.Profile()
			declared = &prof
		}
		w.Close()
	}
	switch {
	case flagged == "" && declared != nil:
		return *declared, -1
	case flagged == "":
		return profile.Schedsim(), -1
	}
	prof, err := profile.Lookup(flagged)
	if err != nil {
		return profile.Profile{}, usageError(stderr, "%s: --profile: %v", cmd, err)
	}
	if declared != nil {
		if declared.Name != prof.Name {
			return profile.Profile{}, usageError(stderr, "%s: --profile %s, but the program declares %s in its init reply", cmd, prof.Name, declared.Name)
		}
		prof = *declared // narrowed as it declared
	}
	return prof, -1
}

// showProfiles is `simrun profiles`: the built-in profiles, or their
// documentation as docs/profiles.md holds it.
func showProfiles(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("profiles", flag.ContinueOnError)
	markdown := fset.Bool("markdown", false, "print docs/profiles.md (every profile, every field, with sources)")
	names, code := parse(fset, args, stdout, stderr)
	if code >= 0 {
		return code
	}
	var list []profile.Profile
	for _, n := range names {
		p, err := profile.Lookup(n)
		if err != nil {
			return usageError(stderr, "profiles: %v", err)
		}
		list = append(list, p)
	}
	if len(list) == 0 {
		list = profile.Builtin()
	}
	if *markdown {
		fmt.Fprint(stdout, profilesMarkdown(list))
		return exitValid
	}
	for _, p := range list {
		fmt.Fprintf(stdout, "%-16s %s %s: overlap %s; interval anchor %s; durability %s\n", p.Name, p.Scheduler, p.Version,
			strings.Join(policyNames(p), ", "), p.IntervalAnchor, p.Durability)
	}
	return exitValid
}

func policyNames(p profile.Profile) []string {
	var out []string
	for _, o := range p.Overlaps {
		out = append(out, o.Ours.String())
	}
	return out
}

// profilesMarkdown renders docs/profiles.md.
func profilesMarkdown(list []profile.Profile) string {
	var b strings.Builder
	b.WriteString(profilesIntro)
	for _, p := range list {
		fmt.Fprintf(&b, "\n## <a id=%q></a>%s\n\n%s, read from %s.\n\n", p.Name, p.Name, "`"+p.Scheduler+"`", p.Version)
		b.WriteString("| field | value |\n|---|---|\n")
		row := func(field, value string) {
			fmt.Fprintf(&b, "| %s | %s |\n", field, strings.ReplaceAll(value, "|", "\\|"))
		}
		var ov []string
		for _, o := range p.Overlaps {
			ov = append(ov, fmt.Sprintf("`%s` = %s", o.Ours, o.Theirs))
		}
		row("overlap policies", strings.Join(ov, "; "))
		var cu []string
		for _, c := range p.CatchUps {
			cu = append(cu, fmt.Sprintf("`%s` = %s", c.Ours, c.Theirs))
		}
		row("catch-up policies", strings.Join(cu, "; "))
		row("catch-up window", yesNo(p.Window))
		row("catch-up model", p.CatchUpRule)
		anchor := string(p.IntervalAnchor)
		if p.IntervalUnit > 0 {
			anchor += fmt.Sprintf(" (intervals in whole multiples of %s)", p.IntervalUnit)
		}
		row("interval anchor", anchor)
		row("cron dialect", p.Cron)
		row("DST", p.DST)
		row("cancel", p.Cancel)
		row("buffer", p.Buffer)
		row("pause and update", p.Pause)
		row("re-registers on update and resume", yesNo(p.Reregisters))
		row("allow_all runs untracked", yesNo(p.UntrackedAllowAll))
		row("ticks before operations at one instant", yesNo(p.TicksFirst))
		row("same instant", p.SameInstant)
		row("durability", string(p.Durability))
		row("identity of a start", string(p.Identity))
		row("observed", p.Observes)
		row("fault kinds generated", "`"+strings.Join(p.Faults, "`, `")+"`")
		if len(p.Inapplicable) == 0 {
			row("invariants not applicable", "none")
		} else {
			var na []string
			for _, x := range p.Inapplicable {
				na = append(na, fmt.Sprintf("%s (%s)", x.Invariant, x.Why))
			}
			row("invariants not applicable", strings.Join(na, "; "))
		}
		b.WriteString("\nSources:\n\n")
		for _, s := range p.Sources {
			fmt.Fprintf(&b, "- %s: %s\n", s.Rule, s.Ref)
		}
	}
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
