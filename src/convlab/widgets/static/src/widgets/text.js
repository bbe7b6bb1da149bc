// Mirrors convlab.widgets.text: numbers and sums as the widgets print them.

/** A number as the widgets print it: integers as is, others with up to 3 decimals (format_number). */
export function formatNumber(v) {
  if (Number.isInteger(v)) return String(v);
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? "0" : String(r);
}

/** "0×0 + 1×1 + 3×2 + 4×3 = 19": one output cell's sum, spelled out (spelled_sum). */
export function spelledSum(terms) {
  const show = (v) => (v < 0 ? `(${formatNumber(v)})` : formatNumber(v));
  const total = terms.reduce((s, t) => s + t.x * t.k, 0);
  return `${terms.map((t) => `${show(t.x)}×${show(t.k)}`).join(" + ")} = ${formatNumber(total)}`;
}

/** An integer with a typographic minus sign, as in the formulas: −3. */
export function minusSign(v) {
  return v < 0 ? `−${-v}` : String(v);
}

/** 3600000100 → "3,600,000,100" (format_count). */
export function formatCount(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** dense ÷ conv for the table: "1,285,639", "2.5" or "1 / 3,600" (format_ratio). */
export function formatRatio(dense, conv) {
  const ratio = dense / conv;
  if (ratio >= 10) return formatCount(Math.floor(ratio + 0.5));
  if (ratio >= 0.01) return formatNumber(ratio);
  return `1 / ${formatCount(Math.floor(conv / dense + 0.5))}`;
}

/** About `digits` significant digits, trailing zeros dropped: 0.00497 (format_sig). */
export function formatSig(v, digits = 3) {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1000) return String(Math.floor(v + 0.5));
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(v))));
  const scale = 10 ** decimals;
  let text = (Math.floor(v * scale + 0.5) / scale).toFixed(decimals);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return text === "-0" || text === "" ? "0" : text;
}

/** 3 significant digits, exponent form when large or small: 0.0333, 25, 4.37e-4, 2.05e7 (format_short). */
export function formatShort(v) {
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [mantissa, exponent] = v.toExponential(2).split("e");
    return `${mantissa.replace(/\.?0+$/, "")}e${Number(exponent)}`;
  }
  return String(Number(v.toPrecision(3)));
}
