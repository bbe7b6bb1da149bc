// The pooling explorer (chapter 6). A bright square on a dark input moves right;
// the [1, −1] edge detector turns it into an edge map; a max or mean pool
// summarises the map. Counts how many cells of each changed compared with no shift.

import { full } from "../matrices.js";
import { choiceField, problemBox, slider, windowStepper } from "../ui/controls.js";
import { h, redraw, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import { markCells, matrixTable } from "../ui/tables.js";
import { poolCall, poolingMaps, poolingWindow } from "../widgets/pooling_explorer.js";

const PLAY_MS = 700;
// The sliders: trait and label.
const SLIDERS = [
  ["window", "Window size"],
  ["stride", "Stride"],
  ["padding", "Padding"],
  ["shift", "Shift right"],
];
const MODES = [
  ["max", "max"],
  ["mean", "mean (average)"],
];
const TRAITS = ["position", "mode", ...SLIDERS.map(([trait]) => trait)];

/** window, stride, padding, mode and shift, as poolingMaps takes them. */
function settings(model) {
  return ["window", "stride", "padding", "mode", "shift"].map((t) => model.get(t));
}

/**
 * poolingMaps for the model's settings, kept in `cache` for as long as they hold:
 * a move of the window alone changes none of the maps.
 */
function mapsFor(model, cache) {
  const now = settings(model);
  const key = now.join();
  if (cache.key !== key) Object.assign(cache, { key, maps: poolingMaps(...now) });
  return cache.maps;
}

/** The count of changed cells in the input, the edge map and the pooled map. */
function changeCounts() {
  const count = (key) => h("strong", { "data-cell": key });
  const counts = {
    input: count("changed-input"),
    feature: count("changed-edge"),
    pooled: count("changed-pooled"),
  };
  const el = h(
    "p",
    { class: "cl-changes", "aria-live": "polite" },
    "Cells that differ from shift 0: input ",
    counts.input,
    ", edge map ",
    counts.feature,
    ", pooled map ",
    counts.pooled,
    ".",
  );
  return { el, counts };
}

/** The page: sliders, mode, stepper, input → edge map → pooled map, legend and texts. */
function layout(parts) {
  const arrow = (text) => h("span", { class: "cl-op", "aria-hidden": "true", title: text }, "→");
  const swatch = (cls) => h("span", { class: `cl-swatch ${cls}`, "aria-hidden": "true" });
  return h(
    "div",
    { class: "cl-pooling" },
    parts.controls,
    parts.mode.el,
    parts.player.el,
    h(
      "div",
      { class: "cl-stage" },
      parts.inputHolder,
      h("div", { class: "cl-step" }, arrow("edge detector [1, −1]"), parts.featureHolder),
      h("div", { class: "cl-step" }, arrow("pooling"), parts.pooledHolder),
    ),
    h(
      "p",
      { class: "cl-legend" },
      h("span", {}, swatch("cl-lit"), "the bright square"),
      h("span", {}, swatch("cl-on"), "the pooling window"),
      h("span", {}, swatch("cl-pad"), "padding"),
      h("span", {}, swatch("cl-changed"), "differs from shift 0"),
    ),
    parts.changes.el,
    parts.message.el,
    parts.sum,
    h("p", { class: "cl-layer" }, "The same pooling layer in PyTorch: ", parts.call),
    h(
      "p",
      { class: "cl-hint" },
      "The edge map is the input cross-correlated with [1, −1]: −1 where the square " +
        "begins, 1 where it ends. Max pooling pads with −∞ (never the largest), mean " +
        "pooling with zeros that count in the mean, as PyTorch does. Hover a pooled " +
        "cell to see its window.",
    ),
  );
}

function render({ model, el }) {
  const sliders = {};
  const controls = h("div", { class: "cl-controls" });
  for (const [trait, label] of SLIDERS) {
    const range = { ...limitsOf(model, trait), value: model.get(trait) };
    sliders[trait] = slider(label, range, (v) => {
      player.stop();
      commit(model, { [trait]: v });
    });
    controls.append(sliders[trait].el);
  }
  const cache = { key: null, maps: null };
  const cells = () => {
    const { pooled } = mapsFor(model, cache);
    return pooled ? pooled.length * pooled[0].length : 0;
  };
  const player = windowStepper(model, cells, PLAY_MS);
  const parts = {
    sliders,
    controls,
    mode: choiceField("Pooling", MODES, (value) => commit(model, { mode: value })),
    player,
    message: problemBox(),
    inputHolder: h("div", { class: "cl-scroll" }),
    featureHolder: h("div", { class: "cl-scroll" }),
    pooledHolder: h("div", { class: "cl-output cl-scroll" }),
    changes: changeCounts(),
    sum: h("p", { class: "cl-sum", "aria-live": "polite" }),
    call: h("code", { class: "cl-call" }),
  };
  el.classList.add("cl-widget");
  el.append(layout(parts));
  const drawn = { tablesFor: null }; // the settings the tables on the page show
  const unsubscribe = onChanges(model, TRAITS, () => draw(model, parts, drawn, cache));
  return () => {
    player.stop();
    unsubscribe();
  };
}

/** Mark the window's cells in the padded edge map and its cell in the pooled map. */
function markWindow({ featureHolder, pooledHolder }, r) {
  markCells(
    featureHolder,
    "cl-on",
    r.window.map(([a, b]) => [0, a, b]),
  );
  markCells(pooledHolder, "cl-on", [[0, r.row, r.col]]);
}

/** The edge map padded as the pool sees it. */
function paddedFeature(r, base, mode, p) {
  const [fh, fw] = [r.feature.length, r.feature[0].length];
  const padded = full(fh + 2 * p, fw + 2 * p, mode === "max" ? -Infinity : 0);
  r.feature.forEach((row, i) => {
    row.forEach((v, j) => {
      padded[i + p][j + p] = v;
    });
  });
  return matrixTable(padded, p ? "Edge map, padded" : "Edge map", (a, b, td) => {
    const [i, j] = [a - p, b - p];
    const pad = i < 0 || i >= fh || j < 0 || j >= fw;
    if (pad) {
      td.classList.add("cl-pad");
      if (mode === "max") td.textContent = "−∞";
    } else if (r.feature[i][j] !== base.feature[i][j]) td.classList.add("cl-changed");
  });
}

/**
 * Redraw from the model: the input, the edge map, the pooled map and the counts.
 * `drawn.tablesFor` names the settings the tables on the page show: when only
 * the window moved, its cells are re-marked in place.
 */
function draw(model, parts, drawn, cache) {
  const { player, message, inputHolder, featureHolder, pooledHolder, sum } = parts;
  const { counts } = parts.changes;
  const [k, s, p, mode] = settings(model);
  for (const [trait, control] of Object.entries(parts.sliders)) control.set(model.get(trait));
  parts.mode.check(mode);
  const maps = mapsFor(model, cache);
  const r = maps.problem ? maps : { ...maps, ...poolingWindow(maps, model.get("position")) };
  const tablesFor = cache.key;
  if (!r.problem && tablesFor === drawn.tablesFor) {
    // Only the window moved: mark its cells in the tables already on the page.
    const ow = r.pooled[0].length;
    player.show(r.row * ow + r.col, r.pooled.length, ow);
    markWindow(parts, r);
    setText(sum, r.text);
    return;
  }
  drawn.tablesFor = r.problem ? null : tablesFor;
  setText(parts.call, poolCall(mode, k, s, p));
  const base = poolingMaps(k, s, p, mode, 0);
  setText(counts.input, `${r.changed[0]} of ${r.X.length * r.X[0].length}`);
  setText(counts.feature, `${r.changed[1]} of ${r.feature.length * r.feature[0].length}`);
  const markInput = (i, j, td) => {
    if (r.X[i][j] === 1) td.classList.add("cl-lit");
    if (r.X[i][j] !== base.X[i][j]) td.classList.add("cl-changed");
  };
  redraw(inputHolder, matrixTable(r.X, "Input X", markInput));

  if (r.problem) {
    player.disable();
    message.show(r.problem);
    const markChanged = (i, j, td) => {
      if (r.feature[i][j] !== base.feature[i][j]) td.classList.add("cl-changed");
    };
    redraw(featureHolder, matrixTable(r.feature, "Edge map", markChanged));
    pooledHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output"));
    counts.pooled.textContent = "none (no output)";
    sum.textContent = "";
    return;
  }
  message.show("");
  const [oh, ow] = [r.pooled.length, r.pooled[0].length];
  player.show(r.row * ow + r.col, oh, ow);
  setText(counts.pooled, `${r.changed[2]} of ${oh * ow}`);
  redraw(featureHolder, paddedFeature(r, base, mode, p));
  const markPooled = (i, j, td) => {
    player.cell(i, j, td);
    if (r.pooled[i][j] !== base.pooled[i][j]) td.classList.add("cl-changed");
  };
  redraw(pooledHolder, matrixTable(r.pooled, "Pooled P", markPooled));
  markWindow(parts, r);
  setText(sum, r.text);
}

export default { render };
