"""How long the book takes to build: clean (every chapter executed) and cached.

    python benchmarks/build.py                    # clean build, then cached rebuild (temp folder)
    python benchmarks/build.py --path-output DIR  # the same in DIR (new or empty), kept
    python benchmarks/build.py --quick --path-output DIR  # a cached rebuild of the build in DIR

Each build is the README's, ``jupyter-book build . -W -n --keep-going``, with
``--path-output``. The clean build starts from an empty output folder, so the
execution cache (``_build/.jupyter_cache``) is empty and every notebook runs;
the cached rebuild runs the same command again with nothing changed. Targets:
clean ≤ 5 minutes, cached ≤ 60 s. KaTeX's files, installed once through
``tools/npm.py`` by ``book/_ext/katex_assets.py``, are reused by both.

A cached rebuild executes nothing unless ``src/convlab``, ``book/_static`` or
``book/_ext`` changed since the last build (``book/_ext/rebuild_on_change.py``
then clears the cache); the table counts the notebooks each build executed,
so such a rebuild shows up.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"clean": 300.0, "cached": 60.0}  # seconds


@dataclass
class Build:
    kind: str  # "clean" or "cached"
    seconds: float
    executed: int  # notebooks executed (myst-nb logs "Executing notebook" for each)


def build(output: Path, kind: str) -> Build:
    """Build the book into ``output`` (its ``_build/``) and time it; exits on a failed build."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"]
    command += ["--path-output", str(output)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"The {kind} build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    executed = len(re.findall(r"Executing notebook", done.stdout + done.stderr))
    return Build(kind, seconds, executed)


def table(builds: list[Build]) -> str:
    lines = [
        "## Build: jupyter-book build -W -n --keep-going",
        f"{'build':<8} {'seconds':>8} {'notebooks executed':>19}  target",
    ]
    for b in builds:
        target = TARGETS[b.kind]
        ok = "ok" if b.seconds <= target else "MISSED"
        lines.append(f"{b.kind:<8} {b.seconds:>8.1f} {b.executed:>19}  ≤ {target:.0f} s {ok}")
        if b.kind == "cached" and b.executed:
            lines.append(
                "  the cached rebuild executed notebooks: src/convlab, book/_static or "
                "book/_ext changed since the build before it"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--path-output", type=Path, help="build here (new or empty; with --quick: a built book)"
    )
    parser.add_argument("--quick", action="store_true", help="one cached rebuild of --path-output")
    args = parser.parse_args()
    output = args.path_output.resolve() if args.path_output else None
    if args.quick:
        if output is None or not (output / "_build" / "html" / "index.html").exists():
            raise SystemExit(
                "--quick rebuilds an existing build: pass --path-output DIR where DIR/_build/html "
                "holds one (build it with `jupyter-book build . -W -n --keep-going "
                "--path-output DIR`)."
            )
        print(table([build(output, "cached")]))
        return 0
    if output is not None and output.exists() and any(output.iterdir()):
        raise SystemExit(f"--path-output {output} is not empty: a clean build needs a new folder.")
    folder = output or Path(tempfile.mkdtemp(prefix="convlab-build-"))
    try:
        builds = [build(folder, "clean")]
        builds.append(build(folder, "cached"))
    finally:
        if output is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(table(builds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
