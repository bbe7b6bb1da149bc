// The photograph widget (chapters 2 and 4): a hand-made kernel on the course's
// photo, with stride and zero padding. Input and output are drawn on canvases, one
// canvas pixel per photo pixel, scaled by CSS to fit side by side (up to 2 CSS
// pixels per pixel); hovering the output reads a value and outlines its window on
// the padded input.

import { choiceField, slider } from "../ui/controls.js";
import { h, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { matrixTable } from "../ui/tables.js";
import {
  convCall,
  decodePhoto,
  filterPhoto,
  shadeLevels,
  shadeText,
  sizeFormula,
} from "../widgets/photo.js";
import { formatNumber } from "../widgets/text.js";

const SCALE_LIMIT = 2; // CSS pixels per photo pixel, at most
const NAMES = {
  blur: "blur",
  sharpen: "sharpen",
  sobel_x: "Sobel x",
  sobel_y: "Sobel y",
  magnitude: "edge magnitude",
};
const SLIDERS = [
  ["size", "Blur size k"],
  ["stride", "Stride s"],
  ["padding", "Padding p"],
];
const TRAITS = ["kernel", ...SLIDERS.map(([trait]) => trait)];

/** kernel, size, stride and padding, as filterPhoto takes them. */
function settings(model) {
  return TRAITS.map((t) => model.get(t));
}

/**
 * A canvas with a caption, one canvas pixel per image pixel, as large as the largest
 * image it will show (`rows` × `cols`): a smaller image is drawn in its top left
 * corner, so that a slider changes pixels but never the canvas's size or the page.
 * The CSS scales the canvas to the figure's width, at most SCALE_LIMIT times.
 */
function picture(label, rows, cols) {
  const canvas = h("canvas", { role: "img", "aria-label": label, width: cols, height: rows });
  const frame = h("div", { class: "cl-frame-box" }, canvas);
  const caption = h("figcaption", {});
  const el = h("figure", { class: "cl-picture" }, caption, frame);
  el.style.maxWidth = `${cols * SCALE_LIMIT}px`;
  return { el, canvas, frame, caption };
}

/** Draw grey levels (0–255, rows × cols) in the top left corner of `canvas`. */
function paint(canvas, levels, rows, cols) {
  const context = canvas.getContext("2d");
  const image = context.createImageData(cols, rows);
  const rgba = new Uint32Array(image.data.buffer); // one opaque grey per pixel
  for (let i = 0; i < levels.length; i++) rgba[i] = 0xff000000 | (levels[i] * 0x010101);
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.putImageData(image, 0, 0);
  canvas.dataset.rows = rows;
  canvas.dataset.cols = cols;
}

/** The photo's grey levels with `p` rows and columns of zeros (black) around them. */
function paddedLevels({ height, width, X }, p) {
  const cols = width + 2 * p;
  const levels = new Uint8ClampedArray((height + 2 * p) * cols);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++)
      levels[(i + p) * cols + j + p] = Math.round(255 * X[i * width + j]);
  }
  return levels;
}

/** The page: kernel choice, sliders, the kernel, input ⋆ K = output, and the texts. */
function layout(parts) {
  const op = (text) => h("span", { class: "cl-op", "aria-hidden": "true" }, text);
  return h(
    "div",
    { class: "cl-photo" },
    parts.choice.el,
    parts.controls,
    parts.kernelHolder,
    h("div", { class: "cl-stage" }, parts.input.el, op("⋆ K ="), parts.output.el),
    h("p", { class: "cl-formula" }, "Output size ⌊(n + 2p − k)/s⌋ + 1: ", parts.formula),
    parts.readout,
    h("p", { class: "cl-hint" }, "Shading: ", parts.shading, "."),
    h("p", { class: "cl-layer" }, "The same in PyTorch: ", parts.call),
    h(
      "p",
      { class: "cl-hint" },
      "The input is drawn with its zero padding (black). The edge magnitude is " +
        "√(G_x² + G_y²), G_x and G_y the outputs of the two Sobel kernels. Hover the " +
        "output to read a pixel; its window is outlined on the input.",
    ),
  );
}

function render({ model, el }) {
  const photo = decodePhoto(model.get("photo"));
  const sliders = {};
  const controls = h("div", { class: "cl-controls" });
  for (const [trait, label] of SLIDERS) {
    const range = { ...limitsOf(model, trait), value: model.get(trait) };
    sliders[trait] = slider(label, range, (v) => commit(model, { [trait]: v }));
    controls.append(sliders[trait].el);
  }
  const choices = limitsOf(model, "kernel").choices.map((name) => [name, NAMES[name] ?? name]);
  // The largest padded input, and output (a 1 × 1 kernel at stride 1): the boxes' sizes.
  const widest = limitsOf(model, "padding").max;
  const [rows, cols] = [photo.height + 2 * widest, photo.width + 2 * widest];
  const parts = {
    photo,
    sliders,
    controls,
    choice: choiceField("Kernel", choices, (value) => commit(model, { kernel: value })),
    input: picture("the photograph, padded with zeros", rows, cols),
    output: picture("the output of the kernel", rows, cols),
    kernelHolder: h("div", { class: "cl-kernel-box" }),
    formula: h("span", { "data-cell": "formula" }),
    readout: h("p", { class: "cl-sum", "data-cell": "readout", "aria-live": "polite" }),
    shading: h("span", { "data-cell": "shading" }),
    call: h("code", { class: "cl-call" }),
    windowBox: h("div", { class: "cl-window", hidden: "" }),
    state: { result: null, padding: -1, kernelKey: "", probe: null },
  };
  parts.input.frame.append(parts.windowBox);
  parts.output.canvas.classList.add("cl-output-canvas");
  parts.output.canvas.addEventListener("mousemove", (event) => probe(model, parts, event));
  parts.output.canvas.addEventListener("mouseleave", () => {
    parts.state.probe = null;
    show(model, parts);
  });
  el.classList.add("cl-widget");
  el.append(layout(parts));
  return onChanges(model, TRAITS, () => draw(model, parts));
}

