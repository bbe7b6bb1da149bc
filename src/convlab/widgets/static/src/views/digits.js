// The digit drawer (chapter 10): the reader draws on a 32 × 32 pad (mouse, pen or
// finger) or starts from a test digit; the page makes the data set's 8 × 8 image of
// the drawing, runs the network's forward pass and draws every layer's maps and the
// ten probabilities. A stroke inks the pad at once and asks for one redraw per
// animation frame, however many pointer events the frame brings.

import { SCAN, SIZE } from "../digits.js";
import { decodeNetwork } from "../network.js";
import { slider } from "../ui/controls.js";
import { h, setText } from "../ui/dom.js";
import { commit, limitsOf, onChanges } from "../ui/model.js";
import {
  bitmapRows,
  decodeDigits,
  digitBitmap,
  inkLine,
  parseBitmap,
  readDigit,
} from "../widgets/digits.js";
import { formatNumber } from "../widgets/text.js";

const PAD_PX = 224; // CSS pixels of the drawing pad (7 per pixel of the 32 × 32 drawing)
const SEEN_PX = 112; // CSS pixels of the 8 × 8 image
const ZOOM = 4; // CSS pixels per canvas pixel of the layers' pictures
const MAP_PX = 8; // canvas pixels a feature map is drawn in, whatever its size (32 CSS px)
const PER_ROW = 16; // maps in a row
const STRIP = 144; // canvas pixels of a vector's strip
const GUTTER = 0; // between the maps: transparent, the canvas's CSS background shows
const BAR_W = 200; // canvas pixels of a probability bar at 100 %
const INK_RGB = [27, 31, 36];
const WORDS = {
  conv: "convolution",
  max: "max pooling",
  mean: "average pooling",
  relu: "ReLU",
  flatten: "flatten",
  linear: "linear",
};

/** 256 colours from blue (−scale) through white (0) to red (+scale), as RGBA words. */
const PALETTE = (() => {
  const [blue, red] = [
    [33, 102, 172],
    [178, 24, 43],
  ];
  const words = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    const t = (n - 127.5) / 127.5;
    const end = t < 0 ? blue : red;
    const a = Math.abs(t);
    const [r, g, b] = end.map((c) => Math.round(255 + (c - 255) * a));
    words[n] = (255 << 24) | (b << 16) | (g << 8) | r;
  }
  return words;
})();

/** The palette's colour for v on a scale ±scale. */
function colour(v, scale) {
  const n = Math.round(((v / scale + 1) * 255) / 2);
  return PALETTE[n < 0 ? 0 : n > 255 ? 255 : Number.isNaN(n) ? 128 : n];
}

/** A number as the page prints it, with a typographic minus sign. */
const show = (v) => formatNumber(v).replace("-", "−");

/** What a layer does, in words: "convolution 3×3, padding 1 → 16 maps 8×8". */
function describe(layer) {
  const [c, rows, cols] = layer.shape;
  const maps = layer.shape.length === 3 ? `${c} maps ${rows}×${cols}` : `${c} numbers`;
  if (layer.kind === "conv") {
    const [kh, kw] = layer.kernel;
    const parts = [`${kh}×${kw}`];
    if (layer.padding.some((p) => p)) parts.push(`padding ${layer.padding[0]}`);
    if (layer.stride.some((s) => s > 1)) parts.push(`stride ${layer.stride[0]}`);
    if (layer.groups > 1) parts.push(`${layer.groups} groups`);
    return `convolution ${parts.join(", ")} → ${maps}`;
  }
  if (layer.kind === "max" || layer.kind === "mean") {
    return `${WORDS[layer.kind]} ${layer.kernel.join("×")} → ${maps}`;
  }
  if (layer.kind === "linear" && layer.last) return `linear → ${c} scores, one per digit`;
  return `${WORDS[layer.kind]} → ${maps}`;
}

