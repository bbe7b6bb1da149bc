// Tables of numbers: drawn, walked cell by cell, or edited by the reader.

import { formatNumber } from "../widgets/text.js";
import { h, setText } from "./dom.js";

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
  return h(
    "table",
    { class: "cl-matrix", "data-shape": shapeOf(M) },
    h("caption", {}, caption),
    body,
  );
}

/** A matrix's rows × columns, as matrixTable marks its table ("2×3"). */
function shapeOf(M) {
  return `${M.length}×${M.length ? M[0].length : 0}`;
}

/**
 * Write the numbers of M into `table`, a matrixTable of M's shape already on the
 * page, and `mark(i, j, td)` each cell (with classList.toggle: the cells keep
 * their classes): only the numbers that changed are rewritten.
 */
export function refill(table, M, mark = () => {}) {
  const rows = table.tBodies[0].rows;
  M.forEach((row, i) => {
    const cells = rows[i].cells;
    row.forEach((v, j) => {
      setText(cells[j], formatNumber(v));
      mark(i, j, cells[j]);
    });
  });
}

/**
 * Show one table per [M, caption, mark] of `tables` in `holder`: when the tables
 * there have the same shapes, they are refilled in place (captions and numbers
 * that changed), else drawn anew with matrixTable. `mark` must set what it marks
 * (classList.toggle, dataset), since it also runs on the cells already drawn.
 */
export function showMatrices(holder, tables) {
  const now = holder.childNodes;
  const same =
    now.length === tables.length &&
    tables.every(([M], k) => now[k].tagName === "TABLE" && now[k].dataset.shape === shapeOf(M));
  if (!same) {
    holder.replaceChildren(...tables.map(([M, caption, mark]) => matrixTable(M, caption, mark)));
    return;
  }
  tables.forEach(([M, caption, mark], k) => {
    setText(now[k].caption, caption);
    refill(now[k], M, mark);
  });
}

/** A decoration for matrixTable: every cell is marked "on" (a kernel, an output). */
export function markAll(_i, _j, td) {
  td.classList.add("cl-on");
}

/** Call `visit(i, j, td)` for every cell of every table in `holder`, (i, j) within its table. */
export function eachCell(holder, visit) {
  for (const table of holder.querySelectorAll("table")) {
    [...table.rows].forEach((tr, i) => {
      [...tr.cells].forEach((td, j) => {
        visit(i, j, td);
      });
    });
  }
}

/**
 * Give the class `name` to exactly `cells` of `holder`'s tables, each [table, row,
 * column] (the table's index in `holder`, the row's in the table), and take it from
 * every other cell there: only the cells that gain or lose it are touched. A window
 * moved over tables already drawn then costs its own cells, not a visit to each one.
 */
export function markCells(holder, name, cells) {
  const tables = holder.getElementsByTagName("table");
  const wanted = new Set();
  for (const [t, i, j] of cells) {
    const td = tables[t]?.rows[i]?.cells[j];
    if (td) wanted.add(td);
  }
  for (const td of holder.querySelectorAll(`td.${name}`)) {
    if (!wanted.has(td)) td.classList.remove(name);
  }
  for (const td of wanted) {
    if (!td.classList.contains(name)) td.classList.add(name);
  }
}

/**
 * Mark column `j` of every table in `holder` with the class `name`, on the table's
 * <col> elements (added on first use; the CSS paints a marked column's background
 * under its cells), and unmark the others. A moved column changes two elements per
 * table, not every cell of two columns (the column matrix has up to 27 rows).
 */
export function markColumn(holder, name, j) {
  for (const table of holder.getElementsByTagName("table")) {
    const n = table.rows[0]?.cells.length ?? 0;
    let group = table.querySelector(":scope > colgroup");
    if (group === null || group.children.length !== n) {
      group?.remove();
      group = h("colgroup", {}, ...Array.from({ length: n }, () => h("col")));
      table.insertBefore(group, table.tBodies[0]);
    }
    for (let c = 0; c < n; c++) group.children[c].classList.toggle(name, c === j);
  }
}

/**
 * One editable cell, `name[i, j]`: `onEdit(v)` runs for every valid number typed,
 * `onInvalid(message)` for anything else; leaving it shows `value()` again.
 */
function editableCell(name, i, j, value, onEdit, onInvalid) {
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
      onEdit(v);
    }
  });
  td.addEventListener("blur", () => {
    td.textContent = formatNumber(value());
  });
  td.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      td.blur();
    }
  });
  return td;
}

/** The decoration of a cell that has none: no class. */
function plain(_i, _j, td) {
  if (td.className) td.className = "";
}

/**
 * An editable table of numbers (contenteditable cells, the numbers stay text).
 * `update(M, decorate)` redraws without disturbing the cell being typed in, and
 * rewrites only the numbers that changed; `decorate(i, j, td)` sets each cell's
 * classes (with classList.toggle: it is called on the cells already drawn).
 * `onEdit(i, j, v)` runs for every valid number typed; `onInvalid(message)` for anything else.
 */
export function editableMatrix(caption, name, onEdit, onInvalid) {
  const body = h("tbody");
  const table = h("table", { class: "cl-matrix cl-editable" }, h("caption", {}, caption), body);
  let current = [];
  const rebuild = (M) => {
    body.replaceChildren();
    M.forEach((row, i) => {
      const cells = row.map((_, j) =>
        editableCell(
          name,
          i,
          j,
          () => current[i][j],
          (v) => onEdit(i, j, v),
          onInvalid,
        ),
      );
      body.append(h("tr", {}, ...cells));
    });
  };
  const update = (M, decorate = plain) => {
    current = M;
    const shapeChanged =
      body.rows.length !== M.length || (M.length && body.rows[0].cells.length !== M[0].length);
    if (shapeChanged) rebuild(M);
    M.forEach((row, i) => {
      row.forEach((v, j) => {
        const td = body.rows[i].cells[j];
        if (td !== document.activeElement) setText(td, formatNumber(v));
        decorate(i, j, td);
      });
    });
  };
  return { el: table, update };
}
