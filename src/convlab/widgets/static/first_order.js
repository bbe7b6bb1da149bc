// first_order.js: a rectangular pulse through the first-order system
// h(t) = (1/T) e^(−t/T). The browser convolves the samples, y ≈ dt · (x * h),
// and draws the result under the closed form (dashed).
// Uses convmath.js, ui.js and svgplot.js, which are bundled in front of this file.

// The slider stops (the same as convlab.widgets.first_order).
const T_RANGE = [0.1, 3];
const W_RANGE = [0.1, 5];
const STEPS = [0.2, 0.1, 0.05, 0.02, 0.01, 0.005];
const CLOSED_FORM_POINTS = 600;

function render({ model, el }) {
  const get = () => ({ T: model.get("T"), W: model.get("W"), dt: model.get("dt") });

  // --- controls ---------------------------------------------------------
  const T = slider("Time constant T", { min: T_RANGE[0], max: T_RANGE[1], step: 0.1, value: get().T }, (v) =>
    commit(model, { T: v }),
  );
  const W = slider("Pulse width W", { min: W_RANGE[0], max: W_RANGE[1], step: 0.1, value: get().W }, (v) =>
    commit(model, { W: v }),
  );
  const stepIndex = (dt) => STEPS.reduce((best, s, i) => (Math.abs(s - dt) < Math.abs(STEPS[best] - dt) ? i : best), 0);
  const dt = slider("Time step dt", { min: 0, max: STEPS.length - 1, value: stepIndex(get().dt) }, (i) => {
    showStep(STEPS[i]);
    commit(model, { dt: STEPS[i] });
  });
  const dtOut = dt.el.querySelector("output");
  const showStep = (v) => {
    dtOut.textContent = String(v);
    dt.input.setAttribute("aria-valuetext", String(v));
  };
  const message = problemBox();

  // --- the numbers ------------------------------------------------------
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
  const chartHolder = h("div", { class: "cl-chart-holder" });

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-first-order" },
      h("div", { class: "cl-controls" }, T.el, W.el, dt.el),
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

  // --- redraw from the model ---------------------------------------------
  let current = null;
  let width = CHART_WIDTH;
  function chart() {
    if (!current) return;
    const { T: tc, W: w, problem, sim } = current;
    const tMax = Math.ceil(w + 5 * tc);
    const fine = Array.from({ length: CLOSED_FORM_POINTS + 1 }, (_, i) => (i * tMax) / CLOSED_FORM_POINTS);
    const closed = [...fine, w].sort((a, b) => a - b).map((t) => [t, firstOrderPulse(t, tc, w)]);
    const series = [
      { name: "input x(t)", points: [[0, 0], [0, 1], [w, 1], [w, 0], [tMax, 0]], color: "#888", width: 1.5 },
    ];
    if (!problem) {
      series.push({ name: "numeric dt·(x ∗ h)", points: sim.t.map((t, k) => [t, sim.y[k]]), color: "#2f6fb3", width: 2.5 });
    }
    series.push({ name: "closed form", points: closed, dashed: true, color: "#d9822b" });
    // Room at the top for the legend.
    const top = 1.45 * (problem ? 1 : Math.max(1, ...sim.y));
    chartHolder.replaceChildren(
      lineChart(series, {
        width,
        height: 260,
        yMin: 0,
        yMax: Math.ceil(top * 10) / 10,
        xLabel: "time t",
        yLabel: "y(t)",
        title: `Response of the first-order system with T = ${tc} to a pulse of width ${w}`,
      }),
    );
  }

  function draw() {
    const { T: tc, W: w, dt: step } = get();
    T.set(tc);
    W.set(w);
    dt.set(stepIndex(step));
    showStep(step);
    const problem = firstOrderProblem(tc, w, step);
    message.show(problem);
    cells.peakExact.textContent = formatSig(1 - Math.exp(-w / tc));
    cells.bound.textContent = formatSig(step / tc);
    if (problem) {
      current = { T: tc, W: w, problem, sim: null };
      for (const key of ["samples", "peakNumeric", "error"]) cells[key].textContent = "—";
    } else {
      const sim = firstOrderSimulation(tc, w, step);
      current = { T: tc, W: w, problem, sim };
      cells.samples.textContent = groupDigits(sim.t.length);
      cells.peakNumeric.textContent = formatSig(Math.max(...sim.y));
      cells.error.textContent = formatSig(sim.maxError);
    }
    chart();
  }

  const unsubscribe = onChanges(model, ["T", "W", "dt"], draw);
  const disconnect = onWidthChange(chartHolder, (w) => {
    width = w;
    chart();
  });
  return () => {
    disconnect();
    unsubscribe();
  };
}

export default { render };
