#!/usr/bin/env python3
"""A schedule evaluator in Python, speaking schedsim's process protocol.

It implements the semantics of docs/semantics.md from scratch,
with the standard library only, to show that docs/protocol.md is enough for a
program in any language to be checked by schedsim:

    go run ./cmd/simrun run --impl 'python3 examples/python/evaluator.py' scenarios/library
    go run ./cmd/simrun check --impl 'python3 examples/python/evaluator.py' --seeds 200

It keeps nothing durable: timers, the workflow engine and the event log are
seam calls answered by the harness, which can kill this process at any call.
The events it appends are schedsim's event format (evaluator.Event), so the
harness can project its log; times are integers of nanoseconds since the Unix
epoch (None for "no time"), as the harness's times carry nanoseconds.
"""

import json
import re
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

NS = 1_000_000_000
MAX_UPCOMING = 1000
DEFAULT_RETRY_DELAY = 10 * NS
MAX_I64 = (1 << 63) - 1


# ---------------------------------------------------------------- errors

class Refusal(Exception):
    """A request refused with a protocol error code (invalid, exists, ...)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class SeamFailure(Exception):
    """A seam call the harness answered with an error (definite or indefinite)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def invalid(msg):
    return Refusal("invalid", msg)


def corrupt(e, msg):
    return Refusal("unavailable", 'corrupt event log: schedule "%s" seq %d (%s): %s'
                   % (e["schedule_id"], e["seq"], e["type"], msg))


def seam_error(seam, sid, err):
    where = 'schedule "%s": ' % sid if sid else ""
    return Refusal("unavailable", "%s%s: %s" % (where, seam, err))


def joined(errors):
    return Refusal("unavailable", "\n".join(str(e) for e in errors))


# ---------------------------------------------------------------- times

TIME_RE = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")
ZERO_TIME = "0001-01-01T00:00:00Z"


def days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def parse_time(s):
    """RFC 3339 → nanoseconds since the epoch; Go's zero time → None."""
    if s is None or s == ZERO_TIME:
        return None
    m = TIME_RE.match(s)
    if not m:
        raise invalid("invalid request: bad time %r" % s)
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    frac = (m.group(7) or "").ljust(9, "0")
    t = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * NS) + int(frac)
    zone = m.group(8)
    if zone != "Z":
        off = (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60) * NS
        t = t - off if zone[0] == "+" else t + off
    return t


