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
