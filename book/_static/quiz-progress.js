// The introduction's chapter list: next to each chapter, how many of its quiz's
// questions the reader has solved, as the quiz widget keeps it in this browser's
// localStorage ({ chapter: { solved: [kinds], total } }, see the widgets'
// ui/progress.js). Nothing is sent anywhere; without JavaScript, or before any
// quiz was tried, the marks stay empty and the list reads as it is.

const KEY = "convlab-quiz-progress";

function record() {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

function fill() {
  const progress = record();
  for (const mark of document.querySelectorAll(".cl-quiz-mark[data-quiz]")) {
    const entry = progress[mark.dataset.quiz];
    if (!entry || !Number.isInteger(entry.total) || entry.total < 1) continue;
    const solved = Math.min(Array.isArray(entry.solved) ? entry.solved.length : 0, entry.total);
    mark.textContent = `Quiz: ${solved} of ${entry.total} solved`;
    mark.classList.toggle("cl-quiz-all", solved === entry.total);
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fill);
else fill();
