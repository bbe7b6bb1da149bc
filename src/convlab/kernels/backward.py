"""``conv2d_backward``: the three gradients of a convolution layer, each a convolution.

Write the layer as y = Cx + b, with C the convolution's (sparse) matrix, and a
loss L of y. Given the output's gradient g = ∂L/∂y (one number per output cell):

- ∂L/∂x = Cᵀg: each output cell y[o, i, j] read the input window at
  (i·s − p, j·s − p), tap (a, b) on cell (i·s + a·d − p, j·s + b·d − p); so each
  gradient cell g[o, i, j] sends g·W[o, c, a, b] back to that same cell. Every
  output cell scatters a scaled copy of its kernel: a transposed convolution of
  g (``conv_transpose2d``), cropped by the padding to the input's size. Summed
  over the output channels that read input channel c; with groups, only those
  of c's group.
- ∂L/∂W[o, c, a, b] = Σ over images and output cells of g[o, i, j] times the
  input tap (a, b) read there, x[c, i·s + a·d − p, j·s + b·d − p]: a
  cross-correlation of the input with g as the kernel, in which the layer's
  stride becomes the dilation (g's cells are s input cells apart) and its
  dilation the stride (the taps are d apart). The images play the part of
  channels (summed over), the input channels that of images.
- ∂L/∂b[o] = Σ of g[o] over images and cells: every output cell adds b[o] once.

So the backward pass is two more convolutions, computed by convlab's own kernels.
"""

from typing import NamedTuple

import torch

from convlab.checks import (
    Pair,
    as_pair,
    check_dtype,
    check_fits,
    check_groups,
    check_same_dtype,
    check_tensor,
    conv_padding,
    size_text,
)

from ._windows import cut_axis
from .conv import _convolve, _convolve_cut
from .transpose import HALF_FLOATS, TRANSPOSED_DTYPES, scatter_kernels

IntOrPair = int | tuple[int, int]
Padding = tuple[int, int, int, int]


class Conv2dGradients(NamedTuple):
    """The gradients of a loss with respect to conv2d's input, weight and bias."""

    input: torch.Tensor  # shaped as the input: (N, C_in, H, W) or (C_in, H, W)
    weight: torch.Tensor  # (C_out, C_in/groups, k_h, k_w)
    bias: torch.Tensor  # (C_out,)


