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
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from convlab.checks import as_pair, check_channels, check_fits, check_tensor
from convlab.kernels import output_size
from convlab.kernels._windows import im2col as columns_of_windows

IntOrPair = int | tuple[int, int]


def im2col(
    X: torch.Tensor, kernel_size: IntOrPair, stride: IntOrPair = 1, dilation: IntOrPair = 1
) -> torch.Tensor:
    """The column matrix of X: one column per window, C·k_h·k_w rows.

    X is (C, H, W) or (N, C, H, W); the result is (C·k_h·k_w, H'·W') or
    (N, C·k_h·k_w, H'·W'). Column y·W' + x holds the window of output cell
    (y, x); row c·k_h·k_w + a·k_w + b holds the input that kernel tap (a, b) of
    channel c meets. ``kernels.conv2d`` uses the same function on small inputs.
    """
    check_tensor(X, "X", {3: "(C, H, W)", 4: "(N, C, H, W)"})
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    strides = as_pair(stride, "stride", minimum=1)
    dilations = as_pair(dilation, "dilation", minimum=1)
    check_fits("kernel_size", kernel, X.shape[-2:], (0, 0), dilations)
    return columns_of_windows(X, kernel, strides, dilations)


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
    without padding.
    """
    rows = kernel_matrix(W)
    columns = im2col(X, tuple(W.shape[-2:]), stride, dilation)
    check_channels(X.shape[-3], W.shape[1], f"W.shape[1] = {W.shape[1]}")
    h_out, w_out = output_size(tuple(X.shape[-2:]), tuple(W.shape[-2:]), stride, 0, dilation)
    dtype = torch.promote_types(X.dtype, W.dtype)
    Y = rows.to(dtype) @ columns.to(dtype)  # (C_out, C·k_h·k_w) @ (…, C·k_h·k_w, H'·W')
    return Y.unflatten(-1, (h_out, w_out))


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
        """The column matrix over the input: about k_h·k_w / (s_h·s_w) on a large input."""
        return self.matrix_elements / self.input_elements


def im2col_sizes(
    channels: int,
    size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    out_channels: int = 1,
) -> Im2colSizes:
    """The sizes of ``im2col`` on a C × H × W input, and the product's multiply-adds."""
    (h, w) = as_pair(size, "size", minimum=1)
    (k_h, k_w) = as_pair(kernel_size, "kernel_size", minimum=1)
    h_out, w_out = output_size((h, w), (k_h, k_w), stride)
    rows, columns = channels * k_h * k_w, h_out * w_out
    return Im2colSizes(
        channels * h * w, rows, columns, rows * columns, out_channels * rows * columns
    )
