// Mirrors convlab.signals: a rectangular pulse through the first-order system
// h(t) = e^(−t/T)/T, in closed form and by numeric convolution.

/**
 * Closed-form answer of h(t) = e^(−t/T)/T to a pulse of width W, 1 on 0 ≤ t < W
 * (rectangle_response). The rise and the afterglow meet at t = W, the peak.
 */
export function rectangleResponse(t, T, W) {
  if (t < 0) return 0;
  if (t <= W) return 1 - Math.exp(-t / T);
  return Math.exp((W - t) / T) - Math.exp(-t / T); // (e^(W/T) − 1) e^(−t/T), the afterglow
}

/**
 * The pulse sampled every dt, convolved with the sampled h: y ≈ dt · (x * h), next
 * to the closed form, on t = 0 … ⌈W + 5T⌉ (simulate_rectangle). Sample k stands for
 * [k·dt, (k + 1)·dt), so the round(W / dt) ones cover [0, W); the sum at sample n
 * counts its whole interval, so the numeric peak comes one step early, at W − dt.
 * With x a run of ones, (x * h)[n] = Σ h[n − k] over the pulse's k: the sum of the
 * last round(W / dt) samples of h up to n, kept as a running sum (one addition and
 * one subtraction a sample instead of one product per pulse sample).
 */
export function simulateRectangle(T, W, dt) {
  const tMax = Math.ceil(W + 5 * T);
  const n = Math.floor(tMax / dt + 0.5) + 1;
  const ones = Math.floor(W / dt + 0.5);
  // One pass, into arrays of their final length: a slider move simulates thousands
  // of samples, and an array per step (map upon map) cost more than the sums.
  const [t, x, h, y, exact] = [
    new Array(n),
    new Array(n),
    new Array(n),
    new Array(n),
    new Array(n),
  ];
  let window = 0; // h[n − ones + 1] + … + h[n]
  let maxError = 0;
  for (let k = 0; k < n; k++) {
    t[k] = k * dt;
    x[k] = k < ones ? 1 : 0;
    h[k] = Math.exp(-t[k] / T) / T;
    window += h[k];
    if (k >= ones) window -= h[k - ones];
    y[k] = dt * window;
    exact[k] = rectangleResponse(t[k], T, W);
    maxError = Math.max(maxError, Math.abs(y[k] - exact[k]));
  }
  return { t, x, y, exact, maxError };
}
