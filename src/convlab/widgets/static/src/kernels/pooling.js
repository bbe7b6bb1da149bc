// Mirrors convlab.kernels.max_pool2d and avg_pool2d on one channel.

import { full } from "../matrices.js";
import { outputSize } from "./shapes.js";

/**
 * Max or mean pooling of one channel with PyTorch's defaults: for "max" the
 * padding cells hold −∞ and never win; for "mean" they hold zeros and count in
 * the mean (count_include_pad=True). Null when the window does not fit.
 */
export function pool2d(X, mode, kernel, stride = kernel, padding = [0, 0]) {
  const fill = mode === "max" ? -Infinity : 0;
  const Xp = full(X.length + 2 * padding[0], X[0].length + 2 * padding[1], fill);
  X.forEach((row, i) => {
    row.forEach((v, j) => {
      Xp[i + padding[0]][j + padding[1]] = v;
    });
  });
  const oh = outputSize(X.length, kernel[0], stride[0], padding[0]);
  const ow = outputSize(X[0].length, kernel[1], stride[1], padding[1]);
  if (oh < 1 || ow < 1) return null;
  const Y = full(oh, ow);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      const values = [];
      for (let a = 0; a < kernel[0]; a++) {
        for (let b = 0; b < kernel[1]; b++) values.push(Xp[i * stride[0] + a][j * stride[1] + b]);
      }
      Y[i][j] =
        mode === "max" ? Math.max(...values) : values.reduce((s, v) => s + v, 0) / values.length;
    }
  }
  return Y;
}

/**
 * pool2d for maps stored row by row in one array `X` (typed or plain): C maps of
 * height × width, each pooled on its own, with PyTorch's defaults as above (max: the
 * padding never wins; mean: zeros that count, the sum divided by kh·kw). The
 * window's cells are visited row by row. Returns { Y, shape: [C, rows, cols] } with
 * Y a Float64Array, or null when the window does not fit.
 */
export function poolPlanes(
  X,
  [channels, height, width],
  mode,
  kernel,
  stride = kernel,
  padding = [0, 0],
) {
  const rows = outputSize(height, kernel[0], stride[0], padding[0]);
  const cols = outputSize(width, kernel[1], stride[1], padding[1]);
  if (rows < 1 || cols < 1) return null;
  const max = mode === "max";
  const Y = new Float64Array(channels * rows * cols);
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let s = max ? -Infinity : 0;
        for (let a = 0; a < kernel[0]; a++) {
          const r = i * stride[0] + a - padding[0];
          if (r < 0 || r >= height) continue;
          for (let b = 0; b < kernel[1]; b++) {
            const q = j * stride[1] + b - padding[1];
            if (q < 0 || q >= width) continue;
            const v = X[plane + r * width + q];
            if (max) {
              if (v > s || Number.isNaN(v)) s = v;
            } else s += v;
          }
        }
        Y[(c * rows + i) * cols + j] = max ? s : s / (kernel[0] * kernel[1]);
      }
    }
  }
  return { Y, shape: [channels, rows, cols] };
}
