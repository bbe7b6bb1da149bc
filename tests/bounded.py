"""Run a snippet in a fresh Python and measure what it costs: peak memory and time.

Used by the tests that check a call stays within a few times what PyTorch
needs (or refuses before allocating): the snippet runs in its own process, so
its peak resident memory is its own, and a runaway allocation or a hang ends
the process instead of the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass

_RUNNER = """
import json, resource, sys, time
import torch
torch.set_num_threads(1)
import convlab.kernels, convlab.receptive_field, convlab.signals  # imported before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
error = None
try:
    exec(compile(sys.stdin.read(), "<snippet>", "exec"), {})
except Exception as e:
    error = f"{type(e).__name__}: {e}"
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"mib": (after - before) / 1024, "seconds": seconds, "error": error}))
"""


@dataclass(frozen=True)
class Cost:
    """What a snippet took: extra peak memory (MiB), wall time (s), and the error it raised."""

    mib: float
    seconds: float
    error: str | None  # "ValueError: ..." or None when it returned normally


def cost_of(snippet: str, timeout: float = 60) -> Cost:
    """Run ``snippet`` (Python source) in a fresh interpreter and measure it.

    A snippet that runs past ``timeout`` seconds fails the calling test with a
    clear message instead of hanging the suite.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-c", _RUNNER],
            input=textwrap.dedent(snippet),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"did not finish within {timeout} s:\n{snippet}") from None
    if done.returncode != 0:
        raise AssertionError(f"the snippet's process failed:\n{done.stderr[-2000:]}")
    return Cost(**json.loads(done.stdout.strip().splitlines()[-1]))
