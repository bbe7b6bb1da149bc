// The reader's progress in the quizzes, kept in the browser (localStorage) and
// nowhere else: { chapter: { solved: [kinds], total } }. book/_static/quiz-progress.js
// reads the same record for the introduction's chapter list.

export const PROGRESS_KEY = "convlab-quiz-progress";
const memory = {}; // when the browser keeps no storage (private mode, a sandbox)

function load() {
  try {
    const text = globalThis.localStorage?.getItem(PROGRESS_KEY);
    return text ? JSON.parse(text) : memory;
  } catch {
    return memory;
  }
}

function save(record) {
  try {
    globalThis.localStorage?.setItem(PROGRESS_KEY, JSON.stringify(record));
  } catch {
    // Storage full or refused: the progress lasts as long as the page.
  }
}

/** The kinds solved in `chapter` (a Set), and its total recorded. */
export function progressOf(chapter, total) {
  const record = load();
  const entry = record[chapter] ?? { solved: [], total };
  if (entry.total !== total) {
    record[chapter] = { solved: entry.solved, total };
    save(record);
  }
  return new Set(entry.solved);
}

/** Record `kind` as solved in `chapter`; returns the solved kinds. */
export function markSolved(chapter, kind, total) {
  const record = load();
  const solved = new Set(record[chapter]?.solved ?? []);
  solved.add(kind);
  record[chapter] = { solved: [...solved].sort(), total };
  Object.assign(memory, record);
  save(record);
  return solved;
}
