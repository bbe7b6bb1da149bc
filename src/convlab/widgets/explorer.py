"""The convolution explorer: padding, stride and dilation on a small input, live.

Every setting of ``nn.Conv2d`` that changes the output's size has a slider. The
view shows the padded input, the (dilated) kernel and the output, the sum behind
one output cell, the output-size formula with the numbers filled in, and the
``nn.Conv2d`` call that computes the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from convlab.checks import as_pair, check_choice, check_int, is_int
from convlab.kernels import conv2d
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import POSITION, SettingsWidget, Whole
from convlab.widgets.text import format_matrix, minus_sign, spelled_sum

Pair = tuple[int, int]
AXES = ("height", "width")

# The range of every slider, (lowest, highest): the constructor accepts the same.
LIMITS = {
    "input_size": (1, 12),
    "kernel_size": (1, 7),
    "stride": (1, 4),
    "padding": (0, 4),
    "dilation": (1, 4),
}
# The widget's traits: n_h and n_w hold input_size, k_h and k_w kernel_size, and so on.
TRAITS = {"n": "input_size", "k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation"}
# The constructor's defaults: the course's padding example.
DEFAULTS = {"input_size": 3, "kernel_size": 2, "stride": 1, "padding": 1, "dilation": 1}
SETTINGS = {
    f"{key}_{axis}": Whole(DEFAULTS[name], *LIMITS[name], owner="explorer")
    for key, name in TRAITS.items()
    for axis in "hw"
} | {"position": POSITION}
INPUT_MODULO = 10  # input cells hold 0, 1, …, 9, 0, 1, … (row by row)
KERNEL_MODULO = 4  # kernel cells hold 0, 1, 2, 3, 0, … (a 2×2 kernel is [[0, 1], [2, 3]])


def pattern_grid(rows: int, cols: int, modulo: int) -> list[list[int]]:
    """The numbers 0, 1, 2, … row by row, counted modulo ``modulo``: easy to read and add.

    At most as many rows and columns as the explorer's input (12).
    """
    largest = LIMITS["input_size"][1]
    rows, cols = check_int(rows, "rows", 1, largest), check_int(cols, "cols", 1, largest)
    modulo = check_int(modulo, "modulo", 1)
    return [[(i * cols + j) % modulo for j in range(cols)] for i in range(rows)]


def size_formula(axis: str, n: int, k: int, s: int, p: int, d: int) -> str:
    """The output-size formula for one axis with the numbers filled in."""
    axis = check_choice(axis, "axis", AXES)
    n, k, s, d = (check_int(v, name, 1) for v, name in ((n, "n"), (k, "k"), (s, "s"), (d, "d")))
    p = check_int(p, "p", 0)
    top = n + 2 * p - d * (k - 1) - 1
    return (
        f"Output {axis} = ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 = "
        f"⌊({n} + 2·{p} − {d}·({k} − 1) − 1)/{s}⌋ + 1 = "
        f"⌊{minus_sign(top)}/{s}⌋ + 1 = {minus_sign(top // s + 1)}"
    )


def conv2d_call(kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair) -> str:
    """The ``nn.Conv2d`` layer (one channel in and out, no bias) with these settings."""
    kernel_size = as_pair(kernel_size, "kernel_size", minimum=1)
    stride = as_pair(stride, "stride", minimum=1)
    padding = as_pair(padding, "padding", minimum=0)
    dilation = as_pair(dilation, "dilation", minimum=1)
    return (
        f"nn.Conv2d(1, 1, kernel_size={tuple(kernel_size)}, stride={tuple(stride)}, "
        f"padding={tuple(padding)}, dilation={tuple(dilation)}, bias=False)"
    )


def conv2d_problem(
    input_size: Pair, kernel_size: Pair, padding: Pair = (0, 0), dilation: Pair = (1, 1)
) -> str | None:
    """Why the (dilated) kernel cannot slide over the padded input, in words, or None.

    The kernel spans d·(k − 1) + 1 cells along an axis and must fit inside the
    n + 2p cells of the padded input. (Any padding is allowed: PyTorch's conv2d
    has no upper limit on it.) Same text as ``conv2dProblem`` in
    static/src/widgets/explorer.js.
    """
    input_size = as_pair(input_size, "input_size", minimum=1)
    kernel_size = as_pair(kernel_size, "kernel_size", minimum=1)
    padding = as_pair(padding, "padding", minimum=0)
    dilation = as_pair(dilation, "dilation", minimum=1)
    sentences = []
    axes = zip(("row", "column"), input_size, kernel_size, padding, dilation, strict=True)
    for axis, n, k, p, d in axes:
        span, padded = d * (k - 1) + 1, n + 2 * p
        if span > padded:
            kind = "kernel" if d == 1 else "dilated kernel"
            sentences.append(
                f"The {kind} spans d·(k − 1) + 1 = {d}·({k} − 1) + 1 = {span} {axis}s, "
                f"but the padded input has only n + 2p = {n} + 2·{p} = {padded}: a window "
                f"must fit inside the padded input (d·(k − 1) + 1 ≤ n + 2p), so there is "
                f"no output {axis}."
            )
    return " ".join(sentences) or None


def unread_cells(
    input_size: Pair, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair
) -> tuple[Pair, ...]:
    """The input cells (row, column) that no window reads: the stride jumps over
    them, the dilation's gaps skip them, or the floor drops the last ones.

    Each setting is an int or a pair within the explorer's ranges.
    """
    input_size, kernel_size, stride, padding, dilation = _settings(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
    ).values()
    read = []
    for n, k, s, p, d in zip(input_size, kernel_size, stride, padding, dilation, strict=True):
        count = (n + 2 * p - d * (k - 1) - 1) // s + 1
        # Window number w reads padded cells w·s + a·d; input cell = padded cell − p.
        read.append({w * s + a * d - p for w in range(max(count, 0)) for a in range(k)})
    rows, cols = input_size
    return tuple(
        (i, j) for i in range(rows) for j in range(cols) if i not in read[0] or j not in read[1]
    )


def _pair(value: object, name: str) -> Pair:
    """An int or a pair of ints within the slider's range, as ``(height, width)``."""
    low, high = LIMITS[name]
    items = tuple(value) if isinstance(value, tuple | list) else (value, value)
    if len(items) != 2:
        raise ValueError(
            f"{name}: expected an int or a pair (height, width), "
            f"got a {type(value).__name__} of length {len(items)}"
        )
    if not all(is_int(v) for v in items):
        raise TypeError(
            f"{name}: expected an int or a pair of ints, got {type(value).__name__} {value!r}"
        )
    if not all(low <= v <= high for v in items):
        raise ValueError(f"{name}: the explorer allows {low} to {high} on each axis, got {value!r}")
    return int(items[0]), int(items[1])


