"""Checking an answer: right, a known mistake (named), or not yet (with a hint).

The same rules as ``static/src/questions/grading.js``. A typed number may use a
typographic minus (−3), thousands separators (3,600) and a decimal point; a
whole-number answer must be met exactly, any other within 0.006 (two decimals
are enough: 4.33 for 13/3).
"""

from __future__ import annotations

import math
import re

from convlab.questions.base import number

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
TOLERANCE = 0.006


def parse(text: str) -> float | None:
    """The number typed, or None when it is not one."""
    plain = str(text).strip().replace("−", "-").replace(",", "").replace(" ", "")
    if not NUMBER.match(plain):
        return None
    value = float(plain)
    return value if math.isfinite(value) else None


def close(typed: float, wanted: float) -> bool:
    """Whole numbers exactly; others within two decimals."""
    if float(wanted).is_integer():
        return typed == wanted
    return abs(typed - wanted) < TOLERANCE


def matches(response: list, wanted: list, is_cells: bool) -> bool:
    if is_cells:
        return response == wanted
    return len(response) == len(wanted) and all(map(close, response, wanted))


def shown(question: dict, values: list) -> str:
    """An answer in words: "5", "output height 5, output width 7", or "4 cells"."""
    if question["cells"]:
        return f"{len(values)} cell{'' if len(values) == 1 else 's'}"
    if len(values) == 1:
        return number(values[0])
    return ", ".join(
        f"{label.lower()} {number(v)}" for label, v in zip(question["fields"], values, strict=True)
    )


def verdict(status: str, message: str, mistake: str = "") -> dict:
    return {"status": status, "message": message, "mistake": mistake}


def grade_response(question: dict, response: list) -> dict:
    """The verdict on ``response``: the typed texts, one per field, or the cells clicked.

    ``status`` is "right", "mistake" (``mistake`` names it), "not yet", or "invalid"
    (nothing typed, or not a number: not counted as an attempt).
    """
    is_cells = bool(question["cells"])
    if is_cells:
        values = sorted(set(response))
        if not values:
            return verdict("invalid", "Click the cells first: each click marks or unmarks one.")
    else:
        values = []
        for label, text in zip(question["fields"], response, strict=True):
            if str(text).strip() == "":
                return verdict("invalid", f"{label}: type a number first.")
            value = parse(text)
            if value is None:
                return verdict(
                    "invalid",
                    f"{label}: “{str(text).strip()}” is not a number; type one such as 12.",
                )
            values.append(value)
    if matches(values, question["answer"], is_cells):
        return verdict("right", f"Right: {shown(question, question['answer'])}.")
    for mistake in question["mistakes"]:
        if matches(values, mistake["answer"], is_cells):
            return verdict(
                "mistake",
                f"Not quite: that answer comes from {mistake['name']}. {mistake['why']}",
                mistake["name"],
            )
    return verdict("not yet", f"Not yet. Hint: {question['hint']}")
