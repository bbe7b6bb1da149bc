// The quiz (every chapter): one question at a time, graded at once. Type a number
// (or click cells), press Enter or Check: right, a known mistake named, or not yet
// with a hint; the worked solution after an attempt or on request; Another one
// draws fresh numbers. In Jupyter the kernel grades too: the view sends each
// response to Python (a custom message) and shows the verdict it sends back.

import { gradeResponse } from "../questions/grading.js";
import { chapterKinds, draw } from "../questions/registry.js";
import { freshSeed } from "../questions/seeds.js";
import { h, setText, uniqueId } from "../ui/dom.js";
import { commit, onChanges } from "../ui/model.js";
import { markSolved, progressOf } from "../ui/progress.js";
import { matrixTable } from "../ui/tables.js";

/** The tabs: one button per question of the chapter, ✓ once solved. */
function questionTabs(count, onPick) {
  const buttons = Array.from({ length: count }, (_, i) =>
    h("button", { type: "button", class: "cl-quiz-tab", onclick: () => onPick(i) }, String(i + 1)),
  );
  return {
    el: h("div", { class: "cl-quiz-tabs", role: "group", "aria-label": "Questions" }, ...buttons),
    buttons,
  };
}

/** Labelled inputs, one per number asked; Enter in any of them checks. */
function numberFields(labels) {
  const inputs = labels.map((label) => {
    const id = uniqueId("cl-quiz");
    const input = h("input", {
      id,
      type: "text",
      inputmode: "decimal",
      autocomplete: "off",
      spellcheck: "false",
      class: "cl-quiz-input",
    });
    return {
      label,
      input,
      el: h("span", { class: "cl-quiz-field" }, h("label", { for: id }, label), input),
    };
  });
  return { el: h("div", { class: "cl-quiz-fields" }, ...inputs.map((f) => f.el)), inputs };
}

/** A grid of buttons, one per cell, each pressed or not (aria-pressed). */
function cellGrid({ caption, rows, cols }, picked, onToggle) {
  const body = h("tbody");
  for (let r = 0; r < rows; r++) {
    const tr = h("tr");
    for (let c = 0; c < cols; c++) {
      const index = r * cols + c;
      const button = h("button", {
        type: "button",
        class: "cl-quiz-cell",
        "aria-pressed": String(picked.has(index)),
        "aria-label": `row ${r}, column ${c}`,
        "data-cell": String(index),
        onclick: () => onToggle(index, button),
      });
      tr.append(h("td", {}, button));
    }
    body.append(tr);
  }
  return h("table", { class: "cl-quiz-cells" }, h("caption", {}, caption), body);
}

