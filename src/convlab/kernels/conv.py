"""``conv2d``: the convolution layer of a CNN, vectorised.

Pad, then pick one of three layouts by shape and groups, as a library does:

- im2col (small images): copy every window into a column of a matrix and
  multiply it by the matrix of kernels: one matrix product computes every
  output. Groups are one more batch axis of that product. A batch goes a few
  images at a time, so the matrix stays a few MB, as PyTorch's own fallback does.
- one product per kernel tap (large inputs): the same sum cut into k_h·k_w
  matrix products on shifted views of the input, so nothing is copied; the
  k_h·k_w-fold copy of im2col would cost more than the arithmetic.
- depthwise (one input channel per group) beyond tiny inputs: no matrix
  product to speak of, so sum the k_h·k_w kernel taps, each a scaled shifted view.
"""

import torch

from convlab.checks import (
    Pair,
    as_pair,
    check_bias,
    check_channels,
    check_fits,
    check_groups,
    check_tensor,
    common_dtype,
    conv_padding,
)

from ._windows import flat_taps, im2col, pad2d, unflatten
from .shapes import axis_output_size

IntOrPair = int | tuple[int, int]

# Largest im2col matrix worth copying, in elements (C·k_h·k_w·H'·W' per image,
# times the images done at once): up to this size (8 MB of float32) the copy is
# cheap and one big matrix product beats k_h·k_w small ones; beyond it, copying
# costs more than multiplying.
IM2COL_LIMIT = 2**21
# Depthwise, the product reuses no copied number, so the copy pays on tiny inputs only.
DEPTHWISE_IM2COL_LIMIT = 2**16
# Bytes of running sums the depthwise loop gives each thread at a time: with
# the inputs they read, they fit in one core's level-2 cache.
CACHE_BYTES = 2**19


