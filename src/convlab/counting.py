"""Counting what a layer costs: its parameters and the memory they take.

A dense layer gives every output its own weight for every input, so its size
grows with the image. A convolutional layer shares one small kernel across all
positions, so its size does not depend on the image at all. These functions put
numbers on that, and on each step of the derivation from one to the other.

Every count is an exact Python int, however large the arguments (numpy ints
are turned into Python ints first, so nothing wraps around at 2⁶³).
"""

from __future__ import annotations

from decimal import Decimal

import torch
from torch.overrides import TorchFunctionMode

from convlab.checks import as_pair, check_bool, check_int
from convlab.kernels import corr2d_multi_out

BYTES_PER_FLOAT32 = 4
MAX_COUNTED_WINDOWS = 20_000  # windows counted_multiply_adds lets the loop visit (~17 µs each)
MAX_COUNTED_PRODUCTS = 10**7  # numbers those windows multiply (40 MB for the largest one)


def image_inputs(height: int, width: int | None = None, channels: int = 3) -> int:
    """How many numbers an image holds: channels · height · width (RGB: 3 channels)."""
    height = check_int(height, "height", minimum=1)
    width = height if width is None else check_int(width, "width", minimum=1)
    channels = check_int(channels, "channels", minimum=1)
    return channels * height * width


