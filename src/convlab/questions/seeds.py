"""Numbers drawn from a seed: mulberry32, the same 32-bit generator in Python and the browser.

A question is drawn from its kind and a seed. ``Draw(seed)`` gives the same
numbers here as ``new Draw(seed)`` in ``static/src/questions/seeds.js``: the
generator works on 32-bit unsigned integers (Python masks what JavaScript's
``Math.imul`` and ``>>>`` wrap), and every number it returns is k / 2³², exact
in a float on both sides, so ``whole(low, high)`` picks the same whole number.
"""

from __future__ import annotations

from collections.abc import Sequence

from convlab.checks import check_int

MASK = 0xFFFFFFFF
MAX_SEED = MASK  # seeds are 32-bit unsigned integers


def _imul(a: int, b: int) -> int:
    """JavaScript's ``Math.imul`` on unsigned 32-bit values, modulo 2³²."""
    return (a * b) & MASK


class Draw:
    """mulberry32: a small, fast generator of 32-bit numbers from a 32-bit seed."""

    def __init__(self, seed: int):
        self.state = check_int(seed, "seed", 0, MAX_SEED)

    def unit(self) -> float:
        """The next number in [0, 1), a multiple of 2⁻³²."""
        self.state = (self.state + 0x6D2B79F5) & MASK
        t = self.state
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & MASK
        return ((t ^ (t >> 14)) & MASK) / 2**32

    def whole(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + int(self.unit() * (high - low + 1))

    def pick(self, items: Sequence):
        """One of ``items``."""
        return items[self.whole(0, len(items) - 1)]

    def grid(self, rows: int, cols: int, low: int, high: int) -> list[list[int]]:
        """A rows × cols grid of whole numbers from ``low`` to ``high``, row by row."""
        return [[self.whole(low, high) for _ in range(cols)] for _ in range(rows)]
