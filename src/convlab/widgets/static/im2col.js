// im2col.js: the im2col explorer. Every window of the input becomes a column of a
// matrix, every output channel's kernels become a row, and one matrix product
// gives every output; with the sizes of the view, the copy and the product.
// Uses convmath.js and ui.js, which are bundled in front of this file. The maths
// below mirrors convlab.widgets.im2col (Python); tests run it in Node.

const PLAY_MS = 700;
// The settings, as traits: [trait, slider label, min, max].
const IM2COL_SETTINGS = [
  ["channels", "Input channels C", 1, 3],
  ["out_channels", "Output channels C_out", 1, 3],
  ["input_size", "Input size n", 1, 6],
  ["kernel_size", "Kernel size k", 1, 3],
  ["stride", "Stride s", 1, 3],
];
// Compact tables (a column matrix has up to 27 rows) and the marks of this view only.
const IM2COL_CSS = `
.cl-im2col .cl-axes { display: grid; grid-template-columns: repeat(2, auto); justify-content: start; gap: 0.3rem 1.5rem; }
.cl-im2col .cl-slider { grid-template-columns: 11rem minmax(4rem, 7rem) 1.5rem; }
.cl-im2col table.cl-matrix caption { white-space: nowrap; }
.cl-im2col .cl-heading { font-size: 0.9rem; font-weight: 600; margin: 0.8rem 0 0.1rem; }
.cl-im2col .cl-stage { margin: 0.3rem 0; gap: 0.5rem 0.7rem; align-items: center; }
.cl-im2col .cl-tables { display: contents; }
.cl-im2col .cl-group { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.cl-im2col table.cl-matrix td { min-width: 1.7rem; height: 1.45rem; padding: 0 0.2rem; font-size: 0.82rem; }
.cl-im2col td.cl-copy { outline: 2px solid var(--cl-accent); outline-offset: -2px; font-weight: 600; }
.cl-im2col .cl-columns td, .cl-im2col .cl-inputs td, .cl-im2col .cl-output td { cursor: crosshair; }
.cl-im2col .cl-sum { overflow-wrap: anywhere; font-size: 0.85rem; margin: 0.15rem 0; }
@media (max-width: 640px) { .cl-im2col .cl-axes { grid-template-columns: 1fr; } }
`;

/** X[c][i][j] = c·n² + i·n + j: each cell holds its own position (widgets.im2col.im2col_input). */
export function im2colInput(channels, n) {
  return Array.from({ length: channels }, (_, c) =>
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => c * n * n + i * n + j)),
  );
}

/** W[o][c][a][b] = c·k² + a·k + b + o (widgets.im2col.im2col_weights). */
export function im2colWeights(outChannels, channels, k) {
  return Array.from({ length: outChannels }, (_, o) =>
    Array.from({ length: channels }, (_, c) =>
      Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => c * k * k + a * k + b + o)),
    ),
  );
}

/** ⌊(n − k)/s⌋ + 1: window positions along one axis, below 1 when none fits. */
export function windowsPerAxis(n, k, s) {
  return Math.floor((n - k) / s) + 1;
}

/**
 * The column matrix of X [c][i][j] for a k × k kernel and stride s: row c·k² + a·k + b,
 * column y·W′ + x holds X[c][y·s + a][x·s + b] (convlab.im2col.im2col).
 */
export function im2colMatrix(X, k, s) {
  const n = X[0].length;
  const side = windowsPerAxis(n, k, s);
  const rows = [];
  X.forEach((Xc) => {
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        const row = [];
        for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) row.push(Xc[y * s + a][x * s + b]);
        rows.push(row);
      }
    }
  });
  return rows;
}

/** Each output channel's kernels W[o] flattened into one row (convlab.im2col.kernel_matrix). */
export function kernelRows(W) {
  return W.map((kernels) => kernels.flat(2));
}

