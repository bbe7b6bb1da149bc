// Mirrors convlab.kernels.transpose on one channel: the transposed convolution,
// each input cell scattering a scaled copy of the kernel into the output.

import { full } from "../matrices.js";

/** Output length along one axis: (n − 1)·s − 2p + d·(k − 1) + output_padding + 1 (transposed_size). */
export function transposedSize(n, k, s = 1, p = 0, d = 1, outputPadding = 0) {
  return (n - 1) * s - 2 * p + d * (k - 1) + outputPadding + 1;
}

/**
 * The transposed convolution of one channel X by the kernel K with per-axis
 * stride, padding, output_padding and dilation, like conv_transpose2d on a
 * (1, 1, H, W) input: input cell (i, j)'s copy X[i][j]·K lands with tap (a, b)
 * on output cell (i·s + a·d − p, j·s + b·d − p); cells outside the output are
 * cropped. Returns null where PyTorch refuses: output_padding not smaller than
 * the stride or the dilation, or no output cell left.
 */
export function convTranspose2d(
  X,
  K,
  { stride = [1, 1], padding = [0, 0], outputPadding = [0, 0], dilation = [1, 1] } = {},
) {
  const sizes = [0, 1].map((axis) =>
    transposedSize(
      axis ? X[0].length : X.length,
      axis ? K[0].length : K.length,
      stride[axis],
      padding[axis],
      dilation[axis],
      outputPadding[axis],
    ),
  );
  const refused = [0, 1].some(
    (axis) => outputPadding[axis] >= stride[axis] && outputPadding[axis] >= dilation[axis],
  );
  if (refused || sizes[0] < 1 || sizes[1] < 1) return null;
  const Y = full(sizes[0], sizes[1]);
  X.forEach((row, i) => {
    row.forEach((x, j) => {
      K.forEach((krow, a) => {
        const r = i * stride[0] + a * dilation[0] - padding[0];
        if (r < 0 || r >= sizes[0]) return;
        krow.forEach((k, b) => {
          const c = j * stride[1] + b * dilation[1] - padding[1];
          if (c >= 0 && c < sizes[1]) Y[r][c] += x * k;
        });
      });
    });
  });
  return Y;
}
