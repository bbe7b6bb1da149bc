"""The benchmarks still run (quick mode); their timings are not asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_collections_are_counted_on_the_main_thread_once_each():
    from benchmarks.trace_widgets import collections, phase_totals

    def thread(tid, name):
        return {"ph": "M", "name": "thread_name", "pid": 1, "tid": tid, "args": {"name": name}}

    def event(name, ts, dur, tid=1):
        return {"ph": "X", "name": name, "pid": 1, "tid": tid, "ts": ts, "dur": dur}

    trace = {
        "traceEvents": [
            thread(1, "CrRendererMain"),
            thread(2, "Compositor"),
            event("MinorGC", 1_000, 1_500),  # 1.5 ms
            event("MinorGC", 1_200, 300),  # nested in the one above: not counted again
            event("MajorGC", 10_000, 4_000),  # 4 ms
            event("MinorGC", 20_000, 2_000, tid=2),  # another thread: not counted
            event("Layout", 30_000, 700),
            event("Layout", 30_100, 200),  # nested
        ]
    }
    count, ms = collections(trace)
    assert (count, ms) == (2, 5.5)
    assert phase_totals(trace)["layout"] == 0.7


def test_the_one_command_runs_every_benchmark_in_both_modes():
    from benchmarks import all as every

    # trace_widgets.py is a profiling aid with no targets, not a benchmark
    not_benchmarks = {"all.py", "__init__.py", "trace_widgets.py"}
    scripts = {p.name for p in (ROOT / "benchmarks").glob("*.py")} - not_benchmarks
    for quick in (False, True):
        assert {command[0] for command in every.runs(quick)} == scripts


def test_the_one_command_measures_the_browser_unthrottled_and_throttled_2x():
    from benchmarks import all as every

    for quick in (False, True):
        browser = [command[1:] for command in every.runs(quick) if command[0] == "browser.py"]
        assert len(browser) == 2
        assert "--throttle" not in browser[0]
        assert browser[1][browser[1].index("--throttle") + 1] == "2"
        assert ("--quick" in browser[0]) == ("--quick" in browser[1]) == quick


def test_targets_double_when_the_cpu_is_throttled_2x():
    from benchmarks import browser

    assert browser.frame_target() == 8.0 and browser.frame_target(2) == 16.0
    assert browser.ready_target() == 1000.0 and browser.ready_target(2) == 2000.0
    assert browser.PAGE_BYTES == 500_000  # the bytes do not depend on the CPU


def test_every_table_states_the_throttle_and_the_cpu(tmp_path, monkeypatch):
    from benchmarks import browser

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\n"
        "processor\t: 1\nmodel name\t: AMD EPYC 7B13\n",
        encoding="utf-8",
    )
    assert browser.cpu_model(cpuinfo) == "AMD EPYC 7B13"
    assert browser.cpu_model(tmp_path / "missing")  # falls back to what Python knows
    monkeypatch.setattr(browser, "cpu_model", lambda: "AMD EPYC 7B13")
    widgets = browser.widget_table([], 10, throttle=2).splitlines()
    assert "CPU throttled 2×" in widgets[0] and "target p95 ≤ 16 ms" in widgets[0]
    assert widgets[1].startswith("machine: AMD EPYC 7B13, ")
    pages = browser.page_table([], 5).splitlines()
    assert "CPU not throttled" in pages[0]
    assert "≤ 0.5 MB transferred, ready ≤ 1 s" in pages[0]
    assert pages[1].startswith("machine: AMD EPYC 7B13, ")
    assert "ready ≤ 2 s" in browser.page_table([], 5, throttle=2)


@pytest.mark.parametrize("throttle", ["0.5", "0", "-2", "nan", "inf"])
def test_the_browser_benchmark_refuses_a_throttle_below_1(tmp_path, throttle):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "browser.py"), "--html", str(tmp_path)]
        + [f"--throttle={throttle}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--throttle: expected a slowdown of at least 1 (1 = none), got" in done.stderr


def test_a_stroke_is_brisk_closed_and_inside_the_pad():
    from benchmarks.browser import SWEEPS, stroke_path

    strokes = stroke_path(100)
    assert [len(s) for s in strokes] == [41, 41, 21]  # 40, 40 and 20 moves after the start
    points = [p for s in strokes for p in s]
    assert all(0.1 <= x <= 0.9 and 0.1 <= y <= 0.9 for x, y in points)
    steps = [
        ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        for s in strokes
        for (x0, y0), (x1, y1) in zip(s, s[1:], strict=False)
    ]
    assert min(steps) >= 0.02 and max(steps) <= 0.07  # ~1/40 of the pad a move
    assert SWEEPS["cl-digits"].stroke == "Drawing pad" and SWEEPS["cl-digits"].clear == "Clear"
