// convmath.js: the small amount of convolution maths the browser repeats so
// that sliders recompute on a static page with no Python kernel.
// Every function here mirrors one in convlab.kernels (Python); tests run this
// module in Node on random cases and compare with the Python results.
// Matrices are arrays of rows (arrays of numbers).

/** Output length along one axis: floor((n + 2p - d(k-1) - 1) / s) + 1. */
export function outputSize(n, k, stride = 1, padding = 0, dilation = 1) {
  return Math.floor((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
}

/** A rows x cols matrix filled with `value`. */
export function full(rows, cols, value = 0) {
  return Array.from({ length: rows }, () => new Array(cols).fill(value));
}

/** The kernel flipped top-to-bottom and left-to-right. */
export function flip2d(K) {
  return K.slice().reverse().map((row) => row.slice().reverse());
}

/** Surround X with `ph` rows of zeros above and below, `pw` columns left and right. */
export function pad2d(X, ph, pw = ph) {
  const cols = X[0].length + 2 * pw;
  const out = full(X.length + 2 * ph, cols);
  X.forEach((row, i) => row.forEach((v, j) => (out[i + ph][j + pw] = v)));
  return out;
}

/**
 * The input cells one output cell reads: [{row, col, x, k}] with row/col in the
 * padded input. Mirrors the window of convlab.kernels.conv2d.
 */
export function windowTerms(Xp, K, i, j, stride = [1, 1], dilation = [1, 1]) {
  const terms = [];
  K.forEach((krow, a) =>
    krow.forEach((k, b) => {
      const row = i * stride[0] + a * dilation[0];
      const col = j * stride[1] + b * dilation[1];
      terms.push({ row, col, x: Xp[row][col], k });
    }),
  );
  return terms;
}

/**
 * 2-D cross-correlation of one channel with per-axis stride, zero padding and
 * dilation, like convlab.kernels.conv2d on a (1, 1, H, W) input.
 * Returns null when the kernel does not fit (use conv2dProblem to say why).
 */
export function correlate2d(X, K, { stride = [1, 1], padding = [0, 0], dilation = [1, 1] } = {}) {
  const Xp = pad2d(X, padding[0], padding[1]);
  const oh = outputSize(X.length, K.length, stride[0], padding[0], dilation[0]);
  const ow = outputSize(X[0].length, K[0].length, stride[1], padding[1], dilation[1]);
  if (oh < 1 || ow < 1) return null;
  const Y = full(oh, ow);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let s = 0;
      for (const t of windowTerms(Xp, K, i, j, stride, dilation)) s += t.x * t.k;
      Y[i][j] = s;
    }
  }
  return Y;
}

/** The plain corr2d of the course: no padding, stride 1. */
export function corr2d(X, K) {
  return correlate2d(X, K);
}

/** True convolution: cross-correlation with the kernel flipped both ways. */
export function convolve2d(X, K) {
  return correlate2d(X, flip2d(K));
}

/**
 * Why a kernel of size k (per axis) cannot slide over an input of size n, in
 * words with the numbers, or null when it fits. Same text as
 * convlab.widgets.stepper.size_problem in Python.
 */
export function sizeProblem(nh, nw, kh, kw) {
  for (const [axis, n, k] of [["row", nh, kh], ["column", nw, kw]]) {
    if (k > n) {
      return (
        `The kernel has ${k} ${axis}s but the input has only ${n}: a window must fit ` +
        `inside the input (k ≤ n), and n − k + 1 = ${n} − ${k} + 1 = ${n - k + 1} ` +
        `leaves no output ${axis}.`
      );
    }
  }
  return null;
}

/** A number as the widgets print it: integers as is, others with up to 3 decimals. */
export function formatNumber(v) {
  if (Number.isInteger(v)) return String(v);
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? "0" : String(r);
}

/** "0×0 + 1×1 + 3×2 + 4×3 = 19": one output cell's sum, spelled out. */
export function spelledSum(terms) {
  const show = (v) => (v < 0 ? `(${formatNumber(v)})` : formatNumber(v));
  const total = terms.reduce((s, t) => s + t.x * t.k, 0);
  return `${terms.map((t) => `${show(t.x)}×${show(t.k)}`).join(" + ")} = ${formatNumber(total)}`;
}
