"""The course's kernels as layers: ``Conv2d``, ``MaxPool2d`` and ``AvgPool2d``.

Each is the ``torch.nn`` layer of the same name (a subclass: the same
constructor arguments, the same parameters, initialised by PyTorch's own code
from the same random numbers, so a ``state_dict`` moves freely between the
two) whose forward pass calls ``convlab.kernels`` instead of PyTorch's
kernels. Autograd flows through the course's code, so a network built from
these layers learns with it.

Where convlab refuses what PyTorch would do: the arguments are checked when a
layer is made (PyTorch checks most of them only on the first forward pass, or
lets 0 and negative sizes through), with messages that name the argument; a
weight of more than 2**31 numbers is refused before anything is allocated;
``Conv2d`` pads with zeros only (``padding_mode='zeros'``); the layers run on
the CPU, in floating point (float16, bfloat16, float32, float64). The forward
passes refuse what ``convlab.kernels`` refuses (see ``conv2d``,
``max_pool2d``, ``avg_pool2d``), and their messages call the input ``X`` and
the layer's weight ``W``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from convlab.checks import (
    MAX_ELEMENTS,
    as_pair,
    check_bool,
    check_groups,
    check_int,
    conv_padding,
    size_text,
)
from convlab.kernels import avg_pool2d, conv2d, max_pool2d
from convlab.kernels.pooling import LARGEST, as_size

__all__ = ["AvgPool2d", "Conv2d", "MaxPool2d"]

IntOrPair = int | tuple[int, int]

FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def _check_factory(device: object, dtype: object) -> None:
    """``device`` is None or the CPU; ``dtype`` is None or a floating-point dtype."""
    if device is not None:
        if not isinstance(device, str | torch.device):
            raise TypeError(
                f"device: expected None, 'cpu' or torch.device('cpu'), "
                f"got {type(device).__name__} {device!r}"
            )
        try:
            kind = torch.device(device).type
        except RuntimeError:  # a string PyTorch does not read as a device
            raise ValueError(f"device: expected 'cpu', got {device!r}") from None
        if kind != "cpu":
            raise ValueError(f"device: convlab's layers run on the CPU only, got {device!r}")
    if dtype is not None:
        if not isinstance(dtype, torch.dtype):
            raise TypeError(f"dtype: expected None or a torch.dtype, got {type(dtype).__name__}")
        if dtype not in FLOAT_DTYPES:
            raise ValueError(
                f"dtype: parameters are float16, bfloat16, float32 or float64, got {dtype}"
            )


class Conv2d(nn.Conv2d):
    """``torch.nn.Conv2d`` computed by ``convlab.kernels.conv2d``.

    The same arguments, weight (out_channels, in_channels/groups, k_h, k_w) and
    bias (out_channels,), initialised as PyTorch does. ``padding`` is an int,
    a pair, ``'valid'`` or ``'same'``; only ``padding_mode='zeros'``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair | str = 0,
        dilation: IntOrPair = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        in_channels = check_int(in_channels, "in_channels", minimum=1)
        out_channels = check_int(out_channels, "out_channels", minimum=1)
        kernel = as_pair(kernel_size, "kernel_size", minimum=1)
        stride = as_pair(stride, "stride", minimum=1)
        dilation = as_pair(dilation, "dilation", minimum=1)
        conv_padding(padding, kernel, stride, dilation)  # checked; nn.Conv2d keeps the form
        if not isinstance(padding, str):
            padding = as_pair(padding, "padding", minimum=0)
        groups = check_groups(groups, in_channels, out_channels)
        bias = check_bool(bias, "bias")
        if not isinstance(padding_mode, str):
            raise TypeError(f"padding_mode: expected 'zeros', got {type(padding_mode).__name__}")
        if padding_mode != "zeros":
            raise ValueError(
                f"padding_mode: convlab's Conv2d pads with zeros only ('zeros'), "
                f"got {padding_mode!r}"
            )
        _check_factory(device, dtype)
        weight = (out_channels, in_channels // groups, *kernel)
        if math.prod(weight) > MAX_ELEMENTS:
            raise ValueError(
                f"in_channels, out_channels, kernel_size: the weight would be "
                f"{size_text(weight)} = {math.prod(weight)} numbers, more than the "
                f"{MAX_ELEMENTS} (2**31) convlab allocates: refused before allocating"
            )
        super().__init__(
            in_channels, out_channels, kernel, stride, padding, dilation, groups, bias,
            padding_mode, device, dtype,
        )  # fmt: skip

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """X (N, C, H, W) or (C, H, W) -> (N, out_channels, H', W'), as ``nn.Conv2d``."""
        return conv2d(
            X, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )


def _pooling_sizes(
    kernel_size: object, stride: object, padding: object, dilation: object = 1
) -> tuple:
    """A pooling layer's sizes, checked as ``convlab.kernels`` checks them (without X):
    each from its minimum to 2⁶³ − 1, and at most half the kernel of padding."""
    kernel = as_size(kernel_size, "kernel_size", minimum=1)
    strides = kernel if stride is None else as_size(stride, "stride", minimum=1)
    pads = as_size(padding, "padding", minimum=0)
    dilations = as_size(dilation, "dilation", minimum=1)
    if 2 * pads[0] > kernel[0] or 2 * pads[1] > kernel[1]:
        axis, p, k = ("height", pads[0], kernel[0])
        if 2 * pads[0] <= kernel[0]:
            axis, p, k = ("width", pads[1], kernel[1])
        raise ValueError(
            f"padding: {pads} is more than half of kernel_size {kernel}: "
            f"pooling needs p ≤ k/2 on each axis, but {axis} has {p} > {k}/2"
        )
    return kernel, strides, pads, dilations


def _same_form(value: object, pair: tuple[int, int]) -> IntOrPair:
    """An int stays an int (as ``nn`` layers keep it, for their repr); a pair is a tuple."""
    return pair[0] if not isinstance(value, tuple | list) else pair


class MaxPool2d(nn.MaxPool2d):
    """``torch.nn.MaxPool2d`` computed by ``convlab.kernels.max_pool2d``.

    ``stride`` defaults to ``kernel_size``. The gradient goes to the cell
    PyTorch picks (the first largest, or the last NaN).
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        kernel, strides, pads, dilations = _pooling_sizes(kernel_size, stride, padding, dilation)
        super().__init__(
            _same_form(kernel_size, kernel),
            _same_form(kernel_size if stride is None else stride, strides),
            _same_form(padding, pads),
            _same_form(dilation, dilations),
            check_bool(return_indices, "return_indices"),
            check_bool(ceil_mode, "ceil_mode"),
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """X (N, C, H, W) or (C, H, W) -> the max of each window (and where it is)."""
        return max_pool2d(
            X,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )


class AvgPool2d(nn.AvgPool2d):
    """``torch.nn.AvgPool2d`` computed by ``convlab.kernels.avg_pool2d``.

    ``stride`` defaults to ``kernel_size``; ``divisor_override``, if given, is
    from 1 to 2⁶³ − 1 (PyTorch also takes a negative one).
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        kernel, strides, pads, _ = _pooling_sizes(kernel_size, stride, padding)
        if divisor_override is not None:
            divisor_override = check_int(divisor_override, "divisor_override", 1, LARGEST)
        super().__init__(
            _same_form(kernel_size, kernel),
            _same_form(kernel_size if stride is None else stride, strides),
            _same_form(padding, pads),
            check_bool(ceil_mode, "ceil_mode"),
            check_bool(count_include_pad, "count_include_pad"),
            divisor_override,
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """X (N, C, H, W) or (C, H, W) -> the mean of each window."""
        return avg_pool2d(
            X,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )
