"""Padding and the windows a kernel visits: the building blocks of the fast versions.

Ways to reach every window without a Python loop over output cells:

- ``sliding_windows`` views the input as one window per output cell (a pair of
  axes each). Copying that view into a matrix is "im2col"; a convolution is then
  one matrix product.
- ``flat_taps`` goes the other way round: one view per kernel tap (i, j), holding
  the input that tap multiplies for every output cell. A convolution is then a
  sum over the k_h·k_w taps: one small matrix product each, or for depthwise
  one scaled view each.
- ``gathered_im2col`` builds im2col's matrix by index instead of by view, from
  ``tap_cells``: for padding far larger than the input, where a padded copy
  would be mostly zeros.

``cut_axis`` comes first: it keeps, along one axis, only the output cells and
kernel taps that ever meet the input, and the padding they reach.
"""

import functools
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import torch
import torch.nn.functional as F

from convlab.checks import Padding, Pair


def pad2d(X: torch.Tensor, padding: Padding, value: float = 0) -> torch.Tensor:
    """Surround the last two axes with ``value``: (top, bottom, left, right) cells."""
    if not any(padding):
        return X  # nothing to add: skip the copy
    top, bottom, left, right = padding
    # F.pad lists the last axis first: (left, right, top, bottom).
    return torch.constant_pad_nd(X, (left, right, top, bottom), value)


def sliding_windows(X: torch.Tensor, kernel: Pair, stride: Pair, dilation: Pair) -> torch.Tensor:
    """View ``(..., H, W)`` as ``(..., H', W', k_h, k_w)``: one window per output cell.

    ``Tensor.unfold`` cuts windows of the dilated span ``d·(k−1)+1`` every
    ``stride`` cells; keeping every ``d``-th cell of a span gives the dilated
    kernel's taps. Nothing is copied: the result shares memory with ``X``.
    """
    (k_h, k_w), (s_h, s_w), (d_h, d_w) = kernel, stride, dilation
    span_h, span_w = d_h * (k_h - 1) + 1, d_w * (k_w - 1) + 1
    # Unfolding H moves it out of the way, so W is then again the axis at -2.
    windows = X.unfold(-2, span_h, s_h).unfold(-2, span_w, s_w)
    return windows if d_h == d_w == 1 else windows[..., ::d_h, ::d_w]


def im2col(X: torch.Tensor, kernel: Pair, stride: Pair, dilation: Pair) -> torch.Tensor:
    """Copy every window into a column: ``(..., C, H, W)`` -> ``(..., C·k_h·k_w, H'·W')``.

    Rows run over (channel, kernel row, kernel column), columns over (output
    row, output column): the order of ``torch.nn.functional.unfold``. A 1×1
    kernel's windows are single cells, so its columns are the image itself
    (every s-th cell with stride s): a view, no copy, when the stride is 1.
    """
    if kernel == (1, 1):
        return (X if stride == (1, 1) else X[..., :: stride[0], :: stride[1]]).flatten(-2)
    windows = sliding_windows(X, kernel, stride, dilation)  # (..., C, H', W', k_h, k_w): a view
    # Put (k_h, k_w) before (H', W'); flattening cannot keep the view, so it copies.
    *batch, c, h_out, w_out, k_h, k_w = windows.shape
    moved = windows.movedim((-2, -1), (-4, -3))  # (..., C, k_h, k_w, H', W')
    return moved.reshape(*batch, c * k_h * k_w, h_out * w_out)


