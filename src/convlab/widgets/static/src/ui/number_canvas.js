// A large table of numbers drawn on a <canvas>, for a view that changes a few of
// its cells on every move. As an HTML table of hundreds of cells, one move made the
// browser lay out and repaint the whole table (a 21 × 21 table: 6 ms a frame on a
// 2-core machine); on a canvas, a move repaints the cells that changed and nothing
// else. An HTML table of the same numbers and marks sits inside the canvas, as its
// fallback content: never drawn, but read by screen readers (and tests).

import { formatNumber } from "../widgets/text.js";
import { h, setText } from "./dom.js";
import { matrixTable } from "./tables.js";

const CELL_W = 28; // CSS pixels of a cell, borders included
const CELL_H = 24;

/** The same number in a cell: equal, or both NaN. */
function sameNumber(a, b) {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** The same marks (arrays of class names), in the same order. */
function sameMarks(a, b) {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Whether a cell's marks crop it (hatched, muted, dashed grid lines around it). */
function isCropped(marks) {
  return marks.includes("cl-crop");
}

/**
 * The colours and font the page's CSS gives `el` (they follow the light or dark
 * theme); defaults while `el` is not on the page yet.
 */
function looks(el) {
  const style = getComputedStyle(el);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const size = Number.parseFloat(style.fontSize) || 16;
  return {
    text: style.color || "#222",
    font: `${size * 0.8}px ${style.fontFamily || "sans-serif"}`,
    border: read("--cl-border", "rgba(127, 127, 127, 0.45)"),
    on: read("--cl-on", "rgba(255, 193, 7, 0.45)"),
    crop: read("--cl-crop", "rgba(127, 127, 127, 0.16)"),
    muted: read("--cl-muted", "rgba(127, 127, 127, 0.95)"),
    accent: read("--cl-accent", "#2f6fb3"),
  };
}

/** Diagonal stripes of `colour`, as the tables' `repeating-linear-gradient` hatching. */
function hatching(context, colour, scale) {
  const size = Math.round(7 * scale);
  const tile = new OffscreenCanvas(size, size);
  const ctx = tile.getContext("2d");
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2.8 * scale;
  for (const offset of [-size, 0, size]) {
    ctx.beginPath();
    ctx.moveTo(offset, 0);
    ctx.lineTo(offset + size, size);
    ctx.stroke();
  }
  return context.createPattern(tile, "repeat");
}

/**
 * A canvas of numbers with the caption `caption`. `show(M, marks)` draws the
 * matrix M, `marks(i, j)` giving each cell's marks, an array of the classes the
 * tables use ("cl-on": highlighted, "cl-crop": hatched and muted, "cl-extra":
 * outlined in the accent colour). Only the cells whose number or marks changed
 * are drawn again; a new shape or new cropped cells draw all.
 * `el` is the element to place; `dispose()` stops following the page's theme.
 */
export function numberCanvas(caption) {
  const canvas = h("canvas", { class: "cl-number-canvas" });
  const el = h(
    "div",
    { class: "cl-number-grid" },
    h("div", { class: "cl-caption", "aria-hidden": "true" }, caption),
    canvas,
  );
  let drawn = null; // what is on show: { rows, cols, values, marks, cells, look, pattern, scale }
  // Cells are drawn on an offscreen surface, then copied to the page's canvas: text
  // drawn on a canvas of the page makes the browser first bring the page's styles up
  // to date (the canvas's font may depend on them), at every move; on an offscreen
  // canvas, the font is the one given, nothing to restyle.
  const surface = new OffscreenCanvas(1, 1);
  const context = surface.getContext("2d");
  const screen = canvas.getContext("2d");

  /** Copy rows i0..i1 and columns j0..j1 of the surface to the page's canvas. */
  function present(i0, j0, i1, j1) {
    const scale = drawn.scale;
    const [x, y] = [Math.floor(j0 * CELL_W * scale), Math.floor(i0 * CELL_H * scale)];
    const w = Math.min(Math.ceil(((j1 + 1) * CELL_W + 1) * scale), surface.width) - x;
    const h = Math.min(Math.ceil(((i1 + 1) * CELL_H + 1) * scale), surface.height) - y;
    screen.clearRect(x, y, w, h);
    screen.drawImage(surface, x, y, w, h, x, y, w, h);
  }

  function drawCell(i, j, value, marks) {
    const { look, pattern } = drawn;
    const [x, y] = [j * CELL_W, i * CELL_H];
    // Inside the borders: background, marks, number.
    context.clearRect(x + 1, y + 1, CELL_W - 1, CELL_H - 1);
    if (marks.includes("cl-crop")) {
      context.fillStyle = pattern;
      context.fillRect(x + 1, y + 1, CELL_W - 1, CELL_H - 1);
    }
    if (marks.includes("cl-on")) {
      context.fillStyle = look.on;
      context.fillRect(x + 1, y + 1, CELL_W - 1, CELL_H - 1);
    }
    if (marks.includes("cl-extra")) {
      context.strokeStyle = look.accent;
      context.lineWidth = 2;
      context.strokeRect(x + 2, y + 2, CELL_W - 3, CELL_H - 3);
    }
    context.fillStyle = marks.includes("cl-crop") ? look.muted : look.text;
    context.fillText(formatNumber(value), x + (CELL_W + 1) / 2, y + (CELL_H + 2) / 2);
  }

  /** The grid lines: dashed between two cropped cells (or a cropped cell and the edge). */
  function drawBorders(cropped) {
    const { rows, cols, look } = drawn;
    context.strokeStyle = look.border;
    context.lineWidth = 1;
    const line = (x0, y0, x1, y1, dashed) => {
      context.setLineDash(dashed ? [3, 2] : []);
      context.beginPath();
      context.moveTo(x0, y0);
      context.lineTo(x1, y1);
      context.stroke();
    };
    const crop = (i, j) => cropped[Math.min(i, rows - 1)][Math.min(j, cols - 1)];
    for (let i = 0; i <= rows; i++) {
      for (let j = 0; j < cols; j++) {
        const dashed = crop(Math.max(i - 1, 0), j) && crop(i, j);
        line(j * CELL_W, i * CELL_H + 0.5, (j + 1) * CELL_W + 1, i * CELL_H + 0.5, dashed);
      }
    }
    for (let j = 0; j <= cols; j++) {
      for (let i = 0; i < rows; i++) {
        const dashed = crop(i, Math.max(j - 1, 0)) && crop(i, j);
        line(j * CELL_W + 0.5, i * CELL_H, j * CELL_W + 0.5, (i + 1) * CELL_H + 1, dashed);
      }
    }
    context.setLineDash([]);
  }

  /** Draw M anew: the canvas's size, the table inside it, every cell, the grid lines. */
  function drawAll(M, marksOf) {
    const [rows, cols] = [M.length, M[0]?.length ?? 0];
    const scale = window.devicePixelRatio || 1;
    const [width, height] = [cols * CELL_W + 1, rows * CELL_H + 1];
    canvas.width = surface.width = Math.round(width * scale);
    canvas.height = surface.height = Math.round(height * scale);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const look = looks(el);
    if (!el.isConnected) requestAnimationFrame(() => redrawWhenShown()); // for the page's colours
    context.setTransform(scale, 0, 0, scale, 0, 0);
    context.font = look.font;
    context.textAlign = "center";
    context.textBaseline = "middle";
    drawn = {
      rows,
      cols,
      values: M.map((row) => [...row]), // kept up to date cell by cell (show)
      marks: marksOf.map((row) => [...row]),
      look,
      scale,
      pattern: hatching(context, look.crop, scale),
    };
    M.forEach((row, i) => {
      row.forEach((v, j) => {
        drawCell(i, j, v, marksOf[i][j]);
      });
    });
    drawBorders(marksOf.map((row) => row.map(isCropped)));
    present(0, 0, rows - 1, cols - 1);
    const table = matrixTable(M, caption, (i, j, td) => {
      td.className = marksOf[i][j].join(" ");
    });
    canvas.replaceChildren(table);
    drawn.cells = [...table.tBodies[0].rows].map((tr) => [...tr.cells]);
  }

  /** Whether marksOf crops the same cells as the marks on show (then the grid lines hold). */
  function sameCrops(marksOf) {
    const shown = drawn.marks;
    if (marksOf.length !== shown.length) return false;
    for (let i = 0; i < shown.length; i++) {
      if (marksOf[i].length !== shown[i].length) return false;
      for (let j = 0; j < shown[i].length; j++) {
        if (isCropped(marksOf[i][j]) !== isCropped(shown[i][j])) return false;
      }
    }
    return true;
  }

  function show(M, marks) {
    const marksOf = M.map((row, i) => row.map((_, j) => marks(i, j)));
    if (!drawn || !sameCrops(marksOf)) {
      drawAll(M, marksOf); // a new shape or new grid lines
      return;
    }
    // The cells whose number or marks changed, drawn again, and the box around them.
    let [i0, j0, i1, j1] = [Infinity, Infinity, -1, -1];
    for (let i = 0; i < M.length; i++) {
      for (let j = 0; j < M[i].length; j++) {
        const value = M[i][j];
        const cellMarks = marksOf[i][j];
        if (sameNumber(value, drawn.values[i][j]) && sameMarks(cellMarks, drawn.marks[i][j])) {
          continue;
        }
        drawn.values[i][j] = value;
        drawn.marks[i][j] = cellMarks;
        drawCell(i, j, value, cellMarks);
        // The table read by screen readers (and tests): its text rewritten in place,
        // its classes only when they differ (each change restyles the cell).
        const td = drawn.cells[i][j];
        setText(td, formatNumber(value));
        const classes = cellMarks.join(" ");
        if (td.className !== classes) td.className = classes;
        [i0, j0, i1, j1] = [Math.min(i0, i), Math.min(j0, j), Math.max(i1, i), Math.max(j1, j)];
      }
    }
    if (i1 >= 0) present(i0, j0, i1, j1);
  }

  let disposed = false;
  /** Draw again with the colours of the page `el` is now on (Jupyter shows a view after drawing it). */
  function redrawWhenShown() {
    if (disposed || !drawn) return;
    if (el.isConnected) drawAll(drawn.values, drawn.marks);
    else requestAnimationFrame(redrawWhenShown);
  }

  // The page's light / dark switch changes the colours: draw everything again.
  const theme = new MutationObserver(() => {
    if (drawn) drawAll(drawn.values, drawn.marks);
  });
  theme.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return {
    el,
    show,
    dispose() {
      disposed = true;
      theme.disconnect();
    },
  };
}
