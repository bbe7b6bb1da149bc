// Mirrors convlab.questions.values: one output cell of a cross-correlation, a
// convolution, two channels, pooling or a transposed convolution.

import { convolve2d, corr2d, flip2d } from "../kernels/correlation.js";
import { pool2d } from "../kernels/pooling.js";
import { convTranspose2d } from "../kernels/transpose.js";
import { full } from "../matrices.js";
import { number, question, signed, spelled } from "./base.js";
import { Draw } from "./seeds.js";

/** The [input, kernel] pairs output cell (i, j) of corr2d multiplies, row by row. */
function windowPairs(X, K, i, j) {
  return K.flatMap((row, a) => row.map((k, b) => [X[i + a][j + b], k]));
}

const gridText = (K) => `[${K.map((row) => `[${row.map(signed).join(", ")}]`).join(", ")}]`;

function cellProblem(r) {
  const nh = r.pick([3, 4]);
  const nw = r.pick([3, 4]);
  const X = r.grid(nh, nw, 0, 5);
  const K = r.grid(2, 2, -2, 3);
  const i = r.whole(0, nh - 2);
  const j = r.whole(0, nw - 2);
  return { X, K, i, j };
}

/** Chapter 2: one cell of corr2d(X, K) (corr_value). */
export function corrValue(seed) {
  const r = new Draw(seed);
  const { X, K, i, j } = cellProblem(r);
  const Y = corr2d(X, K);
  const flipped = convolve2d(X, K);
  const swapped = j < Y.length && i < Y[0].length ? Y[j][i] : Y[i][j];
  return question("corr-value", seed, {
    title: "One output cell",
    prompt: `Y = corr2d(X, K). What is Y[${i}, ${j}] (row ${i}, column ${j}, counting from 0)?`,
    grids: [
      ["input X", X],
      ["kernel K", K],
    ],
    answer: Y[i][j],
    mistakes: [
      [
        "flipping the kernel",
        flipped[i][j],
        "corr2d multiplies the window by K as it stands; flipping K is the convolution of mathematics.",
      ],
      [
        "swapping the row and the column",
        swapped,
        `Y[${i}, ${j}] is row ${i}, column ${j}: its window starts at X[${i}, ${j}].`,
      ],
    ],
    hint: "Lay K over X with its top-left corner on X[i, j], multiply the cells it covers, add the products.",
    solution: [
      `The window of Y[${i}, ${j}] is rows ${i}–${i + 1}, columns ${j}–${j + 1} of X.`,
      `Y[${i}, ${j}] = ${spelled(windowPairs(X, K, i, j))}.`,
    ],
    params: { X, K, i, j },
  });
}

/** Chapter 2: one cell of the convolution of mathematics (conv_value). */
export function convValue(seed) {
  const r = new Draw(seed);
  const { X, K, i, j } = cellProblem(r);
  const Y = convolve2d(X, K);
  const rowsOnly = corr2d(X, K.slice().reverse());
  const colsOnly = corr2d(
    X,
    K.map((row) => row.slice().reverse()),
  );
  const plain = corr2d(X, K);
  const why = "Convolution flips K both ways: top to bottom and left to right.";
  return question("conv-value", seed, {
    title: "Convolution flips the kernel",
    prompt:
      "Y = convolve2d(X, K), the convolution of mathematics (no padding). " +
      `What is Y[${i}, ${j}]?`,
    grids: [
      ["input X", X],
      ["kernel K", K],
    ],
    answer: Y[i][j],
    mistakes: [
      [
        "not flipping the kernel",
        plain[i][j],
        "That is cross-correlation; convolution first turns K by 180°.",
      ],
      ["flipping the kernel upside down only", rowsOnly[i][j], why],
      ["flipping the kernel left to right only", colsOnly[i][j], why],
    ],
    hint: "Turn K by 180° (flip it top to bottom and left to right), then slide it as in corr2d.",
    solution: [
      `K flipped both ways: ${gridText(flip2d(K))}.`,
      `Y[${i}, ${j}] = ${spelled(windowPairs(X, flip2d(K), i, j))}.`,
    ],
    params: { X, K, i, j },
  });
}

