"""Checking the small grids of numbers that widgets take as input."""

from __future__ import annotations

import math
from numbers import Real

import torch

from convlab.checks import check_int


def counting_grid(size: int, modulo: int, largest: int = 8) -> list[list[int]]:
    """1, 2, …, ``modulo``, 1, 2, … row by row on a size × size grid (size ≤ ``largest``).

    No cell is 0, so every product a widget shows has its own non-zero number.
    """
    size = check_int(size, "size", 1, largest)
    modulo = check_int(modulo, "modulo", 1)
    return [[(i * size + j) % modulo + 1 for j in range(size)] for i in range(size)]


def as_grid(value, name: str, max_size: int) -> list[list[float]]:
    """``value`` (nested lists, a tensor or an array) as rows of floats, or a clear error.

    A grid is 2-D, has 1 to ``max_size`` rows and columns, and holds finite real
    numbers (numpy scalars too, never bools). The size is checked before anything
    is copied, so a huge tensor is refused without being converted.
    """
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, list | tuple):
        if len(shape) != 2:
            raise TypeError(
                f"{name}: expected a 2-D grid (a list of rows of numbers), "
                f"got a {len(shape)}-D {type(value).__name__} of shape {tuple(shape)}"
            )
        _check_size(name, shape[0], shape[1], max_size)
        value = value.detach().cpu().tolist() if isinstance(value, torch.Tensor) else value.tolist()
    if not isinstance(value, list | tuple):
        raise TypeError(
            f"{name}: expected a 2-D grid (a list of rows of numbers), "
            f"got {type(value).__name__} {_short(value)}"
        )
    rows = len(value)
    _check_size(name, rows, len(value[0]) if rows and _is_row(value[0]) else 1, max_size)
    if not all(_is_row(r) for r in value):
        raise TypeError(
            f"{name}: expected a 2-D grid (a list of rows of numbers), got {_short(value)}"
        )
    cols = len(value[0])
    _check_size(name, rows, cols, max_size)
    if any(len(r) != cols for r in value):
        lengths = sorted({len(r) for r in value})
        raise ValueError(f"{name}: every row needs the same length, got row lengths {lengths}")
    return [
        [_entry(v, f"{name}[{i}, {j}]") for j, v in enumerate(row)] for i, row in enumerate(value)
    ]


def _is_row(row: object) -> bool:
    return isinstance(row, list | tuple)


def _check_size(name: str, rows: int, cols: int, max_size: int) -> None:
    if not 1 <= rows <= max_size or not 1 <= cols <= max_size:
        raise ValueError(
            f"{name}: a grid here has 1 to {max_size} rows and columns, got {rows}×{cols}"
        )


def _entry(v: object, where: str) -> float:
    """One cell: a finite real number as a float."""
    if isinstance(v, bool) or not isinstance(v, Real):
        raise TypeError(f"{where}: expected a number, got {_short(v)}")
    try:
        number = float(v)
    except OverflowError:  # an int too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{where}: expected a finite number, got {_short(v)}")
    return number


def _short(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut short: a message never prints a whole large input."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
