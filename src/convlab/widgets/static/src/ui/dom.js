// Small DOM helpers shared by every view: making elements, changing only what
// changed, and following an element's width.

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
 * redrawn on every slider move writes many texts that have not changed. When `el`
 * holds one text node, its data changes in place: no node is removed or added,
 * so the page's observers of added nodes (the theme watches the whole article)
 * have nothing to do.
 */
export function setText(el, text) {
  const only = el.firstChild;
  if (only !== null && only === el.lastChild && only.nodeType === Node.TEXT_NODE) {
    if (only.data !== text) only.data = text;
  } else if (el.textContent !== text) el.textContent = text;
}

/**
 * Show the elements `next` in `holder`. When `holder` already shows as many
 * elements, each with the same `data-shape` as its counterpart in `next`, they are
 * changed to match `next` instead of being replaced: only the attributes and texts
 * that differ are rewritten, so the browser restyles, lays out and paints what
 * changed, not a whole new drawing (which costs more than a 60 Hz frame in the
 * larger widgets). Equal shapes must mean the same elements with the same event
 * listeners.
 */
export function redraw(holder, ...next) {
  const now = holder.childNodes;
  const same =
    now.length === next.length &&
    next.every(
      (el, i) => el.dataset.shape !== undefined && now[i].dataset?.shape === el.dataset.shape,
    );
  if (!same) holder.replaceChildren(...next);
  else {
    next.forEach((el, i) => {
      morph(now[i], el);
    });
  }
}

/** Make element `now` match element `next`: attributes, texts, then children in turn. */
function morph(now, next) {
  for (const { name, value } of next.attributes) {
    if (now.getAttribute(name) !== value) now.setAttribute(name, value);
  }
  for (const { name } of [...now.attributes]) {
    if (!next.hasAttribute(name)) now.removeAttribute(name);
  }
  const [old, fresh] = [[...now.childNodes], [...next.childNodes]];
  if (old.length !== fresh.length) {
    now.replaceChildren(...fresh);
    return;
  }
  old.forEach((node, i) => {
    const want = fresh[i];
    if (node.nodeName !== want.nodeName) node.replaceWith(want);
    else if (node.nodeType === Node.ELEMENT_NODE) morph(node, want);
    else if (node.nodeValue !== want.nodeValue) node.nodeValue = want.nodeValue;
  });
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

/** A fresh id for a form element, so that labels and radio groups stay apart. */
export function uniqueId(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2)}`;
}
