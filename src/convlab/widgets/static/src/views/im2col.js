// The im2col explorer (appendix). Every window of the input becomes a column of a
// matrix, every output channel's kernels become a row, and one matrix product
// gives every output; with the sizes of the view, the copy and the product.

import { windowsPerAxis } from "../im2col.js";
import { problemBox, slider, windowStepper } from "../ui/controls.js";
import { h, redraw, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { eachCell, markCells, markColumn, matrixTable } from "../ui/tables.js";
import { exploreIm2col, im2colSource } from "../widgets/im2col.js";

const PLAY_MS = 700;
// The settings, as traits, and their sliders' labels.
const SETTINGS = [
  ["channels", "Input channels C"],
  ["out_channels", "Output channels C_out"],
  ["input_size", "Input size n"],
  ["kernel_size", "Kernel size k"],
  ["stride", "Stride s"],
];
const TRAITS = SETTINGS.map(([trait]) => trait);

/** C, C_out, n, k and s, as exploreIm2col takes them. */
function settings(model) {
  return TRAITS.map((trait) => model.get(trait));
}

/** Several tables as one element for `redraw`: same key, same tables, updated in place. */
function tables(key, ...children) {
  return h("div", { class: "cl-tables", "data-shape": key }, ...children);
}

const empty = (text) => h("p", { class: "cl-empty" }, text);

/** The page: sliders, stepper, the sizes, X ⋆ W = Y, then kernel rows @ columns = output rows. */
function layout(parts) {
  const op = (text) => h("span", { class: "cl-op", "aria-hidden": "true" }, text);
  const heading = (text) => h("h4", { class: "cl-heading" }, text);
  const { lines } = parts;
  return h(
    "div",
    { class: "cl-im2col" },
    parts.controls,
    parts.player.el,
    h("div", { class: "cl-formulas" }, lines.view, lines.matrix, lines.product),
    parts.message.el,
    heading("The layer: X ⋆ W = Y"),
    h(
      "div",
      { class: "cl-stage" },
      parts.inputHolder,
      op("⋆"),
      parts.kernelHolder,
      op("="),
      parts.outputHolder,
    ),
    heading("im2col: kernel rows @ column matrix = output rows"),
    h(
      "div",
      { class: "cl-stage" },
      parts.rowsHolder,
      op("@"),
      parts.columnsHolder,
      op("="),
      parts.productHolder,
    ),
    parts.sums,
    h(
      "p",
      { class: "cl-hint" },
      "Each column of the matrix is one window of X, read channel by channel and row by row. " +
        "Hover a column or an output cell to select its window; hover a number of X to mark " +
        "every copy of it in the column matrix.",
    ),
  );
}

function render({ model, el }) {
  const sliders = {};
  const controls = h("div", { class: "cl-controls cl-axes" });
  for (const [trait, label] of SETTINGS) {
    const range = { ...limitsOf(model, trait), value: model.get(trait) };
    sliders[trait] = slider(label, range, (v) => {
      player.stop();
      commit(model, { [trait]: v });
    });
    controls.append(sliders[trait].el);
  }
  const cells = () => {
    const [, , n, k, s] = settings(model);
    const side = windowsPerAxis(n, k, s);
    return side >= 1 ? side * side : 0;
  };
  const player = windowStepper(model, cells, PLAY_MS);
  const line = (key) => h("p", { class: "cl-formula", "data-cell": key });
  const parts = {
    sliders,
    controls,
    player,
    message: problemBox(),
    lines: { view: line("view"), matrix: line("matrix"), product: line("product") },
    inputHolder: h("div", { class: "cl-group cl-inputs" }),
    kernelHolder: h("div", { class: "cl-group" }),
    outputHolder: h("div", { class: "cl-group cl-output" }),
    rowsHolder: h("div", { class: "cl-scroll" }),
    columnsHolder: h("div", { class: "cl-scroll cl-columns" }),
    productHolder: h("div", { class: "cl-scroll cl-output" }),
    sums: h("div", { class: "cl-sums", "aria-live": "polite" }),
  };
  el.classList.add("cl-widget");
  el.append(layout(parts));
  const unsubscribe = onChanges(model, [...TRAITS, "position"], drawing(model, parts));
  return () => {
    player.stop();
    unsubscribe();
  };
}

/** The view's `draw`: redraws `parts` from the model, rebuilding only what changed. */
function drawing(model, parts) {
  const {
    player,
    inputHolder,
    kernelHolder,
    outputHolder,
    rowsHolder,
    columnsHolder,
    productHolder,
    sums,
  } = parts;
  let drawnSizes = null; // the sizes the kernel tables show
  let tablesFor = null; // the sizes the input, column and output tables show
  let marked = null; // the input cell [c, i, j] hovered, whose copies are marked

  // Hovering input cell (c, i, j) marks every matrix cell copied from it.
  function markCopies() {
    const [, , n, k, s] = settings(model);
    const copied = (c, i, j) =>
      marked !== null && c === marked[0] && i === marked[1] && j === marked[2];
    eachCell(columnsHolder, (r, p, td) =>
      td.classList.toggle("cl-copy", copied(...im2colSource(r, p, n, k, s))),
    );
    for (const td of inputHolder.querySelectorAll("td")) {
      td.classList.toggle("cl-copy", marked !== null && td.dataset.source === marked.join(","));
    }
  }

  /** The input's tables, each cell marking its copies when hovered. */
  function inputTables(r, n) {
    const hoverable = (ch) => (i, j, td) => {
      td.dataset.source = `${ch},${i},${j}`;
      td.addEventListener("mouseenter", () => {
        marked = [ch, i, j];
        markCopies();
      });
      td.addEventListener("mouseleave", () => {
        marked = null;
        markCopies();
      });
    };
    return tables(
      `${r.X.length},${n}`,
      ...r.X.map((Xc, ch) => matrixTable(Xc, `X[${ch}]`, hoverable(ch))),
    );
  }

  /** The output, the column matrix and the output rows; hovering a column selects its window. */
  function drawProduct(r, [, co, n, k, s]) {
    redraw(
      outputHolder,
      tables(
        `${co},${n},${k},${s}`,
        ...r.output.map((Y, o) => matrixTable(Y, `Y[${o}]`, player.cell)),
      ),
    );
    const select = (_row, p, td) => {
      td.addEventListener("mouseenter", () => {
        player.stop();
        commit(model, { position: p });
      });
    };
    const [rowsCount, columnsCount] = [r.columns.length, r.columns[0].length];
    const copyOf = (row, p, td) => {
      const [ch, i, j] = im2colSource(row, p, n, k, s);
      const tap = `(${Math.floor((row % (k * k)) / k)}, ${row % k})`;
      td.title = `X[${ch}][${i}, ${j}]: window ${p}, channel ${ch}, kernel tap ${tap}`;
      select(row, p, td);
    };
    redraw(
      columnsHolder,
      matrixTable(r.columns, `Column matrix (${rowsCount} × ${columnsCount})`, copyOf),
    );
    redraw(
      productHolder,
      matrixTable(r.outputRows, `Output rows (${co} × ${columnsCount})`, select),
    );
    sums.replaceChildren(
      ...r.sums.map((text, o) => h("p", { class: "cl-sum", "data-cell": `sum-${o}` }, text)),
    );
  }

  return function draw() {
    const setting = settings(model);
    const [c, co, n, k, s] = setting;
    for (const trait of TRAITS) parts.sliders[trait].set(model.get(trait));
    const r = exploreIm2col(c, co, n, k, s, model.get("position"));
    for (const key of Object.keys(parts.lines)) setText(parts.lines[key], r.texts[key]);
    parts.message.show(r.problem);
    const side = windowsPerAxis(n, k, s);
    if (r.problem) player.disable();
    else player.show(r.column, side, side);
    const sizes = setting.join();
    if (r.problem || sizes !== tablesFor) {
      redraw(inputHolder, inputTables(r, n));
      // The kernels depend on the sizes only: moving the window leaves them as they are.
      if (sizes !== drawnSizes) {
        drawnSizes = sizes;
        kernelHolder.replaceChildren(
          ...r.W.flatMap((kernels, o) => kernels.map((K, ch) => matrixTable(K, `W[${o}, ${ch}]`))),
        );
        rowsHolder.replaceChildren(matrixTable(r.kernelRows, `Kernel rows (${co} × ${c * k * k})`));
      }
      if (r.problem) {
        outputHolder.replaceChildren(empty("No output"));
        columnsHolder.replaceChildren(empty("No columns"));
        productHolder.replaceChildren(empty("No output"));
        sums.replaceChildren();
        marked = null;
        tablesFor = null;
        return;
      }
      drawProduct(r, setting);
      markCopies();
      tablesFor = sizes;
    } else {
      [...sums.children].forEach((line, o) => {
        setText(line, r.sums[o]);
      });
    }
    // The window: its cells in every input channel, its output cells, its column.
    const windowCells = [];
    for (let ch = 0; ch < c; ch++) {
      for (let i = r.row * s; i < r.row * s + k; i++) {
        for (let j = r.col * s; j < r.col * s + k; j++) windowCells.push([ch, i, j]);
      }
    }
    markCells(inputHolder, "cl-on", windowCells);
    markCells(
      outputHolder,
      "cl-on",
      r.output.map((_, o) => [o, r.row, r.col]),
    );
    markColumn(columnsHolder, "cl-on", r.column);
    markColumn(productHolder, "cl-on", r.column);
  };
}

export default { render };
