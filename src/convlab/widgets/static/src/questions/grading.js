// Mirrors convlab.questions.grading: right, a named mistake, or not yet with a hint.

import { number } from "./base.js";

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const TOLERANCE = 0.006;

/** The number typed, or null when it is not one (parse). */
export function parse(text) {
  const plain = String(text).trim().replaceAll("−", "-").replaceAll(",", "").replaceAll(" ", "");
  if (!NUMBER.test(plain)) return null;
  const value = Number(plain);
  return Number.isFinite(value) ? value : null;
}

/** Whole numbers exactly; others within two decimals. */
function close(typed, wanted) {
  return Number.isInteger(wanted) ? typed === wanted : Math.abs(typed - wanted) < TOLERANCE;
}

function matches(response, wanted, isCells) {
  if (response.length !== wanted.length) return false;
  return response.every((v, i) => (isCells ? v === wanted[i] : close(v, wanted[i])));
}

/** An answer in words: "5", "output rows 5, output columns 7", or "4 cells" (shown). */
function shown(question, values) {
  if (question.cells) return `${values.length} cell${values.length === 1 ? "" : "s"}`;
  if (values.length === 1) return number(values[0]);
  return values.map((v, i) => `${question.fields[i].toLowerCase()} ${number(v)}`).join(", ");
}

const verdict = (status, message, mistake = "") => ({ status, message, mistake });

/**
 * The verdict on `response`: the typed texts, one per field, or the cell indices
 * clicked (grade_response). Status "right", "mistake", "not yet" or "invalid".
 */
export function gradeResponse(question, response) {
  const isCells = Boolean(question.cells);
  let values;
  if (isCells) {
    values = [...new Set(response)].sort((a, b) => a - b);
    if (!values.length) {
      return verdict("invalid", "Click the cells first: each click marks or unmarks one.");
    }
  } else {
    values = [];
    for (const [i, label] of question.fields.entries()) {
      const text = String(response[i] ?? "").trim();
      if (text === "") return verdict("invalid", `${label}: type a number first.`);
      const value = parse(text);
      if (value === null) {
        return verdict("invalid", `${label}: “${text}” is not a number; type one such as 12.`);
      }
      values.push(value);
    }
  }
  if (matches(values, question.answer, isCells)) {
    return verdict("right", `Right: ${shown(question, question.answer)}.`);
  }
  for (const mistake of question.mistakes) {
    if (matches(values, mistake.answer, isCells)) {
      return verdict(
        "mistake",
        `Not quite: that answer comes from ${mistake.name}. ${mistake.why}`,
        mistake.name,
      );
    }
  }
  return verdict("not yet", `Not yet. Hint: ${question.hint}`);
}
