// ui.js: small DOM helpers shared by every widget view (sliders, tables, messages).

/** Create an element with attributes and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) el.append(child);
  }
  return el;
}

/**
 * Give `el` the text `text`, leaving it alone when it already reads so: writing
 * even the same text makes the browser lay the page out again, and a view
 * redrawn on every slider move writes many texts that have not changed.
 */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** A labelled range slider; `onInput(value)` runs on every move. */
export function slider(label, { min, max, step = 1, value }, onInput) {
  const id = `cl-${Math.random().toString(36).slice(2)}`;
  const input = h("input", { type: "range", id, min, max, step, value: String(value) });
  const shown = h("output", { for: id }, String(value));
  input.addEventListener("input", () => {
    shown.textContent = input.value;
    onInput(Number(input.value));
  });
  const set = (v, lo = min, hi = max) => {
    // Only what changed: the model echoes every move back to the slider that made it.
    for (const [key, want] of [["min", lo], ["max", hi], ["value", v]]) {
      if (input[key] !== String(want)) input[key] = String(want);
    }
    setText(shown, String(v));
  };
  return { el: h("div", { class: "cl-slider" }, h("label", { for: id }, label), input, shown), input, set };
}

/**
 * An HTML table of numbers. `cell(i, j, td)` may decorate each cell.
 * The numbers are the cells' text, so screen readers and tests can read them.
 */
export function matrixTable(M, caption, cell = () => {}) {
  const body = h("tbody");
  M.forEach((row, i) => {
    const tr = h("tr");
    row.forEach((v, j) => {
      const td = h("td", {}, formatNumber(v));
      cell(i, j, td);
      tr.append(td);
    });
    body.append(tr);
  });
  const shape = `${M.length}×${M.length ? M[0].length : 0}`;
  return h("table", { class: "cl-matrix", "data-shape": shape }, h("caption", {}, caption), body);
}

/** Call `visit(i, j, td)` for every cell of every table in `holder`, (i, j) within its table. */
export function eachCell(holder, visit) {
  for (const table of holder.querySelectorAll("table")) {
    [...table.rows].forEach((tr, i) => [...tr.cells].forEach((td, j) => visit(i, j, td)));
  }
}

/**
 * Show `next` in `holder`. When `holder` already shows an element with the same
 * `data-shape` as `next`, that element is changed to match `next` instead of
 * being replaced: only the attributes and texts that differ are rewritten, so
 * the browser restyles, lays out and paints what changed, not a whole new
 * drawing (which costs more than a 60 Hz frame in the larger widgets). Equal
 * shapes must mean the same elements with the same event listeners.
 */
export function redraw(holder, next) {
  const now = holder.childElementCount === 1 ? holder.firstElementChild : null;
  const same = now !== null && next.dataset.shape !== undefined && now.dataset.shape === next.dataset.shape;
  if (same) morph(now, next);
  else holder.replaceChildren(next);
}

/** Make element `now` match element `next`: attributes, texts, then children in turn. */
function morph(now, next) {
  for (const { name, value } of next.attributes) if (now.getAttribute(name) !== value) now.setAttribute(name, value);
  for (const { name } of [...now.attributes]) if (!next.hasAttribute(name)) now.removeAttribute(name);
  const [old, fresh] = [[...now.childNodes], [...next.childNodes]];
  if (old.length !== fresh.length) return now.replaceChildren(...fresh);
  old.forEach((node, i) => {
    const want = fresh[i];
    if (node.nodeName !== want.nodeName) node.replaceWith(want);
    else if (node.nodeType === Node.ELEMENT_NODE) morph(node, want);
    else if (node.nodeValue !== want.nodeValue) node.nodeValue = want.nodeValue;
  });
}

/** Push changed traits to the kernel when there is one; a static page has none. */
export function commit(model, changes) {
  for (const [key, value] of Object.entries(changes)) model.set(key, value);
  try {
    model.save_changes();
  } catch (err) {
    // On a static page the model has no comm to a kernel: the view still
    // updates from model.set, which is all a reader needs there.
  }
}

