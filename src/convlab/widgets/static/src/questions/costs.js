// Mirrors convlab.questions.costs: parameters, multiply-adds and the numbers im2col
// copies, each mistake the count with a factor or a term left out or misplaced.

import {
  conv2dMacs,
  conv2dParams,
  denseImageWeights,
  denseParams,
  groupedParams,
  imageInputs,
  localWeights,
  separableMacs,
  separableParams,
  sharedWeights,
} from "../counting.js";
import { im2colSizes } from "../im2col.js";
import { outputSize } from "../kernels/shapes.js";
import { article, number, question } from "./base.js";
import { Draw } from "./seeds.js";

const NO_BIAS = "leaving out the bias";
const WHY_BIAS = "nn.Conv2d and nn.Linear hold one bias per output (channel) by default.";

/** Chapter 1: parameters of a dense layer on a flattened image (dense_params). */
export function denseParamsQuestion(seed) {
  const r = new Draw(seed);
  const side = r.pick([8, 16, 28, 32, 64]);
  const c = r.pick([1, 3]);
  const units = r.pick([10, 50, 100, 256]);
  const inputs = imageInputs(side, side, c);
  const answer = denseParams(inputs, units);
  return question("dense-params", seed, {
    title: "A dense layer on an image",
    prompt:
      `${article(side, true)} ${side} × ${side} image with ${c} channel${c > 1 ? "s" : ""} is flattened and fed to ` +
      `nn.Linear with ${units} outputs (with biases). How many parameters does the layer have?`,
    answer,
    mistakes: [
      [NO_BIAS, inputs * units, "nn.Linear has one bias per output unit."],
      [
        "leaving out the channels",
        denseParams(side * side, units),
        "Every channel of every pixel is an input: c·h·w numbers.",
      ],
    ],
    hint: "c·h·w inputs, each joined to every output by a weight, plus one bias per output.",
    solution: [
      `Inputs: c·h·w = ${c}·${side}·${side} = ${number(inputs)}.`,
      `Parameters: inputs·outputs + outputs = ${number(inputs)}·${units} + ${units} = ${number(answer)}.`,
    ],
    params: { side, c, units },
  });
}

/** Chapter 1: the kernel left by locality, |a|, |b| ≤ Δ (local_weights). */
export function localWeightsQuestion(seed) {
  const r = new Draw(seed);
  const delta = r.whole(1, 6);
  const answer = localWeights(delta);
  return question("local-weights", seed, {
    title: "Locality",
    prompt:
      `Locality keeps only the weights V[a, b] with |a| ≤ Δ and |b| ≤ Δ. With Δ = ${delta}, ` +
      "how many weights are left?",
    answer,
    mistakes: [
      [
        "forgetting the offset 0",
        (2 * delta) ** 2,
        "Offsets run from −Δ to Δ: 2Δ + 1 values per axis, 0 among them.",
      ],
      ["counting the positive offsets only", (delta + 1) ** 2, "Offsets run from −Δ to Δ."],
      [
        "counting one axis only",
        2 * delta + 1,
        "a and b each take 2Δ + 1 values: a square kernel.",
      ],
    ],
    hint: "Each of a and b runs from −Δ to Δ.",
    solution: [
      `Offsets per axis: 2Δ + 1 = 2·${delta} + 1 = ${2 * delta + 1}.`,
      `Weights: (2Δ + 1)² = ${2 * delta + 1}² = ${answer}, a ${2 * delta + 1} × ${2 * delta + 1} kernel.`,
    ],
    params: { delta },
  });
}

/** Chapter 1: the weights left by translation equivariance (shared_weights). */
export function sharedWeightsQuestion(seed) {
  const r = new Draw(seed);
  const h = r.whole(2, 12);
  const w = r.whole(2, 12);
  const answer = sharedWeights(h, w);
  return question("shared-weights", seed, {
    title: "One weight per offset",
    prompt:
      `After translation equivariance a hidden layer on ${article(h)} ${h} × ${w} image keeps one weight ` +
      "V[a, b] per offset (a, b) from an output pixel to an input pixel. How many weights is that?",
    answer,
    mistakes: [
      [
        "forgetting the − 1",
        4 * h * w,
        "Offsets along the rows run from −(h − 1) to h − 1: 2h − 1 values, not 2h.",
      ],
      [
        "counting offsets in one direction only",
        h * w,
        "An offset can point up or down, left or right.",
      ],
      [
        "keeping a weight per pixel pair",
        denseImageWeights(h, w),
        "(h·w)² is the dense layer before sharing: equivariance keeps one weight per offset.",
      ],
    ],
    hint: "Along an axis of h pixels, the offset from one pixel to another runs from −(h − 1) to h − 1.",
    solution: [
      `Row offsets: 2h − 1 = ${2 * h - 1}; column offsets: 2w − 1 = ${2 * w - 1}.`,
      `Weights: (2h − 1)(2w − 1) = ${2 * h - 1}·${2 * w - 1} = ${number(answer)}.`,
    ],
    params: { h, w },
  });
}

