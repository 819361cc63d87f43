package evaluator

import (
	"math"
	"math/bits"
	"time"

	"github.com/robfig/cron/v3"
)

// calendar computes a cron's ticks by the wall-clock rule of docs/semantics.md:
// a cron fires at every instant whose wall-clock reading in its zone matches
// the expression.
//
// It does not walk. Between two changes of the zone's UTC offset the wall
// clock is the instant plus a constant, so within such a segment the first
// match is a search in a plain calendar, done field by field with bit
// arithmetic on the parsed expression (robfig's SpecSchedule bit sets). When
// the segment ends first, the search goes on in the next one. A spring-forward
// gap is thus never read, and a fall-back hour is read twice, once per offset.
//
// robfig's own Next walks field by field, adding hours and minutes as
// durations: it is several times slower, and wrong in zones whose clocks
// change at midnight or by 30 minutes (docs/findings.md, robfig-1).
type calendar struct {
	sec, min, hour, dom, month, dow uint64
	domStar, dowStar                bool
	loc                             *time.Location
	utc                             bool // one segment for ever
}

// segment is a span of instants [start, end) (Unix seconds) with one UTC offset.
type segment struct {
	start, end int64
	off        int64 // seconds east of UTC
}

// starBit is robfig's mark of a field written as * or ?.
const starBit = 1 << 63

// yearsAhead bounds the search: a cron with no tick in the five calendar years
// after the query has none (robfig's limit too).
const yearsAhead = 5

func newCalendar(s *cron.SpecSchedule, loc *time.Location) *calendar {
	const sixty, day = 1<<60 - 1, 1<<24 - 1
	return &calendar{sec: s.Second & sixty, min: s.Minute & sixty, hour: s.Hour & day,
		dom: s.Dom &^ starBit, month: s.Month &^ starBit, dow: s.Dow &^ starBit,
		domStar: s.Dom&starBit != 0, dowStar: s.Dow&starBit != 0, loc: loc, utc: loc == time.UTC}
}

// next returns the first tick strictly after `after`, in UTC, or the zero
// time when there is none within yearsAhead calendar years.
func (c *calendar) next(after time.Time) time.Time {
	u := after.Unix() + 1 // the next whole second strictly after
	seg := c.segmentOf(u)
	limit := civilYear(floorDiv(u+seg.off, 86400)) + yearsAhead
	for {
		wallEnd := int64(math.MaxInt64)
		if seg.end != math.MaxInt64 {
			wallEnd = seg.end + seg.off
		}
		w, found, never := c.nextWall(u+seg.off, wallEnd, limit)
		switch {
		case found:
			return time.Unix(w-seg.off, 0).UTC()
		case never || seg.end == math.MaxInt64:
			return time.Time{}
		}
		u = seg.end
		seg = c.segmentOf(u)
	}
}

// segmentOf returns the offset segment holding instant u.
func (c *calendar) segmentOf(u int64) segment {
	s := segment{start: math.MinInt64, end: math.MaxInt64}
	if c.utc {
		return s
	}
	t := time.Unix(u, 0).In(c.loc)
	_, off := t.Zone()
	s.off = int64(off)
	if from, until := t.ZoneBounds(); !from.IsZero() || !until.IsZero() {
		if !from.IsZero() {
			s.start = from.Unix()
		}
		if !until.IsZero() {
			s.end = until.Unix()
		}
	}
	if s.end <= u || s.start > u {
		// Go's ZoneBounds can end a zone before the instant asked about: in
		// the last UTC day of a leap year served by the zone's TZ rule
		// (golang/go#81583). Find the end by probing instead.
		s.start, s.end = u, c.changeAfter(u, s.off)
	}
	return s
}

// changeAfter returns the first instant after u whose offset is not off, or
// an instant two days on when there is none by then. It probes hourly, then
// bisects: no zone changes its offset twice within an hour.
func (c *calendar) changeAfter(u, off int64) int64 {
	offAt := func(v int64) int64 {
		_, o := time.Unix(v, 0).In(c.loc).Zone()
		return int64(o)
	}
	lo := u
	for lo-u < 2*86400 {
		hi := lo + 3600
		if offAt(hi) == off {
			lo = hi
			continue
		}
		for hi-lo > 1 { // offAt(lo) == off, offAt(hi) != off
			if mid := lo + (hi-lo)/2; offAt(mid) == off {
				lo = mid
			} else {
				hi = mid
			}
		}
		return hi
	}
	return lo
}

// nextWall returns the first matching wall-clock second in [w, end) of a plain
// calendar (seconds since 1970-01-01T00:00 wall time). never: the search
// passed the limit year.
func (c *calendar) nextWall(w, end int64, limit int) (at int64, found, never bool) {
	for w < end {
		days := floorDiv(w, 86400)
		sod := w - days*86400
		y, m, d := civil(days)
		if y > limit {
			return 0, false, true
		}
		if c.month&(1<<m) == 0 {
			if m++; m == 13 {
				y, m = y+1, 1
			}
			w = daysFromCivil(y, m, 1) * 86400
			continue
		}
		if !c.dayMatches(d, int(floorMod(days+4, 7))) { // 1970-01-01 was a Thursday
			w = (days + 1) * 86400
			continue
		}
		tod := c.timeOfDay(sod)
		if tod < 0 {
			w = (days + 1) * 86400
			continue
		}
		if w = days*86400 + tod; w < end {
			return w, true, false
		}
	}
	return 0, false, false
}

// timeOfDay returns the first matching second of the day at or after sod,
// or -1.
func (c *calendar) timeOfDay(sod int64) int64 {
	h, mi, s := sod/3600, sod/60%60, sod%60
	for h < 24 {
		nh := nextBit(c.hour, h)
		if nh < 0 {
			return -1
		}
		if nh > h {
			h, mi, s = nh, 0, 0
		}
		nm := nextBit(c.min, mi)
		if nm < 0 {
			h, mi, s = h+1, 0, 0
			continue
		}
		if nm > mi {
			mi, s = nm, 0
		}
		if ns := nextBit(c.sec, s); ns >= 0 {
			return h*3600 + mi*60 + ns
		}
		if mi, s = mi+1, 0; mi == 60 {
			h, mi = h+1, 0
		}
	}
	return -1
}

// dayMatches: with either day field * (or ?) both must match, else either
// (robfig's rule, and Vixie cron's).
func (c *calendar) dayMatches(day, weekday int) bool {
	dom, dow := c.dom&(1<<day) != 0, c.dow&(1<<weekday) != 0
	if c.domStar || c.dowStar {
		return dom && dow
	}
	return dom || dow
}

// nextBit returns the first set bit of set at or after from, or -1.
func nextBit(set uint64, from int64) int64 {
	if rest := set >> uint(from); rest != 0 {
		return from + int64(bits.TrailingZeros64(rest))
	}
	return -1
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// civil converts days since 1970-01-01 to a proleptic Gregorian date (Howard
// Hinnant's days_from_civil, inverted).
func civil(days int64) (year int, month int, day int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

func civilYear(days int64) int {
	y, _, _ := civil(days)
	return y
}

// daysFromCivil converts a proleptic Gregorian date to days since 1970-01-01.
func daysFromCivil(year, month, day int) int64 {
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	m := int64(month)
	if m > 2 {
		m -= 3
	} else {
		m += 9
	}
	doy := (153*m+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
