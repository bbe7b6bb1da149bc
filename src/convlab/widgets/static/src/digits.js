// Mirrors convlab.digits: the data set's 8 × 8 digits, made from 32 × 32 drawings.

import { poolPlanes } from "./kernels/pooling.js";

export const SIZE = 8; // pixels per side of a digit
export const BLOCK = 4; // pixels per side of the block of the drawing one pixel counts
export const SCAN = SIZE * BLOCK; // the drawing: 32 × 32

/**
 * A 32 × 32 drawing (1024 values, 1 = ink, row by row) as the data set stores a
 * digit: the share of ink in each 4 × 4 block, a 4 × 4 average pooling (from_bitmap).
 * Returns 64 values (a Float64Array, row by row).
 */
export function fromBitmap(bitmap) {
  return poolPlanes(bitmap, [1, SCAN, SCAN], "mean", [BLOCK, BLOCK]).Y;
}
