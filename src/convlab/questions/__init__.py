"""Questions the page grades: drawn from a seed, answered by convlab, mistakes named.

Each chapter has a few kinds of question (``CHAPTERS``). ``draw(kind, seed)``
builds one as plain JSON (see ``convlab.questions.base``): the prompt with its
numbers, the answer computed by convlab, each known mistake's answer computed by
the same maths with the mistake made, a hint and a worked solution. The browser
builds the same question from the same kind and seed
(``widgets/static/src/questions/``, the numbers drawn by the same generator,
``seeds.Draw``), and ``grade(question, response)`` gives the same verdict there
as here: right, a named mistake, or not yet with a hint.

One module per concept: ``sizes`` (output sizes), ``values`` (one output cell),
``costs`` (parameters, multiply-adds, copies), ``fields`` (which cells one
output reads, receptive fields) and ``gradients``.
"""

from __future__ import annotations

from convlab.checks import check_choice, check_int, is_int
from convlab.questions.grading import grade_response
from convlab.questions.registry import CHAPTERS, KINDS
from convlab.questions.seeds import MAX_SEED

__all__ = ["chapter_kinds", "draw", "grade"]


def chapter_kinds(chapter: str) -> tuple[str, ...]:
    """The kinds of question ``chapter`` asks ('ch01' … 'ch10', 'appendix'), in order."""
    return CHAPTERS[check_choice(chapter, "chapter", tuple(CHAPTERS))]


def draw(kind: str, seed: int) -> dict:
    """The question of ``kind`` drawn from ``seed`` (0 to 2³² − 1), as plain JSON."""
    kind = check_choice(kind, "kind", tuple(KINDS))
    seed = check_int(seed, "seed", 0, MAX_SEED)
    return KINDS[kind](seed)


def _is_question(question: object) -> bool:
    """Whether ``question`` is what ``draw`` returns for its own kind and seed."""
    if not isinstance(question, dict):
        return False
    kind, seed = question.get("kind"), question.get("seed")
    if not isinstance(kind, str) or kind not in KINDS:
        return False
    if not is_int(seed) or not 0 <= seed <= MAX_SEED:
        return False
    return question == draw(kind, seed)


def grade(question: dict, response: object) -> dict:
    """The verdict on an answer: ``{"status", "message", "mistake"}``.

    ``question`` is what ``draw`` returned (checked by drawing it again from its
    kind and seed); ``response`` is the typed text (a str, or a list of str, one
    per field) or, for a cells question, the list of cells clicked as
    (row, column) pairs or indices r·cols + c. ``status`` is "right",
    "mistake" (``mistake`` names it), "not yet", or "invalid" (nothing typed,
    or not a number).
    """
    if not _is_question(question):
        raise ValueError("question: expected a question as draw(kind, seed) returns it")
    if question["cells"]:
        cols, rows = question["cells"]["cols"], question["cells"]["rows"]
        if isinstance(response, str | bytes) or not hasattr(response, "__iter__"):
            raise TypeError(f"response: expected a list of cells, got {type(response).__name__}")
        cells = []
        for cell in response:
            if isinstance(cell, tuple | list) and len(cell) == 2:
                r = check_int(cell[0], "response row", 0, rows - 1)
                c = check_int(cell[1], "response column", 0, cols - 1)
                cells.append(r * cols + c)
            else:
                cells.append(check_int(cell, "response cell", 0, rows * cols - 1))
        return grade_response(question, cells)
    texts = [response] if isinstance(response, str | int | float) else response
    if isinstance(texts, str | bytes) or not isinstance(texts, list | tuple):
        raise TypeError(
            f"response: expected the answer as text, or a list of {len(question['fields'])} texts"
        )
    if len(texts) != len(question["fields"]):
        raise ValueError(
            f"response: this question asks for {len(question['fields'])} numbers "
            f"({', '.join(question['fields'])}), got {len(texts)}"
        )
    return grade_response(question, [str(t) for t in texts])
