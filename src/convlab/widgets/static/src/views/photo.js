// The photograph widget (chapters 2 and 4): a hand-made kernel on the course's
// photo, with stride and zero padding. Input and output are drawn on canvases, one
// canvas pixel per photo pixel, scaled up by CSS; hovering the output reads a value
// and outlines its window on the padded input.

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

const SCALE = 2; // CSS pixels per photo pixel
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

/** A canvas with a caption, drawn at one canvas pixel per image pixel. */
function picture(label) {
  const canvas = h("canvas", { role: "img", "aria-label": label, width: 1, height: 1 });
  const frame = h("div", { class: "cl-frame-box" }, canvas);
  const caption = h("figcaption", {});
  return { el: h("figure", { class: "cl-picture" }, caption, frame), canvas, frame, caption };
}

/** Draw grey levels (0–255, rows × cols) on `canvas`, resizing it when needed. */
function paint(canvas, levels, rows, cols) {
  if (canvas.width !== cols || canvas.height !== rows) {
    canvas.width = cols;
    canvas.height = rows;
    canvas.style.width = `${cols * SCALE}px`;
    canvas.style.aspectRatio = `${cols} / ${rows}`;
  }
  const image = new ImageData(cols, rows);
  for (let i = 0; i < levels.length; i++) {
    image.data[4 * i] = levels[i];
    image.data[4 * i + 1] = levels[i];
    image.data[4 * i + 2] = levels[i];
    image.data[4 * i + 3] = 255;
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
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
  const parts = {
    photo,
    sliders,
    controls,
    choice: choiceField("Kernel", choices, (value) => commit(model, { kernel: value })),
    input: picture("the photograph, padded with zeros"),
    output: picture("the output of the kernel"),
    kernelHolder: h("div", { class: "cl-kernel-box" }),
    formula: h("span", { "data-cell": "formula" }),
    readout: h("p", { class: "cl-sum", "data-cell": "readout", "aria-live": "polite" }),
    shading: h("span", { "data-cell": "shading" }),
    call: h("code", { class: "cl-call" }),
    windowBox: h("div", { class: "cl-window", hidden: "" }),
    state: { result: null, padding: -1, probe: null },
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

/** Read the output pixel under the pointer. */
function probe(model, parts, event) {
  const { result } = parts.state;
  const rect = parts.output.canvas.getBoundingClientRect();
  const row = Math.floor(((event.clientY - rect.top) / rect.height) * result.rows);
  const col = Math.floor(((event.clientX - rect.left) / rect.width) * result.cols);
  parts.state.probe = [
    Math.min(Math.max(row, 0), result.rows - 1),
    Math.min(Math.max(col, 0), result.cols - 1),
  ];
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
  const box = parts.windowBox;
  box.hidden = false;
  box.style.top = `${top * SCALE}px`;
  box.style.left = `${left * SCALE}px`;
  box.style.width = `${k * SCALE}px`;
  box.style.height = `${k * SCALE}px`;
}

/**
 * The kernel's numbers: a table (K_x and K_y for the edge magnitude); a blur larger
 * than 5 × 5 in words, its k² equal weights being too many to read.
 */
function kernelTables(kernel, kernels) {
  const k = kernels[0].length;
  const shape = `${kernel}:${k}`;
  if (kernel === "blur" && k > 5) {
    const weight = `1/${k * k} ≈ ${formatNumber(1 / (k * k))}`;
    const text = `Kernel K: ${k}×${k}, every weight ${weight}`;
    return h("p", { class: "cl-kernel-text", "data-shape": shape }, text);
  }
  const captions = kernel === "magnitude" ? ["K_x (Sobel x)", "K_y (Sobel y)"] : [`Kernel K`];
  const tables = kernels.map((K, n) => matrixTable(K, captions[n]));
  return h("div", { class: "cl-kernels", "data-shape": shape }, ...tables);
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
  const tables = kernelTables(kernel, result.kernels);
  const now = parts.kernelHolder.firstElementChild;
  if (!now || now.dataset.shape !== tables.dataset.shape)
    parts.kernelHolder.replaceChildren(tables);
  setText(parts.formula, sizeFormula(kernel, size, stride, padding, [photo.height, photo.width]));
  setText(parts.shading, shadeText(kernel));
  setText(parts.call, convCall(kernel, stride, padding));
  show(model, parts);
}

export default { render };
