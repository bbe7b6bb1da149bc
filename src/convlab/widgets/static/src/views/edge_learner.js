// The edge learner (chapter 3): gradient descent learns the edge kernel [1, −1],
// or overshoots. A loss curve, the kernel's path, and the verdict in words.

import { chartIn } from "../ui/chart.js";
import { choiceField, problemBox, slider, stopsSlider } from "../ui/controls.js";
import { h, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { showMatrices } from "../ui/tables.js";
import { learnEdge } from "../widgets/edge_learner.js";
import { formatShort } from "../widgets/text.js";

const TARGET = [1, -1];
const CHART = { width: 320, height: 250 };

/** A "+" (or "×") drawn as one polyline around (x, y), d wide: a marker for a chart. */
function marker(x, y, d, cross = false) {
  return cross
    ? [
        [x - d, y - d],
        [x + d, y + d],
        [x, y],
        [x - d, y + d],
        [x + d, y - d],
      ]
    : [
        [x - d, y],
        [x + d, y],
        [x, y],
        [x, y - d],
        [x, y + d],
      ];
}

/** The learning rate (over its stops), the steps, the loss and the bias switch. */
function controls(model) {
  const lr = stopsSlider(
    "Learning rate",
    limitsOf(model, "lr").stops,
    model.get("lr"),
    (v) => commit(model, { lr: v }),
    formatShort,
  );
  const steps = slider("Steps", { ...limitsOf(model, "steps"), value: model.get("steps") }, (v) =>
    commit(model, { steps: v }),
  );
  const lossLabels = { sum: h("span", {}), mean: h("span", {}) };
  const loss = choiceField("Loss", Object.entries(lossLabels), (value) =>
    commit(model, { loss: value }),
  );
  const bias = h("input", { type: "checkbox" });
  bias.addEventListener("change", () => commit(model, { bias: bias.checked }));
  const el = [
    h("div", { class: "cl-controls" }, lr.el, steps.el),
    h(
      "div",
      { class: "cl-controls" },
      loss.el,
      h("label", { class: "cl-check" }, bias, " learn a bias b"),
    ),
  ];
  return { el, lr, steps, loss, lossLabels, bias };
}

/**
 * The loss per step on a log scale, with the slope the worst direction predicts,
 * drawn by `draw` (a chartIn).
 */
function lossChart(draw, losses, loss, eigenvalues, lr) {
  const done = losses.length - 1;
  // Each step multiplies the loss by about the worst factor (1 − lr·λ)² in the end.
  const worst = Math.max(...eigenvalues.map((lam) => Math.abs(1 - lr * lam)));
  const steps = losses.map((_, t) => t);
  const positive = losses.filter((L) => L > 0 && Number.isFinite(L));
  const top = Math.max(...positive);
  // Show the losses down to 8 decades below the largest; the line runs on below the axis.
  const floor = Math.max(Math.min(...positive), top * 1e-8);
  let anchor = done;
  while (anchor > 0 && !(losses[anchor] >= floor)) anchor--;
  const first = Math.max(anchor - 40, 0);
  const slope = steps
    .slice(first, anchor + 1)
    .map((t) => [t, losses[anchor] * (worst * worst) ** (t - anchor)]);
  const series = [
    // Columns, not a pair per step: a move charts up to 200 steps.
    { name: `loss (${loss})`, x: steps, y: losses },
    {
      name: `× ${formatShort(worst * worst)} per step`,
      points: slope,
      dashed: true,
      color: "#888",
      runsOff: true,
    },
  ];
  draw(series, {
    ...CHART,
    xLabel: "step",
    yLabel: "loss (log scale)",
    logY: true,
    // The axis starts at a decade, so that a tick is labelled below the lowest loss shown.
    yMin: 10 ** Math.floor(Math.log10(floor)),
    yMax: top * (top / floor) ** 0.25, // room for the legend
    snap: true, // steady axes while the rate is dragged
    title: `The loss after each of ${done} steps`,
  });
}

/** The kernel's path in the plane (k₀, k₁), from its start towards the target [1, −1]. */
function pathChart(draw, kernels) {
  const [k0, k1] = [kernels.map((K) => K[0][0]), kernels.map((K) => K[0][1])];
  const xs = [...k0, TARGET[0]];
  const ys = [...k1, TARGET[1]];
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 0.5);
  const d = 0.04 * span;
  const [yLo, yHi] = [Math.min(...ys) - d, Math.max(...ys) + d];
  const series = [
    { name: "kernel (k₀, k₁) per step", x: k0, y: k1 },
    { name: "start", points: marker(k0[0], k1[0], d, true), color: "#d9822b" },
    { name: "target [1, −1]", points: marker(TARGET[0], TARGET[1], 1.5 * d), color: "#3a9a5b" },
  ];
  draw(series, {
    ...CHART,
    xLabel: "k₀ (left weight)",
    yLabel: "k₁ (right weight)",
    yMin: yLo,
    yMax: yLo + (yHi - yLo) / 0.68, // room for the legend above the path
    snap: true,
    title: "The kernel's path from its start towards [1, −1]",
  });
}

