"""The multi-channel convolution: every output channel is a sum over input channels.

A layer with c_i input and c_o output channels holds c_o · c_i kernels. Output
channel o correlates input channel c with its own kernel W[o, c], adds the c_i
results cell by cell and adds one bias b[o]. The widget shows each of those
correlations with real numbers, the weight's shape, the parameter count and the
multiply-adds, with the formulas filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from convlab import counting
from convlab.checks import check_int
from convlab.kernels import corr2d
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import SettingsWidget, Whole, checked
from convlab.widgets.text import format_count, format_matrix

# Every slider: default, lowest, highest. The constructor and multi_channel accept the same.
SETTINGS = {
    "in_channels": Whole(2, 1, 3),
    "out_channels": Whole(3, 1, 3),
    "kernel_size": Whole(2, 1, 3),
    "input_size": Whole(3, 1, 5),
    "bias": Whole(0, -5, 5),
}
LIMITS = {name: (s.low, s.high) for name, s in SETTINGS.items()}  # the sliders' ranges
INPUT_MODULO = 20  # input cells count 0, 1, 2, … through all channels, modulo 20
KERNEL_MODULO = 10  # kernel W[o] counts 0, 1, 2, … modulo 10, plus o


def channel_input(in_channels: int, size: int) -> list[list[list[int]]]:
    """The input X[c, i, j] = (c·n² + i·n + j) mod 20: ``arange`` for the course's 2×3×3.

    Within the sliders' ranges, as in the widget.
    """
    in_channels = SETTINGS["in_channels"].check(in_channels, "in_channels")
    n = SETTINGS["input_size"].check(size, "size")
    return [
        [[(c * n * n + i * n + j) % INPUT_MODULO for j in range(n)] for i in range(n)]
        for c in range(in_channels)
    ]


def channel_weights(out_channels: int, in_channels: int, size: int) -> list:
    """The weight W[o, c, a, b] = ((c·k² + a·k + b) mod 10) + o: the course's K, K + 1, K + 2.

    Within the sliders' ranges, as in the widget.
    """
    out_channels, in_channels = checked(
        SETTINGS, out_channels=out_channels, in_channels=in_channels
    ).values()
    k = SETTINGS["kernel_size"].check(size, "size")
    return [
        [
            [[(c * k * k + a * k + b) % KERNEL_MODULO + o for b in range(k)] for a in range(k)]
            for c in range(in_channels)
        ]
        for o in range(out_channels)
    ]


def channels_problem(input_size: int, kernel_size: int) -> str | None:
    """Why a k×k kernel cannot slide over n×n input channels, in words, or None.

    Same text as ``channelsProblem`` in static/src/widgets/channels.js.
    """
    n, k = check_int(input_size, "input_size", 1), check_int(kernel_size, "kernel_size", 1)
    if k <= n:
        return None
    return (
        f"The kernel is {k}×{k} but each input channel is only {n}×{n}: a window must fit "
        f"inside the input (k ≤ n), and m = n − k + 1 = {n} − {k} + 1 = {n - k + 1} leaves "
        f"no output. The weight still has its shape and its {k}·{k} taps per channel pair; "
        f"only the multiply-adds need an output."
    )


def count_texts(in_channels: int, out_channels: int, kernel_size: int, input_size: int) -> dict:
    """The weight shape, parameters and multiply-adds, formulas with the numbers filled in.

    Same texts as ``countTexts`` in static/src/widgets/channels.js.
    """
    ci, co, k, n = (
        check_int(v, name, 1)
        for v, name in (
            (in_channels, "in_channels"),
            (out_channels, "out_channels"),
            (kernel_size, "kernel_size"),
            (input_size, "input_size"),
        )
    )
    m = n - k + 1
    params = counting.conv2d_params(ci, co, k)
    texts = {
        "weight": f"Weight shape (c_o, c_i, k_h, k_w) = ({co}, {ci}, {k}, {k})",
        "params": (
            f"Parameters = c_o·c_i·k_h·k_w + c_o = {co}·{ci}·{k}·{k} + {co} = "
            f"{format_count(params)}"
        ),
    }
    if m < 1:
        texts["output"] = f"Output shape (c_o, m_h, m_w): none, since m = {n} − {k} + 1 = {m}"
        texts["macs"] = "Multiply-adds: none, there is no output"
    else:
        macs = counting.conv2d_macs(ci, co, k, m)
        texts["output"] = (
            f"Output shape (c_o, m_h, m_w) = ({co}, {m}, {m}), m = n − k + 1 = {n} − {k} + 1"
        )
        texts["macs"] = (
            f"Multiply-adds = c_o·c_i·k_h·k_w·m_h·m_w = {co}·{ci}·{k}·{k}·{m}·{m} = "
            f"{format_count(macs)}"
        )
    return texts


@dataclass(frozen=True)
class MultiChannel:
    """What the widget shows for one setting."""

    X: torch.Tensor  # (c_i, n, n)
    W: torch.Tensor  # (c_o, c_i, k, k)
    b: torch.Tensor  # (c_o,)
    partials: torch.Tensor | None  # (c_o, c_i, m, m): X[c] ⋆ W[o, c]; None if no output
    output: torch.Tensor | None  # (c_o, m, m) = sum over c of partials + b
    texts: dict  # weight, params, output and macs lines
    problem: str | None  # the broken rule, in words


def multi_channel(
    in_channels: int = 2,
    out_channels: int = 3,
    kernel_size: int = 2,
    input_size: int = 3,
    bias: int = 0,
) -> MultiChannel:
    """The pattern input and weights, each per-channel correlation, and the output.

    Every output channel gets the same bias ``bias``. A kernel larger than the
    input is not an error: there is no output and ``problem`` says why.
    """
    ci, co, k, n, beta = checked(
        SETTINGS,
        in_channels=in_channels,
        out_channels=out_channels,
        kernel_size=kernel_size,
        input_size=input_size,
        bias=bias,
    ).values()
    X = torch.tensor(channel_input(ci, n), dtype=torch.float64)
    W = torch.tensor(channel_weights(co, ci, k), dtype=torch.float64)
    b = torch.full((co,), float(beta), dtype=torch.float64)
    texts = count_texts(ci, co, k, n)
    problem = channels_problem(n, k)
    if problem:
        return MultiChannel(X, W, b, None, None, texts, problem)
    partials = torch.stack(
        [torch.stack([corr2d(X[c], W[o, c]) for c in range(ci)]) for o in range(co)]
    )
    output = partials.sum(dim=1) + b[:, None, None]
    return MultiChannel(X, W, b, partials, output, texts, None)


class MultiChannelConv(SettingsWidget, settings=SETTINGS):
    """Sliders for the input and output channels, the kernel and input size and
    the bias; each output channel drawn as the sum of its per-input-channel
    correlations plus the bias; the weight shape, parameters and multiply-adds.

    The defaults are the course's example: the 2×3×3 input 0…17 and the three
    2×2×2 kernels K, K + 1, K + 2 with K = 0…7, no bias: output channel 0 is
    [[268, 296], [352, 380]].
    """

    _esm = STATIC / "channels.js"
    _css = STYLESHEET

    def __init__(
        self,
        in_channels: int = 2,
        out_channels: int = 3,
        kernel_size: int = 2,
        input_size: int = 3,
        *,
        bias: int = 0,
    ):
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            kernel_size=kernel_size,
            input_size=input_size,
            bias=bias,
        )

    def compute(self) -> MultiChannel:
        """What the view shows for the current traits."""
        return multi_channel(**self.settings())

    def __repr__(self) -> str:
        r = self.compute()
        ci, co, k, n = self.in_channels, self.out_channels, self.kernel_size, self.input_size
        shape = f"X {ci}×{n}×{n}, W {co}×{ci}×{k}×{k}, bias {self.bias}"
        if r.problem:
            return f"MultiChannelConv({shape}: {r.problem})"
        params = r.texts["params"].rsplit(" = ", 1)[1]
        macs = r.texts["macs"].rsplit(" = ", 1)[1]
        channels = "; ".join(
            f"Y[{o}] = {format_matrix(y.tolist())}" for o, y in enumerate(r.output)
        )
        return f"MultiChannelConv({shape}: {params} parameters, {macs} multiply-adds; {channels})"
