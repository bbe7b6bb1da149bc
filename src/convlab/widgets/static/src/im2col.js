// Mirrors convlab.im2col: every window of the input becomes a column, every output
// channel's kernels become a row, and one matrix product gives every output.

/** ⌊(n − k)/s⌋ + 1: window positions along one axis, below 1 when none fits. */
export function windowsPerAxis(n, k, s) {
  return Math.floor((n - k) / s) + 1;
}

/**
 * The column matrix of X [c][i][j] for a k × k kernel and stride s: row c·k² + a·k + b,
 * column y·W′ + x holds X[c][y·s + a][x·s + b] (im2col).
 */
export function im2colMatrix(X, k, s) {
  const side = windowsPerAxis(X[0].length, k, s);
  const rows = [];
  for (const Xc of X) {
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        const row = [];
        for (let y = 0; y < side; y++)
          for (let x = 0; x < side; x++) row.push(Xc[y * s + a][x * s + b]);
        rows.push(row);
      }
    }
  }
  return rows;
}

/** Each output channel's kernels W[o] flattened into one row (kernel_matrix). */
export function kernelRows(W) {
  return W.map((kernels) => kernels.flat(2));
}

/** The matrix product A @ B. */
export function matrixProduct(A, B) {
  return A.map((row) => B[0].map((_, j) => row.reduce((s, v, r) => s + v * B[r][j], 0)));
}

/**
 * The sizes of im2col on a c × n × n input with k × k windows and stride s, in
 * numbers, and the product's multiply-adds for `outChannels` (im2col_sizes).
 */
export function im2colSizes(c, n, k, s = 1, outChannels = 1) {
  const side = windowsPerAxis(n, k, s);
  const [rows, columns] = [c * k * k, side * side];
  const inputElements = c * n * n;
  const matrixElements = rows * columns;
  return {
    inputElements,
    rows,
    columns,
    matrixElements,
    macs: outChannels * matrixElements,
    growth: matrixElements / inputElements,
  };
}
