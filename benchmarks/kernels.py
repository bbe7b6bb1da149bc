"""convlab's from-scratch kernels against PyTorch, in one process, interleaved.

    python benchmarks/kernels.py            # the full sweep (several minutes)
    python benchmarks/kernels.py --quick    # a few cases: checks the benchmark runs
    python benchmarks/kernels.py --only conv_transpose2d --match "C=64"  # some cases

For every case it times ``convlab.kernels.<fn>`` and ``torch.nn.functional.<fn>``
alternately (median of repeated runs, float32) and prints both times and the
ratio convlab / PyTorch, with 1 and with 2 threads: first conv2d and the
pooling layers, then conv_transpose2d in a table of its own. Then the loop
``corr2d`` against im2col, ``conv2d`` and PyTorch on one channel (1 thread).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from convlab import counting, kernels, speed
from convlab.timing import interleaved_medians


@dataclass(frozen=True)
class Case:
    fn: str  # conv2d, conv_transpose2d, max_pool2d or avg_pool2d
    batch: int
    channels: int
    size: int
    kernel: int
    stride: int
    dilation: int
    depthwise: bool

    def label(self) -> str:
        kind = "dw" if self.depthwise else "g1"
        convolution = self.fn in ("conv2d", "conv_transpose2d")
        name = "transposed" if self.fn == "conv_transpose2d" else self.fn
        return (
            f"{name:<10} N={self.batch} C={self.channels:<2} {self.size:>3}² k={self.kernel} "
            f"s={self.stride} d={self.dilation} {kind if convolution else '  '}"
        )

    def padding(self) -> tuple[int, int]:
        """conv_transpose2d's (padding, output_padding), as an upsampling layer sets them:
        the usual (k − 1)/2 rounded down, and stride − 1 so that stride s scales by s."""
        if self.fn != "conv_transpose2d":
            return 0, 0
        return self.dilation * (self.kernel - 1) // 2, self.stride - 1


def sweep(quick: bool) -> list[Case]:
    if quick:
        return [
            Case("conv2d", 1, 8, 16, 3, 1, 1, False),
            Case("conv2d", 1, 8, 16, 3, 2, 2, True),
            Case("max_pool2d", 1, 8, 16, 3, 2, 1, False),
            Case("avg_pool2d", 1, 8, 16, 3, 2, 1, False),
        ]
    cases = []
    for batch, channels, size, kernel, stride, dilation in itertools.product(
        (1, 8), (1, 16, 64), (8, 32, 128), (1, 3, 5), (1, 2), (1, 2)
    ):
        if dilation * (kernel - 1) + 1 > size:
            continue
        for depthwise in (False, True):
            cases.append(Case("conv2d", batch, channels, size, kernel, stride, dilation, depthwise))
        if dilation == 1:
            cases.append(Case("max_pool2d", batch, channels, size, kernel, stride, 1, False))
            cases.append(Case("avg_pool2d", batch, channels, size, kernel, stride, 1, False))
    return cases


def transposed_sweep(quick: bool) -> list[Case]:
    """conv_transpose2d's cases: smaller inputs than conv2d's (it makes them s times larger)."""
    if quick:
        return [
            Case("conv_transpose2d", 1, 8, 16, 3, 2, 1, False),
            Case("conv_transpose2d", 1, 8, 16, 4, 2, 1, True),
            Case("conv_transpose2d", 2, 4, 8, 3, 1, 2, False),
        ]
    return [
        Case("conv_transpose2d", batch, channels, size, kernel, stride, dilation, depthwise)
        for batch, channels, size, kernel, stride, dilation in itertools.product(
            (1, 8), (1, 16, 64), (8, 32, 64), (1, 3, 4), (1, 2), (1, 2)
        )
        for depthwise in (False, True)
        if not (kernel == 1 and dilation == 2)  # a 1×1 kernel has nothing to dilate
    ]


def inputs(case: Case) -> tuple[torch.Tensor, dict]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(case.batch, case.channels, case.size, case.size, generator=g)
    if case.fn in ("conv2d", "conv_transpose2d"):
        groups = case.channels if case.depthwise else 1
        W = torch.randn(
            case.channels, case.channels // groups, case.kernel, case.kernel, generator=g
        )
        args = {"weight": W, "stride": case.stride, "dilation": case.dilation, "groups": groups}
        if case.fn == "conv_transpose2d":
            args["padding"], args["output_padding"] = case.padding()
    else:
        args = {"kernel_size": case.kernel, "stride": case.stride}
    return X, args


def macs(case: Case) -> int:
    if case.fn == "conv_transpose2d":  # every input cell times every weight of its group
        per_cell = case.kernel**2 * (1 if case.depthwise else case.channels)
        return case.batch * case.channels * case.size**2 * per_cell
    out = kernels.output_size(case.size, case.kernel, case.stride, 0, case.dilation)
    if case.fn != "conv2d":
        return case.batch * case.channels * out * out * case.kernel**2
    groups = case.channels if case.depthwise else 1
    per_image = counting.conv2d_macs(case.channels, case.channels, case.kernel, out, groups)
    return case.batch * per_image


def time_pair(case: Case, repeats: int) -> tuple[float, float]:
    """Median seconds of convlab and of PyTorch, timed in turn."""
    X, args = inputs(case)
    ours = getattr(kernels, case.fn)
    theirs = getattr(F, case.fn)
    if case.fn in ("conv2d", "conv_transpose2d"):
        W = args.pop("weight")
        run_ours, run_theirs = (lambda: ours(X, W, **args)), (lambda: theirs(X, W, **args))
    else:
        run_ours, run_theirs = (lambda: ours(X, **args)), (lambda: theirs(X, **args))
    # Sums of up to 64·25 float32 products, added in another order than PyTorch's
    # vector code (whose order depends on the CPU): their rounding differs by ~1e-4.
    torch.testing.assert_close(run_ours(), run_theirs(), rtol=1e-4, atol=1e-3)
    medians = interleaved_medians({"convlab": run_ours, "torch": run_theirs}, repeats)
    return medians["convlab"], medians["torch"]


def loop_against_vectorised(sizes: tuple[int, ...], kernel: int, repeats: int) -> None:
    """The course's loop ``corr2d``, im2col, the vectorised ``conv2d`` and PyTorch, one channel.

    ``convlab.speed`` times them as the appendix chapter does: the loop on its own
    (a call of many milliseconds between fast calls would leave them cold caches),
    the three others in turn.
    """
    print(f"\n### loop corr2d against vectorised conv2d, one channel, {kernel}×{kernel} kernel")
    print(
        f"{'size':>7} {'loop':>10} {'im2col':>10} {'conv2d':>10} {'PyTorch':>10} "
        f"{'loop/conv2d':>12}"
    )
    for t in speed.sweep(sizes, channels=1, kernel=kernel, repeats=repeats, threads=1):
        ms = {name: seconds * 1e3 for name, seconds in t.seconds.items()}
        print(
            f"{t.size:>6}² {ms['loop']:>8.3f}ms {ms['im2col']:>8.3f}ms {ms['conv2d']:>8.3f}ms "
            f"{ms['torch']:>8.3f}ms {ms['loop'] / ms['conv2d']:>11.0f}×"
        )


def table(cases: list[Case], repeats: int, title: str) -> None:
    """Time each case, print a row each, then the median ratio and the worst large case."""
    print(f"\n## {title}, {torch.get_num_threads()} thread(s), float32, median of {repeats} runs")
    print(f"{'case':<48} {'MACs':>12} {'convlab':>10} {'PyTorch':>10} {'ratio':>7}")
    ratios, big_ratios = [], []
    for case in cases:
        ours, theirs = time_pair(case, repeats)
        ratio = ours / theirs
        ratios.append(ratio)
        n = macs(case)
        if n >= 100_000:
            big_ratios.append(ratio)
        print(
            f"{case.label():<48} {n:>12,} {ours * 1e3:>8.3f}ms {theirs * 1e3:>8.3f}ms "
            f"{ratio:>7.2f}",
            flush=True,
        )
    print(f"median ratio over {len(ratios)} cases: {statistics.median(ratios):.2f}")
    if big_ratios:
        print(
            f"largest ratio among {len(big_ratios)} cases with ≥ 1e5 multiply-adds: "
            f"{max(big_ratios):.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few small cases only")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per case")
    parser.add_argument(
        "--only",
        choices=["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"],
        help="time this function's cases only (and skip the loop against conv2d)",
    )
    parser.add_argument(
        "--match", default="", help="time only the cases whose label contains this text"
    )
    parser.add_argument(
        "--threads", type=int, choices=[1, 2], help="one thread count only (default: 1, then 2)"
    )
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 15)
    groups = {
        "conv2d, max_pool2d and avg_pool2d": sweep(args.quick),
        "conv_transpose2d": transposed_sweep(args.quick),
    }
    for title, cases in groups.items():
        chosen = [
            case for case in cases if args.only in (None, case.fn) and args.match in case.label()
        ]
        for threads in [args.threads] if args.threads else [1, 2]:
            torch.set_num_threads(threads)
            if chosen:
                table(chosen, repeats, title)
    if args.only is None and not args.match:
        sizes = (8, 16) if args.quick else (8, 16, 32, 64, 128)
        loop_against_vectorised(sizes, kernel=3, repeats=repeats)


if __name__ == "__main__":
    main()
