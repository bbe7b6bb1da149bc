// Mirrors convlab.training (learn_kernel, loss_hessian): gradient descent on a
// kernel (and a bias) with the closed-form gradient ∂L/∂K = 2·corr2d(X, Ŷ − Y),
// ∂L/∂b = 2·Σ(Ŷ − Y), ÷N for a mean loss.

/** A flat array as an array of rows `width` long (plain arrays, as the views read them). */
function asRows(flat, width) {
  const rows = [];
  for (let start = 0; start < flat.length; start += width) {
    const row = new Array(width);
    for (let j = 0; j < width; j++) row[j] = flat[start + j];
    rows.push(row);
  }
  return rows;
}

/**
 * Learn a kernel that maps X to Y, starting from K0 (and b0 when `bias`).
 * Entry t of losses/kernels/biases belongs to the weights after t updates; a run
 * stops early once its loss passes `stopAbove` or is not finite (learn_kernel).
 *
 * The images are copied once into flat arrays and each step works in place: a
 * slider move trains up to a few hundred steps, and an array per row and per
 * step cost more than the arithmetic. Every sum adds the same products in the
 * same order as corr2d and correlate2d would.
 */
export function learnKernel(
  X,
  Y,
  K0,
  b0,
  { lr, steps, loss = "sum", bias = false, stopAbove = Infinity },
) {
  const [kh, kw, width] = [K0.length, K0[0].length, X[0].length];
  const [rows, cols] = [X.length - kh + 1, width - kw + 1];
  const scale = loss === "mean" ? 1 / (Y.length * Y[0].length) : 1;
  const x = Float64Array.from(X.flat());
  const y = Float64Array.from(Y.flat());
  const k = Float64Array.from(K0.flat());
  const yhat = new Float64Array(rows * cols);
  const r = new Float64Array(rows * cols);
  let b = bias ? b0 : 0;
  const losses = [];
  const kernels = [];
  const biases = bias ? [] : null;
  for (let t = 0; ; t++) {
    let squares = 0;
    let residualSum = 0;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let s = 0; // Ŷ = corr2d(X, K) + b
        for (let a = 0; a < kh; a++) {
          for (let c = 0; c < kw; c++) s += x[(i + a) * width + j + c] * k[a * kw + c];
        }
        const at = i * cols + j;
        yhat[at] = s + b;
        r[at] = yhat[at] - y[at];
        squares += r[at] * r[at];
        residualSum += r[at];
      }
    }
    const L = squares * scale;
    losses.push(L);
    kernels.push(asRows(k, kw));
    if (bias) biases.push(b);
    const stopped = !Number.isFinite(L) || L > stopAbove;
    if (t === steps || stopped) {
      return { losses, kernels, biases, output: asRows(yhat, cols), stopped };
    }
    // The kernel's gradient is a cross-correlation of X with the residual R.
    for (let a = 0; a < kh; a++) {
      for (let c = 0; c < kw; c++) {
        let g = 0;
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) g += x[(a + i) * width + c + j] * r[i * cols + j];
        }
        k[a * kw + c] -= lr * 2 * scale * g;
      }
    }
    if (bias) b -= lr * 2 * scale * residualSum;
  }
}

/**
 * The Hessian of the squared loss: 2·Σ x xᵀ over the kh × kw windows x of X
 * (a 1 appended for the bias), ÷ the number of windows for a mean (loss_hessian).
 */
export function lossHessian(X, kh, kw, loss = "sum", bias = false) {
  const windows = [];
  for (let i = 0; i + kh <= X.length; i++) {
    for (let j = 0; j + kw <= X[0].length; j++) {
      const x = [];
      for (let a = 0; a < kh; a++) for (let c = 0; c < kw; c++) x.push(X[i + a][j + c]);
      if (bias) x.push(1);
      windows.push(x);
    }
  }
  const p = windows[0].length;
  const scale = loss === "mean" ? 2 / windows.length : 2;
  return Array.from({ length: p }, (_, r) =>
    Array.from({ length: p }, (_, c) => scale * windows.reduce((s, x) => s + x[r] * x[c], 0)),
  );
}

/** Eigenvalues of a small symmetric matrix, largest first (Jacobi rotations). */
export function symmetricEigenvalues(M) {
  const n = M.length;
  const A = M.map((row) => row.slice());
  const norm = A.reduce((s, row) => s + row.reduce((t, v) => t + v * v, 0), 0);
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p][q] * A[p][q];
    if (off <= 1e-32 * norm) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (A[p][q] === 0) continue;
        // Rotate in the (p, q) plane so that A[p][q] becomes 0.
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [kp, kq] = [A[k][p], A[k][q]];
          A[k][p] = c * kp - s * kq;
          A[k][q] = s * kp + c * kq;
        }
        for (let k = 0; k < n; k++) {
          const [pk, qk] = [A[p][k], A[q][k]];
          A[p][k] = c * pk - s * qk;
          A[q][k] = s * pk + c * qk;
        }
      }
    }
  }
  return A.map((row, i) => row[i]).sort((x, y) => y - x);
}
