// The multi-channel convolution (chapter 5). Each output channel is the sum of one
// correlation per input channel, plus a bias; the weight shape, parameters and
// multiply-adds with their formulas filled in.

import { problemBox, slider } from "../ui/controls.js";
import { h, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { markAll, matrixTable, refill } from "../ui/tables.js";
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

/**
 * Output channel o: its kernels, then X[c] ⋆ W[o, c] summed with b[o] into Y[o].
 * Returns the section and its tables of b[o] and Y[o] (null without an output),
 * which a new bias rewrites in place.
 */
function outputChannel(o, kernels, result, b, [ci, k]) {
  const sum = [];
  const tables = { bias: null, output: null };
  if (result) {
    result.partials[o].forEach((P, c) => {
      if (c > 0) sum.push(op("+"));
      sum.push(matrixTable(P, `X[${c}] ⋆ W[${o}, ${c}]`));
    });
    tables.bias = matrixTable([[b[o]]], `b[${o}]`);
    tables.output = matrixTable(result.output[o], `Y[${o}]`, markAll);
    sum.push(op("+"), tables.bias, op("="), tables.output);
  } else {
    sum.push(h("p", { class: "cl-empty" }, "No output"));
  }
  const section = h(
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
  return { section, ...tables };
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

  let drawn = { sizes: null, channels: [] }; // the sizes on the page, each channel's tables
  function draw() {
    const [ci, co, k, n, beta] = TRAITS.map((trait) => model.get(trait));
    for (const trait of TRAITS) sliders[trait].set(model.get(trait));
    const X = channelInput(ci, n);
    const W = channelWeights(co, ci, k);
    const b = Array.from({ length: co }, () => beta);
    const problem = channelsProblem(n, k);
    const result = problem ? null : multiChannelConv(X, W, b);
    const sizes = [ci, co, k, n].join();
    if (sizes === drawn.sizes) {
      // Same sizes, same grids: a new bias only rewrites b and the outputs.
      drawn.channels.forEach((tables, o) => {
        if (tables.bias) refill(tables.bias, [[b[o]]]);
        if (tables.output) refill(tables.output, result.output[o]);
      });
      return;
    }
    const texts = countTexts(ci, co, k, n);
    for (const key of Object.keys(lines)) setText(lines[key], texts[key]);
    inputHolder.replaceChildren(...X.map((Xc, c) => matrixTable(Xc, `X[${c}]`)));
    message.show(problem);
    const channels = W.map((kernels, o) => outputChannel(o, kernels, result, b, [ci, k]));
    rowsHolder.replaceChildren(
      h("div", { class: "cl-out-channels" }, ...channels.map((c) => c.section)),
    );
    drawn = { sizes, channels };
  }

  return onChanges(model, TRAITS, draw);
}

export default { render };
