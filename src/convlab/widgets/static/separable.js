// separable.js: what a standard, a grouped and a depthwise-separable convolution
// cost. Bars of multiply-adds and weights, the ratio 1/n + 1/k² with the numbers
// filled in, and a groups slider that only offers the divisors of gcd(m, n).
// Uses convmath.js, ui.js and svgplot.js, which are bundled in front of this file.

// The slider stops (the same lists as convlab.widgets.separable).
const CHANNELS = [1, 2, 3, 4, 6, 8, 10, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512];
const SIZES = [1, 3, 7, 14, 28, 56, 112, 126, 224];
const MAX_KERNEL = 7;

/** A slider over a list of values that shows the value, not its index. */
function listSlider(label, values, value, onPick) {
  const nearest = (v) =>
    values.reduce((best, s, i) => (Math.abs(Math.log(s / v)) < Math.abs(Math.log(values[best] / v)) ? i : best), 0);
  const base = slider(label, { min: 0, max: values.length - 1, value: nearest(value) }, (i) => {
    out.textContent = String(values[i]);
    onPick(values[i]);
  });
  const out = base.el.querySelector("output");
  const set = (v) => {
    base.set(nearest(v));
    out.textContent = String(v);
    base.input.setAttribute("aria-valuetext", String(v));
  };
  return { el: base.el, input: base.input, set };
}

/** One bar: a label, a track with one or two segments, and the number as text. */
function barRow(key, name) {
  const label = h("span", { class: "cl-bar-label", "data-cell": `${key}-label` }, name);
  const track = h("span", { class: "cl-bar-track", "aria-hidden": "true" });
  const value = h("span", { class: "cl-bar-value", "data-cell": key });
  const el = h("div", { class: "cl-bar-row" }, label, track, value);
  /** `parts` are [value, class] pairs drawn end to end, scaled so that `max` fills the track. */
  const show = (parts, max, text) => {
    track.replaceChildren(
      ...parts.map(([v, cls]) => h("span", { class: `cl-bar ${cls}`, style: `width: ${(100 * v) / max}%` })),
    );
    value.textContent = text;
  };
  return { el, label, show };
}