/** The matrix product A @ B. */
export function matrixProduct(A, B) {
  return A.map((row) => B[0].map((_, j) => row.reduce((s, v, r) => s + v * B[r][j], 0)));
}

function minusSign(v) {
  return v < 0 ? `−${-v}` : String(v);
}

/** Why no window fits, or null. Same text as widgets.im2col.im2col_problem. */
export function im2colProblem(n, k, s) {
  if (k <= n) return null;
  return (
    `The kernel (${k}×${k}) is larger than the input (${n}×${n}): a window must fit inside ` +
    `the input (k ≤ n). H′ = ⌊(n − k)/s⌋ + 1 = ⌊(${n} − ${k})/${s}⌋ + 1 = ` +
    `${minusSign(windowsPerAxis(n, k, s))} leaves no window, so the column matrix has no ` +
    "columns and there is nothing to multiply."
  );
}

/** The view, the copy and the product with their sizes (widgets.im2col.size_texts). */
export function im2colTexts(c, co, n, k, s) {
  const rows = c * k * k;
  const numbers = c * n * n;
  if (im2colProblem(n, k, s)) {
    return {
      view: "View of every window: none fits.",
      matrix: `Column matrix: C·k² = ${c}·${k}² = ${rows} rows, but no columns.`,
      product: "Matrix product: nothing to multiply.",
    };
  }
  const side = windowsPerAxis(n, k, s);
  const columns = side * side;
  return {
    view:
      `View of every window: shape (C, H′, W′, k, k) = (${c}, ${side}, ${side}, ${k}, ${k}), ` +
      `strides (${n * n}, ${s * n}, ${s}, ${n}, 1). Nothing is copied: it reads the ` +
      `${numbers} numbers of X where they are.`,
    matrix:
      `Column matrix (a copy): C·k² × H′W′ = ${c}·${k}² × ${side}·${side} = ${rows} × ` +
      `${columns} = ${groupDigits(rows * columns)} numbers, ` +
      `${formatSig((rows * columns) / numbers)}× the ${numbers} of X (on a large input k²/s² = ` +
      `${formatSig((k * k) / (s * s))}×).`,
    product:
      `Matrix product: kernel rows (${co} × ${rows}) @ columns (${rows} × ${columns}) ` +
      `= outputs (${co} × ${columns}), ${co}·${rows}·${columns} = ` +
      `${groupDigits(co * rows * columns)} multiply-adds, as many as the loop does.`,
  };
}

/**
 * Everything the explorer shows for one setting (widgets.im2col.explore_im2col):
 * the input, kernels, column matrix, kernel rows, their product reshaped to the
 * output, the selected window and each output channel's sum for it.
 */
export function exploreIm2col(c, co, n, k, s, position = 0) {
  const X = im2colInput(c, n);
  const W = im2colWeights(co, c, k);
  const rows = kernelRows(W);
  const texts = im2colTexts(c, co, n, k, s);
  const problem = im2colProblem(n, k, s);
  const base = { X, W, kernelRows: rows, texts, problem };
  if (problem) return { ...base, columns: null, outputRows: null, output: null, column: 0, row: 0, col: 0, sums: [] };
  const columns = im2colMatrix(X, k, s);
  const outputRows = matrixProduct(rows, columns);
  const side = windowsPerAxis(n, k, s);
  const column = Math.min(position, columns[0].length - 1);
  const [row, col] = [Math.floor(column / side), column % side];
  const sums = rows.map(
    (kr, o) =>
      `Y[${o}][${row}, ${col}] = kernel row ${o} · column ${column} = ` +
      spelledSum(kr.map((w, r) => ({ x: columns[r][column], k: w }))),
  );
  const output = outputRows.map((line) => Array.from({ length: side }, (_, y) => line.slice(y * side, (y + 1) * side)));
  return { ...base, columns, outputRows, output, column, row, col, sums };
}

