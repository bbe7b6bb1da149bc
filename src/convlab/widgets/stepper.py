"""The cross-correlation stepper: a window slides over the input, one sum at a time."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from convlab.checks import check_int
from convlab.kernels import convolve2d, corr2d
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import POSITION, Choice, Grid, SettingsWidget, checked
from convlab.widgets.text import format_matrix, spelled_sum

MAX_INPUT = 8
MAX_KERNEL = 5
MODES = ("correlation", "convolution")
# Grids are synced as lists of rows; a tensor or an array is accepted and converted.
# The defaults are the course's worked example: the 3×3 input 0…8 and the 2×2 kernel 0…3.
SETTINGS = {
    "X": Grid([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], MAX_INPUT),
    "K": Grid([[0.0, 1.0], [2.0, 3.0]], MAX_KERNEL),
    "position": POSITION,
    "mode": Choice("correlation", MODES),
}


def size_problem(nh: int, nw: int, kh: int, kw: int) -> str | None:
    """Why a kh×kw kernel cannot slide over an nh×nw input (words and numbers), or None."""
    nh, nw, kh, kw = (
        check_int(v, name, 1) for v, name in ((nh, "nh"), (nw, "nw"), (kh, "kh"), (kw, "kw"))
    )
    for axis, n, k in (("row", nh, kh), ("column", nw, kw)):
        if k > n:
            return (
                f"The kernel has {k} {axis}s but the input has only {n}: a window must fit "
                f"inside the input (k ≤ n), and n − k + 1 = {n} − {k} + 1 = {n - k + 1} "
                f"leaves no output {axis}."
            )
    return None


@dataclass(frozen=True)
class Step:
    """What the stepper shows for one setting."""

    output: torch.Tensor | None  # None when the kernel does not fit
    row: int  # the output cell under the window
    col: int
    terms: tuple[tuple[float, float], ...]  # (input value, kernel value) per product
    sum_text: str  # "0×0 + 1×1 + 3×2 + 4×3 = 19"
    problem: str | None  # the broken rule, in words


def step(X, K, position: int = 0, mode: str = "correlation") -> Step:
    """Slide ``K`` over ``X`` and stop at window number ``position`` (row-major).

    In ``"convolution"`` mode the kernel is flipped both ways before sliding.
    A position past the last window stops at the last one, as the slider does.
    """
    X, K, position, mode = checked(SETTINGS, X=X, K=K, position=position, mode=mode).values()
    X = torch.tensor(X, dtype=torch.float64)
    K = torch.tensor(K, dtype=torch.float64)
    (nh, nw), (kh, kw) = X.shape, K.shape
    problem = size_problem(nh, nw, kh, kw)
    if problem:
        return Step(None, 0, 0, (), "", problem)
    applied = K.flip(0, 1) if mode == "convolution" else K
    output = convolve2d(X, K) if mode == "convolution" else corr2d(X, K)
    ow = nw - kw + 1
    row, col = divmod(min(position, output.numel() - 1), ow)
    window = X[row : row + kh, col : col + kw]
    terms = tuple(zip(window.flatten().tolist(), applied.flatten().tolist(), strict=True))
    return Step(output, row, col, terms, spelled_sum(terms), None)


class CorrelationStepper(SettingsWidget, settings=SETTINGS):
    """Editable input and kernel, a window-position slider, play/step buttons,
    the current sum spelled out and a cross-correlation / convolution toggle.

    Defaults are the course's worked example: the 3×3 input 0…8 and the
    2×2 kernel 0…3, whose cross-correlation is [[19, 25], [37, 43]].
    """

    _esm = STATIC / "stepper.js"
    _css = STYLESHEET

    def __init__(self, X=None, K=None, *, position: int = 0, mode: str = "correlation"):
        grids = {name: v for name, v in (("X", X), ("K", K)) if v is not None}
        super().__init__(**grids, position=position, mode=mode)

    def compute(self) -> Step:
        """What the view shows for the current traits."""
        return step(self.X, self.K, self.position, self.mode)

    def __repr__(self) -> str:
        s = self.compute()
        name = "cross-correlation" if self.mode == "correlation" else "convolution"
        shape = f"X {len(self.X)}×{len(self.X[0])}, K {len(self.K)}×{len(self.K[0])}, {name}"
        if s.problem:
            return f"CorrelationStepper({shape}: {s.problem})"
        return (
            f"CorrelationStepper({shape}, window ({s.row}, {s.col}): {s.sum_text}; "
            f"Y = {format_matrix(s.output.tolist())})"
        )