/**
 * A layer's picture: one small canvas holding all its maps, PER_ROW to a row, each
 * map MAP_PX canvas pixels wide whatever its number of cells (cells of MAP_PX / n
 * pixels), one pixel of gutter between maps, the whole scaled up ZOOM times by CSS
 * with sharp pixels; a vector is a strip of cells. Few pixels to write and to send to
 * the screen on every frame. `paint(values)` redraws the maps on a scale ±(largest
 * |value|) and returns that scale.
 */
function layerPicture(layer) {
  const vector = layer.shape.length === 1;
  const [c, rows, cols] = vector ? [1, 1, layer.shape[0]] : layer.shape;
  const cellW = vector
    ? Math.max(1, Math.min(MAP_PX, Math.floor(STRIP / cols)))
    : Math.max(1, Math.floor(MAP_PX / Math.max(rows, cols)));
  const cellH = vector ? Math.max(1, MAP_PX >> 1) : cellW;
  const [mapW, mapH] = [cols * cellW, rows * cellH];
  const across = Math.min(c, PER_ROW);
  const down = Math.ceil(c / PER_ROW);
  const width = across * (mapW + 1) + 1; // a pixel of gutter around every map
  const height = down * (mapH + 1) + 1;
  const canvas = h("canvas", { width, height, "aria-hidden": "true" });
  canvas.style.width = `${width * ZOOM}px`;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  const pixels = new Uint32Array(image.data.buffer).fill(GUTTER);
  // For every pixel of every map: where it is on the canvas and which value it shows.
  const at = new Int32Array(c * mapW * mapH);
  const which = new Int32Array(at.length);
  let k = 0;
  for (let m = 0; m < c; m++) {
    const x0 = 1 + (m % PER_ROW) * (mapW + 1);
    const y0 = 1 + Math.floor(m / PER_ROW) * (mapH + 1);
    for (let y = 0; y < mapH; y++) {
      for (let x = 0; x < mapW; x++, k++) {
        at[k] = (y0 + y) * width + x0 + x;
        which[k] = (m * rows + Math.floor(y / cellH)) * cols + Math.floor(x / cellW);
      }
    }
  }
  const words = new Uint32Array(c * rows * cols);
  function paint(values) {
    let scale = 0;
    for (const v of values) scale = Math.max(scale, Math.abs(v));
    const s = scale || 1;
    for (let n = 0; n < values.length; n++) words[n] = colour(values[n], s);
    for (let j = 0; j < at.length; j++) pixels[at[j]] = words[which[j]];
    context.putImageData(image, 0, 0);
    return scale;
  }
  return { canvas, paint };
}

/** One row of the network: the layer's name and what it does, its range, its maps. */
function layerRow(layer) {
  const picture = layerPicture(layer);
  const range = h("span", { class: "cl-range", "data-cell": `range-${layer.name}` });
  const label = `${layer.name}: ${describe(layer)}`;
  const el = h(
    "div",
    { class: "cl-layer-row", role: "img", "aria-label": label, "data-layer": layer.name },
    h(
      "div",
      { class: "cl-layer-name" },
      h("strong", {}, layer.name),
      h("span", {}, describe(layer)),
      range,
    ),
    h("div", { class: "cl-layer-maps" }, picture.canvas),
  );
  return { el, layer, range, paint: picture.paint };
}

/** The probabilities as a table: one row per digit, a bar and the value. */
function probabilityTable() {
  const rows = [];
  const body = h("tbody");
  for (let d = 0; d < 10; d++) {
    // The bar is drawn on a canvas: changing a canvas's pixels restyles and lays out
    // nothing, where a style changed beside a changed text lays out the whole page.
    const bar = h("canvas", { class: "cl-pbar", width: BAR_W, height: 1, "aria-hidden": "true" });
    // The percentage sits in a box of fixed size (contain: strict), so that its text,
    // rewritten on every frame of a stroke, makes the browser lay out that box alone.
    const shown = h("span", { class: "cl-pv" });
    const value = h("td", { class: "cl-p" }, shown);
    const tr = h(
      "tr",
      { "data-digit": d },
      h("th", { scope: "row" }, String(d)),
      h("td", { class: "cl-bar-cell" }, bar),
      value,
    );
    const context = bar.getContext("2d");
    rows.push({ tr, bar, context, value, shown, text: "", width: -1, top: false, p: 0 });
    body.append(tr);
  }
  const table = h(
    "table",
    { class: "cl-probs" },
    h("caption", {}, "Probability of each digit"),
    body,
  );
  return { table, rows, colours: { bar: "#bbb", top: "#2f6fb3" } };
}

