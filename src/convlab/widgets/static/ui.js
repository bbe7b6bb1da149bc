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
    input.min = String(lo);
    input.max = String(hi);
    input.value = String(v);
    shown.textContent = String(v);
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
  return h("table", { class: "cl-matrix" }, h("caption", {}, caption), body);
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
