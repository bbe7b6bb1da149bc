// Mirrors convlab.questions.sizes: output sizes of convolution, padding, stride,
// dilation, pooling and transposed convolution, each mistake the formula done wrong.

import { outputSize } from "../kernels/shapes.js";
import { transposedSize as transposedLength } from "../kernels/transpose.js";
import { layerLengths } from "../receptive_field.js";
import { article, number, question } from "./base.js";
import { Draw } from "./seeds.js";

const PLUS_ONE = "forgetting the + 1";
const WHY_PLUS_ONE =
  "The window's first position counts too: the steps it takes, plus the one it starts at.";
const PAD_ONCE = "counting the padding on one side only";
const WHY_PAD_ONCE =
  "Padding p puts p zeros on each side of the axis, so the padded input has n + 2p cells.";
const floorDiv = (a, b) => Math.floor(a / b);

/** Chapter 2: rows and columns of corr2d's output (corr_size). */
export function corrSize(seed) {
  const r = new Draw(seed);
  const nh = r.whole(3, 9);
  const nw = r.whole(3, 9);
  const kh = r.whole(1, Math.min(nh, 5));
  const kw = r.whole(1, Math.min(nw, 5));
  const [mh, mw] = [outputSize(nh, kh), outputSize(nw, kw)];
  return question("corr-size", seed, {
    title: "How big is the output?",
    prompt:
      `corr2d slides ${article(kh)} ${kh} × ${kw} kernel over ${article(nh)} ${nh} × ${nw} input (rows × columns), ` +
      "with no padding and stride 1. How many rows and columns does the output have?",
    fields: ["Output rows", "Output columns"],
    answer: [mh, mw],
    mistakes: [
      [PLUS_ONE, [nh - kh, nw - kw], WHY_PLUS_ONE],
      [
        "adding the kernel size instead of subtracting it",
        [nh + kh - 1, nw + kw - 1],
        "n + k − 1 is the size of a full convolution, which pads the input; " +
          "corr2d keeps only the windows that fit inside it.",
      ],
      [
        "swapping rows and columns",
        [mw, mh],
        "The output's rows come from the input's and the kernel's rows, its columns " +
          "from their columns.",
      ],
    ],
    hint: "Along each axis the window fits at n − k + 1 positions.",
    solution: [
      `Rows: n_h − k_h + 1 = ${nh} − ${kh} + 1 = ${mh}.`,
      `Columns: n_w − k_w + 1 = ${nw} − ${kw} + 1 = ${mw}.`,
      `The output is ${mh} × ${mw}.`,
    ],
    params: { n: [nh, nw], k: [kh, kw] },
  });
}

/** Chapter 4: output side with padding p per side, stride 1 (padded_size). */
export function paddedSize(seed) {
  const r = new Draw(seed);
  const n = r.whole(4, 12);
  const k = r.whole(2, 5);
  const p = r.whole(1, 3);
  const m = outputSize(n, k, 1, p);
  return question("padded-size", seed, {
    title: "Padding",
    prompt:
      `${article(k, true)} ${k} × ${k} kernel slides with stride 1 over ${article(n)} ${n} × ${n} input padded with ` +
      `${p} ${p === 1 ? "row and column" : "rows and columns"} of zeros on every side ` +
      `(padding=${p} in PyTorch). How many cells does each side of the output have?`,
    fields: ["Output side"],
    answer: m,
    mistakes: [
      [PLUS_ONE, m - 1, WHY_PLUS_ONE],
      [PAD_ONCE, n + p - k + 1, WHY_PAD_ONCE],
      [
        "ignoring the padding",
        n - k + 1,
        "The zeros count as input cells: windows slide over them.",
      ],
    ],
    hint:
      "Padding p adds p zeros on each side, so the padded input has n + 2p cells per " +
      "axis; the kernel fits at n + 2p − k + 1 positions.",
    solution: [
      `Padded input: n + 2p = ${n} + 2·${p} = ${n + 2 * p} cells per side.`,
      `Output: n + 2p − k + 1 = ${n + 2 * p} − ${k} + 1 = ${m}.`,
    ],
    params: { n, k, p },
  });
}