def fmt_time(t):
    """Nanoseconds → RFC 3339 in UTC with trailing zeros trimmed (Go's RFC3339Nano)."""
    if t is None:
        return ZERO_TIME
    sec, ns = divmod(t, NS)
    days, rem = divmod(sec, 86400)
    y, mo, d = civil_from_days(days)
    out = "%04d-%02d-%02dT%02d:%02d:%02d" % (y, mo, d, rem // 3600, rem // 60 % 60, rem % 60)
    if ns:
        out += "." + ("%09d" % ns).rstrip("0")
    return out + "Z"


UNITS = {"ns": 1, "us": 1000, "\u00b5s": 1000, "\u03bcs": 1000, "ms": 10 ** 6, "s": NS, "m": 60 * NS, "h": 3600 * NS}


def parse_duration(orig):
    """Go's time.ParseDuration, to the nanosecond and with its limits."""
    bad = ValueError('time: invalid duration "%s"' % orig)
    s, neg, d = orig, False, 0
    if s and s[0] in "+-":
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise bad
    while s:
        if not (s[0] == "." or s[0].isdigit() and s[0].isascii()):
            raise bad
        i = 0
        while i < len(s) and "0" <= s[i] <= "9":
            i += 1
        pre, v, s = i > 0, int(s[:i] or "0"), s[i:]
        if v > 1 << 63:
            raise bad
        f, scale, post = 0, 1.0, False
        if s and s[0] == ".":
            s = s[1:]
            i, overflow = 0, False
            while i < len(s) and "0" <= s[i] <= "9":
                if not overflow:
                    y = f * 10 + int(s[i])
                    if f > MAX_I64 // 10 or y > 1 << 63:
                        overflow = True
                    else:
                        f, scale = y, scale * 10
                i += 1
            post, s = i > 0, s[i:]
        if not pre and not post:
            raise bad
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise ValueError('time: missing unit in duration "%s"' % orig)
        unit, s = s[:i], s[i:]
        if unit not in UNITS:
            raise ValueError('time: unknown unit "%s" in duration "%s"' % (unit, orig))
        mult = UNITS[unit]
        if v > (1 << 63) // mult:
            raise bad
        v *= mult
        if f > 0:
            v += int(float(f) * (float(mult) / scale))
            if v > 1 << 63:
                raise bad
        d += v
        if d > 1 << 63:
            raise bad
    if neg:
        return -d
    if d > MAX_I64:
        raise bad
    return d


# ---------------------------------------------------------------- zones and cron

class Zone:
    """A time zone: the UTC offset and the wall-clock fields of an instant."""

    def __init__(self, name):
        self.zi = None if name in ("", "UTC") else ZoneInfo(name)

    def offset(self, u):
        if self.zi is None:
            return 0
        return int(datetime.fromtimestamp(u, self.zi).utcoffset().total_seconds())

    def fields(self, u):
        """(year, month, day, hour, minute, second, weekday) of instant u (seconds)."""
        days, rem = divmod(u + self.offset(u), 86400)
        y, mo, d = civil_from_days(days)
        return y, mo, d, rem // 3600, rem // 60 % 60, rem % 60, (days + 4) % 7


STAR = 1 << 63
BOUNDS = {
    "second": (0, 59, None), "minute": (0, 59, None), "hour": (0, 23, None), "dom": (1, 31, None),
    "month": (1, 12, {n: i + 1 for i, n in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}),
    "dow": (0, 6, {n: i for i, n in enumerate("sun mon tue wed thu fri sat".split())}),
}
FIELDS = ["second", "minute", "hour", "dom", "month", "dow"]
INT_RE = re.compile(r"^[+-]?[0-9]+$")


def all_bits(name):
    lo, hi, _ = BOUNDS[name]
    return bits(lo, hi, 1) | STAR


def bits(lo, hi, step):
    return sum(1 << i for i in range(lo, hi + 1, step))


DESCRIPTORS = {
    "@yearly": dict(second=1, minute=1, hour=1, dom=2, month=2, dow=all_bits("dow")),
    "@monthly": dict(second=1, minute=1, hour=1, dom=2, month=all_bits("month"), dow=all_bits("dow")),
    "@weekly": dict(second=1, minute=1, hour=1, dom=all_bits("dom"), month=all_bits("month"), dow=1),
    "@daily": dict(second=1, minute=1, hour=1, dom=all_bits("dom"), month=all_bits("month"), dow=all_bits("dow")),
    "@hourly": dict(second=1, minute=1, hour=all_bits("hour"), dom=all_bits("dom"), month=all_bits("month"),
                    dow=all_bits("dow")),
}
DESCRIPTORS["@annually"] = DESCRIPTORS["@yearly"]
DESCRIPTORS["@midnight"] = DESCRIPTORS["@daily"]


def parse_int(expr, names):
    if names and expr.lower() in names:
        return names[expr.lower()]
    if not INT_RE.match(expr) or abs(int(expr)) > MAX_I64:
        raise ValueError("failed to parse int from %s" % expr)
    n = int(expr)
    if n < 0:
        raise ValueError("negative number (%d) not allowed: %s" % (n, expr))
    return n


def parse_range(expr, name):
    lo, hi, names = BOUNDS[name]
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    extra = 0
    if low_and_high[0] in ("*", "?"):
        start, end, extra = lo, hi, STAR
    else:
        start = parse_int(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = parse_int(low_and_high[1], names)
        else:
            raise ValueError("too many hyphens: %s" % expr)
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = parse_int(range_and_step[1], None)
        if len(low_and_high) == 1:
            end = hi
        if step > 1:
            extra = 0
    else:
        raise ValueError("too many slashes: %s" % expr)
    if start < lo:
        raise ValueError("beginning of range (%d) below minimum (%d): %s" % (start, lo, expr))
    if end > hi:
        raise ValueError("end of range (%d) above maximum (%d): %s" % (end, hi, expr))
    if start > end:
        raise ValueError("beginning of range (%d) beyond end of range (%d): %s" % (start, end, expr))
    if step == 0:
        raise ValueError("step of range should be a positive number: %s" % expr)
    return bits(start, end, step) | extra


def parse_cron(expr):
    """robfig/cron's parser with SecondOptional and descriptors: field → bit set."""
    if expr.startswith("@"):
        if expr not in DESCRIPTORS:
            raise ValueError("unrecognized descriptor: %s" % expr)
        return dict(DESCRIPTORS[expr])
    fields = expr.split()
    if len(fields) not in (5, 6):
        raise ValueError("expected 5 to 6 fields, found %d: [%s]" % (len(fields), " ".join(fields)))
    if len(fields) == 5:
        fields = ["0"] + fields
    spec = {}
    for name, field in zip(FIELDS, fields):
        spec[name] = 0
        for part in (p for p in field.split(",") if p):
            spec[name] |= parse_range(part, name)
    return spec


def cron_next(spec, zone, after):
    """The first tick strictly after `after` by the wall-clock rule of
    docs/semantics.md: an instant is a tick when its wall-clock reading in the
    zone matches the expression. While the UTC offset stays the same, the wall
    clock is the instant plus a constant, so the first match is a search in a
    plain calendar (next_wall); when the offset changes before that match, the
    search starts again where it changed. after and the result are
    nanoseconds; None: none within five years."""
    u = after // NS + 1
    off = zone.offset(u)
    year_limit = civil_from_days((u + off) // 86400)[0] + 5
    while True:
        w = next_wall(spec, u + off, year_limit)
        if w is None:
            return None
        change = offset_change(zone, u, off, w - off)
        if change is None:
            return (w - off) * NS
        u, off = change, zone.offset(change)


def offset_change(zone, u, off, until):
    """The first instant in (u, until] whose offset is not off, or None. It
    probes hourly, then daily, and bisects: offsets change weeks apart."""
    if zone.zi is None:
        return None
    t, step = u, 3600
    while t < until:
        nt = min(t + step, until)
        if zone.offset(nt) != off:
            lo, hi = t, nt
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if zone.offset(mid) == off else (lo, mid)
            return hi
        t, step = nt, min(step * 2, 86400)
    return None


def next_wall(spec, w, year_limit):
    """The first matching wall-clock second at or after w (seconds since
    1970-01-01T00:00 wall time), or None past year_limit."""
    while True:
        days, sod = divmod(w, 86400)
        y, mo, d = civil_from_days(days)
        if y > year_limit:
            return None
        if not (1 << mo) & spec["month"]:
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
            w = days_from_civil(y, mo, 1) * 86400
            continue
        if not day_matches(spec, d, (days + 4) % 7):  # 1970-01-01 was a Thursday
            w = (days + 1) * 86400
            continue
        tod = time_of_day(spec, sod)
        if tod is None:
            w = (days + 1) * 86400
            continue
        return days * 86400 + tod


def next_bit(set_, v, hi):
    """The first value >= v in set_ (up to hi), or None."""
    while v <= hi:
        if (1 << v) & set_:
            return v
        v += 1
    return None


def time_of_day(spec, sod):
    """The first matching second of the day at or after sod, or None."""
    h, mi, s = sod // 3600, sod // 60 % 60, sod % 60
    while h < 24:
        nh = next_bit(spec["hour"], h, 23)
        if nh is None:
            return None
        if nh > h:
            h, mi, s = nh, 0, 0
        nm = next_bit(spec["minute"], mi, 59)
        if nm is None:
            h, mi, s = h + 1, 0, 0
            continue
        if nm > mi:
            mi, s = nm, 0
        ns = next_bit(spec["second"], s, 59)
        if ns is not None:
            return h * 3600 + mi * 60 + ns
        mi, s = mi + 1, 0
        if mi == 60:
            h, mi = h + 1, 0
    return None


def day_matches(spec, d, wd):
    dom, dow = (1 << d) & spec["dom"] != 0, (1 << wd) & spec["dow"] != 0
    if spec["dom"] & STAR or spec["dow"] & STAR:
        return dom and dow
    return dom or dow


# ---------------------------------------------------------------- triggers

class Trigger:
    """A parsed trigger: a cron spec in a zone, or an interval (ns)."""

    def __init__(self, spec=None, zone=None, interval=0):
        self.spec, self.zone, self.interval = spec, zone, interval

    def grid(self, reference):
        return Grid(self, reference)


def parse_trigger(spec):
    """Validates a trigger spec; raises Refusal("invalid") naming the problem."""
    def bad(kind, msg):
        return Refusal("invalid", "config.trigger: %s: %s" % (kind, msg))

    expr = (spec.get("cron") or "").strip()
    zone_name = spec.get("timezone") or ""
    try:
        period = parse_duration(spec["interval"]) if spec.get("interval") else 0
    except (ValueError, TypeError) as e:
        raise bad("invalid trigger", "interval: %s" % e)
    if period != 0:
        if expr:
            raise bad("invalid trigger", "both cron and interval are set")
        if zone_name:
            raise bad("invalid trigger", "a timezone applies to cron triggers only")
        return new_interval(period, bad)
    if not expr:
        raise bad("invalid trigger", "neither cron nor interval is set")
    for prefix in ("CRON_TZ=", "TZ="):
        if expr.startswith(prefix):
            name, _, rest = expr[len(prefix):].partition(" ")
            if zone_name:
                raise bad("invalid trigger", 'time zone given twice (timezone "%s" and prefix "%s")' % (zone_name, name))
            rest = rest.strip()
            if not rest:
                raise bad("invalid trigger", "nothing follows the time zone prefix")
            zone_name, expr = name, rest
            break
    if expr.startswith("@every"):
        if zone_name:
            raise bad("invalid trigger", "a time zone does not apply to @every")
        try:
            period = parse_duration(expr[len("@every"):].strip())
        except ValueError as e:
            raise bad("invalid trigger", "@every: %s" % e)
        return new_interval(period, bad)
    if zone_name == "Local":
        raise bad("unknown time zone", '"Local" is the machine\'s zone; name an IANA zone')
    try:
        zone = Zone(zone_name)
    except (ValueError, OSError, KeyError) as e:  # zoneinfo's ZoneInfoNotFoundError is a KeyError
        raise bad("unknown time zone", '"%s": %s' % (zone_name, e))
    try:
        cron = parse_cron(expr)
    except ValueError as e:
        raise bad("invalid trigger", '"%s": %s' % (expr, e))
    # robfig gives up after five years; a cron has no year field, so that means never.
    if cron_next(cron, zone, parse_time("2000-01-01T00:00:00Z")) is None:
        raise bad("trigger never fires", '"%s" matches no date' % expr)
    return Trigger(spec=cron, zone=zone)


def new_interval(period, bad):
    if period <= 0:
        raise bad("invalid trigger", "interval must be positive, got %dns" % period)
    return Trigger(interval=period)


class Grid:
    """A trigger's ticks: every cron match, or reference + k·interval, k ≥ 1."""

    def __init__(self, trigger, reference):
        self.t, self.ref = trigger, reference

    def next(self, after):
        """The first tick strictly after `after`, or None."""
        t = self.t
        if t is None:
            return None
        if t.spec is not None:
            return cron_next(t.spec, t.zone, after)
        p, first = t.interval, self.ref + t.interval
        if after < first:
            return first
        d = min(after - self.ref, MAX_I64)  # Go's Sub saturates
        k = d // p + 1
        if k > MAX_I64 // p:
            return None
        nxt = self.ref + k * p
        return nxt if nxt > after else None

    def count_in(self, frm, until):
        """The number of ticks in [frm, until)."""
        if self.t is None or frm >= until:
            return 0
        first = self.next(frm - 1)
        if self.t.spec is None:
            if first is None or first >= until:
                return 0
            return (min(until - first, MAX_I64) - 1) // self.t.interval + 1
        n, t = 0, first
        while t is not None and t < until:
            n, t = n + 1, self.next(t)
        return n


# ---------------------------------------------------------------- configuration

OVERLAP = ("skip", "buffer_one", "cancel_previous", "allow_all", "terminate_previous")
CATCH_UP = ("all", "one", "skip")
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")


def compile_config(c):
    """Validates a config; returns (trigger, window ns or 0, canonical copy)."""
    if not isinstance(c, dict):
        raise invalid("invalid request: config is not an object")
    trig = parse_trigger(c.get("trigger") or {})
    if c.get("overlap") not in OVERLAP:
        raise invalid("config.overlap: invalid config: policy %s" % c.get("overlap"))
    if c.get("catch_up") not in CATCH_UP:
        raise invalid("config.catch_up: invalid config: policy %s" % c.get("catch_up"))
    window = 0
    if c.get("catch_up_window") is not None:
        try:
            window = parse_duration(c["catch_up_window"])
        except (ValueError, TypeError) as e:
            raise invalid("config.catch_up_window: invalid config: %s" % e)
        if window <= 0:
            raise invalid("config.catch_up_window: invalid config: must be positive, got %s" % c["catch_up_window"])
    if not c.get("workflow_type"):
        raise invalid("config.workflow_type: invalid config: empty")
    return trig, window, json.loads(json.dumps(c))


def valid_id(field, value):
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        raise invalid("invalid request: %s %s must be 1-200 characters of letters, digits, '.', '_', ':', '-', "
                      "starting with a letter or digit" % (field, json.dumps(value)))


def workflow_id(sid, nominal):
    return "%s@%s" % (sid, fmt_time(nominal))


def timer_id(sid):
    return "schedule:" + sid


# ---------------------------------------------------------------- events and state

START, SKIP, BUFFER, MISS = "start", "skip", "buffer", "miss"
NO_EXECUTION = ("", "")


def event_to_json(e):
    out = {"seq": e["seq"], "type": e["type"], "schedule_id": e["schedule_id"], "at": fmt_time(e["at"])}
    for k in ("request_id", "cause"):
        if e.get(k):
            out[k] = e[k]
    for k in ("nominal", "next"):
        if e.get(k) is not None:
            out[k] = fmt_time(e[k])
    if e.get("config") is not None:
        out["config"] = e["config"]
    x = e.get("execution", NO_EXECUTION)
    if x != NO_EXECUTION:
        out["execution"] = execution_json(x)
    if e.get("ranges"):
        out["ranges"] = [range_to_json(r) for r in e["ranges"]]
    return out


def event_from_json(d):
    x = d.get("execution") or {}
    return {"seq": d.get("seq", 0), "type": d.get("type", ""), "schedule_id": d.get("schedule_id", ""),
            "request_id": d.get("request_id", ""), "at": parse_time(d.get("at")),
            "nominal": parse_time(d.get("nominal")), "next": parse_time(d.get("next")), "cause": d.get("cause", ""),
            "config": d.get("config"), "execution": (x.get("workflow_id", ""), x.get("run_id", "")),
            "ranges": [range_from_json(r) for r in d.get("ranges") or []]}


def range_to_json(r):
    out = {"disposition": r[0], "from": fmt_time(r[1]), "until": fmt_time(r[2])}
    if r[3]:
        out["count"] = r[3]
    return out


def range_from_json(d):
    return [d["disposition"], parse_time(d["from"]), parse_time(d["until"]), d.get("count", 0)]


class State:
    """A schedule's state: a projection of its events, and nothing else."""

    def __init__(self, sid):
        self.id, self.version, self.config, self.trigger, self.window = sid, 0, None, None, 0
        self.paused = self.deleted = False
        self.reference = self.next = self.buffered = self.last_triggered = None
        self.running = []  # [execution, nominal, cancel_requested]
        self.pending = []  # owed start ranges, oldest first: [disposition, from, until, count]
        self.counters = {"started": 0, "skipped": 0, "buffered": 0, "dropped": 0, "missed_ranges": 0}
        self.last_request_id, self.last_request_op = "", ""

    def active(self):
        return not self.paused and not self.deleted

    def grid(self):
        return Grid(self.trigger, self.reference) if self.trigger else Grid(None, None)

    def running_index(self, x):
        for i, r in enumerate(self.running):
            if r[0] == x:
                return i
        return -1

    def apply(self, e):
        if e["seq"] <= self.version:
            return  # already applied: a duplicated event is harmless
        if e["seq"] != self.version + 1 or e["schedule_id"] != self.id:
            raise corrupt(e, 'expected seq %d of schedule "%s"' % (self.version + 1, self.id))
        if self.deleted:
            raise corrupt(e, "schedule is deleted")
        if (e["type"] == "created") != (self.version == 0):
            raise corrupt(e, "created must be the first event, and only the first")
        self.change(e)
        self.version = e["seq"]

    def change(self, e):
        typ = e["type"]
        if typ in ("created", "updated"):
            if e.get("config") is None:
                raise corrupt(e, "no config")
            try:
                self.trigger, self.window, self.config = compile_config(e["config"])
            except Refusal as err:
                raise corrupt(e, str(err))
            self.reference, self.next = e["at"], e.get("next")
        elif typ == "paused":
            self.paused = True
        elif typ == "resumed":
            self.paused, self.reference, self.next = False, e["at"], e.get("next")
        elif typ == "deleted":
            self.deleted, self.buffered, self.pending = True, None, []
        elif typ == "skipped":
            self.counters["skipped"] += 1
            self.next = e.get("next")
        elif typ == "buffered":
            self.counters["buffered"] += 1
            self.buffered, self.next = e.get("nominal"), e.get("next")
        elif typ == "catch_up_decided":
            for r in e.get("ranges") or []:
                if r[0] == START:
                    self.pending.append(list(r))
                elif r[0] == SKIP:
                    self.counters["skipped"] += 1
                elif r[0] == BUFFER:
                    self.counters["buffered"] += 1
                    self.buffered = r[1]
                elif r[0] == MISS:
                    self.counters["missed_ranges"] += 1
                else:
                    raise corrupt(e, "range disposition %s" % r[0])
            self.next = e.get("next")
        elif typ == "triggered":
            self.triggered(e)
        elif typ == "dropped":
            if e.get("nominal") is not None:
                if e["nominal"] != self.buffered:
                    raise corrupt(e, "drops %s but the buffered tick is %s" % (stamp(e["nominal"]), stamp(self.buffered)))
                self.buffered = None
                self.counters["dropped"] += 1
            for r in e.get("ranges") or []:
                self.counters["dropped"] += r[3]
            if e.get("ranges"):
                self.pending = []
        elif typ in ("cancel_requested", "execution_closed"):
            x = e.get("execution", NO_EXECUTION)
            if x == NO_EXECUTION:
                raise corrupt(e, "no execution")
            i = self.running_index(x)
            if i < 0:
                raise corrupt(e, "execution %s is not running" % x[0])
            if typ == "cancel_requested":
                self.running[i][2] = True
            else:
                del self.running[i]
        else:
            raise corrupt(e, "unknown type")
        if e.get("request_id") and typ != "dropped":
            self.last_request_id, self.last_request_op = e["request_id"], typ

    def triggered(self, e):
        x, nominal, cause = e.get("execution", NO_EXECUTION), e.get("nominal"), e.get("cause")
        if x == NO_EXECUTION:
            raise corrupt(e, "no execution")
        if cause in ("tick", "adopt"):
            if nominal != self.next:
                raise corrupt(e, "tick %s is not the next tick %s" % (stamp(nominal), stamp(self.next)))
            self.next = e.get("next")
        elif cause == "catch_up":
            p = self.pending[0] if self.pending else None
            if p is None or nominal is None or nominal < p[1] or nominal >= p[2]:
                raise corrupt(e, "tick %s is not owed" % stamp(nominal))
            p[1], p[3] = nominal + 1, p[3] - 1  # [nominal+1ns, until) holds the ticks still owed
            if p[3] <= 0:
                del self.pending[0]
        elif cause == "buffer":
            if nominal != self.buffered:
                raise corrupt(e, "tick %s is not the buffered tick" % stamp(nominal))
            self.buffered = None
        else:
            raise corrupt(e, 'cause "%s"' % cause)
        self.running.append([x, nominal, False])
        self.counters["started"] += 1
        if self.last_triggered is None or nominal > self.last_triggered:
            self.last_triggered = nominal


def stamp(t):
    return "none" if t is None else fmt_time(t)


def project(events):
    """Folds events into states; returns the states sorted by id and the
    errors of the schedules whose events do not apply."""
    states, broken = {}, {}
    for e in events:
        sid = e["schedule_id"]
        if sid in broken:
            continue
        st = states.setdefault(sid, State(sid))
        try:
            st.apply(e)
        except Refusal as err:
            broken[sid] = err
            del states[sid]
    return [states[k] for k in sorted(states) if states[k].version > 0], broken


# ---------------------------------------------------------------- deciding a delivery

def overlap_disposition(policy, running, buffered):
    if not running:
        return START
    if policy == "buffer_one":
        return SKIP if buffered else BUFFER
    if policy in ("cancel_previous", "allow_all", "terminate_previous"):
        return START
    return SKIP


class PlanBuilder:
    def __init__(self, grid, policy, running, buffered):
        self.grid, self.policy, self.running, self.buffered, self.ranges = grid, policy, running, buffered, []

    def tick(self, at, until):
        """Decides one tick against the simulated running set."""
        d, n = overlap_disposition(self.policy, self.running, self.buffered), 0
        if d == START:
            self.running, n = True, 1
        elif d == BUFFER:
            self.buffered = True
        self.add(d, at, until, n)

    def stream(self, frm, end):
        """Decides every tick of [frm, end): after at most two ticks the
        disposition cannot change, so the rest is one range."""
        while frm < end:
            if self.running and (self.policy != "buffer_one" or self.buffered):
                d = overlap_disposition(self.policy, True, self.buffered)
                self.add(d, frm, end, self.grid.count_in(frm, end) if d == START else 0)
                return
            s = clip(self.grid.next(frm), end)
            self.tick(frm, s)
            frm = s

    def add(self, d, frm, until, n):
        if frm >= until:
            return
        if self.ranges and self.ranges[-1][0] == d and self.ranges[-1][2] == frm:
            self.ranges[-1][2] = until
            self.ranges[-1][3] += n
            return
        self.ranges.append([d, frm, until, n])


def clip(t, end):
    return end if t is None or t > end else t


def or_end(nxt, last):
    return last + 1 if nxt is None else nxt


def plan_delivery(grid, nxt, now, overlap, catch_up, window, running, buffered):
    """The late-tick rule, the window, the catch-up and overlap policies:
    returns (ranges, new next, late)."""
    b = PlanBuilder(grid, overlap, running, buffered)
    second = grid.next(nxt)
    if second is None or second > now:
        # A lone due tick is handled normally, even a little late; only the window applies.
        until = or_end(second, nxt)
        if window > 0 and nxt < now - window:
            b.add(MISS, nxt, until, 0)
        else:
            b.tick(nxt, until)
        return b.ranges, second, False
    new_next = grid.next(now)
    end = or_end(new_next, now)
    on_time = grid.next(now - 1) == now
    late_end = now if on_time else end
    frm = nxt
    if window > 0 and frm < now - window:
        w = clip(grid.next(now - window - 1), late_end)
        b.add(MISS, frm, w, 0)
        frm = w
    if frm < late_end:
        if catch_up == "all":
            b.stream(frm, late_end)
        elif catch_up == "one":
            s = clip(grid.next(frm), late_end)
            b.tick(frm, s)
            b.add(MISS, s, late_end, 0)
        else:
            b.add(MISS, frm, late_end, 0)
    if on_time:
        b.tick(now, end)
    return b.ranges, new_next, True


# ---------------------------------------------------------------- the evaluator

class Entry:
    """A schedule's live state and the volatile flags beside it."""

    def __init__(self, sid, st=None, broken=None):
        self.id, self.st, self.broken = sid, st, broken
        self.stale = False    # an append failed and may have been durable: reload first
        self.refresh = False  # an adopted execution may have closed unseen: ask the engine
        self.unsure = False   # a start failed and may have happened: adopt before deciding


class Evaluator:
    def __init__(self, link, now, retry_delay):
        self.link, self.now, self.retry_delay = link, now, retry_delay
        self.schedules, self.recovered = {}, False

    # -- seams

    def call(self, sid, seam, **fields):
        try:
            return self.link.call(seam, fields)
        except SeamFailure as f:
            raise seam_error(seam, sid, f)

    def arm(self, en):
        st = en.st
        if st is None or not st.active() or st.next is None:
            self.call(en.id, "timers.disarm", timer_id=timer_id(en.id))
        else:
            self.arm_at(en, st.next)

    def arm_at(self, en, at):
        self.call(en.id, "timers.arm", timer={"id": timer_id(en.id), "schedule_id": en.id, "at": fmt_time(at)})

    def arm_retry(self, en, cause):
        """Arms the retry of a failed owed start, then re-raises its error."""
        at = self.now + self.retry_delay
        st = en.st
        if st is not None and st.next is not None and self.now < st.next < at:
            at = st.next
        try:
            self.arm_at(en, at)
        except Refusal as err:
            raise joined([cause, err])
        raise cause

    # -- the log

    def lookup(self, sid, create):
        if not self.recovered:
            raise Refusal("not_recovered", "evaluator not recovered")
        en = self.schedules.get(sid)
        if en is None and create:
            en = self.schedules[sid] = Entry(sid)
        return en

    def lock(self, en):
        if en.broken is not None:
            raise en.broken
        if en.stale:
            self.reload(en)

    def read(self, sid):
        """The whole log. This program writes no snapshots (the features of
        its hello say so), so a log that holds one is not its own."""
        res = self.call(sid, "log.read")
        if res.get("snapshot"):
            raise Refusal("unavailable", "log.read: the log holds a snapshot, and this program writes none")
        return [event_from_json(d) for d in res.get("events") or []]

    def reload(self, en):
        states, broken = project(self.read(en.id))
        if en.id in broken:
            en.broken = broken[en.id]
            raise en.broken
        en.st, en.stale = None, False
        for st in states:
            if st.id == en.id:
                en.st = st

    def record(self, en, *events):
        """Appends events as one batch and, once durable, applies them."""
        if not events:
            return
        st = en.st or State(en.id)
        for i, e in enumerate(events):
            e["seq"], e["schedule_id"], e["at"] = st.version + i + 1, en.id, self.now
        try:
            self.call(en.id, "log.append", events=[event_to_json(e) for e in events])
        except Refusal:
            en.stale = True  # the batch may have been written all the same
            raise
        en.st = st
        for e in events:
            try:
                st.apply(e)
            except Refusal:
                en.stale = True
                raise

    # -- operations

    def operate(self, typ, m):
        rid, sid = m.get("request_id") or "", m.get("schedule_id") or ""
        valid_id("schedule id", sid)
        if not rid:
            raise invalid("invalid request: request id is empty")
        if typ == "create":
            return self.create(rid, sid, m.get("config"))
        if typ == "update":
            trig, _, cfg = compile_config(m.get("config"))

            def update(st):
                return drops(st, rid, "update") + [ev("updated", request_id=rid, config=cfg, next=self.first_tick(trig))]
            return self.mutate(rid, sid, "updated", update)
        if typ == "pause":
            return self.mutate(rid, sid, "paused", lambda st: [] if st.paused else
                               drops(st, rid, "pause") + [ev("paused", request_id=rid)])
        if typ == "resume":
            return self.mutate(rid, sid, "resumed", lambda st: [] if not st.paused else
                               [ev("resumed", request_id=rid, next=st.trigger.grid(self.now).next(self.now))])
        return self.mutate(rid, sid, "deleted", lambda st: drops(st, rid, "delete") + [ev("deleted", request_id=rid)])

    def create(self, rid, sid, config):
        trig, _, cfg = compile_config(config)
        en = self.lookup(sid, True)
        self.lock(en)
        st = en.st
        if st is not None:
            if repeated(st, rid, "created"):
                return self.arm(en)
            if st.deleted:
                raise Refusal("exists", 'schedule already exists: "%s" was deleted; ids are never reused' % sid)
            raise Refusal("exists", 'schedule already exists: "%s"' % sid)
        self.record(en, ev("created", request_id=rid, config=cfg, next=self.first_tick(trig)))
        self.arm(en)

    def first_tick(self, trig):
        """The first tick of a trigger anchored now, as create and update need."""
        nxt = trig.grid(self.now).next(self.now)
        if nxt is None:
            raise invalid("config.trigger: trigger never fires: no tick after %s" % stamp(self.now))
        return nxt

    def mutate(self, rid, sid, op, plan):
        en = self.lookup(sid, False)
        if en is None:
            raise not_found(sid)
        self.lock(en)
        if en.st is None:
            raise not_found(sid)
        if repeated(en.st, rid, op):
            return self.arm(en)  # a repeated request re-runs only its idempotent effect
        if en.st.deleted:
            raise not_found(sid, " was deleted")
        self.resolve(en)
        self.record(en, *plan(en.st))
        self.arm(en)

    # -- deliveries and notices

    def timer_fired(self, sid, at):
        en = self.lookup(sid, False)
        if en is None:
            return "ignored"
        self.lock(en)
        if en.st is None or en.st.deleted:
            return "ignored"
        self.resolve(en)
        self.drive(en)
        st = en.st
        if st.paused:
            outcome = "ignored"
        elif st.next is None or at != st.next:
            outcome = "stale"  # a duplicate, old or retry timer: back to the next tick
        elif st.next > self.now:
            outcome = "early"
        else:
            try:
                self.decide(en)
            except Refusal:
                en.unsure = True
                raise
            outcome = "decided"
        self.arm(en)
        return outcome

    def decide(self, en):
        st = en.st
        ranges, nxt, late = plan_delivery(st.grid(), st.next, self.now, st.config["overlap"], st.config["catch_up"],
                                          st.window, bool(st.running), st.buffered is not None)
        if not late and len(ranges) == 1 and ranges[0][0] != MISS:
            # A lone tick: a start is made first and recorded after (recovery
            # adopts it by its deterministic workflow id).
            d, nominal = ranges[0][0], ranges[0][1]
            if d == START:
                return self.start(en, nominal, "tick", nxt)
            return self.record(en, ev("skipped" if d == SKIP else "buffered", nominal=nominal, next=nxt))
        self.record(en, ev("catch_up_decided", ranges=ranges, next=nxt))
        self.drive(en)

    def drive(self, en):
        """Carries out what the state owes: a refresh of the running set if due,
        owed starts oldest first, then the buffered tick if nothing runs."""
        if en.refresh:
            self.refresh_running(en)
            en.refresh = False
        while True:
            st = en.st
            if not st.active():
                return
            if st.pending:
                p = st.pending[0]
                t = st.grid().next(p[1] - 1)
                if t is None or t >= p[2]:
                    raise Refusal("unavailable", 'corrupt event log: schedule "%s" owes %d starts in [%s, %s) but its '
                                  'trigger has none' % (en.id, p[3], stamp(p[1]), stamp(p[2])))
                nominal, cause = t, "catch_up"
            elif st.buffered is not None and not st.running:
                nominal, cause = st.buffered, "buffer"
            else:
                return
            try:
                self.start(en, nominal, cause, None)
            except Refusal as err:
                en.unsure = True
                self.arm_retry(en, err)

    def start(self, en, nominal, cause, nxt):
        st = en.st
        cfg = st.config
        if cfg["overlap"] == "terminate_previous":
            # Terminated (closed at once), then recorded, before the start.
            for r in list(st.running):
                self.call(en.id, "engine.terminate", execution=execution_json(r[0]))
                self.record(en, ev("execution_closed", nominal=r[1], execution=r[0], cause="terminate"))
        if cfg["overlap"] == "cancel_previous":
            for r in list(st.running):
                if r[2]:
                    continue
                self.call(en.id, "engine.cancel", execution=execution_json(r[0]))
                self.record(en, ev("cancel_requested", nominal=r[1], execution=r[0]))
        req = {"workflow_id": workflow_id(en.id, nominal), "schedule_id": en.id, "nominal": fmt_time(nominal),
               "workflow_type": cfg["workflow_type"]}
        for k in ("input", "search_attributes"):
            if cfg.get(k) is not None:
                req[k] = cfg[k]
        res = self.call(en.id, "engine.start", start=req)
        x = (res["execution"]["workflow_id"], res["execution"]["run_id"])
        self.record(en, ev("triggered", nominal=nominal, next=nxt, cause=cause, execution=x))
        if res.get("already_started"):
            # An earlier attempt took effect; its closure may have come and gone unseen.
            self.close_if_done(en, x)

    def close_if_done(self, en, x):
        try:
            d = self.call(en.id, "engine.describe", workflow_id=x[0])
        except Refusal:
            en.refresh = True
            raise
        found = (d.get("execution") or {})
        if d.get("found") and d.get("closed") and (found.get("workflow_id"), found.get("run_id")) == x:
            self.record_closed(en, x)

    def refresh_running(self, en):
        for r in list(en.st.running):
            self.close_if_done(en, r[0])

    def record_closed(self, en, x):
        i = en.st.running_index(x)
        if i >= 0:
            self.record(en, ev("execution_closed", nominal=en.st.running[i][1], execution=x))

    def execution_closed(self, sid, x):
        en = self.lookup(sid, False)
        if en is None:
            return
        self.lock(en)
        if en.st is None or en.st.deleted:
            return
        self.record_closed(en, x)
        # A start that reported an error may have run: adopted before the
        # running set is taken for empty.
        self.resolve(en)
        self.drive(en)

    # -- recovery

    def recover(self):
        self.schedules, self.recovered = {}, False
        states, broken = project(self.read(""))
        self.recovered = True
        errors = []
        for st in states:
            en = self.schedules[st.id] = Entry(st.id, st)
            try:
                self.recover_one(en)
            except Refusal as err:
                errors.append(err)
        for sid in sorted(broken):
            self.schedules[sid] = Entry(sid, broken=broken[sid])
            errors.append(broken[sid])
        if errors:
            raise joined(errors)

    def recover_one(self, en):
        if en.st.deleted:
            return self.arm(en)
        self.adopt(en)
        self.refresh_running(en)
        for r in en.st.running:
            if r[2]:  # a recorded cancel may not have been sent
                self.call(en.id, "engine.cancel", execution=execution_json(r[0]))
        self.drive(en)
        self.arm(en)

    def resolve(self, en):
        """Adopts a start that reported failure but may have happened, before
        anything decides again or drops or re-anchors its tick."""
        if en.unsure:
            self.adopt(en)
            en.unsure, en.refresh = False, True

    def adopt(self, en):
        """Records the starts that took effect but were not recorded: only the
        first owed tick, the buffered tick and the next tick can be such."""
        st = en.st
        candidates = []
        if st.pending:
            t = st.grid().next(st.pending[0][1] - 1)
            if t is not None:
                candidates.append((t, "catch_up", False))
        if st.buffered is not None:
            candidates.append((st.buffered, "buffer", False))
        if st.active() and st.next is not None:
            candidates.append((st.next, "adopt", True))
        for nominal, cause, is_next in candidates:
            d = self.call(en.id, "engine.describe", workflow_id=workflow_id(en.id, nominal))
            if not d.get("found"):
                continue
            x = (d["execution"]["workflow_id"], d["execution"]["run_id"])
            self.record(en, ev("triggered", nominal=nominal, cause=cause, execution=x,
                               next=st.grid().next(nominal) if is_next else None))

    # -- queries

    def get(self, sid, upcoming):
        en = self.lookup(sid, False)
        if en is None:
            raise not_found(sid)
        self.lock(en)
        if en.st is None or en.st.deleted:
            raise not_found(sid)
        return describe(en.st, upcoming)

    def list(self, upcoming):
        if not self.recovered:
            raise Refusal("not_recovered", "evaluator not recovered")
        out = []
        for sid in sorted(self.schedules):
            en = self.schedules[sid]
            self.lock(en)
            if en.st is not None and not en.st.deleted:
                out.append(describe(en.st, upcoming))
        return out


def not_found(sid, why=""):
    return Refusal("not_found", 'schedule not found: "%s"%s' % (sid, why))


def execution_json(x):
    return {"workflow_id": x[0], "run_id": x[1]}


def ev(typ, **fields):
    return dict(fields, type=typ)


def repeated(st, rid, op):
    """Whether rid repeats the schedule's last request (refused if for another operation)."""
    if st.last_request_id != rid:
        return False
    if st.last_request_op != op:
        raise Refusal("request_reused", 'request id reused for a different operation: "%s" was a %s of "%s"'
                      % (rid, st.last_request_op, st.id))
    return True


def drops(st, rid, cause):
    out = []
    if st.buffered is not None:
        out.append(ev("dropped", request_id=rid, cause=cause, nominal=st.buffered))
    if st.pending:
        out.append(ev("dropped", request_id=rid, cause=cause, ranges=[list(r) for r in st.pending]))
    return out


def describe(st, upcoming):
    g, times, t = st.grid(), [], st.next
    while t is not None and len(times) < min(upcoming, MAX_UPCOMING):
        times.append(fmt_time(t))
        t = g.next(t)
    d = {"id": st.id, "config": st.config, "paused": st.paused, "upcoming": times, "counters": st.counters,
         "running": [dict({"execution": execution_json(x), "nominal": fmt_time(n)},
                          **({"cancel_requested": True} if c else {})) for x, n, c in st.running]}
    if st.buffered is not None:
        d["buffered"] = fmt_time(st.buffered)
    if st.pending:
        d["owed"] = [range_to_json(r) for r in st.pending]
    if st.last_triggered is not None:
        d["last_triggered"] = fmt_time(st.last_triggered)
    return d


# ---------------------------------------------------------------- the protocol

class Link:
    """Newline-delimited JSON on stdin and stdout."""

    def __init__(self, stdin, stdout):
        self.stdin, self.stdout, self.next_id = stdin, stdout, 0

    def send(self, m):
        self.stdout.write(json.dumps(m, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")
        self.stdout.flush()

    def receive(self):
        line = self.stdin.readline()
        if not line:
            return None
        try:
            m = json.loads(line)
        except ValueError as e:
            sys.exit("evaluator.py: not a JSON message (%s): %.200r" % (e, line))
        if not isinstance(m, dict):
            sys.exit("evaluator.py: a message must be a JSON object: %.200r" % line)
        return m

    def call(self, seam, fields):
        self.next_id += 1
        self.send(dict(fields, id=self.next_id, type="call", seam=seam))
        r = self.receive()
        if r is None:
            sys.exit(0)  # the harness went away
        if r.get("reply_to") != self.next_id:
            raise RuntimeError("reply to %s while waiting for %d" % (r.get("reply_to"), self.next_id))
        if not r.get("ok"):
            err = r.get("error") or {}
            raise SeamFailure(err.get("code", ""), err.get("message", ""))
        return r.get("result") or {}


def handle(link, state, m):
    """Answers one request; state holds the evaluator once init made it."""
    typ = m.get("type")
    now = parse_time(m.get("now"))
    if typ == "init":
        if m.get("protocol") != 1:
            raise invalid("invalid request: protocol %s is not 1" % m.get("protocol"))
        if now is None:
            raise invalid("invalid request: init without now (the harness owns time)")
        opts = m.get("options") or {}
        if opts.get("mutant"):
            raise invalid('invalid request: unknown mutant "%s" (this program has none)' % opts["mutant"])
        retry = DEFAULT_RETRY_DELAY
        if opts.get("retry_delay"):
            try:
                retry = parse_duration(opts["retry_delay"])
            except ValueError as e:
                raise invalid("invalid request: retry_delay: %s" % e)
        state["ev"] = Evaluator(link, now, retry)
        # The dialect this program speaks (docs/profiles.md): schedsim's,
        # narrowed to the overlap policies it implements (not buffer_all),
        # so the harness generates only those and reports scenarios that
        # use another as not applicable.
        return {"name": "schedsim-python-example", "version": "1", "protocol": 1, "features": [],
                "profile": {"name": "schedsim", "overlaps": list(OVERLAP)}}
    evr = state.get("ev")
    if evr is None:
        raise invalid("invalid request: %s before init" % typ)
    if now is not None and now > evr.now:
        evr.now = now  # time is the harness's; it never goes back
    if typ == "recover":
        return evr.recover()
    if typ in ("create", "update", "pause", "resume", "delete"):
        return evr.operate(typ, m)
    if typ == "get":
        return evr.get(m.get("schedule_id") or "", m.get("upcoming") or 0)
    if typ == "list":
        return evr.list(m.get("upcoming") or 0)
    if typ == "timer_fired":
        at = parse_time(m.get("at"))
        if at is None:
            raise invalid("invalid request: timer_fired without at")
        return {"outcome": evr.timer_fired(m.get("schedule_id") or "", at)}
    if typ == "execution_closed":
        x = m.get("execution")
        if not x:
            raise invalid("invalid request: execution_closed without execution")
        return evr.execution_closed(m.get("schedule_id") or "", (x.get("workflow_id", ""), x.get("run_id", "")))
    raise invalid('invalid request: unknown request "%s"' % typ)


def main():
    link = Link(sys.stdin.buffer, sys.stdout.buffer)
    state = {}
    while True:
        m = link.receive()
        if m is None:
            return 0
        if "reply_to" in m or m.get("type") == "call":
            print("evaluator.py: expected a request, got %r" % m, file=sys.stderr)
            return 1
        reply = {"reply_to": m.get("id"), "ok": True}
        try:
            result = handle(link, state, m)
            if result is not None:
                reply["result"] = result
        except Refusal as err:
            reply["ok"], reply["error"] = False, {"code": err.code, "message": str(err)}
        link.send(reply)


if __name__ == "__main__":
    sys.exit(main())
