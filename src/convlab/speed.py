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

Every argument is checked before anything is timed. The inputs are limited to
``MAX_ELEMENTS`` numbers each, and the loop to ``MAX_LOOP_VISITS`` windows
over all its calls (it takes microseconds per window).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from convlab import kernels
from convlab.checks import (
    check_bool,
    check_channels,
    check_choice,
    check_fits,
    check_int,
    check_same_dtype,
    check_seed,
    check_tensor,
)
from convlab.im2col import conv2d_im2col, im2col_sizes
from convlab.timing import (
    MAX_REPEATS,
    MAX_THREADS,
    interleaved_medians,
    median_seconds,
    torch_threads,
)

METHODS = ("loop", "im2col", "conv2d", "torch")
LOOP_CALLS = ("slice", "multiply", "sum", "store")
MAX_ELEMENTS = 2**26  # numbers in the input or the kernels: 256 MB of float32
MAX_LOOP_VISITS = 10**6  # windows the loop visits over all its calls: seconds to a minute
MAX_CALLS = 10**6  # PyTorch calls loop_call_costs makes of each kind over all repeats


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
        """Multiply-adds per second of ``method`` on this input (inf for a time of 0)."""
        check_choice(method, "method", tuple(self.seconds))
        seconds = self.seconds[method]
        return self.macs / seconds if seconds > 0 else math.inf


def _check_sizes(
    channels: object, size: object, kernel: object, size_name: str = "size"
) -> tuple[int, int, int]:
    """C ≥ 1, size ≥ 1 and a k × k kernel that fits, with inputs of at most MAX_ELEMENTS."""
    channels = check_int(channels, "channels", minimum=1)
    size = check_int(size, size_name, minimum=1)
    kernel = check_int(kernel, "kernel", minimum=1)
    check_fits("kernel", (kernel, kernel), (size, size))
    for name, elements in ((size_name, channels * size**2), ("kernel", channels**2 * kernel**2)):
        if elements > MAX_ELEMENTS:
            what = "kernels C²·k²" if name == "kernel" else "input C·size²"
            raise ValueError(
                f"{name}: the {what} would hold {elements:,} numbers; the timings use at "
                f"most {MAX_ELEMENTS:,} (2**26) each"
            )
    return channels, size, kernel


