"""The maths of convolution, written from scratch on ``torch`` tensors.

- ``correlation``: the teaching loops: ``corr2d``, ``convolve2d`` and the
  multi-channel versions.
- ``conv``: ``conv2d``, the vectorised layer with stride, padding, dilation, groups.
- ``transpose``: ``conv_transpose2d``, each input cell scattering a scaled kernel.
- ``backward``: ``conv2d_backward``, conv2d's three gradients, each a convolution.
- ``pooling``: the ``pool2d`` loop and the ``max_pool2d`` / ``avg_pool2d`` layers.
- ``shapes``: ``output_size``, the output-shape formula.
- ``convolution1d``: ``convolve1d``, the 1-D convolution of signals and systems.

Every function checks its arguments and explains what is wrong, with the numbers.
"""

from .backward import Conv2dGradients, conv2d_backward
from .conv import conv2d
from .convolution1d import convolve1d
from .correlation import (
    convolve2d,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out_1x1,
    corr2d_multi_out,
)
from .pooling import avg_pool2d, max_pool2d, pool2d
from .shapes import output_size
from .transpose import conv_transpose2d

__all__ = [
    "Conv2dGradients",
    "avg_pool2d",
    "conv2d",
    "conv2d_backward",
    "conv_transpose2d",
    "convolve1d",
    "convolve2d",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out_1x1",
    "corr2d_multi_out",
    "max_pool2d",
    "output_size",
    "pool2d",
]
