"""Every benchmark, one after the other: build, pages and widgets, kernels, training.

    python benchmarks/all.py          # the full runs (about 12 minutes on 2 cores)
    python benchmarks/all.py --quick  # each one's quick mode: checks they all still run

The build benchmark builds in a temporary folder; ``browser.py`` then builds the
book into ``./_build`` (cached after the first time) and measures it there, once
as this machine runs it and once with Chromium's CPU throttled 2× (a stand-in for
a slower laptop or phone; the time targets double). Every table states the
throttle and the CPU. Paste the tables into ``benchmarks/RESULTS.md`` with the date.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THROTTLE = "2"  # the slower device the browser benchmark stands in for: CPU 2× slower


def runs(quick: bool) -> list[list[str]]:
    """The command line of each benchmark, in the order they run."""
    built = ["--html", str(ROOT / "_build" / "html")]  # the build the first browser run made
    if quick:
        return [
            ["browser.py", "--quick"],  # builds ./_build, which the runs after it reuse
            ["browser.py", "--quick", "--throttle", THROTTLE, *built],
            ["build.py", "--quick", "--path-output", str(ROOT)],
            ["kernels.py", "--quick"],
            ["network.py", "--quick"],
        ]
    return [
        ["build.py"],
        ["browser.py"],
        ["browser.py", "--throttle", THROTTLE, *built],
        ["kernels.py"],
        ["network.py"],
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each benchmark's quick mode")
    args = parser.parse_args()
    for script, *options in runs(args.quick):
        print(f"\n# python benchmarks/{script} {' '.join(options)}".rstrip(), flush=True)
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *options])
        if done.returncode != 0:
            print(f"benchmarks/{script} failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
