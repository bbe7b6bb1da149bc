// A small SVG line chart for the widgets that draw curves (loss curves, signals,
// counts against size). No dependencies, no CDN.

import { formatNumber } from "../widgets/text.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const MARGIN = { left: 58, right: 12, top: 12, bottom: 40 };
const PALETTE = ["#2f6fb3", "#d9822b", "#3a9a5b", "#b03a48"];

/** Create an SVG element with attributes (and text). */
export function svgElement(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Round tick values covering [lo, hi]: about `count` of them, at 1, 2 or 5 × 10^k. */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw);
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
 * The chart's frame: the plotting area inside the margins, and `px`, `py` from
 * data to pixels. The ranges cover every drawable point, unless `yMin`/`yMax` fix y.
 */
function frame(series, { width, height, logY, yMin, yMax }) {
  const W = width - MARGIN.left - MARGIN.right;
  const H = height - MARGIN.top - MARGIN.bottom;
  const ty = (y) => (logY ? Math.log10(y) : y);
  const pts = series.flatMap((se) => se.points).filter((p) => drawable(p, logY));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => ty(p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [
    yMin !== undefined ? ty(yMin) : Math.min(...ys),
    yMax !== undefined ? ty(yMax) : Math.max(...ys),
  ];
  if (!pts.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x) => MARGIN.left + ((x - x0) / (x1 - x0)) * W;
  const py = (y) => MARGIN.top + H - ((ty(y) - y0) / (y1 - y0)) * H;
  return { W, H, x0, x1, y0, y1, px, py };
}

/** A point the chart can draw: finite, and positive on a log axis. */
function drawable([x, y], logY) {
  return Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
}

/** Grid lines, tick labels, the frame and the axis labels. */
function axes(f, { height, xLabel, yLabel, logY }) {
  const { W, H, px, py } = f;
  const g = svgElement("g", { class: "cl-axes" });
  const xt = niceTicks(f.x0, f.x1, 6);
  const yt = logY
    ? Array.from(
        { length: Math.floor(f.y1) - Math.ceil(f.y0) + 1 },
        (_, i) => 10 ** (Math.ceil(f.y0) + i),
      )
    : niceTicks(f.y0, f.y1, 5);
  const [left, top] = [MARGIN.left, MARGIN.top];
  for (const t of xt) {
    g.append(svgElement("line", { x1: px(t), x2: px(t), y1: top, y2: top + H, class: "cl-grid" }));
    g.append(
      svgElement("text", { x: px(t), y: top + H + 16, "text-anchor": "middle" }, formatTick(t)),
    );
  }
  for (const t of yt) {
    g.append(
      svgElement("line", { x1: left, x2: left + W, y1: py(t), y2: py(t), class: "cl-grid" }),
    );
    g.append(
      svgElement("text", { x: left - 6, y: py(t) + 4, "text-anchor": "end" }, formatTick(t)),
    );
  }
  g.append(svgElement("rect", { x: left, y: top, width: W, height: H, class: "cl-frame" }));
  g.append(svgElement("text", { x: left + W / 2, y: height - 6, "text-anchor": "middle" }, xLabel));
  const middle = top + H / 2;
  const turned = {
    x: 12,
    y: middle,
    "text-anchor": "middle",
    transform: `rotate(-90 12 ${middle})`,
  };
  g.append(svgElement("text", turned, yLabel));
  return g;
}

/** One path per series, clipped to the plotting area (`clipId`). */
function lines(series, f, logY, clipId) {
  return series.map((se, k) => {
    const d = se.points
      .filter((p) => drawable(p, logY))
      .map(([x, y], i) => `${i ? "L" : "M"}${f.px(x).toFixed(2)},${f.py(y).toFixed(2)}`)
      .join("");
    return svgElement("path", {
      d,
      fill: "none",
      stroke: se.color || PALETTE[k % PALETTE.length],
      "stroke-width": se.width || 2,
      "stroke-dasharray": se.dashed ? "6 4" : "none",
      "clip-path": `url(#${clipId})`,
      class: "cl-series",
      "data-name": se.name,
    });
  });
}

/** A sample of each series' line and its name, top left. */
function legend(series) {
  const g = svgElement("g", { class: "cl-legend" });
  series.forEach((se, k) => {
    const y = MARGIN.top + 14 + 16 * k;
    const [x1, x2] = [MARGIN.left + 10, MARGIN.left + 34];
    const color = se.color || PALETTE[k % PALETTE.length];
    const dash = se.dashed ? "6 4" : "none";
    const sample = {
      x1,
      x2,
      y1: y - 4,
      y2: y - 4,
      stroke: color,
      "stroke-width": 2,
      "stroke-dasharray": dash,
    };
    g.append(svgElement("line", sample));
    g.append(svgElement("text", { x: MARGIN.left + 40, y }, se.name));
  });
  return g;
}

/**
 * A line chart. `series` is [{name, points: [[x, y], ...], dashed?, color?, width?}].
 * Options: width, height, xLabel, yLabel, logY (base-10 axis for positive y),
 * yMin/yMax to fix the range, title (for screen readers).
 * Returns an <svg> element; redraw by calling again and replacing it.
 */
export function lineChart(series, opts = {}) {
  const { width = 460, height = 240, xLabel = "", yLabel = "", logY = false, title = "" } = opts;
  const f = frame(series, { width, height, logY, yMin: opts.yMin, yMax: opts.yMax });
  const svg = svgElement("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: "img",
    class: "cl-chart",
  });
  if (title) svg.append(svgElement("title", {}, title));
  svg.append(axes(f, { height, xLabel, yLabel, logY }));
  const clipId = `cl-clip-${Math.random().toString(36).slice(2)}`;
  const clip = svgElement("clipPath", { id: clipId });
  clip.append(svgElement("rect", { x: MARGIN.left, y: MARGIN.top, width: f.W, height: f.H }));
  svg.append(clip, ...lines(series, f, logY, clipId), legend(series));
  return svg;
}