/** Chapter 4: output side with padding and a stride that does not divide evenly (strided_size). */
export function stridedSize(seed) {
  const r = new Draw(seed);
  let n;
  let k;
  let p;
  let s;
  do {
    n = r.whole(5, 16);
    k = r.whole(1, 5);
    p = r.whole(0, 2);
    s = r.whole(2, 4);
  } while (!(k <= n && (n + 2 * p - k) % s));
  const m = outputSize(n, k, s, p);
  const top = n + 2 * p - k;
  return question("strided-size", seed, {
    title: "Stride",
    prompt:
      `${article(k, true)} ${k} × ${k} kernel slides over ${article(n)} ${n} × ${n} input with padding ${p} ` +
      `and stride ${s}. How many cells does each side of the output have?`,
    fields: ["Output side"],
    answer: m,
    mistakes: [
      [PLUS_ONE, m - 1, WHY_PLUS_ONE],
      [PAD_ONCE, floorDiv(n + p - k, s) + 1, WHY_PAD_ONCE],
      [
        "forgetting the floor",
        top / s + 1,
        "The window moves s cells at a time and never stops part-way: round " +
          "(n + 2p − k)/s down to a whole number of steps.",
      ],
      [
        "rounding up instead of down",
        Math.ceil(top / s) + 1,
        "A last step that would leave the padded input is not taken: round down.",
      ],
      [
        "ignoring the stride",
        top + 1,
        "With stride s the window skips s − 1 positions after each one.",
      ],
    ],
    hint: "⌊(n + 2p − k)/s⌋ + 1: whole steps of s cells, plus the position the window starts at.",
    solution: [
      `⌊(n + 2p − k)/s⌋ + 1 = ⌊(${n} + 2·${p} − ${k})/${s}⌋ + 1 = ⌊${top}/${s}⌋ + 1 ` +
        `= ${floorDiv(top, s)} + 1 = ${m}.`,
      `The last window starts at cell ${(m - 1) * s} of the padded input and ends at ` +
        `${(m - 1) * s + k - 1}; one more step would need ${m * s + k - 1} > ${n + 2 * p - 1}.`,
    ],
    params: { n, k, p, s },
  });
}

/** Chapter 4: the padding per side that keeps the size (same_padding). */
export function samePadding(seed) {
  const r = new Draw(seed);
  const n = r.whole(8, 20);
  const k = r.pick([3, 5, 7]);
  const d = r.pick([1, 1, 2, 3]);
  const p = floorDiv(d * (k - 1), 2);
  const dilated = d > 1 ? ` and dilation ${d}` : "";
  return question("same-padding", seed, {
    title: "Keeping the size",
    prompt:
      `${article(k, true)} ${k} × ${k} kernel${dilated} slides with stride 1 over ${article(n)} ${n} × ${n} input. ` +
      `What padding per side (PyTorch's padding) keeps the output ${n} × ${n}?`,
    fields: ["Padding per side"],
    answer: p,
    mistakes: [
      [
        "giving the total padding of an axis",
        2 * p,
        "PyTorch's padding is per side: the total, d(k − 1), is split between the two ends.",
      ],
      [
        "ignoring the dilation",
        floorDiv(k - 1, 2),
        "A dilated kernel spans d(k − 1) + 1 cells, not k: the padding must cover that span.",
      ],
    ],
    hint: "With stride 1 the output has n + 2p − d(k − 1) cells per axis; set that equal to n.",
    solution: [
      `n + 2p − d(k − 1) = n, so p = d(k − 1)/2 = ${d}·(${k} − 1)/2 = ${p}.`,
      `${p} zeros before and ${p} after each row and column, ${2 * p} per axis in all.`,
    ],
    params: { n, k, d },
  });
}

