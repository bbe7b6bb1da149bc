// The parameter counter (chapter 1). A dense layer against a convolutional layer
// as the image grows: a log-scale chart of both counts and a table of the numbers.

import { formatBytes } from "../counting.js";
import { chartIn } from "../ui/chart.js";
import { problemBox, slider, stopsSlider } from "../ui/controls.js";
import { CHART_WIDTH, h, onWidthChange, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { count, sizeProblem } from "../widgets/params.js";
import { formatCount, formatRatio } from "../widgets/text.js";

const TRAITS = ["side", "channels", "hidden", "out_channels", "kernel"];
const CHANNEL_NAMES = { 1: "grey", 3: "RGB", 4: "RGBA" };
const SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const CHART_HEIGHT = 260;

/**
 * The chart has no log-scale x axis, so it plots log2(side) and labels its
 * ticks as sides (16, 64, …); y ticks read 10³, 10⁴, ….
 */
const sideTick = (v) => String(Math.round(2 ** v));
const decadeTick = (v) =>
  `10${[...String(Math.round(Math.log10(v)))].map((d) => SUPERSCRIPTS[d]).join("")}`;

/** The five settings, as count() takes them. */
function settings(model) {
  const [side, channels, hidden, outChannels, kernel] = TRAITS.map((t) => model.get(t));
  return { side, channels, hidden, outChannels, kernel };
}

/** One slider per setting: the image side and unit counts walk their stops. */
function sliders(model) {
  const pick = (trait) => (v) => commit(model, { [trait]: v });
  const stops = (trait, label, show) =>
    stopsSlider(label, limitsOf(model, trait).stops, model.get(trait), pick(trait), show);
  const plain = (trait, label) =>
    slider(label, { ...limitsOf(model, trait), value: model.get(trait) }, pick(trait));
  return {
    side: stops("side", "Image side", (v) => `${v} px`),
    channels: plain("channels", "Colour channels"),
    hidden: stops("hidden", "Hidden units"),
    out_channels: stops("out_channels", "Output channels"),
    kernel: plain("kernel", "Kernel size"),
  };
}

/** The table of parameters and memory: its cells by key, and the table itself. */
function countsTable() {
  const cells = {};
  const row = (key, name) => {
    cells[key] = ["params", "memory"].map((part) => h("td", { "data-cell": `${key}-${part}` }));
    return h("tr", {}, h("th", { scope: "row" }, name), ...cells[key]);
  };
  cells.ratio = h("td", { "data-cell": "ratio", colspan: "2" });
  const columns = ["layer", "parameters", "float32 memory"].map((c) =>
    h("th", { scope: "col" }, c),
  );
  const table = h(
    "table",
    { class: "cl-counts" },
    h("caption", {}, "Parameters (weights + biases) and their float32 memory"),
    h("thead", {}, h("tr", {}, ...columns)),
    h(
      "tbody",
      {},
      row("dense", "dense"),
      row("conv", "convolutional"),
      h("tr", {}, h("th", { scope: "row" }, "dense ÷ conv"), cells.ratio),
    ),
  );
  return { cells, table };
}

/**
 * Both counts against the image side on a log scale, with a marker at this image,
 * drawn by `draw` (a chartIn).
 */
function chart(draw, setting, sides, width) {
  const { channels: c, hidden: units, outChannels: co, kernel: k, side: n } = setting;
  const dense = sides.map((s) => [Math.log2(s), count(s, c, units, co, k).dense]);
  const conv = sides
    .filter((s) => s >= k)
    .map((s) => [Math.log2(s), count(s, c, units, co, k).conv]);
  const logs = [...dense, ...conv].map((p) => Math.log10(p[1]));
  const [lo, hi] = [Math.min(...logs), Math.max(...logs)];
  // Whole decades, with room at the top for the legend.
  const yMin = 10 ** Math.floor(lo);
  const yMax = 10 ** Math.ceil(hi + 0.35 * Math.max(hi - lo, 1));
  const marker = [
    [Math.log2(n), yMin],
    [Math.log2(n), yMax],
  ];
  const series = [
    { name: "dense layer", points: dense },
    { name: "convolutional layer", points: conv },
    {
      name: `this image (${n} px)`,
      points: marker,
      dashed: true,
      width: 1.5,
      color: "#888",
      runsOff: true, // from the bottom of the frame to its top
    },
  ];
  const flat = conv.length ? formatCount(conv[0][1]) : "no value";
  draw(series, {
    width,
    height: CHART_HEIGHT,
    logY: true,
    yMin,
    yMax,
    xLabel: "image side in pixels (log scale)",
    yLabel: "parameters",
    title: `Parameters against image side: the dense layer grows as the square of the side, the convolutional layer stays at ${flat}`,
    xTick: sideTick,
    yTick: decadeTick,
  });
}

/** The counts, their formulas and the summary for one setting. */
function showCounts(parts, { side: n, channels: c, hidden: units, outChannels: co, kernel: k }) {
  const { cells, denseFormula, convFormula, summary } = parts;
  const counts = count(n, c, units, co, k);
  const problem = sizeProblem(n, k);
  parts.message.show(problem);
  const [dp, dm] = cells.dense;
  setText(dp, formatCount(counts.dense));
  setText(dm, formatBytes(counts.denseBytes));
  setText(
    denseFormula,
    `dense: c·n²·H + H = ${c}·${n}²·${units} + ${units} = ${formatCount(counts.dense)}`,
  );
  const [cp, cm] = cells.conv;
  const convSum = `convolutional: cₒ·c·k² + cₒ = ${co}·${c}·${k}² + ${co}`;
  setText(
    convFormula,
    problem
      ? `${convSum}, but the kernel does not fit`
      : `${convSum} = ${formatCount(counts.conv)}`,
  );
  if (problem) {
    for (const td of [cp, cm, cells.ratio]) setText(td, "—");
    setText(summary, "");
    return;
  }
  setText(cp, formatCount(counts.conv));
  setText(cm, formatBytes(counts.convBytes));
  setText(cells.ratio, formatRatio(counts.dense, counts.conv));
  const plural = (v, word) => `${word}${v === 1 ? "" : "s"}`;
  setText(
    summary,
    `A ${n} × ${n} image with ${c} ${plural(c, "channel")} holds ${formatCount(counts.inputs)} numbers. ` +
      `The dense layer gives each of its ${units} hidden ${plural(units, "unit")} a weight for every one of them; ` +
      `the convolutional layer only needs ${co} ${plural(co, "kernel")} of ${c} × ${k} × ${k}, whatever the image size.`,
  );
}

function render({ model, el }) {
  const controls = sliders(model);
  const { cells, table } = countsTable();
  const parts = {
    cells,
    message: problemBox(),
    denseFormula: h("p", { class: "cl-filled", "data-cell": "dense-formula" }),
    convFormula: h("p", { class: "cl-filled", "data-cell": "conv-formula" }),
    summary: h("p", { class: "cl-hint" }),
  };
  const chartHolder = h("div", { class: "cl-chart-holder" });
  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-params" },
      h("div", { class: "cl-controls" }, ...TRAITS.map((t) => controls[t].el)),
      parts.message.el,
      chartHolder,
      h("div", { class: "cl-table-scroll" }, table),
      parts.denseFormula,
      parts.convFormula,
      parts.summary,
    ),
  );

  const sides = limitsOf(model, "side").stops;
  let width = CHART_WIDTH;
  const drawIn = chartIn(chartHolder);
  const drawChart = () => chart(drawIn, settings(model), sides, width);
  const channelsShown = controls.channels.el.querySelector("output");
  const draw = () => {
    const setting = settings(model);
    for (const t of TRAITS) controls[t].set(model.get(t));
    const c = setting.channels;
    setText(channelsShown, CHANNEL_NAMES[c] ? `${c} (${CHANNEL_NAMES[c]})` : String(c));
    showCounts(parts, setting);
    drawChart();
  };
  const unsubscribe = onChanges(model, TRAITS, draw);
  const disconnect = onWidthChange(chartHolder, (w) => {
    width = w;
    drawChart();
  });
  return () => {
    disconnect();
    unsubscribe();
  };
}

export default { render };