/** Read the page's colours for the bars (its theme may have changed). */
function barColours(probs) {
  const style = getComputedStyle(probs.table);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  probs.colours = { bar: read("--cl-border", "#bbb"), top: read("--cl-accent", "#2f6fb3") };
}

/**
 * Write the probabilities: each bar, each value (in %), the top row marked. While the
 * pen draws (`exact` false) only texts and canvas pixels change; the full-precision
 * values (data-value, for tests) are written when it is lifted.
 */
function showProbabilities(probs, probabilities, digit, exact) {
  probs.rows.forEach((row, d) => {
    const p = probabilities[d];
    row.p = p;
    const text = `${(100 * p).toFixed(1)} %`;
    if (row.text !== text) {
      row.text = text;
      setText(row.shown, text);
    }
    const top = d === digit;
    const width = Math.round(p * BAR_W);
    if (row.width !== width || row.top !== top) {
      row.width = width;
      row.context.clearRect(0, 0, BAR_W, 1);
      row.context.fillStyle = top ? probs.colours.top : probs.colours.bar;
      row.context.fillRect(0, 0, width, 1);
    }
    if (row.top !== top) {
      row.top = top;
      row.tr.classList.toggle("cl-top", top);
    }
    if (exact) row.value.dataset.value = String(p);
  });
}

/** A canvas of `rows` × `cols` pixels drawn `px` CSS pixels wide, pixels kept sharp. */
function pixelCanvas(cols, rows, px, attrs) {
  const canvas = h("canvas", { width: cols, height: rows, ...attrs });
  canvas.style.width = `${px}px`;
  canvas.style.height = `${px}px`;
  return canvas;
}

/** 257 shades from paper (0 ink) to ink (1), as RGBA words: ink a, shade round(256·a). */
const GREYS = Uint32Array.from({ length: 257 }, (_, n) => {
  const [r, g, b] = INK_RGB.map((c) => Math.round(255 + ((c - 255) * n) / 256));
  return (255 << 24) | (b << 16) | (g << 8) | r;
});

/** Grey levels (0–1 of ink) on a canvas, through a reused ImageData. */
function greyPainter(canvas) {
  const context = canvas.getContext("2d");
  const image = context.createImageData(canvas.width, canvas.height);
  const pixels = new Uint32Array(image.data.buffer);
  return (values) => {
    for (let i = 0; i < values.length; i++) pixels[i] = GREYS[Math.round(256 * values[i])];
    context.putImageData(image, 0, 0);
  };
}

