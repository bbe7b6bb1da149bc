// Mirrors convlab.questions.fields: which cells one output reads (click them), and
// the receptive field of a stack.

import { dependencies, receptiveField, sizeFormula } from "../receptive_field.js";
import { cellAnswer, question } from "./base.js";
import { Draw } from "./seeds.js";

/** The input cells output cell (i, j) of one k × k layer reads, no padding (_window_cells). */
function windowCells(n, k, s, d, i, j) {
  const rows = dependencies([[k, s, d]], i, n)[0];
  const cols = dependencies([[k, s, d]], j, n)[0];
  return rows.flatMap((r) => cols.map((c) => [r, c]));
}

function cellsQuestion(kind, seed, title, prompt, [n, k, s, d, i, j], mistakes, hint, solution) {
  return question(kind, seed, {
    title,
    prompt,
    cells: { caption: `input, ${n} × ${n}`, rows: n, cols: n },
    answer: cellAnswer(windowCells(n, k, s, d, i, j), n),
    mistakes: mistakes.map(([name, setting, why]) => [
      name,
      cellAnswer(windowCells(n, ...setting), n),
      why,
    ]),
    hint,
    solution,
    params: { n, k, s, d, i, j },
  });
}

/** Chapter 4: the window of one output cell of a strided convolution (stride_cells). */
export function strideCells(seed) {
  const r = new Draw(seed);
  const n = r.whole(5, 7);
  const k = r.pick([2, 3]);
  const s = 2;
  const m = Math.floor((n - k) / s) + 1;
  let i;
  let j;
  do {
    i = r.whole(0, m - 1);
    j = r.whole(0, m - 1);
  } while (!(i + j > 0));
  return cellsQuestion(
    "stride-cells",
    seed,
    "Which cells does it read?",
    `A ${k} × ${k} kernel slides over this ${n} × ${n} input with stride ${s} and no padding. ` +
      `Click the input cells that output cell (${i}, ${j}) reads (rows and columns count from 0).`,
    [n, k, s, 1, i, j],
    [
      [
        "forgetting the stride",
        [k, 1, 1, i, j],
        `With stride ${s} the window of output cell (i, j) starts at (${s}i, ${s}j).`,
      ],
      [
        "swapping the row and the column",
        [k, s, 1, j, i],
        `Output cell (${i}, ${j}) is row ${i}, column ${j}.`,
      ],
    ],
    "Output cell (i, j)'s window starts at row s·i and column s·j and is k × k.",
    [
      `The window starts at row ${s}·${i} = ${s * i} and column ${s}·${j} = ${s * j}.`,
      `It covers rows ${s * i}–${s * i + k - 1} and columns ${s * j}–${s * j + k - 1}: ${k * k} cells.`,
    ],
  );
}

/** Chapter 8: the taps of one output cell of a dilated convolution (dilated_cells). */
export function dilatedCells(seed) {
  const r = new Draw(seed);
  const d = r.pick([2, 3]);
  const k = r.whole(0, 1) ? 3 : 2;
  const span = d * (k - 1) + 1;
  const n = r.whole(Math.max(span + 1, 6), 8);
  const m = n - span + 1;
  const i = r.whole(0, m - 1);
  const j = r.whole(0, m - 1);
  const taps = Array.from({ length: k }, (_, t) => t * d);
  return cellsQuestion(
    "dilated-cells",
    seed,
    "Which cells does a dilated kernel read?",
    `A ${k} × ${k} kernel with dilation ${d} slides with stride 1 over this ${n} × ${n} input. ` +
      `Click the input cells that output cell (${i}, ${j}) reads.`,
    [n, k, 1, d, i, j],
    [
      [
        "ignoring the dilation",
        [k, 1, 1, i, j],
        `With dilation ${d} the taps are ${d} cells apart.`,
      ],
      [
        "filling in the gaps",
        [span, 1, 1, i, j],
        "A dilated kernel skips the cells between its taps.",
      ],
    ],
    "Tap (a, b) of the kernel reads input cell (i + d·a, j + d·b).",
    [
      `Rows i + d·a = ${taps.map((t) => i + t).join(", ")}; columns j + d·b = ${taps.map((t) => j + t).join(", ")}.`,
      `${k * k} cells, ${d} apart, spanning ${span} × ${span}.`,
    ],
  );
}

const fieldSize = (layers) => receptiveField(layers).at(-1).size;

/** Chapter 8: the receptive field of a stack of layers (stack_field). */
export function stackField(seed) {
  const r = new Draw(seed);
  const depth = r.whole(2, 3);
  const layers = Array.from({ length: depth }, () => [
    r.pick([2, 3, 5]),
    r.pick([1, 1, 2]),
    r.pick([1, 1, 2]),
  ]);
  const described = layers
    .map(([k, s, d], number) => `layer ${number + 1}: kernel ${k}, stride ${s}, dilation ${d}`)
    .join("; ");
  return question("stack-field", seed, {
    title: "The receptive field of a stack",
    prompt:
      `A stack of 1-D layers, from the input up: ${described}. How many input cells, from ` +
      "first to last, does one cell of the last layer span?",
    answer: fieldSize(layers),
    mistakes: [
      [
        "ignoring the strides",
        fieldSize(layers.map(([k, , d]) => [k, 1, d])),
        "A stride below a layer spreads its taps out: each tap of layer l is j_l input cells from the next.",
      ],
      [
        "ignoring the dilations",
        fieldSize(layers.map(([k, s]) => [k, s, 1])),
        "A dilated layer's taps are d cells of the layer below apart.",
      ],
      [
        "adding the kernel sizes",
        layers.reduce((sum, [k]) => sum + k, 0),
        "Stacked kernels overlap by one cell: each layer adds (k − 1)·d·j cells, not k.",
      ],
    ],
    hint: "r = 1 + Σ (k − 1)·d·j, where j is the product of the strides of the layers below.",
    solution: [`${sizeFormula(layers)}.`],
    params: { layers },
  });
}