/** [channel, row, column] of the input cell that matrix cell (r, p) copies. */
export function im2colSource(r, p, n, k, s) {
  const side = windowsPerAxis(n, k, s);
  const [c, tap] = [Math.floor(r / (k * k)), r % (k * k)];
  const [a, b] = [Math.floor(tap / k), tap % k];
  const [y, x] = [Math.floor(p / side), p % side];
  return [c, y * s + a, x * s + b];
}

function render({ model, el }) {
  const get = () => IM2COL_SETTINGS.map(([trait]) => model.get(trait));

  // --- controls ---------------------------------------------------------
  const message = problemBox();
  const sliders = {};
  const controls = h("div", { class: "cl-controls cl-axes" });
  for (const [trait, label, min, max] of IM2COL_SETTINGS) {
    sliders[trait] = slider(label, { min, max, value: model.get(trait) }, (v) => {
      player.stop();
      commit(model, { [trait]: v });
    });
    controls.append(sliders[trait].el);
  }
  const cells = () => {
    const [, , n, k, s] = get();
    const h1 = windowsPerAxis(n, k, s);
    return h1 >= 1 ? h1 * h1 : 0;
  };
  const player = windowStepper(model, cells, PLAY_MS);

  // --- the sizes, then X ⋆ W = Y, then the matrix product -------------------
  const line = (key) => h("p", { class: "cl-formula", "data-cell": key });
  const lines = { view: line("view"), matrix: line("matrix"), product: line("product") };
  const inputHolder = h("div", { class: "cl-group cl-inputs" });
  const kernelHolder = h("div", { class: "cl-group" });
  const outputHolder = h("div", { class: "cl-group cl-output" });
  const rowsHolder = h("div", { class: "cl-scroll" });
  const columnsHolder = h("div", { class: "cl-scroll cl-columns" });
  const productHolder = h("div", { class: "cl-scroll cl-output" });
  const sums = h("div", { class: "cl-sums", "aria-live": "polite" });
  const op = (text) => h("span", { class: "cl-op", "aria-hidden": "true" }, text);

  el.classList.add("cl-widget");
  el.append(
    h("style", {}, IM2COL_CSS),
    h(
      "div",
      { class: "cl-im2col" },
      controls,
      player.el,
      h("div", { class: "cl-formulas" }, lines.view, lines.matrix, lines.product),
      message.el,
      h("h4", { class: "cl-heading" }, "The layer: X ⋆ W = Y"),
      h("div", { class: "cl-stage" }, inputHolder, op("⋆"), kernelHolder, op("="), outputHolder),
      h("h4", { class: "cl-heading" }, "im2col: kernel rows @ column matrix = output rows"),
      h("div", { class: "cl-stage" }, rowsHolder, op("@"), columnsHolder, op("="), productHolder),
      sums,
      h(
        "p",
        { class: "cl-hint" },
        "Each column of the matrix is one window of X, read channel by channel and row by row. " +
          "Hover a column or an output cell to select its window; hover a number of X to mark " +
          "every copy of it in the column matrix.",
      ),
    ),
  );

  // Hovering input cell (c, i, j) marks every matrix cell copied from it.
  let marked = null;
  function markCopies() {
    const [, , n, k, s] = get();
    eachCell(columnsHolder, (r, p, td) => {
      const [c, i, j] = im2colSource(r, p, n, k, s);
      td.classList.toggle("cl-copy", marked !== null && c === marked[0] && i === marked[1] && j === marked[2]);
    });
    inputHolder.querySelectorAll("td").forEach((td) => {
      td.classList.toggle("cl-copy", marked !== null && td.dataset.source === marked.join(","));
    });
  }

  // --- redraw from the model ---------------------------------------------
  let drawnSizes = null; // the sizes the kernel tables show
  let tablesFor = null; // the sizes the input, column and output tables show
  function draw() {
    const [c, co, n, k, s] = get();
    for (const [trait] of IM2COL_SETTINGS) sliders[trait].set(model.get(trait));
    const r = exploreIm2col(c, co, n, k, s, model.get("position"));
    for (const key of Object.keys(lines)) setText(lines[key], r.texts[key]);
    message.show(r.problem);
    const h1 = windowsPerAxis(n, k, s);
    if (r.problem) player.disable();
    else player.show(r.column, h1, h1);
    const inWindow = (i, j) =>
      !r.problem && i >= r.row * s && i < r.row * s + k && j >= r.col * s && j < r.col * s + k;
    const markWindow = (i, j, td) => td.classList.toggle("cl-on", inWindow(i, j));
    const markColumn = (row, p, td) => td.classList.toggle("cl-on", p === r.column);
    const sizes = [c, co, n, k, s].join();
    if (!r.problem && sizes === tablesFor) {
      // Only the window moved: mark its cells in the tables already on the page.
      eachCell(inputHolder, markWindow);
      eachCell(outputHolder, player.mark);
      eachCell(columnsHolder, markColumn);
      eachCell(productHolder, markColumn);
      [...sums.children].forEach((line, o) => setText(line, r.sums[o]));
      return;
    }
    redraw(
      inputHolder,
      tables(
        `${c},${n}`,
        ...r.X.map((Xc, ch) =>
          matrixTable(Xc, `X[${ch}]`, (i, j, td) => {
            markWindow(i, j, td);
            td.dataset.source = `${ch},${i},${j}`;
            td.addEventListener("mouseenter", () => ((marked = [ch, i, j]), markCopies()));
            td.addEventListener("mouseleave", () => ((marked = null), markCopies()));
          }),
        ),
      ),
    );
    // The kernels depend on the sizes only: moving the window leaves them as they are.
    if (sizes !== drawnSizes) {
      drawnSizes = sizes;
      kernelHolder.replaceChildren(
        ...r.W.flatMap((kernels, o) => kernels.map((K, ch) => matrixTable(K, `W[${o}, ${ch}]`))),
      );
      rowsHolder.replaceChildren(matrixTable(r.kernelRows, `Kernel rows (${co} × ${c * k * k})`));
    }
    if (r.problem) {
      outputHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output"));
      columnsHolder.replaceChildren(h("p", { class: "cl-empty" }, "No columns"));
      productHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output"));
      sums.replaceChildren();
      marked = null;
      tablesFor = null;
      return;
    }
    redraw(
      outputHolder,
      tables(`${co},${n},${k},${s}`, ...r.output.map((Y, o) => matrixTable(Y, `Y[${o}]`, player.cell))),
    );
    const select = (row, p, td) => {
      markColumn(row, p, td);
      td.addEventListener("mouseenter", () => {
        player.stop();
        commit(model, { position: p });
      });
    };
    const rowsCount = r.columns.length;
    const columnsCount = r.columns[0].length;
    redraw(
      columnsHolder,
      matrixTable(r.columns, `Column matrix (${rowsCount} × ${columnsCount})`, (row, p, td) => {
        const [ch, i, j] = im2colSource(row, p, n, k, s);
        td.title = `X[${ch}][${i}, ${j}]: window ${p}, channel ${ch}, kernel tap (${Math.floor((row % (k * k)) / k)}, ${row % k})`;
        select(row, p, td);
      }),
    );
    redraw(
      productHolder,
      matrixTable(r.outputRows, `Output rows (${co} × ${columnsCount})`, select),
    );
    sums.replaceChildren(...r.sums.map((text, o) => h("p", { class: "cl-sum", "data-cell": `sum-${o}` }, text)));
    markCopies();
    tablesFor = sizes;
  }

  // Several tables as one element for `redraw`: same key, same tables, updated in place.
  function tables(key, ...children) {
    return h("div", { class: "cl-tables", "data-shape": key }, ...children);
  }

  const unsubscribe = onChanges(
    model,
    [...IM2COL_SETTINGS.map(([trait]) => trait), "position"],
    draw,
  );
  return () => {
    player.stop();
    unsubscribe();
  };
}

export default { render };