/** Chapter 5: parameters of nn.Conv2d with several channels (layer_params). */
export function layerParams(seed) {
  const r = new Draw(seed);
  const ci = r.pick([1, 3, 8, 16, 32, 64]);
  const co = r.pick([4, 8, 16, 32, 64, 128]);
  const k = r.pick([1, 3, 5]);
  const answer = conv2dParams(ci, co, k);
  return question("layer-params", seed, {
    title: "Parameters of a layer",
    prompt: `How many parameters does nn.Conv2d(${ci}, ${co}, kernel_size=${k}) have (with its biases)?`,
    answer,
    mistakes: [
      [NO_BIAS, conv2dParams(ci, co, k, false), WHY_BIAS],
      [
        "leaving out the input channels",
        conv2dParams(1, co, k),
        "Each output channel has a kernel of c_i × k × k: one k × k slice per input channel.",
      ],
      [
        "giving every pair of channels a bias",
        conv2dParams(ci, co, k, false) + ci * co,
        "There is one bias per output channel, added after the input channels are summed.",
      ],
      ["counting k instead of k²", co * ci * k + co, "A kernel is k × k: k² weights per slice."],
    ],
    hint: "The weight has the shape (c_o, c_i, k, k); add one bias per output channel.",
    solution: [
      `Weights: c_o·c_i·k² = ${co}·${ci}·${k}² = ${number(co * ci * k * k)}.`,
      `Biases: c_o = ${co}. In all: ${number(answer)}.`,
    ],
    params: { ci, co, k },
  });
}

/** Chapter 5: multiply-adds of a layer on one image (layer_macs). */
export function layerMacs(seed) {
  const r = new Draw(seed);
  const ci = r.pick([1, 3, 8, 16]);
  const co = r.pick([4, 8, 16, 32]);
  const k = r.pick([1, 3, 5]);
  const n = r.pick([8, 16, 28, 32]);
  const p = Math.floor((r.pick([0, 1]) * (k - 1)) / 2);
  const m = outputSize(n, k, 1, p);
  const answer = conv2dMacs(ci, co, k, m);
  return question("layer-macs", seed, {
    title: "What a layer computes",
    prompt:
      `nn.Conv2d(${ci}, ${co}, kernel_size=${k}, padding=${p}) runs on one ${ci} × ${n} × ${n} image. ` +
      "How many multiply-adds does it make (biases not counted)?",
    answer,
    mistakes: [
      [
        "using the input size instead of the output size",
        conv2dMacs(ci, co, k, n),
        "There is one window per output cell: the output is m × m, m = n + 2p − k + 1.",
      ],
      [
        "leaving out the input channels",
        conv2dMacs(1, co, k, m),
        "Every output cell sums k² products in each of the c_i input channels.",
      ],
      [
        "leaving out the output channels",
        conv2dMacs(ci, 1, k, m),
        "Each of the c_o output channels computes its own map.",
      ],
    ],
    hint: "c_o·m² output cells, each a sum of c_i·k² products.",
    solution: [
      `Output side: m = n + 2p − k + 1 = ${n} + 2·${p} − ${k} + 1 = ${m}.`,
      `Multiply-adds: c_i·c_o·k²·m² = ${ci}·${co}·${k}²·${m}² = ${number(answer)}.`,
    ],
    params: { ci, co, k, n, p },
  });
}

function divisors(m, n) {
  const found = [];
  for (let g = 2; g <= m; g++) if (m % g === 0 && n % g === 0) found.push(g);
  return found;
}

