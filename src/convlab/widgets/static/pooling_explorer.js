// pooling_explorer.js: the pooling explorer. A bright square on a dark input moves
// right; the [1, −1] edge detector turns it into an edge map; a max or mean pool
// summarises the map. Counts how many cells of each changed compared with no shift.
// Uses convmath.js and ui.js, which are bundled in front of this file.

const PLAY_MS = 700;
// The sliders: [trait, label, min, max].
const SETTINGS = [
  ["window", "Window size", 1, 8],
  ["stride", "Stride", 1, 4],
  ["padding", "Padding", 0, 4],
  ["shift", "Shift right", 0, 3],
];

function render({ model, el }) {
  // --- controls ---------------------------------------------------------
  const message = problemBox();
  const sliders = {};
  const controls = h("div", { class: "cl-controls" });
  for (const [trait, label, min, max] of SETTINGS) {
    sliders[trait] = slider(label, { min, max, value: model.get(trait) }, (v) => {
      player.stop();
      commit(model, { [trait]: v });
    });
    controls.append(sliders[trait].el);
  }
  const modeName = `cl-mode-${Math.random().toString(36).slice(2)}`;
  const modeInputs = {};
  const modeField = h(
    "fieldset",
    { class: "cl-mode" },
    h("legend", {}, "Pooling"),
    ...[
      ["max", "max"],
      ["mean", "mean (average)"],
    ].map(([value, text]) => {
      const input = h("input", { type: "radio", name: modeName, value });
      input.addEventListener("change", () => commit(model, { mode: value }));
      modeInputs[value] = input;
      return h("label", {}, input, ` ${text}`);
    }),
  );

  const get = () => ["window", "stride", "padding", "mode", "shift"].map((t) => model.get(t));
  const cells = () => {
    const [k, s, p, mode, shift] = get();
    const r = explorePooling(k, s, p, mode, shift, 0);
    return r.pooled ? r.pooled.length * r.pooled[0].length : 0;
  };
  const player = windowStepper(model, cells, PLAY_MS);

  // --- the stage: input → edge map → pooled map ---------------------------
  const inputHolder = h("div", { class: "cl-scroll" });
  const featureHolder = h("div", { class: "cl-scroll" });
  const pooledHolder = h("div", { class: "cl-output cl-scroll" });
  const arrow = (text) => h("span", { class: "cl-op", "aria-hidden": "true", title: text }, "→");
  const count = (key) => h("strong", { "data-cell": key });
  const counts = {
    input: count("changed-input"),
    feature: count("changed-edge"),
    pooled: count("changed-pooled"),
  };
  const changes = h(
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
  const sum = h("p", { class: "cl-sum", "aria-live": "polite" });
  const call = h("code", { class: "cl-call" });
  const swatch = (cls) => h("span", { class: `cl-swatch ${cls}`, "aria-hidden": "true" });

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-pooling" },
      controls,
      modeField,
      player.el,
      h(
        "div",
        { class: "cl-stage" },
        inputHolder,
        h("div", { class: "cl-step" }, arrow("edge detector [1, −1]"), featureHolder),
        h("div", { class: "cl-step" }, arrow("pooling"), pooledHolder),
      ),
      h(
        "p",
        { class: "cl-legend" },
        h("span", {}, swatch("cl-lit"), "the bright square"),
        h("span", {}, swatch("cl-on"), "the pooling window"),
        h("span", {}, swatch("cl-pad"), "padding"),
        h("span", {}, swatch("cl-changed"), "differs from shift 0"),
      ),
      changes,
      message.el,
      sum,
      h("p", { class: "cl-layer" }, "The same pooling layer in PyTorch: ", call),
      h(
        "p",
        { class: "cl-hint" },
        "The edge map is the input cross-correlated with [1, −1]: −1 where the square " +
          "begins, 1 where it ends. Max pooling pads with −∞ (never the largest), mean " +
          "pooling with zeros that count in the mean, as PyTorch does. Hover a pooled " +
          "cell to see its window.",
      ),
    ),
  );

  // --- redraw from the model ---------------------------------------------
  function draw() {
    const [k, s, p, mode, shift] = get();
    for (const [trait, control] of Object.entries(sliders)) control.set(model.get(trait));
    modeInputs[mode].checked = true;
    call.textContent = poolCall(mode, k, s, p);
    const r = explorePooling(k, s, p, mode, shift, model.get("position"));
    const base = explorePooling(k, s, p, mode, 0, 0);
    counts.input.textContent = `${r.changed[0]} of ${r.X.length * r.X[0].length}`;
    counts.feature.textContent = `${r.changed[1]} of ${r.feature.length * r.feature[0].length}`;

    redraw(
      inputHolder,
      matrixTable(r.X, "Input X", (i, j, td) => {
        if (r.X[i][j] === 1) td.classList.add("cl-lit");
        if (r.X[i][j] !== base.X[i][j]) td.classList.add("cl-changed");
      }),
    );
    const [fh, fw] = [r.feature.length, r.feature[0].length];
    const isChangedFeature = (i, j) => r.feature[i][j] !== base.feature[i][j];

    if (r.problem) {
      player.disable();
      message.show(r.problem);
      redraw(
        featureHolder,
        matrixTable(r.feature, "Edge map", (i, j, td) => {
          if (isChangedFeature(i, j)) td.classList.add("cl-changed");
        }),
      );
      pooledHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output"));
      counts.pooled.textContent = "none (no output)";
      sum.textContent = "";
      return;
    }
    message.show("");
    const [oh, ow] = [r.pooled.length, r.pooled[0].length];
    player.show(r.row * ow + r.col, oh, ow);
    counts.pooled.textContent = `${r.changed[2]} of ${oh * ow}`;

    const padded = full(fh + 2 * p, fw + 2 * p, mode === "max" ? -Infinity : 0);
    r.feature.forEach((row, i) => row.forEach((v, j) => (padded[i + p][j + p] = v)));
    const inWindow = new Set(r.window.map(([a, b]) => `${a},${b}`));
    redraw(
      featureHolder,
      matrixTable(padded, p ? "Edge map, padded" : "Edge map", (a, b, td) => {
        const [i, j] = [a - p, b - p];
        const pad = i < 0 || i >= fh || j < 0 || j >= fw;
        if (pad) {
          td.classList.add("cl-pad");
          if (mode === "max") td.textContent = "−∞";
        } else if (isChangedFeature(i, j)) td.classList.add("cl-changed");
        if (inWindow.has(`${a},${b}`)) td.classList.add("cl-on");
      }),
    );
    redraw(
      pooledHolder,
      matrixTable(r.pooled, "Pooled P", (i, j, td) => {
        player.cell(i, j, td);
        if (r.pooled[i][j] !== base.pooled[i][j]) td.classList.add("cl-changed");
      }),
    );
    sum.textContent = r.text;
  }

  const traits = ["position", "mode", ...SETTINGS.map(([trait]) => trait)];
  const unsubscribe = onChanges(model, traits, draw);
  return () => {
    player.stop();
    unsubscribe();
  };
}

export default { render };
