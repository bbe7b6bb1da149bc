// The cross-correlation stepper (chapter 2). Slide a kernel over an input one
// window at a time and see each output cell's sum spelled out.

import { convolve2d, corr2d, flip2d, windowTerms } from "../kernels/correlation.js";
import { choiceField, problemBox, slider, windowStepper } from "../ui/controls.js";
import { h, redraw, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { eachCell, editableMatrix, markAll, matrixTable } from "../ui/tables.js";
import { resized, sizeProblem } from "../widgets/stepper.js";
import { spelledSum } from "../widgets/text.js";

const PLAY_MS = 800;
const MODES = [
  ["correlation", "cross-correlation"],
  ["convolution", "convolution (kernel flipped)"],
];

/** Rows and columns sliders for the grids X and K, up to their largest sizes. */
function sizeSliders(model, resize) {
  const most = (grid) => limitsOf(model, grid).maxSize;
  const grid = (name, which, axis, value) =>
    slider(`${name} ${axis}`, { min: 1, max: most(which), value }, (v) =>
      resize(which, axis === "rows" ? v : null, axis === "columns" ? v : null),
    );
  return {
    xRows: grid("Input", "X", "rows", 3),
    xCols: grid("Input", "X", "columns", 3),
    kRows: grid("Kernel", "K", "rows", 2),
    kCols: grid("Kernel", "K", "columns", 2),
  };
}

/** The page: sliders, the operation, the stepper, X ⋆ K = Y, the sum and the box. */
function layout(parts) {
  const { sizes, mode, player, xTable, kTable, operator, flippedHolder, outputHolder } = parts;
  return h(
    "div",
    { class: "cl-stepper" },
    h(
      "div",
      { class: "cl-controls" },
      sizes.xRows.el,
      sizes.xCols.el,
      sizes.kRows.el,
      sizes.kCols.el,
    ),
    mode.el,
    player.el,
    h(
      "div",
      { class: "cl-stage" },
      xTable.el,
      operator,
      h("div", { class: "cl-kernels" }, kTable.el, flippedHolder),
      h("span", { class: "cl-op", "aria-hidden": "true" }, "="),
      outputHolder,
    ),
    parts.sum,
    parts.message.el,
    h(
      "p",
      { class: "cl-hint" },
      "Type in X or K to change a number. Hover an output cell to move the window there.",
    ),
  );
}

function render({ model, el }) {
  const message = problemBox();
  const resize = (which, rows, cols) => {
    player.stop();
    const M = model.get(which);
    commit(model, { [which]: resized(M, rows ?? M.length, cols ?? M[0].length) });
  };
  const edit = (which, i, j, v) => {
    message.show("");
    const M = model.get(which).map((row) => row.slice());
    M[i][j] = v;
    commit(model, { [which]: M });
  };
  const cells = () => {
    const [X, K] = [model.get("X"), model.get("K")];
    if (sizeProblem(X.length, X[0].length, K.length, K[0].length)) return 0;
    return (X.length - K.length + 1) * (X[0].length - K[0].length + 1);
  };
  const player = windowStepper(model, cells, PLAY_MS);
  const parts = {
    sizes: sizeSliders(model, resize),
    mode: choiceField("Operation", MODES, (value) => commit(model, { mode: value })),
    player,
    message,
    xTable: editableMatrix("Input X", "X", (i, j, v) => edit("X", i, j, v), message.show),
    kTable: editableMatrix("Kernel K", "K", (i, j, v) => edit("K", i, j, v), message.show),
    flippedHolder: h("div", { class: "cl-flipped" }),
    operator: h("span", { class: "cl-op", "aria-hidden": "true" }),
    outputHolder: h("div", { class: "cl-output" }),
    sum: h("p", { class: "cl-sum", "aria-live": "polite" }),
  };
  el.classList.add("cl-widget");
  el.append(layout(parts));
  const drawn = { output: null }; // what the output table on the page shows
  const unsubscribe = onChanges(model, ["X", "K", "position", "mode"], () =>
    draw(model, parts, drawn),
  );
  return () => {
    player.stop();
    unsubscribe();
  };
}

/**
 * Redraw `parts` from the model: the sizes, the grids, the window and its sum.
 * `drawn.output` says what the output table shows: when only the window moved,
 * its cells are re-marked in place.
 */
function draw(model, parts, drawn) {
  const { sizes, player, message, xTable, kTable, flippedHolder, outputHolder, sum } = parts;
  const [X, K, mode] = [model.get("X"), model.get("K"), model.get("mode")];
  const [nh, nw, kh, kw] = [X.length, X[0].length, K.length, K[0].length];
  sizes.xRows.set(nh);
  sizes.xCols.set(nw);
  sizes.kRows.set(kh);
  sizes.kCols.set(kw);
  parts.mode.check(mode);
  const flipped = mode === "convolution";
  const applied = flipped ? flip2d(K) : K;
  setText(parts.operator, flipped ? "∗" : "⋆");
  const problem = sizeProblem(nh, nw, kh, kw);
  if (problem) {
    player.disable();
    message.show(problem);
    xTable.update(X);
    kTable.update(K);
    flippedHolder.replaceChildren();
    outputHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output"));
    drawn.output = null;
    sum.textContent = "";
    return;
  }
  if (message.el.textContent.startsWith("The kernel has")) message.show("");
  const [oh, ow] = [nh - kh + 1, nw - kw + 1];
  const p = Math.min(model.get("position"), oh * ow - 1);
  const [i, j] = [Math.floor(p / ow), p % ow];
  player.show(p, oh, ow);

  const inWindow = (r, c) => r >= i && r < i + kh && c >= j && c < j + kw;
  xTable.update(X, (r, c, td) => td.classList.toggle("cl-on", inWindow(r, c)));
  kTable.update(K, (_r, _c, td) => td.classList.toggle("cl-on", !flipped));
  if (flipped) redraw(flippedHolder, matrixTable(applied, "K flipped", markAll));
  else if (flippedHolder.firstChild) flippedHolder.replaceChildren();
  const Y = flipped ? convolve2d(X, K) : corr2d(X, K);
  const output = JSON.stringify(Y);
  if (output === drawn.output) eachCell(outputHolder, player.mark);
  else outputHolder.replaceChildren(matrixTable(Y, "Output Y", player.cell));
  drawn.output = output;
  setText(sum, `Y[${i}, ${j}] = ${spelledSum(windowTerms(X, applied, i, j))}`);
}

export default { render };
