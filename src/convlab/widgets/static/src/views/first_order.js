// The first-order system (chapter 1): a rectangular pulse through
// h(t) = (1/T) e^(−t/T). The browser convolves the samples, y ≈ dt · (x * h),
// and draws the result under the closed form (dashed).

import { rectangleResponse, simulateRectangle } from "../signals.js";
import { chartIn } from "../ui/chart.js";
import { problemBox, slider, stopsSlider } from "../ui/controls.js";
import { CHART_WIDTH, h, onWidthChange, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { stepProblem } from "../widgets/first_order.js";
import { formatCount, formatSig } from "../widgets/text.js";

const CLOSED_FORM_POINTS = 600;

/** The sliders for T and W, and dt over its stops. */
function sliders(model) {
  const pick = (trait) => (v) => commit(model, { [trait]: v });
  const range = (trait) => ({ ...limitsOf(model, trait), value: model.get(trait) });
  return {
    T: slider("Time constant T", range("T"), pick("T")),
    W: slider("Pulse width W", range("W"), pick("W")),
    dt: stopsSlider("Time step dt", limitsOf(model, "dt").stops, model.get("dt"), pick("dt")),
  };
}

/** The table of numbers: the numeric convolution against the closed form. */
function numbersTable() {
  const cell = (key) => h("td", { "data-cell": key });
  const cells = {
    samples: cell("samples"),
    peakExact: cell("peak-exact"),
    peakNumeric: cell("peak-numeric"),
    error: cell("max-error"),
    bound: cell("dt-over-T"),
  };
  const line = (name, td) => h("tr", {}, h("th", { scope: "row" }, name), td);
  const table = h(
    "table",
    { class: "cl-counts" },
    h("caption", {}, "Numeric convolution against the closed form"),
    h(
      "tbody",
      {},
      line("samples at t = 0, dt, 2dt, …, ⌈W + 5T⌉", cells.samples),
      line("peak y(W) = 1 − e^(−W/T), closed form", cells.peakExact),
      line("peak of the numeric y", cells.peakNumeric),
      line("max |numeric − closed form|", cells.error),
      line("dt / T", cells.bound),
    ),
  );
  return { cells, table };
}

/**
 * The input pulse, the numeric response (when dt can represent it) and the closed
 * form, drawn by `draw` (a chartIn).
 */
function chart(draw, { T, W, problem, sim }, width) {
  const tMax = Math.ceil(W + 5 * T);
  const fine = Array.from(
    { length: CLOSED_FORM_POINTS + 1 },
    (_, i) => (i * tMax) / CLOSED_FORM_POINTS,
  );
  const times = [...fine, W].sort((a, b) => a - b);
  const closed = { x: times, y: times.map((t) => rectangleResponse(t, T, W)) };
  const pulse = [
    [0, 0],
    [0, 1],
    [W, 1],
    [W, 0],
    [tMax, 0],
  ];
  const series = [{ name: "input x(t)", points: pulse, color: "#888", width: 1.5 }];
  if (!problem) {
    series.push({ name: "numeric dt·(x ∗ h)", x: sim.t, y: sim.y, color: "#2f6fb3", width: 2.5 });
  }
  series.push({ name: "closed form", ...closed, dashed: true, color: "#d9822b" });
  // Room at the top for the legend.
  const top = 1.45 * (problem ? 1 : Math.max(1, ...sim.y));
  draw(series, {
    width,
    height: 260,
    yMin: 0,
    yMax: Math.ceil(top * 10) / 10,
    xLabel: "time t",
    yLabel: "y(t)",
    title: `Response of the first-order system with T = ${T} to a pulse of width ${W}`,
  });
}

function render({ model, el }) {
  const controls = sliders(model);
  const message = problemBox();
  const { cells, table } = numbersTable();
  const chartHolder = h("div", { class: "cl-chart-holder" });
  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-first-order" },
      h("div", { class: "cl-controls" }, controls.T.el, controls.W.el, controls.dt.el),
      message.el,
      chartHolder,
      h("div", { class: "cl-table-scroll" }, table),
      h(
        "p",
        { class: "cl-hint" },
        "Solid: the numeric convolution, recomputed in your browser. Dashed: the closed form. " +
          "While the pulse is on, y rises like 1 − e^(−t/T); after it ends, the afterglow (e^(W/T) − 1) e^(−t/T) decays.",
      ),
    ),
  );

  let current = null;
  let width = CHART_WIDTH;
  const drawIn = chartIn(chartHolder);
  const drawChart = () => current && chart(drawIn, current, width);
  function draw() {
    const [T, W, dt] = ["T", "W", "dt"].map((t) => model.get(t));
    for (const [trait, control] of Object.entries(controls)) control.set(model.get(trait));
    const problem = stepProblem(T, W, dt);
    message.show(problem);
    setText(cells.peakExact, formatSig(1 - Math.exp(-W / T)));
    setText(cells.bound, formatSig(dt / T));
    const sim = problem ? null : simulateRectangle(T, W, dt);
    current = { T, W, problem, sim };
    if (problem) {
      for (const key of ["samples", "peakNumeric", "error"]) setText(cells[key], "—");
    } else {
      setText(cells.samples, formatCount(sim.t.length));
      setText(cells.peakNumeric, formatSig(Math.max(...sim.y)));
      setText(cells.error, formatSig(sim.maxError));
    }
    drawChart();
  }

  const unsubscribe = onChanges(model, ["T", "W", "dt"], draw);
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
