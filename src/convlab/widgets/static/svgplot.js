// svgplot.js: a small SVG line chart shared by the widgets that draw curves
// (loss curves, signals, counts against size). No dependencies, no CDN.
// Uses h() from ui.js, which is bundled before this file.

const SVG_NS = "http://www.w3.org/2000/svg";

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

/**
 * A line chart. `series` is [{name, points: [[x, y], ...], dashed?, color?}].
 * Options: width, height, xLabel, yLabel, logY (base-10 axis for positive y),
 * yMin/yMax to fix the range, title (for screen readers).
 * Returns an <svg> element; redraw by calling again and replacing it.
 */
export function lineChart(series, opts = {}) {
  const { width = 460, height = 240, xLabel = "", yLabel = "", logY = false, title = "" } = opts;
  const m = { left: 58, right: 12, top: 12, bottom: 40 };
  const W = width - m.left - m.right;
  const H = height - m.top - m.bottom;
  const pts = series.flatMap((se) => se.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0));
  const ty = (y) => (logY ? Math.log10(y) : y);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => ty(p[1]));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [opts.yMin !== undefined ? ty(opts.yMin) : Math.min(...ys), opts.yMax !== undefined ? ty(opts.yMax) : Math.max(...ys)];
  if (!pts.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (x) => m.left + ((x - x0) / (x1 - x0)) * W;
  const py = (y) => m.top + H - ((ty(y) - y0) / (y1 - y0)) * H;

  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "cl-chart" });
  if (title) svg.append(svgElement("title", {}, title));
  const axes = svgElement("g", { class: "cl-axes" });
  const xt = niceTicks(x0, x1, 6);
  const yt = logY
    ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, i) => 10 ** (Math.ceil(y0) + i))
    : niceTicks(y0, y1, 5);
  for (const t of xt) {
    axes.append(svgElement("line", { x1: px(t), x2: px(t), y1: m.top, y2: m.top + H, class: "cl-grid" }));
    axes.append(svgElement("text", { x: px(t), y: m.top + H + 16, "text-anchor": "middle" }, formatTick(t)));
  }
  for (const t of yt) {
    axes.append(svgElement("line", { x1: m.left, x2: m.left + W, y1: py(t), y2: py(t), class: "cl-grid" }));
    axes.append(svgElement("text", { x: m.left - 6, y: py(t) + 4, "text-anchor": "end" }, formatTick(t)));
  }
  axes.append(svgElement("rect", { x: m.left, y: m.top, width: W, height: H, class: "cl-frame" }));
  axes.append(svgElement("text", { x: m.left + W / 2, y: height - 6, "text-anchor": "middle" }, xLabel));
  axes.append(
    svgElement("text", { x: 12, y: m.top + H / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${m.top + H / 2})` }, yLabel),
  );
  svg.append(axes);

  const clipId = `cl-clip-${Math.random().toString(36).slice(2)}`;
  const clip = svgElement("clipPath", { id: clipId });
  clip.append(svgElement("rect", { x: m.left, y: m.top, width: W, height: H }));
  svg.append(clip);
  const palette = ["#2f6fb3", "#d9822b", "#3a9a5b", "#b03a48"];
  series.forEach((se, k) => {
    const color = se.color || palette[k % palette.length];
    const d = se.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0))
      .map(([x, y], i) => `${i ? "L" : "M"}${px(x).toFixed(2)},${py(y).toFixed(2)}`)
      .join("");
    svg.append(
      svgElement("path", {
        d,
        fill: "none",
        stroke: color,
        "stroke-width": se.width || 2,
        "stroke-dasharray": se.dashed ? "6 4" : "none",
        "clip-path": `url(#${clipId})`,
        class: "cl-series",
        "data-name": se.name,
      }),
    );
  });
  const legend = svgElement("g", { class: "cl-legend" });
  series.forEach((se, k) => {
    const y = m.top + 14 + 16 * k;
    const color = se.color || palette[k % palette.length];
    legend.append(svgElement("line", { x1: m.left + 10, x2: m.left + 34, y1: y - 4, y2: y - 4, stroke: color, "stroke-width": 2, "stroke-dasharray": se.dashed ? "6 4" : "none" }));
    legend.append(svgElement("text", { x: m.left + 40, y }, se.name));
  });
  svg.append(legend);
  return svg;
}

function formatTick(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(0).replace("e+", "e");
  return formatNumber(v);
}
