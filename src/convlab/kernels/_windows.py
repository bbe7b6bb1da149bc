"""Padding and sliding windows: the two building blocks of the fast versions.

``sliding_windows`` is "im2col" without the copy: a view of the input in which
every window the kernel visits becomes its own pair of axes. A convolution is
then one ``einsum`` over those axes, a pooling layer one ``amax`` or ``sum``.
"""

import torch
import torch.nn.functional as F

from ._checks import Padding, Pair


def pad2d(X: torch.Tensor, padding: Padding, value: float = 0) -> torch.Tensor:
    """Surround the last two axes with ``value``: (top, bottom, left, right) cells."""
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
