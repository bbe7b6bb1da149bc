"""The gradient view: which output gradients and kernel taps reach one input cell.

A convolution y = conv2d(x, K) with stride s, padding p and dilation d reads
input cell (i, j) in every window whose tap (a, b) sits on it: output cell
(r, c) with r·s + a·d − p = i and c·s + b·d − p = j. By the chain rule the
gradient of a loss L with respect to that input cell adds up, over those
windows, the output's gradient there times the tap:

    ∂L/∂x[i, j] = Σ ∂L/∂y[r, c] · K[a, b].

The view lets the reader pick an input cell and shows the output-gradient cells
and kernel taps of that sum, with the numbers; the whole input gradient is the
transposed convolution of the output gradient (``convlab.kernels.conv2d_backward``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from convlab.checks import check_int
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._grid import counting_grid
from convlab.widgets._settings import POSITION, SettingsWidget, Whole, checked
from convlab.widgets.explorer import conv2d_problem
from convlab.widgets.text import format_matrix, format_number

SLIDERS = {
    "input_size": Whole(5, 1, 8, owner="gradient view"),
    "kernel_size": Whole(3, 1, 4, owner="gradient view"),
    "stride": Whole(2, 1, 3, owner="gradient view"),
    "padding": Whole(1, 0, 3, owner="gradient view"),
    "dilation": Whole(1, 1, 3, owner="gradient view"),
}
SETTINGS = SLIDERS | {"cell": POSITION}  # cell: the input cell picked, row by row
GRADIENT_MODULO = 5  # ∂L/∂y holds 1, 2, …, 5, 1, … (row by row)


def kernel_grid(k: int) -> list[list[int]]:
    """The kernel 1, 2, …, k² row by row: every tap has its own number, so a flip shows."""
    return counting_grid(k, k * k)


def gradient_grid(size: int) -> list[list[int]]:
    """The output gradient ∂L/∂y: 1, 2, 3, 4, 5, 1, … row by row on a size × size grid."""
    return counting_grid(size, GRADIENT_MODULO, largest=64)


def output_side(n: int, k: int, s: int, p: int, d: int) -> int:
    """The convolution's output side, ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 (< 1: no output)."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


@dataclass(frozen=True)
class Term:
    """One product of the sum: output-gradient cell (r, c) times kernel tap (a, b)."""

    r: int
    c: int
    a: int
    b: int
    g: float  # ∂L/∂y[r, c]
    k: float  # K[a, b]


def gradient_terms(
    input_size: int, kernel_size: int, stride: int, padding: int, dilation: int, i: int, j: int
) -> tuple[Term, ...]:
    """The products whose sum is ∂L/∂x[i, j], ordered by output cell then tap."""
    n, k, s, p, d = checked(
        SLIDERS,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
    ).values()
    i, j = check_int(i, "i", 0, n - 1), check_int(j, "j", 0, n - 1)
    side = output_side(n, k, s, p, d)
    if side < 1:
        return ()
    G, K = gradient_grid(side), kernel_grid(k)
    terms = []
    for r in range(side):
        for c in range(side):
            for a in range(k):
                for b in range(k):
                    if r * s + a * d - p == i and c * s + b * d - p == j:
                        terms.append(Term(r, c, a, b, float(G[r][c]), float(K[a][b])))
    return tuple(terms)


def gradient_text(i: int, j: int, terms: tuple[Term, ...]) -> str:
    """∂L/∂x[i, j] spelled out: the cells and taps, then their numbers and the sum."""
    i, j = check_int(i, "i", 0), check_int(j, "j", 0)
    head = f"∂L/∂x[{i}, {j}]"
    if not terms:
        return (
            f"{head} = 0: no window reads this cell (the stride or the dilation's gaps "
            "skip it, or the windows stop before it)"
        )
    named = " + ".join(f"∂L/∂y[{t.r}, {t.c}]·K[{t.a}, {t.b}]" for t in terms)
    numbers = " + ".join(f"{format_number(t.g)}×{format_number(t.k)}" for t in terms)
    total = format_number(sum(t.g * t.k for t in terms))
    return f"{head} = {named} = {numbers} = {total}"


@dataclass(frozen=True)
class GradientPick:
    """What the gradient view shows for one setting."""

    K: torch.Tensor  # the kernel, kernel_grid(k)
    G: torch.Tensor | None  # the output gradient ∂L/∂y; None when the kernel does not fit
    grad: torch.Tensor | None  # the input gradient ∂L/∂x
    row: int  # the input cell picked
    col: int
    terms: tuple[Term, ...]  # the products of its sum
    text: str  # the sum spelled out
    problem: str | None  # the broken rule, in words


def pick_gradient(
    input_size: int = 5,
    kernel_size: int = 3,
    stride: int = 2,
    padding: int = 1,
    dilation: int = 1,
    cell: int = 0,
) -> GradientPick:
    """The input gradient of conv2d(x, K) for the pattern ∂L/∂y, and the sum behind
    input cell number ``cell`` (row by row; past the end means the last).

    A kernel that does not fit the padded input is not an error: ``G`` and ``grad``
    are None and ``problem`` says why.
    """
    n, k, s, p, d, cell = checked(
        SETTINGS,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        cell=cell,
    ).values()
    K = torch.tensor(kernel_grid(k), dtype=torch.float64)
    row, col = divmod(min(cell, n * n - 1), n)
    problem = conv2d_problem(n, k, p, d)
    if problem:
        return GradientPick(K, None, None, row, col, (), "", problem)
    side = output_side(n, k, s, p, d)
    G = torch.tensor(gradient_grid(side), dtype=torch.float64)
    grad = torch.zeros(n, n, dtype=torch.float64)
    for r in range(side):  # every output cell sends its gradient back through every tap
        for c in range(side):
            for a in range(k):
                for b in range(k):
                    i, j = r * s + a * d - p, c * s + b * d - p
                    if 0 <= i < n and 0 <= j < n:
                        grad[i, j] += G[r, c] * K[a, b]
    terms = gradient_terms(n, k, s, p, d, row, col)
    return GradientPick(K, G, grad, row, col, terms, gradient_text(row, col, terms), None)


class GradientView(SettingsWidget, settings=SETTINGS):
    """Sliders for the input and kernel size, stride, padding and dilation; the
    input gradient ∂L/∂x as a grid whose cells you pick (click, or the arrow
    keys); the output gradient ∂L/∂y and the kernel with the cells and taps
    that reach the picked cell marked, and its sum spelled out with the numbers.

    The default is a 5×5 input, a 3×3 kernel, stride 2 and padding 1 (output
    3×3), picked at cell (0, 0).
    """

    _esm = STATIC / "gradient_view.js"
    _css = STYLESHEET

    def __init__(
        self,
        input_size: int = 5,
        kernel_size: int = 3,
        *,
        stride: int = 2,
        padding: int = 1,
        dilation: int = 1,
        cell: int = 0,
    ):
        super().__init__(
            input_size=input_size,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            cell=cell,
        )

    def compute(self) -> GradientPick:
        """What the view shows for the current traits."""
        return pick_gradient(**self.settings())

    def __repr__(self) -> str:
        g = self.compute()
        shape = (
            f"x {self.input_size}×{self.input_size}, K {self.kernel_size}×{self.kernel_size}, "
            f"stride {self.stride}, padding {self.padding}, dilation {self.dilation}"
        )
        if g.problem:
            return f"GradientView({shape}: {g.problem})"
        return f"GradientView({shape}; {g.text}; ∂L/∂x = {format_matrix(g.grad.tolist())})"
