// Small matrices as arrays of rows (arrays of numbers), as the widgets draw them.

/** A rows × cols matrix filled with `value`. */
export function full(rows, cols, value = 0) {
  return Array.from({ length: rows }, () => new Array(cols).fill(value));
}
