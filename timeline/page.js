// schedsim timeline: zoom, pan and a time readout over the page's data.
// It redraws the picture that layout.go draws (same geometry, same merging
// of marks closer than 3 px), for the span in view. Without it the page
// keeps the static picture of the whole run.
(function () {
  'use strict';
  var source = document.getElementById('timeline-data');
  var chart = document.getElementById('chart');
  if (!source || !chart) { return; }
  var data = JSON.parse(source.textContent);
  document.documentElement.classList.add('js');

  var W = 1200, GUTTER = 190, MARGIN = 30, AXIS = 30, WORLD = 26, TICK = 18, ROW = 12, MARKS = 18, PAD = 8, MERGE = 3, VIOLATIONS = 56;
  var PLOT = W - GUTTER - MARGIN;
  var start = Date.parse(data.start);
  var full = { from: 0, to: Math.max(data.end, 1) };
  var view = { from: full.from, to: full.to };
  var axisMode = 'offset';

  function x(ms) { return GUTTER + (ms - view.from) / Math.max(view.to - view.from, 1) * PLOT; }
  function timeAt(px) { return view.from + (px - GUTTER) / PLOT * (view.to - view.from); }
  function f(v) { return v.toFixed(1); }
  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }

  // Text, as format.go writes it.
  function offsetText(ms) {
    var sign = ms < 0 ? '-' : '+';
    ms = Math.abs(Math.round(ms));
    if (ms === 0) { return '+0'; }
    var out = sign, units = [[864e5, 'd'], [36e5, 'h'], [6e4, 'm']];
    units.forEach(function (u) {
      var n = Math.floor(ms / u[0]);
      if (n > 0) { out += n + u[1]; ms -= n * u[0]; }
    });
    if (ms >= 1000) { out += ms / 1000 + 's'; } else if (ms > 0) { out += ms + 'ms'; }
    return out;
  }
  function utc(ms) { return new Date(start + ms).toISOString().replace('.000Z', 'Z'); }
  function when(ms) { return offsetText(ms) + ' (' + utc(ms) + ')'; }
  var zoneFormats = {};
  function zoneTime(ms, zone) {
    if (!zoneFormats[zone]) {
      try {
        zoneFormats[zone] = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
          hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short' });
      } catch (e) {
        return zone + ' unknown to this browser';
      }
    }
    return zoneFormats[zone].format(new Date(start + ms));
  }
  function zoneOffset(sec) {
    var sign = sec < 0 ? '-' : '+';
    sec = Math.abs(sec);
    var hh = Math.floor(sec / 3600), mm = Math.floor(sec % 3600 / 60);
    return sign + (hh < 10 ? '0' : '') + hh + ':' + (mm < 10 ? '0' : '') + mm;
  }
  function axisLabel(ms) {
    if (axisMode === 'offset') { return offsetText(ms); }
    if (axisMode === 'utc') { return utc(ms).replace('T', ' ').replace(/:00Z$|Z$/, ''); }
    return zoneTime(ms, axisMode).replace(/:00( |$)/, '$1');
  }

  var steps = [1e3, 5e3, 15e3, 3e4, 6e4, 3e5, 9e5, 18e5, 36e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5, 2592e6, 78624e5, 31536e6, 15768e7];
  function axisTicks(from, to, most) {
    var step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) {
      if (Math.floor((to - from) / steps[i]) <= most) { step = steps[i]; break; }
    }
    var out = [];
    for (var t = Math.ceil(from / step) * step; t <= to; t += step) { out.push(t); }
    return out;
  }

  function zoneLine(l) { return l.zone !== 'UTC' && l.trigger.indexOf(l.zone) < 0; }
  function laneHeight(l) {
    var least = zoneLine(l) ? 62 : 50;
    return Math.max(PAD + TICK + Math.max(l.rows, 1) * ROW + MARKS, least);
  }

  var out = [];
  function title(t) { return t ? '<title>' + esc(t) + '</title>' : ''; }
  function rect(cls, x0, y, w, h, t, n) {
    out.push('<rect class="' + cls + '" x="' + f(x0) + '" y="' + f(y) + '" width="' + f(w) + '" height="' + f(h) + '"' +
      (n ? ' data-n="' + n + '"' : '') + '>' + title(t) + '</rect>');
  }
  function line(cls, x0, y, h, t, n) {
    out.push('<line class="' + cls + '" x1="' + f(x0) + '" y1="' + f(y) + '" x2="' + f(x0) + '" y2="' + f(y + h) + '"' +
      (n ? ' data-n="' + n + '"' : '') + '>' + title(t) + '</line>');
  }
  function text(cls, x0, y, s, t) {
    out.push('<text class="' + cls + '" x="' + f(x0) + '" y="' + f(y) + '">' + title(t) + esc(s) + '</text>');
  }
  function diamond(cx, cy, r) {
    return 'M' + f(cx) + ' ' + f(cy - r) + 'L' + f(cx + r) + ' ' + f(cy) + 'L' + f(cx) + ' ' + f(cy + r) + 'L' + f(cx - r) + ' ' + f(cy) + 'Z';
  }

  // visible keeps the marks in view, ranges cut to it.
  function visible(ps) {
    var res = [];
    for (var i = 0; i < ps.length; i++) {
      var q = ps[i];
      if (q.at > view.to || Math.max(q.until, q.at) < view.from) { continue; }
      if (q.until > 0) { q = { at: Math.max(q.at, view.from), until: Math.min(q.until, view.to), n: q.n, cls: q.cls, title: q.title }; }
      res.push(q);
    }
    return res;
  }
  // group: the marks ps[i:j] drawn as one glyph, as layout.go's group.
  function group(ps, i) {
    var x0 = x(ps[i].at), x1 = x(Math.max(ps[i].until, ps[i].at)), j;
    for (j = i + 1; j < ps.length; j++) {
      var a = x(ps[j].at), b = x(Math.max(ps[j].until, ps[j].at));
      if (x1 - x0 >= MERGE || a - x1 >= MERGE || b - a >= MERGE) { break; }
      x1 = Math.max(x1, b);
    }
    return { j: j, x0: x0, x1: x1 };
  }
  // merged describes marks drawn as one glyph, as layout.go's merged.
  function merged(ps, what) {
    if (ps.length === 1) { return { cls: ps[0].cls, title: ps[0].title, n: ps[0].n }; }
    var classes = [], counts = {}, n = 0;
    ps.forEach(function (q) {
      if (!(q.cls in counts)) { classes.push(q.cls); counts[q.cls] = 0; }
      counts[q.cls] += q.n;
      n += q.n;
    });
    var cls = classes[0];
    var parts = classes.map(function (c) {
      if (counts[c] > counts[cls]) { cls = c; }
      return counts[c] + ' ' + c;
    });
    if (classes.length > 1) { cls += ' mixed'; }
    return { cls: cls, title: ps.length + ' ' + what + ' merged (zoom in): ' + parts.join(', ') + '; the first: ' + ps[0].title, n: n };
  }
  function points(ps, y, h, row) {
    ps = visible(ps);
    var mine = [], outer = out;
    out = [];
    for (var i = 0; i < ps.length;) {
      var gr = group(ps, i), j = gr.j, x0 = gr.x0, x1 = gr.x1;
      var g = merged(ps.slice(i, j), 'marks');
      if (row === 'marks' && j - i === 1 && ps[i].until === 0) {
        out.push('<path class="' + g.cls + '" d="' + diamond(x0, y + h / 2, h / 2) + '" data-n="' + g.n + '">' + title(g.title) + '</path>');
      } else {
        rect(g.cls, x0 - 1, y, Math.max(x1 - x0, 0) + 2, h, g.title, g.n);
      }
      mine.push({ n: g.n, svg: out.pop() });
      i = j;
    }
    // Merged ranges first, so that the rarer marks they cross stay on top
    // (a stable sort, as layout.go's).
    mine = mine.map(function (g, k) { g.k = k; return g; }).sort(function (a, b) { return b.n - a.n || a.k - b.k; });
    out = outer;
    mine.forEach(function (g) { out.push(g.svg); });
  }
  function spans(ps, y, h) {
    ps = visible(ps);
    for (var i = 0; i < ps.length;) {
      var gr = group(ps, i), j = gr.j, x0 = gr.x0, x1 = gr.x1;
      var g = merged(ps.slice(i, j), 'executions');
      rect(g.cls, x0, y, Math.max(x1 - x0 - 1, 1.5), h, g.title, g.n); // apart from the next
      i = j;
    }
  }
  function byAt(a, b) { return a.at - b.at; }

  // The marks of each lane and of the world row, built once.
  var world = [];
  data.incidents.forEach(function (m) {
    world.push({ at: m.at, until: 0, n: 1, cls: 'incident ' + m.kind,
      title: when(m.at) + ': ' + [m.kind, m.schedule || '', m.detail || '', m.error || ''].join(' ').replace(/\s+/g, ' ').trim() });
  });
  data.failures.forEach(function (fl) {
    if (fl.at !== undefined) { world.push({ at: fl.at, until: 0, n: 1, cls: 'expectation', title: when(fl.at) + ': line ' + fl.line + ': ' + fl.what }); }
  });
  world.sort(byAt);
  var lanes = data.schedules.map(function (l) {
    var ticks = l.ticks.map(function (k) {
      if (k.until) {
        return { at: k.nominal, until: k.until, n: Math.max(k.count, 1), cls: 'tick ' + k.disposition,
          title: l.id + ': ' + (k.count ? k.count + ' ticks' : 'the ticks (not counted)') + ' from ' + when(k.nominal) + ' until ' + when(k.until) + ': ' + k.disposition + ', decided ' + offsetText(k.decided) };
      }
      return { at: k.nominal, until: 0, n: 1, cls: 'tick ' + k.disposition,
        title: l.id + ' ' + when(k.nominal) + ': ' + k.disposition + ', decided ' + offsetText(k.decided) };
    });
    var rows = [];
    for (var r = 0; r < Math.max(l.rows, 1); r++) { rows.push([]); }
    l.executions.forEach(function (e) {
      rows[e.row].push({ at: e.start, until: e.close, n: 1, cls: 'run ' + e.outcome,
        title: l.id + ' @' + offsetText(e.nominal) + ': ' + e.outcome + ', started ' + offsetText(e.start) + ', closed ' + offsetText(e.close) });
    });
    var marks = l.marks.map(function (m) {
      return { at: m.at, until: 0, n: 1, cls: 'mark ' + m.kind + (m.error ? ' failed' : ''),
        title: when(m.at) + ': ' + m.detail + (m.error ? ' error=' + m.error : '') };
    });
    l.timers.forEach(function (tm) {
      marks.push({ at: tm.due, until: 0, n: 1, cls: 'timer', title: 'timer for ' + when(tm.due) + ', armed ' + offsetText(tm.armed) });
    });
    marks.sort(byAt);
    return { lane: l, ticks: ticks, rows: rows, marks: marks };
  });
  var height = AXIS + WORLD + 4;
  data.schedules.forEach(function (l) { height += laneHeight(l); });
  var lanesEnd = height;
  if (data.violations.length > 0) { height += VIOLATIONS; }

  function draw() {
    out = [];
    var y = AXIS + WORLD;
    data.schedules.forEach(function (l, i) {
      rect('lane lane' + (i % 2), 0, y, W, laneHeight(l), l.id, 0);
      y += laneHeight(l);
    });
    axisTicks(view.from, view.to, axisMode === 'offset' ? 12 : 7).forEach(function (t) {
      line('grid', x(t), AXIS - 6, lanesEnd - AXIS + 6, '', 0);
      text('axis', x(t), AXIS - 10, axisLabel(t), utc(t));
    });
    text('label', 8, AXIS + 17, 'world', '');
    if (data.violations.length > 0) { text('label violation-label', 8, lanesEnd + 14, 'violations', ''); }
    data.downtime.forEach(function (b) {
      if (b.until < view.from || b.from > view.to) { return; }
      var x0 = x(Math.max(b.from, view.from)), x1 = x(Math.min(b.until, view.to));
      rect('down', x0, AXIS, Math.max(x1 - x0, 2), lanesEnd - AXIS, 'down from ' + when(b.from) + ' to ' + when(b.until) + ': ' + b.cause, 1);
    });
    points(world, AXIS + 4, WORLD - 8, 'marks');
    y = AXIS + WORLD;
    lanes.forEach(function (ln) {
      var l = ln.lane, h = laneHeight(l), top = y;
      text('label id', 8, y + 16, l.id, '');
      text('label', 8, y + 29, l.trigger, '');
      text('label', 8, y + 42, l.overlap + ', catch-up ' + l.catch_up, '');
      if (zoneLine(l)) { text('label', 8, y + 55, l.zone, ''); }
      l.offsets.slice(1).forEach(function (o) {
        if (o.at < view.from || o.at > view.to) { return; }
        line('zone', x(o.at), y, h, utc(o.at) + ': ' + l.zone + ' is UTC' + zoneOffset(o.seconds) + ' (' + o.name + ') from here', 1);
        text('zone-label', x(o.at) + 2, y + h - 3, o.name + ' ' + zoneOffset(o.seconds), '');
      });
      y += PAD / 2;
      points(ln.ticks, y + 2, TICK - 6, 'ticks');
      y += TICK;
      ln.rows.forEach(function (bars, r) { spans(bars, y + r * ROW + 1, ROW - 3); });
      y += Math.max(l.rows, 1) * ROW;
      points(ln.marks, y + 2, MARKS - 6, 'marks');
      y = top + h;
    });
    var labelled = [];
    data.violations.forEach(function (v, i) {
      if (v.at < view.from || v.at > view.to) { return; }
      var vx = x(v.at), lx = vx > W - MARGIN - 20 ? vx - 36 : vx + 3, stacked = 0;
      labelled.forEach(function (other) { if (Math.abs(lx - other) < 40) { stacked++; } });
      labelled.push(lx);
      stacked = Math.min(stacked, 3);
      line('violation', vx, AXIS, lanesEnd + 6 + stacked * 11 - AXIS, '#' + (i + 1) + ' ' + v.invariant + ' ' + v.name + ' at ' + when(v.at) + ': ' + v.detail, 1);
      text('violation-label', lx, lanesEnd + 14 + stacked * 11, (i + 1) + ' ' + v.invariant, '');
    });
    out.push('<line class="cursor" id="cursor" x1="-10" y1="' + AXIS + '" x2="-10" y2="' + f(height) + '"></line>');
    chart.innerHTML = '<svg id="timeline" xmlns="http://www.w3.org/2000/svg" data-from="' + view.from + '" data-to="' + view.to +
      '" viewBox="0 0 ' + W + ' ' + f(height) + '" width="' + W + '" height="' + f(height) + '" role="img" aria-label="timeline of ' +
      esc(data.title) + '">' + out.join('') + '</svg>';
  }

  // Zoom keeps the instant under the pointer where it is; the span stays
  // between a second and the whole run.
  function zoom(factor, at) {
    var span = view.to - view.from;
    var next = Math.min(Math.max(span * factor, 1000), full.to - full.from);
    var from = at - (at - view.from) * next / span;
    setView(from, from + next);
  }
  function setView(from, to) {
    var span = to - from;
    if (from < full.from) { from = full.from; }
    if (from + span > full.to) { from = full.to - span; }
    view.from = Math.round(from);
    view.to = Math.round(from + span);
    draw();
  }
  function svgX(ev) {
    var svg = chart.querySelector('svg');
    var box = svg.getBoundingClientRect();
    return (ev.clientX - box.left) * W / box.width;
  }
  var readout = document.getElementById('readout');
  var zones = [];
  data.schedules.forEach(function (l) { if (l.zone !== 'UTC' && zones.indexOf(l.zone) < 0) { zones.push(l.zone); } });
  function showTime(px) {
    var t = timeAt(px);
    if (px < GUTTER || px > W - MARGIN) { return; }
    var parts = [offsetText(t), utc(Math.round(t))];
    zones.forEach(function (z) { parts.push(z + ' ' + zoneTime(t, z)); });
    readout.textContent = parts.join('  ·  ');
    var c = document.getElementById('cursor');
    if (c) { c.setAttribute('x1', f(px)); c.setAttribute('x2', f(px)); }
  }

  var drag = null;
  chart.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    zoom(ev.deltaY > 0 ? 1.25 : 0.8, timeAt(svgX(ev)));
  }, { passive: false });
  chart.addEventListener('mousedown', function (ev) { drag = { x: svgX(ev), from: view.from, to: view.to }; });
  window.addEventListener('mouseup', function () { drag = null; });
  chart.addEventListener('mousemove', function (ev) {
    var px = svgX(ev);
    if (drag) {
      var dt = (px - drag.x) / PLOT * (drag.to - drag.from);
      setView(drag.from - dt, drag.to - dt);
    }
    showTime(px);
  });
  function centre() { return (view.from + view.to) / 2; }
  document.getElementById('zoom-in').addEventListener('click', function () { zoom(0.5, centre()); });
  document.getElementById('zoom-out').addEventListener('click', function () { zoom(2, centre()); });
  document.getElementById('zoom-reset').addEventListener('click', function () { setView(full.from, full.to); });
  var select = document.getElementById('axis-mode');
  zones.forEach(function (z) {
    var o = document.createElement('option');
    o.value = z;
    o.textContent = 'local time in ' + z;
    select.appendChild(o);
  });
  select.addEventListener('change', function () { axisMode = select.value; draw(); });
  document.addEventListener('keydown', function (ev) {
    if (ev.target && ev.target.tagName === 'SELECT') { return; }
    var span = view.to - view.from;
    switch (ev.key) {
      case '+': case '=': zoom(0.5, centre()); break;
      case '-': zoom(2, centre()); break;
      case '0': setView(full.from, full.to); break;
      case 'ArrowLeft': setView(view.from - span / 4, view.to - span / 4); break;
      case 'ArrowRight': setView(view.from + span / 4, view.to + span / 4); break;
      default: return;
    }
    ev.preventDefault();
  });
  // The page can be opened zoomed: #from=MS&to=MS (offsets, as in the
  // data); the violations' "zoom here" links set it.
  function fromHash() {
    var m = /from=(-?\d+)&to=(-?\d+)/.exec(location.hash);
    if (m && Number(m[2]) > Number(m[1])) {
      view.from = Math.max(Number(m[1]), full.from);
      view.to = Math.min(Number(m[2]), full.to);
      return true;
    }
    return false;
  }
  window.addEventListener('hashchange', function () { if (fromHash()) { draw(); } });
  fromHash();
  draw();
  window.schedsimTimeline = { view: view, zoom: zoom, setView: setView, data: data, offsetText: offsetText };
}());
