"""``conv2d``: the convolution layer of a CNN, vectorised.

Pad, cut the input into windows (a view, no copy), and let one ``einsum``
multiply every window with every kernel. Groups split the channels into
independent stacks, which is just one more axis in the ``einsum``.
"""

import torch

from ._checks import (
    as_pair,
    check_bias,
    check_channels,
    check_fits,
    check_groups,
    check_tensor,
    common_dtype,
    conv_padding,
)
from ._windows import pad2d, sliding_windows

IntOrPair = int | tuple[int, int]


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
    windows = sliding_windows(pad2d(X.to(dtype), pads), kernel, stride, dilation)
    n, _, h_out, w_out = windows.shape[:4]
    # Split the channels into groups: each group of outputs only sees its own inputs.
    windows = windows.reshape(n, groups, c_in // groups, h_out, w_out, k_h, k_w)
    kernels = W.to(dtype).reshape(groups, c_out // groups, c_group, k_h, k_w)
    # For every image n, group g, output channel o and cell (h, w):
    # sum over input channels c and kernel taps (i, j) of window × kernel.
    Y = torch.einsum("ngchwij,gocij->ngohw", windows, kernels)
    Y = Y.reshape(n, c_out, h_out, w_out)
    if bias is not None:
        Y = Y + bias.to(dtype).reshape(1, c_out, 1, 1)
    return Y if batched else Y.squeeze(0)