def dense_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Parameters of a dense layer, as ``nn.Linear`` holds them: in · out weights + out biases."""
    in_features = check_int(in_features, "in_features", minimum=1)
    out_features = check_int(out_features, "out_features", minimum=1)
    bias = check_bool(bias, "bias")
    return in_features * out_features + (out_features if bias else 0)


def conv2d_params(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    bias: bool = True,
) -> int:
    """Parameters of a convolutional layer, as ``nn.Conv2d`` holds them.

    One k_h × k_w kernel per (output, input) channel pair plus one bias per
    output channel: c_o · c_i · k_h · k_w + c_o. The image size does not appear.
    """
    in_channels = check_int(in_channels, "in_channels", minimum=1)
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    bias = check_bool(bias, "bias")
    return out_channels * in_channels * k_h * k_w + (out_channels if bias else 0)


def conv2d_macs(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    output_size: int | tuple[int, int],
    groups: int = 1,
) -> int:
    """Multiply-adds of one convolutional layer on one image: O(c_i·c_o·k_h·k_w·m_h·m_w).

    Every one of the c_o · m_h · m_w outputs sums k_h · k_w products over the
    c_i / groups input channels its group sees. Biases (one add per output) are
    not counted.
    """
    in_channels = check_int(in_channels, "in_channels", minimum=1)
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    m_h, m_w = as_pair(output_size, "output_size", minimum=1)
    groups = check_int(groups, "groups", minimum=1)
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % groups:
            try:
                quotient = f"{channels / groups:.3g}"
            except OverflowError:  # beyond a float: the same digits from exact decimals
                quotient = f"{Decimal(channels) / Decimal(groups):.3g}"
            raise ValueError(
                f"groups: {groups} groups must divide {name} = {channels} "
                f"({channels} / {groups} = {quotient} is not whole)"
            )
    return out_channels * (in_channels // groups) * k_h * k_w * m_h * m_w


def param_bytes(params: int, bytes_per_param: int = BYTES_PER_FLOAT32) -> int:
    """Memory the parameters take: 4 bytes each in float32."""
    params = check_int(params, "params", minimum=0)
    bytes_per_param = check_int(bytes_per_param, "bytes_per_param", minimum=1)
    return params * bytes_per_param


def format_bytes(n_bytes: int) -> str:
    """A memory size in decimal units with about 3 significant digits: ``'14.4 GB'``.

    Decimal (1 kB = 1000 bytes), as disk and camera makers count; 14.4 GB is
    13.4 GiB. The same rule as ``formatBytes`` in the browser
    (``widgets/static/src/counting.js``). From 1000 PB on the number is whole and
    rounded exactly, however large (a float would overflow).
    """
    n_bytes = check_int(n_bytes, "n_bytes", minimum=0)
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    power = 0
    while power < len(units) - 1 and n_bytes >= 1000 ** (power + 1):
        power += 1
    unit = 1000**power
    if n_bytes >= 1000 * unit:  # past the last unit: whole numbers, half up
        return f"{(2 * n_bytes + unit) // (2 * unit)} {units[power]}"
    value = n_bytes / unit
    decimals = 0 if value >= 100 else 1 if value >= 10 else 2
    scale = 10**decimals
    rounded = int(value * scale + 0.5) / scale  # half up, like JS Math.round
    if rounded >= 1000 and power < len(units) - 1:  # 999.96 kB rounds to 1 MB
        rounded, power = 1.0, power + 1
    text = f"{rounded:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")  # 14.40 -> 14.4, 2.00 -> 2
    return f"{text} {units[power]}"


# --- From a dense layer to a convolution, step by step ------------------------
# A hidden layer maps an h × w image X to an h × w hidden image H (one channel
# each, to keep the counts readable).


def dense_image_weights(height: int, width: int | None = None) -> int:
    """W[i, j, k, l]: one weight per (output pixel, input pixel) pair, (h·w)² in all.

    Re-indexing the input relative to the output, V[i, j, a, b] = W[i, j, i+a, j+b],
    renames the weights but keeps every one of them.
    """
    height = check_int(height, "height", minimum=1)
    width = height if width is None else check_int(width, "width", minimum=1)
    return (height * width) ** 2


def shared_weights(height: int, width: int | None = None) -> int:
    """V[a, b] after translation invariance: one weight per offset, (2h − 1)(2w − 1).

    The weights no longer depend on the output pixel (i, j), only on the offset
    (a, b) to the input pixel, and offsets run from −(h − 1) to h − 1.
    """
    height = check_int(height, "height", minimum=1)
    width = height if width is None else check_int(width, "width", minimum=1)
    return (2 * height - 1) * (2 * width - 1)


def local_weights(delta: int) -> int:
    """V[a, b] after locality, |a|, |b| ≤ Δ: a (2Δ + 1) × (2Δ + 1) kernel."""
    delta = check_int(delta, "delta", minimum=0)
    return (2 * delta + 1) ** 2


# --- Chapter 7: grouped and depthwise-separable convolution -------------------
# m input channels, n output channels, k × k kernels, an h′ × w′ output. A
# depthwise-separable layer is a depthwise convolution (one k × k kernel per
# input channel, groups = m) followed by a pointwise (1 × 1) convolution m → n.


def grouped_params(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    groups: int = 1,
    bias: bool = True,
) -> int:
    """Parameters of ``nn.Conv2d(..., groups=groups)``: n · (m / groups) · k_h · k_w + n.

    Each output channel only sees the m / groups input channels of its group, so
    every kernel is groups times thinner than in a standard convolution.
    """
    # On a 1×1 output every weight makes one multiply-add: the count is the weights.
    weights = conv2d_macs(in_channels, out_channels, kernel_size, 1, groups)
    bias = check_bool(bias, "bias")
    return weights + (check_int(out_channels, "out_channels", minimum=1) if bias else 0)


def separable_macs(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    output_size: int | tuple[int, int],
) -> int:
    """Multiply-adds of depthwise + pointwise: k·k·m·h′·w′ + m·n·h′·w′.

    The depthwise part is a convolution m → m with groups = m; the pointwise
    part a 1 × 1 convolution m → n on the same h′ × w′ grid.
    """
    depthwise = conv2d_macs(in_channels, in_channels, kernel_size, output_size, in_channels)
    pointwise = conv2d_macs(in_channels, out_channels, 1, output_size)
    return depthwise + pointwise


def separable_params(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    bias: bool = True,
) -> int:
    """Parameters of depthwise + pointwise, as two ``nn.Conv2d`` hold them: k·k·m + m·n.

    With biases add m (one per depthwise output) and n (one per pointwise output).
    """
    depthwise = grouped_params(in_channels, in_channels, kernel_size, in_channels, bias)
    pointwise = conv2d_params(in_channels, out_channels, 1, bias)
    return depthwise + pointwise


def separable_ratio(out_channels: int, kernel_size: int | tuple[int, int]) -> float:
    """Depthwise-separable ÷ standard cost: 1/n + 1/(k_h·k_w), for multiply-adds and weights.

    (k·k·m + m·n) / (k·k·m·n) = 1/n + 1/k²: m and the image size cancel. For
    n = 256 and k = 3 that is 0.115, about 1/9 of the work.
    """
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    return 1 / out_channels + 1 / (k_h * k_w)


# --- Chapter 5: channels and what they cost ---------------------------------------
# A layer with c_i input and c_o output channels holds a (c_o, c_i, k_h, k_w)
# weight. Its cost on one image depends on the output size m_h × m_w as well.


def conv2d_output_size(
    input_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> tuple[int, int]:
    """(m_h, m_w) = (⌊(n + 2p − k)/s⌋ + 1 per axis), padding per side as in PyTorch."""
    n_h, n_w = as_pair(input_size, "input_size", minimum=1)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    s_h, s_w = as_pair(stride, "stride", minimum=1)
    p_h, p_w = as_pair(padding, "padding", minimum=0)
    for axis, n, k, p in (("height", n_h, k_h, p_h), ("width", n_w, k_w, p_w)):
        if k > n + 2 * p:
            raise ValueError(
                f"kernel_size: the kernel ({k_h}×{k_w}) does not fit the padded input: "
                f"each axis needs k ≤ n + 2p, but {axis} has {k} > {n} + 2·{p} = {n + 2 * p}"
            )
    return (n_h + 2 * p_h - k_h) // s_h + 1, (n_w + 2 * p_w - k_w) // s_w + 1


def conv2d_cost(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    input_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    bias: bool = True,
) -> dict[str, object]:
    """A layer on one image at a glance: weight and output shapes, parameters, multiply-adds.

    The parameters do not depend on the image; the multiply-adds,
    c_i·c_o·k_h·k_w·m_h·m_w, grow with the output size m_h × m_w.
    """
    in_channels = check_int(in_channels, "in_channels", minimum=1)
    out_channels = check_int(out_channels, "out_channels", minimum=1)
    bias = check_bool(bias, "bias")
    m_h, m_w = conv2d_output_size(input_size, kernel_size, stride, padding)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    return {
        "weight_shape": (out_channels, in_channels, k_h, k_w),
        "output_shape": (out_channels, m_h, m_w),
        "params": conv2d_params(in_channels, out_channels, (k_h, k_w), bias),
        "macs": conv2d_macs(in_channels, out_channels, (k_h, k_w), (m_h, m_w)),
    }


class _ProductCounter(TorchFunctionMode):
    """Counts the numbers that elementwise multiplications produce inside the ``with``."""

    MULTIPLIES = frozenset({"mul", "mul_", "__mul__", "__rmul__", "__imul__"})

    def __init__(self) -> None:
        super().__init__()
        self.products = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if getattr(func, "__name__", "") in self.MULTIPLIES:
            self.products += result.numel()
        return result


def counted_multiply_adds(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    input_size: int | tuple[int, int],
) -> int:
    """The multiply-adds of the loop version (stride 1, no padding), counted as it runs.

    A check on the formula that does not use it: run ``kernels.corr2d_multi_out``
    itself and add up the numbers every elementwise product it computes holds.
    Its inputs are zeros that take no memory (one zero, expanded), but the
    loop takes microseconds per window, so it is run for at most
    ``MAX_COUNTED_WINDOWS`` windows (c_o · c_i · m_h · m_w) and
    ``MAX_COUNTED_PRODUCTS`` products; ``conv2d_macs`` counts any layer.
    """
    c_i = check_int(in_channels, "in_channels", minimum=1)
    c_o = check_int(out_channels, "out_channels", minimum=1)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    n_h, n_w = as_pair(input_size, "input_size", minimum=1)
    m_h, m_w = conv2d_output_size((n_h, n_w), (k_h, k_w))
    windows = c_o * c_i * m_h * m_w
    if windows > MAX_COUNTED_WINDOWS:
        raise ValueError(
            f"input_size: the loop visits c_o·c_i·m_h·m_w = {c_o}·{c_i}·{m_h}·{m_w} = "
            f"{windows:,} windows here; counted_multiply_adds runs it for at most "
            f"{MAX_COUNTED_WINDOWS:,} (conv2d_macs counts any layer)"
        )
    products = windows * k_h * k_w
    if products > MAX_COUNTED_PRODUCTS:
        raise ValueError(
            f"kernel_size: the loop multiplies windows·k_h·k_w = {windows:,}·{k_h}·{k_w} = "
            f"{products:,} numbers here; counted_multiply_adds runs it for at most "
            f"{MAX_COUNTED_PRODUCTS:,} (conv2d_macs counts any layer)"
        )
    zero = torch.zeros(1)
    X, K = zero.expand(c_i, n_h, n_w), zero.expand(c_o, c_i, k_h, k_w)
    with _ProductCounter() as counter:
        corr2d_multi_out(X, K)
    return counter.products
