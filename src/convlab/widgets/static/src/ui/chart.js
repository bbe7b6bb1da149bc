// A small SVG line chart for the widgets that draw curves (loss curves, signals,
// counts against size). No dependencies, no CDN.

import { formatNumber } from "../widgets/text.js";
import { setText } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const MARGIN = { left: 58, right: 12, top: 12, bottom: 40 };
const PALETTE = ["#2f6fb3", "#d9822b", "#3a9a5b", "#b03a48"];
// Pixels between the frame and the nearest point the chart holds: a point on the
// frame is half hidden under it, and a line along it reads as cut off.
const ROOM = 4;

/** Create an SVG element with attributes (and text). */
export function svgElement(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const X_TICKS = 6; // about as many ticks on the x axis, and on a linear y axis
const Y_TICKS = 5;

/** The step between about `count` round ticks covering [lo, hi]: 1, 2 or 5 × 10^k. */
function tickStep(lo, hi, count) {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw);
}

/**
 * Round tick values covering [lo, hi]: about `count` of them, at 1, 2 or 5 × 10^k
 * (or every `step`, when given).
 */
export function niceTicks(lo, hi, count = 5, step = tickStep(lo, hi, count)) {
  if (!(hi > lo)) return [lo];
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return ticks;
}

/** A tick's label: exponent form when large or small, else as the tables print numbers. */
function formatTick(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(0).replace("e+", "e");
  return formatNumber(v);
}

/**
 * A series' points as two columns, [xs, ys]: its `x` and `y` arrays as given (a
 * long signal is passed so, without a pair per sample), or read from its `points`.
 */
function columns(se) {
  if (se.x) return [se.x, se.y];
  const n = se.points.length;
  const [xs, ys] = [new Array(n), new Array(n)];
  for (let i = 0; i < n; i++) {
    xs[i] = se.points[i][0];
    ys[i] = se.points[i][1];
  }
  return [xs, ys];
}

/** y as the axis reads it: log10 y on a log axis. */
function axisY(y, logY) {
  return logY ? Math.log10(y) : y;
}

/** A point the chart can draw: finite, and positive on a log axis. */
function drawable(x, y, logY) {
  return Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
}

/**
 * The smallest and largest x and y (y as the axis reads it: log10 y on a log axis)
 * of the drawable points of `cols` ([xs, ys] per series). Given `held` ({ series,
 * y0, y1 }), only the points the axes must hold count: those of the series that do
 * not run off, between y0 and y1. Plain loops, no copy, no callback per point: a
 * slider move may chart thousands of points.
 */
function extents(cols, logY, held = null) {
  let [xLo, xHi, yLo, yHi] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let k = 0; k < cols.length; k++) {
    if (held?.series[k].runsOff) continue;
    const [xs, ys] = cols[k];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const y = ys[i];
      if (!drawable(x, y, logY)) continue;
      const v = axisY(y, logY);
      if (held && !(v >= held.y0 && v <= held.y1)) continue;
      if (x < xLo) xLo = x;
      if (x > xHi) xHi = x;
      if (v < yLo) yLo = v;
      if (v > yHi) yHi = v;
    }
  }
  return { x: [xLo, xHi], y: [yLo, yHi] };
}

/**
 * [lo, hi] widened, if need be, so that every value between `a` and `b` (the
 * extent of the values to hold) lies at least ROOM pixels inside an axis `pixels` long.
 */
function holding([lo, hi], [a, b], pixels) {
  if (!(a <= b)) return [lo, hi];
  const r = ROOM / pixels;
  const roomy = ([l, h]) => a - l >= r * (h - l) * (1 - 1e-9) && h - b >= r * (h - l) * (1 - 1e-9);
  const tries = [
    [lo, hi],
    [Math.min(lo, hi - (hi - a) / (1 - r)), hi], // widened below only
    [lo, Math.max(hi, lo + (b - lo) / (1 - r))], // above only
  ];
  const [below, above] = padded([a, b], pixels); // both ends
  return tries.find(roomy) ?? [Math.min(lo, below), Math.max(hi, above)];
}

/** [lo, hi] widened by ROOM pixels at each end, on an axis `pixels` long. */
function padded([lo, hi], pixels) {
  const r = ROOM / pixels;
  const span = (hi - lo) / (1 - 2 * r);
  return [lo - r * span, hi + r * span];
}

