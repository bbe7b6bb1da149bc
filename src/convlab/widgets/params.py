"""The parameter counter: a dense layer against a convolutional layer as the image grows."""

from __future__ import annotations

from dataclasses import dataclass

from convlab.checks import check_int
from convlab.counting import conv2d_params, dense_params, format_bytes, image_inputs, param_bytes
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import SettingsWidget, Whole, checked
from convlab.widgets.text import format_count, format_ratio

# The slider stops (the view reads them from the widget's `limits`). 3464² ≈ 12.0
# million pixels: chapter 1's 12-megapixel photo, made square.
SIDES = (8, 16, 28, 32, 64, 96, 128, 224, 256, 512, 1000, 1024, 2048, 3464, 4096)
UNITS = (1, 2, 4, 8, 10, 16, 32, 50, 64, 100, 128, 256, 512, 1000, 1024, 2048, 4096)
MAX_CHANNELS = 4
MAX_KERNEL = 15
# Every slider: default, lowest, highest (and its stops). The defaults are the course's
# 12-megapixel photo.
SETTINGS = {
    "side": Whole(3464, 1, max(SIDES), stops=SIDES),
    "channels": Whole(3, 1, MAX_CHANNELS),
    "hidden": Whole(100, 1, max(UNITS), stops=UNITS),
    "out_channels": Whole(100, 1, max(UNITS), stops=UNITS),
    "kernel": Whole(3, 1, MAX_KERNEL),
}


def size_problem(side: int, kernel: int) -> str | None:
    """Why a kernel × kernel window cannot slide over a side × side image, or None."""
    side, kernel = check_int(side, "side", 1), check_int(kernel, "kernel", 1)
    if kernel > side:
        return (
            f"The kernel ({kernel}×{kernel}) is larger than the image ({side}×{side}): "
            f"a window must fit inside the image (k ≤ n), and n − k + 1 = {side} − {kernel} "
            f"+ 1 = {side - kernel + 1} leaves no output pixel."
        )
    return None


@dataclass(frozen=True)
class Counts:
    """What the counter shows for one setting."""

    inputs: int  # numbers in the image: channels · side²
    dense: int  # parameters of nn.Linear(inputs, hidden)
    conv: int | None  # parameters of nn.Conv2d(channels, out_channels, kernel), or None
    dense_bytes: int
    conv_bytes: int | None
    problem: str | None


def count(side: int, channels: int, hidden: int, out_channels: int, kernel: int) -> Counts:
    """Parameters and float32 memory of both layers on a side × side image with ``channels``.

    Each setting must be within its slider's range, as in the widget.
    """
    side, channels, hidden, out_channels, kernel = checked(
        SETTINGS,
        side=side,
        channels=channels,
        hidden=hidden,
        out_channels=out_channels,
        kernel=kernel,
    ).values()
    inputs = image_inputs(side, side, channels)
    dense = dense_params(inputs, hidden)
    problem = size_problem(side, kernel)
    conv = None if problem else conv2d_params(channels, out_channels, kernel)
    conv_bytes = None if conv is None else param_bytes(conv)
    return Counts(inputs, dense, conv, param_bytes(dense), conv_bytes, problem)


class ParameterCounter(SettingsWidget, settings=SETTINGS):
    """Sliders for the image side, its channels, the dense layer's hidden units,
    the conv layer's output channels and kernel size; a log-scale chart of both
    parameter counts against the image side, and a table of the current numbers.

    Defaults are the course's example: a 12-megapixel RGB photo (3464 × 3464 here)
    and 100 hidden units, against 100 output channels of 3 × 3 kernels.
    """

    _esm = STATIC / "params.js"
    _css = STYLESHEET

    def __init__(
        self,
        side: int = 3464,
        channels: int = 3,
        hidden: int = 100,
        out_channels: int = 100,
        kernel: int = 3,
    ):
        super().__init__(
            side=side, channels=channels, hidden=hidden, out_channels=out_channels, kernel=kernel
        )

    def compute(self) -> Counts:
        """What the view shows for the current traits."""
        return count(self.side, self.channels, self.hidden, self.out_channels, self.kernel)

    def __repr__(self) -> str:
        c = self.compute()
        setting = (
            f"{self.side}×{self.side}×{self.channels} image; dense {self.hidden} units, "
            f"conv {self.out_channels} channels of {self.kernel}×{self.kernel}"
        )
        dense = f"dense {format_count(c.dense)} ({format_bytes(c.dense_bytes)})"
        if c.problem:
            return f"ParameterCounter({setting}: {dense}; conv: {c.problem})"
        conv = f"conv {format_count(c.conv)} ({format_bytes(c.conv_bytes)})"
        ratio = format_ratio(c.dense, c.conv)
        return f"ParameterCounter({setting}: {dense}, {conv}, ratio {ratio})"
