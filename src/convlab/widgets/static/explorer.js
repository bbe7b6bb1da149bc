// explorer.js: the convolution explorer. Input and kernel size, padding, stride
// and dilation per axis; the padded input, the (dilated) kernel and the output;
// one output cell's window and sum; the output-size formula; the nn.Conv2d call.
// Uses convmath.js and ui.js, which are bundled in front of this file.

const PLAY_MS = 700;
// The settings, as traits `${key}_h` / `${key}_w`: [key, slider name, min, max].
const SETTINGS = [
  ["n", "Input", 1, 12],
  ["k", "Kernel", 1, 7],
  ["p", "Padding", 0, 4],
  ["s", "Stride", 1, 4],
  ["d", "Dilation", 1, 4],
];
const INPUT_MODULO = 10;
const KERNEL_MODULO = 4;

function render({ model, el }) {
  const pair = (key) => [model.get(`${key}_h`), model.get(`${key}_w`)];

  // --- controls ---------------------------------------------------------
  const message = problemBox();
  const setMessage = message.show;
  const sliders = {};
  const axes = h("div", { class: "cl-controls cl-axes" });
  for (const [key, name, min, max] of SETTINGS) {
    for (const [axis, word] of [
      ["h", "height"],
      ["w", "width"],
    ]) {
      const trait = `${key}_${axis}`;
      sliders[trait] = slider(`${name} ${word}`, { min, max, value: model.get(trait) }, (v) => {
        player.stop();
        commit(model, { [trait]: v });
      });
      axes.append(sliders[trait].el);
    }
  }

  const cells = () => {
    const [n, k, s, p, d] = ["n", "k", "s", "p", "d"].map(pair);
    if (conv2dProblem(n, k, p, d)) return 0;
    return outputSize(n[0], k[0], s[0], p[0], d[0]) * outputSize(n[1], k[1], s[1], p[1], d[1]);
  };
  const player = windowStepper(model, cells, PLAY_MS);

  // --- the stage: padded X ⋆ K = Y, then the sum, formulas and the layer ----
  const inputHolder = h("div", { class: "cl-scroll" });
  const kernelHolder = h("div", { class: "cl-kernels" });
  const outputHolder = h("div", { class: "cl-output cl-scroll" });
  const sum = h("p", { class: "cl-sum", "aria-live": "polite" });
  const formulas = [h("p", { class: "cl-formula" }), h("p", { class: "cl-formula" })];
  const call = h("code", { class: "cl-call" });
  const swatch = (cls) => h("span", { class: `cl-swatch ${cls}`, "aria-hidden": "true" });

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-explorer" },
      axes,
      player.el,
      h(
        "div",
        { class: "cl-stage" },
        inputHolder,
        h("span", { class: "cl-op", "aria-hidden": "true" }, "⋆"),
        kernelHolder,
        h("span", { class: "cl-op", "aria-hidden": "true" }, "="),
        outputHolder,
      ),
      h(
        "p",
        { class: "cl-legend" },
        h("span", {}, swatch("cl-pad"), "padding (zeros)"),
        h("span", {}, swatch("cl-on"), "the window's taps"),
        h("span", {}, swatch("cl-span"), "gaps inside a dilated window"),
        h("span", {}, swatch("cl-unread"), "input that no window reads"),
      ),
      sum,
      message.el,
      h("div", { class: "cl-formulas" }, ...formulas),
      h("p", { class: "cl-layer" }, "The same layer in PyTorch: ", call),
      h(
        "p",
        { class: "cl-hint" },
        "Padding is per side, as in PyTorch: padding height 1 adds a row of zeros at the top " +
          "and one at the bottom. Hover an output cell to see its window.",
      ),
    ),
  );

  // --- redraw from the model ---------------------------------------------
  let drawnSizes = null;
  let Y = null; // the output for the drawn sizes
  let unread = null; // input cells that no window reads, as "row,col"
  let tablesFor = null; // the sizes the input and output tables on the page show
  function draw() {
    const [n, k, s, p, d] = ["n", "k", "s", "p", "d"].map(pair);
    for (const [trait, control] of Object.entries(sliders)) control.set(model.get(trait));
    const X = patternGrid(n[0], n[1], INPUT_MODULO);
    const K = patternGrid(k[0], k[1], KERNEL_MODULO);
    const Xp = pad2d(X, p[0], p[1]);
    const isPad = (r, c) => r < p[0] || r >= p[0] + n[0] || c < p[1] || c >= p[1] + n[1];
    const span = [d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1];
    // The kernel, the formulas and the call depend on the sizes only: moving the
    // window leaves them as they are (rebuilding them costs a frame's time).
    const sizes = [n, k, s, p, d].join(";");
    if (sizes !== drawnSizes) {
      drawnSizes = sizes;
      formulas[0].textContent = sizeFormula("height", n[0], k[0], s[0], p[0], d[0]);
      formulas[1].textContent = sizeFormula("width", n[1], k[1], s[1], p[1], d[1]);
      call.textContent = conv2dCall(k, s, p, d);
      const dilated = d[0] > 1 || d[1] > 1;
      const footprint = full(span[0], span[1]);
      K.forEach((row, a) => row.forEach((v, b) => (footprint[a * d[0]][b * d[1]] = v)));
      const isTap = (r, c) => r % d[0] === 0 && c % d[1] === 0;
      const markTap = (r, c, td) => td.classList.add(isTap(r, c) ? "cl-on" : "cl-gap");
      kernelHolder.replaceChildren(
        matrixTable(K, "Kernel K", (r, c, td) => td.classList.add("cl-on")),
        dilated ? matrixTable(footprint, "Dilated kernel", markTap) : "",
      );
      const fits = !conv2dProblem(n, k, p, d);
      Y = fits ? correlate2d(X, K, { stride: s, padding: p, dilation: d }) : null;
      const cells = fits ? unreadCells(n, k, s, p, d) : [];
      unread = new Set(cells.map(([r, c]) => `${r + p[0]},${c + p[1]}`));
    }

    const problem = conv2dProblem(n, k, p, d);
    if (problem) {
      player.disable();
      setMessage(problem);
      redraw(
        inputHolder,
        matrixTable(Xp, "Padded input", (r, c, td) => isPad(r, c) && td.classList.add("cl-pad")),
      );
      outputHolder.replaceChildren(h("p", { class: "cl-empty" }, "No output"));
      tablesFor = null;
      sum.textContent = "";
      return;
    }
    setMessage("");
    const [oh, ow] = [Y.length, Y[0].length];
    const at = Math.min(model.get("position"), oh * ow - 1);
    const [i, j] = [Math.floor(at / ow), at % ow];
    player.show(at, oh, ow);

    const terms = windowTerms(Xp, K, i, j, s, d);
    const taps = new Set(terms.map((t) => `${t.row},${t.col}`));
    const top = i * s[0];
    const left = j * s[1];
    const inSpan = (r, c) => r >= top && r < top + span[0] && c >= left && c < left + span[1];
    const markWindow = (r, c, td) => {
      const tap = taps.has(`${r},${c}`);
      td.classList.toggle("cl-on", tap);
      td.classList.toggle("cl-span", !tap && inSpan(r, c));
    };
    if (sizes === tablesFor) {
      // Only the window moved: mark its cells in the tables already on the page.
      eachCell(inputHolder, markWindow);
      eachCell(outputHolder, player.mark);
    } else {
      tablesFor = sizes;
      redraw(
        inputHolder,
        matrixTable(Xp, "Padded input", (r, c, td) => {
          if (isPad(r, c)) td.classList.add("cl-pad");
          if (unread.has(`${r},${c}`)) td.classList.add("cl-unread");
          markWindow(r, c, td);
        }),
      );
      redraw(outputHolder, matrixTable(Y, "Output Y", player.cell));
    }
    setText(sum, `Y[${i}, ${j}] = ${spelledSum(terms)}`);
  }

  const traits = ["position", ...SETTINGS.flatMap(([key]) => [`${key}_h`, `${key}_w`])];
  const unsubscribe = onChanges(model, traits, draw);
  return () => {
    player.stop();
    unsubscribe();
  };
}

export default { render };