/** Chapter 7: parameters of a grouped convolution (grouped_params). */
export function groupedParamsQuestion(seed) {
  const r = new Draw(seed);
  const m = r.pick([4, 8, 16, 32]);
  const n = r.pick([8, 16, 32, 64]);
  const k = r.pick([3, 5]);
  const g = r.pick(divisors(m, n));
  const answer = groupedParams(m, n, k, g);
  return question("grouped-params", seed, {
    title: "Groups",
    prompt:
      `How many parameters does nn.Conv2d(${m}, ${n}, kernel_size=${k}, groups=${g}) have ` +
      "(with its biases)?",
    answer,
    mistakes: [
      [
        "ignoring the groups",
        conv2dParams(m, n, k),
        `With groups = ${g} each output channel sees only m/groups = ${m / g} input channels.`,
      ],
      [NO_BIAS, groupedParams(m, n, k, g, false), WHY_BIAS],
      [
        "dividing the output channels by the groups too",
        (n / g) * (m / g) * k * k + n,
        "Every one of the n output channels keeps its kernel; each kernel is only thinner.",
      ],
    ],
    hint: "Each output channel's kernel is (m/groups) × k × k; there are n of them, plus n biases.",
    solution: [
      `Kernel per output channel: (m/g)·k² = (${m}/${g})·${k}² = ${(m / g) * k * k}.`,
      `Parameters: n·(m/g)·k² + n = ${n}·${(m / g) * k * k} + ${n} = ${number(answer)}.`,
    ],
    params: { m, n, k, g },
  });
}

/** Chapter 7: parameters of depthwise + pointwise (separable_params). */
export function separableParamsQuestion(seed) {
  const r = new Draw(seed);
  const m = r.pick([8, 16, 32, 64]);
  const n = r.pick([16, 32, 64, 128]);
  const k = r.pick([3, 5]);
  const answer = separableParams(m, n, k);
  const depthwise = groupedParams(m, m, k, m);
  const pointwise = conv2dParams(m, n, 1);
  return question("separable-params", seed, {
    title: "Depthwise, then pointwise: parameters",
    prompt:
      `A depthwise-separable layer takes ${m} channels to ${n}: nn.Conv2d(${m}, ${m}, ${k}, ` +
      `groups=${m}) then nn.Conv2d(${m}, ${n}, 1), both with biases. How many parameters in all?`,
    answer,
    mistakes: [
      ["leaving out the biases", separableParams(m, n, k, false), WHY_BIAS],
      [
        "leaving out the pointwise step",
        depthwise,
        "The 1 × 1 convolution mixes the channels: m·n + n.",
      ],
      [
        "counting the depthwise step as a standard convolution",
        conv2dParams(m, m, k) + pointwise,
        "With groups = m each depthwise kernel sees one channel: k² weights, not m·k².",
      ],
    ],
    hint: "Depthwise: one k × k kernel and one bias per channel. Pointwise: an m → n 1 × 1 convolution.",
    solution: [
      `Depthwise: k²·m + m = ${k}²·${m} + ${m} = ${number(depthwise)}.`,
      `Pointwise: m·n + n = ${m}·${n} + ${n} = ${number(pointwise)}.`,
      `In all: ${number(answer)}.`,
    ],
    params: { m, n, k },
  });
}

/** Chapter 7: multiply-adds of depthwise + pointwise (separable_macs). */
export function separableMacsQuestion(seed) {
  const r = new Draw(seed);
  const m = r.pick([8, 16, 32]);
  const n = r.pick([16, 32, 64]);
  const k = r.pick([3, 5]);
  const h = r.pick([7, 14, 28, 56]);
  const answer = separableMacs(m, n, k, h);
  const depthwise = conv2dMacs(m, m, k, h, m);
  return question("separable-macs", seed, {
    title: "Depthwise, then pointwise: multiply-adds",
    prompt:
      `The same split, ${m} → ${n} channels with ${k} × ${k} depthwise kernels, on an output of ` +
      `${h} × ${h}. How many multiply-adds does it make (biases not counted)?`,
    answer,
    mistakes: [
      [
        "leaving out the pointwise step",
        depthwise,
        "The 1 × 1 convolution makes m·n multiply-adds at every output pixel.",
      ],
      [
        "counting a standard convolution",
        conv2dMacs(m, n, k, h),
        "That is the layer the split replaces: k²·m·n per pixel.",
      ],
      [
        "leaving out the channels of the depthwise step",
        k * k * h * h + m * n * h * h,
        "Each of the m channels has its own k × k kernel.",
      ],
    ],
    hint: "Per output pixel: k²·m for the depthwise step and m·n for the pointwise step.",
    solution: [
      `Depthwise: k²·m·h′·w′ = ${k}²·${m}·${h}² = ${number(depthwise)}.`,
      `Pointwise: m·n·h′·w′ = ${m}·${n}·${h}² = ${number(answer - depthwise)}.`,
      `In all: ${number(answer)}.`,
    ],
    params: { m, n, k, h },
  });
}