function render({ model, el }) {
  const parts = {
    network: null,
    digits: [],
    bitmap: parseBitmap(model.get("bitmap")),
    rowsKey: model.get("bitmap").join(""),
    image: null,
    pending: false,
    drawing: null, // { id, x, y, rect } while the pen is down
  };
  const pad = pixelCanvas(SCAN, SCAN, PAD_PX, {
    class: "cl-pad",
    role: "img",
    "aria-label":
      "Drawing pad, 32 by 32 pixels: draw a digit with the mouse, a pen or a finger " +
      "(or start from a test digit below)",
  });
  const seen = pixelCanvas(SIZE, SIZE, SEEN_PX, {
    class: "cl-seen",
    role: "img",
    "aria-label": "The drawing as the network sees it: 8 by 8 pixels",
  });
  const paintPad = greyPainter(pad);
  const paintSeen = greyPainter(seen);
  const probs = probabilityTable();
  const verdict = h("p", { class: "cl-verdict", "aria-live": "polite", "data-cell": "verdict" });
  const ink = h("span", { "data-cell": "ink" });
  const clear = h("button", { type: "button", class: "cl-clear" }, "Clear");
  const pen = slider("Pen width", { ...limitsOf(model, "pen"), value: model.get("pen") }, (v) =>
    commit(model, { pen: v }),
  );
  const picks = h("div", {
    class: "cl-buttons cl-picks",
    role: "group",
    "aria-label": "Test digits to start from",
  });
  const picksBox = h(
    "div",
    { class: "cl-picks-box" },
    h(
      "span",
      {
        class: "cl-picks-label",
        title: "Each grey pixel is drawn as that many inked pixels of its block",
      },
      "Start from a test digit:",
    ),
    picks,
  );
  const layers = h("div", { class: "cl-layers" });
  const rows = [];

  const frame = h(
    "div",
    { class: "cl-digits" },
    h(
      "div",
      { class: "cl-digits-top" },
      h(
        "figure",
        { class: "cl-pad-box" },
        h("figcaption", {}, "Draw a digit, large (32×32)"),
        h("div", { class: "cl-pad-frame" }, pad, h("div", { class: "cl-pad-grid" })),
        h("div", { class: "cl-controls" }, clear, pen.el),
      ),
      h(
        "figure",
        { class: "cl-seen-box" },
        h("figcaption", {}, "What the network reads (8×8)"),
        seen,
        h(
          "p",
          { class: "cl-hint" },
          "Each pixel: the share of ink in one 4×4 block of the pad (blue grid), as the " +
            "data set counts it. ",
          ink,
          ".",
        ),
      ),
      h("div", { class: "cl-probs-box" }, probs.table),
    ),
    picksBox,
    verdict,
    h("p", { class: "cl-layers-title" }, "Every layer's output"),
    layers,
    h(
      "p",
      { class: "cl-hint cl-legend" },
      h("span", { class: "cl-swatch-scale", "aria-hidden": "true" }),
      "Blue: negative, white: 0, red: positive, each layer on its own scale ±s (s: its " +
        "largest |value|, written under its name). Every map is drawn the same size, " +
        "whatever its number of cells.",
    ),
  );
  el.classList.add("cl-widget");
  el.append(frame);

  /** The network and its rows, built again when the network changes. */
  function build() {
    parts.network = decodeNetwork(model.get("network"));
    rows.length = 0;
    parts.network.layers[parts.network.layers.length - 1].last = true;
    for (const layer of parts.network.layers) {
      if (layer.kind !== "flatten") rows.push(layerRow(layer));
    }
    layers.replaceChildren(...rows.map((r) => r.el));
    parts.rowOf = Object.fromEntries(rows.map((r) => [r.layer.name, r]));
    parts.scales = {};
    parts.image = null;
  }

  /** The test digits' buttons. */
  function buildPicks() {
    parts.digits = decodeDigits(model.get("digits"));
    picks.replaceChildren(
      ...parts.digits.map(({ label, counts }, n) => {
        const known = label >= 0; // −1: a digit whose class is not known
        const name = known ? String(label) : `#${n + 1}`;
        const text = known ? `a test ${label}` : `test digit ${n + 1}`;
        const button = h("button", { type: "button", "aria-label": `Start from ${text}` }, name);
        button.addEventListener("click", () => load(digitBitmap(counts)));
        return button;
      }),
    );
  }

  /** Show a new drawing and send it to the kernel (if there is one). */
  function load(bitmap) {
    parts.bitmap = bitmap;
    send();
    draw();
  }

  function send() {
    const rowsNow = bitmapRows(parts.bitmap);
    parts.rowsKey = rowsNow.join("");
    commit(model, { bitmap: rowsNow });
  }

  /** Redraw everything that depends on the drawing; the network only if its input changed. */
  function draw() {
    paintPad(parts.bitmap);
    const result = readDigit(parts.network, parts.bitmap);
    if (!parts.image || result.image.some((v, i) => v !== parts.image[i])) {
      parts.image = result.image;
      paintSeen(result.image);
      for (const map of result.maps)
        parts.scales[map.name] = parts.rowOf[map.name]?.paint(map.values);
      showProbabilities(probs, result.probabilities, result.digit, !parts.drawing);
      parts.last = result;
    }
    if (!parts.drawing) describeDrawing();
  }

  /**
   * The texts that change with every move of the pen (the count of ink, each layer's
   * scale, the verdict): written when the pen is lifted, not while it draws, so that a
   * stroke's frames change no text but the probabilities and lay nothing out again.
   */
  function describeDrawing() {
    if (parts.last) {
      barColours(probs);
      for (const row of probs.rows) row.width = -1; // redrawn in the page's colours
      showProbabilities(probs, parts.last.probabilities, parts.last.digit, true);
    }
    let count = 0;
    for (const v of parts.bitmap) count += v;
    setText(ink, `Ink: ${count} of ${SCAN * SCAN} pixels`);
    for (const row of rows) {
      const scale = parts.scales[row.layer.name] ?? 0;
      setText(row.range, `scale ±${show(Number(scale.toPrecision(3)))}`);
    }
    say(parts.last);
  }

  function say(result) {
    const p = result.probabilities[result.digit];
    const empty = parts.bitmap.every((v) => v === 0) ? "The pad is empty; still, " : "";
    const reads = empty ? "the network reads" : "The network reads";
    setText(
      verdict,
      `${empty}${reads} a ${result.digit}, with probability ${(100 * p).toFixed(1)} %.`,
    );
  }

  function schedule() {
    if (parts.pending) return;
    parts.pending = true;
    requestAnimationFrame(() => {
      parts.pending = false;
      draw();
    });
  }

  /** The pointer's position in pixels of the 32 × 32 pad. */
  const at = (event, rect) => [
    ((event.clientX - rect.left) / rect.width) * SCAN,
    ((event.clientY - rect.top) / rect.height) * SCAN,
  ];

  pad.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    pad.setPointerCapture?.(event.pointerId);
    const rect = pad.getBoundingClientRect();
    const [x, y] = at(event, rect);
    parts.drawing = { id: event.pointerId, x, y, rect };
    inkLine(parts.bitmap, x, y, x, y, model.get("pen"));
    schedule();
  });
  pad.addEventListener("pointermove", (event) => {
    const stroke = parts.drawing;
    if (!stroke || event.pointerId !== stroke.id) return;
    const events = event.getCoalescedEvents?.() ?? [];
    for (const e of events.length ? events : [event]) {
      const [x, y] = at(e, stroke.rect);
      inkLine(parts.bitmap, stroke.x, stroke.y, x, y, model.get("pen"));
      [stroke.x, stroke.y] = [x, y];
    }
    schedule();
  });
  const end = (event) => {
    if (!parts.drawing || event.pointerId !== parts.drawing.id) return;
    parts.drawing = null;
    send();
    schedule();
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  clear.addEventListener("click", () => load(new Uint8Array(SCAN * SCAN)));

  const offNetwork = onChanges(model, ["network"], () => {
    build();
    draw();
  });
  const offDigits = onChanges(model, ["digits"], buildPicks);
  const offPen = onChanges(model, ["pen"], () => pen.set(model.get("pen")));
  const offBitmap = onChanges(model, ["bitmap"], () => {
    const rowsNow = model.get("bitmap");
    if (rowsNow.join("") === parts.rowsKey) return; // the view's own change
    parts.rowsKey = rowsNow.join("");
    parts.bitmap = parseBitmap(rowsNow);
    draw();
  });
  return () => {
    for (const off of [offNetwork, offDigits, offPen, offBitmap]) off();
  };
}

export default { render };