def flat_taps(
    X: torch.Tensor, kernel: Pair, stride: Pair, dilation: Pair
) -> tuple[Iterator[tuple[int, int, torch.Tensor]], tuple[int, int, int]]:
    """Every kernel tap's inputs as one slice of the flattened image, without a copy.

    Lay an image out row after row, each row ``width`` cells long. Output cell
    (y, x) gets flat position y·width + x, and the input that kernel tap (i, j)
    multiplies for it sits at that position plus the same offset i·d_h·width +
    j·d_w for every cell. So tap (i, j)'s inputs for all output cells are one
    contiguous slice ``flat[..., offset : offset + L]``. Each output row then
    carries width − w_out extra cells that straddle the image's right edge;
    ``unflatten`` drops them.

    With stride s the inputs of neighbouring output cells are s apart, so X is
    first split once into its s_h·s_w phases (every s-th row and column, from
    each start), each stored densely; tap (i, j) is a slice of one phase. So
    that every phase has the same shape, X is cut to the rows and columns the
    windows read, rounded up to a multiple of the stride, and padded where that
    runs past its edge: by less than one stride per axis, which is less than the
    rows read whenever there are two output rows or more (with one, any stride
    gives the same windows, so stride 1 is used). Only the dropped edge cells
    ever read that padding.

    Returns ``(taps, (h_out, w_out, width))`` with ``taps`` an iterator of
    ``(i, j, slice)``, each slice of shape (..., L), L = (h_out − 1)·width + w_out:
    made one at a time, so that a kernel of many taps never holds them all.
    """
    (k_h, k_w), (s_h, s_w), (d_h, d_w) = kernel, stride, dilation
    h_out, w_out, width = shape = flat_shape(X.shape[-2:], kernel, stride, dilation)
    s_h, s_w = (s_h if h_out > 1 else 1), (s_w if w_out > 1 else 1)
    # The rows and columns read, rounded up to a multiple of the stride: cut from X
    # where it has them, padded (by less than one stride) where it has not.
    rows = -(-((h_out - 1) * s_h + d_h * (k_h - 1) + 1) // s_h) * s_h
    cols = width * s_w
    height, image_width = X.shape[-2:]
    if rows < height or cols < image_width:
        X = X[..., : min(rows, height), : min(cols, image_width)]
    X = pad2d(X, (0, max(0, rows - height), 0, max(0, cols - image_width)))
    length = (h_out - 1) * width + w_out

    def taps() -> Iterator[tuple[int, int, torch.Tensor]]:
        phases: dict[tuple[int, int], torch.Tensor] = {}
        for i in range(k_h):
            for j in range(k_w):
                # Input row y·s_h + i·d_h is row y + top of phase row_phase; likewise columns.
                top, row_phase = divmod(i * d_h, s_h)
                left, col_phase = divmod(j * d_w, s_w)
                flat = phases.get((row_phase, col_phase))
                if flat is None:
                    phase = X if s_h == s_w == 1 else X[..., row_phase::s_h, col_phase::s_w]
                    flat = phases[row_phase, col_phase] = phase.flatten(-2)
                start = top * width + left
                yield i, j, flat[..., start : start + length]

    return taps(), shape


def flat_shape(
    size: Sequence[int], kernel: Pair, stride: Pair, dilation: Pair
) -> tuple[int, int, int]:
    """``(h_out, w_out, width)`` of ``flat_taps`` on an image of ``size`` (H, W): the
    output's size and the length of a row of the flattened phases."""
    (k_h, k_w), (s_h, s_w), (d_h, d_w) = kernel, stride, dilation
    h_out = (size[0] - d_h * (k_h - 1) - 1) // s_h + 1
    w_out = (size[1] - d_w * (k_w - 1) - 1) // s_w + 1
    s_w = s_w if w_out > 1 else 1  # one output column: any stride reads the same
    return h_out, w_out, -(-((w_out - 1) * s_w + d_w * (k_w - 1) + 1) // s_w)


def unflatten(Y: torch.Tensor, shape: tuple[int, int, int]) -> torch.Tensor:
    """Turn flat outputs (..., L) from ``flat_taps`` back into (..., h_out, w_out).

    Y may also hold whole rows, (..., h_out·width): then nothing is padded, and
    nothing copied when the rows have no extra cells (width = w_out).
    """
    h_out, w_out, width = shape
    if Y.shape[-1] != h_out * width:
        Y = F.pad(Y, (0, h_out * width - Y.shape[-1]))
    return Y.unflatten(-1, (h_out, width))[..., :w_out].contiguous()


class AxisCut(NamedTuple):
    """One axis of a convolution cut down to what meets the input (``cut_axis``).

    Output cells ``[first, first + count)`` may read the input; the others lie
    wholly in the padding (``count`` is 0 when none reads it). For those cells,
    kernel taps ``[tap, tap + taps)`` may meet the input; the others meet only
    padding. Together they read input cells ``[lo, hi)`` with ``before`` zeros
    ahead and ``after`` zeros behind: a convolution of that stretch with
    ``stride`` and ``dilation`` gives exactly those ``count`` cells.
    """

    out: int
    whole: bool  # nothing cut: every cell and tap, all the padding and the stride kept
    first: int
    count: int
    tap: int
    taps: int
    lo: int
    hi: int
    before: int
    after: int
    stride: int
    dilation: int

    @property
    def padded(self) -> int:
        """Length of the padded stretch the kept windows read."""
        return self.before + self.hi - self.lo + self.after


@functools.lru_cache(maxsize=4096)  # a layer is called again and again with the same shapes
def cut_axis(n: int, k: int, stride: int, dilation: int, before: int, after: int) -> AxisCut:
    """Keep, along one axis, only the output cells and kernel taps that meet the input.

    Output cell y's tap i reads padded cell y·s + i·d; the input fills padded
    cells [before, before + n). A window wholly in the padding reads only zeros,
    so its output is just the bias, however large the padding; the windows that
    do meet the input reach at most d·(k − 1) cells into it. Plain integer
    arithmetic: the arguments may be as large as Python's ints.
    """
    out = (n + before + after - dilation * (k - 1) - 1) // stride + 1
    last_cell = before + n - 1  # padded position of the input's last cell
    # Cells whose window (y·s ... y·s + d·(k − 1)) overlaps the input ...
    first = max(0, -((dilation * (k - 1) - before) // stride))
    last = min(out - 1, last_cell // stride)
    tap, tap_last = 0, -1
    if first <= last:
        # ... their taps that can land on it: tap i needs y·s + i·d within the input ...
        tap = max(0, -((last * stride - before) // dilation))
        tap_last = min(k - 1, (last_cell - first * stride) // dilation)
        # ... and the cells that one of those taps can reach.
        first = max(first, -((tap_last * dilation - before) // stride))
        last = min(last, (last_cell - tap * dilation) // stride)
    if first > last or tap > tap_last:
        return AxisCut(out, False, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1)
    start = first * stride + tap * dilation  # padded position of the first cell read
    end = last * stride + tap_last * dilation  # and of the last
    count, taps = last - first + 1, tap_last - tap + 1
    # One output cell reads the same whatever the stride, one tap whatever the dilation.
    kept_stride, kept_dilation = (stride if count > 1 else 1), (dilation if taps > 1 else 1)
    pads = (max(0, before - start), max(0, end - last_cell))  # the padding still read
    return AxisCut(
        out=out,
        whole=(count, taps, *pads, kept_stride) == (out, k, before, after, stride),
        first=first,
        count=count,
        tap=tap,
        taps=taps,
        lo=max(0, start - before),
        hi=min(n, end - before + 1),
        before=pads[0],
        after=pads[1],
        stride=kept_stride,
        dilation=kept_dilation,
    )


def tap_cells(
    n: int, taps: int, stride: int, dilation: int, before: int, count: int
) -> torch.Tensor:
    """Which input cell each kernel tap reads for each output cell, along one axis.

    Returns a (taps, count) tensor: entry (i, y) is y·s + i·d − before when that
    lies in [0, n), and n (one past the input: a zero appended there) when it
    falls in the padding. One Python step per tap, with exact integers: the
    padding may be astronomically large, the entries never are.
    """
    cells = torch.full((taps, count), n, dtype=torch.long)
    for i in range(taps):
        # Cells y with 0 ≤ y·s + i·d − before < n, as a range of y.
        offset = i * dilation - before
        y_lo = max(0, -(offset // stride))
        y_hi = min(count - 1, (n - 1 - offset) // stride)
        if y_lo <= y_hi:
            steps = torch.arange(y_hi - y_lo + 1) * (stride if y_hi > y_lo else 0)
            cells[i, y_lo : y_hi + 1] = steps + (y_lo * stride + offset)
    return cells


def gathered_im2col(X: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """im2col by index: ``(..., C, H, W)`` -> ``(..., C·k_h·k_w, H'·W')``, same order.

    ``rows`` (k_h, H') and ``cols`` (k_w, W') come from ``tap_cells``: the
    input row and column each tap reads for each output row and column, H or W
    where it reads padding. A zero row and column appended to X stand for all
    the padding, so no padded copy of X is ever made.
    """
    width = X.shape[-1] + 1
    flat = F.pad(X, (0, 1, 0, 1)).flatten(-2)  # (..., C, (H + 1)·(W + 1))
    # (k_h, k_w, H', W'): flat position of tap (i, j)'s input for output cell (y, x).
    index = rows[:, None, :, None] * width + cols[None, :, None, :]
    columns = flat[..., index]  # (..., C, k_h, k_w, H', W')
    return columns.flatten(-5, -3).flatten(-2, -1)
