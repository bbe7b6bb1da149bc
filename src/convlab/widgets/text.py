"""How widgets write numbers and sums; the same rules as ``convmath.js`` (tested against it)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext


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


def format_count(n: int) -> str:
    """A whole number with its thousands marked: ``3,600,000,100``."""
    return f"{n:,}"


def format_ratio(dense: int, conv: int) -> str:
    """dense ÷ conv for the table: ``1,285,639``, ``2.5``, or ``1 / 3,600`` when conv is larger."""
    ratio = dense / conv
    if ratio >= 10:
        return format_count(int(ratio + 0.5))
    if ratio >= 0.01:
        return format_number(ratio)
    return f"1 / {format_count(int(conv / dense + 0.5))}"


def format_sig(value: float, digits: int = 3) -> str:
    """About ``digits`` significant digits, trailing zeros dropped: 0.00497, 0.632, 12.3.

    Numbers of 1000 or more are rounded to whole numbers. Same rule as
    ``formatSig`` in ``convmath.js``.
    """
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return str(math.floor(value + 0.5))
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    scale = 10**decimals
    text = f"{math.floor(value * scale + 0.5) / scale:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_short(value: float) -> str:
    """3 significant digits, as ``formatShort`` in convmath.js: 0.0333, 25, 4.37e-4, 2.05e7."""
    value = float(value)
    if value == 0:
        return "0"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    with localcontext() as exact_maths:
        exact_maths.prec = 1000  # a double has at most 767 significant digits: no rounding
        exact = abs(Decimal(value))
        exponent = exact.adjusted()
        mantissa = exact.scaleb(-exponent).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if mantissa >= 10:  # 9.996 rounds up to 10.0
        mantissa, exponent = Decimal("1.00"), exponent + 1
    sign = "-" if value < 0 else ""
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        digits = f"{mantissa:f}".rstrip("0").rstrip(".")
        return f"{sign}{digits}e{exponent}"
    text = repr(float(mantissa.scaleb(exponent)))
    return sign + (text[:-2] if text.endswith(".0") else text)
