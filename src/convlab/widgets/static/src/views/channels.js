// The multi-channel convolution (chapter 5). Each output channel is the sum of one
// correlation per input channel, plus a bias; the weight shape, parameters and
// multiply-adds with their formulas filled in.

import { problemBox, slider } from "../ui/controls.js";
import { h, redraw } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { markAll, matrixTable } from "../ui/tables.js";
import {
  channelInput,
  channelsProblem,
  channelWeights,
  countTexts,
  multiChannelConv,
} from "../widgets/channels.js";

// The settings, as traits, and their sliders' labels.
const SETTINGS = [
  ["in_channels", "Input channels c_i"],
  ["out_channels", "Output channels c_o"],
  ["kernel_size", "Kernel size k"],
  ["input_size", "Input size n"],
  ["bias", "Bias b"],
];
const TRAITS = SETTINGS.map(([trait]) => trait);

const op = (text) => h("span", { class: "cl-op", "aria-hidden": "true" }, text);

/** Output channel o: its kernels, then X[c] ⋆ W[o, c] summed with b[o] into Y[o]. */
function outputChannel(o, kernels, result, b, [ci, k]) {
  const sum = [];
  if (result) {
    result.partials[o].forEach((P, c) => {
      if (c > 0) sum.push(op("+"));
      sum.push(matrixTable(P, `X[${c}] ⋆ W[${o}, ${c}]`));
    });
    sum.push(op("+"), matrixTable([[b[o]]], `b[${o}]`), op("="));
    sum.push(matrixTable(result.output[o], `Y[${o}]`, markAll));
  } else {
    sum.push(h("p", { class: "cl-empty" }, "No output"));
  }
  return h(
    "section",
    { class: "cl-out-channel", "aria-label": `Output channel ${o}` },
    h("h4", { class: "cl-heading" }, `Output channel ${o}: kernels W[${o}] (${ci}×${k}×${k})`),
    h(
      "div",
      { class: "cl-stage cl-kernel-row" },
      ...kernels.map((K, c) => matrixTable(K, `W[${o}, ${c}]`)),
    ),
    h("div", { class: "cl-stage cl-sum-row" }, ...sum),
  );
}

function render({ model, el }) {
  const message = problemBox();
  const sliders = {};
  const controls = h("div", { class: "cl-controls cl-axes" });
  for (const [trait, label] of SETTINGS) {
    const range = { ...limitsOf(model, trait), value: model.get(trait) };
    sliders[trait] = slider(label, range, (v) => commit(model, { [trait]: v }));
    controls.append(sliders[trait].el);
  }
  const line = (key) => h("p", { class: "cl-formula", "data-cell": key });
  const lines = {
    weight: line("weight"),
    params: line("params"),
    output: line("output"),
    macs: line("macs"),
  };
  const inputHolder = h("div", { class: "cl-stage cl-inputs" });
  const rowsHolder = h("div");
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

  function draw() {
    const [ci, co, k, n, beta] = TRAITS.map((trait) => model.get(trait));
    for (const trait of TRAITS) sliders[trait].set(model.get(trait));
    const X = channelInput(ci, n);
    const W = channelWeights(co, ci, k);
    const b = Array.from({ length: co }, () => beta);
    const texts = countTexts(ci, co, k, n);
    for (const key of Object.keys(lines)) lines[key].textContent = texts[key];
    inputHolder.replaceChildren(...X.map((Xc, c) => matrixTable(Xc, `X[${c}]`)));
    const problem = channelsProblem(n, k);
    message.show(problem);
    const result = problem ? null : multiChannelConv(X, W, b);
    // Same sizes, same grids: a new bias only rewrites the numbers that changed.
    const rows = h("div", { class: "cl-out-channels", "data-shape": [ci, co, k, n].join() });
    rows.append(...W.map((kernels, o) => outputChannel(o, kernels, result, b, [ci, k])));
    redraw(rowsHolder, rows);
  }

  return onChanges(model, TRAITS, draw);
}

export default { render };
