"""The same convolution four ways, timed on the same inputs the way the benchmark times them.

- ``loop``: ``kernels.corr2d`` (one channel) or ``kernels.corr2d_multi_out``, the
  teaching loops: Python visits every window of every channel pair;
- ``im2col``: ``convlab.im2col.conv2d_im2col``, the column matrix and one matrix product;
- ``conv2d``: ``kernels.conv2d``, convlab's vectorised layer;
- ``torch``: ``torch.nn.functional.conv2d``.

Times are medians of interleaved runs (``convlab.timing.interleaved_medians``,
as ``benchmarks/kernels.py`` uses), in float32 on a fixed number of threads. The
loop, thousands of times slower than the others, is timed apart from them by
default: interleaved with it, the fast methods would run with cold caches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from convlab import kernels
from convlab.im2col import conv2d_im2col, im2col_sizes
from convlab.timing import interleaved_medians, median_seconds, torch_threads

METHODS = ("loop", "im2col", "conv2d", "torch")
LOOP_CALLS = ("slice", "multiply", "sum", "store")


@dataclass(frozen=True)
class Timing:
    """Median seconds of each method on one input, with the counts that explain them."""

    channels: int  # C = C_out
    size: int  # the input is C × size × size
    kernel: int  # k × k kernels
    windows: int  # windows the loop visits: C_out · C · H' · W'
    macs: int  # multiply-adds of the layer: C_out · C · k² · H' · W'
    seconds: dict[str, float] = field(default_factory=dict)  # no "loop" when it was skipped

    @property
    def loop_per_window(self) -> float | None:
        """Seconds the loop spends on one window (None when the loop was not timed)."""
        loop = self.seconds.get("loop")
        return None if loop is None else loop / self.windows

    def macs_per_second(self, method: str) -> float:
        """Multiply-adds per second of ``method`` on this input."""
        return self.macs / self.seconds[method]


def inputs(channels: int, size: int, kernel: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """A random float32 batch of one (1, C, size, size) and kernels (C, C, k, k)."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(1, channels, size, size, generator=g)
    W = torch.randn(channels, channels, kernel, kernel, generator=g)
    return X, W


def implementations(X: torch.Tensor, W: torch.Tensor) -> dict[str, Callable[[], torch.Tensor]]:
    """The four methods on X (1, C, H, W) and W (C_out, C, k, k), each giving (1, C_out, H', W')."""
    if X.shape[1] == 1 and W.shape[0] == 1:
        loop = lambda: kernels.corr2d(X[0, 0], W[0, 0])[None, None]  # noqa: E731
    else:
        loop = lambda: kernels.corr2d_multi_out(X[0], W)[None]  # noqa: E731
    return {
        "loop": loop,
        "im2col": lambda: conv2d_im2col(X, W),
        "conv2d": lambda: kernels.conv2d(X, W),
        "torch": lambda: F.conv2d(X, W),
    }


def time_case(
    channels: int,
    size: int,
    kernel: int = 3,
    *,
    repeats: int = 5,
    threads: int = 1,
    time_loop: bool = True,
    seed: int = 0,
    loop_apart: bool = True,
) -> Timing:
    """Time the methods on one random input (the loop only when ``time_loop``).

    First checks that all of them give PyTorch's numbers, as the benchmark does.
    With ``loop_apart`` the loop is timed on its own and the other three in turn
    with each other: a loop call of many milliseconds between two calls of a few
    microseconds leaves the caches full of its own data and slows the call after it.
    """
    X, W = inputs(channels, size, kernel, seed)
    runs = implementations(X, W)
    loop = {"loop": runs.pop("loop")}
    if time_loop and not loop_apart:
        runs = {**loop, **runs}
    with torch.no_grad(), torch_threads(threads):
        expected = runs["torch"]()
        checked = {**loop, **runs} if time_loop else runs
        for name, run in checked.items():
            torch.testing.assert_close(run(), expected, rtol=1e-4, atol=1e-4, msg=name)
        seconds = interleaved_medians(loop, repeats) if time_loop and loop_apart else {}
        seconds |= interleaved_medians(runs, repeats)
    sizes = im2col_sizes(channels, size, kernel, out_channels=channels)
    windows = channels * channels * sizes.columns
    return Timing(channels, size, kernel, windows, sizes.macs, seconds)


def sweep(
    sizes: Sequence[int],
    channels: int = 1,
    kernel: int = 3,
    *,
    repeats: int = 5,
    threads: int = 1,
    max_loop_windows: int | None = None,
    seed: int = 0,
) -> list[Timing]:
    """``time_case`` for each input size; the loop only up to ``max_loop_windows`` windows."""
    out = []
    for size in sizes:
        windows = channels * channels * im2col_sizes(1, size, kernel).columns
        time_loop = max_loop_windows is None or windows <= max_loop_windows
        out.append(
            time_case(
                channels,
                size,
                kernel,
                repeats=repeats,
                threads=threads,
                time_loop=time_loop,
                seed=seed,
            )
        )
    return out


def loop_call_costs(
    size: int = 16, kernel: int = 3, calls: int = 1000, repeats: int = 5, threads: int = 1
) -> dict[str, float]:
    """Seconds per call of each PyTorch call the loop makes for one window.

    ``corr2d`` does, per window: cut the window out of X (``slice``), multiply it
    by K (``multiply``), add up the products (``sum``) and write the result into
    Y (``store``). Each is timed on its own, ``calls`` times in a row.
    """
    g = torch.Generator().manual_seed(0)
    X, K = torch.randn(size, size, generator=g), torch.randn(kernel, kernel, generator=g)
    Y = torch.zeros(size - kernel + 1, size - kernel + 1)
    window = X[:kernel, :kernel]
    products = window * K
    total = products.sum()
    k = kernel

    def repeated(op: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(calls):
                op()

        return run

    ops = {
        "slice": lambda: X[1 : 1 + k, 1 : 1 + k],
        "multiply": lambda: window * K,
        "sum": lambda: products.sum(),
        "store": lambda: Y.__setitem__((1, 1), total),
    }
    with torch.no_grad(), torch_threads(threads):
        return {name: median_seconds(repeated(op), repeats) / calls for name, op in ops.items()}
