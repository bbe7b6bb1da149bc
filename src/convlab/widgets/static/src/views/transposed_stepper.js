// The transposed-convolution stepper (chapter 9). Each input cell in turn scatters
// its scaled copy of the kernel onto the canvas, where overlapping copies add up;
// the padding crops the canvas to the output. The finished output, the number of
// copies on each output cell (the checkerboard), the output-size rule and the layer.

import { problemBox, settingSliders, slider } from "../ui/controls.js";
import { h, setText } from "../ui/dom.js";
import { commit, onChanges } from "../ui/model.js";
import { numberCanvas } from "../ui/number_canvas.js";
import { markAll, showMatrices } from "../ui/tables.js";
import { outputSum, scatter } from "../widgets/transposed_stepper.js";

const PLAY_MS = 800;
// The sliders: trait and label.
const SLIDERS = [
  ["input_size", "Input size n"],
  ["kernel_size", "Kernel size k"],
  ["stride", "Stride s"],
  ["padding", "Padding p"],
  ["output_padding", "Output padding"],
  ["dilation", "Dilation d"],
];
const TRAITS = ["position", ...SLIDERS.map(([trait]) => trait)];
// A canvas cell's marks, one shared array per kind, so that a move builds none:
// [off, on the landing copy] × [plain, cropped away, kept by the output padding].
const CANVAS_MARKS = [false, true].map((on) =>
  [[], ["cl-crop"], ["cl-extra"]].map((marks) => (on ? ["cl-on", ...marks] : marks)),
);

/** n, k, s, p, output_padding, d, as scatter takes them. */
function settings(model) {
  return SLIDERS.map(([trait]) => model.get(trait));
}

/**
 * The "Input cell" slider, "input row i, column j", and ◀ Step / ▶ Play / Step ▶
 * buttons that write the `position` trait; `count()` is the number of input cells.
 */
function cellStepper(model, count) {
  let timer = null;
  const position = slider("Input cell", { min: 0, max: 0, value: 0 }, (v) => {
    stop();
    commit(model, { position: v });
  });
  const where = h("span", { class: "cl-where" });
  const button = (title, text) => h("button", { type: "button", title }, text);
  const back = button("Previous input cell", "◀ Step");
  const play = button("Play / pause", "▶ Play");
  const next = button("Next input cell", "Step ▶");
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    setText(play, "▶ Play");
  }
  const step = (delta) => {
    const n = count();
    const current = Math.min(model.get("position"), n - 1);
    commit(model, { position: (current + delta + n) % n });
  };
  back.addEventListener("click", () => {
    stop();
    step(-1);
  });
  next.addEventListener("click", () => {
    stop();
    step(1);
  });
  play.addEventListener("click", () => {
    if (timer !== null) return stop();
    play.textContent = "⏸ Pause";
    timer = setInterval(() => step(1), PLAY_MS);
  });
  const el = h(
    "div",
    { class: "cl-controls cl-position" },
    position.el,
    where,
    h("span", { class: "cl-buttons" }, back, play, next),
  );
  return {
    el,
    stop,
    show(at, n) {
      position.set(at, 0, n * n - 1);
      setText(where, `input row ${Math.floor(at / n)}, column ${at % n}`);
    },
  };
}

/** The page: sliders, stepper, X · K → copy → canvas, then output and counts, texts. */
function layout(parts) {
  const op = (text) => h("span", { class: "cl-op", "aria-hidden": "true" }, text);
  const swatch = (cls) => h("span", { class: `cl-swatch ${cls}`, "aria-hidden": "true" });
  return h(
    "div",
    { class: "cl-transposed" },
    parts.axes,
    parts.player.el,
    h(
      "div",
      { class: "cl-stage" },
      parts.inputHolder,
      h("div", { class: "cl-kernels" }, parts.kernelHolder, op("→"), parts.copyHolder),
      op("→"),
      h("div", { class: "cl-scroll" }, parts.canvasHolder),
    ),
    parts.scatterText,
    h(
      "p",
      { class: "cl-legend" },
      h("span", {}, swatch("cl-on"), "the copy added now"),
      h("span", {}, swatch("cl-crop"), "cropped by the padding"),
      h("span", {}, swatch("cl-extra"), "kept by output_padding"),
    ),
    parts.message.el,
    h(
      "div",
      { class: "cl-stage cl-finished" },
      h("div", { class: "cl-scroll" }, parts.outputHolder),
      h("div", { class: "cl-scroll" }, parts.countsHolder),
    ),
    parts.sum,
    parts.pattern,
    parts.formula,
    h("p", { class: "cl-layer" }, "The same layer in PyTorch: ", parts.call),
    h(
      "p",
      { class: "cl-hint" },
      "Hover or focus a cell of the output Y to see its sum: one product for every copy that " +
        "lands on it. Darker counts mean more copies overlap.",
    ),
  );
}

