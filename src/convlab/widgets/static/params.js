// params.js: the parameter counter. A dense layer against a convolutional layer
// as the image grows: a log-scale chart of both counts and a table of the numbers.
// Uses convmath.js, ui.js and svgplot.js, which are bundled in front of this file.

// The slider stops (the same lists as convlab.widgets.params).
const SIDES = [8, 16, 28, 32, 64, 96, 128, 224, 256, 512, 1000, 1024, 2048, 3464, 4096];
const UNITS = [1, 2, 4, 8, 10, 16, 32, 50, 64, 100, 128, 256, 512, 1000, 1024, 2048, 4096];
const MAX_CHANNELS = 4;
const MAX_KERNEL = 15;
const CHANNEL_NAMES = { 1: "grey", 3: "RGB", 4: "RGBA" };

/** A slider over a list of values (image sides, unit counts) that shows the value, not its index. */
function steppedSlider(label, values, value, onPick, show = String) {
  const nearest = (v) =>
    values.reduce((best, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(values[best] / v)) ? i : best), 0);
  const shown = (v) => {
    out.textContent = show(v);
    base.input.setAttribute("aria-valuetext", show(v));
  };
  const base = slider(label, { min: 0, max: values.length - 1, value: nearest(value) }, (i) => {
    shown(values[i]);
    onPick(values[i]);
  });
  const out = base.el.querySelector("output");
  const set = (v) => {
    base.set(nearest(v));
    shown(v);
  };
  return { el: base.el, input: base.input, set };
}

const SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/**
 * lineChart has no log-scale x axis, so the chart plots log2(side) and this
 * rewrites the tick labels: x ticks as sides (16, 64, …), y ticks as 10³, 10⁴, ….
 */
function relabelTicks(svg, height) {
  for (const text of svg.querySelectorAll(".cl-axes text")) {
    const anchor = text.getAttribute("text-anchor");
    if (anchor === "middle" && text.getAttribute("y") === String(height - 24)) {
      text.textContent = String(Math.round(2 ** Number(text.textContent)));
    } else if (anchor === "end") {
      const power = Math.round(Math.log10(Number(text.textContent)));
      text.textContent = `10${[...String(power)].map((d) => SUPERSCRIPTS[d]).join("")}`;
    }
  }
}

