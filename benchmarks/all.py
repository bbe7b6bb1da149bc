"""Every benchmark, one after the other: the build, the pages and widgets, the kernels.

    python benchmarks/all.py          # the full runs (about 6 minutes on 2 cores)
    python benchmarks/all.py --quick  # each one's quick mode: checks they all still run

The build benchmark builds in a temporary folder; ``browser.py`` then builds the
book into ``./_build`` (cached after the first time) and measures it there. Paste
the tables into ``benchmarks/RESULTS.md`` with the date and the machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def runs(quick: bool) -> list[list[str]]:
    """The command line of each benchmark, in the order they run."""
    if quick:
        return [
            ["browser.py", "--quick"],  # builds ./_build, which the quick build check reuses
            ["build.py", "--quick", "--path-output", str(ROOT)],
            ["kernels.py", "--quick"],
        ]
    return [["build.py"], ["browser.py"], ["kernels.py"]]


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