def conv2d_backward(
    input: torch.Tensor,
    weight: torch.Tensor,
    grad_output: torch.Tensor,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> Conv2dGradients:
    """The gradients of ``convlab.kernels.conv2d(input, weight, bias, stride, padding,
    dilation, groups)`` given ``grad_output``, the gradient of its output.

    Returns ``Conv2dGradients(input, weight, bias)``, what PyTorch's autograd
    gives for the three (the bias gradient whether or not the layer has a bias):

    - input: the transposed convolution of ``grad_output`` with ``weight``
      (each output cell scatters its kernel, scaled by its gradient, back onto
      the cells it read), cropped by the padding; with symmetric padding p it is
      ``conv_transpose2d(grad_output, weight, None, stride, p, output_padding,
      groups, dilation)`` with output_padding = (H + 2p − d·(k − 1) − 1) mod s,
      the rows and columns the stride skipped at the end (their gradient is 0);
    - weight: the cross-correlation of ``input`` with ``grad_output`` as the
      kernel, stride and dilation swapped, summed over the images;
    - bias: ``grad_output`` summed over the images and cells.

    ``input`` is (C_in, H, W) or (N, C_in, H, W) (N may be 0), ``weight`` (C_out,
    C_in/groups, k_h, k_w), ``grad_output`` the shape conv2d gives: (C_out, H', W')
    or (N, C_out, H', W'). ``padding`` is an int, a pair, ``'valid'`` or ``'same'``,
    as conv2d takes it. dtypes: float32 and float64; float16 and bfloat16,
    computed in float32 and rounded once; int64 (exact sums, wrapping around as
    PyTorch's integers do). The narrower integer types are refused: the input's
    gradient is a transposed convolution, which PyTorch computes with floats and
    int64 only.
    """
    check_dtype(input, "input", "conv2d")
    check_tensor(input, "input", {3: "(C_in, H, W)", 4: "(N, C_in, H, W)"}, empty_batch=True)
    check_tensor(weight, "weight", {4: "(C_out, C_in/groups, k_h, k_w)"})
    check_dtype(grad_output, "grad_output", "conv2d")
    layouts = {3: "(C_out, H', W')", 4: "(N, C_out, H', W')"}
    check_tensor(grad_output, "grad_output", layouts, empty_batch=True)
    stride = as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    c_out, c_group, k_h, k_w = weight.shape
    pads = conv_padding(padding, (k_h, k_w), stride, dilation)
    *batch, c_in, height, width = input.shape
    groups = check_groups(groups, c_in, c_out)
    if c_in != c_group * groups:
        raise ValueError(
            f"input: has {c_in} channels, but weight expects {c_group * groups} "
            f"(weight.shape[1] × groups = {c_group} × {groups})"
        )
    dtype = check_same_dtype("conv2d", input=input, weight=weight, grad_output=grad_output)
    if dtype not in TRANSPOSED_DTYPES:
        raise TypeError(
            f"input: {dtype} tensors: the input's gradient is a transposed convolution, "
            "which PyTorch computes with float and int64 tensors only; convert with "
            ".long() or .float()"
        )
    rows = cut_axis(height, k_h, stride[0], dilation[0], pads[0], pads[1])
    cols = cut_axis(width, k_w, stride[1], dilation[1], pads[2], pads[3])
    if rows.out < 1 or cols.out < 1:  # the kernel does not fit: say where
        padded = (pads[0] + pads[1], pads[2] + pads[3])
        check_fits("weight", (k_h, k_w), (height, width), padded, dilation)
    expected = (*batch, c_out, rows.out, cols.out)
    if tuple(grad_output.shape) != expected:
        raise ValueError(
            f"grad_output: expected shape {expected}, the shape conv2d gives for an input "
            f"of shape {tuple(input.shape)} with these arguments "
            f"({size_text(expected[-2:])} cells per channel), got {tuple(grad_output.shape)}"
        )

    X, G = (input, grad_output) if batch else (input.unsqueeze(0), grad_output.unsqueeze(0))
    W = weight
    if dtype in HALF_FLOATS:  # summed in float32 and rounded once, as PyTorch does
        X, W, G = X.float(), W.float(), G.float()
    grad_input = input_gradient(G, W, stride, pads, dilation, groups, (height, width))
    grad_weight = weight_gradient(X, G, (k_h, k_w), stride, pads, dilation, groups)
    grad_bias = G.sum((0, 2, 3))
    grad_input = grad_input if batch else grad_input.squeeze(0)
    return Conv2dGradients(*(t.to(dtype) for t in (grad_input, grad_weight, grad_bias)))


def input_gradient(
    G: torch.Tensor,
    W: torch.Tensor,
    stride: Pair,
    pads: Padding,
    dilation: Pair,
    groups: int,
    size: Pair,
) -> torch.Tensor:
    """∂L/∂x: each gradient cell scatters its kernel back where its window lay.

    Output cell (i, j)'s tap (a, b) read input cell (i·s + a·d − p_top,
    j·s + b·d − p_left): the transposed convolution of G (n, C_out, H', W') with W,
    whose output starts p_top rows and p_left columns in, H × W cells
    (``size``). conv2d's weight (C_out, C_in/groups, ...) is already laid out as
    conv_transpose2d's (its input channels, here C_out, first).
    """
    return scatter_kernels(G, W, None, stride, dilation, groups, (pads[0], pads[2]), size)


def weight_gradient(
    X: torch.Tensor,
    G: torch.Tensor,
    kernel: Pair,
    stride: Pair,
    pads: Padding,
    dilation: Pair,
    groups: int,
) -> torch.Tensor:
    """∂L/∂W[o, c, a, b] = Σ_{n, i, j} G[n, o, i, j] · X_padded[n, c, i·s + a·d, j·s + b·d].

    For fixed (a, b) the sum runs over cells s apart, starting at (a·d, b·d): a
    cross-correlation of the padded input with G as the kernel, the layer's
    stride as the dilation and its dilation as the stride. Laid out for conv2d's
    own kernels: the input channels as images (C_in/groups of them), the images
    as channels (groups × N, summed over), G as groups × C_out/groups kernels of
    N channels each. The correlation may have a few more rows and columns than
    the kernel (cells the stride skipped at the end): they are dropped.
    """
    n, c_in, height, width = X.shape
    c_out, (k_h, k_w) = G.shape[1], kernel
    c_group, o_group = c_in // groups, c_out // groups
    if n == 0:  # no image: nothing summed
        return X.new_zeros(c_out, c_group, k_h, k_w)
    # (C_in/groups, groups·N, H, W): image c is input channel c of every group.
    images = X.reshape(n, groups, c_group, height, width).permute(2, 1, 0, 3, 4)
    images = images.reshape(c_group, groups * n, height, width)
    # (groups·C_out/groups, N, H', W'): output channel o's gradient in every image.
    kernels = G.reshape(n, groups, o_group, *G.shape[-2:]).permute(1, 2, 0, 3, 4)
    kernels = kernels.reshape(c_out, n, *G.shape[-2:])
    swapped_stride, swapped_dilation = dilation, stride
    rows = cut_axis(height, G.shape[-2], swapped_stride[0], swapped_dilation[0], *pads[:2])
    cols = cut_axis(width, G.shape[-1], swapped_stride[1], swapped_dilation[1], *pads[2:])
    if rows.whole and cols.whole:  # nothing to cut: conv2d's common case
        kept = (rows.dilation, cols.dilation)
        out = (rows.out, cols.out)
        sums = _convolve(images, kernels, None, pads, swapped_stride, kept, groups, out)
    else:
        sums = _convolve_cut(images, kernels, None, rows, cols, groups)
    # (C_in/groups, C_out, ≥ k_h, ≥ k_w) -> (C_out, C_in/groups, k_h, k_w)
    return sums[..., :k_h, :k_w].transpose(0, 1).contiguous()
