// Small matrices as arrays of rows (arrays of numbers), as the widgets draw them.

/** 1, 2, …, modulo, 1, 2, … row by row on a size × size grid (widgets._grid.counting_grid). */
export function countingGrid(size, modulo) {
  const row = (i) => Array.from({ length: size }, (_, j) => ((i * size + j) % modulo) + 1);
  return Array.from({ length: size }, (_, i) => row(i));
}

/** A rows × cols matrix filled with `value`. */
export function full(rows, cols, value = 0) {
  return Array.from({ length: rows }, () => new Array(cols).fill(value));
}
