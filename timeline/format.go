package timeline

import (
	"fmt"
	"strings"
	"time"
)

// offsetText writes an offset as the scenarios do, units of zero left
// out: "+0", "+90s" is "+1m30s", "+2d23h50m10s", "+500ms". A day is 24 hours.
func offsetText(ms int64) string {
	sign := "+"
	if ms < 0 {
		sign, ms = "-", -ms
	}
	if ms == 0 {
		return "+0"
	}
	var b strings.Builder
	b.WriteString(sign)
	for _, u := range []struct {
		ms   int64
		name string
	}{{86_400_000, "d"}, {3_600_000, "h"}, {60_000, "m"}} {
		if n := ms / u.ms; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			ms %= u.ms
		}
	}
	switch {
	case ms >= 1000:
		b.WriteString((time.Duration(ms) * time.Millisecond).String()) // "10s", "1.5s"
	case ms > 0:
		fmt.Fprintf(&b, "%dms", ms)
	}
	return b.String()
}

// utc is the instant at an offset, in UTC.
func (t *Timeline) utc(ms int64) string {
	return t.Start.Add(time.Duration(ms) * time.Millisecond).UTC().Format(time.RFC3339Nano)
}

// when is an offset with its instant: "+1h (2026-06-07T01:00:00Z)".
func (t *Timeline) when(ms int64) string { return offsetText(ms) + " (" + t.utc(ms) + ")" }

// offsetOnly is an offset for tooltips that already give one instant.
func (t *Timeline) offsetOnly(ms int64) string { return offsetText(ms) }

// zoneOffset writes seconds east of UTC as ±hh:mm.
func zoneOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d:%02d", sign, sec/3600, sec%3600/60)
}
