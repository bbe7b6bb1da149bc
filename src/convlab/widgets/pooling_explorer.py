"""The pooling explorer: how much of a one-pixel shift survives an edge detector and a pool.

A bright square on a dark 8×8 input moves right by ``shift`` pixels. The
chapter-3 edge detector ``[1, −1]`` turns it into a feature map, and a max or
mean pool with a square window, stride and padding summarises that map. The
widget counts how many cells of the input, the feature map and the pooled map
differ from the unshifted case: pooling changes fewer cells than the convolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from convlab.checks import as_pair, check_int, check_real, check_tensor
from convlab.kernels import avg_pool2d, corr2d, max_pool2d
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import POSITION, Choice, SettingsWidget, Whole, checked
from convlab.widgets.text import format_matrix, format_number

GRID = 8  # the input is GRID × GRID
SQUARE = (2, 1, 3)  # the bright square: top row, left column at shift 0, side
EDGE = ((1.0, -1.0),)  # the vertical-edge detector of chapters 2 and 3
MODES = ("max", "mean")
# Every setting: default, and the slider's range or the choices. The constructor and
# explore_pooling accept the same. The default is a 2×2 max pool with stride 2.
SLIDERS = {
    "window": Whole(2, 1, 8),
    "stride": Whole(2, 1, 4),
    "padding": Whole(0, 0, 4),
    "shift": Whole(0, 0, 3),
}
LIMITS = {name: (s.low, s.high) for name, s in SLIDERS.items()}  # the sliders' ranges
SETTINGS = SLIDERS | {"mode": Choice("max", MODES), "position": POSITION}


def square_input(shift: int) -> torch.Tensor:
    """The GRID × GRID input: zeros, with a SQUARE of ones moved ``shift`` columns right."""
    shift = SETTINGS["shift"].check(shift, "shift")
    top, left, side = SQUARE
    X = torch.zeros(GRID, GRID, dtype=torch.float64)
    X[top : top + side, left + shift : left + shift + side] = 1.0
    return X


def pool_problem(size: tuple[int, int], window: int, padding: int) -> str | None:
    """Why a window × window pool with this padding cannot run on a map of ``size``, or None.

    Two rules, as in PyTorch: the padding is at most half the window (p ≤ k/2),
    and the window fits inside the padded map (k ≤ n + 2p). The first is about one
    axis at a time: a border window reaches at most k/2 cells into the padding, so
    it covers at least as many map cells as padding cells along that axis (on a map
    at least as wide as the window), and every window covers some of the map. A
    corner window can still hold more padding than map in 2-D: 5 of 9 cells at
    k = 3, p = 1. Same text as ``poolProblem`` in static/src/widgets/pooling_explorer.js.
    """
    size = as_pair(size, "size", minimum=1)
    k, p = check_int(window, "window", 1), check_int(padding, "padding", 0)
    if 2 * p > k:
        return (
            f"Padding {p} is more than half the window {k}: pooling needs p ≤ k/2 "
            f"(2·{p} = {2 * p} > {k}), so that a window at the border reaches at most "
            f"half its width into the padding and always covers cells of the map. "
            f"PyTorch refuses it too."
        )
    sentences = []
    for axis, n in zip(("rows", "columns"), size, strict=True):
        if k > n + 2 * p:
            sentences.append(
                f"The window spans {k} {axis}, but the padded map has only "
                f"n + 2p = {n} + 2·{p} = {n + 2 * p}: a window must fit inside "
                f"the padded map (k ≤ n + 2p)."
            )
    return " ".join(sentences) or None


def pool(Y: torch.Tensor, mode: str, window: int, stride: int, padding: int) -> torch.Tensor:
    """Max or mean pooling of the 2-D map Y with convlab.kernels (PyTorch's defaults).

    The window, stride and padding are within the sliders' ranges, as in the widget; an
    impossible window or padding raises a ValueError that says why, as PyTorch refuses it.
    """
    check_tensor(Y, "Y", {2: "(H, W)"})
    mode = SETTINGS["mode"].check(mode, "mode")
    window, stride, padding = checked(
        SLIDERS, window=window, stride=stride, padding=padding
    ).values()
    problem = pool_problem(tuple(Y.shape), window, padding)
    if problem:
        raise ValueError(f"window: {problem}")
    layer = max_pool2d if mode == "max" else avg_pool2d
    return layer(Y[None], window, stride=stride, padding=padding)[0]


def pool_call(mode: str, window: int, stride: int, padding: int) -> str:
    """The PyTorch layer with these settings: ``nn.MaxPool2d(...)`` or ``nn.AvgPool2d(...)``."""
    mode = SETTINGS["mode"].check(mode, "mode")
    window, stride = check_int(window, "window", 1), check_int(stride, "stride", 1)
    padding = check_int(padding, "padding", 0)
    name = "MaxPool2d" if mode == "max" else "AvgPool2d"
    return f"nn.{name}(kernel_size={window}, stride={stride}, padding={padding})"


def changed(a: torch.Tensor, b: torch.Tensor) -> int:
    """How many cells of two equally shaped maps differ."""
    for name, t in (("a", a), ("b", b)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name}: expected a torch.Tensor, got {type(t).__name__}")
    if a.shape != b.shape:
        raise ValueError(f"b: expected the shape of a, {tuple(a.shape)}, got {tuple(b.shape)}")
    return int((a != b).sum())


@dataclass(frozen=True)
class Pooling:
    """What the pooling explorer shows for one setting."""

    X: torch.Tensor  # the input with the square shifted
    feature: torch.Tensor  # corr2d(X, EDGE): GRID × (GRID − 1)
    pooled: torch.Tensor | None  # None when the setting is impossible
    changed: tuple[int, int, int]  # cells that differ from shift 0: input, feature map, pooled
    row: int  # the pooled cell whose window is shown
    col: int
    window: tuple[tuple[int, int], ...]  # (row, column) in the padded feature map
    values: tuple[float, ...]  # the values in that window (padding: −∞ for max, 0 for mean)
    text: str  # "P[0, 0] = max(0, 0, 0, 0) = 0"
    problem: str | None  # the broken rule, in words


def window_text(mode: str, row: int, col: int, values: tuple[float, ...], result: float) -> str:
    """One pooled cell spelled out: ``P[0, 1] = max(0, 1, 0, −∞) = 1``, or the mean's sum."""
    mode = SETTINGS["mode"].check(mode, "mode")
    row, col = check_int(row, "row", 0), check_int(col, "col", 0)
    if isinstance(values, str) or not isinstance(values, Sequence) or not values:
        raise TypeError(f"values: expected a non-empty list of numbers, got {values!r}")
    values = tuple(check_real(v, f"values[{i}]") for i, v in enumerate(values))
    result = check_real(result, "result")

    def show(v: float) -> str:
        return "−∞" if v == float("-inf") else format_number(v).replace("-", "−")

    listed = ", ".join(map(show, values))
    if mode == "max":
        return f"P[{row}, {col}] = max({listed}) = {show(result)}"
    return f"P[{row}, {col}] = mean({listed}) = {show(sum(values))}/{len(values)} = {show(result)}"


def explore_pooling(
    window: int = 2,
    stride: int = 2,
    padding: int = 0,
    mode: str = "max",
    shift: int = 0,
    position: int = 0,
) -> Pooling:
    """Shift the square, detect its edges, pool, and compare with shift 0.

    Stops at pooled cell number ``position`` (row by row; past the end means
    the last). An impossible window or padding is not an error: ``pooled`` is
    None and ``problem`` says why.
    """
    k, s, p, mode, shift, position = checked(
        SETTINGS,
        window=window,
        stride=stride,
        padding=padding,
        mode=mode,
        shift=shift,
        position=position,
    ).values()
    K = torch.tensor(EDGE, dtype=torch.float64)
    X, X0 = square_input(shift), square_input(0)
    feature, feature0 = corr2d(X, K), corr2d(X0, K)
    problem = pool_problem(tuple(feature.shape), k, p)
    if problem:
        counts = (changed(X, X0), changed(feature, feature0), 0)
        return Pooling(X, feature, None, counts, 0, 0, (), (), "", problem)
    pooled = pool(feature, mode, k, s, p)
    pooled0 = pool(feature0, mode, k, s, p)
    counts = (changed(X, X0), changed(feature, feature0), changed(pooled, pooled0))
    row, col = divmod(min(position, pooled.numel() - 1), pooled.shape[1])
    fill = float("-inf") if mode == "max" else 0.0
    padded = torch.nn.functional.pad(feature, (p, p, p, p), value=fill)
    cells = tuple((row * s + a, col * s + b) for a in range(k) for b in range(k))
    values = tuple(padded[r, c].item() for r, c in cells)
    text = window_text(mode, row, col, values, pooled[row, col].item())
    return Pooling(X, feature, pooled, counts, row, col, cells, values, text, None)


class PoolingExplorer(SettingsWidget, settings=SETTINGS):
    """Sliders for the pooling window, stride, padding and a shift of the input
    pattern, a max / mean switch; the input, the edge map, the pooled map and
    how many cells of each changed compared with no shift.

    Defaults: a 2×2 max pool with stride 2 (PyTorch's default stride is the window,
    here capped at the stride slider's end).
    """

    _esm = STATIC / "pooling_explorer.js"
    _css = STYLESHEET

    def __init__(
        self,
        window: int = 2,
        *,
        stride: int | None = None,
        padding: int = 0,
        mode: str = "max",
        shift: int = 0,
        position: int = 0,
    ):
        if stride is None:
            stride = min(SETTINGS["window"].check(window, "window"), SLIDERS["stride"].high)
        super().__init__(
            window=window, stride=stride, padding=padding, mode=mode, shift=shift, position=position
        )

    def compute(self) -> Pooling:
        """What the view shows for the current traits."""
        return explore_pooling(
            self.window, self.stride, self.padding, self.mode, self.shift, self.position
        )

    def __repr__(self) -> str:
        r = self.compute()
        setting = (
            f"{self.mode} pool {self.window}×{self.window}, stride {self.stride}, "
            f"padding {self.padding}, shift {self.shift}"
        )
        if r.problem:
            return f"PoolingExplorer({setting}: {r.problem})"
        oh, ow = r.pooled.shape
        x, y, z = r.changed
        return (
            f"PoolingExplorer({setting} → P {oh}×{ow} = {format_matrix(r.pooled.tolist())}; "
            f"changed vs shift 0: input {x}/{r.X.numel()}, edge map {y}/{r.feature.numel()}, "
            f"pooled {z}/{r.pooled.numel()})"
        )
