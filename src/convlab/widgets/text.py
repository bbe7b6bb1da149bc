"""How widgets write numbers and sums; the same rules as ``static/src/widgets/text.js``.

Like JavaScript's ``String(number)``, infinities and NaN are written ``Infinity``,
``-Infinity`` and ``NaN``, and whole numbers of 10²¹ or more in exponent form
(``1e+21``): a widget's text never fails on an overflowing sum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

from convlab.checks import check_int, check_number, check_real, is_int


def _special(value: float) -> str | None:
    """``Infinity``, ``-Infinity`` or ``NaN`` as JavaScript writes them, else None."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return None


def _whole(value: float) -> str:
    """A whole float as JavaScript's ``String`` writes it: shortest digits, exponent from 1e21."""
    if abs(value) >= 1e21:
        return repr(value)  # '1e+21', '1.5e+22': the same form as JavaScript
    return str(int(Decimal(repr(value))))  # 1.2345678901234568e+20 -> '123456789012345680000'


def format_number(value: float) -> str:
    """Integers as they are, other numbers rounded to at most 3 decimals."""
    value = check_real(value, "value")
    if _special(value):
        return _special(value)
    if value.is_integer():
        return _whole(value)
    rounded = math.floor(value * 1000 + 0.5) / 1000  # half up, like JS Math.round
    return "0" if rounded == 0 else repr(rounded)


def spelled_sum(terms: Iterable[tuple[float, float]]) -> str:
    """One output cell's sum spelled out: ``0×0 + 1×1 + 3×2 + 4×3 = 19``."""
    terms = _pairs(terms)

    def show(v: float) -> str:
        return f"({format_number(v)})" if v < 0 else format_number(v)

    total = sum(x * k for x, k in terms)
    products = " + ".join(f"{show(x)}×{show(k)}" for x, k in terms)
    return f"{products} = {format_number(total)}"


def _pairs(terms: object) -> list[tuple[float, float]]:
    """``terms`` (pairs, or a tensor or an array of shape (n, 2)) as (x, k) floats, or an error."""
    if hasattr(terms, "tolist") and not isinstance(terms, str):
        terms = terms.tolist()
    if isinstance(terms, str | bytes) or not isinstance(terms, Iterable):
        raise TypeError(f"terms: expected (x, k) pairs of numbers, got {type(terms).__name__}")
    pairs = []
    for i, term in enumerate(terms):
        if not isinstance(term, Sequence) or isinstance(term, str) or len(term) != 2:
            raise TypeError(f"terms[{i}]: expected a pair (x, k) of numbers, got {term!r}")
        pairs.append((check_real(term[0], f"terms[{i}]"), check_real(term[1], f"terms[{i}]")))
    return pairs


def format_matrix(rows: Sequence[Sequence[float]]) -> str:
    """``[[19, 25], [37, 43]]``: a small matrix on one line (a tensor or an array too)."""
    if hasattr(rows, "tolist") and not isinstance(rows, str):
        rows = rows.tolist()
    if isinstance(rows, str) or not isinstance(rows, Sequence):
        raise TypeError(f"rows: expected a list of rows of numbers, got {type(rows).__name__}")
    lines = []
    for i, row in enumerate(rows):
        if isinstance(row, str) or not isinstance(row, Sequence):
            raise TypeError(f"rows[{i}]: expected a row of numbers, got {type(row).__name__}")
        numbers = (format_number(check_real(v, f"rows[{i}][{j}]")) for j, v in enumerate(row))
        lines.append("[" + ", ".join(numbers) + "]")
    return "[" + ", ".join(lines) + "]"


def minus_sign(value: int) -> str:
    """An integer with a typographic minus sign, as the formulas write it: −3."""
    if not is_int(value):
        raise TypeError(f"value: expected an int, got {type(value).__name__} {value!r}")
    return f"−{-value}" if value < 0 else str(value)


def format_count(n: int) -> str:
    """A whole number with its thousands marked: ``3,600,000,100``."""
    if not is_int(n):
        raise TypeError(f"n: expected an int, got {type(n).__name__} {n!r}")
    return f"{int(n):,}"


def format_ratio(dense: int, conv: int) -> str:
    """dense ÷ conv for the table: ``1,285,639``, ``2.5``, or ``1 / 3,600`` when conv is larger."""
    dense = check_number(dense, "dense", "a number > 0", lambda v: v > 0)
    conv = check_number(conv, "conv", "a number > 0", lambda v: v > 0)
    ratio = dense / conv
    if ratio >= 10:
        return format_count(int(ratio + 0.5))
    if ratio >= 0.01:
        return format_number(ratio)
    return f"1 / {format_count(int(conv / dense + 0.5))}"


def format_sig(value: float, digits: int = 3) -> str:
    """About ``digits`` significant digits, trailing zeros dropped: 0.00497, 0.632, 12.3.

    Numbers of 1000 or more are rounded to whole numbers. Same rule as
    ``formatSig`` in ``static/src/widgets/text.js``.
    """
    value = check_real(value, "value")
    digits = check_int(digits, "digits", 1, 17)
    if value == 0:
        return "0"
    if _special(value):
        return _special(value)
    if abs(value) >= 1000:
        return _whole(math.floor(value + 0.5) * 1.0)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    if decimals > 300:  # 10**decimals would overflow a float: round exactly instead
        text = f"{Decimal(value).quantize(Decimal(10) ** -decimals, ROUND_HALF_UP):f}"
    else:
        scale = 10**decimals
        text = f"{math.floor(value * scale + 0.5) / scale:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_short(value: float) -> str:
    """3 significant digits, as ``formatShort`` in text.js: 0.0333, 25, 4.37e-4, 2.05e7."""
    value = check_real(value, "value")
    if value == 0:
        return "0"
    if _special(value):
        return _special(value)
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
