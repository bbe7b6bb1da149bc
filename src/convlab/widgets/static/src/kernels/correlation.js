// Mirrors convlab.kernels.correlation and conv2d on one channel: cross-correlation
// with stride, zero padding and dilation, and true convolution.

import { full } from "../matrices.js";
import { outputSize } from "./shapes.js";

/** The kernel flipped top-to-bottom and left-to-right. */
export function flip2d(K) {
  return K.slice()
    .reverse()
    .map((row) => row.slice().reverse());
}

/** Surround X with `ph` rows of zeros above and below, `pw` columns left and right. */
export function pad2d(X, ph, pw = ph) {
  const cols = X[0].length + 2 * pw;
  const out = full(X.length + 2 * ph, cols);
  X.forEach((row, i) => {
    row.forEach((v, j) => {
      out[i + ph][j + pw] = v;
    });
  });
  return out;
}

/**
 * The input cells one output cell reads: [{row, col, x, k}] with row/col in the
 * padded input. Mirrors the window of convlab.kernels.conv2d.
 */
export function windowTerms(Xp, K, i, j, stride = [1, 1], dilation = [1, 1]) {
  const terms = [];
  K.forEach((krow, a) => {
    krow.forEach((k, b) => {
      const row = i * stride[0] + a * dilation[0];
      const col = j * stride[1] + b * dilation[1];
      terms.push({ row, col, x: Xp[row][col], k });
    });
  });
  return terms;
}

/**
 * 2-D cross-correlation of one channel with per-axis stride, zero padding and
 * dilation, like convlab.kernels.conv2d on a (1, 1, H, W) input.
 * Returns null when the kernel does not fit.
 */
export function correlate2d(X, K, { stride = [1, 1], padding = [0, 0], dilation = [1, 1] } = {}) {
  const Xp = pad2d(X, padding[0], padding[1]);
  const oh = outputSize(X.length, K.length, stride[0], padding[0], dilation[0]);
  const ow = outputSize(X[0].length, K[0].length, stride[1], padding[1], dilation[1]);
  if (oh < 1 || ow < 1) return null;
  const Y = full(oh, ow);
  // The sum of windowTerms' products, in its order, without building the terms:
  // training calls this hundreds of times a slider move (the edge learner).
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let s = 0;
      K.forEach((krow, a) => {
        const xrow = Xp[i * stride[0] + a * dilation[0]];
        for (let b = 0; b < krow.length; b++) s += xrow[j * stride[1] + b * dilation[1]] * krow[b];
      });
      Y[i][j] = s;
    }
  }
  return Y;
}

/** The plain corr2d of the course: no padding, stride 1. */
export function corr2d(X, K) {
  return correlate2d(X, K);
}

/** True convolution: cross-correlation with the kernel flipped both ways (convolve2d). */
export function convolve2d(X, K) {
  return correlate2d(X, flip2d(K));
}

/**
 * One image stored row by row in `X` (typed or plain, `height` × `width`), surrounded
 * by `ph` rows of zeros above and below and `pw` columns left and right: the padded
 * plane (a Float64Array) and the length of its rows.
 */
function padPlane(X, [height, width], [ph, pw], offset = 0) {
  const line = width + 2 * pw;
  const padded = new Float64Array((height + 2 * ph) * line);
  for (let i = 0; i < height; i++) {
    const start = offset + i * width;
    for (let j = 0; j < width; j++) padded[(i + ph) * line + pw + j] = X[start + j];
  }
  return { padded, line };
}

/**
 * Add to Y (rows × cols, from `at`) the cross-correlation of a padded plane with the
 * kernel whose kh × kw taps are `taps[first …]`, windows `stride` apart: each output
 * adds its window's products row by row, then joins Y.
 */
function addCorrelation(Y, at, { padded, line }, taps, first, [kh, kw], [rows, cols], stride) {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const corner = i * stride[0] * line + j * stride[1];
      let s = 0;
      for (let a = 0; a < kh; a++) {
        const start = corner + a * line;
        const tap = first + a * kw;
        for (let b = 0; b < kw; b++) s += padded[start + b] * taps[tap + b];
      }
      Y[at + i * cols + j] += s;
    }
  }
}

/**
 * correlate2d (stride and zero padding, no dilation) for one image stored row by row
 * in one array `X` (typed or plain) of `height` × `width`, such as a photo: the same products,
 * added in the same order, but with no array per row and no object per product, so
 * that a 100 × 150 photo and a 9 × 9 kernel take a few milliseconds. Returns
 * { Y, rows, cols } with Y a Float64Array, or null when the kernel does not fit.
 */
export function correlatePlane(X, [height, width], K, { stride = [1, 1], padding = [0, 0] } = {}) {
  const [kh, kw] = [K.length, K[0].length];
  const rows = outputSize(height, kh, stride[0], padding[0]);
  const cols = outputSize(width, kw, stride[1], padding[1]);
  if (rows < 1 || cols < 1) return null;
  const plane = padPlane(X, [height, width], padding);
  const Y = new Float64Array(rows * cols);
  addCorrelation(Y, 0, plane, K.flat(), 0, [kh, kw], [rows, cols], stride);
  return { Y, rows, cols };
}

/**
 * A convolutional layer on flat arrays, like convlab.kernels.conv2d on one image:
 * X holds C maps of height × width row by row; W holds C_out kernels of C/groups
 * maps of kh × kw (PyTorch's weight, flattened); bias is C_out numbers or null.
 * Output map o correlates the C/groups input maps of its group (groups = C: one
 * kernel per map, depthwise) and adds them to its bias. Zero padding per side
 * `padding` = [rows, columns]. Returns { Y, shape: [C_out, rows, cols] }, or null
 * when the kernel does not fit.
 */
export function conv2dPlanes(
  X,
  [channels, height, width],
  W,
  [outChannels, kh, kw],
  bias,
  { stride = [1, 1], padding = [0, 0], groups = 1 } = {},
) {
  const rows = outputSize(height, kh, stride[0], padding[0]);
  const cols = outputSize(width, kw, stride[1], padding[1]);
  if (rows < 1 || cols < 1) return null;
  // Every input map padded, one after the other in one array (one allocation).
  const line = width + 2 * padding[1];
  const plane = (height + 2 * padding[0]) * line;
  const padded = new Float64Array(channels * plane);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < height; i++) {
      const from = (c * height + i) * width;
      const to = c * plane + (i + padding[0]) * line + padding[1];
      for (let j = 0; j < width; j++) padded[to + j] = X[from + j];
    }
  }
  const [perGroup, outPerGroup] = [channels / groups, outChannels / groups];
  const [sh, sw, taps] = [stride[0], stride[1], kh * kw];
  const Y = new Float64Array(outChannels * rows * cols);
  // Output map o, cell (i, j): the bias, then for each input map of o's group the sum
  // of its window's products, row by row (as addCorrelation adds them).
  for (let o = 0; o < outChannels; o++) {
    const first = Math.floor(o / outPerGroup) * perGroup;
    const out = o * rows * cols;
    if (bias) Y.fill(bias[o], out, out + rows * cols);
    for (let c = 0; c < perGroup; c++) {
      const base = (first + c) * plane;
      const w0 = (o * perGroup + c) * taps;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const corner = base + i * sh * line + j * sw;
          let s = 0;
          for (let a = 0; a < kh; a++) {
            const at = corner + a * line;
            const w = w0 + a * kw;
            for (let b = 0; b < kw; b++) s += padded[at + b] * W[w + b];
          }
          Y[out + i * cols + j] += s;
        }
      }
    }
  }
  return { Y, shape: [outChannels, rows, cols] };
}
