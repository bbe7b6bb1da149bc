// Mirrors convlab.widgets.gradient_view (chapter 9): the gradient of conv2d with
// respect to one input cell, the sum of the output gradients times the kernel
// taps that read it. The widget is square: one size, stride, … for both axes.

import { conv2dInputGradient } from "../kernels/backward.js";
import { outputSize } from "../kernels/shapes.js";
import { countingGrid } from "../matrices.js";
import { conv2dProblem } from "./explorer.js";
import { formatNumber } from "./text.js";

const GRADIENT_MODULO = 5; // ∂L/∂y holds 1, 2, …, 5, 1, … (row by row)

/** The kernel 1, 2, …, k² row by row (kernel_grid). */
export function kernelGrid(k) {
  return countingGrid(k, k * k);
}

/** The output gradient 1, 2, …, 5, 1, … row by row on a size × size grid (gradient_grid). */
export function gradientGrid(size) {
  return countingGrid(size, GRADIENT_MODULO);
}

/** The products whose sum is ∂L/∂x[i, j]: [{r, c, a, b, g, k}] by output cell, then tap (gradient_terms). */
export function gradientTerms(n, k, s, p, d, i, j) {
  const side = outputSize(n, k, s, p, d);
  if (side < 1) return [];
  const [G, K] = [gradientGrid(side), kernelGrid(k)];
  const terms = [];
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          if (r * s + a * d - p === i && c * s + b * d - p === j) {
            terms.push({ r, c, a, b, g: G[r][c], k: K[a][b] });
          }
        }
      }
    }
  }
  return terms;
}

/** ∂L/∂x[i, j] spelled out: the cells and taps, their numbers and the sum (gradient_text). */
export function gradientText(i, j, terms) {
  const head = `∂L/∂x[${i}, ${j}]`;
  if (!terms.length) {
    return (
      `${head} = 0: no window reads this cell (the stride or the dilation's gaps ` +
      "skip it, or the windows stop before it)"
    );
  }
  const named = terms.map((t) => `∂L/∂y[${t.r}, ${t.c}]·K[${t.a}, ${t.b}]`).join(" + ");
  const numbers = terms.map((t) => `${formatNumber(t.g)}×${formatNumber(t.k)}`).join(" + ");
  const total = formatNumber(terms.reduce((sum, t) => sum + t.g * t.k, 0));
  return `${head} = ${named} = ${numbers} = ${total}`;
}

/**
 * Everything the gradient view shows (pick_gradient): the kernel, the output
 * gradient and the input gradient (null when the kernel does not fit), the
 * picked cell, its products and its sum in words, and the problem.
 */
export function pickGradient(n, k, s, p, d, cell = 0) {
  const K = kernelGrid(k);
  const at = Math.min(cell, n * n - 1);
  const [row, col] = [Math.floor(at / n), at % n];
  const problem = conv2dProblem([n, n], [k, k], [p, p], [d, d]);
  if (problem) return { K, G: null, grad: null, row, col, terms: [], text: "", problem };
  const G = gradientGrid(outputSize(n, k, s, p, d));
  const settings = { stride: [s, s], padding: [p, p], dilation: [d, d] };
  const grad = conv2dInputGradient(G, K, [n, n], settings);
  const terms = gradientTerms(n, k, s, p, d, row, col);
  return { K, G, grad, row, col, terms, text: gradientText(row, col, terms), problem: null };
}
