// stepper.js: the cross-correlation stepper. Slide a kernel over an input one
// window at a time and see each output cell's sum spelled out.
// Uses convmath.js and ui.js, which are bundled in front of this file.

const MAX_INPUT = 8;
const MAX_KERNEL = 5;
const PLAY_MS = 800;

function render({ model, el }) {
  const get = () => ({
    X: model.get("X"),
    K: model.get("K"),
    position: model.get("position"),
    mode: model.get("mode"),
  });

  // --- controls ---------------------------------------------------------
  const message = problemBox();
  const setMessage = message.show;
  const resize = (which, rows, cols) => {
    player.stop();
    const M = model.get(which);
    commit(model, { [which]: resized(M, rows ?? M.length, cols ?? M[0].length) });
  };
  const xRows = slider("Input rows", { min: 1, max: MAX_INPUT, value: 3 }, (v) => resize("X", v, null));
  const xCols = slider("Input columns", { min: 1, max: MAX_INPUT, value: 3 }, (v) => resize("X", null, v));
  const kRows = slider("Kernel rows", { min: 1, max: MAX_KERNEL, value: 2 }, (v) => resize("K", v, null));
  const kCols = slider("Kernel columns", { min: 1, max: MAX_KERNEL, value: 2 }, (v) => resize("K", null, v));

  const modeName = `cl-mode-${Math.random().toString(36).slice(2)}`;
  const modeInputs = {};
  const modeField = h(
    "fieldset",
    { class: "cl-mode" },
    h("legend", {}, "Operation"),
    ...[
      ["correlation", "cross-correlation"],
      ["convolution", "convolution (kernel flipped)"],
    ].map(([value, text]) => {
      const input = h("input", { type: "radio", name: modeName, value });
      input.addEventListener("change", () => commit(model, { mode: value }));
      modeInputs[value] = input;
      return h("label", {}, input, ` ${text}`);
    }),
  );

  const cells = () => {
    const { X, K } = get();
    if (sizeProblem(X.length, X[0].length, K.length, K[0].length)) return 0;
    return (X.length - K.length + 1) * (X[0].length - K[0].length + 1);
  };
  const player = windowStepper(model, cells, PLAY_MS);

  // --- the stage: X ⋆ K = Y ---------------------------------------------
  const xTable = editableMatrix("Input X", "X", (i, j, v) => edit("X", i, j, v), setMessage);
  const kTable = editableMatrix("Kernel K", "K", (i, j, v) => edit("K", i, j, v), setMessage);
  const flippedHolder = h("div", { class: "cl-flipped" });
  const operator = h("span", { class: "cl-op", "aria-hidden": "true" });
  const outputHolder = h("div", { class: "cl-output" });
  const sum = h("p", { class: "cl-sum", "aria-live": "polite" });
  function edit(which, i, j, v) {
    setMessage("");
    const M = model.get(which).map((row) => row.slice());
    M[i][j] = v;
    commit(model, { [which]: M });
  }

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-stepper" },
      h("div", { class: "cl-controls" }, xRows.el, xCols.el, kRows.el, kCols.el),
      modeField,
      player.el,
      h(
        "div",
        { class: "cl-stage" },
        xTable.el,
        operator,
        h("div", { class: "cl-kernels" }, kTable.el, flippedHolder),
        h("span", { class: "cl-op", "aria-hidden": "true" }, "="),
        outputHolder,
      ),
      sum,
      message.el,
      h("p", { class: "cl-hint" }, "Type in X or K to change a number. Hover an output cell to move the window there."),
    ),
  );

  // --- redraw from the model ---------------------------------------------
  function draw() {
    const { X, K, mode } = get();
    const [nh, nw, kh, kw] = [X.length, X[0].length, K.length, K[0].length];
    xRows.set(nh);
    xCols.set(nw);
    kRows.set(kh);
    kCols.set(kw);
    modeInputs[mode].checked = true;
    const applied = mode === "convolution" ? flip2d(K) : K;
    operator.textContent = mode === "convolution" ? "∗" : "⋆";
    const problem = sizeProblem(nh, nw, kh, kw);
    if (problem) {
      player.disable();
      setMessage(problem);
      xTable.update(X);
      kTable.update(K);
      flippedHolder.replaceChildren();
      outputHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output"));
      sum.textContent = "";
      return;
    }
    if (message.el.textContent.startsWith("The kernel has")) setMessage("");
    const oh = nh - kh + 1;
    const ow = nw - kw + 1;
    const p = Math.min(get().position, oh * ow - 1);
    const [i, j] = [Math.floor(p / ow), p % ow];
    player.show(p, oh, ow);

    const inWindow = (r, c) => r >= i && r < i + kh && c >= j && c < j + kw;
    xTable.update(X, (r, c, td) => td.classList.toggle("cl-on", inWindow(r, c)));
    kTable.update(K, (r, c, td) => td.classList.toggle("cl-on", mode === "correlation"));
    flippedHolder.replaceChildren(
      mode === "convolution" ? matrixTable(applied, "K flipped", (r, c, td) => td.classList.add("cl-on")) : "",
    );
    const Y = mode === "convolution" ? convolve2d(X, K) : corr2d(X, K);
    outputHolder.replaceChildren(
      matrixTable(Y, "Output Y", player.cell),
    );
    sum.textContent = `Y[${i}, ${j}] = ${spelledSum(windowTerms(X, applied, i, j))}`;
  }

  const unsubscribe = onChanges(model, ["X", "K", "position", "mode"], draw);
  return () => {
    player.stop();
    unsubscribe();
  };
}

export default { render };