/**
 * The start, the kernel and bias after the last step, and the output Ŷ (targets
 * marked), in `parts`' holders; each cell keeps its full-precision number in data-value.
 */
function showTables(parts, history, K0, Y, bias) {
  const done = history.losses.length - 1;
  const exact = (M) => (i, j, td) => {
    if (td.dataset.value !== String(M[i][j])) td.dataset.value = String(M[i][j]);
  };
  const K = history.kernels[done];
  const b = [[history.biases?.[done]]];
  const weights = [
    [K0, "Start K", exact(K0)],
    [K, `K after step ${done}`, exact(K)],
  ];
  if (bias) weights.push([b, `b after step ${done}`, exact(b)]);
  showMatrices(parts.weightsHolder, weights);
  const target = (i, j, td) => {
    exact(history.output)(i, j, td);
    td.classList.toggle("cl-on", Y[i][j] !== 0);
  };
  showMatrices(parts.outputHolder, [[history.output, `Output Ŷ after step ${done}`, target]]);
}

function render({ model, el }) {
  const c = controls(model);
  const parts = {
    curvature: h("p", { class: "cl-hint cl-curvature" }),
    verdict: h("p", { class: "cl-verdict" }),
    alert: problemBox(),
    summary: h("p", { class: "cl-sum cl-loss-line", "aria-live": "polite" }),
    lossHolder: h("div", { class: "cl-chart-box" }),
    pathHolder: h("div", { class: "cl-chart-box" }),
    weightsHolder: h("div", { class: "cl-weights" }),
    outputHolder: h("div", { class: "cl-output-box" }),
  };
  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-edge-learner" },
      ...c.el,
      parts.curvature,
      parts.verdict,
      parts.alert.el,
      parts.summary,
      h("div", { class: "cl-charts" }, parts.lossHolder, parts.pathHolder),
      h("div", { class: "cl-stage" }, parts.weightsHolder, parts.outputHolder),
      h(
        "p",
        { class: "cl-hint" },
        "The image is chapter 3's 6×8 white image with a black band; the target Y is its edges " +
          "as [1, −1] finds them. The start is PyTorch's seeded initialisation.",
      ),
    ),
  );
  parts.lossChart = chartIn(parts.lossHolder);
  parts.pathChart = chartIn(parts.pathHolder);
  const traits = ["lr", "steps", "loss", "bias", "init_kernel", "init_bias"];
  return onChanges(model, traits, () => draw(model, c, parts));
}

/**
 * Redraw from the model: train, then the texts, both charts and the tables, each
 * changed in place (only what differs from the last setting is rewritten).
 */
function draw(model, c, parts) {
  const [X, Y, lr, steps, loss, bias] = ["X", "Y", "lr", "steps", "loss", "bias"].map((t) =>
    model.get(t),
  );
  const [K0, b0] = [[model.get("init_kernel")], model.get("init_bias")];
  c.lr.set(lr);
  c.steps.set(steps);
  c.loss.check(loss);
  setText(c.lossLabels.sum, "sum Σ(Ŷ − Y)²");
  setText(c.lossLabels.mean, `mean (the sum ÷ ${Y.length * Y[0].length})`);
  c.bias.checked = bias;

  const { history, eigenvalues, report, stopped } = learnEdge(X, Y, K0, b0, {
    lr,
    steps,
    loss,
    bias,
  });
  const done = history.losses.length - 1;
  setText(parts.curvature, report.curvature);
  const stop = stopped ? ` ${stopped}` : "";
  // A diverging rate is the one "impossible" setting: say so as an alert.
  setText(parts.verdict, report.diverging ? "" : report.verdict + stop);
  if (parts.verdict.hidden !== report.diverging) parts.verdict.hidden = report.diverging;
  parts.alert.show(report.diverging ? report.verdict + stop : "");
  const [first, last] = [history.losses[0], history.losses[done]];
  setText(
    parts.summary,
    `Loss after step ${done}: ${formatShort(last)} (at the start: ${formatShort(first)})`,
  );
  if (parts.summary.dataset.loss !== String(last)) parts.summary.dataset.loss = String(last);

  lossChart(parts.lossChart, history.losses, loss, eigenvalues, lr);
  pathChart(parts.pathChart, history.kernels);
  showTables(parts, history, K0, Y, bias);
}

export default { render };
