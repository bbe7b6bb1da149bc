// Mirrors convlab.kernels.backward on one channel: the gradient of conv2d with
// respect to its input, each output gradient sent back through every kernel tap.

import { full } from "../matrices.js";

/**
 * ∂L/∂x of y = conv2d(x, K) (one channel; per-axis stride, zero padding and
 * dilation) for the output gradient G = ∂L/∂y, with x of [height, width]: window
 * (r, c) read x[r·s + a·d − p][c·s + b·d − p] with tap (a, b), so it adds
 * G[r][c]·K[a][b] there (conv2d_backward's input gradient). Cells of the padding
 * get nothing; cells no window read stay 0.
 */
export function conv2dInputGradient(
  G,
  K,
  [height, width],
  { stride = [1, 1], padding = [0, 0], dilation = [1, 1] } = {},
) {
  const grad = full(height, width);
  G.forEach((row, r) => {
    row.forEach((g, c) => {
      K.forEach((krow, a) => {
        const i = r * stride[0] + a * dilation[0] - padding[0];
        if (i < 0 || i >= height) return;
        krow.forEach((k, b) => {
          const j = c * stride[1] + b * dilation[1] - padding[1];
          if (j >= 0 && j < width) grad[i][j] += g * k;
        });
      });
    });
  });
  return grad;
}
