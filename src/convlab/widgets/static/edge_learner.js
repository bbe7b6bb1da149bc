// edge_learner.js: gradient descent learns the edge kernel [1, −1], or overshoots.
// Uses convmath.js (learnKernel, lossHessian, rateReport, ...), ui.js and
// svgplot.js, which are bundled in front of this file.

// The learning-rate slider walks through these values (about log-spaced, 1e-3 to 2).
// 1.26 = 42 × 0.03: the mean loss at that rate retraces the summed loss at 0.03.
const EDGE_LEARNING_RATES = [1, 2, 3].flatMap((decade) =>
  [1, 1.2, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8].map((m) => Number((m * 10 ** (decade - 4)).toPrecision(3))),
);
EDGE_LEARNING_RATES.push(1, 1.26, 1.5, 2);
const EDGE_MAX_STEPS = 200;
const EDGE_LOSS_CAP = 1e6; // edge_learner.LOSS_CAP: past it a run has diverged
const EDGE_TARGET = [1, -1];

/** The slider position whose learning rate is nearest to lr (on a log scale). */
function edgeRateIndex(lr) {
  let best = 0;
  EDGE_LEARNING_RATES.forEach((v, i) => {
    if (Math.abs(Math.log(v / lr)) < Math.abs(Math.log(EDGE_LEARNING_RATES[best] / lr))) best = i;
  });
  return best;
}

/** A "+" (or "×") drawn as one polyline around (x, y), d wide: a marker for lineChart. */
function edgeMarker(x, y, d, cross = false) {
  return cross
    ? [[x - d, y - d], [x + d, y + d], [x, y], [x - d, y + d], [x + d, y - d]]
    : [[x - d, y], [x + d, y], [x, y], [x, y - d], [x, y + d]];
}

