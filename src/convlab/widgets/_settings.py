"""Checking a widget's slider settings passed from Python."""

from __future__ import annotations

from numbers import Integral


def slider_value(value: object, name: str, low: int, high: int) -> int:
    """``value`` as an int within a slider's range [low, high], or an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name}: the widget allows {low} to {high}, got {value}")
    return int(value)


def window_position(value: object) -> int:
    """A window position (an output cell number, row by row): a whole number ≥ 0.

    A position past the last cell is allowed: the widgets stop at the last one.
    """
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ValueError(f"position: expected a whole number ≥ 0, got {value!r}")
    return int(value)
