// Mirrors convlab.widgets.digits (chapter 10): a drawing read by a network. The
// drawing is a 32 × 32 bitmap (a Uint8Array, 1 = ink, row by row); the widget's state
// keeps it as 32 strings of "0"/"1", and its test digits as counts of ink (0–16) per
// pixel, 64 bytes a digit, in base64.

import { BLOCK, fromBitmap, SCAN, SIZE } from "../digits.js";
import { forward, softmax } from "../network.js";

// The rank of each pixel of a 4 × 4 block: a count c inks the pixels ranked below c.
const DITHER = [
  [0, 8, 2, 10],
  [12, 4, 14, 6],
  [3, 11, 1, 9],
  [15, 7, 13, 5],
];

/** The widget's rows of "0"/"1" as a bitmap. */
export function parseBitmap(rows) {
  const bitmap = new Uint8Array(SCAN * SCAN);
  rows.forEach((row, i) => {
    for (let j = 0; j < SCAN; j++) bitmap[i * SCAN + j] = row.charCodeAt(j) === 49 ? 1 : 0;
  });
  return bitmap;
}

/** A bitmap as the widget's rows of "0"/"1" (bitmap_rows). */
export function bitmapRows(bitmap) {
  const rows = [];
  for (let i = 0; i < SCAN; i++)
    rows.push(Array.from(bitmap.slice(i * SCAN, (i + 1) * SCAN)).join(""));
  return rows;
}

/** The test digits of the widget's state: [{ label, counts }], counts 64 bytes 0–16. */
export function decodeDigits({ counts, labels }) {
  const bytes = atob(counts);
  return labels.map((label, n) => {
    const c = new Uint8Array(SIZE * SIZE);
    for (let i = 0; i < c.length; i++) c[i] = bytes.charCodeAt(n * c.length + i);
    return { label, counts: c };
  });
}

/** A drawing whose blocks hold a digit's counts of ink (digit_bitmap). */
export function digitBitmap(counts) {
  const bitmap = new Uint8Array(SCAN * SCAN);
  for (let i = 0; i < SCAN; i++) {
    for (let j = 0; j < SCAN; j++) {
      const c = counts[Math.floor(i / BLOCK) * SIZE + Math.floor(j / BLOCK)];
      bitmap[i * SCAN + j] = DITHER[i % BLOCK][j % BLOCK] < c ? 1 : 0;
    }
  }
  return bitmap;
}

/**
 * Ink the pen's trace from (x0, y0) to (x1, y1), in pixels of the pad (x to the
 * right, y down; pixel (i, j) covers [j, j + 1) × [i, i + 1)): every pixel whose
 * centre lies within pen/2 of the segment, and every pixel the segment crosses.
 * Returns how many pixels turned from paper to ink.
 */
export function inkLine(bitmap, x0, y0, x1, y1, pen) {
  const r = pen / 2;
  const [dx, dy] = [x1 - x0, y1 - y0];
  const length2 = dx * dx + dy * dy;
  const top = Math.max(0, Math.floor(Math.min(y0, y1) - r));
  const bottom = Math.min(SCAN - 1, Math.floor(Math.max(y0, y1) + r));
  const left = Math.max(0, Math.floor(Math.min(x0, x1) - r));
  const right = Math.min(SCAN - 1, Math.floor(Math.max(x0, x1) + r));
  let inked = 0;
  for (let i = top; i <= bottom; i++) {
    for (let j = left; j <= right; j++) {
      const [cx, cy] = [j + 0.5, i + 0.5];
      // The point of the segment nearest the pixel's centre.
      const t = length2 ? Math.max(0, Math.min(1, ((cx - x0) * dx + (cy - y0) * dy) / length2)) : 0;
      const [px, py] = [x0 + t * dx, y0 + t * dy];
      const near = (cx - px) ** 2 + (cy - py) ** 2 <= r * r;
      const crossed = Math.floor(px) === j && Math.floor(py) === i;
      if ((near || crossed) && bitmap[i * SCAN + j] === 0) {
        bitmap[i * SCAN + j] = 1;
        inked += 1;
      }
    }
  }
  return inked;
}

/** A new drawing holding one stroke through `points` ([[x, y], …]) with a pen `pen` wide. */
export function strokeBitmap(points, pen) {
  const bitmap = new Uint8Array(SCAN * SCAN);
  points.forEach(([x, y], n) => {
    const [x0, y0] = points[Math.max(0, n - 1)];
    inkLine(bitmap, x0, y0, x, y, pen);
  });
  return bitmap;
}

/**
 * What the widget shows for a drawing (read_digit): the 8 × 8 image, every layer's
 * output [{ name, kind, shape, values }], the scores, the probabilities and the digit
 * read (the most probable, the first on a tie).
 */
export function readDigit(network, bitmap) {
  const image = fromBitmap(bitmap);
  const maps = forward(network, image);
  const scores = maps[maps.length - 1].values;
  const probabilities = softmax(scores);
  let digit = 0;
  for (let d = 1; d < probabilities.length; d++) {
    if (probabilities[d] > probabilities[digit]) digit = d;
  }
  return { image, maps, scores, probabilities, digit };
}
