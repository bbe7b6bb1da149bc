// Mirrors convlab.widgets.transposed_stepper (chapter 9): each input cell in turn
// scatters a scaled copy of the kernel onto the canvas; the output is the canvas
// cropped by the padding, with output_padding more cells at the bottom and right.
// The widget is square: one size, stride, padding, … for both axes.

import { convTranspose2d, transposedSize } from "../kernels/transpose.js";
import { countingGrid, full } from "../matrices.js";
import { minusSign, spelledSum } from "./text.js";

const INPUT_MODULO = 10; // input cells hold 1, 2, …, 10, 1, … (row by row)
const KERNEL_MODULO = 4; // kernel cells hold 1, 2, 3, 4, 1, …

/** The numbers 1, 2, …, modulo, 1, … row by row on a size × size grid (pattern_grid). */
export function patternGrid(size, modulo) {
  return countingGrid(size, modulo);
}

/** The output-size rule with the numbers filled in (size_formula). */
export function sizeFormula(n, k, s, p, d, op) {
  const size = transposedSize(n, k, s, p, d, op);
  return (
    "Output size = (n − 1)s − 2p + d(k − 1) + output_padding + 1 = " +
    `(${n} − 1)·${s} − 2·${p} + ${d}·(${k} − 1) + ${op} + 1 = ${minusSign(size)}`
  );
}

/** Why PyTorch refuses this transposed convolution, in words, or null (transposed_problem). */
export function transposedProblem(n, k, s, p, d, op) {
  const size = transposedSize(n, k, s, p, d, op);
  const sentences = [];
  if (op >= s && op >= d) {
    sentences.push(
      `output_padding ${op} is not smaller than the stride ${s} or the ` +
        `dilation ${d}. A stride-${s} convolution maps ${s} input sizes in a row to the ` +
        `same output size; output_padding only picks which of them to give back ` +
        `(0 to ${Math.max(s, d) - 1}), so PyTorch needs it smaller than the stride or the ` +
        "dilation.",
    );
  }
  if (size < 1) {
    const span = size + 2 * p - op;
    sentences.push(
      "The padding crops the whole output: (n − 1)s − 2p + d(k − 1) + " +
        `output_padding + 1 = ${minusSign(size)}, and an output needs at least one cell. ` +
        `The copies span (n − 1)s + d(k − 1) + 1 = ${span} cell${span > 1 ? "s" : ""}, ` +
        `and padding ${p} removes 2·${p} = ${2 * p} of them.`,
    );
  }
  return sentences.length ? sentences.join(" ") : null;
}

/** How many kernel taps land on each of the first `length` canvas cells of one axis (axis_counts). */
export function axisCounts(n, k, s, d, length) {
  const counts = new Array(length).fill(0);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) if (i * s + a * d < length) counts[i * s + a * d] += 1;
  }
  return counts;
}

function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}

/** Whether the inner cells all receive as many copies: the checkerboard, in words (pattern_text). */
export function patternText(k, s, d) {
  const n = k * d + 2 * s;
  const counts = axisCounts(n, k, s, d, (n - 1) * s + d * (k - 1) + 1);
  const values = [...new Set(counts.slice(k * d, k * d + s))].sort((a, b) => a - b);
  const listed = values.join(" or ");
  const squares = [...new Set(values.flatMap((a) => values.map((b) => a * b)))].sort(
    (a, b) => a - b,
  );
  if (values.length === 1) {
    const v = values[0];
    return (
      `Along each axis every inner output cell receives ${v} kernel tap` +
      `${v !== 1 ? "s" : ""} (${v * v} in 2-D): the copies ` +
      "overlap evenly, no checkerboard."
    );
  }
  if (values[0] === 0) {
    const g = gcd(s, d);
    const why =
      g > 1
        ? `every tap lands on i·s + a·d, a multiple of ${g}, the largest number ` +
          `dividing both s = ${s} and d = ${d}`
        : `the copies, d(k − 1) + 1 = ${d * (k - 1) + 1} wide, are narrower than ` +
          `the stride ${s}`;
    return (
      `Along each axis the inner output cells receive ${listed} kernel taps in turn ` +
      `(${why}): some output cells get no copy at all, a grid of holes.`
    );
  }
  const because =
    d === 1 ? `k = ${k} is not a multiple of s = ${s}` : `k = ${k}, s = ${s}, d = ${d}`;
  return (
    `Along each axis the inner output cells receive ${listed} kernel taps in turn ` +
    `(${because}): in 2-D ${squares.slice(0, -1).join(", ")} or ${squares.at(-1)} copies ` +
    "overlap, a checkerboard."
  );
}

/** The nn.ConvTranspose2d layer with these settings (conv_transpose2d_call). */
export function convTranspose2dCall(k, s, p, d, op) {
  return (
    `nn.ConvTranspose2d(1, 1, kernel_size=${k}, stride=${s}, padding=${p}, ` +
    `output_padding=${op}, dilation=${d}, bias=False)`
  );
}

/** Cells of the canvas along one axis (canvas_side). */
function canvasSide(n, k, s, p, d, op) {
  return Math.max((n - 1) * s + d * (k - 1) + 1, p + transposedSize(n, k, s, p, d, op));
}

/**
 * Everything the stepper shows (scatter): the input and kernel, the canvas after
 * input cells 0 … position have scattered, the current copy and where its taps
 * land, the finished output and the copies on each output cell (null when
 * PyTorch refuses the setting), the formula, the pattern, the layer and the problem.
 */
export function scatter(n, k, s, p, op, d, position = 0) {
  const X = patternGrid(n, INPUT_MODULO);
  const K = patternGrid(k, KERNEL_MODULO);
  const side = canvasSide(n, k, s, p, d, op);
  const at = Math.min(position, n * n - 1);
  const canvas = full(side, side);
  const taps = full(side, side);
  for (let cell = 0; cell <= at; cell++) {
    const [i, j] = [Math.floor(cell / n), cell % n];
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) canvas[i * s + a * d][j * s + b * d] += X[i][j] * K[a][b];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) taps[i * s + a * d][j * s + b * d] += 1;
    }
  }
  const [row, col] = [Math.floor(at / n), at % n];
  const landing = [];
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) landing.push([row * s + a * d, col * s + b * d]);
  const size = transposedSize(n, k, s, p, d, op);
  const problem = transposedProblem(n, k, s, p, d, op);
  const settings = { stride: [s, s], padding: [p, p], outputPadding: [op, op], dilation: [d, d] };
  const output = problem ? null : convTranspose2d(X, K, settings);
  const counts = problem ? null : taps.slice(p, p + size).map((r) => r.slice(p, p + size));
  return {
    X,
    K,
    canvas,
    row,
    col,
    copy: K.map((r) => r.map((v) => X[row][col] * v)),
    landing,
    crop: p,
    size,
    output,
    counts,
    formula: sizeFormula(n, k, s, p, d, op),
    pattern: patternText(k, s, d),
    call: convTranspose2dCall(k, s, p, d, op),
    problem,
  };
}

/** Output cell (row, col) spelled out, one product per copy landing there (output_sum). */
export function outputSum(n, k, s, p, d, row, col) {
  const X = patternGrid(n, INPUT_MODULO);
  const K = patternGrid(k, KERNEL_MODULO);
  const [r, c] = [row + p, col + p];
  const terms = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          if (i * s + a * d === r && j * s + b * d === c) terms.push({ x: X[i][j], k: K[a][b] });
        }
      }
    }
  }
  if (!terms.length) return `Y[${row}, ${col}] = 0: no copy of the kernel lands here`;
  return `Y[${row}, ${col}] = ${spelledSum(terms)}`;
}
