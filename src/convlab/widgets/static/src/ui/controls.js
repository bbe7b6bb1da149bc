// The controls every view builds from: sliders, a choice of a few words, the box
// that explains a broken rule, and the window stepper.

import { h, setText, uniqueId } from "./dom.js";
import { commit, limitsOf } from "./model.js";

/** A labelled range slider; `onInput(value)` runs on every move. */
export function slider(label, { min, max, step = 1, value }, onInput) {
  const id = uniqueId("cl");
  const input = h("input", { type: "range", id, min, max, step, value: String(value) });
  const shown = h("output", { for: id }, String(value));
  input.addEventListener("input", () => {
    setText(shown, input.value); // in place: no node added or removed
    onInput(Number(input.value));
  });
  const set = (v, lo = min, hi = max) => {
    // Only what changed: the model echoes every move back to the slider that made it.
    for (const [key, want] of [
      ["min", lo],
      ["max", hi],
      ["value", v],
    ]) {
      if (input[key] !== String(want)) input[key] = String(want);
    }
    setText(shown, String(v));
  };
  return {
    el: h("div", { class: "cl-slider" }, h("label", { for: id }, label), input, shown),
    input,
    set,
  };
}

/**
 * One slider per [trait, label] of `settings`, each with the range the widget's
 * limits give, in one "cl-controls cl-axes" box; a move calls onMove({ trait: v }).
 */
export function settingSliders(model, settings, onMove) {
  const sliders = {};
  const el = h("div", { class: "cl-controls cl-axes" });
  for (const [trait, label] of settings) {
    const range = { ...limitsOf(model, trait), value: model.get(trait) };
    sliders[trait] = slider(label, range, (v) => onMove({ [trait]: v }));
    el.append(sliders[trait].el);
  }
  return { el, sliders };
}

/**
 * A slider over a list of values (image sides, learning rates, …) that shows the
 * value, `show(value)`, rather than its position. A value between two stops sits
 * at the nearer one on a log scale; `onPick(value)` runs on every move.
 */
export function stopsSlider(label, stops, value, onPick, show = String) {
  const nearest = (v) =>
    stops.reduce(
      (best, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(stops[best] / v)) ? i : best),
      0,
    );
  const base = slider(label, { min: 0, max: stops.length - 1, value: nearest(value) }, (i) => {
    showValue(stops[i]);
    onPick(stops[i]);
  });
  const out = base.el.querySelector("output");
  function showValue(v) {
    setText(out, show(v));
    if (base.input.getAttribute("aria-valuetext") !== show(v)) {
      base.input.setAttribute("aria-valuetext", show(v));
    }
  }
  const set = (v) => {
    base.set(nearest(v));
    showValue(v);
  };
  return { el: base.el, input: base.input, set };
}

/**
 * Radio buttons under a legend, one per [value, text] of `options` (a text may be
 * an element to fill in later); `onPick(value)` runs when one is chosen.
 * `check(value)` ticks one.
 */
export function choiceField(legend, options, onPick) {
  const name = uniqueId("cl-mode");
  const inputs = {};
  const labels = options.map(([value, text]) => {
    const input = h("input", { type: "radio", name, value });
    input.addEventListener("change", () => onPick(value));
    inputs[value] = input;
    return typeof text === "string"
      ? h("label", {}, input, ` ${text}`)
      : h("label", {}, input, " ", text);
  });
  const el = h("fieldset", { class: "cl-mode" }, h("legend", {}, legend), ...labels);
  return {
    el,
    check(value) {
      inputs[value].checked = true;
    },
  };
}

/** The box that explains a broken rule (role="alert"); hidden while there is none. */
export function problemBox() {
  const el = h("div", { class: "cl-problem", role: "alert" });
  const show = (text) => {
    setText(el, text || "");
    if (el.hidden !== !text) el.hidden = !text;
  };
  show("");
  return { el, show };
}

/**
 * The controls that move a window over the output cells: a "Window position"
 * slider, "output row i, column j", and ◀ Step / ▶ Play / Step ▶ buttons that
 * write the `position` trait. `count()` is the number of output cells now.
 * `show(position, rows, cols)` sets them for an output of rows × cols;
 * `cell(r, c, td)` marks and wires one cell of that output's table, `mark(r, c, td)`
 * re-marks a cell already drawn; `disable()` greys them out when there is no output.
 */
export function windowStepper(model, count, playMs = 800) {
  let timer = null;
  const position = slider("Window position", { min: 0, max: 0, value: 0 }, (v) => {
    stop();
    commit(model, { position: v });
  });
  const where = h("span", { class: "cl-where" });
  const back = h("button", { type: "button", title: "Previous window" }, "◀ Step");
  const play = h("button", { type: "button", title: "Play / pause" }, "▶ Play");
  const next = h("button", { type: "button", title: "Next window" }, "Step ▶");
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    setText(play, "▶ Play");
  }
  const step = (delta) => {
    const n = count();
    if (!n) return;
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
    if (!count()) return;
    setText(play, "⏸ Pause");
    timer = setInterval(() => step(1), playMs);
  });
  const enable = (on) => {
    for (const control of [position.input, back, play, next]) {
      if (control.disabled === on) control.disabled = !on;
    }
  };
  const el = h(
    "div",
    { class: "cl-controls cl-position" },
    position.el,
    where,
    h("span", { class: "cl-buttons" }, back, play, next),
  );
  let shown = { at: 0, cols: 1 };
  // Views pass these to matrixTable and eachCell on their own, so they use no `this`.
  const mark = (r, c, td) => td.classList.toggle("cl-on", r * shown.cols + c === shown.at);
  return {
    el,
    stop,
    show(at, rows, cols) {
      shown = { at, cols };
      enable(true);
      position.set(at, 0, rows * cols - 1);
      setText(where, `output row ${Math.floor(at / cols)}, column ${at % cols}`);
    },
    /** Mark output cell (r, c) if it is the current one, unmark it if not. */
    mark,
    /** `mark` a new output cell and make hovering it move the window there. */
    cell(r, c, td) {
      mark(r, c, td);
      td.addEventListener("mouseenter", () => {
        stop();
        commit(model, { position: r * shown.cols + c });
      });
    },
    disable() {
      stop();
      enable(false);
      setText(where, "");
    },
  };
}
