// Mirrors convlab.widgets.photo (chapters 2 and 4): a hand-made kernel on the
// course's photograph, with stride and zero padding. The photo comes in the widget's
// state as grey levels 0–255, one byte per pixel, row by row, in base64.

import { correlatePlane } from "../kernels/correlation.js";
import { outputSize } from "../kernels/shapes.js";

// The 3 × 3 kernels of convlab.images.KERNELS.
const FIXED = {
  sharpen: [
    [0, -1, 0],
    [-1, 5, -1],
    [0, -1, 0],
  ],
  sobel_x: [
    [-1, 0, 1],
    [-2, 0, 2],
    [-1, 0, 1],
  ],
  sobel_y: [
    [-1, -2, -1],
    [0, 0, 0],
    [1, 2, 1],
  ],
};
// The value each filter's output shows black and white (SHADES).
const SHADES = {
  blur: [0, 1],
  sharpen: [0, 1],
  sobel_x: [-2, 2],
  sobel_y: [-2, 2],
  magnitude: [0, 3],
};

/** The photo of the widget's state as { height, width, X }: X its grey levels / 255. */
export function decodePhoto({ height, width, levels }) {
  const bytes = atob(levels);
  const X = new Float64Array(height * width);
  for (let i = 0; i < X.length; i++) X[i] = bytes.charCodeAt(i) / 255;
  return { height, width, X };
}

/** The kernels a filter correlates the photo with: one, or Sobel x and y (photo_kernels). */
export function photoKernels(kernel, size) {
  if (kernel === "blur")
    return [Array.from({ length: size }, () => Array(size).fill(1 / size ** 2))];
  if (kernel === "magnitude") return [FIXED.sobel_x, FIXED.sobel_y];
  return [FIXED[kernel]];
}

/**
 * A k × k box blur (every weight 1/k²) with stride and zero padding, as correlatePlane
 * computes it but separably: each output sums k row sums of k pixels, 2k terms
 * instead of k², so a 9 × 9 blur of the photo costs what a 3 × 3 kernel costs.
 */
function boxBlur({ height, width, X }, k, stride, padding) {
  const rows = outputSize(height, k, stride, padding);
  const cols = outputSize(width, k, stride, padding);
  const across = new Float64Array((height + 2 * padding) * cols); // padded rows: zeros
  for (let r = 0; r < height; r++) {
    const [row, to] = [r * width, (r + padding) * cols];
    for (let j = 0; j < cols; j++) {
      const first = j * stride - padding; // the window's first column in the photo
      const [from, end] = [row + Math.max(first, 0), row + Math.min(first + k, width)];
      let s = 0;
      for (let c = from; c < end; c++) s += X[c];
      across[to + j] = s;
    }
  }
  const Y = new Float64Array(rows * cols);
  const area = k * k;
  for (let i = 0; i < rows; i++) {
    const top = i * stride * cols;
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let a = 0; a < k; a++) s += across[top + a * cols + j];
      Y[i * cols + j] = s / area;
    }
  }
  return { Y, rows, cols };
}

/**
 * The photo through a filter with zero padding and stride (filter_photo):
 * { Y, rows, cols, kernels }, Y a Float64Array row by row. For "magnitude", Y is
 * √(G_x² + G_y²) of the two Sobel outputs.
 */
export function filterPhoto(photo, kernel, size, stride, padding) {
  const kernels = photoKernels(kernel, size);
  if (kernel === "blur") return { ...boxBlur(photo, size, stride, padding), kernels };
  const { height, width, X } = photo;
  const options = { stride: [stride, stride], padding: [padding, padding] };
  const [G, ...rest] = kernels.map((K) => correlatePlane(X, [height, width], K, options));
  const Y = G.Y;
  if (rest.length) {
    const Gy = rest[0].Y;
    for (let i = 0; i < Y.length; i++) Y[i] = Math.sqrt(Y[i] * Y[i] + Gy[i] * Gy[i]);
  }
  return { Y, rows: G.rows, cols: G.cols, kernels };
}

/** The grey level 0–255 the page draws for each value of Y (shade_levels). */
export function shadeLevels(Y, kernel) {
  const [black, white] = SHADES[kernel];
  const levels = new Uint8ClampedArray(Y.length);
  for (let i = 0; i < Y.length; i++) {
    const v = (Y[i] - black) / (white - black);
    levels[i] = Math.floor(255 * Math.min(1, Math.max(0, v)) + 0.5);
  }
  return levels;
}

/** The shading in words: "black 0, white 1" or "black −2, mid grey 0, white 2". */
export function shadeText(kernel) {
  const [black, white] = SHADES[kernel];
  const show = (v) => String(v).replace("-", "−");
  const middle = black < 0 ? `, mid grey 0` : "";
  return `black ${show(black)}${middle}, white ${show(white)}`;
}

/** The output size worked out, per axis (size_formula). */
export function sizeFormula(kernel, size, stride, padding, [height, width]) {
  const k = kernel === "blur" ? size : 3;
  const axis = (n, name) => {
    const m = outputSize(n, k, stride, padding);
    return `⌊(${n} + 2·${padding} − ${k})/${stride}⌋ + 1 = ${m} ${name}`;
  };
  return `${axis(height, "rows")}, ${axis(width, "columns")}`;
}

/** The same output in PyTorch, x being the photo as a (1, 1, h, w) tensor (conv_call). */
export function convCall(kernel, stride, padding) {
  const call = `F.conv2d(x, K, stride=${stride}, padding=${padding})`;
  return kernel === "magnitude" ? `${call}.square().sum(1).sqrt()` : call;
}