/** Chapter 5: one cell of a two-channel cross-correlation, plus a bias (multi_in_value). */
export function multiInValue(seed) {
  const r = new Draw(seed);
  const X = [r.grid(3, 3, 0, 4), r.grid(3, 3, 0, 4)];
  const K = [r.grid(2, 2, -1, 2), r.grid(2, 2, -1, 2)];
  const b = r.pick([-3, -2, -1, 1, 2, 3]);
  const i = r.whole(0, 1);
  const j = r.whole(0, 1);
  const perChannel = [0, 1].map((c) => corr2d(X[c], K[c]));
  const sums = [0, 1].map((c) => spelled(windowPairs(X[c], K[c], i, j)));
  const total = perChannel[0][i][j] + perChannel[1][i][j];
  const why = "A multi-channel kernel sums the cross-correlations of every channel.";
  return question("multi-in-value", seed, {
    title: "Two input channels and a bias",
    prompt:
      "A layer with 2 input channels and 1 output channel has the kernels below and the " +
      `bias b = ${signed(b)}. What is output cell (${i}, ${j})?`,
    grids: [
      ["input channel 0", X[0]],
      ["input channel 1", X[1]],
      ["kernel for channel 0", K[0]],
      ["kernel for channel 1", K[1]],
    ],
    answer: total + b,
    mistakes: [
      ["leaving out the bias", total, "The bias is added once to every output cell."],
      ["leaving out channel 1", perChannel[0][i][j] + b, why],
      ["leaving out channel 0", perChannel[1][i][j] + b, why],
      [
        "adding the bias once per channel",
        total + 2 * b,
        "There is one bias per output channel, added after the channels are summed.",
      ],
    ],
    hint: "Cross-correlate each channel with its own kernel, add the channels' results, then add the bias once.",
    solution: [
      `Channel 0: ${sums[0]}.`,
      `Channel 1: ${sums[1]}.`,
      `Sum plus bias: ${number(total)} + (${signed(b)}) = ${number(total + b)}.`,
    ],
    params: { X, K, b, i, j },
  });
}

/** Chapter 6: one cell of 2 × 2 max pooling with stride 2 (max_pool_value). */
export function maxPoolValue(seed) {
  const r = new Draw(seed);
  const X = r.grid(4, 4, 0, 9);
  const i = r.whole(0, 1);
  const j = r.whole(0, 1);
  const Y = pool2d(X, "max", [2, 2]);
  const unstrided = pool2d(X, "max", [2, 2], [1, 1]);
  const mean = pool2d(X, "mean", [2, 2]);
  const window = [0, 1].flatMap((a) => [0, 1].map((b) => X[2 * i + a][2 * j + b]));
  return question("max-pool-value", seed, {
    title: "Max pooling",
    prompt: `Y = nn.MaxPool2d(2)(X): 2 × 2 windows, stride 2. What is Y[${i}, ${j}]?`,
    grids: [["input X", X]],
    answer: Y[i][j],
    mistakes: [
      [
        "forgetting the stride",
        unstrided[i][j],
        `With stride 2 the window of Y[${i}, ${j}] starts at X[${2 * i}, ${2 * j}], not X[${i}, ${j}].`,
      ],
      ["taking the mean", mean[i][j], "Max pooling keeps the largest number of the window."],
    ],
    hint: "Output cell (i, j) sees the 2 × 2 window whose top-left cell is X[2i, 2j]; keep its largest number.",
    solution: [
      `The window starts at X[2·${i}, 2·${j}] = X[${2 * i}, ${2 * j}]: ${window.map(number).join(", ")}.`,
      `Its maximum is ${number(Math.max(...window))}.`,
    ],
    params: { X, i, j },
  });
}