/** Chapter 6: output side of nn.MaxPool2d, whose stride defaults to the window (pool_size). */
export function poolSize(seed) {
  const r = new Draw(seed);
  let n;
  let k;
  let s;
  let p;
  do {
    n = r.whole(4, 16);
    k = r.pick([2, 3]);
    s = r.pick([0, 0, 1, 2, 3]); // 0: the default, stride = window
    p = r.whole(0, floorDiv(k, 2));
  } while (!(k <= n + 2 * p));
  const stride = s || k;
  const m = outputSize(n, k, stride, p);
  const top = n + 2 * p - k;
  const call = `nn.MaxPool2d(${k}${s ? `, stride=${s}` : ""}${p ? `, padding=${p}` : ""})`;
  return question("pool-size", seed, {
    title: "The size of a pooled map",
    prompt: `${call} pools ${article(n)} ${n} × ${n} map. How many cells does each side of the output have?`,
    fields: ["Output side"],
    answer: m,
    mistakes: [
      s
        ? ["ignoring the stride", top + 1, "With stride s the window skips s − 1 positions."]
        : [
            "taking stride 1",
            top + 1,
            "A pooling layer's stride defaults to its window size, so windows do not overlap.",
          ],
      [PLUS_ONE, m - 1, WHY_PLUS_ONE],
      [PAD_ONCE, floorDiv(n + p - k, stride) + 1, WHY_PAD_ONCE],
      [
        "forgetting the floor",
        top / stride + 1,
        "A window never hangs over the edge: round (n + 2p − k)/s down.",
      ],
    ],
    hint: "Pooling windows slide as a kernel does, ⌊(n + 2p − k)/s⌋ + 1, with the stride equal to the window unless it is given.",
    solution: [
      `Window k = ${k}, stride s = ${stride}${s ? "" : " (the default: the window size)"}, padding p = ${p}.`,
      `⌊(n + 2p − k)/s⌋ + 1 = ⌊(${n} + 2·${p} − ${k})/${stride}⌋ + 1 = ${floorDiv(top, stride)} + 1 = ${m}.`,
    ],
    params: { n, k, s: stride, p },
  });
}

/** Chapter 8: output side of a dilated convolution (dilated_size). */
export function dilatedSize(seed) {
  const r = new Draw(seed);
  let n;
  let k;
  let d;
  let p;
  do {
    n = r.whole(7, 20);
    k = r.pick([2, 3, 5]);
    d = r.whole(2, 4);
    p = r.whole(0, 2);
  } while (!(d * (k - 1) + 1 <= n + 2 * p));
  const span = d * (k - 1) + 1;
  const m = outputSize(n, k, 1, p, d);
  return question("dilated-size", seed, {
    title: "Dilation",
    prompt:
      `${article(k, true)} ${k} × ${k} kernel with dilation ${d} slides with stride 1 over ${article(n)} ${n} × ${n} input ` +
      `padded by ${p} on every side. How many cells does each side of the output have?`,
    fields: ["Output side"],
    answer: m,
    mistakes: [
      [
        "ignoring the dilation",
        n + 2 * p - k + 1,
        "A dilated kernel's taps are d cells apart: it spans d(k − 1) + 1 cells, not k.",
      ],
      [
        "taking the span as d·k",
        n + 2 * p - d * k + 1,
        "k taps have k − 1 gaps between them, each d cells wide: d(k − 1) + 1 cells from first to last.",
      ],
      [PLUS_ONE, m - 1, WHY_PLUS_ONE],
      [PAD_ONCE, n + p - span + 1, WHY_PAD_ONCE],
    ],
    hint: "A dilated kernel spans d(k − 1) + 1 cells; count its positions as for a kernel that wide.",
    solution: [
      `Span: d(k − 1) + 1 = ${d}·(${k} − 1) + 1 = ${span} cells.`,
      `Output: n + 2p − span + 1 = ${n} + 2·${p} − ${span} + 1 = ${m}.`,
    ],
    params: { n, k, d, p },
  });
}

