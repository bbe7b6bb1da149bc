// The convolution explorer (chapter 4). Input and kernel size, padding, stride
// and dilation per axis; the padded input, the (dilated) kernel and the output;
// one output cell's window and sum; the output-size formula; the nn.Conv2d call.

import { correlate2d, pad2d, windowTerms } from "../kernels/correlation.js";
import { outputSize } from "../kernels/shapes.js";
import { full } from "../matrices.js";
import { problemBox, slider, windowStepper } from "../ui/controls.js";
import { h, redraw, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { markAll, markCells, matrixTable } from "../ui/tables.js";
import {
  conv2dCall,
  conv2dProblem,
  inputGrid,
  kernelGrid,
  sizeFormula,
  unreadCells,
} from "../widgets/explorer.js";
import { spelledSum } from "../widgets/text.js";

const PLAY_MS = 700;
// The settings, as traits `${key}_h` / `${key}_w`, and their sliders' names.
const SETTINGS = [
  ["n", "Input"],
  ["k", "Kernel"],
  ["p", "Padding"],
  ["s", "Stride"],
  ["d", "Dilation"],
];
const AXES = [
  ["h", "height"],
  ["w", "width"],
];
const TRAITS = ["position", ...SETTINGS.flatMap(([key]) => AXES.map(([axis]) => `${key}_${axis}`))];

/** The five settings as [height, width] pairs: n, k, s, p, d. */
function settings(model) {
  return ["n", "k", "s", "p", "d"].map((key) => [model.get(`${key}_h`), model.get(`${key}_w`)]);
}

/** One slider per setting and axis, with the ranges of the widget's limits. */
function axisSliders(model, onMove) {
  const sliders = {};
  const el = h("div", { class: "cl-controls cl-axes" });
  for (const [key, name] of SETTINGS) {
    for (const [axis, word] of AXES) {
      const trait = `${key}_${axis}`;
      const range = { ...limitsOf(model, trait), value: model.get(trait) };
      sliders[trait] = slider(`${name} ${word}`, range, (v) => onMove({ [trait]: v }));
      el.append(sliders[trait].el);
    }
  }
  return { el, sliders };
}

/** The page: sliders, stepper, padded X ⋆ K = Y, the legend, the sum, formulas and the layer. */
function layout(parts) {
  const op = (text) => h("span", { class: "cl-op", "aria-hidden": "true" }, text);
  const swatch = (cls) => h("span", { class: `cl-swatch ${cls}`, "aria-hidden": "true" });
  return h(
    "div",
    { class: "cl-explorer" },
    parts.axes,
    parts.player.el,
    h(
      "div",
      { class: "cl-stage" },
      parts.inputHolder,
      op("⋆"),
      parts.kernelHolder,
      op("="),
      parts.outputHolder,
    ),
    h(
      "p",
      { class: "cl-legend" },
      h("span", {}, swatch("cl-pad"), "padding (zeros)"),
      h("span", {}, swatch("cl-on"), "the window's taps"),
      h("span", {}, swatch("cl-span"), "gaps inside a dilated window"),
      h("span", {}, swatch("cl-unread"), "input that no window reads"),
    ),
    parts.sum,
    parts.message.el,
    h("div", { class: "cl-formulas" }, ...parts.formulas),
    h("p", { class: "cl-layer" }, "The same layer in PyTorch: ", parts.call),
    h(
      "p",
      { class: "cl-hint" },
      "Padding is per side, as in PyTorch: padding height 1 adds a row of zeros at the top " +
        "and one at the bottom. Hover an output cell to see its window.",
    ),
  );
}

/** The kernel, and the dilated kernel with its gaps when a dilation is over 1. */
function kernelTables(K, d) {
  const span = [d[0] * (K.length - 1) + 1, d[1] * (K[0].length - 1) + 1];
  const footprint = full(span[0], span[1]);
  K.forEach((row, a) => {
    row.forEach((v, b) => {
      footprint[a * d[0]][b * d[1]] = v;
    });
  });
  const isTap = (r, c) => r % d[0] === 0 && c % d[1] === 0;
  const markTap = (r, c, td) => td.classList.add(isTap(r, c) ? "cl-on" : "cl-gap");
  const dilated = d[0] > 1 || d[1] > 1;
  return [
    matrixTable(K, "Kernel K", markAll),
    dilated ? matrixTable(footprint, "Dilated kernel", markTap) : "",
  ];
}

function render({ model, el }) {
  const message = problemBox();
  const onMove = (change) => {
    player.stop();
    commit(model, change);
  };
  const { el: axes, sliders } = axisSliders(model, onMove);
  const cells = () => {
    const [n, k, s, p, d] = settings(model);
    if (conv2dProblem(n, k, p, d)) return 0;
    return outputSize(n[0], k[0], s[0], p[0], d[0]) * outputSize(n[1], k[1], s[1], p[1], d[1]);
  };
  const player = windowStepper(model, cells, PLAY_MS);
  const parts = {
    axes,
    player,
    message,
    inputHolder: h("div", { class: "cl-scroll" }),
    kernelHolder: h("div", { class: "cl-kernels" }),
    outputHolder: h("div", { class: "cl-output cl-scroll" }),
    sum: h("p", { class: "cl-sum", "aria-live": "polite" }),
    formulas: [h("p", { class: "cl-formula" }), h("p", { class: "cl-formula" })],
    call: h("code", { class: "cl-call" }),
  };
  el.classList.add("cl-widget");
  el.append(layout(parts));
  const draw = drawing(model, parts, sliders);
  const unsubscribe = onChanges(model, TRAITS, draw);
  return () => {
    player.stop();
    unsubscribe();
  };
}

/** The view's `draw`: redraws `parts` from the model, rebuilding only what changed. */
function drawing(model, parts, sliders) {
  const { player, inputHolder, kernelHolder, outputHolder, sum, formulas, call } = parts;
  let drawnSizes = null;
  let Y = null; // the output for the drawn sizes
  let unread = null; // input cells that no window reads, as "row,col"
  let tablesFor = null; // the sizes the input and output tables on the page show

  // The kernel, the formulas and the call depend on the sizes only: moving the
  // window leaves them as they are (rebuilding them costs a frame's time).
  function drawSizes(X, K, [n, k, s, p, d]) {
    formulas[0].textContent = sizeFormula("height", n[0], k[0], s[0], p[0], d[0]);
    formulas[1].textContent = sizeFormula("width", n[1], k[1], s[1], p[1], d[1]);
    call.textContent = conv2dCall(k, s, p, d);
    kernelHolder.replaceChildren(...kernelTables(K, d));
    const fits = !conv2dProblem(n, k, p, d);
    Y = fits ? correlate2d(X, K, { stride: s, padding: p, dilation: d }) : null;
    const cells = fits ? unreadCells(n, k, s, p, d) : [];
    unread = new Set(cells.map(([r, c]) => `${r + p[0]},${c + p[1]}`));
  }

  function drawNoOutput(Xp, isPad, problem) {
    player.disable();
    parts.message.show(problem);
    redraw(
      inputHolder,
      matrixTable(Xp, "Padded input", (r, c, td) => isPad(r, c) && td.classList.add("cl-pad")),
    );
    outputHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output"));
    tablesFor = null;
    sum.textContent = "";
  }

  return function draw() {
    const setting = settings(model);
    const [n, k, s, p, d] = setting;
    for (const [trait, control] of Object.entries(sliders)) control.set(model.get(trait));
    const X = inputGrid(n);
    const K = kernelGrid(k);
    const Xp = pad2d(X, p[0], p[1]);
    const isPad = (r, c) => r < p[0] || r >= p[0] + n[0] || c < p[1] || c >= p[1] + n[1];
    const sizes = setting.join(";");
    if (sizes !== drawnSizes) {
      drawnSizes = sizes;
      drawSizes(X, K, setting);
    }
    const problem = conv2dProblem(n, k, p, d);
    if (problem) return drawNoOutput(Xp, isPad, problem);
    parts.message.show("");
    const [oh, ow] = [Y.length, Y[0].length];
    const at = Math.min(model.get("position"), oh * ow - 1);
    const [i, j] = [Math.floor(at / ow), at % ow];
    player.show(at, oh, ow);

    if (sizes !== tablesFor) {
      tablesFor = sizes;
      const markInput = (r, c, td) => {
        if (isPad(r, c)) td.classList.add("cl-pad");
        if (unread.has(`${r},${c}`)) td.classList.add("cl-unread");
      };
      redraw(inputHolder, matrixTable(Xp, "Padded input", markInput));
      redraw(outputHolder, matrixTable(Y, "Output Y", player.cell));
    }
    // The window's taps, and the gaps between them in its span when it is dilated.
    const terms = windowTerms(Xp, K, i, j, s, d);
    const taps = new Set(terms.map((t) => `${t.row},${t.col}`));
    const [top, left] = [i * s[0], j * s[1]];
    const span = [d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1];
    const gaps = [];
    for (let r = top; r < top + span[0]; r++) {
      for (let c = left; c < left + span[1]; c++) if (!taps.has(`${r},${c}`)) gaps.push([0, r, c]);
    }
    markCells(
      inputHolder,
      "cl-on",
      terms.map((t) => [0, t.row, t.col]),
    );
    markCells(inputHolder, "cl-span", gaps);
    markCells(outputHolder, "cl-on", [[0, i, j]]);
    setText(sum, `Y[${i}, ${j}] = ${spelledSum(terms)}`);
  };
}

export default { render };
