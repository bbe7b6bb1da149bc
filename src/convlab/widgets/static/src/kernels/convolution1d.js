// Mirrors convlab.kernels.convolve1d.

/**
 * True 1-D convolution, full length: y[n] = Σ_k x[k] h[n − k].
 * Sample k of x adds a copy of h scaled by x[k], starting at k; zero samples add
 * nothing, so they are skipped (same sums, much faster for a short pulse).
 */
export function convolve1d(x, h) {
  const y = new Array(x.length + h.length - 1).fill(0);
  for (let k = 0; k < x.length; k++) {
    if (x[k] === 0) continue;
    for (let i = 0; i < h.length; i++) y[k + i] += x[k] * h[i];
  }
  return y;
}