/** Chapter 9: output side of a transposed convolution (transposed_size). */
export function transposedSize(seed) {
  const r = new Draw(seed);
  let n;
  let k;
  let s;
  let p;
  do {
    n = r.whole(2, 8);
    k = r.pick([2, 3, 4]);
    s = r.whole(1, 3);
    p = r.whole(0, 2);
  } while (!((n - 1) * s - 2 * p + k >= 1 && n + 2 * p >= k));
  const m = transposedLength(n, k, s, p);
  return question("transposed-size", seed, {
    title: "A transposed convolution's size",
    prompt:
      `nn.ConvTranspose2d with ${article(k)} ${k} × ${k} kernel, stride ${s} and padding ${p} ` +
      `takes ${article(n)} ${n} × ${n} map. How many cells does each side of its output have?`,
    fields: ["Output side"],
    answer: m,
    mistakes: [
      [
        "using the forward size formula",
        outputSize(n, k, s, p),
        "A transposed convolution runs the size rule backwards: it maps an output-sized map " +
          "back to an input-sized one.",
      ],
      [
        "adding the padding instead of removing it",
        (n - 1) * s + 2 * p + k,
        "Padding p crops p cells from each side of the transposed output.",
      ],
      [
        "multiplying n by s instead of n − 1",
        n * s - 2 * p + k,
        "The n copies of the kernel start s cells apart: n − 1 gaps between the first and the last.",
      ],
      ["ignoring the stride", n - 1 - 2 * p + k, "With stride s the copies start s cells apart."],
    ],
    hint: "(n − 1)·s − 2p + d(k − 1) + 1: the size whose forward convolution gives n.",
    solution: [
      `(n − 1)·s − 2p + (k − 1) + 1 = (${n} − 1)·${s} − 2·${p} + ${k} = ${m}.`,
      `Check: a forward convolution of ${m} cells, k = ${k}, s = ${s}, p = ${p} gives ` +
        `⌊(${m} + 2·${p} − ${k})/${s}⌋ + 1 = ${outputSize(m, k, s, p)}.`,
    ],
    params: { n, k, s, p },
  });
}

/** Chapter 10: the side of the last maps of a LeNet-style stack (lenet_side). */
export function lenetSide(seed) {
  const r = new Draw(seed);
  const stack = (k, p, pool = true) => [
    [k, 1, 1, p],
    ...(pool ? [[2, 2, 1, 0]] : []),
    [k, 1, 1, p],
    ...(pool ? [[2, 2, 1, 0]] : []),
  ];
  let n;
  let k;
  let p;
  let sides;
  let unpadded;
  do {
    n = r.pick([8, 12, 16, 20, 28, 32]);
    k = r.pick([3, 5]);
    p = r.pick([0, floorDiv(k - 1, 2)]);
    sides = layerLengths(n, stack(k, p));
    unpadded = layerLengths(n, stack(k, 0));
  } while (!(sides.length === 5 && unpadded.length === 5));
  const m = sides[sides.length - 1];
  const noPool = layerLengths(n, stack(k, p, false)).at(-1);
  const conv = `Conv2d(kernel_size=${k}, padding=${p})`;
  return question("lenet-side", seed, {
    title: "Through the stack",
    prompt:
      `${article(n, true)} ${n} × ${n} image goes through ${conv}, ReLU, MaxPool2d(2), then ${conv}, ReLU, ` +
      "MaxPool2d(2). How many cells does each side of the last maps have?",
    fields: ["Side of the last maps"],
    answer: m,
    mistakes: [
      [
        "ignoring the padding",
        unpadded.at(-1),
        `padding=${p} puts ${p} zeros on each side before each convolution.`,
      ],
      [
        "forgetting the pooling layers",
        noPool,
        "Each MaxPool2d(2) halves the side (rounding down): stride 2, windows of 2.",
      ],
    ],
    hint: "Follow the side layer by layer: a convolution gives n + 2p − k + 1, a 2 × 2 pool ⌊n/2⌋; ReLU keeps it.",
    solution: [
      `${sides.map(number).join(" → ")} (convolution, pool, convolution, pool).`,
      `Each convolution: n + 2·${p} − ${k} + 1; each pool: ⌊n/2⌋.`,
    ],
    params: { n, k, p },
  });
}
