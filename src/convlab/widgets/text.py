"""How widgets write numbers and sums; the same rules as ``convmath.js``."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def format_number(value: float) -> str:
    """Integers as they are, other numbers rounded to at most 3 decimals."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    rounded = math.floor(value * 1000 + 0.5) / 1000  # half up, like JS Math.round
    return "0" if rounded == 0 else repr(rounded)


def spelled_sum(terms: Iterable[tuple[float, float]]) -> str:
    """One output cell's sum spelled out: ``0×0 + 1×1 + 3×2 + 4×3 = 19``."""
    terms = list(terms)

    def show(v: float) -> str:
        return f"({format_number(v)})" if v < 0 else format_number(v)

    total = sum(x * k for x, k in terms)
    products = " + ".join(f"{show(x)}×{show(k)}" for x, k in terms)
    return f"{products} = {format_number(total)}"


def format_matrix(rows: Sequence[Sequence[float]]) -> str:
    """``[[19, 25], [37, 43]]``: a small matrix on one line."""
    return "[" + ", ".join("[" + ", ".join(map(format_number, r)) + "]" for r in rows) + "]"
