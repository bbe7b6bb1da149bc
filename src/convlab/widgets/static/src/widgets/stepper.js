// Mirrors convlab.widgets.stepper (chapter 2, the cross-correlation stepper).

/** Why a kh × kw kernel cannot slide over an nh × nw input, in words, or null (size_problem). */
export function sizeProblem(nh, nw, kh, kw) {
  const axes = [
    ["row", nh, kh],
    ["column", nw, kw],
  ];
  for (const [axis, n, k] of axes) {
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

/** A matrix resized to rows × cols: kept values stay, new cells count on from 0. */
export function resized(M, rows, cols) {
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) =>
      i < M.length && j < M[0].length ? M[i][j] : i * cols + j,
    ),
  );
}