function lenet(r) {
  const n = r.pick([8, 12, 16, 28]);
  const k = 3;
  const c1 = r.pick([4, 6, 8, 16]);
  const c2 = r.pick([8, 16, 32]);
  let side = n;
  for (let t = 0; t < 2; t++) side = outputSize(outputSize(side, k, 1, 1), 2, 2);
  return { n, k, c1, c2, side };
}

/** Chapter 10: every parameter of a small LeNet (lenet_params). */
export function lenetParams(seed) {
  const r = new Draw(seed);
  const { n, k, c1, c2, side } = lenet(r);
  const convs = conv2dParams(1, c1, k) + conv2dParams(c1, c2, k);
  const features = c2 * side * side;
  const answer = convs + denseParams(features, 10);
  const noBias =
    conv2dParams(1, c1, k, false) +
    conv2dParams(c1, c2, k, false) +
    denseParams(features, 10, false);
  return question("lenet-params", seed, {
    title: "Counting a whole network",
    prompt:
      `A network for ${n} × ${n} grey images: Conv2d(1, ${c1}, 3, padding=1), ReLU, MaxPool2d(2), ` +
      `Conv2d(${c1}, ${c2}, 3, padding=1), ReLU, MaxPool2d(2), Flatten, Linear(…, 10). ` +
      "How many parameters does it have?",
    answer,
    mistakes: [
      [
        "leaving out the biases",
        noBias,
        "Each Conv2d and the Linear layer have one bias per output.",
      ],
      [
        "leaving out the input channels of the second convolution",
        conv2dParams(1, c1, k) + conv2dParams(1, c2, k) + denseParams(features, 10),
        `The second convolution's kernels are ${c1} × 3 × 3: one slice per map of the first.`,
      ],
      [
        "feeding the linear layer the image instead of the last maps",
        convs + denseParams(n * n, 10),
        `Flatten sees the last maps: ${c2} channels of ${side} × ${side}.`,
      ],
    ],
    hint: "Pooling, ReLU and Flatten have no parameters; the Linear layer's inputs are c·h·w of the last maps.",
    solution: [
      `Conv2d(1, ${c1}, 3): ${c1}·1·9 + ${c1} = ${conv2dParams(1, c1, k)}.`,
      `Conv2d(${c1}, ${c2}, 3): ${c2}·${c1}·9 + ${c2} = ${number(conv2dParams(c1, c2, k))}.`,
      `The side goes ${n} → ${Math.floor(n / 2)} → ${side}, so Linear(${features}, 10): ` +
        `${number(features)}·10 + 10 = ${number(denseParams(features, 10))}.`,
      `In all: ${number(answer)}.`,
    ],
    params: { n, c1, c2 },
  });
}

/** Chapter 10: how many numbers Flatten hands the linear layer (lenet_features). */
export function lenetFeatures(seed) {
  const r = new Draw(seed);
  const { n, c1, c2, side } = lenet(r);
  const answer = c2 * side * side;
  return question("lenet-features", seed, {
    title: "What the linear layer sees",
    prompt:
      `${article(n, true)} ${n} × ${n} grey image goes through Conv2d(1, ${c1}, 3, padding=1), ReLU, MaxPool2d(2), ` +
      `Conv2d(${c1}, ${c2}, 3, padding=1), ReLU, MaxPool2d(2), Flatten. How many numbers does ` +
      "Flatten hand to the linear layer, per image?",
    answer,
    mistakes: [
      [
        "leaving out the channels",
        side * side,
        `Each of the ${c2} maps is flattened: c·h·w numbers.`,
      ],
      [
        "forgetting one of the pools",
        c2 * Math.floor(n / 2) ** 2,
        "Both MaxPool2d(2) layers halve the side.",
      ],
      [
        "taking the first layer's channels",
        c1 * side * side,
        "The last maps come from the second convolution.",
      ],
    ],
    hint: "The 3 × 3 convolutions with padding 1 keep the side; each 2 × 2 pool halves it.",
    solution: [
      `Side: ${n} → ${Math.floor(n / 2)} → ${side}.`,
      `Numbers: c·h·w = ${c2}·${side}·${side} = ${number(answer)}.`,
    ],
    params: { n, c1, c2 },
  });
}

