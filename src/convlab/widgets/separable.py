"""The separable-cost widget: standard, grouped and depthwise-separable convolution side by side."""

from __future__ import annotations

import math
from dataclasses import dataclass

from convlab.checks import check_int
from convlab.counting import (
    conv2d_macs,
    conv2d_params,
    grouped_params,
    separable_ratio,
)
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import SettingsWidget, Whole, checked
from convlab.widgets.text import format_count, format_sig

# The slider stops (the view reads them from the widget's `limits`). 3 → 4 and 3 → 10 channels
# are the course's examples; 32 → 64 at 112 × 112 is an early MobileNet layer.
CHANNELS = (1, 2, 3, 4, 6, 8, 10, 12, 16, 24, 32, 48, 64, 96, 128, 256, 512)
SIZES = (1, 3, 7, 14, 28, 56, 112, 126, 224)
MAX_KERNEL = 7
# Every slider: default, lowest, highest. The defaults are the MobileNet layer.
SETTINGS = {
    "in_channels": Whole(32, 1, max(CHANNELS), stops=CHANNELS),
    "out_channels": Whole(64, 1, max(CHANNELS), stops=CHANNELS),
    "kernel": Whole(3, 1, MAX_KERNEL),
    "size": Whole(112, 1, max(SIZES), stops=SIZES),
    "groups": Whole(1, 1, max(CHANNELS)),
}


def valid_groups(in_channels: int, out_channels: int) -> list[int]:
    """The values ``groups`` may take: the divisors of gcd(m, n), from 1 (standard) up.

    m and n are within the sliders' range (1 to 512), as in the widget.
    """
    checked(SETTINGS, in_channels=in_channels, out_channels=out_channels)
    common = math.gcd(in_channels, out_channels)
    return [g for g in range(1, common + 1) if common % g == 0]


def groups_kind(in_channels: int, groups: int) -> str:
    """What a convolution with these groups is called."""
    in_channels = check_int(in_channels, "in_channels", 1)
    groups = check_int(groups, "groups", 1)
    if groups == 1:
        return "standard"
    return "depthwise" if groups == in_channels else "grouped"


def groups_rule(in_channels: int, out_channels: int) -> str:
    """The rule for ``groups`` in words, with the numbers filled in (m, n from 1 to 512)."""
    m, n = checked(SETTINGS, in_channels=in_channels, out_channels=out_channels).values()
    common = math.gcd(m, n)
    choices = ", ".join(map(str, valid_groups(m, n)))
    rule = (
        f"groups must divide both m = {m} and n = {n}, so it is a divisor of "
        f"gcd({m}, {n}) = {common}: {choices}."
    )
    if n % m == 0:
        kernels = f"{n // m} kernel{'s' if n // m > 1 else ''}"
        depthwise = f"each input channel is a group, with n / m = {kernels}"
        return f"{rule} groups = m = {m} is depthwise: {depthwise}."
    return f"{rule} Depthwise (groups = m = {m}) would need n to be a multiple of {m}."


def groups_problem(in_channels: int, out_channels: int, groups: int) -> str | None:
    """Why ``groups`` does not fit these channels, or None (each from 1 to 512)."""
    m, n, groups = checked(
        SETTINGS, in_channels=in_channels, out_channels=out_channels, groups=groups
    ).values()
    if m % groups == 0 and n % groups == 0:
        return None
    bad = [
        f"{name} = {c} ({c} / {groups} is not whole)"
        for name, c in (("m", m), ("n", n))
        if c % groups
    ]
    return (
        f"groups = {groups} does not divide {' or '.join(bad)}: each group needs the same "
        f"whole number of input and output channels. Pick one of "
        f"{', '.join(map(str, valid_groups(m, n)))}."
    )


def ratio_text(out_channels: int, kernel: int) -> str:
    """The ratio with the numbers filled in: ``1/n + 1/k² = 1/64 + 1/9 = 0.127``."""
    n, k = check_int(out_channels, "out_channels", 1), check_int(kernel, "kernel", 1)
    ratio = separable_ratio(n, k)
    return (
        f"1/n + 1/k² = 1/{n} + 1/{k * k} = {format_sig(1 / n)} + {format_sig(1 / (k * k))} "
        f"= {format_sig(ratio)}, {format_sig(1 / ratio)}× fewer"
    )


