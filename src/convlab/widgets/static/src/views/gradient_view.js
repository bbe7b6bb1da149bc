// The gradient view (chapter 9). Pick a cell of the input (click it, or focus the
// grid and use the arrow keys) and see which output-gradient cells and which kernel
// taps reach it, with the sum ∂L/∂x[i, j] = Σ ∂L/∂y[r, c]·K[a, b] spelled out.

import { outputSize } from "../kernels/shapes.js";
import { problemBox, settingSliders, slider } from "../ui/controls.js";
import { h, setText } from "../ui/dom.js";
import { commit, onChanges } from "../ui/model.js";
import { showMatrices } from "../ui/tables.js";
import { sizeFormula } from "../widgets/explorer.js";
import { pickGradient } from "../widgets/gradient_view.js";

// The sliders: trait and label.
const SLIDERS = [
  ["input_size", "Input size n"],
  ["kernel_size", "Kernel size k"],
  ["stride", "Stride s"],
  ["padding", "Padding p"],
  ["dilation", "Dilation d"],
];
const TRAITS = ["cell", ...SLIDERS.map(([trait]) => trait)];
const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/** n, k, s, p, d, as pickGradient takes them. */
function settings(model) {
  return SLIDERS.map(([trait]) => model.get(trait));
}

/** One slider per setting, and the "Input cell" slider, with the widget's ranges. */
function controls(model, onMove) {
  const { el, sliders } = settingSliders(model, SLIDERS, onMove);
  const cell = slider("Input cell", { min: 0, max: 0, value: 0 }, (v) => onMove({ cell: v }));
  return { el, sliders, cell };
}

/** The page: sliders, the picked cell, ∂L/∂x ← ∂L/∂y and K, the sum, the sizes. */
function layout(parts) {
  const op = (text) => h("span", { class: "cl-op", "aria-hidden": "true" }, text);
  const swatch = (cls) => h("span", { class: `cl-swatch ${cls}`, "aria-hidden": "true" });
  return h(
    "div",
    { class: "cl-gradient" },
    parts.axes,
    h("div", { class: "cl-controls cl-position" }, parts.cell.el, parts.where),
    h(
      "div",
      { class: "cl-stage" },
      h("div", { class: "cl-scroll" }, parts.gradHolder),
      op("←"),
      h("div", { class: "cl-scroll" }, parts.outHolder),
      op("and"),
      parts.kernelHolder,
    ),
    h(
      "p",
      { class: "cl-legend" },
      h("span", {}, swatch("cl-picked"), "the input cell picked"),
      h("span", {}, swatch("cl-on"), "the output gradients and kernel taps that reach it"),
    ),
    parts.sum,
    parts.message.el,
    parts.formula,
    h(
      "p",
      { class: "cl-hint" },
      "Click a cell of ∂L/∂x to pick it, or focus the grid and move with the arrow keys. " +
        "The numbers in ∂L/∂y are an example output gradient; ∂L/∂x is computed from them.",
    ),
  );
}

function render({ model, el }) {
  const message = problemBox();
  const onMove = (change) => commit(model, change);
  const { el: axes, sliders, cell } = controls(model, onMove);
  const parts = {
    axes,
    cell,
    message,
    where: h("span", { class: "cl-where" }),
    gradHolder: h("div", { class: "cl-pick" }),
    outHolder: h("div"),
    kernelHolder: h("div"),
    sum: h("p", { class: "cl-sum", "aria-live": "polite" }),
    formula: h("p", { class: "cl-formula" }),
  };
  el.classList.add("cl-widget");
  el.append(layout(parts));
  parts.gradHolder.addEventListener("click", (event) => {
    const td = event.target.closest("td");
    if (td) pickCell(model, td);
  });
  parts.gradHolder.addEventListener("keydown", (event) => {
    const move = MOVES[event.key];
    if (!move) return;
    event.preventDefault();
    const n = model.get("input_size");
    const at = Math.min(model.get("cell"), n * n - 1);
    const i = Math.min(n - 1, Math.max(0, Math.floor(at / n) + move[0]));
    const j = Math.min(n - 1, Math.max(0, (at % n) + move[1]));
    commit(model, { cell: i * n + j });
    parts.gradHolder.querySelector(`td[data-cell="${i * n + j}"]`)?.focus();
  });
  const draw = drawing(model, parts, sliders);
  return onChanges(model, TRAITS, draw);
}

/** Pick the input cell of the ∂L/∂x table's cell `td`. */
function pickCell(model, td) {
  commit(model, { cell: Number(td.dataset.cell) });
}

/** The view's `draw`: redraws `parts` from the model. */
function drawing(model, parts, sliders) {
  return function draw() {
    const setting = settings(model);
    for (const [trait, control] of Object.entries(sliders)) control.set(model.get(trait));
    const [n, k, s, p, d] = setting;
    const g = pickGradient(...setting, model.get("cell"));
    const at = g.row * n + g.col;
    parts.cell.set(at, 0, n * n - 1);
    setText(parts.where, `input row ${g.row}, column ${g.col}`);
    setText(parts.formula, `y = conv2d(x, K), and so ∂L/∂y: ${sizeFormula("size", n, k, s, p, d)}`);
    if (g.problem) {
      parts.message.show(g.problem);
      parts.gradHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output, no gradient"));
      parts.outHolder.replaceChildren();
      showMatrices(parts.kernelHolder, [
        [g.K, "Kernel K", (_i, _j, td) => td.classList.remove("cl-on")],
      ]);
      setText(parts.sum, "");
      return;
    }
    parts.message.show("");
    const reach = new Set(g.terms.map((t) => `${t.r},${t.c}`));
    const taps = new Set(g.terms.map((t) => `${t.a},${t.b}`));
    const markGrad = (i, j, td) => {
      const here = i * n + j;
      if (td.dataset.cell !== String(here)) td.dataset.cell = String(here);
      if (td.tabIndex !== (here === at ? 0 : -1)) td.tabIndex = here === at ? 0 : -1;
      td.classList.toggle("cl-picked", here === at);
      if (here === at) td.setAttribute("aria-current", "true");
      else td.removeAttribute("aria-current");
    };
    showMatrices(parts.gradHolder, [[g.grad, "∂L/∂x: pick a cell", markGrad]]);
    const markOut = (i, j, td) => td.classList.toggle("cl-on", reach.has(`${i},${j}`));
    const markTap = (a, b, td) => td.classList.toggle("cl-on", taps.has(`${a},${b}`));
    const side = outputSize(n, k, s, p, d);
    showMatrices(parts.outHolder, [[g.G, `∂L/∂y (${side}×${side})`, markOut]]);
    showMatrices(parts.kernelHolder, [[g.K, "Kernel K", markTap]]);
    setText(parts.sum, g.text);
  };
}

export default { render };
