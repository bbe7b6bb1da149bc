"""Padding and the windows a kernel visits: the building blocks of the fast versions.

Two ways to reach every window without a Python loop over output cells:

- ``sliding_windows`` views the input as one window per output cell (a pair of
  axes each). Copying that view into a matrix is "im2col"; a convolution is then
  one matrix product, a pooling layer one reduction.
- ``windows_along`` does the same along one axis only. Max and sum are
  separable (the max of a window is the max of its rows' maxima), so a pooling
  layer reduces along H, then along W: k_h + k_w steps per cell instead of k_h·k_w.
- ``flat_taps`` goes the other way round: one view per kernel tap (i, j), holding
  the input that tap multiplies for every output cell. A convolution is then a
  sum over the k_h·k_w taps: one small matrix product each, or for depthwise
  one scaled view each.
"""

import torch
import torch.nn.functional as F

from convlab.checks import Padding, Pair

from .shapes import axis_output_size


def pad2d(X: torch.Tensor, padding: Padding, value: float = 0) -> torch.Tensor:
    """Surround the last two axes with ``value``: (top, bottom, left, right) cells."""
    if not any(padding):
        return X  # nothing to add: skip the copy
    top, bottom, left, right = padding
    # F.pad lists the last axis first: (left, right, top, bottom).
    return F.pad(X, (left, right, top, bottom), value=value)


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
    return windows[..., ::d_h, ::d_w]


def im2col(X: torch.Tensor, kernel: Pair, stride: Pair, dilation: Pair) -> torch.Tensor:
    """Copy every window into a column: ``(..., C, H, W)`` -> ``(..., C·k_h·k_w, H'·W')``.

    Rows run over (channel, kernel row, kernel column), columns over (output
    row, output column): the order of ``torch.nn.functional.unfold``. A 1×1
    kernel's windows are single cells, so its columns are the image itself
    (every s-th cell with stride s): a view, no copy, when the stride is 1.
    """
    if kernel == (1, 1):
        return X[..., :: stride[0], :: stride[1]].flatten(-2)
    windows = sliding_windows(X, kernel, stride, dilation)  # (..., C, H', W', k_h, k_w): a view
    # Put (k_h, k_w) before (H', W'); flattening cannot keep the view, so it copies.
    moved = windows.movedim((-2, -1), (-4, -3))  # (..., C, k_h, k_w, H', W')
    return moved.flatten(-5, -3).flatten(-2, -1)


def windows_along(X: torch.Tensor, axis: int, k: int, stride: int, dilation: int) -> torch.Tensor:
    """View one axis (-2 or -1) as windows of ``k`` taps: that axis shrinks to the
    output length and a new last axis holds each window's taps. No copy."""
    span = dilation * (k - 1) + 1
    return X.unfold(axis, span, stride)[..., ::dilation]


def flat_taps(
    X: torch.Tensor, kernel: Pair, stride: Pair, dilation: Pair
) -> tuple[list[tuple[int, int, torch.Tensor]], tuple[int, int, int]]:
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
    each start), each stored densely; tap (i, j) is a slice of one phase. To
    give every phase the same shape, X is first padded to a multiple of the
    stride; only the dropped edge cells ever read that padding.

    Returns ``(taps, (h_out, w_out, width))`` with ``taps`` a list of
    ``(i, j, slice)``, each slice of shape (..., L), L = (h_out − 1)·width + w_out.
    """
    (k_h, k_w), (s_h, s_w), (d_h, d_w) = kernel, stride, dilation
    h_out = axis_output_size(X.shape[-2], k_h, s_h, 0, d_h)
    w_out = axis_output_size(X.shape[-1], k_w, s_w, 0, d_w)
    X = pad2d(X, (0, -X.shape[-2] % s_h, 0, -X.shape[-1] % s_w))
    width = X.shape[-1] // s_w
    phases: dict[tuple[int, int], torch.Tensor] = {}
    taps = []
    for i in range(k_h):
        for j in range(k_w):
            # Input row y·s_h + i·d_h is row y + top of phase row_phase; likewise columns.
            top, row_phase = divmod(i * d_h, s_h)
            left, col_phase = divmod(j * d_w, s_w)
            if (row_phase, col_phase) not in phases:
                phase = X[..., row_phase::s_h, col_phase::s_w]
                phases[row_phase, col_phase] = phase.contiguous().flatten(-2)
            start = top * width + left
            flat = phases[row_phase, col_phase]
            taps.append((i, j, flat[..., start : start + (h_out - 1) * width + w_out]))
    return taps, (h_out, w_out, width)


def unflatten(Y: torch.Tensor, shape: tuple[int, int, int]) -> torch.Tensor:
    """Turn flat outputs (..., L) from ``flat_taps`` back into (..., h_out, w_out)."""
    h_out, w_out, width = shape
    rows = F.pad(Y, (0, width - w_out)).unflatten(-1, (h_out, width))
    return rows[..., :w_out].contiguous()
