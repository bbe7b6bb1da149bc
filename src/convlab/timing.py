"""Timing small computations honestly: a warm-up, repeats, the median, fixed threads."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager

import torch

from convlab.checks import check_int

MAX_REPEATS = 10**6  # more calls than this would only hide a mistake in ``repeats``
MAX_THREADS = 1024  # PyTorch runs one OS thread each; past the cores more only slow it down


def _check_run(run: object, name: str) -> Callable[[], object]:
    """Something to call with no arguments."""
    if not callable(run):
        raise TypeError(f"{name}: expected a function to call, got {type(run).__name__} {run!r}")
    return run


def median_seconds(run: Callable[[], object], repeats: int = 9) -> float:
    """Median wall time of ``run()`` in seconds, over ``repeats`` calls after one warm-up.

    The median ignores the odd slow call (another process, a page fault) that
    would drag a mean up. ``repeats`` goes from 1 to ``MAX_REPEATS``.
    """
    run = _check_run(run, "run")
    repeats = check_int(repeats, "repeats", minimum=1, maximum=MAX_REPEATS)
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(
    runs: Mapping[str, Callable[[], object]], repeats: int = 9
) -> dict[str, float]:
    """Median seconds of each of several ``runs``, timed in turn: a, b, c, a, b, c, ...

    Comparing two codes timed one after the other lets a slow spell of the
    machine land on one of them only; taking turns spreads it over all.
    Every run is called once first as a warm-up.
    """
    if not isinstance(runs, Mapping):
        raise TypeError(
            f"runs: expected a dict of name → function, got {type(runs).__name__} {runs!r}"
        )
    if not runs:
        raise ValueError("runs: give at least one function to time")
    for name, run in runs.items():
        _check_run(run, f"runs: the entry {name!r}")
    repeats = check_int(repeats, "repeats", minimum=1, maximum=MAX_REPEATS)
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def torch_threads(n: int) -> AbstractContextManager[None]:
    """Run the block with PyTorch limited to ``n`` threads, then restore the setting.

    ``n`` (1 to ``MAX_THREADS``) is checked when ``torch_threads`` is called,
    before the ``with`` block starts.
    """
    return _threads(check_int(n, "n", minimum=1, maximum=MAX_THREADS))


@contextmanager
def _threads(n: int) -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
