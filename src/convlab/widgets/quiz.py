"""The quiz: a chapter's questions, graded at once, with fresh numbers on request.

``Quiz("ch04")`` shows the chapter's kinds of question (``convlab.questions``),
one at a time, each drawn from a seed: the reader types a number (or clicks
cells), presses Enter or "Check", and reads the verdict: right, a known mistake
named, or not yet with a hint; the worked solution, numbers filled in, opens
after an attempt or on request; "Another one" draws a fresh seed. In Jupyter the
answer goes to Python too (a custom message), which grades it and sends its
verdict back for the view to show; on the static page the
browser grades it with the same maths (``static/src/questions/``). Progress
("2 of 3 solved") is kept in the browser's local storage, nothing is sent.
"""

from __future__ import annotations

import traitlets

from convlab.questions import CHAPTERS, chapter_kinds, draw, grade
from convlab.questions.seeds import MAX_SEED
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import Choice, SettingsWidget, Whole

MOST_KINDS = max(len(kinds) for kinds in CHAPTERS.values())
SETTINGS = {
    "chapter": Choice("ch02", tuple(CHAPTERS)),
    # Which of the chapter's kinds is on show (past the last: the last).
    "question": Whole(0, 0, MOST_KINDS - 1, owner="quiz"),
    "seed": Whole(1, 0, MAX_SEED, owner="quiz"),
}


def current(chapter: str, question: int, seed: int) -> dict:
    """The question on show: the chapter's kind number ``question``, drawn from ``seed``."""
    kinds = chapter_kinds(chapter)
    question = SETTINGS["question"].check(question, "question")
    return draw(kinds[min(question, len(kinds) - 1)], seed)


class Quiz(SettingsWidget, settings=SETTINGS):
    """A chapter's questions: ``Quiz("ch04")``. ``check(answer)`` grades an answer here."""

    _esm = STATIC / "quiz.js"
    _css = STYLESHEET

    def __init__(self, chapter: str = "ch02", question: int = 0, seed: int = 1):
        super().__init__(chapter=chapter, question=question, seed=seed)
        self.verdict: dict = {}  # the last verdict graded here, {} before any
        self.on_msg(self._on_message)

    def compute(self) -> dict:
        """The question on show, as ``convlab.questions.draw`` builds it."""
        return current(self.chapter, self.question, self.seed)

    def check(self, answer: object) -> str:
        """Grade ``answer`` (a number or text; a list for several fields or for cells)
        as the view does, show the verdict there too, and return its message."""
        self.verdict = grade(self.compute(), answer)
        self.send({"verdict": self.verdict, "seed": self.seed, "kind": self.compute()["kind"]})
        return self.verdict["message"]

    def _on_message(self, _widget, content: object, _buffers) -> None:
        """The view sends each response here: {"response", "kind", "seed"}. The verdict
        goes back to it (it shows Python's verdict); a broken message is answered in words."""
        if not isinstance(content, dict) or "response" not in content:
            return
        question = self.compute()
        try:
            if content.get("kind") != question["kind"] or content.get("seed") != self.seed:
                raise ValueError("response: it answers another question than the one on show")
            self.verdict = grade(question, content["response"])
        except (TypeError, ValueError) as error:  # a widget never raises: say what is wrong
            self.verdict = {"status": "invalid", "message": str(error), "mistake": ""}
        self.send({"verdict": self.verdict, "seed": self.seed, "kind": question["kind"]})

    @traitlets.observe("chapter", "question", "seed")
    def _new_question(self, change) -> None:
        self.verdict = {}

    def __repr__(self) -> str:
        kinds = chapter_kinds(self.chapter)
        q = self.compute()
        number = min(self.question, len(kinds) - 1) + 1
        answer = ", ".join(f"{v:g}" for v in q["answer"])
        return (
            f"Quiz({self.chapter}: {len(kinds)} kinds of question; question {number}, "
            f"{q['title']!r}, seed {self.seed}: answer {answer}, "
            f"{len(q['mistakes'])} known mistake{'' if len(q['mistakes']) == 1 else 's'})"
        )
