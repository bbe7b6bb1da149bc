"""Pooling: summarise each window by its maximum or its mean.

``pool2d`` is the loop from the course (one channel, stride 1, no padding);
``max_pool2d`` and ``avg_pool2d`` are the vectorised layers that match PyTorch.
"""

import torch

from convlab.checks import as_pair, check_fits, check_mode, check_tensor, pool_args

from ._windows import pad2d, windows_along

IntOrPair = int | tuple[int, int]


def pool2d(X: torch.Tensor, pool_size: IntOrPair, mode: str = "max") -> torch.Tensor:
    """Slide a p_h×p_w window over the 2-D X (stride 1) and keep its max or mean.

    ``mode`` is ``'max'`` or ``'mean'``. A mean of integers is a fraction, so
    for integer X the ``'mean'`` output has the default float dtype.
    """
    check_tensor(X, "X", {2: "(H, W)"})
    p_h, p_w = as_pair(pool_size, "pool_size", minimum=1)
    check_mode(mode)
    check_fits("pool_size", (p_h, p_w), X.shape)
    use_float = mode == "mean" and not X.is_floating_point()
    dtype = torch.get_default_dtype() if use_float else X.dtype
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), dtype=dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i : i + p_h, j : j + p_w]
            if mode == "max":
                Y[i, j] = window.max()
            else:
                Y[i, j] = window.to(dtype).mean()
    return Y


def _lowest(dtype: torch.dtype) -> float | int:
    """The padding value that never wins a max: −∞, or the smallest integer."""
    return float("-inf") if dtype.is_floating_point else torch.iinfo(dtype).min


def max_pool2d(
    X: torch.Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> torch.Tensor:
    """Largest value of each window, like ``torch.nn.functional.max_pool2d``.

    X is (C, H, W) or (N, C, H, W). ``stride`` defaults to ``kernel_size``
    (windows side by side). Padding cells hold −∞, so they never win.
    """
    kernel, stride, padding, dilation = pool_args(X, kernel_size, stride, padding, dilation)
    p_h, p_w = padding
    X = pad2d(X, (p_h, p_h, p_w, p_w), value=_lowest(X.dtype))
    # A window's maximum is the maximum of its rows' maxima: reduce along H, then W.
    rows = windows_along(X, -2, kernel[0], stride[0], dilation[0]).amax(dim=-1)
    return windows_along(rows, -1, kernel[1], stride[1], dilation[1]).amax(dim=-1)


def avg_pool2d(
    X: torch.Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
) -> torch.Tensor:
    """Mean of each window, like ``torch.nn.functional.avg_pool2d``.

    X is (C, H, W) or (N, C, H, W). ``stride`` defaults to ``kernel_size``.
    Padding cells are zeros and count in the mean (PyTorch's
    ``count_include_pad=True``). As in PyTorch, integer X gives an integer
    mean, rounded toward zero.
    """
    kernel, stride, padding, _ = pool_args(X, kernel_size, stride, padding, 1)
    p_h, p_w = padding
    X = pad2d(X, (p_h, p_h, p_w, p_w))
    # A window's sum is the sum of its rows' sums: add along H, then along W.
    rows = windows_along(X, -2, kernel[0], stride[0], 1).sum(dim=-1)
    total = windows_along(rows, -1, kernel[1], stride[1], 1).sum(dim=-1)
    count = kernel[0] * kernel[1]
    if X.is_floating_point():
        return total / count
    return torch.div(total, count, rounding_mode="trunc").to(X.dtype)