def inputs(channels: int, size: int, kernel: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """A random float32 batch of one (1, C, size, size) and kernels (C, C, k, k)."""
    channels, size, kernel = _check_sizes(channels, size, kernel)
    g = torch.Generator().manual_seed(check_seed(seed))
    X = torch.randn(1, channels, size, size, generator=g)
    W = torch.randn(channels, channels, kernel, kernel, generator=g)
    return X, W


def implementations(X: torch.Tensor, W: torch.Tensor) -> dict[str, Callable[[], torch.Tensor]]:
    """The four methods on X (1, C, H, W) and W (C_out, C, k, k), each giving (1, C_out, H', W').

    X holds one image (the loops take one) and, as PyTorch's ``conv2d`` needs,
    X and W share one floating-point dtype.
    """
    check_tensor(X, "X", {4: "(1, C, H, W)"})
    check_tensor(W, "W", {4: "(C_out, C, k_h, k_w)"})
    if X.shape[0] != 1:
        raise ValueError(f"X: expected one image, shape (1, C, H, W), got {tuple(X.shape)}")
    check_channels(X.shape[1], W.shape[1], f"W.shape[1] = {W.shape[1]}")
    check_fits("W", W.shape[2:], X.shape[2:])
    check_same_dtype("conv2d", X=X, W=W)
    if not X.is_floating_point():
        raise TypeError(
            f"X: expected a floating-point dtype, got {X.dtype}: PyTorch's conv2d, "
            "one of the four methods, has no integer kernels on the CPU"
        )
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


def _check_loop(windows: int, repeats: int, time_loop: bool, name: str) -> None:
    """The loop's windows over its calls (a check, a warm-up, the repeats) stay in reach."""
    visits = windows * (repeats + 2)
    if time_loop and visits > MAX_LOOP_VISITS:
        raise ValueError(
            f"{name}: the loop would visit {windows:,} windows in each of {repeats + 2} "
            f"calls, {visits:,} in all; it is timed up to {MAX_LOOP_VISITS:,} "
            "(time_loop=False, or max_loop_windows in sweep, leaves it out)"
        )


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
    channels, size, kernel = _check_sizes(channels, size, kernel)
    repeats = check_int(repeats, "repeats", minimum=1, maximum=MAX_REPEATS)
    threads_block = torch_threads(check_int(threads, "threads", minimum=1, maximum=MAX_THREADS))
    time_loop = check_bool(time_loop, "time_loop")
    loop_apart = check_bool(loop_apart, "loop_apart")
    sizes = im2col_sizes(channels, size, kernel, out_channels=channels)
    windows = channels * channels * sizes.columns
    _check_loop(windows, repeats, time_loop, "time_loop")
    X, W = inputs(channels, size, kernel, seed)
    runs = implementations(X, W)
    loop = {"loop": runs.pop("loop")}
    if time_loop and not loop_apart:
        runs = {**loop, **runs}
    with torch.no_grad(), threads_block:
        expected = runs["torch"]()
        checked = {**loop, **runs} if time_loop else runs
        for name, run in checked.items():
            torch.testing.assert_close(run(), expected, rtol=1e-4, atol=1e-4, msg=name)
        seconds = interleaved_medians(loop, repeats) if time_loop and loop_apart else {}
        seconds |= interleaved_medians(runs, repeats)
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
    """``time_case`` for each input size; the loop only up to ``max_loop_windows`` windows.

    Every size is checked before the first one is timed.
    """
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes: expected a list of input sides, got {type(sizes).__name__}")
    if not sizes:
        raise ValueError("sizes: give at least one input side to time")
    if max_loop_windows is not None:
        max_loop_windows = check_int(max_loop_windows, "max_loop_windows", minimum=0)
    repeats = check_int(repeats, "repeats", minimum=1, maximum=MAX_REPEATS)
    check_int(threads, "threads", minimum=1, maximum=MAX_THREADS)
    check_seed(seed)
    cases = []
    for n, size in enumerate(sizes):
        c, size, k = _check_sizes(channels, size, kernel, f"sizes[{n}]")
        windows = c * c * im2col_sizes(1, size, k).columns
        time_loop = max_loop_windows is None or windows <= max_loop_windows
        _check_loop(windows, repeats, time_loop, "max_loop_windows")
        cases.append((size, time_loop))
    return [
        time_case(
            channels,
            size,
            kernel,
            repeats=repeats,
            threads=threads,
            time_loop=time_loop,
            seed=seed,
        )
        for size, time_loop in cases
    ]


def loop_call_costs(
    size: int = 16, kernel: int = 3, calls: int = 1000, repeats: int = 5, threads: int = 1
) -> dict[str, float]:
    """Seconds per call of each PyTorch call the loop makes for one window.

    ``corr2d`` does, per window: cut the window out of X (``slice``), multiply it
    by K (``multiply``), add up the products (``sum``) and write the result into
    Y (``store``). Each is timed on its own, ``calls`` times in a row, and
    ``calls`` × (``repeats`` + 1) stays within ``MAX_CALLS``.
    """
    _check_sizes(1, size, kernel)
    calls = check_int(calls, "calls", minimum=1, maximum=MAX_CALLS)
    repeats = check_int(repeats, "repeats", minimum=1, maximum=MAX_REPEATS)
    if calls * (repeats + 1) > MAX_CALLS:
        raise ValueError(
            f"calls: {calls:,} calls × ({repeats} repeats + a warm-up) = "
            f"{calls * (repeats + 1):,} of each kind; loop_call_costs makes at most {MAX_CALLS:,}"
        )
    threads_block = torch_threads(check_int(threads, "threads", minimum=1, maximum=MAX_THREADS))
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
        "slice": lambda: X[0:k, 0:k],
        "multiply": lambda: window * K,
        "sum": lambda: products.sum(),
        "store": lambda: Y.__setitem__((0, 0), total),
    }
    with torch.no_grad(), threads_block:
        return {name: median_seconds(repeated(op), repeats) / calls for name, op in ops.items()}
