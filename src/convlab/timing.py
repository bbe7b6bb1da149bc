"""Timing small computations honestly: a warm-up, repeats, the median, fixed threads."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch

from convlab.kernels._checks import check_int


def median_seconds(run: Callable[[], object], repeats: int = 9) -> float:
    """Median wall time of ``run()`` in seconds, over ``repeats`` calls after one warm-up.

    The median ignores the odd slow call (another process, a page fault) that
    would drag a mean up.
    """
    repeats = check_int(repeats, "repeats", minimum=1)
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with PyTorch limited to ``n`` threads, then restore the setting."""
    n = check_int(n, "n", minimum=1)
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