@dataclass(frozen=True)
class Costs:
    """Multiply-adds and weights (no biases) of each layer for one setting."""

    standard_macs: int  # k·k·m·n·h′·w′
    depthwise_macs: int  # k·k·m·h′·w′
    pointwise_macs: int  # m·n·h′·w′
    standard_params: int  # k·k·m·n
    depthwise_params: int  # k·k·m
    pointwise_params: int  # m·n
    grouped_macs: int | None  # standard / groups, or None when groups does not fit
    grouped_params: int | None
    ratio: float  # 1/n + 1/k²
    problem: str | None

    @property
    def separable_macs(self) -> int:
        return self.depthwise_macs + self.pointwise_macs

    @property
    def separable_params(self) -> int:
        return self.depthwise_params + self.pointwise_params


def cost(in_channels: int, out_channels: int, kernel: int, size: int, groups: int = 1) -> Costs:
    """What the widget shows for m → n channels, k × k kernels and a size × size output.

    Each setting must be within its slider's range, as in the widget; a ``groups``
    that does not divide m and n is not an error: ``problem`` says why.
    """
    m, n, k, size, groups = checked(
        SETTINGS,
        in_channels=in_channels,
        out_channels=out_channels,
        kernel=kernel,
        size=size,
        groups=groups,
    ).values()
    problem = groups_problem(m, n, groups)
    return Costs(
        standard_macs=conv2d_macs(m, n, k, size),
        depthwise_macs=conv2d_macs(m, m, k, size, groups=m),
        pointwise_macs=conv2d_macs(m, n, 1, size),
        standard_params=conv2d_params(m, n, k, bias=False),
        depthwise_params=grouped_params(m, m, k, groups=m, bias=False),
        pointwise_params=conv2d_params(m, n, 1, bias=False),
        grouped_macs=None if problem else conv2d_macs(m, n, k, size, groups=groups),
        grouped_params=None if problem else grouped_params(m, n, k, groups, bias=False),
        ratio=separable_ratio(n, k),
        problem=problem,
    )


class SeparableCost(SettingsWidget, settings=SETTINGS):
    """Sliders for m input and n output channels, the kernel size k, the output
    size h′ = w′ and ``groups``; bars for the multiply-adds and weights of a
    standard, a grouped and a depthwise-separable convolution, and the ratio
    1/n + 1/k² with the numbers filled in.

    The groups slider only offers the divisors of gcd(m, n). When m or n moves
    and the chosen groups no longer divides them, the view explains why.
    """

    _esm = STATIC / "separable.js"
    _css = STYLESHEET

    def __init__(
        self,
        in_channels: int = 32,
        out_channels: int = 64,
        kernel: int = 3,
        size: int = 112,
        groups: int = 1,
    ):
        # The browser may send any combination (m moves under a chosen groups): the
        # traits check the ranges and compute() explains the groups rule. A new
        # widget starts from a setting that fits.
        m, n, _, _, g = checked(
            SETTINGS,
            in_channels=in_channels,
            out_channels=out_channels,
            kernel=kernel,
            size=size,
            groups=groups,
        ).values()
        problem = groups_problem(m, n, g)
        if problem:
            raise ValueError(f"groups: {problem}")
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            kernel=kernel,
            size=size,
            groups=groups,
        )

    def compute(self) -> Costs:
        """What the view shows for the current traits."""
        return cost(self.in_channels, self.out_channels, self.kernel, self.size, self.groups)

    def __repr__(self) -> str:
        c = self.compute()
        m, n, k, s, g = self.in_channels, self.out_channels, self.kernel, self.size, self.groups
        setting = f"{m} → {n} channels, {k}×{k} kernels, {s}×{s} output"
        standard = f"standard {format_count(c.standard_macs)} MACs"
        separable = f"separable {format_count(c.separable_macs)} MACs"
        if c.problem:
            grouped = f"groups = {g}: {c.problem}"
        else:
            grouped = f"groups = {g} ({groups_kind(m, g)}) {format_count(c.grouped_macs)} MACs"
        return (
            f"SeparableCost({setting}: {standard}, {separable}, "
            f"ratio {format_sig(c.ratio)}; {grouped})"
        )