function render({ model, el }) {
  const get = () => ({
    side: model.get("side"),
    channels: model.get("channels"),
    hidden: model.get("hidden"),
    outChannels: model.get("out_channels"),
    kernel: model.get("kernel"),
  });

  // --- controls ---------------------------------------------------------
  const px = (v) => `${v} px`;
  const side = steppedSlider("Image side", SIDES, get().side, (v) => commit(model, { side: v }), px);
  const channels = slider("Colour channels", { min: 1, max: MAX_CHANNELS, value: get().channels }, (v) =>
    commit(model, { channels: v }),
  );
  const hidden = steppedSlider("Hidden units", UNITS, get().hidden, (v) => commit(model, { hidden: v }));
  const outChannels = steppedSlider("Output channels", UNITS, get().outChannels, (v) =>
    commit(model, { out_channels: v }),
  );
  const kernel = slider("Kernel size", { min: 1, max: MAX_KERNEL, value: get().kernel }, (v) =>
    commit(model, { kernel: v }),
  );
  const message = problemBox();

  // --- the numbers ------------------------------------------------------
  const cells = {};
  const row = (key, name) => {
    cells[key] = ["params", "memory"].map((part) => h("td", { "data-cell": `${key}-${part}` }));
    return h("tr", {}, h("th", { scope: "row" }, name), ...cells[key]);
  };
  const ratio = h("td", { "data-cell": "ratio", colspan: "2" });
  const table = h(
    "table",
    { class: "cl-counts" },
    h("caption", {}, "Parameters (weights + biases) and their float32 memory"),
    h(
      "thead",
      {},
      h("tr", {}, ...["layer", "parameters", "float32 memory"].map((c) => h("th", { scope: "col" }, c))),
    ),
    h("tbody", {}, row("dense", "dense"), row("conv", "convolutional"), h("tr", {}, h("th", { scope: "row" }, "dense ÷ conv"), ratio)),
  );
  const denseFormula = h("p", { class: "cl-filled", "data-cell": "dense-formula" });
  const convFormula = h("p", { class: "cl-filled", "data-cell": "conv-formula" });
  const chartHolder = h("div", { class: "cl-chart-holder" });
  const summary = h("p", { class: "cl-hint" });

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-params" },
      h("div", { class: "cl-controls" }, side.el, channels.el, hidden.el, outChannels.el, kernel.el),
      message.el,
      chartHolder,
      h("div", { class: "cl-table-scroll" }, table),
      denseFormula,
      convFormula,
      summary,
    ),
  );

  // --- redraw from the model ---------------------------------------------
  let width = CHART_WIDTH;
  function chart() {
    const { channels: c, hidden: units, outChannels: co, kernel: k, side: n } = get();
    const height = 260;
    const dense = SIDES.map((s) => [Math.log2(s), paramCounts(s, c, units, co, k).dense]);
    const conv = SIDES.filter((s) => s >= k).map((s) => [Math.log2(s), paramCounts(s, c, units, co, k).conv]);
    const logs = [...dense, ...conv].map((p) => Math.log10(p[1]));
    const [lo, hi] = [Math.min(...logs), Math.max(...logs)];
    // Whole decades, with room at the top for the legend.
    const yMin = 10 ** Math.floor(lo);
    const yMax = 10 ** Math.ceil(hi + 0.35 * Math.max(hi - lo, 1));
    const series = [
      { name: "dense layer", points: dense },
      { name: "convolutional layer", points: conv },
      { name: `this image (${n} px)`, points: [[Math.log2(n), yMin], [Math.log2(n), yMax]], dashed: true, width: 1.5, color: "#888" },
    ];
    const svg = lineChart(series, {
      width,
      height,
      logY: true,
      yMin,
      yMax,
      xLabel: "image side in pixels (log scale)",
      yLabel: "parameters",
      title: `Parameters against image side: the dense layer grows as the square of the side, the convolutional layer stays at ${
        conv.length ? groupDigits(conv[0][1]) : "no value"
      }`,
    });
    relabelTicks(svg, height);
    // The curves depend on these only: moving the image side moves just its marker.
    svg.dataset.shape = [c, units, co, k, width].join();
    redraw(chartHolder, svg);
  }

  function draw() {
    const { side: n, channels: c, hidden: units, outChannels: co, kernel: k } = get();
    side.set(n);
    channels.set(c);
    hidden.set(units);
    outChannels.set(co);
    kernel.set(k);
    channels.el.querySelector("output").textContent = CHANNEL_NAMES[c] ? `${c} (${CHANNEL_NAMES[c]})` : String(c);

    const counts = paramCounts(n, c, units, co, k);
    const problem = paramsProblem(n, k);
    message.show(problem);

    const [dp, dm] = cells.dense;
    dp.textContent = groupDigits(counts.dense);
    dm.textContent = formatBytes(counts.denseBytes);
    denseFormula.textContent = `dense: c·n²·H + H = ${c}·${n}²·${units} + ${units} = ${groupDigits(counts.dense)}`;
    const [cp, cm] = cells.conv;
    const convSum = `convolutional: cₒ·c·k² + cₒ = ${co}·${c}·${k}² + ${co}`;
    convFormula.textContent = problem ? `${convSum}, but the kernel does not fit` : `${convSum} = ${groupDigits(counts.conv)}`;
    if (problem) {
      cp.textContent = "—";
      cm.textContent = "—";
      ratio.textContent = "—";
      summary.textContent = "";
    } else {
      cp.textContent = groupDigits(counts.conv);
      cm.textContent = formatBytes(counts.convBytes);
      ratio.textContent = formatRatio(counts.dense, counts.conv);
      summary.textContent =
        `A ${n} × ${n} image with ${c} channel${c === 1 ? "" : "s"} holds ${groupDigits(counts.inputs)} numbers. ` +
        `The dense layer gives each of its ${units} hidden unit${units === 1 ? "" : "s"} a weight for every one of them; ` +
        `the convolutional layer only needs ${co} kernel${co === 1 ? "" : "s"} of ${c} × ${k} × ${k}, whatever the image size.`;
    }
    chart();
  }

  const unsubscribe = onChanges(model, ["side", "channels", "hidden", "out_channels", "kernel"], draw);
  const disconnect = onWidthChange(chartHolder, (w) => {
    width = w;
    chart();
  });
  return () => {
    disconnect();
    unsubscribe();
  };
}

export default { render };