function render({ model, el }) {
  const message = problemBox();
  const onMove = (change) => {
    player.stop();
    commit(model, change);
  };
  const { el: axes, sliders } = settingSliders(model, SLIDERS, onMove);
  const player = cellStepper(model, () => model.get("input_size") ** 2);
  const canvas = numberCanvas("Canvas so far"); // up to 21 × 21: too many cells for a table
  const parts = {
    canvas,
    axes,
    player,
    message,
    inputHolder: h("div", { class: "cl-input" }),
    kernelHolder: h("div"),
    copyHolder: h("div"),
    canvasHolder: h("div", { class: "cl-canvas" }, canvas.el),
    outputHolder: h("div", { class: "cl-output" }),
    countsHolder: h("div", { class: "cl-counts" }),
    scatterText: h("p", { class: "cl-scatter", "aria-live": "polite" }),
    sum: h("p", { class: "cl-sum" }),
    pattern: h("p", { class: "cl-pattern" }),
    formula: h("p", { class: "cl-formula" }),
    call: h("code", { class: "cl-call" }),
  };
  el.classList.add("cl-widget");
  el.append(layout(parts));
  const draw = drawing(model, parts, sliders);
  const unsubscribe = onChanges(model, TRAITS, draw);
  return () => {
    player.stop();
    unsubscribe();
    canvas.dispose();
  };
}

/** "rows 2–4": a range of canvas rows or columns. */
function span(word, first, last) {
  return first === last ? `${word} ${first}` : `${word}s ${first}–${last}`;
}

/** The view's `draw`: redraws `parts` from the model, the finished output only when the settings change. */
function drawing(model, parts, sliders) {
  const { player, message, scatterText, sum, pattern, formula, call } = parts;
  let drawnSettings = null;
  let pick = null; // the output cell whose sum is spelled out, [row, col]
  let showSum = () => {};
  const { canvas } = parts;

  function drawFinished(r, setting) {
    setText(pattern, r.pattern);
    setText(formula, r.formula);
    setText(call, r.call);
    if (r.problem) {
      message.show(r.problem);
      parts.outputHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output"));
      parts.countsHolder.replaceChildren();
      setText(sum, "");
      return;
    }
    message.show("");
    const most = Math.max(...r.counts.flat());
    const shade = (i, j, td) => {
      const level = most ? r.counts[i][j] / most : 0;
      td.style.setProperty("--cl-level", String(level));
    };
    const [n, k, s, p, , d] = setting;
    const middle = Math.floor(r.size / 2);
    pick = pick && pick[0] < r.size && pick[1] < r.size ? pick : [middle, middle];
    showSum = (i, j) => {
      pick = [i, j];
      setText(sum, outputSum(n, k, s, p, d, i, j));
      for (const holder of [parts.outputHolder, parts.countsHolder]) {
        const rows = holder.querySelector("tbody")?.rows ?? [];
        [...rows].forEach((tr, a) => {
          [...tr.cells].forEach((td, b) => {
            td.classList.toggle("cl-picked", a === i && b === j);
          });
        });
      }
    };
    const wire = (i, j, td) => {
      if (td.tabIndex !== 0) td.tabIndex = 0;
      td.onmouseenter = () => showSum(i, j);
      td.onfocus = () => showSum(i, j);
    };
    showMatrices(parts.outputHolder, [[r.output, "Output Y", wire]]);
    showMatrices(parts.countsHolder, [
      [
        r.counts,
        "Copies on each output cell",
        (i, j, td) => {
          shade(i, j, td);
          wire(i, j, td);
        },
      ],
    ]);
    showSum(...pick);
  }

  return function draw() {
    const setting = settings(model);
    for (const [trait, control] of Object.entries(sliders)) control.set(model.get(trait));
    const [n, , , p] = setting;
    const r = scatter(...setting, model.get("position"));
    player.show(r.row * n + r.col, n);
    const key = setting.join(";");
    if (key !== drawnSettings) {
      drawnSettings = key;
      drawFinished(r, setting);
      showMatrices(parts.kernelHolder, [[r.K, "Kernel K", markAll]]);
    }
    const at = r.row * n + r.col;
    showMatrices(parts.inputHolder, [
      [
        r.X,
        "Input X",
        (i, j, td) => {
          td.classList.toggle("cl-on", i * n + j === at);
          td.classList.toggle("cl-done", i * n + j < at);
        },
      ],
    ]);
    const x = r.X[r.row][r.col];
    showMatrices(parts.copyHolder, [[r.copy, `${x} · K`, markAll]]);
    const side = r.canvas.length;
    const landing = new Set(r.landing.map(([i, j]) => i * side + j));
    const end = p + r.size; // the output is canvas cells [p, end) on each axis
    const op = model.get("output_padding");
    const cropped = (v) => v < p || v >= end;
    const kept = (v) => !cropped(v) && v >= end - op;
    canvas.show(r.canvas, (i, j) => {
      const kind = cropped(i) || cropped(j) ? 1 : kept(i) || kept(j) ? 2 : 0;
      return CANVAS_MARKS[+landing.has(i * side + j)][kind];
    });
    const rows = [r.landing[0][0], r.landing.at(-1)[0]];
    const cols = [r.landing[0][1], r.landing.at(-1)[1]];
    setText(
      scatterText,
      `Step ${at + 1} of ${n * n}: X[${r.row}, ${r.col}] = ${x} adds ${x} · K to canvas ` +
        `${span("row", ...rows)}, ${span("column", ...cols)}; where copies overlap, they add up.`,
    );
  };
}

export default { render };
