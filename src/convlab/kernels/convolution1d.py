"""1-D convolution of signals, the operation of signals and systems.

A linear time-invariant system answers an impulse at time k with a copy of its
impulse response h that starts at k. Feed it a sampled signal x and the output
is the sum of those copies, each scaled by its sample: ``y = x * h``.
"""

import torch

from convlab.checks import check_tensor, common_dtype


def convolve1d(x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """True 1-D convolution, "full" length: y[n] = Σ_k x[k] · h[n − k].

    x has n samples and h has m; y has n + m − 1, one for every shift at which
    the two overlap. The kernel is *flipped* (h[n − k], not h[n + k]): this is
    the convolution of mathematics, ``numpy.convolve``, not the
    cross-correlation that deep-learning layers compute.
    """
    check_tensor(x, "x", {1: "(n,)"})
    check_tensor(h, "h", {1: "(m,)"})
    dtype = common_dtype(x, h)
    x, h = x.to(dtype), h.to(dtype)
    y = torch.zeros(len(x) + len(h) - 1, dtype=dtype, device=x.device)
    # Sample k of the input launches a copy of h, scaled by x[k], starting at k.
    for k in range(len(x)):
        y[k : k + len(h)] += x[k] * h
    return y
