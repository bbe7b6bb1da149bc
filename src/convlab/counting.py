"""Counting what a layer costs: its parameters and the memory they take.

A dense layer gives every output its own weight for every input, so its size
grows with the image. A convolutional layer shares one small kernel across all
positions, so its size does not depend on the image at all. These functions put
numbers on that, and on each step of the derivation from one to the other.
"""

from __future__ import annotations

from convlab.kernels._checks import as_pair, check_int

BYTES_PER_FLOAT32 = 4


def _check_bias(bias: object) -> None:
    if not isinstance(bias, bool):
        raise TypeError(f"bias: expected True or False, got {type(bias).__name__} {bias!r}")


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
    _check_bias(bias)
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
    _check_bias(bias)
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
            raise ValueError(
                f"groups: {groups} groups must divide {name} = {channels} "
                f"({channels} / {groups} = {channels / groups:.3g} is not whole)"
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
    13.4 GiB. The same rule as ``formatBytes`` in ``convmath.js``.
    """
    n_bytes = check_int(n_bytes, "n_bytes", minimum=0)
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    power = 0
    while power < len(units) - 1 and n_bytes >= 1000 ** (power + 1):
        power += 1
    value = n_bytes / 1000**power
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