/** Read the output pixel under the pointer (nothing beyond the drawn output). */
function probe(model, parts, event) {
  const { result } = parts.state;
  const { canvas } = parts.output;
  const rect = canvas.getBoundingClientRect();
  const scale = rect.width / canvas.width; // CSS pixels per output pixel
  const row = Math.floor((event.clientY - rect.top) / scale);
  const col = Math.floor((event.clientX - rect.left) / scale);
  if (row < 0 || col < 0 || row >= result.rows || col >= result.cols) return;
  parts.state.probe = [row, col];
  show(model, parts);
}

/** The value of the probed output pixel (the centre one by default) and its window. */
function show(model, parts) {
  const [kernel, size, stride] = settings(model);
  const { result } = parts.state;
  const [i, j] = parts.state.probe ?? [result.rows >> 1, result.cols >> 1];
  const k = kernel === "blur" ? size : 3;
  const [top, left] = [i * stride, j * stride];
  const value = formatNumber(result.Y[i * result.cols + j]).replace("-", "−");
  setText(
    parts.readout,
    `Y[${i}, ${j}] = ${value}: the ${k}×${k} window at rows ${top}–${top + k - 1}, ` +
      `columns ${left}–${left + k - 1} of the padded input`,
  );
  // Placed in percent of the padded input's canvas, whatever its drawn size.
  const { width, height } = parts.input.canvas;
  const box = parts.windowBox;
  box.hidden = false;
  box.style.top = `${(100 * top) / height}%`;
  box.style.left = `${(100 * left) / width}%`;
  box.style.width = `${(100 * k) / width}%`;
  box.style.height = `${(100 * k) / height}%`;
}

/**
 * The kernel's numbers: a table (K_x and K_y for the edge magnitude); a blur larger
 * than 5 × 5 in words, its k² equal weights being too many to read, over a k × k
 * grid of empty cells that shows its size.
 */
function kernelTables(kernel, kernels) {
  const k = kernels[0].length;
  if (kernel === "blur" && k > 5) {
    const weight = `1/${k * k} ≈ ${formatNumber(1 / (k * k))}`;
    const grid = h("div", { class: "cl-kernel-grid", "aria-hidden": "true" });
    grid.style.setProperty("--k", String(k));
    return h(
      "div",
      {},
      h("p", { class: "cl-kernel-text" }, `Kernel K: ${k}×${k}, every weight ${weight}`),
      grid,
    );
  }
  const captions = kernel === "magnitude" ? ["K_x (Sobel x)", "K_y (Sobel y)"] : [`Kernel K`];
  const tables = kernels.map((K, n) => matrixTable(K, captions[n]));
  return h("div", { class: "cl-kernels" }, ...tables);
}

/** Redraw from the model: the padded input, the output, the kernel and the texts. */
function draw(model, parts) {
  const [kernel, size, stride, padding] = settings(model);
  for (const [trait, control] of Object.entries(parts.sliders)) control.set(model.get(trait));
  parts.sliders.size.input.disabled = kernel !== "blur";
  parts.choice.check(kernel);
  const { photo, state } = parts;
  if (state.padding !== padding) {
    const [rows, cols] = [photo.height + 2 * padding, photo.width + 2 * padding];
    paint(parts.input.canvas, paddedLevels(photo, padding), rows, cols);
    setText(parts.input.caption, `Input, padded: ${rows}×${cols}`);
    state.padding = padding;
  }
  const result = filterPhoto(photo, kernel, size, stride, padding);
  state.result = result;
  if (state.probe) {
    state.probe = [
      Math.min(state.probe[0], result.rows - 1),
      Math.min(state.probe[1], result.cols - 1),
    ];
  }
  paint(parts.output.canvas, shadeLevels(result.Y, kernel), result.rows, result.cols);
  setText(parts.output.caption, `Output Y: ${result.rows}×${result.cols}`);
  const kernelKey = `${kernel}:${result.kernels[0].length}`;
  if (state.kernelKey !== kernelKey) {
    parts.kernelHolder.replaceChildren(kernelTables(kernel, result.kernels));
    state.kernelKey = kernelKey;
  }
  setText(parts.formula, sizeFormula(kernel, size, stride, padding, [photo.height, photo.width]));
  setText(parts.shading, shadeText(kernel));
  setText(parts.call, convCall(kernel, stride, padding));
  show(model, parts);
}

export default { render };
