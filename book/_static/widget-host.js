// The course's widgets on a static page, with no kernel and no widget manager.
//
// Jupyter Book writes the state of every widget a chapter's run created into the
// page (<script type="application/vnd.jupyter.widget-state+json">) and one tag per
// displayed view (<script type="application/vnd.jupyter.widget-view+json">). The
// course's widgets are anywidgets: a model of plain JSON traits plus an ES module
// (`_esm`) whose default export has `render({ model, el })` and optionally
// `initialize({ model })`. This host gives each model the front-end API anywidget
// defines (get, set, on, off, save_changes, send), imports its module once per
// page, initialises each model once and renders each view as soon as the parser
// reaches its tag. With no kernel, save_changes and send have nowhere to go: the
// views recompute in the browser from what `set` changed.

const STATE_TYPE = "application/vnd.jupyter.widget-state+json";
const VIEW_TYPE = "application/vnd.jupyter.widget-view+json";

/** A widget's model on a static page: anywidget's model API over a plain object. */
export class StaticModel {
  constructor(state) {
    this.state = { ...state };
    this.listeners = new Map(); // event name -> Set of callbacks
  }

  get(name) {
    return this.state[name];
  }

  /** Change one trait and tell its listeners, as Backbone does: `change:name`, then `change`. */
  set(name, value) {
    if (Object.is(this.state[name], value)) return;
    this.state[name] = value;
    this.emit(`change:${name}`, this, value);
    this.emit("change", this);
  }

  on(event, callback) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(callback);
  }

  /** Stop `callback` listening to `event`; without a callback, every listener of `event`. */
  off(event, callback) {
    if (event === undefined) this.listeners.clear();
    else if (callback === undefined) this.listeners.delete(event);
    else this.listeners.get(event)?.delete(callback);
  }

  /** Syncs changes to the kernel in Jupyter; a static page has none to sync to. */
  save_changes() {}

  /** Custom messages go to the kernel in Jupyter; a static page has none to receive them. */
  send() {}

  emit(event, ...args) {
    for (const callback of [...(this.listeners.get(event) ?? [])]) callback(...args);
  }
}

const modules = new Map(); // _esm source -> Promise of the widget's definition
const styles = new Set(); // _css sources already on the page

/** The widget definition ({ initialize?, render }) that an `_esm` source exports. */
function loadWidget(esm) {
  if (!modules.has(esm)) {
    const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
    const definition = import(url).then(async (module) => {
      URL.revokeObjectURL(url);
      const exported = module.default ?? module;
      const widget = typeof exported === "function" ? await exported() : exported;
      if (typeof widget?.render !== "function") {
        throw new Error("the widget's module exports no render function");
      }
      return widget;
    });
    modules.set(esm, definition);
  }
  return modules.get(esm);
}

function addStyle(css) {
  if (!css || styles.has(css)) return;
  styles.add(css);
  const style = document.createElement("style");
  style.textContent = css;
  document.head.append(style);
}

/**
 * One model per model id, initialised once however many views show it.
 * Returns { model, widget, cleanups } or throws when the id is unknown.
 */
function modelFor(id, states, models) {
  if (!models.has(id)) {
    const entry = states[id];
    if (!entry) throw new Error(`the page holds no state for widget ${id}`);
    if (entry.model_module !== "anywidget") {
      throw new Error(
        `${entry.model_name} (${entry.model_module}) is not an anywidget: ` +
          "this page only hosts the course's own widgets",
      );
    }
    const model = new StaticModel(entry.state);
    addStyle(model.get("_css"));
    const ready = loadWidget(model.get("_esm")).then(async (widget) => {
      const cleanups = [];
      const done = await widget.initialize?.({ model });
      if (typeof done === "function") cleanups.push(done);
      return { model, widget, cleanups };
    });
    models.set(id, ready);
  }
  return models.get(id);
}

/** The model id a view tag names, or null while the parser has not given it all its text. */
function viewId(tag) {
  try {
    return JSON.parse(tag.textContent).model_id ?? null;
  } catch {
    return null;
  }
}

/** Replace a view tag by the widget it names, drawn by the widget's own render. */
async function mountView(tag, states, models) {
  // Already mounted: the observer can report a tag both on its own and inside its
  // parent, and a second mount would draw the widget again off the page, where it
  // would go on recomputing on every move of the first.
  if (!tag.isConnected) return;
  const id = viewId(tag);
  if (id === null && tag.ownerDocument.readyState === "loading") return; // found again once parsed
  const el = document.createElement("div");
  el.className = "cl-widget-host";
  tag.replaceWith(el);
  try {
    if (id === null) throw new Error(`a widget view tag holds no model id: ${tag.textContent}`);
    const { model, widget, cleanups } = await modelFor(id, states, models);
    const done = await widget.render({ model, el });
    if (typeof done === "function") cleanups.push(done);
  } catch (error) {
    el.textContent = `This widget could not start: ${error.message}`;
    el.setAttribute("role", "alert");
    console.error("widget-host:", error);
  }
}

/** Run every view's and model's cleanup (when the page goes away for good). */
export async function cleanUp(models) {
  for (const ready of models.values()) {
    const { cleanups } = await ready.catch(() => ({ cleanups: [] }));
    for (const cleanup of cleanups.splice(0)) cleanup();
  }
}

/**
 * Mount every view of the page: those already parsed now, the rest as the parser
 * reaches them (a MutationObserver until the document is complete). Returns the
 * models by id, each a promise of { model, widget, cleanups }.
 */
export function start(doc = document) {
  const models = new Map();
  const stateTag = doc.querySelector(`script[type="${STATE_TYPE}"]`);
  if (!stateTag) return models;
  const states = JSON.parse(stateTag.textContent).state;
  const selector = `script[type="${VIEW_TYPE}"]`;
  const mountWithin = (root) => {
    if (root.matches?.(selector)) mountView(root, states, models);
    else for (const tag of root.querySelectorAll?.(selector) ?? []) mountView(tag, states, models);
  };
  mountWithin(doc);
  if (doc.readyState === "loading") {
    const observer = new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) mountWithin(node);
    });
    observer.observe(doc.documentElement, { childList: true, subtree: true });
    doc.addEventListener("DOMContentLoaded", () => {
      observer.disconnect();
      mountWithin(doc);
    });
  }
  window.addEventListener("pagehide", (event) => {
    if (!event.persisted) cleanUp(models); // kept for the back button: leave it running
  });
  return models;
}

/**
 * Once the page is laid out with its fonts, let the browser skip the blocks out of
 * view (course.css, .cl-skip): every block of the article but those holding a
 * widget. Switched on only then, so that every block has rendered once and has a
 * remembered height (contain-intrinsic-size: auto): the page keeps its length and
 * links to a section land on it. The root's cl-skip-offscreen class says it is on.
 */
function skipOffscreenBlocks(doc = document) {
  const root = doc.documentElement;
  const skip = () => {
    for (const block of doc.querySelectorAll(".bd-article section[id] > :not(section)")) {
      if (!block.querySelector(".cl-widget-host, .cl-widget")) block.classList.add("cl-skip");
    }
    root.classList.add("cl-skip-offscreen");
  };
  const on = () => requestAnimationFrame(() => requestAnimationFrame(skip));
  const afterLoad = () => doc.fonts.ready.then(on);
  if (doc.readyState === "complete") afterLoad();
  else window.addEventListener("load", afterLoad, { once: true });
}

start();
skipOffscreenBlocks();
