"""Checking the small grids of numbers that widgets take as input."""

from __future__ import annotations

import math

import torch


def as_grid(value, name: str, max_size: int) -> list[list[float]]:
    """``value`` (nested lists, a tensor or an array) as rows of floats, or a clear error.

    A grid is 2-D, has 1 to ``max_size`` rows and columns, and holds finite numbers.
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().tolist()
    elif hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, list | tuple) or not all(isinstance(r, list | tuple) for r in value):
        raise TypeError(f"{name}: expected a 2-D grid (a list of rows of numbers), got {value!r}")
    rows = len(value)
    cols = len(value[0]) if rows else 0
    if not 1 <= rows <= max_size or not 1 <= cols <= max_size:
        raise ValueError(
            f"{name}: a grid here has 1 to {max_size} rows and columns, got {rows}×{cols}"
        )
    if any(len(r) != cols for r in value):
        lengths = sorted({len(r) for r in value})
        raise ValueError(f"{name}: every row needs the same length, got row lengths {lengths}")
    grid = []
    for i, row in enumerate(value):
        out = []
        for j, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise TypeError(f"{name}[{i}, {j}]: expected a number, got {v!r}")
            if not math.isfinite(v):
                raise ValueError(f"{name}[{i}, {j}]: expected a finite number, got {v!r}")
            out.append(float(v))
        grid.append(out)
    return grid
