// Mirrors convlab.widgets.im2col (appendix): the im2col explorer's input, kernels,
// texts and everything it shows for one setting.

import { im2colMatrix, kernelRows, matrixProduct, windowsPerAxis } from "../im2col.js";
import { formatCount, formatSig, minusSign, spelledSum } from "./text.js";

/** X[c][i][j] = c·n² + i·n + j: each cell holds its own position (im2col_input). */
function im2colInput(channels, n) {
  return Array.from({ length: channels }, (_, c) =>
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => c * n * n + i * n + j)),
  );
}

/** W[o][c][a][b] = c·k² + a·k + b + o (im2col_weights). */
function im2colWeights(outChannels, channels, k) {
  return Array.from({ length: outChannels }, (_, o) =>
    Array.from({ length: channels }, (_, c) =>
      Array.from({ length: k }, (_, a) =>
        Array.from({ length: k }, (_, b) => c * k * k + a * k + b + o),
      ),
    ),
  );
}

/** Why no window fits, or null. Same text as im2col_problem. */
function im2colProblem(n, k, s) {
  if (k <= n) return null;
  return (
    `The kernel (${k}×${k}) is larger than the input (${n}×${n}): a window must fit inside ` +
    `the input (k ≤ n). H′ = ⌊(n − k)/s⌋ + 1 = ⌊(${n} − ${k})/${s}⌋ + 1 = ` +
    `${minusSign(windowsPerAxis(n, k, s))} leaves no window, so the column matrix has no ` +
    "columns and there is nothing to multiply."
  );
}

/** The view, the copy and the product with their sizes (size_texts). */
function sizeTexts(c, co, n, k, s) {
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
      `${columns} = ${formatCount(rows * columns)} numbers, ` +
      `${formatSig((rows * columns) / numbers)}× the ${numbers} of X (on a large input k²/s² = ` +
      `${formatSig((k * k) / (s * s))}×).`,
    product:
      `Matrix product: kernel rows (${co} × ${rows}) @ columns (${rows} × ${columns}) ` +
      `= outputs (${co} × ${columns}), ${co}·${rows}·${columns} = ` +
      `${formatCount(co * rows * columns)} multiply-adds, as many as the loop does.`,
  };
}

/**
 * Everything the explorer shows for one setting (explore_im2col):
 * the input, kernels, column matrix, kernel rows, their product reshaped to the
 * output, the selected window and each output channel's sum for it.
 */
export function exploreIm2col(c, co, n, k, s, position = 0) {
  const X = im2colInput(c, n);
  const W = im2colWeights(co, c, k);
  const rows = kernelRows(W);
  const texts = sizeTexts(c, co, n, k, s);
  const problem = im2colProblem(n, k, s);
  const base = { X, W, kernelRows: rows, texts, problem };
  if (problem)
    return {
      ...base,
      columns: null,
      outputRows: null,
      output: null,
      column: 0,
      row: 0,
      col: 0,
      sums: [],
    };
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
  const output = outputRows.map((line) =>
    Array.from({ length: side }, (_, y) => line.slice(y * side, (y + 1) * side)),
  );
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
