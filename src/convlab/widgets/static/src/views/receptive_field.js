// The receptive-field explorer (chapter 8). A stack of up to five 1-D layers
// (kernel, stride, dilation each); the input and every layer drawn as rows of
// cells; the cells one output cell depends on highlighted in every layer, with
// the kernel taps as lines; size and jump per layer in a table; the formula.

import {
  dependencies,
  formatCells,
  jumpFormula,
  layerLengths,
  receptiveField,
  sizeFormula,
  stackProblem,
} from "../receptive_field.js";
import { svgElement } from "../ui/chart.js";
import { problemBox, slider } from "../ui/controls.js";
import { h, onWidthChange, redraw, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";

// One slider per layer and setting: [trait, word].
const PER_LAYER = [
  ["kernel_sizes", "kernel"],
  ["strides", "stride"],
  ["dilations", "dilation"],
];
const TRAITS = ["input_size", "layers", "kernel_sizes", "strides", "dilations", "position"];
const LABEL_WIDTH = 58;
const ROW_GAP = 30;

/** The first `layers` layers as [k, s, d, p] (no padding in this explorer). */
function stack(model) {
  return Array.from({ length: model.get("layers") }, (_, l) => [
    model.get("kernel_sizes")[l],
    model.get("strides")[l],
    model.get("dilations")[l],
    0,
  ]);
}

/** One box of sliders per possible layer (kernel, stride, dilation); hidden past `layers`. */
function layerSliders(model) {
  const setEntry = (trait, l, v) => {
    const values = model.get(trait).slice();
    values[l] = v;
    commit(model, { [trait]: values });
  };
  const rows = Array.from({ length: limitsOf(model, "kernel_sizes").length }, (_, l) => {
    const row = {};
    for (const [trait, word] of PER_LAYER) {
      const range = { ...limitsOf(model, trait).item, value: model.get(trait)[l] };
      row[trait] = slider(`Layer ${l + 1} ${word}`, range, (v) => setEntry(trait, l, v));
      // Inside the "Layer l" box the visible label is short; the full name stays the accessible one.
      row[trait].input.setAttribute("aria-label", `Layer ${l + 1} ${word}`);
      row[trait].el.querySelector("label").textContent = word;
    }
    const sliders = PER_LAYER.map(([trait]) => row[trait].el);
    row.el = h("fieldset", { class: "cl-rf-layer" }, h("legend", {}, `Layer ${l + 1}`), ...sliders);
    return row;
  });
  return { el: h("div", { class: "cl-rf-layers" }, ...rows.map((row) => row.el)), rows };
}

/**
 * The input and every layer as rows of cells, the output layer on top: an <svg>,
 * the rects by layer and index, and `center(l, i)` and `y(l)` to place them.
 * Cell i of layer l is drawn centred over the input cells its receptive field spans.
 */
function cellRows(n, lengths, fields, width) {
  const unit = Math.max(3, Math.min(22, (width - 34 - LABEL_WIDTH) / n));
  const cellH = Math.min(20, Math.max(10, unit));
  const rows = lengths.length;
  const height = rows * cellH + (rows - 1) * ROW_GAP + 4;
  const svgWidth = LABEL_WIDTH + n * unit + 4;
  const svg = svgElement("svg", {
    viewBox: `0 0 ${svgWidth} ${height}`,
    width: svgWidth,
    height,
    class: "cl-rf-svg",
    role: "img",
  });
  svg.append(svgElement("title", {}, `The input and ${rows - 1} layer(s) as rows of cells`));
  const y = (l) => 2 + (rows - 1 - l) * (cellH + ROW_GAP); // layer l's row, the input at the bottom
  const center = (l, i) => {
    if (l === 0) return LABEL_WIDTH + (i + 0.5) * unit;
    const f = fields[l - 1];
    return LABEL_WIDTH + (f.start + i * f.jump + f.size / 2) * unit;
  };
  const taps = svgElement("path", { class: "cl-rf-taps", d: "" }); // one segment per tap
  svg.append(taps);
  const rects = lengths.map(() => []); // rects[l][i]: cell i of layer l
  const w = Math.max(2, unit - (unit > 6 ? 2 : 1));
  for (let l = 0; l < rows; l++) {
    const name = l === 0 ? "input" : `layer ${l}`;
    svg.append(svgElement("text", { x: 0, y: y(l) + cellH / 2 + 4, class: "cl-rf-label" }, name));
    for (let i = 0; i < lengths[l]; i++) {
      const rect = svgElement("rect", {
        x: center(l, i) - w / 2,
        y: y(l),
        width: w,
        height: cellH,
        rx: Math.min(3, w / 4),
        class: "cl-rf-cell",
        "data-layer": l,
        "data-index": i,
      });
      rect.append(svgElement("title", {}, `${name} cell ${i}`));
      svg.append(rect);
      rects[l].push(rect);
    }
  }
  return { svg, rects, taps, center, y, cellH };
}

/**
 * The figure of the stack (see cellRows), its top row pickable when `pick`;
 * `mark(cells)` highlights the cells one output cell depends on, with the kernel
 * taps as the segments of one path. A new output cell changes only the cells that
 * turn on or off and the path: a figure of a thousand cells then costs the browser
 * the few dozen that changed.
 */
function drawRows(model, n, layers, lengths, fields, pick, width) {
  const { svg, rects, taps, center, y, cellH } = cellRows(n, lengths, fields, width);
  const top = lengths.length - 1;
  if (pick && top > 0) {
    rects[top].forEach((rect, i) => {
      rect.classList.add("cl-pick");
      rect.addEventListener("click", () => commit(model, { position: i }));
    });
  }
  let lit = lengths.map(() => new Set()); // the cells marked now, per layer
  function mark(cells) {
    const on = cells ? cells.map((c) => new Set(c)) : lengths.map(() => new Set());
    on.forEach((now, l) => {
      for (const i of lit[l]) if (!now.has(i)) rects[l][i].classList.remove("cl-on");
      for (const i of now) if (!lit[l].has(i)) rects[l][i].classList.add("cl-on");
    });
    lit = on;
    // Every tap as a segment of one path: a move rewrites one attribute, where a line
    // per tap (up to hundreds) meant four attributes and an element each to restyle.
    const segments = [];
    for (let l = top; l >= 1 && cells; l--) {
      const [k, s, d] = layers[l - 1];
      for (const i of cells[l]) {
        for (let t = 0; t < k; t++) {
          const c = i * s + t * d;
          segments.push(`M${center(l, i)} ${y(l) + cellH}L${center(l - 1, c)} ${y(l - 1)}`);
        }
      }
    }
    const path = segments.join("");
    if (taps.getAttribute("d") !== path) taps.setAttribute("d", path);
  }
  return { svg, mark };
}

/** Per layer: its settings, its cells, jump, size and the cells the output depends on. */
function fieldTable(layers, lengths, fields, cells) {
  const columns = [
    "",
    "kernel k",
    "stride s",
    "dilation d",
    "cells",
    "jump j",
    "size r",
    "cells the output depends on",
  ];
  const head = h("tr", {}, ...columns.map((t) => h("th", { scope: "col" }, t)));
  const body = h("tbody");
  for (let l = 0; l <= layers.length; l++) {
    const settings = l === 0 ? ["–", "–", "–"] : layers[l - 1].slice(0, 3).map(String);
    const jump = l === 0 ? 1 : fields[l - 1].jump;
    const size = l === 0 ? 1 : fields[l - 1].size;
    const has = l < lengths.length;
    const depends = cells ? formatCells(cells[l]) : "–";
    const values = [
      ...settings,
      has ? String(lengths[l]) : "none",
      String(jump),
      String(size),
      depends,
    ];
    body.append(
      h(
        "tr",
        { "data-layer": l },
        h("th", { scope: "row" }, l === 0 ? "input" : `layer ${l}`),
        ...values.map((t) => h("td", {}, t)),
      ),
    );
  }
  return h(
    "table",
    { class: "cl-counts cl-rf-table", "data-shape": layers.length },
    h("caption", {}, "Receptive field per layer (in input cells)"),
    h("thead", {}, head),
    body,
  );
}

/** The page: sliders, one box per layer, the figure, legend, summary, table and formulas. */
function layout(parts) {
  const swatch = (cls) => h("span", { class: `cl-swatch ${cls}`, "aria-hidden": "true" });
  return h(
    "div",
    { class: "cl-receptive-field" },
    h(
      "div",
      { class: "cl-controls" },
      parts.inputSlider.el,
      parts.layersSlider.el,
      parts.outputSlider.el,
    ),
    parts.perLayer.el,
    parts.message.el,
    parts.figure,
    h(
      "p",
      { class: "cl-legend" },
      h("span", {}, swatch("cl-on"), "cells the chosen output cell depends on"),
      h("span", {}, swatch("cl-rf-cell"), "other cells"),
    ),
    parts.summary,
    parts.tableHolder,
    h("div", { class: "cl-formulas" }, ...parts.formulas),
    h(
      "p",
      { class: "cl-hint" },
      "Each row is one layer's output along one axis (no padding), drawn above the input cells its " +
        "cells look at. Lines are the kernel's taps. Click a cell in the top row to pick it.",
    ),
  );
}

function render({ model, el }) {
  const range = (trait) => ({ ...limitsOf(model, trait), value: model.get(trait) });
  const parts = {
    inputSlider: slider("Input cells", range("input_size"), (v) =>
      commit(model, { input_size: v }),
    ),
    layersSlider: slider("Layers", range("layers"), (v) => commit(model, { layers: v })),
    outputSlider: slider("Output cell", { min: 0, max: 0, value: 0 }, (v) =>
      commit(model, { position: v }),
    ),
    perLayer: layerSliders(model),
    message: problemBox(),
    figure: h("div", { class: "cl-rf-figure" }),
    summary: h("p", { class: "cl-rf-summary", "aria-live": "polite" }),
    tableHolder: h("div", { class: "cl-table-scroll" }),
    formulas: [h("p", { class: "cl-formula" }), h("p", { class: "cl-formula" })],
  };
  el.classList.add("cl-widget");
  el.append(layout(parts));
  // shown: the figure on the page, { key, svg, mark(cells) }; tableKey: the stack its table shows
  const view = { width: 560, shown: null, tableKey: null };
  const draw = () => drawStack(model, parts, view);
  const stopWidth = onWidthChange(el, (w) => {
    view.width = w;
    draw();
  });
  const unsubscribe = onChanges(model, TRAITS, draw);
  return () => {
    stopWidth();
    unsubscribe();
  };
}

/** Redraw from the model: the sliders, the formulas, the chosen cell, the figure and the table. */
function drawStack(model, parts, view) {
  const n = model.get("input_size");
  const L = model.get("layers");
  const layers = stack(model);
  parts.inputSlider.set(n);
  parts.layersSlider.set(L);
  parts.perLayer.rows.forEach((row, l) => {
    row.el.hidden = l >= L;
    for (const [trait] of PER_LAYER) row[trait].set(model.get(trait)[l]);
  });
  const lengths = layerLengths(n, layers);
  const fields = receptiveField(layers);
  setText(parts.formulas[0], sizeFormula(layers));
  setText(parts.formulas[1], jumpFormula(layers));
  const problem = stackProblem(n, layers);
  parts.message.show(problem);

  let cells = null;
  const output = parts.outputSlider;
  if (problem) {
    output.set(0, 0, 0);
    output.input.disabled = true;
    setText(parts.summary, "");
  } else {
    const m = lengths[L];
    const at = Math.min(model.get("position"), m - 1);
    output.input.disabled = false;
    output.set(at, 0, m - 1);
    cells = dependencies(layers, at, n);
    const count = cells[0].length;
    const r = fields[L - 1].size;
    const which = count === r ? `all r = ${r}` : `${count} of the r = ${r}`;
    setText(
      parts.summary,
      `Output cell ${at} of layer ${L} depends on ${which} input cells its field spans: ` +
        `${formatCells(cells[0])}.`,
    );
  }
  // A new output cell only moves the marks and the taps: the cells stay as they are.
  const key = JSON.stringify([n, layers, view.width, cells !== null]);
  if (view.shown?.key !== key) {
    view.shown = {
      key,
      ...drawRows(model, n, layers, lengths, fields, cells !== null, view.width),
    };
    parts.figure.replaceChildren(view.shown.svg);
  }
  view.shown.mark(cells);
  const tableKey = JSON.stringify([layers, lengths]);
  if (view.tableKey === tableKey) {
    // The same stack: only the column of the cells the output depends on changes.
    const rows = parts.tableHolder.querySelector("tbody").rows;
    [...rows].forEach((tr, l) => {
      setText(tr.cells[tr.cells.length - 1], cells ? formatCells(cells[l]) : "–");
    });
  } else {
    redraw(parts.tableHolder, fieldTable(layers, lengths, fields, cells));
    view.tableKey = tableKey;
  }
}

export default { render };
