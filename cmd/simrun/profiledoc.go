package main

// profilesIntro opens docs/profiles.md; `simrun profiles --markdown` writes
// it, followed by each built-in profile.
const profilesIntro = `# Profiles

<!-- Generated from profile/builtin.go by ` + "`go run ./cmd/simrun profiles --markdown > docs/profiles.md`" + `; a test keeps them equal. -->

Every scheduler speaks a dialect. Where an interval's grid starts, whether a
restart remembers what was running, whether a late tick is caught up, what
"skip" is called: each differs between implementations in documented,
legitimate ways. A **profile** writes one implementation's dialect down, so
that schedsim judges it by its own rules and finds its bugs, not its
differences. The reference model (M1), the checkers and the generator all read
the same profile.

## Choosing a profile

- ` + "`simrun run --profile NAME`" + ` and ` + "`simrun check --profile NAME`" + ` judge (and, for check,
  generate) in that dialect. Under a profile other than schedsim, a
  scenario's expected starts, ticks, descriptions and timers (written in
  schedsim's dialect) are not compared: the invariants judge, at every
  expectation and at the end. A scenario the profile cannot run (a policy or
  fault kind it does not offer) is reported ` + "`N/A`" + ` with the reason, never as passed.
- A program under ` + "`--impl`" + ` declares its profile in its ` + "`init`" + ` reply
  (docs/protocol.md): ` + "`\"profile\": {\"name\": \"schedsim\", \"overlaps\": [...], \"catch_ups\": [...], \"faults\": [...]}`" + `,
  the lists narrowing the profile to what the program implements (empty: all).
  ` + "`--profile`" + ` must then name the same profile.
- In Go: ` + "`properties.Options{Profile: &p}`" + `, ` + "`scenarios.Options{Profile: &p}`" + `,
  ` + "`invariants.RunIn(p, world, cfg)`" + `.
- gocron and robfig/cron run in this process's goroutines, so they are checked
  by ` + "`go test`" + ` in their adapter modules (` + "`adapters/gocron`, `adapters/robfigcron`" + `),
  inside ` + "`testing/synctest`" + ` bubbles; ` + "`simrun`" + ` cannot drive them. docs/findings.md
  lists what they found.
- Temporal's schedule workflow runs in the Go SDK's test environment, which
  owns its clock: ` + "`adapters/temporal`" + ` (a module of its own) translates a
  scenario or a generated history into its spec, policies and signals, and
  judges what it started with ` + "`invariants.Judge(temporal-v1, history)`" + `:
  the checks of a history alone, minus the profile's inapplicable ones.

## The fields

| field | what it says | who reads it |
|---|---|---|
| overlap policies | the policies the implementation offers, in schedsim's names and its own | generator (draws only these), scenarios (N/A otherwise) |
| catch-up policies | the same for catch-up; "none" when the implementation has no notion of it | generator |
| catch-up window | whether a window can be set | generator |
| catch-up model | what happens to ticks missed while down or late | model |
| interval anchor | ` + "`operation`" + `: the create, update or resume instant; ` + "`operation-second`" + `: that instant truncated to the second; ` + "`epoch`" + `: the Unix epoch, whatever the operations (Temporal) | model, S6, C3, C4 |
| cron dialect, DST | how cron expressions are read, and what a DST change does | documentation (every built-in profile reads robfig's dialect) |
| cancel | what cancel_previous does, if offered | documentation |
| buffer | how many ticks wait while a run runs (buffer_one: one; buffer_all: every one, up to a bound) | model, S1, S6 |
| pause and update | what they do to the grid and to waiting ticks | model |
| re-registers on update and resume | the new registration does not see runs of the old one, so a skip may overlap them | model, S1 |
| allow_all runs untracked | a run started under allow_all is never counted as running by a later policy (Temporal tracks only the non-overlapping start) | S1, S2 |
| ticks before operations at one instant | a tick due at an operation's instant is handled before it (schedsim: operations first) | S5 |
| same instant | the order of closures, operations and ticks at one instant | adapters, documentation |
| durability | ` + "`event-log`" + `: a restart recovers everything; ` + "`none`" + `: a restart is the application registering its schedules again (grids re-anchored, running executions forgotten, downtime's ticks never started) | model, S1, S2, C1, S6, C3 |
| identity of a start | ` + "`nominal`" + `: a start names its tick; ` + "`start-instant`" + `: the scheduler names nothing, so a start is named by when it began (a delayed run is on no grid: S6 leaves it to M1) | model, S5, S6 |
| observed | what the harness can see of the implementation | documentation |
| fault kinds generated | the faults that make sense for it | generator, scenarios (N/A otherwise) |
| invariants not applicable | invariants that cannot judge this implementation at all, and why; reports list them as not applicable, never as passed | ` + "`invariants.RunIn`" + ` |

A profile without durability also makes S1, S2 and C1 not applicable in any
run that had a restart: a restart forgets the running executions, which go on.
`