def conv2d(
    X: torch.Tensor,
    W: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> torch.Tensor:
    """Cross-correlate X with the kernels W, like ``torch.nn.functional.conv2d``.

    X is (C, H, W) or (N, C, H, W); W is (C_out, C/groups, k_h, k_w); bias is
    (C_out,). ``padding`` is an int, a pair, ``'valid'`` (no padding) or
    ``'same'`` (output as large as the input; needs stride 1). The output is
    (C_out, H', W') or (N, C_out, H', W') with H' = ``output_size(H, k_h, ...)``.
    """
    check_tensor(X, "X", {3: "(C, H, W)", 4: "(N, C, H, W)"})
    check_tensor(W, "W", {4: "(C_out, C_in/groups, k_h, k_w)"})
    stride = as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    c_out, c_group, k_h, k_w = W.shape
    kernel = (k_h, k_w)
    pads = conv_padding(padding, kernel, stride, dilation)
    c_in = X.shape[-3]
    groups = check_groups(groups, c_in, c_out)
    check_channels(c_in, c_group * groups, f"W.shape[1] × groups = {c_group} × {groups}")
    check_bias(bias, c_out)
    check_fits("W", kernel, X.shape[-2:], (pads[0] + pads[1], pads[2] + pads[3]), dilation)

    batched = X.dim() == 4
    if not batched:
        X = X.unsqueeze(0)
    dtype = common_dtype(X, W) if bias is None else common_dtype(X, W, bias)
    X, W = pad2d(X.to(dtype), pads), W.to(dtype)
    h_out = axis_output_size(X.shape[-2], k_h, stride[0], 0, dilation[0])
    w_out = axis_output_size(X.shape[-1], k_w, stride[1], 0, dilation[1])
    columns = c_in * k_h * k_w * h_out * w_out  # numbers im2col copies per image
    depthwise = c_group == 1 and groups == c_out  # output channel o reads input channel o
    if depthwise and len(X) * columns > DEPTHWISE_IM2COL_LIMIT:
        Y = _depthwise(X, W, stride, dilation)
    elif columns > IM2COL_LIMIT:
        Y = _per_tap(X, W, stride, dilation, groups)
    elif len(X) * columns <= IM2COL_LIMIT:  # the whole batch at once (no split to pay for)
        Y = _im2col(X, W, stride, dilation, groups).unflatten(-1, (h_out, w_out))
    else:  # im2col on as many images at a time as keep the column matrix within the limit
        parts = X.split(IM2COL_LIMIT // columns)
        Y = torch.cat([_im2col(part, W, stride, dilation, groups) for part in parts])
        Y = Y.unflatten(-1, (h_out, w_out))
    if bias is not None:
        Y = Y + bias.to(dtype).reshape(1, c_out, 1, 1)
    return Y if batched else Y.squeeze(0)


def _im2col(
    X: torch.Tensor, W: torch.Tensor, stride: Pair, dilation: Pair, groups: int
) -> torch.Tensor:
    """Copy every window into a column ("im2col"), then one matrix product per group.

    Column (y, x) holds the c·k_h·k_w inputs that output cell (y, x) sees; row o of
    the kernel matrix holds output channel o's c·k_h·k_w weights. Their product is
    every output at once, computed by the library's tuned matrix multiply.
    Returns (n, c_out, h'·w').
    """
    c_out, _, k_h, k_w = W.shape
    columns = im2col(X, (k_h, k_w), stride, dilation)  # (n, c·k_h·k_w, h'·w')
    # Rows run channel by channel, so each group's rows are one block of them.
    columns = columns.unflatten(1, (groups, -1))  # (n, groups, c/groups·k_h·k_w, h'·w')
    rows = W.reshape(groups, c_out // groups, -1)
    return (rows @ columns).flatten(1, 2)


def _per_tap(
    X: torch.Tensor, W: torch.Tensor, stride: Pair, dilation: Pair, groups: int
) -> torch.Tensor:
    """im2col's matrix product cut into k_h·k_w pieces, one per kernel tap.

    Tap (i, j) contributes W[:, :, i, j] (c_out × c) times the inputs it meets,
    and those inputs are a slice of the flattened image (``flat_taps``), so no
    window is ever copied: on a large input that copy costs more than the
    products. ``baddbmm_`` adds each product into the running sum in place.
    """
    c_out, c_group, k_h, k_w = W.shape
    n = X.shape[0]
    # One batch entry per image and group: (n·groups, c/groups, H, W).
    X = X.unflatten(1, (groups, c_group)).flatten(0, 1)
    taps, shape = flat_taps(X, (k_h, k_w), stride, dilation)
    # (n·groups, c_out/groups, c/groups, k_h, k_w): the same kernels for every image.
    weights = W.unflatten(0, (groups, c_out // groups)).repeat(n, 1, 1, 1, 1)
    Y = X.new_zeros(n * groups, c_out // groups, taps[0][2].shape[-1])
    for i, j, inputs in taps:  # inputs: (n·groups, c/groups, L)
        Y.baddbmm_(weights[..., i, j], inputs)
    return unflatten(Y.reshape(n, c_out, -1), shape)


def _depthwise(X: torch.Tensor, W: torch.Tensor, stride: Pair, dilation: Pair) -> torch.Tensor:
    """One input channel per group: sum the k_h·k_w kernel taps, each a scaled view.

    A matrix product has nothing to multiply here (output channel o reads input
    channel o only), so each tap (i, j) just adds W[o, 0, i, j] × the inputs it
    meets (``flat_taps``). That is k_h·k_w passes over the running sums; done on
    a block of channels at a time, small enough to stay in the CPU's cache, the
    passes read the sums from cache instead of from memory.
    """
    c_out, _, k_h, k_w = W.shape
    n = X.shape[0]
    # One row per image and channel: (n·c, H, W), and each row's own kernel.
    taps, shape = flat_taps(X.flatten(0, 1), (k_h, k_w), stride, dilation)
    weights = W.repeat(n, 1, 1, 1)  # (n·c, 1, k_h, k_w)
    Y = X.new_zeros(n * c_out, taps[0][2].shape[-1])
    # PyTorch splits each step between its threads, each on its own core's cache.
    block_bytes = CACHE_BYTES * torch.get_num_threads()
    rows = max(1, block_bytes // (Y.element_size() * Y.shape[-1]))
    for first in range(0, n * c_out, rows):
        block = slice(first, first + rows)
        for i, j, inputs in taps:
            Y[block].addcmul_(inputs[block], weights[block, :, i, j])
    return unflatten(Y.unflatten(0, (n, c_out)), shape)
