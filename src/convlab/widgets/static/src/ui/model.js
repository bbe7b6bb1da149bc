// The widget's model: reading its settings' limits, writing traits, following changes.

/** Push changed traits to the kernel when there is one; a static page has none. */
export function commit(model, changes) {
  for (const [key, value] of Object.entries(changes)) model.set(key, value);
  try {
    model.save_changes();
  } catch {
    // On a static page the model has no comm to a kernel: the view still
    // updates from model.set, which is all a reader needs there.
  }
}

/** Run `draw` now and whenever one of `traits` changes; returns the unsubscribe. */
export function onChanges(model, traits, draw) {
  const events = traits.map((t) => `change:${t}`);
  for (const e of events) model.on(e, draw);
  draw();
  return () => {
    for (const e of events) model.off(e, draw);
  };
}

/**
 * The limits of setting `name`, as the widget's Python table writes them (the
 * `limits` trait): {min, max, step} for a slider, {stops} for a list of values,
 * {choices}, {maxSize} for a grid, {length, item} for one value per layer.
 */
export function limitsOf(model, name) {
  const limits = model.get("limits")[name];
  if (limits === undefined) throw new Error(`the widget's limits have no setting "${name}"`);
  return limits;
}