/**
 * The chart's frame: the plotting area inside the margins, and `px`, `py` from
 * data to pixels. The ranges cover every drawable point, unless `yMin`/`yMax` fix
 * y; then they are widened just enough to hold, ROOM pixels inside the frame, every
 * point between them of a series that does not `runOff` (a guide line may run past
 * the frame, and so may what lies beyond a fixed limit: it is cut by the frame).
 * With `snap`, the ranges end on ticks instead (whole decades on a log axis),
 * ROOM pixels inside the frame: the axes then change only when the data cross a
 * tick, whatever they hold.
 */
function frame(series, cols, { width, height, logY, yMin, yMax, snap }) {
  const W = width - MARGIN.left - MARGIN.right;
  const H = height - MARGIN.top - MARGIN.bottom;
  const ty = (y) => axisY(y, logY);
  const all = extents(cols, logY);
  let [x0, x1] = all.x;
  let [y0, y1] = [
    yMin !== undefined ? ty(yMin) : all.y[0],
    yMax !== undefined ? ty(yMax) : all.y[1],
  ];
  if (!(x0 <= x1)) [x0, x1, y0, y1] = [0, 1, 0, 1]; // nothing to draw
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  let steps = {}; // with snap: the ticks' steps
  if (snap) {
    const x = snapped(x0, x1, X_TICKS);
    const decades = { range: [Math.floor(y0 + 1e-9), Math.ceil(y1 - 1e-9)] };
    const y = logY ? decades : snapped(y0, y1, Y_TICKS);
    [x0, x1] = padded(x.range, W);
    [y0, y1] = padded(y.range, H);
    steps = { x: x.step, y: y.step };
  } else {
    const held = extents(cols, logY, { series, y0, y1 });
    [x0, x1] = holding([x0, x1], held.x, W);
    [y0, y1] = holding([y0, y1], held.y, H);
  }
  const px = (x) => MARGIN.left + ((x - x0) / (x1 - x0)) * W;
  const py = (y) => MARGIN.top + H - ((ty(y) - y0) / (y1 - y0)) * H;
  return { W, H, x0, x1, y0, y1, px, py, steps };
}

/**
 * [lo, hi] widened to multiples of a tick step, as { range, step }: the step of
 * the widened range, so that its ends are ticks. A chart whose data change a
 * little at every move then keeps its axes: steadier to read, and its ticks are
 * not moved (and laid out again) at every move.
 */
function snapped(lo, hi, count) {
  const widened = (step) => [
    Math.floor(lo / step + 1e-9) * step,
    Math.ceil(hi / step - 1e-9) * step,
  ];
  let step = tickStep(lo, hi, count);
  let range = widened(step);
  // A wider range may call for a larger step (fewer ticks): widen with that one.
  for (let next = tickStep(...range, count); next > step; next = tickStep(...range, count)) {
    step = next;
    range = widened(step);
  }
  return { range, step };
}

/**
 * Ticks of a log axis from 10^lo to 10^hi: its decades, or 1, 2 and 5 times them
 * when fewer than three decades fall inside (so that two ticks, at least, say
 * the scale).
 */
function logTicks(lo, hi) {
  const inside = (v) => Math.log10(v) >= lo - 1e-9 && Math.log10(v) <= hi + 1e-9;
  const decades = [];
  for (let e = Math.ceil(lo - 1e-9); e <= hi + 1e-9; e++) decades.push(10 ** e);
  if (decades.length >= 3) return decades;
  const ticks = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of [1, 2, 5]) if (inside(m * 10 ** e)) ticks.push(m * 10 ** e);
  }
  return ticks;
}

/** The ticks of both axes: [value, pixel] pairs. */
function ticks(f, logY) {
  const xt = niceTicks(f.x0, f.x1, X_TICKS, f.steps.x);
  const yt = logY ? logTicks(f.y0, f.y1) : niceTicks(f.y0, f.y1, Y_TICKS, f.steps.y);
  return { x: xt.map((t) => [t, f.px(t)]), y: yt.map((t) => [t, f.py(t)]) };
}

/**
 * The axes' parts, each as [tag, attributes, text]: `x` and `y`, a grid line and a
 * tick label (written by `xTick`, `yTick`) per tick; `frame`, the frame and the
 * axis labels.
 */