/**
 * An editable table of numbers (contenteditable cells, the numbers stay text).
 * `update(M)` redraws without disturbing the cell being typed in; `onEdit(i, j, v)`
 * runs for every valid number typed; `onInvalid(message)` for anything else.
 */
export function editableMatrix(caption, name, onEdit, onInvalid) {
  const body = h("tbody");
  const table = h("table", { class: "cl-matrix cl-editable" }, h("caption", {}, caption), body);
  let current = [];
  const update = (M, decorate = () => {}) => {
    current = M;
    const shapeChanged =
      body.rows.length !== M.length || (M.length && body.rows[0].cells.length !== M[0].length);
    if (shapeChanged) {
      body.replaceChildren();
      M.forEach((row, i) => {
        const tr = h("tr");
        row.forEach((_, j) => {
          const td = h("td", {
            contenteditable: "true",
            inputmode: "decimal",
            "aria-label": `${name}[${i}, ${j}]`,
          });
          td.addEventListener("input", () => {
            const text = td.textContent.trim().replace("−", "-");
            const v = Number(text);
            if (text === "" || !Number.isFinite(v)) {
              onInvalid(`${name}[${i}, ${j}]: “${text}” is not a number; type a number such as 2 or -0.5.`);
            } else {
              onEdit(i, j, v);
            }
          });
          td.addEventListener("blur", () => (td.textContent = formatNumber(current[i][j])));
          td.addEventListener("keydown", (e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              td.blur();
            }
          });
          tr.append(td);
        });
        body.append(tr);
      });
    }
    M.forEach((row, i) =>
      row.forEach((v, j) => {
        const td = body.rows[i].cells[j];
        if (td !== document.activeElement) td.textContent = formatNumber(v);
        td.className = "";
        decorate(i, j, td);
      }),
    );
  };
  return { el: table, update };
}

/** A matrix resized to rows x cols: kept values stay, new cells count on from 0. */
export function resized(M, rows, cols) {
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i < M.length && j < M[0].length ? M[i][j] : i * cols + j)),
  );
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

/** Run `draw` now and whenever one of `traits` changes; returns the unsubscribe. */
export function onChanges(model, traits, draw) {
  const events = traits.map((t) => `change:${t}`);
  events.forEach((e) => model.on(e, draw));
  draw();
  return () => events.forEach((e) => model.off(e, draw));
}

/** A chart's width until `onWidthChange` has measured its holder. */
export const CHART_WIDTH = 560;

/**
 * Call `redraw(width)` when `el` is resized by more than a few pixels (charts
 * are drawn for a width between 300 and 640 px); returns the disconnect. Charts
 * keep the width it gives rather than reading `el.clientWidth` on every redraw:
 * reading it after changing the page forces the browser to lay the page out there.
 */
export function onWidthChange(el, redraw) {
  let last = 0;
  const observer = new ResizeObserver(() => {
    const width = Math.max(300, Math.min(640, el.clientWidth || CHART_WIDTH));
    if (Math.abs(width - last) > 20) {
      last = width;
      redraw(width);
    }
  });
  observer.observe(el);
  return () => observer.disconnect();
}

/**
 * The controls that move a window over the output cells: a "Window position"
 * slider, "output row i, column j", and ◀ Step / ▶ Play / Step ▶ buttons that
 * write the `position` trait. `count()` is the number of output cells now.
 * `show(position, rows, cols)` sets them for an output of rows × cols;
 * `cell(r, c, td)` marks and wires one cell of that output's table, `mark(r, c, td)`
 * re-marks a cell already drawn;
 * `disable()` greys them out when there is no output.
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
    play.textContent = "▶ Play";
  }
  const step = (delta) => {
    const n = count();
    if (!n) return;
    const current = Math.min(model.get("position"), n - 1);
    commit(model, { position: (current + delta + n) % n });
  };
  back.addEventListener("click", () => (stop(), step(-1)));
  next.addEventListener("click", () => (stop(), step(1)));
  play.addEventListener("click", () => {
    if (timer !== null) return stop();
    if (!count()) return;
    play.textContent = "⏸ Pause";
    timer = setInterval(() => step(1), playMs);
  });
  const enable = (on) => {
    position.input.disabled = !on;
    [back, play, next].forEach((b) => (b.disabled = !on));
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
