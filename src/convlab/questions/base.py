"""What every question is made of, as plain JSON shared with the browser.

A question is a dict (the browser's twin, ``static/src/questions/base.js``,
builds the same one from the same kind and seed):

- ``kind``, ``seed``, ``title``, ``prompt``: what is asked, numbers filled in;
- ``grids``: small tables shown with the prompt, ``[{"caption", "rows"}]``;
- ``fields``: one label per number asked, or ``cells``: ``{"caption", "rows",
  "cols"}`` when the answer is a set of cells to click (cell r·cols + c);
- ``answer``: the numbers, or the sorted cell indices;
- ``mistakes``: ``[{"name", "answer", "why"}]``, each known mistake's answer,
  computed by the same maths with the mistake made;
- ``hint`` (the rule, no numbers) and ``solution`` (lines, numbers filled in);
- ``params``: the numbers drawn, for tests against independent references.
"""

from __future__ import annotations

from collections.abc import Sequence


def number(value: float) -> str:
    """A number as the questions print it: 3,600, 2.5, 0.333, −4 (a typographic minus)."""
    # Imported here: convlab.widgets imports the quiz widget, which imports this package.
    from convlab.widgets.text import format_count, format_number

    if value < 0:
        return f"−{number(-value)}"
    if float(value).is_integer():
        return format_count(int(value))
    return format_number(value)


def spelled(terms: Sequence[tuple[float, float]]) -> str:
    """One sum spelled out, typographic minus signs: 2×(−1) + 1×3 = 1 (``spelled_sum``)."""
    from convlab.widgets.text import spelled_sum

    return spelled_sum(terms).replace("-", "−")


def signed(value: float) -> str:
    """A number with a typographic minus sign: −3, 2.5."""
    return f"−{number(-value)}" if value < 0 else number(value)


def article(n: int, capital: bool = False) -> str:
    """ "a" or "an" before the number n read aloud: an 8, an 11, an 18, a 16."""
    digits = str(n)
    lead = digits[: (len(digits) - 1) % 3 + 1]
    word = "an" if lead.startswith("8") or lead in ("11", "18") else "a"
    return word.capitalize() if capital else word


def cell_list(cells: Sequence[tuple[int, int]]) -> str:
    """(0, 1), (0, 2), … : cells as (row, column) pairs."""
    return ", ".join(f"({r}, {c})" for r, c in cells)


def _as_list(answer) -> list:
    return list(answer) if isinstance(answer, list | tuple) else [answer]


def question(
    kind: str,
    seed: int,
    *,
    title: str,
    prompt: str,
    answer,
    hint: str,
    solution: Sequence[str],
    mistakes: Sequence[tuple[str, object, str]] = (),
    fields: Sequence[str] = ("Your answer",),
    grids: Sequence[tuple[str, list]] = (),
    cells: dict | None = None,
    params: dict | None = None,
) -> dict:
    """The question as plain JSON. A mistake whose answer is the right one, or that of
    an earlier mistake, is dropped: it could not be told apart."""
    answer = _as_list(answer)
    seen, kept = [answer], []
    for name, wrong, why in mistakes:
        wrong = _as_list(wrong)
        if wrong in seen:
            continue
        seen.append(wrong)
        kept.append({"name": name, "answer": wrong, "why": why})
    return {
        "kind": kind,
        "seed": seed,
        "title": title,
        "prompt": prompt,
        "grids": [{"caption": caption, "rows": rows} for caption, rows in grids],
        "fields": [] if cells else list(fields),
        "cells": cells,
        "answer": answer,
        "mistakes": kept,
        "hint": hint,
        "solution": list(solution),
        "params": params or {},
    }


def cell_answer(cells: Sequence[tuple[int, int]], cols: int) -> list[int]:
    """Cells (row, column) as the sorted indices r·cols + c a cells question answers with."""
    return sorted({r * cols + c for r, c in cells})
