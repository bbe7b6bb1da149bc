// receptive_field.js: the receptive-field explorer. A stack of up to five 1-D
// layers (kernel, stride, dilation each); the input and every layer drawn as rows
// of cells; the cells one output cell depends on highlighted in every layer, with
// the kernel taps as lines; size and jump per layer in a table; the formula.
// Uses convmath.js, ui.js and svgplot.js, which are bundled in front of this file.

const MAX_LAYERS = 5;
const LIMITS = { input: [1, 64], kernel: [1, 5], stride: [1, 3], dilation: [1, 8] };
function render({ model, el }) {
  const stack = () =>
    Array.from({ length: model.get("layers") }, (_, l) => [
      model.get("kernel_sizes")[l],
      model.get("strides")[l],
      model.get("dilations")[l],
      0,
    ]);
  const setEntry = (trait, l, v) => {
    const values = model.get(trait).slice();
    values[l] = v;
    commit(model, { [trait]: values });
  };

  // --- controls ---------------------------------------------------------
  const message = problemBox();
  const inputSlider = slider("Input cells", { min: LIMITS.input[0], max: LIMITS.input[1], value: 5 }, (v) =>
    commit(model, { input_size: v }),
  );
  const layersSlider = slider("Layers", { min: 1, max: MAX_LAYERS, value: 2 }, (v) => commit(model, { layers: v }));
  const outputSlider = slider("Output cell", { min: 0, max: 0, value: 0 }, (v) => commit(model, { position: v }));
  const perLayer = [];
  const layerBox = h("div", { class: "cl-rf-layers" });
  for (let l = 0; l < MAX_LAYERS; l++) {
    const row = {
      kernel: slider(`Layer ${l + 1} kernel`, { min: 1, max: LIMITS.kernel[1], value: 3 }, (v) =>
        setEntry("kernel_sizes", l, v),
      ),
      stride: slider(`Layer ${l + 1} stride`, { min: 1, max: LIMITS.stride[1], value: 1 }, (v) =>
        setEntry("strides", l, v),
      ),
      dilation: slider(`Layer ${l + 1} dilation`, { min: 1, max: LIMITS.dilation[1], value: 1 }, (v) =>
        setEntry("dilations", l, v),
      ),
    };
    // Inside the "Layer l" box the visible labels are short; the full name stays the accessible one.
    for (const [key, word] of [
      ["kernel", "kernel"],
      ["stride", "stride"],
      ["dilation", "dilation"],
    ]) {
      row[key].input.setAttribute("aria-label", `Layer ${l + 1} ${word}`);
      row[key].el.querySelector("label").textContent = word;
    }
    row.el = h(
      "fieldset",
      { class: "cl-rf-layer" },
      h("legend", {}, `Layer ${l + 1}`),
      row.kernel.el,
      row.stride.el,
      row.dilation.el,
    );
    perLayer.push(row);
    layerBox.append(row.el);
  }

  // --- the stage --------------------------------------------------------
  const figure = h("div", { class: "cl-rf-figure" });
  const summary = h("p", { class: "cl-rf-summary", "aria-live": "polite" });
  const tableHolder = h("div", { class: "cl-table-scroll" });
  const formulas = [h("p", { class: "cl-formula" }), h("p", { class: "cl-formula" })];
  const swatch = (cls) => h("span", { class: `cl-swatch ${cls}`, "aria-hidden": "true" });

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-receptive-field" },
      h("div", { class: "cl-controls" }, inputSlider.el, layersSlider.el, outputSlider.el),
      layerBox,
      message.el,
      figure,
      h(
        "p",
        { class: "cl-legend" },
        h("span", {}, swatch("cl-on"), "cells the chosen output cell depends on"),
        h("span", {}, swatch("cl-rf-cell"), "other cells"),
      ),
      summary,
      tableHolder,
      h("div", { class: "cl-formulas" }, ...formulas),
      h(
        "p",
        { class: "cl-hint" },
        "Each row is one layer's output along one axis (no padding), drawn above the input cells its " +
          "cells look at. Lines are the kernel's taps. Click a cell in the top row to pick it.",
      ),
    ),
  );

  let width = 560;
  let shown = null; // the figure on the page: { key, svg, mark(cells) }

  // --- redraw from the model ---------------------------------------------
  function draw() {
    const n = model.get("input_size");
    const L = model.get("layers");
    const layers = stack();
    inputSlider.set(n);
    layersSlider.set(L);
    perLayer.forEach((row, l) => {
      row.el.hidden = l >= L;
      row.kernel.set(model.get("kernel_sizes")[l]);
      row.stride.set(model.get("strides")[l]);
      row.dilation.set(model.get("dilations")[l]);
    });
    const lengths = stackLengths(n, layers);
    const fields = receptiveField(layers);
    formulas[0].textContent = receptiveSizeFormula(layers);
    formulas[1].textContent = jumpFormula(layers);
    const problem = stackProblem(n, layers);
    message.show(problem);

    let cells = null;
    let at = 0;
    if (problem) {
      outputSlider.set(0, 0, 0);
      outputSlider.input.disabled = true;
      summary.textContent = "";
    } else {
      const m = lengths[L];
      at = Math.min(model.get("position"), m - 1);
      outputSlider.input.disabled = false;
      outputSlider.set(at, 0, m - 1);
      cells = stackDependencies(layers, at, n);
      const count = cells[0].length;
      const r = fields[L - 1].size;
      const which = count === r ? `all r = ${r}` : `${count} of the r = ${r}`;
      summary.textContent =
        `Output cell ${at} of layer ${L} depends on ${which} input cells its field spans: ` +
        `${formatCells(cells[0])}.`;
    }
    // A new output cell only moves the marks and the taps: the cells stay as they are.
    const key = JSON.stringify([n, layers, width, cells !== null]);
    if (shown?.key !== key) {
      shown = { key, ...drawRows(n, layers, lengths, fields, cells !== null) };
      figure.replaceChildren(shown.svg);
    }
    shown.mark(cells);
    redraw(tableHolder, fieldTable(layers, lengths, fields, cells));
  }

  /**
   * The input and every layer as rows of cells, the output layer on top (pickable
   * when `pick`); `mark(cells)` highlights the cells one output cell depends on,
   * with the kernel taps as lines.
   */
  function drawRows(n, layers, lengths, fields, pick) {
    const label = 58;
    const unit = Math.max(3, Math.min(22, (width - 34 - label) / n));
    const cellH = Math.min(20, Math.max(10, unit));
    const gap = 30;
    const rows = lengths.length;
    const height = rows * cellH + (rows - 1) * gap + 4;
    const svg = svgElement("svg", {
      viewBox: `0 0 ${label + n * unit + 4} ${height}`,
      width: label + n * unit + 4,
      height,
      class: "cl-rf-svg",
      role: "img",
    });
    svg.append(svgElement("title", {}, `The input and ${rows - 1} layer(s) as rows of cells`));
    const y = (l) => 2 + (rows - 1 - l) * (cellH + gap); // layer l's row, the input at the bottom
    // Cell i of layer l is drawn centred over the input cells its receptive field spans.
    const center = (l, i) => {
      if (l === 0) return label + (i + 0.5) * unit;
      const f = fields[l - 1];
      return label + (f.start + i * f.jump + f.size / 2) * unit;
    };
    const lines = svgElement("g", { class: "cl-rf-taps" });
    svg.append(lines);
    const rects = lengths.map(() => []); // rects[l][i]: cell i of layer l
    for (let l = 0; l < rows; l++) {
      svg.append(
        svgElement("text", { x: 0, y: y(l) + cellH / 2 + 4, class: "cl-rf-label" }, l === 0 ? "input" : `layer ${l}`),
      );
      const w = Math.max(2, unit - (unit > 6 ? 2 : 1));
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
        rect.append(svgElement("title", {}, `${l === 0 ? "input" : `layer ${l}`} cell ${i}`));
        if (pick && l === rows - 1 && l > 0) {
          rect.classList.add("cl-pick");
          rect.addEventListener("click", () => commit(model, { position: i }));
        }
        svg.append(rect);
        rects[l].push(rect);
      }
    }
    function mark(cells) {
      const on = cells ? cells.map((c) => new Set(c)) : lengths.map(() => new Set());
      rects.forEach((row, l) => row.forEach((rect, i) => rect.classList.toggle("cl-on", on[l].has(i))));
      const taps = [];
      for (let l = rows - 1; l >= 1 && cells; l--) {
        const [k, s, d] = layers[l - 1];
        for (const i of cells[l]) {
          for (let t = 0; t < k; t++) {
            const c = i * s + t * d;
            taps.push(svgElement("line", { x1: center(l, i), y1: y(l) + cellH, x2: center(l - 1, c), y2: y(l - 1) }));
          }
        }
      }
      lines.replaceChildren(...taps);
    }
    return { svg, mark };
  }

  /** Per layer: its settings, its cells, jump, size and the cells the output depends on. */
  function fieldTable(layers, lengths, fields, cells) {
    const head = h(
      "tr",
      {},
      ...["", "kernel k", "stride s", "dilation d", "cells", "jump j", "size r", "cells the output depends on"].map(
        (t) => h("th", { scope: "col" }, t),
      ),
    );
    const body = h("tbody");
    for (let l = 0; l <= layers.length; l++) {
      const settings = l === 0 ? ["–", "–", "–"] : layers[l - 1].slice(0, 3).map(String);
      const jump = l === 0 ? 1 : fields[l - 1].jump;
      const size = l === 0 ? 1 : fields[l - 1].size;
      const has = l < lengths.length;
      const depends = cells ? formatCells(cells[l]) : "–";
      body.append(
        h(
          "tr",
          { "data-layer": l },
          h("th", { scope: "row" }, l === 0 ? "input" : `layer ${l}`),
          ...[...settings, has ? String(lengths[l]) : "none", String(jump), String(size), depends].map((t) =>
            h("td", {}, t),
          ),
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

  const stopWidth = onWidthChange(el, (w) => {
    width = w;
    draw();
  });
  const traits = ["input_size", "layers", "kernel_sizes", "strides", "dilations", "position"];
  const unsubscribe = onChanges(model, traits, draw);
  return () => {
    stopWidth();
    unsubscribe();
  };
}

export default { render };