def _settings(**settings: object) -> dict[str, Pair]:
    """Each setting (input_size, kernel_size, …) checked and made a (height, width) pair."""
    return {name: _pair(value, name) for name, value in settings.items()}


@dataclass(frozen=True)
class Exploration:
    """What the explorer shows for one setting."""

    X: torch.Tensor  # the input, pattern_grid(n_h, n_w, 10)
    K: torch.Tensor  # the kernel, pattern_grid(k_h, k_w, 4)
    padded: torch.Tensor  # X with p_h zero rows above and below, p_w columns left and right
    output: torch.Tensor | None  # None when the kernel does not fit
    row: int  # the output cell whose window is shown
    col: int
    window: tuple[Pair, ...]  # (row, column) in the padded input of each kernel tap
    terms: tuple[tuple[float, float], ...]  # (input value, kernel value) per tap
    sum_text: str  # "0×0 + 0×1 + 0×2 + 0×3 = 0"
    formulas: tuple[str, str]  # output height and width, numbers filled in
    call: str  # the equivalent nn.Conv2d(...)
    unread: tuple[Pair, ...]  # input cells that no window reads
    problem: str | None  # the broken rule, in words


def explore(
    input_size: int | Pair,
    kernel_size: int | Pair,
    stride: int | Pair = 1,
    padding: int | Pair = 0,
    dilation: int | Pair = 1,
    position: int = 0,
) -> Exploration:
    """Cross-correlate the pattern input with the pattern kernel and stop at
    output cell number ``position`` (row by row; past the end means the last).

    ``padding`` is per side, as in PyTorch. A kernel that does not fit is not an
    error: the result has no output and ``problem`` says why.
    """
    position = POSITION.check(position, "position")
    n, k, s, p, d = _settings(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
    ).values()
    X = torch.tensor(pattern_grid(*n, INPUT_MODULO), dtype=torch.float64)
    K = torch.tensor(pattern_grid(*k, KERNEL_MODULO), dtype=torch.float64)
    padded = torch.nn.functional.pad(X, (p[1], p[1], p[0], p[0]))  # (left, right, top, bottom)
    formulas = (
        size_formula("height", n[0], k[0], s[0], p[0], d[0]),
        size_formula("width", n[1], k[1], s[1], p[1], d[1]),
    )
    call = conv2d_call(k, s, p, d)
    unread = unread_cells(n, k, s, p, d)
    problem = conv2d_problem(n, k, p, d)
    if problem:
        return Exploration(X, K, padded, None, 0, 0, (), (), "", formulas, call, unread, problem)
    output = conv2d(X[None], K[None, None], stride=s, padding=p, dilation=d)[0]
    row, col = divmod(min(position, output.numel() - 1), output.shape[1])
    taps = [(a, b) for a in range(k[0]) for b in range(k[1])]
    window = tuple((row * s[0] + a * d[0], col * s[1] + b * d[1]) for a, b in taps)
    terms = tuple(
        (padded[r, c].item(), K[a, b].item()) for (r, c), (a, b) in zip(window, taps, strict=True)
    )
    text = spelled_sum(terms)
    return Exploration(
        X, K, padded, output, row, col, window, terms, text, formulas, call, unread, None
    )


