// Mirrors convlab.training (learn_kernel, loss_hessian): gradient descent on a
// kernel (and a bias) with the closed-form gradient ∂L/∂K = 2·corr2d(X, Ŷ − Y),
// ∂L/∂b = 2·Σ(Ŷ − Y), ÷N for a mean loss.

import { corr2d, correlate2d } from "./kernels/correlation.js";

/**
 * Learn a kernel that maps X to Y, starting from K0 (and b0 when `bias`).
 * Entry t of losses/kernels/biases belongs to the weights after t updates; a run
 * stops early once its loss passes `stopAbove` or is not finite (learn_kernel).
 */
export function learnKernel(
  X,
  Y,
  K0,
  b0,
  { lr, steps, loss = "sum", bias = false, stopAbove = Infinity },
) {
  const scale = loss === "mean" ? 1 / (Y.length * Y[0].length) : 1;
  let K = K0.map((row) => row.slice());
  let b = bias ? b0 : 0;
  const losses = [];
  const kernels = [];
  const biases = bias ? [] : null;
  for (let t = 0; ; t++) {
    const Yhat = corr2d(X, K).map((row) => row.map((v) => v + b));
    const R = Yhat.map((row, i) => row.map((v, j) => v - Y[i][j]));
    let squares = 0;
    let residualSum = 0;
    for (const row of R) {
      for (const r of row) {
        squares += r * r;
        residualSum += r;
      }
    }
    const L = squares * scale;
    losses.push(L);
    kernels.push(K);
    if (bias) biases.push(b);
    const stopped = !Number.isFinite(L) || L > stopAbove;
    if (t === steps || stopped) return { losses, kernels, biases, output: Yhat, stopped };
    const G = correlate2d(X, R); // the kernel's gradient is a cross-correlation
    K = K.map((row, a) => row.map((k, c) => k - lr * 2 * scale * G[a][c]));
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
