// Mirrors convlab.kernels.shapes: the size of a layer's output.

/** Output length along one axis: floor((n + 2p − d(k − 1) − 1) / s) + 1 (output_size). */
export function outputSize(n, k, stride = 1, padding = 0, dilation = 1) {
  return Math.floor((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
}