class ConvolutionExplorer(SettingsWidget, settings=SETTINGS):
    """Sliders for the input and kernel size, padding, stride and dilation (per
    axis), the padded input, kernel and output as grids, a window you can step
    or hover through with its sum spelled out, the output-size formula and the
    matching ``nn.Conv2d`` call.

    The defaults are the course's padding example: the 3×3 input 0…8 padded by one
    on every side, the 2×2 kernel [[0, 1], [2, 3]], output 4×4.
    """

    _esm = STATIC / "explorer.js"
    _css = STYLESHEET

    def __init__(
        self,
        input_size: int | Pair = 3,
        kernel_size: int | Pair = 2,
        *,
        stride: int | Pair = 1,
        padding: int | Pair = 1,
        dilation: int | Pair = 1,
        position: int = 0,
    ):
        pairs = _settings(
            input_size=input_size,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
        )
        traits = {
            f"{key}_{axis}": pairs[name][i]
            for key, name in TRAITS.items()
            for i, axis in enumerate("hw")
        }
        super().__init__(**traits, position=position)

    def settings(self) -> dict[str, Pair]:
        """The current settings as ``explore`` and ``nn.Conv2d`` take them."""
        return {
            name: (getattr(self, f"{key}_h"), getattr(self, f"{key}_w"))
            for key, name in TRAITS.items()
        }

    def compute(self) -> Exploration:
        """What the view shows for the current traits."""
        return explore(**self.settings(), position=self.position)

    def __repr__(self) -> str:
        e = self.compute()
        st = self.settings()
        shape = (
            f"X {self.n_h}×{self.n_w}, K {self.k_h}×{self.k_w}, stride {st['stride']}, "
            f"padding {st['padding']}, dilation {st['dilation']}"
        )
        if e.problem:
            return f"ConvolutionExplorer({shape}: {e.problem})"
        oh, ow = e.output.shape
        return (
            f"ConvolutionExplorer({shape} → Y {oh}×{ow}, window ({e.row}, {e.col}): "
            f"{e.sum_text}; Y = {format_matrix(e.output.tolist())})"
        )
