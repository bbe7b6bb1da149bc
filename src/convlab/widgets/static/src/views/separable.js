// What a standard, a grouped and a depthwise-separable convolution cost
// (chapter 7). Bars of multiply-adds and weights, the ratio 1/n + 1/k² with the
// numbers filled in, and a groups slider that only offers the divisors of gcd(m, n).

import { problemBox, slider, stopsSlider } from "../ui/controls.js";
import { h, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import {
  cost,
  groupsKind,
  groupsProblem,
  groupsRule,
  ratioText,
  validGroups,
} from "../widgets/separable.js";
import { formatCount } from "../widgets/text.js";

const TRAITS = ["in_channels", "out_channels", "kernel", "size", "groups"];

/** One bar: a label, a track with one or two segments, and the number as text. */
function barRow(key, name) {
  const label = h("span", { class: "cl-bar-label", "data-cell": `${key}-label` }, name);
  const track = h("span", { class: "cl-bar-track", "aria-hidden": "true" });
  const value = h("span", { class: "cl-bar-value", "data-cell": key });
  const el = h("div", { class: "cl-bar-row" }, label, track, value);
  /**
   * `parts` are [value, class] pairs drawn end to end, scaled so that `max` fills
   * the track; the bars already drawn are resized rather than replaced.
   */
  const show = (parts, max, text) => {
    const kinds = parts.map(([, cls]) => `cl-bar ${cls}`);
    const bars = [...track.children];
    if (bars.map((bar) => bar.className).join() !== kinds.join()) {
      track.replaceChildren(...kinds.map((cls) => h("span", { class: cls })));
    }
    parts.forEach(([v], i) => {
      const width = `${(100 * v) / max}%`;
      const bar = track.children[i];
      if (bar.style.width !== width) bar.style.width = width;
    });
    setText(value, text);
  };
  return { el, label, show };
}

/** The three bars of one quantity (multiply-adds or weights), keyed like `std-macs`. */
function barRows(what) {
  return {
    standard: barRow(`std-${what}`, "standard"),
    grouped: barRow(`grp-${what}`, ""),
    separable: barRow(`sep-${what}`, "depthwise + pointwise"),
  };
}

/**
 * The bars of one quantity: the standard convolution `std`, the grouped one `grp`
 * (null when groups does not fit) and the depthwise `dw` plus pointwise `pw` parts.
 */
function showBars(rows, groupedName, [std, grp, dw, pw]) {
  const max = Math.max(std, dw + pw);
  rows.standard.show([[std, "cl-std"]], max, formatCount(std));
  setText(rows.grouped.label, groupedName);
  if (grp === null) rows.grouped.show([], max, "—");
  else rows.grouped.show([[grp, "cl-grp"]], max, formatCount(grp));
  rows.separable.show(
    [
      [dw, "cl-dw"],
      [pw, "cl-pw"],
    ],
    max,
    formatCount(dw + pw),
  );
}

/** The sliders: channels and size walk their stops; groups walks the valid values. */
function sliders(model, redrawAll) {
  const pick = (trait) => (v) => commit(model, { [trait]: v });
  const stops = (trait, label) =>
    stopsSlider(label, limitsOf(model, trait).stops, model.get(trait), pick(trait));
  // The groups slider runs over the valid values only: its positions are indices.
  const groups = slider("Groups", { min: 0, max: 0, value: 0 }, (i) => {
    const valid = validGroups(model.get("in_channels"), model.get("out_channels"));
    commit(model, { groups: valid[i] });
    redrawAll(); // the slider wrote its index; an unchanged trait would not redraw
  });
  return {
    in_channels: stops("in_channels", "Input channels m"),
    out_channels: stops("out_channels", "Output channels n"),
    kernel: slider(
      "Kernel size k",
      { ...limitsOf(model, "kernel"), value: model.get("kernel") },
      pick("kernel"),
    ),
    size: stops("size", "Output size h′ = w′"),
    groups,
  };
}

/** The page: sliders, the rule, both blocks of bars, the legend, the ratio and the formulas. */
function layout(controls, parts) {
  const block = (title, rows, note) =>
    h(
      "div",
      { class: "cl-bar-block" },
      h("h4", {}, title),
      rows.standard.el,
      rows.grouped.el,
      rows.separable.el,
      note,
    );
  const legend = h(
    "p",
    { class: "cl-hint cl-legend" },
    h("span", { class: "cl-swatch cl-dw" }),
    " depthwise (k × k, one kernel per input channel)  ",
    h("span", { class: "cl-swatch cl-pw" }),
    " pointwise (1 × 1, m → n)",
  );
  return h(
    "div",
    { class: "cl-separable" },
    h("div", { class: "cl-controls" }, ...TRAITS.map((t) => controls[t].el)),
    parts.rule,
    parts.message.el,
    block("Multiply-adds for one image", parts.macs, parts.macsSplit),
    block("Weights (biases not counted)", parts.params, parts.paramsSplit),
    legend,
    parts.ratio,
    ...parts.formulas,
  );
}

function render({ model, el }) {
  const controls = sliders(model, () => draw(model, controls, parts));
  const split = (key) => h("p", { class: "cl-split", "data-cell": key });
  const parts = {
    rule: h("p", { class: "cl-hint cl-rule", "data-cell": "groups-rule" }),
    message: problemBox(),
    macs: barRows("macs"),
    params: barRows("params"),
    macsSplit: split("sep-macs-split"),
    paramsSplit: split("sep-params-split"),
    ratio: h(
      "p",
      { class: "cl-filled cl-ratio" },
      "depthwise-separable ÷ standard: ",
      h("span", { "data-cell": "ratio" }),
    ),
    formulas: ["std-formula", "sep-formula", "grp-formula"].map((key) =>
      h("p", { class: "cl-filled", "data-cell": key }),
    ),
  };
  el.classList.add("cl-widget");
  el.append(layout(controls, parts));
  return onChanges(model, TRAITS, () => draw(model, controls, parts));
}

/** Redraw from the model: the sliders, the groups rule, the bars, the ratio and the formulas. */
function draw(model, controls, parts) {
  const [m, n, k, s, g] = TRAITS.map((t) => model.get(t));
  for (const t of ["in_channels", "out_channels", "kernel", "size"]) controls[t].set(model.get(t));
  const valid = validGroups(m, n);
  const at = valid.indexOf(g);
  const problem = groupsProblem(m, n, g);
  // An invalid groups (m or n moved under it) sits at the largest valid value below it.
  const shownAt = at >= 0 ? at : valid.filter((v) => v < g).length - 1;
  const groups = controls.groups;
  groups.set(Math.max(0, shownAt), 0, valid.length - 1);
  const groupsOut = groups.el.querySelector("output");
  setText(groupsOut, problem ? `${g} ✗` : `${g} (${groupsKind(m, g)})`);
  if (groups.input.getAttribute("aria-valuetext") !== groupsOut.textContent) {
    groups.input.setAttribute("aria-valuetext", groupsOut.textContent);
  }
  setText(parts.rule, groupsRule(m, n));
  parts.message.show(problem);

  const c = cost(m, n, k, s, g);
  const groupedName = `groups = ${g}${problem ? "" : ` (${groupsKind(m, g)})`}`;
  showBars(parts.macs, groupedName, [
    c.standardMacs,
    c.groupedMacs,
    c.depthwiseMacs,
    c.pointwiseMacs,
  ]);
  showBars(parts.params, groupedName, [
    c.standardParams,
    c.groupedParams,
    c.depthwiseParams,
    c.pointwiseParams,
  ]);
  setText(
    parts.macsSplit,
    `= depthwise ${formatCount(c.depthwiseMacs)} + pointwise ${formatCount(c.pointwiseMacs)}`,
  );
  setText(
    parts.paramsSplit,
    `= depthwise ${formatCount(c.depthwiseParams)} + pointwise ${formatCount(c.pointwiseParams)}`,
  );
  setText(parts.ratio.lastChild, ratioText(n, k));

  const [std, sep, grp] = parts.formulas;
  const hw = `${s}·${s}`;
  setText(
    std,
    `standard: k·k·m·n·h′·w′ = ${k}·${k}·${m}·${n}·${hw} = ${formatCount(c.standardMacs)}`,
  );
  setText(
    sep,
    `depthwise-separable: k·k·m·h′·w′ + m·n·h′·w′ = ${k}·${k}·${m}·${hw} + ${m}·${n}·${hw} = ` +
      `${formatCount(c.separableMacs)}`,
  );
  setText(
    grp,
    problem
      ? `grouped: groups = ${g} does not fit ${m} → ${n} channels`
      : `grouped: k·k·(m/groups)·n·h′·w′ = ${k}·${k}·(${m}/${g})·${n}·${hw} = ${formatCount(c.groupedMacs)}, ` +
          (g === 1 ? "the standard convolution itself" : `1/${g} of standard`),
  );
}

export default { render };
