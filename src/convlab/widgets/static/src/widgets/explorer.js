// Mirrors convlab.widgets.explorer (chapter 4, padding and stride): the pattern
// grids, the output-size formula, the nn.Conv2d call and the rule a kernel breaks.
// Sizes and settings are [height, width] pairs.

import { minusSign } from "./text.js";

const INPUT_MODULO = 10; // input cells hold 0, 1, …, 9, 0, 1, … (row by row)
const KERNEL_MODULO = 4; // kernel cells hold 0, 1, 2, 3, 0, …

/** The numbers 0, 1, 2, … row by row, counted modulo `modulo` (pattern_grid). */
export function patternGrid(rows, cols, modulo) {
  const row = (i) => Array.from({ length: cols }, (_, j) => (i * cols + j) % modulo);
  return Array.from({ length: rows }, (_, i) => row(i));
}

/** The explorer's input X for an input of [rows, cols] (explore's X). */
export function inputGrid([rows, cols]) {
  return patternGrid(rows, cols, INPUT_MODULO);
}

/** The explorer's kernel K for a kernel of [rows, cols] (explore's K). */
export function kernelGrid([rows, cols]) {
  return patternGrid(rows, cols, KERNEL_MODULO);
}

/** The output-size formula for one axis with the numbers filled in (size_formula). */
export function sizeFormula(axis, n, k, s, p, d) {
  const top = n + 2 * p - d * (k - 1) - 1;
  return (
    `Output ${axis} = ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 = ` +
    `⌊(${n} + 2·${p} − ${d}·(${k} − 1) − 1)/${s}⌋ + 1 = ` +
    `⌊${minusSign(top)}/${s}⌋ + 1 = ${minusSign(Math.floor(top / s) + 1)}`
  );
}

/** The nn.Conv2d layer (one channel in and out, no bias) with these settings (conv2d_call). */
export function conv2dCall(kernelSize, stride, padding, dilation) {
  const pair = ([a, b]) => `(${a}, ${b})`;
  return (
    `nn.Conv2d(1, 1, kernel_size=${pair(kernelSize)}, stride=${pair(stride)}, ` +
    `padding=${pair(padding)}, dilation=${pair(dilation)}, bias=False)`
  );
}

/** Why the (dilated) kernel cannot slide over the padded input, in words, or null (conv2d_problem). */
export function conv2dProblem(inputSize, kernelSize, padding = [0, 0], dilation = [1, 1]) {
  const sentences = [];
  ["row", "column"].forEach((axis, i) => {
    const [n, k, p, d] = [inputSize[i], kernelSize[i], padding[i], dilation[i]];
    const span = d * (k - 1) + 1;
    const padded = n + 2 * p;
    if (span > padded) {
      const kind = d === 1 ? "kernel" : "dilated kernel";
      sentences.push(
        `The ${kind} spans d·(k − 1) + 1 = ${d}·(${k} − 1) + 1 = ${span} ${axis}s, ` +
          `but the padded input has only n + 2p = ${n} + 2·${p} = ${padded}: a window ` +
          `must fit inside the padded input (d·(k − 1) + 1 ≤ n + 2p), so there is ` +
          `no output ${axis}.`,
      );
    }
  });
  return sentences.length ? sentences.join(" ") : null;
}

/** The input cells [row, col] that no window reads (unread_cells). */
export function unreadCells(inputSize, kernelSize, stride, padding, dilation) {
  const read = [0, 1].map((i) => {
    const [n, k, s, p, d] = [inputSize[i], kernelSize[i], stride[i], padding[i], dilation[i]];
    const count = Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
    const cells = new Set();
    for (let w = 0; w < count; w++) for (let a = 0; a < k; a++) cells.add(w * s + a * d - p);
    return cells;
  });
  const unread = [];
  for (let i = 0; i < inputSize[0]; i++) {
    for (let j = 0; j < inputSize[1]; j++)
      if (!read[0].has(i) || !read[1].has(j)) unread.push([i, j]);
  }
  return unread;
}