function axes(f, t, { height, xLabel, yLabel, xTick, yTick }) {
  const { W, H } = f;
  const [left, top] = [MARGIN.left, MARGIN.top];
  const x = t.x.flatMap(([v, at]) => [
    ["line", { x1: at, x2: at, y1: top, y2: top + H, class: "cl-grid" }],
    ["text", { x: at, y: top + H + 16, "text-anchor": "middle" }, xTick(v)],
  ]);
  const y = t.y.flatMap(([v, at]) => [
    ["line", { x1: left, x2: left + W, y1: at, y2: at, class: "cl-grid" }],
    ["text", { x: left - 6, y: at + 4, "text-anchor": "end" }, yTick(v)],
  ]);
  const middle = top + H / 2;
  const turned = {
    x: 12,
    y: middle,
    "text-anchor": "middle",
    transform: `rotate(-90 12 ${middle})`,
  };
  const frame = [
    ["rect", { x: left, y: top, width: W, height: H, class: "cl-frame" }],
    ["text", { x: left + W / 2, y: height - 6, "text-anchor": "middle" }, xLabel],
    ["text", turned, yLabel],
  ];
  return { x, y, frame };
}

/**
 * Show `parts` ([tag, attributes, text] each) as the children of `group`, reusing
 * the children it has: each one of the same tag as its part is moved and
 * relabelled in place (only what differs is set), the others are drawn anew, and
 * the extra ones removed. A move that shifts the ticks, or adds one, then creates
 * one element at most per tick added: a new element costs the browser more (a
 * style, a layout, new paint records) than a moved one.
 */
function showParts(group, parts) {
  const now = group.children; // live
  parts.forEach(([tag, attrs, text], i) => {
    const el = now[i];
    if (el?.localName === tag) {
      update(el, attrs);
      if (text !== undefined) setText(el, text);
    } else if (el) el.replaceWith(svgElement(tag, attrs, text));
    else group.append(svgElement(tag, attrs, text));
  });
  while (now.length > parts.length) now[now.length - 1].remove();
}

/** A pixel coordinate in hundredths, without toFixed (several times slower). */
function hundredths(v) {
  return Math.round(v * 100) / 100;
}

/**
 * Path data ("M x,y L x,y …", in hundredths of a pixel) written point by point by
 * `to(x, y)`, cut at the box { left, right, top, bottom } (pixels): each segment
 * keeps its part inside the frame (Liang–Barsky), and a line that comes back in
 * starts again with "M". A line that stays inside is written exactly as given. Cut
 * here rather than by an SVG clip-path: a clipped line made each move of a chart
 * cost the browser about half a millisecond more (compositing) on a 2-core machine.
 * Its state lives in fields, not in variables that closures capture (V8 boxes each
 * number stored in those): a move writes a thousand points or more.
 */
class FramePen {
  constructor({ left, right, top, bottom }) {
    Object.assign(this, { left, right, top, bottom });
    this.d = "";
    this.x0 = Number.NaN; // the point given before, once there is one
    this.y0 = Number.NaN;
  }

  write(command, x, y) {
    this.d += `${command}${hundredths(x)},${hundredths(y)}`;
  }

  to(x, y) {
    const { left, right, top, bottom, x0, y0 } = this;
    this.x0 = x;
    this.y0 = y;
    if (Number.isNaN(x0)) {
      if (x >= left && x <= right && y >= top && y <= bottom) this.write("M", x, y);
      return;
    }
    // The part [t0, t1] of the segment from (x0, y0) to (x, y) inside the frame:
    // at each edge, the segment's points p·t ≤ q are on the inner side.
    const dx = x - x0;
    const dy = y - y0;
    let t0 = 0;
    let t1 = 1;
    for (let edge = 0; edge < 4; edge++) {
      const p = edge === 0 ? -dx : edge === 1 ? dx : edge === 2 ? -dy : dy;
      const q =
        edge === 0 ? x0 - left : edge === 1 ? right - x0 : edge === 2 ? y0 - top : bottom - y0;
      if (p === 0) {
        if (q < 0) t0 = 2; // along this edge, outside it
      } else if (p < 0) t0 = Math.max(t0, q / p);
      else t1 = Math.min(t1, q / p);
    }
    if (t0 > t1) return;
    // A segment that starts inside continues the path (the one before it ended
    // there); one that comes in from outside starts a new piece.
    if (t0 > 0) this.write("M", x0 + t0 * dx, y0 + t0 * dy);
    if (t1 === 1) this.write("L", x, y);
    else this.write("L", x0 + t1 * dx, y0 + t1 * dy);
  }
}

