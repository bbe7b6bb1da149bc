"""im2col: every window of the input copied into a column, then one matrix product.

The loop ``corr2d`` visits the output cells one by one. im2col reorganises the
same arithmetic so that a single matrix product does it:

- ``sliding_windows`` (``convlab.kernels``) views the input as one k_h × k_w
  window per output cell, without copying anything;
- ``im2col`` copies that view into a matrix with one **column per window**
  (C·k_h·k_w rows, H'·W' columns): that copy is where the memory goes, about
  k_h·k_w times the input;
- ``kernel_matrix`` flattens each output channel's kernels into one **row**;
- ``conv2d_im2col``: kernel matrix @ column matrix = every output at once.

Rows are ordered (channel, kernel row, kernel column) and columns (output row,
output column), the order of ``torch.nn.functional.unfold``.

The copy is the point of the method and its cost: a column matrix of more than
``checks.MAX_ELEMENTS`` numbers is refused before it is made. Sizes are exact
Python ints, however large.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from convlab.checks import (
    Pair,
    as_pair,
    check_channels,
    check_dilated_dtype,
    check_fits,
    check_int,
    check_result_size,
    check_same_dtype,
    check_tensor,
)
from convlab.kernels import output_size
from convlab.kernels._windows import im2col as columns_of_windows

IntOrPair = int | tuple[int, int]


def _columns(X: torch.Tensor, kernel: Pair, stride: object, dilation: object, name: str):
    """The column matrix of checked X for a ``kernel``, once it is known to fit in memory.

    ``name`` is the argument that gives the kernel, for the messages. A stride
    past the input leaves one window per axis and a one-tap axis has no
    dilation to speak of, so PyTorch (whose ints are 64-bit) gets the input's
    size and 1 for them: the windows are the same.
    """
    strides = as_pair(stride, "stride", minimum=1)
    dilations = as_pair(dilation, "dilation", minimum=1)
    size = tuple(X.shape[-2:])
    check_fits(name, kernel, size, (0, 0), dilations)
    h_out, w_out = output_size(size, kernel, strides, 0, dilations)
    check_result_size((*X.shape[:-3], X.shape[-3] * kernel[0] * kernel[1], h_out * w_out), name)
    strides = tuple(min(s, n) for s, n in zip(strides, size, strict=True))
    dilations = tuple(d if k > 1 else 1 for d, k in zip(dilations, kernel, strict=True))
    return columns_of_windows(X, kernel, strides, dilations), (h_out, w_out)


def im2col(
    X: torch.Tensor, kernel_size: IntOrPair, stride: IntOrPair = 1, dilation: IntOrPair = 1
) -> torch.Tensor:
    """The column matrix of X: one column per window, C·k_h·k_w rows.

    X is (C, H, W) or (N, C, H, W); the result is (C·k_h·k_w, H'·W') or
    (N, C·k_h·k_w, H'·W'), as ``torch.nn.functional.unfold`` gives. Column
    y·W' + x holds the window of output cell (y, x); row c·k_h·k_w + a·k_w + b
    holds the input that kernel tap (a, b) of channel c meets.
    ``kernels.conv2d`` uses the same function on small inputs. It copies
    integer tensors too, which ``unfold`` has no kernel for (PyTorch's conv2d,
    which needs this copy, takes them).
    """
    check_tensor(X, "X", {3: "(C, H, W)", 4: "(N, C, H, W)"}, empty_batch=True)
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    return _columns(X, kernel, stride, dilation, "kernel_size")[0]


def kernel_matrix(W: torch.Tensor) -> torch.Tensor:
    """The kernels (C_out, C, k_h, k_w) as a matrix: row o holds output channel o's weights."""
    check_tensor(W, "W", {4: "(C_out, C, k_h, k_w)"})
    return W.reshape(W.shape[0], -1)


def conv2d_im2col(
    X: torch.Tensor, W: torch.Tensor, stride: IntOrPair = 1, dilation: IntOrPair = 1
) -> torch.Tensor:
    """Cross-correlation as one matrix product: ``kernel_matrix(W) @ im2col(X)``.

    X is (C, H, W) or (N, C, H, W), W is (C_out, C, k_h, k_w); the output is
    (C_out, H', W') or (N, C_out, H', W'), as ``torch.nn.functional.conv2d`` gives
    without padding. Like PyTorch, X and W must share one dtype, and only
    floats and int64 may be dilated. Unlike
    PyTorch's layer, it makes the whole column matrix, k_h·k_w times the input
    (that is what it shows), so it needs that much memory.
    """
    check_tensor(X, "X", {3: "(C, H, W)", 4: "(N, C, H, W)"}, empty_batch=True)
    check_tensor(W, "W", {4: "(C_out, C, k_h, k_w)"})
    check_channels(X.shape[-3], W.shape[1], f"W.shape[1] = {W.shape[1]}")
    check_same_dtype("conv2d", X=X, W=W)
    check_dilated_dtype(X.dtype, as_pair(dilation, "dilation", minimum=1), "conv2d")
    columns, out = _columns(X, tuple(W.shape[-2:]), stride, dilation, "W")
    Y = kernel_matrix(W) @ columns  # (C_out, C·k_h·k_w) @ (…, C·k_h·k_w, H'·W')
    return Y.unflatten(-1, out)


@dataclass(frozen=True)
class Im2colSizes:
    """How big the pieces of an im2col convolution are, in numbers (elements)."""

    input_elements: int  # C·H·W (per image)
    rows: int  # C·k_h·k_w: one per input number a window holds
    columns: int  # H'·W': one per window (output cell)
    matrix_elements: int  # rows · columns: what the copy holds
    macs: int  # C_out · rows · columns: the matrix product's multiply-adds

    @property
    def growth(self) -> float:
        """The column matrix over the input: about k_h·k_w / (s_h·s_w) on a large input.

        ``math.inf`` when the ratio of two huge counts is beyond a float.
        """
        try:
            return self.matrix_elements / self.input_elements
        except OverflowError:
            return math.inf


def im2col_sizes(
    channels: int,
    size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    out_channels: int = 1,
) -> Im2colSizes:
    """The sizes of ``im2col`` on a C × H × W input, and the product's multiply-adds."""
    channels = check_int(channels, "channels", minimum=1)
    (h, w) = as_pair(size, "size", minimum=1)
    (k_h, k_w) = as_pair(kernel_size, "kernel_size", minimum=1)
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    h_out, w_out = output_size((h, w), (k_h, k_w), stride)
    rows, columns = channels * k_h * k_w, h_out * w_out
    return Im2colSizes(
        channels * h * w, rows, columns, rows * columns, out_channels * rows * columns
    )
