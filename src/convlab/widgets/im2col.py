"""The im2col explorer: every window becomes a column, the kernels become rows, one
matrix product gives every output.

The input counts 0, 1, 2, … through all its cells (X[c, i, j] = c·n² + i·n + j),
so each number of the column matrix says which input cell it was copied from.
Kernel W[o, c] holds c·k², c·k² + 1, … plus o. The defaults are the course's 3×3
input 0…8 and 2×2 kernel [[0, 1], [2, 3]], whose output is [[19, 25], [37, 43]];
two input channels give chapter 5's example (268, 296, 352, 380).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from convlab.checks import check_int
from convlab.im2col import im2col, im2col_sizes, kernel_matrix
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import POSITION, SettingsWidget, Whole, checked
from convlab.widgets.text import format_count, format_matrix, format_sig, minus_sign, spelled_sum

# Every slider: default, lowest, highest. The constructor and explore_im2col accept the same.
SLIDERS = {
    "channels": Whole(1, 1, 3),
    "out_channels": Whole(1, 1, 3),
    "input_size": Whole(3, 1, 6),
    "kernel_size": Whole(2, 1, 3),
    "stride": Whole(1, 1, 3),
}
LIMITS = {name: (s.low, s.high) for name, s in SLIDERS.items()}  # the sliders' ranges
SETTINGS = SLIDERS | {"position": POSITION}


def im2col_input(channels: int, size: int) -> list[list[list[int]]]:
    """X[c, i, j] = c·n² + i·n + j: every cell holds its own position in X, counted row by row.

    Within the sliders' ranges, as in the widget.
    """
    channels = SLIDERS["channels"].check(channels, "channels")
    n = SLIDERS["input_size"].check(size, "size")
    return [[[c * n * n + i * n + j for j in range(n)] for i in range(n)] for c in range(channels)]


def im2col_weights(out_channels: int, channels: int, size: int) -> list:
    """W[o, c, a, b] = c·k² + a·k + b + o: the course's K = [[0, 1], [2, 3]], then K + 1, …

    Within the sliders' ranges, as in the widget.
    """
    out_channels, channels = checked(SLIDERS, out_channels=out_channels, channels=channels).values()
    k = SLIDERS["kernel_size"].check(size, "size")
    return [
        [[[c * k * k + a * k + b + o for b in range(k)] for a in range(k)] for c in range(channels)]
        for o in range(out_channels)
    ]


def windows_per_axis(n: int, k: int, s: int) -> int:
    """⌊(n − k)/s⌋ + 1, the number of window positions along one axis (< 1: none)."""
    n, k, s = check_int(n, "n", 1), check_int(k, "k", 1), check_int(s, "s", 1)
    return (n - k) // s + 1


def im2col_problem(input_size: int, kernel_size: int, stride: int) -> str | None:
    """Why no window fits, in words with the numbers, or None. Same text as ``im2colProblem``."""
    n = check_int(input_size, "input_size", 1)
    k, s = check_int(kernel_size, "kernel_size", 1), check_int(stride, "stride", 1)
    if k <= n:
        return None
    return (
        f"The kernel ({k}×{k}) is larger than the input ({n}×{n}): a window must fit inside "
        f"the input (k ≤ n). H′ = ⌊(n − k)/s⌋ + 1 = ⌊({n} − {k})/{s}⌋ + 1 = "
        f"{minus_sign(windows_per_axis(n, k, s))} leaves no window, so the column matrix has no "
        f"columns and there is nothing to multiply."
    )


def size_texts(
    channels: int, out_channels: int, input_size: int, kernel_size: int, stride: int
) -> dict[str, str]:
    """The view, the copy and the product, with sizes filled in. Same texts as ``im2colTexts``.

    Within the sliders' ranges, as in the widget.
    """
    c, co, n, k, s = checked(
        SLIDERS,
        channels=channels,
        out_channels=out_channels,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
    ).values()
    rows, numbers = c * k * k, c * n * n
    if im2col_problem(n, k, s):
        return {
            "view": "View of every window: none fits.",
            "matrix": f"Column matrix: C·k² = {c}·{k}² = {rows} rows, but no columns.",
            "product": "Matrix product: nothing to multiply.",
        }
    h = windows_per_axis(n, k, s)
    sizes = im2col_sizes(c, n, k, s, out_channels=co)
    return {
        "view": (
            f"View of every window: shape (C, H′, W′, k, k) = ({c}, {h}, {h}, {k}, {k}), "
            f"strides ({n * n}, {s * n}, {s}, {n}, 1). Nothing is copied: it reads the "
            f"{numbers} numbers of X where they are."
        ),
        "matrix": (
            f"Column matrix (a copy): C·k² × H′W′ = {c}·{k}² × {h}·{h} = {rows} × "
            f"{sizes.columns} = {format_count(sizes.matrix_elements)} numbers, "
            f"{format_sig(sizes.growth)}× the {numbers} of X (on a large input k²/s² = "
            f"{format_sig(k * k / (s * s))}×)."
        ),
        "product": (
            f"Matrix product: kernel rows ({co} × {rows}) @ columns ({rows} × {sizes.columns}) "
            f"= outputs ({co} × {sizes.columns}), {co}·{rows}·{sizes.columns} = "
            f"{format_count(sizes.macs)} multiply-adds, as many as the loop does."
        ),
    }


@dataclass(frozen=True)
class Im2colStep:
    """What the explorer shows for one setting."""

    X: torch.Tensor  # (C, n, n)
    W: torch.Tensor  # (C_out, C, k, k)
    kernel_rows: torch.Tensor  # (C_out, C·k²)
    columns: torch.Tensor | None  # (C·k², H′·W′); None when no window fits
    output_rows: torch.Tensor | None  # (C_out, H′·W′) = kernel_rows @ columns
    output: torch.Tensor | None  # (C_out, H′, W′): the rows, reshaped
    column: int  # the selected window (a column of the matrix)
    row: int  # its output cell
    col: int
    sums: tuple[str, ...]  # per output channel: kernel row · selected column, spelled out
    texts: dict
    problem: str | None


def explore_im2col(
    channels: int = 1,
    out_channels: int = 1,
    input_size: int = 3,
    kernel_size: int = 2,
    stride: int = 1,
    position: int = 0,
) -> Im2colStep:
    """The pattern input and kernels, the column matrix, the kernel rows and their product.

    ``position`` picks a window (a column), row by row over the output; past the
    last one it stops at the last. A kernel larger than the input is not an error:
    there are no columns and ``problem`` says why.
    """
    c, co, n, k, s, position = checked(
        SETTINGS,
        channels=channels,
        out_channels=out_channels,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        position=position,
    ).values()
    X = torch.tensor(im2col_input(c, n), dtype=torch.float64)
    W = torch.tensor(im2col_weights(co, c, k), dtype=torch.float64)
    rows = kernel_matrix(W)
    texts = size_texts(c, co, n, k, s)
    problem = im2col_problem(n, k, s)
    if problem:
        return Im2colStep(X, W, rows, None, None, None, 0, 0, 0, (), texts, problem)
    columns = im2col(X, k, s)
    output_rows = rows @ columns
    h = windows_per_axis(n, k, s)
    column = min(position, columns.shape[1] - 1)
    row, col = divmod(column, h)
    sums = tuple(
        f"Y[{o}][{row}, {col}] = kernel row {o} · column {column} = "
        + spelled_sum(zip(columns[:, column].tolist(), rows[o].tolist(), strict=True))
        for o in range(co)
    )
    output = output_rows.reshape(co, h, h)
    return Im2colStep(X, W, rows, columns, output_rows, output, column, row, col, sums, texts, None)


class Im2colExplorer(SettingsWidget, settings=SETTINGS):
    """Sliders for the input and output channels, the input and kernel size and the
    stride; the input, the column matrix (one column per window), the kernel rows
    and their product, with the sizes of the view, the copy and the product.
    Hovering a column (or an output cell) selects its window; hovering an input
    cell marks every copy of it in the column matrix.
    """

    _esm = STATIC / "im2col.js"
    _css = STYLESHEET

    def __init__(
        self,
        channels: int = 1,
        out_channels: int = 1,
        input_size: int = 3,
        kernel_size: int = 2,
        stride: int = 1,
        *,
        position: int = 0,
    ):
        super().__init__(
            channels=channels,
            out_channels=out_channels,
            input_size=input_size,
            kernel_size=kernel_size,
            stride=stride,
            position=position,
        )

    def compute(self) -> Im2colStep:
        """What the view shows for the current traits."""
        return explore_im2col(**self.settings())

    def __repr__(self) -> str:
        r = self.compute()
        c, co, n, k = self.channels, self.out_channels, self.input_size, self.kernel_size
        shape = f"X {c}×{n}×{n}, W {co}×{c}×{k}×{k}, stride {self.stride}"
        if r.problem:
            return f"Im2colExplorer({shape}: {r.problem})"
        sizes = im2col_sizes(c, n, k, self.stride, out_channels=co)
        matrix = (
            f"column matrix {sizes.rows}×{sizes.columns} ({format_count(sizes.matrix_elements)} "
            f"numbers, {format_sig(sizes.growth)}× the input's {sizes.input_elements})"
        )
        outputs = "; ".join(f"Y[{o}] = {format_matrix(y.tolist())}" for o, y in enumerate(r.output))
        macs = f"{format_count(sizes.macs)} multiply-adds"
        return f"Im2colExplorer({shape}: {matrix}, {macs}; {outputs})"
