// channels.js: the multi-channel convolution. Each output channel is the sum of
// one correlation per input channel, plus a bias; the weight shape, parameters and
// multiply-adds with their formulas filled in.
// Uses convmath.js and ui.js, which are bundled in front of this file.

// The settings, as traits: [trait, slider label, min, max].
const SETTINGS = [
  ["in_channels", "Input channels c_i", 1, 3],
  ["out_channels", "Output channels c_o", 1, 3],
  ["kernel_size", "Kernel size k", 1, 3],
  ["input_size", "Input size n", 1, 5],
  ["bias", "Bias b", -5, 5],
];

function render({ model, el }) {
  // --- controls ---------------------------------------------------------
  const message = problemBox();
  const sliders = {};
  const controls = h("div", { class: "cl-controls cl-axes" });
  for (const [trait, label, min, max] of SETTINGS) {
    sliders[trait] = slider(label, { min, max, value: model.get(trait) }, (v) => commit(model, { [trait]: v }));
    controls.append(sliders[trait].el);
  }

  // --- the counts, the input, then one row per output channel -------------
  const line = (key) => h("p", { class: "cl-formula", "data-cell": key });
  const lines = { weight: line("weight"), params: line("params"), output: line("output"), macs: line("macs") };
  const inputHolder = h("div", { class: "cl-stage cl-inputs" });
  const rowsHolder = h("div");
  const op = (text) => h("span", { class: "cl-op", "aria-hidden": "true" }, text);

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-channels" },
      controls,
      h("div", { class: "cl-formulas" }, lines.weight, lines.params, lines.output, lines.macs),
      message.el,
      h("h4", { class: "cl-heading" }, "Input X, one grid per channel"),
      inputHolder,
      rowsHolder,
      h(
        "p",
        { class: "cl-hint" },
        "X[c] ⋆ W[o, c] is input channel c cross-correlated with its own kernel. Output channel o " +
          "adds these c_i grids cell by cell, then its bias b[o] (the same b for every channel here).",
      ),
    ),
  );

  // --- redraw from the model ---------------------------------------------
  function draw() {
    const [ci, co, k, n, beta] = SETTINGS.map(([trait]) => model.get(trait));
    for (const [trait] of SETTINGS) sliders[trait].set(model.get(trait));
    const X = channelInput(ci, n);
    const W = channelWeights(co, ci, k);
    const b = Array.from({ length: co }, () => beta);
    const texts = channelCounts(ci, co, k, n);
    for (const key of Object.keys(lines)) lines[key].textContent = texts[key];
    inputHolder.replaceChildren(...X.map((Xc, c) => matrixTable(Xc, `X[${c}]`)));
    // Same sizes, same grids: a new bias only rewrites the numbers that changed.
    const rows = h("div", { class: "cl-out-channels", "data-shape": [ci, co, k, n].join() });
    const problem = channelsProblem(n, k);
    message.show(problem);
    const result = problem ? null : multiChannelConv(X, W, b);
    rows.append(
      ...W.map((kernels, o) => {
        const sum = [];
        if (result) {
          result.partials[o].forEach((P, c) => {
            if (c > 0) sum.push(op("+"));
            sum.push(matrixTable(P, `X[${c}] ⋆ W[${o}, ${c}]`));
          });
          sum.push(op("+"), matrixTable([[b[o]]], `b[${o}]`), op("="));
          sum.push(matrixTable(result.output[o], `Y[${o}]`, (i, j, td) => td.classList.add("cl-on")));
        } else {
          sum.push(h("p", { class: "cl-empty" }, "No output"));
        }
        return h(
          "section",
          { class: "cl-out-channel", "aria-label": `Output channel ${o}` },
          h("h4", { class: "cl-heading" }, `Output channel ${o}: kernels W[${o}] (${ci}×${k}×${k})`),
          h("div", { class: "cl-stage cl-kernel-row" }, ...kernels.map((K, c) => matrixTable(K, `W[${o}, ${c}]`))),
          h("div", { class: "cl-stage cl-sum-row" }, ...sum),
        );
      }),
    );
    redraw(rowsHolder, rows);
  }

  return onChanges(
    model,
    SETTINGS.map(([trait]) => trait),
    draw,
  );
}

export default { render };