/** Set an attribute only when it changes (a write restyles even when the value is the same). */
function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function render({ model, el }) {
  const state = { question: null, picked: new Set(), fields: null, shown: false, verdict: {} };
  const total = () => chapterKinds(model.get("chapter")).length;
  const tabs = questionTabs(total(), (i) => commit(model, { question: i }));
  const progress = h("p", {
    class: "cl-quiz-progress",
    "data-cell": "progress",
    "aria-live": "polite",
  });
  const title = h("p", { class: "cl-quiz-title" });
  const prompt = h("p", { class: "cl-quiz-prompt", "data-cell": "prompt" });
  const grids = h("div", { class: "cl-quiz-grids" });
  const answerArea = h("div", { class: "cl-quiz-answer" });
  const check = h("button", { type: "button", class: "cl-quiz-check", onclick: grade }, "Check");
  const reveal = h(
    "button",
    { type: "button", onclick: () => showSolution(true) },
    "Show the solution",
  );
  const another = h(
    "button",
    {
      type: "button",
      onclick: () => commit(model, { seed: freshSeed() }),
    },
    "Another one",
  );
  // Enter in an answer checks it, as Check does. Not a <form>: a form's submission
  // makes the browser lay the page out before the answer is even graded.
  answerArea.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing || event.target.tagName !== "INPUT") return;
    event.preventDefault();
    grade();
  });
  const answering = h(
    "div",
    { class: "cl-quiz-form" },
    answerArea,
    h("div", { class: "cl-quiz-buttons" }, check, reveal, another),
  );
  const feedback = h("p", {
    class: "cl-quiz-feedback",
    role: "status",
    "aria-live": "polite",
    "data-cell": "feedback",
  });
  const steps = h("ol", { class: "cl-quiz-steps" });
  const solution = h(
    "div",
    { class: "cl-quiz-solution", "data-cell": "solution", hidden: "" },
    h("p", { class: "cl-quiz-solution-title" }, "Worked solution"),
    steps,
  );

  const chapter = () => model.get("chapter");
  const kindIndex = () => Math.min(model.get("question"), total() - 1);

  function showProgress() {
    const solved = progressOf(chapter(), total());
    const kinds = chapterKinds(chapter());
    setText(progress, `${kinds.filter((k) => solved.has(k)).length} of ${kinds.length} solved`);
    tabs.buttons.forEach((button, i) => {
      const done = solved.has(kinds[i]);
      const current = i === kindIndex();
      button.classList.toggle("cl-quiz-done", done);
      setAttr(button, "aria-current", String(current));
      setText(button, done ? `${i + 1} ✓` : String(i + 1));
      setAttr(button, "aria-label", `Question ${i + 1}${done ? ", solved" : ""}`);
    });
  }

  function showSolution(show) {
    state.shown = show;
    solution.hidden = !show;
    if (state.question?.cells) {
      const answer = new Set(state.question.answer);
      for (const button of answerArea.querySelectorAll(".cl-quiz-cell")) {
        button.classList.toggle("cl-quiz-key", show && answer.has(Number(button.dataset.cell)));
      }
    }
  }

  function showVerdict(verdict) {
    state.verdict = verdict;
    setText(feedback, verdict.message ?? "");
    if (feedback.dataset.status !== (verdict.status ?? ""))
      feedback.dataset.status = verdict.status ?? "";
    if (verdict.status && verdict.status !== "invalid" && !state.shown) showSolution(true);
  }

  /** A new question: its prompt, tables, answer area and solution. */
  function showQuestion() {
    const kinds = chapterKinds(chapter());
    const q = draw(kinds[kindIndex()], model.get("seed"));
    state.question = q;
    state.picked = new Set();
    setText(title, `${kindIndex() + 1}. ${q.title}`);
    setText(prompt, q.prompt);
    prompt.dataset.kind = q.kind; // what is on show, for a test to draw the same in Python
    prompt.dataset.seed = String(q.seed);
    grids.replaceChildren(...q.grids.map(({ caption, rows }) => matrixTable(rows, caption)));
    if (q.cells) {
      state.fields = null;
      answerArea.replaceChildren(
        cellGrid(q.cells, state.picked, (index, button) => {
          if (state.picked.has(index)) state.picked.delete(index);
          else state.picked.add(index);
          button.setAttribute("aria-pressed", String(state.picked.has(index)));
        }),
      );
    } else {
      state.fields = numberFields(q.fields);
      answerArea.replaceChildren(state.fields.el);
    }
    steps.replaceChildren(...q.solution.map((line) => h("li", {}, line)));
    showSolution(false);
    showVerdict({});
    showProgress();
  }

  /** Grade the response on show, show the verdict and, in Jupyter, send it to the kernel. */
  function grade() {
    const q = state.question;
    const response = q.cells
      ? [...state.picked].sort((a, b) => a - b)
      : state.fields.inputs.map((f) => f.input.value);
    const verdict = gradeResponse(q, response);
    showVerdict(verdict);
    if (verdict.status === "right") {
      markSolved(chapter(), q.kind, total());
      showProgress();
    }
    // In Jupyter the kernel grades the response too and sends its verdict back.
    model.send({ response, kind: q.kind, seed: q.seed });
  }
  const fromKernel = (message) => {
    const q = state.question;
    if (message?.verdict && message.kind === q.kind && message.seed === q.seed) {
      showVerdict(message.verdict);
    }
  };
  model.on("msg:custom", fromKernel);

  el.classList.add("cl-widget");
  el.append(
    h(
      "div",
      { class: "cl-quiz" },
      h("div", { class: "cl-quiz-head" }, tabs.el, progress),
      title,
      prompt,
      grids,
      answering,
      feedback,
      solution,
    ),
  );
  const stopQuestion = onChanges(model, ["chapter", "question", "seed"], showQuestion);
  return () => {
    stopQuestion();
    model.off("msg:custom", fromKernel);
  };
}

export default { render };