/**
 * Path data through `points` ([[x, y], …], in pixels) cut at `box` ({ left, right,
 * top, bottom }), as a chart writes a line cut at its frame (exported for the tests).
 */
export function framedPath(points, box) {
  const pen = new FramePen(box);
  for (const [x, y] of points) pen.to(x, y);
  return pen.d;
}

/**
 * The points of a long line that fall in one pixel column: its first, lowest and
 * highest (y grows downwards in pixels) and last, each with its rank in the column.
 * `flush(pen)` draws them in the order they came, each once.
 */
class Column {
  start(x, y) {
    this.firstX = this.lowX = this.highX = this.lastX = x;
    this.firstY = this.lowY = this.highY = this.lastY = y;
    this.lowRank = this.highRank = this.lastRank = 0;
  }

  add(x, y) {
    this.lastRank += 1;
    this.lastX = x;
    this.lastY = y;
    if (y > this.lowY) {
      this.lowRank = this.lastRank;
      this.lowX = x;
      this.lowY = y;
    }
    if (y < this.highY) {
      this.highRank = this.lastRank;
      this.highX = x;
      this.highY = y;
    }
  }

  flush(pen) {
    const { lowRank, highRank, lastRank } = this;
    pen.to(this.firstX, this.firstY);
    if (lowRank <= highRank) {
      if (lowRank > 0) pen.to(this.lowX, this.lowY);
      if (highRank > lowRank) pen.to(this.highX, this.highY);
      if (lastRank > highRank) pen.to(this.lastX, this.lastY);
    } else {
      if (highRank > 0) pen.to(this.highX, this.highY);
      pen.to(this.lowX, this.lowY);
      if (lastRank > lowRank) pen.to(this.lastX, this.lastY);
    }
  }
}

/**
 * A series' path data ("M x,y L x,y …", in pixels) through its drawable points.
 * A long series whose x only grows keeps, in each pixel column, its first, lowest,
 * highest and last point: the line (2 pixels wide or more) drawn through them
 * covers the same pixels as through all of them, and a 4,000-sample signal on a
 * 500-pixel chart costs the browser about a thousand points. Written point by
 * point, with no array per point: a slider move redraws thousands of points. The
 * line is cut at the frame (`FramePen`).
 */
function pathData([xs, ys], f, logY) {
  const pen = new FramePen({
    left: MARGIN.left,
    right: MARGIN.left + f.W,
    top: MARGIN.top,
    bottom: MARGIN.top + f.H,
  });
  let count = 0;
  let growing = true;
  let last = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (!drawable(xs[i], ys[i], logY)) continue;
    const px = f.px(xs[i]);
    if (px < last) growing = false;
    last = px;
    count += 1;
  }
  const thin = count > 2 * f.W && growing;
  const column = new Column();
  let at = Number.NaN; // the pixel column of the points in `column`
  for (let i = 0; i < xs.length; i++) {
    if (!drawable(xs[i], ys[i], logY)) continue;
    const px = f.px(xs[i]);
    const py = f.py(ys[i]);
    if (!thin) pen.to(px, py);
    else if (Math.floor(px) === at) column.add(px, py);
    else {
      if (!Number.isNaN(at)) column.flush(pen);
      at = Math.floor(px);
      column.start(px, py);
    }
  }
  if (thin && !Number.isNaN(at)) column.flush(pen);
  return pen.d;
}

/** A series' path and its look, as attributes. */
function pathAttributes(se, k, cols, f, logY) {
  return {
    d: pathData(cols, f, logY),
    stroke: se.color || PALETTE[k % PALETTE.length],
    "stroke-width": String(se.width || 2),
    "stroke-dasharray": se.dashed ? "6 4" : "none",
    "data-name": se.name,
  };
}

/** A sample of each series' line and its name, top left: the legend's children. */
function legend(series) {
  return series.flatMap((se, k) => {
    const y = MARGIN.top + 14 + 16 * k;
    const [x1, x2] = [MARGIN.left + 10, MARGIN.left + 34];
    const sample = {
      x1,
      x2,
      y1: y - 4,
      y2: y - 4,
      stroke: se.color || PALETTE[k % PALETTE.length],
      "stroke-width": 2,
      "stroke-dasharray": se.dashed ? "6 4" : "none",
    };
    return [svgElement("line", sample), svgElement("text", { x: MARGIN.left + 40, y }, se.name)];
  });
}

