// Mirrors convlab.widgets.pooling_explorer (chapter 6): a bright square moves
// right, the [1, −1] edge detector turns it into an edge map, and a max or mean
// pool summarises the map. Sizes and settings are [height, width] pairs.

import { corr2d } from "../kernels/correlation.js";
import { pool2d } from "../kernels/pooling.js";
import { full } from "../matrices.js";
import { formatNumber } from "./text.js";

/** The pooling explorer's input: zeros, a 3×3 square of ones moved `shift` columns right. */
function squareInput(shift, grid = 8, [top, left, side] = [2, 1, 3]) {
  const X = full(grid, grid);
  for (let i = top; i < top + side; i++)
    for (let j = left + shift; j < left + shift + side; j++) X[i][j] = 1;
  return X;
}

/** The PyTorch layer with these settings (pool_call). */
export function poolCall(mode, k, s, p) {
  const name = mode === "max" ? "MaxPool2d" : "AvgPool2d";
  return `nn.${name}(kernel_size=${k}, stride=${s}, padding=${p})`;
}

/** How many cells of two equally shaped matrices differ. */
function countChanged(A, B) {
  return A.reduce((n, row, i) => n + row.filter((v, j) => v !== B[i][j]).length, 0);
}

/**
 * Why a k×k pool with padding p cannot run on a map of `size`, in words, or null.
 * Same text as pooling_explorer.pool_problem in Python.
 */
export function poolProblem(size, k, p) {
  if (2 * p > k) {
    return (
      `Padding ${p} is more than half the window ${k}: pooling needs p ≤ k/2 ` +
      `(2·${p} = ${2 * p} > ${k}), so that a window at the border reaches at most ` +
      `half its width into the padding and always covers cells of the map. ` +
      `PyTorch refuses it too.`
    );
  }
  const sentences = [];
  ["rows", "columns"].forEach((axis, i) => {
    const n = size[i];
    if (k > n + 2 * p) {
      sentences.push(
        `The window spans ${k} ${axis}, but the padded map has only ` +
          `n + 2p = ${n} + 2·${p} = ${n + 2 * p}: a window must fit inside ` +
          `the padded map (k ≤ n + 2p).`,
      );
    }
  });
  return sentences.length ? sentences.join(" ") : null;
}

/** One pooled cell spelled out (window_text): "P[0, 1] = max(0, 1) = 1". */
function windowText(mode, row, col, values, result) {
  const show = (v) => (v === -Infinity ? "−∞" : formatNumber(v).replace("-", "−"));
  const listed = values.map(show).join(", ");
  if (mode === "max") return `P[${row}, ${col}] = max(${listed}) = ${show(result)}`;
  const total = values.reduce((s, v) => s + v, 0);
  return `P[${row}, ${col}] = mean(${listed}) = ${show(total)}/${values.length} = ${show(result)}`;
}

/**
 * The maps the pooling explorer shows for these settings (explore_pooling without
 * its window): the shifted input, its [1, −1] edge map, the pooled map (null when
 * the pool cannot run: `problem` says why) and the cells of each changed compared
 * with shift 0. A move of the window alone keeps them: see poolingWindow.
 */
export function poolingMaps(k, s, p, mode, shift) {
  const X = squareInput(shift);
  const X0 = squareInput(0);
  const edge = [[1, -1]];
  const feature = corr2d(X, edge);
  const feature0 = corr2d(X0, edge);
  const problem = poolProblem([feature.length, feature[0].length], k, p);
  const settings = { k, s, p, mode };
  if (problem) {
    const changed = [countChanged(X, X0), countChanged(feature, feature0), 0];
    return { settings, X, feature, pooled: null, changed, problem };
  }
  const pooled = pool2d(feature, mode, [k, k], [s, s], [p, p]);
  const pooled0 = pool2d(feature0, mode, [k, k], [s, s], [p, p]);
  const changed = [
    countChanged(X, X0),
    countChanged(feature, feature0),
    countChanged(pooled, pooled0),
  ];
  return { settings, X, feature, pooled, changed, problem: null };
}

/**
 * The window of pooled cell number `position` (row by row, the last cell when past
 * it) over `maps` (poolingMaps, with a pooled map): its row and column, its cells
 * in the padded edge map, their values (padding: −∞ for max, 0 for mean) and the
 * sum spelled out.
 */
export function poolingWindow(maps, position) {
  const { settings, feature, pooled } = maps;
  const { k, s, p, mode } = settings;
  const [fh, fw] = [feature.length, feature[0].length];
  const ow = pooled[0].length;
  const at = Math.min(position, pooled.length * ow - 1);
  const [row, col] = [Math.floor(at / ow), at % ow];
  const window = [];
  const values = [];
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const [r, c] = [row * s + a, col * s + b];
      window.push([r, c]);
      const [i, j] = [r - p, c - p];
      const inside = i >= 0 && i < fh && j >= 0 && j < fw;
      values.push(inside ? feature[i][j] : mode === "max" ? -Infinity : 0);
    }
  }
  const text = windowText(mode, row, col, values, pooled[row][col]);
  return { row, col, window, values, text };
}

/**
 * Everything the pooling explorer shows (explore_pooling): the maps for these
 * settings and the window of pooled cell number `position`.
 */
export function explorePooling(k, s, p, mode, shift, position = 0) {
  const maps = poolingMaps(k, s, p, mode, shift);
  if (maps.problem) return { ...maps, row: 0, col: 0, window: [], values: [], text: "" };
  return { ...maps, ...poolingWindow(maps, position) };
}
