"""Every number a chapter prints is the same on any CPU.

The main test run compares each chapter's stored outputs with nbval on this
machine's fastest code paths: PyTorch's AVX-512/AVX2 kernels, MKL's and
oneDNN's own choice, several threads. This test runs nbval over every chapter a
second time with all of them forced down to the portable paths another machine
(an older or an AMD x86-64, an ARM) may take: sums added in another order,
rounded differently. A chapter passes both only if what it prints does not
depend on that rounding.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
INNER = "CONVLAB_PORTABLE_RUN"  # set in the inner run, so that it never starts another

# Each setting below changes some float32/float64 result of the chapters (checked
# one at a time on an AVX-512 Intel CPU) or fixes the order of the sums.
PORTABLE = {
    "ATEN_CPU_CAPABILITY": "default",  # PyTorch's own kernels without vector instructions
    "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",  # MKL's matmul as on CPUs without AVX (and on AMD)
    "OMP_NUM_THREADS": "1",  # one thread: sums are not split between threads
    "MKL_NUM_THREADS": "1",
}
TIMEOUT = 600  # seconds; the run takes about a minute


@pytest.mark.skipif(os.environ.get(INNER) == "1", reason="already inside the portable run")
def test_chapters_print_the_same_on_portable_code_paths():
    env = {**os.environ, **PORTABLE, INNER: "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-o",
        "addopts=",  # only the options below: nbval, strict, on the notebooks alone
        "-p",
        "no:cacheprovider",
        "-q",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        str(SANITIZE),
        *map(str, NOTEBOOKS),
    ]
    try:
        run = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"nbval on the portable code paths took over {TIMEOUT} s", pytrace=False)
    if run.returncode != 0:
        settings = " ".join(f"{name}={value}" for name, value in PORTABLE.items())
        pytest.fail(
            f"with {settings} a chapter prints something else than it stored; nbval says:\n"
            f"{run.stdout[-30_000:]}{run.stderr[-5_000:]}",
            pytrace=False,
        )