/** Set the attributes of `el` that differ from `attrs`: an unchanged one costs nothing. */
function update(el, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    const text = String(value);
    if (el.getAttribute(name) !== text) el.setAttribute(name, text);
  }
}

/** The chart's elements for one size: the <svg>, and the groups that change. */
function skeleton(width, height) {
  const svg = svgElement("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    class: "cl-chart",
  });
  const title = svgElement("title");
  // The axes: the x ticks, the y ticks, then the frame and the axis labels.
  const axesGroups = { x: svgElement("g"), y: svgElement("g"), frame: svgElement("g") };
  const axesGroup = svgElement("g", { class: "cl-axes" });
  axesGroup.append(axesGroups.x, axesGroups.y, axesGroups.frame);
  const legendGroup = svgElement("g", { class: "cl-legend" });
  svg.append(title, axesGroup, legendGroup);
  return { svg, title, axesGroups, legendGroup, paths: [], keys: {} };
}

/**
 * A line chart drawn in `holder` and redrawn in place by the function this
 * returns, `draw(series, opts)`.
 *
 * `series` is [{name, points: [[x, y], ...], dashed?, color?, width?, runsOff?}]
 * (`runsOff`: a guide line the axes need not hold); a long series may give its
 * points as two arrays instead, `x: [...], y: [...]`, in place of `points`.
 * Options: width, height, xLabel, yLabel, logY (base-10 axis for positive y),
 * yMin/yMax to fix the range, snap (the ranges end on ticks: for data that change
 * at every move), xTick/yTick (a tick's label from its value), title (for screen
 * readers).
 *
 * A redraw keeps the <svg> and sets only what changed: the lines' attributes, and
 * the axes or the legend when their ticks or names differ. A slider move that
 * shifts one line then costs the browser that line, not a new drawing.
 */
export function chartIn(holder) {
  let shown = null;
  return (series, opts = {}) => {
    const { width = 460, height = 240, xLabel = "", yLabel = "", logY = false } = opts;
    const { xTick = formatTick, yTick = formatTick, title = "" } = opts;
    const cols = series.map(columns);
    const { yMin, yMax, snap = false } = opts;
    const f = frame(series, cols, { width, height, logY, yMin, yMax, snap });
    if (shown?.size !== `${width}×${height}`) {
      shown = { ...skeleton(width, height), size: `${width}×${height}` };
      holder.replaceChildren(shown.svg);
    }
    setText(shown.title, title);
    const t = ticks(f, logY);
    const label =
      (tick) =>
      ([v, at]) =>
        `${at.toFixed(2)}:${tick(v)}`;
    const axesKey = [...t.x.map(label(xTick)), "|", ...t.y.map(label(yTick)), xLabel, yLabel];
    if (shown.keys.axes !== axesKey.join()) {
      shown.keys.axes = axesKey.join();
      const parts = axes(f, t, { height, xLabel, yLabel, xTick, yTick });
      for (const [name, group] of Object.entries(shown.axesGroups)) showParts(group, parts[name]);
    }
    while (shown.paths.length > series.length) shown.paths.pop().remove();
    while (shown.paths.length < series.length) {
      const path = svgElement("path", { fill: "none", class: "cl-series" });
      shown.legendGroup.before(path);
      shown.paths.push(path);
    }
    series.forEach((se, k) => {
      const path = shown.paths[k];
      update(path, pathAttributes(se, k, cols[k], f, logY));
      path.toggleAttribute("data-runs-off", Boolean(se.runsOff));
    });
    // The legend is drawn again when its lines change; a name that changes (a rate
    // in it, at every move) is rewritten in place.
    const legendKey = series.map((se) => [se.color, se.dashed]).join("|");
    if (shown.keys.legend !== legendKey) {
      shown.keys.legend = legendKey;
      shown.legendGroup.replaceChildren(...legend(series));
    }
    const names = shown.legendGroup.querySelectorAll("text");
    series.forEach((se, k) => {
      setText(names[k], se.name);
    });
  };
}
