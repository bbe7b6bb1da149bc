// Mirrors convlab.receptive_field. A layer is [k, s, d, p]: kernel size, stride,
// dilation and padding per side, along one axis.

/** Size, jump and start of each layer's receptive field, by the recurrence (receptive_field). */
export function receptiveField(layers) {
  let [size, jump, start] = [1, 1, 0];
  return layers.map(([k, s, d, p = 0]) => {
    size += (k - 1) * d * jump;
    start -= p * jump;
    jump *= s;
    return { size, jump, start };
  });
}

/** The cells of the input and of each layer while there are any (layer_lengths). */
export function layerLengths(n, layers) {
  const lengths = [n];
  for (const [k, s, d, p = 0] of layers) {
    const top = lengths[lengths.length - 1] + 2 * p - d * (k - 1) - 1;
    if (top < 0) break;
    lengths.push(Math.floor(top / s) + 1);
  }
  return lengths;
}

/** Why the stack leaves no output for an input of n cells, or "" (stack_problem). */
export function stackProblem(n, layers) {
  const lengths = layerLengths(n, layers);
  if (lengths.length > layers.length) return "";
  const number = lengths.length;
  const [k, , d, p = 0] = layers[number - 1];
  const below = number === 1 ? "the input has" : `layer ${number - 1} has`;
  const padded = p === 0 ? "" : ` even with ${p} cell${p > 1 ? "s" : ""} of padding per side`;
  let need = 1;
  for (const [kk, ss, dd, pp = 0] of layers.slice().reverse()) {
    need = Math.max(1, (need - 1) * ss + dd * (kk - 1) + 1 - 2 * pp);
  }
  return (
    `Layer ${number} has no output: its kernel spans d·(k − 1) + 1 = ` +
    `${d}·(${k} − 1) + 1 = ${d * (k - 1) + 1} cells, but ${below} only ` +
    `${lengths[lengths.length - 1]}${padded}. This stack needs an input of at least ${need} cells; ` +
    `the input has ${n}.`
  );
}

/** The cells output cell `index` depends on, per layer from the input up (dependencies). */
export function dependencies(layers, index, n) {
  const lengths = layerLengths(n, layers);
  let cells = [index];
  const out = [cells];
  for (let l = layers.length - 1; l >= 0; l--) {
    const [k, s, d, p = 0] = layers[l];
    const below = new Set();
    for (const i of cells) {
      for (let t = 0; t < k; t++) {
        const c = i * s + t * d - p;
        if (c >= 0 && c < lengths[l]) below.add(c);
      }
    }
    cells = [...below].sort((a, b) => a - b);
    out.unshift(cells);
  }
  return out;
}

/** "second", "third", then "4th", …, "11th", "12th", "13th", "21st", "22nd", "23rd", "24th", … */
function ordinal(n) {
  if (n === 2) return "second";
  if (n === 3) return "third";
  const teens = [11, 12, 13].includes(n % 100);
  return `${n}${teens ? "th" : { 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th"}`;
}

/** Cells as runs, "0–4, 6, 8–10", or "0, 2, …, 12 (every second)" (format_cells). */
export function formatCells(cells) {
  const c = [...new Set(cells)].sort((a, b) => a - b);
  if (!c.length) return "none";
  if (c.length > 3) {
    const step = c[1] - c[0];
    if (step > 1 && c.every((v, i) => i === 0 || v - c[i - 1] === step)) {
      return `${c[0]}, ${c[1]}, …, ${c[c.length - 1]} (every ${ordinal(step)})`;
    }
  }
  const runs = [];
  let first = c[0];
  c.forEach((v, i) => {
    if (i === c.length - 1 || c[i + 1] !== v + 1) {
      runs.push(v === first ? String(v) : `${first}–${v}`);
      first = c[i + 1];
    }
  });
  return runs.join(", ");
}

/** r = 1 + Σ (k − 1)·d·j with the numbers filled in (size_formula). */
export function sizeFormula(layers) {
  const fields = receptiveField(layers);
  const jumps = [1, ...fields.slice(0, -1).map((f) => f.jump)];
  const terms = layers.map(([k, , d], l) => `(${k} − 1)·${d}·${jumps[l]}`).join(" + ");
  return `r = 1 + Σ (k − 1)·d·j = 1 + ${terms} = ${fields[fields.length - 1].size}`;
}

/** j = s₁·…·s_L with the numbers filled in (jump_formula). */
export function jumpFormula(layers) {
  const strides = layers.map(([, s]) => s);
  return `j = s₁·…·s_L = ${strides.join("·")} = ${strides.reduce((a, b) => a * b, 1)}`;
}