function render({ model, el }) {
  const get = () => ({
    m: model.get("in_channels"),
    n: model.get("out_channels"),
    k: model.get("kernel"),
    size: model.get("size"),
    groups: model.get("groups"),
  });

  // --- controls ---------------------------------------------------------
  const m = listSlider("Input channels m", CHANNELS, get().m, (v) => commit(model, { in_channels: v }));
  const n = listSlider("Output channels n", CHANNELS, get().n, (v) => commit(model, { out_channels: v }));
  const k = slider("Kernel size k", { min: 1, max: MAX_KERNEL, value: get().k }, (v) => commit(model, { kernel: v }));
  const size = listSlider("Output size h′ = w′", SIZES, get().size, (v) => commit(model, { size: v }));
  // The groups slider runs over the valid values only: its positions are indices.
  const groups = slider("Groups", { min: 0, max: 0, value: 0 }, (i) => {
    const { m: mm, n: nn } = get();
    commit(model, { groups: validGroups(mm, nn)[i] });
    draw(); // the slider wrote its index; an unchanged trait would not redraw
  });
  const groupsOut = groups.el.querySelector("output");
  const rule = h("p", { class: "cl-hint cl-rule", "data-cell": "groups-rule" });
  const message = problemBox();

  // --- the bars ---------------------------------------------------------
  const macs = { standard: barRow("std-macs", "standard"), grouped: barRow("grp-macs", ""), separable: barRow("sep-macs", "depthwise + pointwise") };
  const params = { standard: barRow("std-params", "standard"), grouped: barRow("grp-params", ""), separable: barRow("sep-params", "depthwise + pointwise") };
  const split = (key) => h("p", { class: "cl-split", "data-cell": key });
  const macsSplit = split("sep-macs-split");
  const paramsSplit = split("sep-params-split");
  const block = (title, rows, note) =>
    h("div", { class: "cl-bar-block" }, h("h4", {}, title), rows.standard.el, rows.grouped.el, rows.separable.el, note);
  const legend = h(
    "p",
    { class: "cl-hint cl-legend" },
    h("span", { class: "cl-swatch cl-dw" }),
    " depthwise (k × k, one kernel per input channel)  ",
    h("span", { class: "cl-swatch cl-pw" }),
    " pointwise (1 × 1, m → n)",
  );
  const ratio = h("p", { class: "cl-filled cl-ratio" }, "depthwise-separable ÷ standard: ", h("span", { "data-cell": "ratio" }));
  const formulas = ["std-formula", "sep-formula", "grp-formula"].map((key) => h("p", { class: "cl-filled", "data-cell": key }));

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-separable" },
      h("div", { class: "cl-controls" }, m.el, n.el, k.el, size.el, groups.el),
      rule,
      message.el,
      block("Multiply-adds for one image", macs, macsSplit),
      block("Weights (biases not counted)", params, paramsSplit),
      legend,
      ratio,
      ...formulas,
    ),
  );

  // --- redraw from the model ---------------------------------------------
  function draw() {
    const { m: mm, n: nn, k: kk, size: s, groups: g } = get();
    m.set(mm);
    n.set(nn);
    k.set(kk);
    size.set(s);

    const valid = validGroups(mm, nn);
    const at = valid.indexOf(g);
    const problem = groupsProblem(mm, nn, g);
    // An invalid groups (m or n moved under it) sits at the largest valid value below it.
    const shownAt = at >= 0 ? at : valid.filter((v) => v < g).length - 1;
    groups.set(Math.max(0, shownAt), 0, valid.length - 1);
    groupsOut.textContent = problem ? `${g} ✗` : `${g} (${groupsKind(mm, g)})`;
    groups.input.setAttribute("aria-valuetext", groupsOut.textContent);
    rule.textContent = groupsRule(mm, nn);
    message.show(problem);

    const c = separableCosts(mm, nn, kk, s, g);
    const kind = problem ? "grouped" : groupsKind(mm, g);
    const groupedName = `groups = ${g}${problem ? "" : ` (${kind})`}`;
    const show = (rows, std, grp, dw, pw) => {
      const max = Math.max(std, dw + pw);
      rows.standard.show([[std, "cl-std"]], max, groupDigits(std));
      rows.grouped.label.textContent = groupedName;
      if (grp === null) rows.grouped.show([], max, "—");
      else rows.grouped.show([[grp, "cl-grp"]], max, groupDigits(grp));
      rows.separable.show([[dw, "cl-dw"], [pw, "cl-pw"]], max, groupDigits(dw + pw));
    };
    show(macs, c.standardMacs, c.groupedMacs, c.depthwiseMacs, c.pointwiseMacs);
    show(params, c.standardParams, c.groupedParams, c.depthwiseParams, c.pointwiseParams);
    macsSplit.textContent = `= depthwise ${groupDigits(c.depthwiseMacs)} + pointwise ${groupDigits(c.pointwiseMacs)}`;
    paramsSplit.textContent = `= depthwise ${groupDigits(c.depthwiseParams)} + pointwise ${groupDigits(c.pointwiseParams)}`;
    ratio.lastChild.textContent = separableRatioText(nn, kk);

    const [std, sep, grp] = formulas;
    const hw = `${s}·${s}`;
    std.textContent = `standard: k·k·m·n·h′·w′ = ${kk}·${kk}·${mm}·${nn}·${hw} = ${groupDigits(c.standardMacs)}`;
    sep.textContent =
      `depthwise-separable: k·k·m·h′·w′ + m·n·h′·w′ = ${kk}·${kk}·${mm}·${hw} + ${mm}·${nn}·${hw} = ` +
      `${groupDigits(c.separableMacs)}`;
    grp.textContent = problem
      ? `grouped: groups = ${g} does not fit ${mm} → ${nn} channels`
      : `grouped: k·k·(m/groups)·n·h′·w′ = ${kk}·${kk}·(${mm}/${g})·${nn}·${hw} = ${groupDigits(c.groupedMacs)}, ` +
        (g === 1 ? "the standard convolution itself" : `1/${g} of standard`);
  }

  const unsubscribe = onChanges(model, ["in_channels", "out_channels", "kernel", "size", "groups"], draw);
  return unsubscribe;
}

export default { render };
