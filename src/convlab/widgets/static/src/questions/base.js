// Mirrors convlab.questions.base: a question as plain JSON, and how numbers are written.

import { formatCount, formatNumber, spelledSum } from "../widgets/text.js";

/** 3,600, 2.5, 0.333, −4 (a typographic minus) (number). */
export function number(v) {
  if (v < 0) return `−${number(-v)}`;
  return Number.isInteger(v) ? formatCount(v) : formatNumber(v);
}

/** A number with a typographic minus sign: −3, 2.5 (signed). */
export function signed(v) {
  return v < 0 ? `−${number(-v)}` : number(v);
}

/** One sum spelled out, typographic minus signs: 2×(−1) + 1×3 = 1 (spelled). */
export function spelled(terms) {
  return spelledSum(terms.map(([x, k]) => ({ x, k }))).replaceAll("-", "−");
}

/** "a" or "an" before the number read aloud: an 8, an 11, an 18, a 16 (article). */
export function article(n, capital = false) {
  const digits = String(n);
  const lead = digits.slice(0, ((digits.length - 1) % 3) + 1);
  const word = lead.startsWith("8") || lead === "11" || lead === "18" ? "an" : "a";
  return capital ? word[0].toUpperCase() + word.slice(1) : word;
}

const asList = (answer) => (Array.isArray(answer) ? [...answer] : [answer]);
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The question as plain JSON; a mistake whose answer is the right one, or that of an
 * earlier mistake, is dropped (question). `mistakes` are [name, answer, why].
 */
export function question(
  kind,
  seed,
  {
    title,
    prompt,
    answer,
    hint,
    solution,
    mistakes = [],
    fields = ["Your answer"],
    grids = [],
    cells = null,
    params = {},
  },
) {
  const right = asList(answer);
  const seen = [right];
  const kept = [];
  for (const [name, wrong, why] of mistakes) {
    const value = asList(wrong);
    if (seen.some((s) => same(s, value))) continue;
    seen.push(value);
    kept.push({ name, answer: value, why });
  }
  return {
    kind,
    seed,
    title,
    prompt,
    grids: grids.map(([caption, rows]) => ({ caption, rows })),
    fields: cells ? [] : [...fields],
    cells,
    answer: right,
    mistakes: kept,
    hint,
    solution: [...solution],
    params,
  };
}

/** Cells [row, column] as the sorted indices r·cols + c (cell_answer). */
export function cellAnswer(cells, cols) {
  return [...new Set(cells.map(([r, c]) => r * cols + c))].sort((a, b) => a - b);
}