/** Appendix: the column matrix's rows and columns (im2col_shape). */
export function im2colShape(seed) {
  const r = new Draw(seed);
  const c = r.whole(1, 3);
  const n = r.whole(3, 8);
  const k = r.pick([2, 3]);
  const s = r.pick([1, 1, 2]);
  const sizes = im2colSizes(c, n, k, s);
  const m = outputSize(n, k, s);
  return question("im2col-shape", seed, {
    title: "The column matrix",
    prompt:
      `im2col copies every ${k} × ${k} window (stride ${s}) of ${article(c)} ${c} × ${n} × ${n} input into ` +
      "one column. How many rows and columns does the column matrix have?",
    fields: ["Rows", "Columns"],
    answer: [sizes.rows, sizes.columns],
    mistakes: [
      [
        "leaving out the channels",
        [k * k, sizes.columns],
        "A window holds C·k² numbers: k² per channel.",
      ],
      [
        "swapping rows and columns",
        [sizes.columns, sizes.rows],
        "One column per window; one row per number in a window.",
      ],
      [
        "forgetting the + 1",
        [sizes.rows, (m - 1) ** 2],
        "The windows per axis are ⌊(n − k)/s⌋ + 1: the first position counts too.",
      ],
    ],
    hint: "One row per number in a window (C·k²), one column per window (one per output cell).",
    solution: [
      `Rows: C·k² = ${c}·${k}² = ${sizes.rows}.`,
      `Windows per axis: ⌊(n − k)/s⌋ + 1 = ⌊(${n} − ${k})/${s}⌋ + 1 = ${m}; columns: ${m}² = ${sizes.columns}.`,
    ],
    params: { c, n, k, s },
  });
}

/** Appendix: how many numbers the copy holds (im2col_elements). */
export function im2colElements(seed) {
  const r = new Draw(seed);
  const c = r.whole(1, 4);
  const n = r.pick([8, 16, 32, 64]);
  const k = r.pick([2, 3, 5]);
  const sizes = im2colSizes(c, n, k);
  const m = outputSize(n, k);
  return question("im2col-elements", seed, {
    title: "What the copy costs",
    prompt:
      `im2col on ${article(c)} ${c} × ${n} × ${n} input with ${k} × ${k} windows, stride 1, no padding. ` +
      "How many numbers does the column matrix hold?",
    answer: sizes.matrixElements,
    mistakes: [
      [
        "counting the input",
        sizes.inputElements,
        "Each number is copied once per window that holds it.",
      ],
      ["leaving out the channels", k * k * m * m, "A window holds C·k² numbers."],
      [
        "counting a window per input cell",
        c * k * k * n * n,
        `The windows are those that fit: ${m} × ${m}.`,
      ],
    ],
    hint: "Rows × columns: C·k² numbers per window, one window per output cell.",
    solution: [
      `Windows: (${n} − ${k} + 1)² = ${m}² = ${number(m * m)}; each holds C·k² = ${c * k * k}.`,
      `Column matrix: ${c * k * k}·${number(m * m)} = ${number(sizes.matrixElements)} numbers, ` +
        `${number(sizes.growth)} times the input's ${number(sizes.inputElements)}.`,
    ],
    params: { c, n, k },
  });
}

/** Appendix: the calls the loop corr2d makes into PyTorch (loop_calls). */
export function loopCalls(seed) {
  const r = new Draw(seed);
  const n = r.pick([8, 16, 32, 64, 128]);
  const k = r.pick([2, 3, 5]);
  const windows = outputSize(n, k) ** 2;
  return question("loop-calls", seed, {
    title: "Why the loop is slow",
    prompt:
      "The loop corr2d makes 4 calls into PyTorch per window (slice, multiply, sum, store). " +
      `How many calls does it make on ${article(n)} ${n} × ${n} input with ${article(k)} ${k} × ${k} kernel?`,
    answer: 4 * windows,
    mistakes: [
      [
        "counting a window per input cell",
        4 * n * n,
        `Only the windows that fit: (${n} − ${k} + 1)².`,
      ],
      [
        "forgetting the + 1",
        4 * (n - k) ** 2,
        "The window's first position counts too: n − k + 1 per axis.",
      ],
      ["counting one call per window", windows, "Each window costs 4 calls."],
    ],
    hint: "One window per output cell, (n − k + 1)² of them, 4 calls each.",
    solution: [
      `Windows: (n − k + 1)² = (${n} − ${k} + 1)² = ${number(windows)}.`,
      `Calls: 4·${number(windows)} = ${number(4 * windows)}.`,
    ],
    params: { n, k },
  });
}