function render({ model, el }) {
  const get = () => ({
    X: model.get("X"),
    Y: model.get("Y"),
    lr: model.get("lr"),
    steps: model.get("steps"),
    loss: model.get("loss"),
    bias: model.get("bias"),
    K0: [model.get("init_kernel")],
    b0: model.get("init_bias"),
  });

  // --- controls ---------------------------------------------------------
  const lrSlider = slider("Learning rate", { min: 0, max: EDGE_LEARNING_RATES.length - 1, value: edgeRateIndex(0.03) }, (i) => {
    lrShown.textContent = formatShort(EDGE_LEARNING_RATES[i]);
    commit(model, { lr: EDGE_LEARNING_RATES[i] });
  });
  const lrShown = lrSlider.el.querySelector("output");
  const stepsSlider = slider("Steps", { min: 1, max: EDGE_MAX_STEPS, value: 20 }, (v) => commit(model, { steps: v }));

  const lossName = `cl-loss-${Math.random().toString(36).slice(2)}`;
  const lossInputs = {};
  const lossLabels = {};
  const lossField = h(
    "fieldset",
    { class: "cl-mode" },
    h("legend", {}, "Loss"),
    ...["sum", "mean"].map((value) => {
      const input = h("input", { type: "radio", name: lossName, value });
      input.addEventListener("change", () => commit(model, { loss: value }));
      lossInputs[value] = input;
      lossLabels[value] = h("span", {});
      return h("label", {}, input, " ", lossLabels[value]);
    }),
  );
  const biasInput = h("input", { type: "checkbox" });
  biasInput.addEventListener("change", () => commit(model, { bias: biasInput.checked }));
  const biasField = h("label", { class: "cl-check" }, biasInput, " learn a bias b");

  // --- what the run says ----------------------------------------------------
  const curvature = h("p", { class: "cl-hint cl-curvature" });
  const verdict = h("p", { class: "cl-verdict" });
  const alert = problemBox();
  const summary = h("p", { class: "cl-sum cl-loss-line", "aria-live": "polite" });
  const lossHolder = h("div", { class: "cl-chart-box" });
  const pathHolder = h("div", { class: "cl-chart-box" });
  const weightsHolder = h("div", { class: "cl-weights" });
  const outputHolder = h("div", { class: "cl-output-box" });

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-edge-learner" },
      h("div", { class: "cl-controls" }, lrSlider.el, stepsSlider.el),
      h("div", { class: "cl-controls" }, lossField, biasField),
      curvature,
      verdict,
      alert.el,
      summary,
      h("div", { class: "cl-charts" }, lossHolder, pathHolder),
      h("div", { class: "cl-stage" }, weightsHolder, outputHolder),
      h(
        "p",
        { class: "cl-hint" },
        "The image is the notes' 6×8 white image with a black band; the target Y is its edges " +
          "as [1, −1] finds them. The start is PyTorch's seeded initialisation.",
      ),
    ),
  );

  // --- redraw from the model ---------------------------------------------
  function draw() {
    const { X, Y, lr, steps, loss, bias, K0, b0 } = get();
    const n = Y.length * Y[0].length;
    lrSlider.set(edgeRateIndex(lr));
    lrShown.textContent = formatShort(lr);
    stepsSlider.set(steps);
    lossInputs[loss].checked = true;
    lossLabels.sum.textContent = "sum Σ(Ŷ − Y)²";
    lossLabels.mean.textContent = `mean (the sum ÷ ${n})`;
    biasInput.checked = bias;

    const run = learnKernel(X, Y, K0, b0, { lr, steps, loss, bias, stopAbove: EDGE_LOSS_CAP });
    const eigenvalues = symmetricEigenvalues(lossHessian(X, K0.length, K0[0].length, loss, bias));
    const report = rateReport(lr, eigenvalues);
    const done = run.losses.length - 1;
    curvature.textContent = report.curvature;
    const stopped = run.stopped ? " " + stopText(done, steps, run.losses[done], EDGE_LOSS_CAP) : "";
    // A diverging rate is the one "impossible" setting: say so as an alert.
    verdict.textContent = report.diverging ? "" : report.verdict + stopped;
    verdict.hidden = report.diverging;
    alert.show(report.diverging ? report.verdict + stopped : "");
    const last = run.losses[done];
    summary.textContent = `Loss after step ${done}: ${formatShort(last)} (at the start: ${formatShort(run.losses[0])})`;
    summary.dataset.loss = String(last);

    // Loss curve, log scale, with the predicted end slope (× the worst factor² per step).
    const worst = Math.max(...eigenvalues.map((lam) => Math.abs(1 - lr * lam)));
    const points = run.losses.map((L, t) => [t, L]);
    const positive = run.losses.filter((L) => L > 0 && Number.isFinite(L));
    const top = Math.max(...positive);
    // Show at most 8 decades below the largest loss; the line runs on below the axis.
    const floor = Math.max(Math.min(...positive), top * 1e-8);
    let anchor = done;
    while (anchor > 0 && !(run.losses[anchor] >= floor)) anchor--;
    const slope = points
      .filter(([t]) => t <= anchor && anchor - t <= 40)
      .map(([t]) => [t, run.losses[anchor] * (worst * worst) ** (t - anchor)]);
    lossHolder.replaceChildren(
      lineChart(
        [
          { name: `loss (${loss})`, points },
          { name: `× ${formatShort(worst * worst)} per step`, points: slope, dashed: true, color: "#888" },
        ],
        {
          width: 320,
          height: 250,
          xLabel: "step",
          yLabel: "loss (log scale)",
          logY: true,
          yMin: floor,
          yMax: top * (top / floor) ** 0.25, // room for the legend
          title: `The loss after each of ${done} steps`,
        },
      ),
    );

    // The kernel's path in the plane (k₀, k₁), towards the target [1, −1].
    const path = run.kernels.map((K) => [K[0][0], K[0][1]]);
    const xs = [...path.map((p) => p[0]), EDGE_TARGET[0]];
    const ys = [...path.map((p) => p[1]), EDGE_TARGET[1]];
    const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 0.5);
    const d = 0.04 * span;
    const [yLo, yHi] = [Math.min(...ys) - d, Math.max(...ys) + d];
    pathHolder.replaceChildren(
      lineChart(
        [
          { name: "kernel (k₀, k₁) per step", points: path },
          { name: "start", points: edgeMarker(path[0][0], path[0][1], d, true), color: "#d9822b" },
          { name: "target [1, −1]", points: edgeMarker(EDGE_TARGET[0], EDGE_TARGET[1], 1.5 * d), color: "#3a9a5b" },
        ],
        {
          width: 320,
          height: 250,
          xLabel: "k₀ (left weight)",
          yLabel: "k₁ (right weight)",
          yMin: yLo,
          yMax: yLo + (yHi - yLo) / 0.68, // room for the legend above the path
          title: "The kernel's path from its start towards [1, −1]",
        },
      ),
    );

    const K = run.kernels[done];
    const full = (v) => (td) => (td.dataset.value = String(v));
    weightsHolder.replaceChildren(
      matrixTable(K0, "Start K", (i, j, td) => full(K0[i][j])(td)),
      matrixTable(K, `K after step ${done}`, (i, j, td) => full(K[i][j])(td)),
      bias ? matrixTable([[run.biases[done]]], `b after step ${done}`, (i, j, td) => full(run.biases[done])(td)) : "",
    );
    outputHolder.replaceChildren(
      matrixTable(run.output, `Output Ŷ after step ${done}`, (i, j, td) => {
        full(run.output[i][j])(td);
        td.classList.toggle("cl-on", Y[i][j] !== 0);
      }),
    );
  }

  return onChanges(model, ["lr", "steps", "loss", "bias", "init_kernel", "init_bias"], draw);
}

export default { render };