/** Chapter 6: mean pooling with padding counts the zeros, as PyTorch does (avg_pool_padded). */
export function avgPoolPadded(seed) {
  const r = new Draw(seed);
  const n = r.pick([3, 5]);
  const X = r.grid(n, n, 1, 9);
  const m = Math.floor(n / 2) + 1;
  let i;
  let j;
  do {
    i = r.whole(0, m - 1);
    j = r.whole(0, m - 1);
  } while (!(i === 0 || i === m - 1 || j === 0 || j === m - 1));
  const Y = pool2d(X, "mean", [2, 2], [2, 2], [1, 1]);
  // The mean over X's own cells: the same windows' means of X over those of ones.
  const ones = pool2d(full(n, n, 1), "mean", [2, 2], [2, 2], [1, 1]);
  const top = pool2d(X, "max", [2, 2], [2, 2], [1, 1]);
  const rows = [2 * i - 1, 2 * i].filter((a) => a >= 0 && a < n);
  const cols = [2 * j - 1, 2 * j].filter((b) => b >= 0 && b < n);
  const cells = rows.flatMap((a) => cols.map((b) => X[a][b]));
  const sum = cells.reduce((s, v) => s + v, 0);
  const zeros = 4 - cells.length;
  return question("avg-pool-padded", seed, {
    title: "Mean pooling with padding",
    prompt:
      "Y = nn.AvgPool2d(2, padding=1)(X): 2 × 2 windows, stride 2, one ring of zeros " +
      `around X. What is Y[${i}, ${j}]? (Two decimals are enough.)`,
    grids: [["input X", X]],
    answer: Y[i][j],
    mistakes: [
      [
        "leaving the padding out of the mean",
        Y[i][j] / ones[i][j],
        "PyTorch's AvgPool2d counts the padding zeros in the mean (count_include_pad=True): " +
          "it always divides by 4 here.",
      ],
      ["taking the maximum", top[i][j], "Mean pooling averages the window."],
    ],
    hint:
      "With padding 1 the window of Y[i, j] covers padded rows and columns 2i, 2i + 1 and 2j, 2j + 1; " +
      "zeros outside X count in the mean.",
    solution: [
      `The window covers X's cells ${cells.map(number).join(", ")} and ` +
        `${zeros} padding zero${zeros === 1 ? "" : "s"}.`,
      `Mean: ${number(sum)}/4 = ${number(sum / 4)}.`,
    ],
    params: { X, i, j },
  });
}

/** conv_transpose2d of one channel (kernels/transpose.js). */
const transposed = (X, K, s) => convTranspose2d(X, K, { stride: [s, s] });

/** Chapter 9: one cell of a transposed convolution (transposed_value). */
export function transposedValue(seed) {
  const r = new Draw(seed);
  const s = r.pick([1, 2, 2]);
  const X = r.grid(2, 2, 1, 4);
  const K = r.grid(2, 2, -1, 3);
  const Z = transposed(X, K, s);
  const size = Z.length;
  const i = r.whole(0, size - 1);
  const j = r.whole(0, size - 1);
  const unstrided = transposed(X, K, 1);
  const corner = s === 1 ? "a, b" : `${s}a, ${s}b`;
  const plain = transposed(X, flip2d(K), s);
  const terms = [];
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      const [u, v] = [i - a * s, j - b * s];
      if (u >= 0 && u < 2 && v >= 0 && v < 2) terms.push([X[a][b], K[u][v]]);
    }
  }
  return question("transposed-value", seed, {
    title: "A transposed convolution, cell by cell",
    prompt:
      `Z = conv_transpose2d(X, K, stride=${s}): each cell X[a, b] adds X[a, b]·K to Z, with ` +
      `K's top-left tap on Z[${corner}]. Z is ${size} × ${size}. What is Z[${i}, ${j}]?`,
    grids: [
      ["input X", X],
      ["kernel K", K],
    ],
    answer: Z[i][j],
    mistakes: [
      [
        "ignoring the stride",
        i < 3 && j < 3 ? unstrided[i][j] : 0,
        `With stride ${s} the copies of K start ${s} cells apart.`,
      ],
      [
        "flipping the kernel",
        plain[i][j],
        "Each copy is X[a, b]·K as it stands; the flip appears only when the scatter is " +
          "rewritten as a convolution.",
      ],
    ],
    hint: "Find every input cell (a, b) whose copy of K covers Z[i, j]: tap (i − sa, j − sb) of K. Add X[a, b] times that tap.",
    solution: [`Z[${i}, ${j}] = ${terms.length ? spelled(terms) : "0: no copy of K reaches it"}.`],
    params: { X, K, s, i, j },
  });
}
