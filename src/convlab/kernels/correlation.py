"""Cross-correlation and convolution as loops, the way the course first writes them.

These are the teaching versions: slow, literal, easy to follow with a pencil.
``conv.conv2d`` computes the same numbers without a loop over output cells.
"""

import torch

from convlab.checks import (
    check_channels,
    check_fits,
    check_kernel_1x1,
    check_tensor,
    common_dtype,
)


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation: slide K over X and sum the elementwise products.

    X is (n_h, n_w), K is (k_h, k_w); the output is (n_h − k_h + 1, n_w − k_w + 1).
    This is what deep-learning libraries call "convolution".
    """
    check_tensor(X, "X", {2: "(H, W)"})
    check_tensor(K, "K", {2: "(k_h, k_w)"})
    check_fits("K", K.shape, X.shape)
    h, w = K.shape
    Y = torch.zeros(
        (X.shape[0] - h + 1, X.shape[1] - w + 1),
        dtype=common_dtype(X, K),
        device=X.device,
    )
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


def convolve2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """True 2-D convolution: cross-correlation with K flipped in both axes."""
    check_tensor(K, "K", {2: "(k_h, k_w)"})
    return corr2d(X, torch.flip(K, dims=(0, 1)))


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Several input channels: correlate each channel with its own kernel, then add up.

    X is (c_i, n_h, n_w), K is (c_i, k_h, k_w); the output has a single channel.
    """
    check_tensor(X, "X", {3: "(c_i, H, W)"})
    check_tensor(K, "K", {3: "(c_i, k_h, k_w)"})
    check_channels(X.shape[0], K.shape[0], "K.shape[0]")
    check_fits("K", K.shape[1:], X.shape[1:])
    return sum(corr2d(x, k) for x, k in zip(X, K, strict=True))


def corr2d_multi_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Several output channels: one ``corr2d_multi_in`` per kernel, stacked.

    X is (c_i, n_h, n_w), K is (c_o, c_i, k_h, k_w); the output is (c_o, h', w').
    """
    check_tensor(X, "X", {3: "(c_i, H, W)"})
    check_tensor(K, "K", {4: "(c_o, c_i, k_h, k_w)"})
    check_channels(X.shape[0], K.shape[1], "K.shape[1]")
    check_fits("K", K.shape[2:], X.shape[1:])
    return torch.stack([corr2d_multi_in(X, k) for k in K], dim=0)


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """A 1×1 convolution is a matrix product that mixes channels at every pixel.

    X is (c_i, h, w), K is (c_o, c_i, 1, 1): each pixel's c_i values are
    multiplied by the (c_o, c_i) matrix of K. The output is (c_o, h, w).
    """
    check_tensor(X, "X", {3: "(c_i, H, W)"})
    check_tensor(K, "K", {4: "(c_o, c_i, 1, 1)"})
    check_channels(X.shape[0], K.shape[1], "K.shape[1]")
    check_kernel_1x1(K)
    dtype = common_dtype(X, K)
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.to(dtype).reshape((c_i, h * w))
    K = K.to(dtype).reshape((c_o, c_i))
    Y = torch.matmul(K, X)
    return Y.reshape((c_o, h, w))
