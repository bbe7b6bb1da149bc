"""The benchmarks still run (quick mode); their timings are not asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_kernel_benchmark_runs_in_quick_mode():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "kernels.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("median ratio over 4 cases") == 2  # 1 and 2 threads


def test_browser_benchmark_says_how_to_build_when_there_is_no_build(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "browser.py"), "--html", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert f"No built book in {tmp_path}" in done.stderr
    assert "jupyter-book build" in done.stderr


def test_build_benchmark_quick_mode_needs_an_existing_build(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "build.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "--path-output DIR" in done.stderr


def test_percentiles_are_nearest_rank():
    from benchmarks.browser import percentile

    moves = [float(v) for v in range(1, 201)]  # 1 … 200 ms
    assert percentile(moves, 95) == 190.0
    assert percentile(moves, 50) == 100.0
    assert percentile([7.0], 95) == 7.0


def test_the_one_command_runs_every_benchmark_in_both_modes():
    from benchmarks import all as every

    scripts = {p.name for p in (ROOT / "benchmarks").glob("*.py")} - {"all.py", "__init__.py"}
    for quick in (False, True):
        assert {command[0] for command in every.runs(quick)} == scripts
