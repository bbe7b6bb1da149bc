"""The transposed-convolution stepper: each input cell scatters a scaled copy of the kernel.

A transposed convolution runs a convolution backwards: instead of summing a
window of the input into one output cell, each input cell spreads over a window
of the output. Input cell (i, j) multiplies the whole kernel and adds the copy
into the output with its tap (a, b) on cell (i·s + a·d, j·s + b·d) of the
uncropped *canvas*; where copies overlap they add up. ``padding`` then crops p
cells from each end of the canvas and ``output_padding`` keeps that many more at
the bottom and right. The view steps through the input cells one at a time and
counts, for each output cell, how many kernel taps land there: when the kernel
size is not a multiple of the stride the counts alternate, the checkerboard.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from convlab.checks import check_int
from convlab.kernels import transpose
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._grid import counting_grid
from convlab.widgets._settings import POSITION, SettingsWidget, Whole, checked
from convlab.widgets.text import format_matrix, minus_sign, spelled_sum

# The sliders (square input and kernel, one stride, padding, …, for both axes).
SLIDERS = {
    "input_size": Whole(3, 1, 5, owner="stepper"),
    "kernel_size": Whole(3, 1, 4, owner="stepper"),
    "stride": Whole(2, 1, 3, owner="stepper"),
    "padding": Whole(0, 0, 3, owner="stepper"),
    "output_padding": Whole(0, 0, 2, owner="stepper"),
    "dilation": Whole(1, 1, 2, owner="stepper"),
}
SETTINGS = SLIDERS | {"position": POSITION}  # position: the input cell scattering now
INPUT_MODULO = 10  # input cells hold 1, 2, …, 9, 10, 1, … (row by row)
KERNEL_MODULO = 4  # kernel cells hold 1, 2, 3, 4, 1, … (a 2×2 kernel is [[1, 2], [3, 4]])


def pattern_grid(size: int, modulo: int) -> list[list[int]]:
    """The numbers 1, 2, …, ``modulo``, 1, 2, … row by row on a size × size grid.

    No cell is 0, so every scaled copy of the kernel shows in the output.
    """
    return counting_grid(size, modulo)


def transposed_size(n: int, k: int, s: int, p: int, d: int, output_padding: int) -> int:
    """Output length along one axis: (n − 1)·s − 2p + d·(k − 1) + output_padding + 1."""
    n, k, s, d = (check_int(v, name, 1) for v, name in ((n, "n"), (k, "k"), (s, "s"), (d, "d")))
    p, output_padding = check_int(p, "p", 0), check_int(output_padding, "output_padding", 0)
    return transpose.transposed_size(n, k, s, p, d, output_padding)


def size_formula(n: int, k: int, s: int, p: int, d: int, output_padding: int) -> str:
    """The output-size rule with the numbers filled in (one axis; the widget is square)."""
    size = transposed_size(n, k, s, p, d, output_padding)
    return (
        "Output size = (n − 1)s − 2p + d(k − 1) + output_padding + 1 = "
        f"({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {output_padding} + 1 = {minus_sign(size)}"
    )


def transposed_problem(n: int, k: int, s: int, p: int, d: int, output_padding: int) -> str | None:
    """Why PyTorch refuses this transposed convolution, in words with the numbers, or None.

    Two rules: ``output_padding`` must be smaller than the stride or the dilation
    (it only picks one of the input sizes that a stride-s convolution maps to the
    same output size), and the padding must leave at least one output cell.
    """
    size = transposed_size(n, k, s, p, d, output_padding)
    sentences = []
    if output_padding >= s and output_padding >= d:
        sentences.append(
            f"output_padding {output_padding} is not smaller than the stride {s} or the "
            f"dilation {d}. A stride-{s} convolution maps {s} input sizes in a row to the "
            f"same output size; output_padding only picks which of them to give back "
            f"(0 to {max(s, d) - 1}), so PyTorch needs it smaller than the stride or the "
            "dilation."
        )
    if size < 1:
        span = size + 2 * p - output_padding
        sentences.append(
            f"The padding crops the whole output: (n − 1)s − 2p + d(k − 1) + "
            f"output_padding + 1 = {minus_sign(size)}, and an output needs at least one cell. "
            f"The copies span (n − 1)s + d(k − 1) + 1 = {span} cell{'s' if span > 1 else ''}, "
            f"and padding {p} removes 2·{p} = {2 * p} of them."
        )
    return " ".join(sentences) or None


def axis_counts(n: int, k: int, s: int, d: int, length: int) -> list[int]:
    """How many kernel taps land on each of the first ``length`` canvas cells of one axis.

    Cell c of the canvas receives tap a of input cell i when i·s + a·d = c.
    """
    n, k, s, d = (check_int(v, name, 1) for v, name in ((n, "n"), (k, "k"), (s, "s"), (d, "d")))
    length = check_int(length, "length", 0, 10_000)
    counts = [0] * length
    for i in range(n):
        for a in range(k):
            if i * s + a * d < length:
                counts[i * s + a * d] += 1
    return counts


def pattern_text(k: int, s: int, d: int) -> str:
    """Whether the inner cells all receive as many copies: the checkerboard, in words."""
    k, s, d = check_int(k, "k", 1), check_int(s, "s", 1), check_int(d, "d", 1)
    n = k * d + 2 * s  # enough input cells that the middle of the canvas is periodic
    counts = axis_counts(n, k, s, d, (n - 1) * s + d * (k - 1) + 1)
    middle = counts[k * d : k * d + s]  # one period, away from both ends
    values = sorted(set(middle))
    listed = " or ".join(map(str, values))
    squares = sorted({a * b for a in values for b in values})
    if len(values) == 1:
        return (
            f"Along each axis every inner output cell receives {values[0]} kernel tap"
            f"{'s' if values[0] != 1 else ''} ({values[0] * values[0]} in 2-D): the copies "
            "overlap evenly, no checkerboard."
        )
    if values[0] == 0:
        g = math.gcd(s, d)
        why = (
            f"every tap lands on i·s + a·d, a multiple of {g}, the largest number "
            f"dividing both s = {s} and d = {d}"
            if g > 1
            else f"the copies, d(k − 1) + 1 = {d * (k - 1) + 1} wide, are narrower than "
            f"the stride {s}"
        )
        return (
            f"Along each axis the inner output cells receive {listed} kernel taps in turn "
            f"({why}): some output cells get no copy at all, a grid of holes."
        )
    because = f"k = {k} is not a multiple of s = {s}" if d == 1 else f"k = {k}, s = {s}, d = {d}"
    return (
        f"Along each axis the inner output cells receive {listed} kernel taps in turn "
        f"({because}): in 2-D {', '.join(map(str, squares[:-1]))} or {squares[-1]} copies "
        "overlap, a checkerboard."
    )


def conv_transpose2d_call(k: int, s: int, p: int, d: int, output_padding: int) -> str:
    """The ``nn.ConvTranspose2d`` layer (one channel in and out, no bias) with these settings."""
    k, s, d = check_int(k, "k", 1), check_int(s, "s", 1), check_int(d, "d", 1)
    p, output_padding = check_int(p, "p", 0), check_int(output_padding, "output_padding", 0)
    return (
        f"nn.ConvTranspose2d(1, 1, kernel_size={k}, stride={s}, padding={p}, "
        f"output_padding={output_padding}, dilation={d}, bias=False)"
    )


@dataclass(frozen=True)
class Scatter:
    """What the transposed-convolution stepper shows for one setting."""

    X: torch.Tensor  # the input, pattern_grid(n, 10)
    K: torch.Tensor  # the kernel, pattern_grid(k, 4)
    canvas: torch.Tensor  # the uncropped canvas after input cells 0 … position have scattered
    row: int  # the input cell scattering now
    col: int
    copy: torch.Tensor  # its scaled copy of the kernel, X[row, col]·K
    landing: tuple[tuple[int, int], ...]  # canvas cell of each tap of that copy, row by row
    crop: int  # the canvas cell where the output starts (the padding p), both axes
    size: int  # the output's side (may be < 1 when the padding crops everything)
    output: torch.Tensor | None  # the finished transposed convolution; None when refused
    counts: torch.Tensor | None  # kernel taps landing on each output cell
    formula: str  # the output-size rule with the numbers
    pattern: str  # even overlap or checkerboard, in words
    call: str  # the equivalent nn.ConvTranspose2d(...)
    problem: str | None  # the broken rule, in words


def canvas_side(n: int, k: int, s: int, p: int, d: int, output_padding: int) -> int:
    """Cells of the canvas along one axis: the copies' span, or further when
    ``output_padding`` asks for cells past it (they stay 0)."""
    span = (n - 1) * s + d * (k - 1) + 1
    return max(span, p + transposed_size(n, k, s, p, d, output_padding))


def scatter(
    input_size: int = 3,
    kernel_size: int = 3,
    stride: int = 2,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
    position: int = 0,
) -> Scatter:
    """Scatter the pattern input's cells 0 … ``position`` (row by row; past the end
    means all of them) and crop the finished canvas to the output.

    A setting PyTorch refuses is not an error here: the copies are still
    scattered on the canvas, ``output`` and ``counts`` are None and ``problem``
    says why.
    """
    n, k, s, p, op, d, position = checked(
        SETTINGS,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        position=position,
    ).values()
    X = torch.tensor(pattern_grid(n, INPUT_MODULO), dtype=torch.float64)
    K = torch.tensor(pattern_grid(k, KERNEL_MODULO), dtype=torch.float64)
    side = canvas_side(n, k, s, p, d, op)
    at = min(position, n * n - 1)
    canvas = torch.zeros(side, side, dtype=torch.float64)
    full = torch.zeros(side, side, dtype=torch.float64)
    taps = torch.zeros(side, side, dtype=torch.int64)
    for cell in range(n * n):
        i, j = divmod(cell, n)
        for a in range(k):
            for b in range(k):
                r, c = i * s + a * d, j * s + b * d
                full[r, c] += X[i, j] * K[a, b]
                taps[r, c] += 1
                if cell <= at:
                    canvas[r, c] += X[i, j] * K[a, b]
    row, col = divmod(at, n)
    landing = tuple((row * s + a * d, col * s + b * d) for a in range(k) for b in range(k))
    size = transposed_size(n, k, s, p, d, op)
    problem = transposed_problem(n, k, s, p, d, op)
    output = counts = None
    if problem is None:
        output, counts = full[p : p + size, p : p + size], taps[p : p + size, p : p + size]
    return Scatter(
        X,
        K,
        canvas,
        row,
        col,
        X[row, col] * K,
        landing,
        p,
        size,
        output,
        counts,
        size_formula(n, k, s, p, d, op),
        pattern_text(k, s, d),
        conv_transpose2d_call(k, s, p, d, op),
        problem,
    )


def output_sum(
    input_size: int, kernel_size: int, stride: int, padding: int, dilation: int, row: int, col: int
) -> str:
    """Output cell (row, col) spelled out: ``Y[1, 2] = 1×3 + 2×1 = 5``, one product per
    copy that lands there (input value × kernel tap), or why it is 0.

    (``output_padding`` only adds cells at the end: it changes no cell's sum.)
    """
    n, k, s, p, d = checked(
        SLIDERS,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
    ).values()
    row, col = check_int(row, "row", 0), check_int(col, "col", 0)
    X, K = pattern_grid(n, INPUT_MODULO), pattern_grid(k, KERNEL_MODULO)
    r, c = row + p, col + p  # on the canvas
    terms = [
        (X[i][j], K[a][b])
        for i in range(n)
        for j in range(n)
        for a in range(k)
        for b in range(k)
        if i * s + a * d == r and j * s + b * d == c
    ]
    if not terms:
        return f"Y[{row}, {col}] = 0: no copy of the kernel lands here"
    return f"Y[{row}, {col}] = {spelled_sum(terms)}"


class TransposedStepper(SettingsWidget, settings=SETTINGS):
    """Sliders for the input and kernel size, stride, padding, output_padding and
    dilation; a step slider and buttons that let each input cell in turn scatter
    its scaled kernel onto the canvas; the finished output, the number of copies
    on each output cell, the output-size rule with the numbers and the matching
    ``nn.ConvTranspose2d``.

    The default is a 3×3 input, a 3×3 kernel and stride 2: output 7×7, whose
    inner cells receive 1, 2 or 4 copies, the checkerboard.
    """

    _esm = STATIC / "transposed_stepper.js"
    _css = STYLESHEET

    def __init__(
        self,
        input_size: int = 3,
        kernel_size: int = 3,
        *,
        stride: int = 2,
        padding: int = 0,
        output_padding: int = 0,
        dilation: int = 1,
        position: int = 0,
    ):
        super().__init__(
            input_size=input_size,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            dilation=dilation,
            position=position,
        )

    def compute(self) -> Scatter:
        """What the view shows for the current traits."""
        return scatter(**self.settings())

    def __repr__(self) -> str:
        r = self.compute()
        shape = (
            f"X {self.input_size}×{self.input_size}, K {self.kernel_size}×{self.kernel_size}, "
            f"stride {self.stride}, padding {self.padding}, output_padding "
            f"{self.output_padding}, dilation {self.dilation}"
        )
        step = f"cell ({r.row}, {r.col}) scattered"
        if r.problem:
            return f"TransposedStepper({shape}, {step}: {r.problem})"
        return (
            f"TransposedStepper({shape} → Y {r.size}×{r.size}, {step}; "
            f"Y = {format_matrix(r.output.tolist())}; copies per cell = "
            f"{format_matrix(r.counts.tolist())})"
        )
