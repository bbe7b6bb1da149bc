"""Bundle each widget's view into one ES module with esbuild.

    python -m tools.widgets_build           # build once
    python -m tools.widgets_build --watch   # rebuild on every change (with ANYWIDGET_HMR=1)

The sources are ES modules in ``src/convlab/widgets/static/src/``: the maths
(one module per Python module it mirrors), ``ui/`` (DOM helpers, controls,
tables, the line chart) and ``views/`` (one per widget, ``export default
{ render }``). esbuild follows each view's imports and writes one tree-shaken
file per view to ``src/convlab/widgets/static/<view>.js``: what the widget's
``_esm`` points at. Identifiers are kept (readable in a learner's console);
only whitespace and syntax are minified. The bundles are committed, so that
``pip install`` needs no Node; tests/test_widget_bundles.py checks they match
their sources.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tools import npm

STATIC = npm.ROOT / "src" / "convlab" / "widgets" / "static"
SOURCES = STATIC / "src"
VIEWS = SOURCES / "views"
BANNER = (
    "// Built by `python -m tools.widgets_build` from static/src/ (esbuild): "
    "edit the sources, not this file."
)


def views() -> list[Path]:
    """Every view's source, one per widget."""
    return sorted(VIEWS.glob("*.js"))


def esbuild_args(outdir: Path, metafile: Path | None = None, log: str = "warning") -> list[str]:
    """esbuild's command line for every view: one ES module each, into ``outdir``."""
    args = [
        *(str(view.relative_to(npm.ROOT)) for view in views()),
        "--bundle",
        "--format=esm",
        "--target=es2020",
        "--platform=browser",
        "--charset=utf8",
        "--minify-whitespace",
        "--minify-syntax",
        "--legal-comments=none",
        f"--banner:js={BANNER}",
        f"--outdir={outdir}",
        f"--log-level={log}",
    ]
    return args + ([f"--metafile={metafile}"] if metafile else [])


def build(outdir: Path = STATIC, metafile: Path | None = None) -> list[Path]:
    """Bundle every view into ``outdir``; return the files written."""
    done = subprocess.run(
        [str(npm.tool("esbuild")), *esbuild_args(outdir, metafile)],
        cwd=npm.ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"esbuild failed:\n{done.stderr}")
    return [outdir / view.name for view in views()]


def import_graph() -> dict[str, list[str]]:
    """Each source module (path under static/src/) and the modules it imports, from esbuild."""
    with tempfile.TemporaryDirectory() as folder:
        meta = Path(folder) / "meta.json"
        build(Path(folder), metafile=meta)
        inputs = json.loads(meta.read_text(encoding="utf-8"))["inputs"]
    source = SOURCES.relative_to(npm.ROOT).as_posix() + "/"
    return {
        path.removeprefix(source): [i["path"].removeprefix(source) for i in found["imports"]]
        for path, found in inputs.items()
    }


def watch() -> None:
    """Rebuild on every change to the sources, until interrupted (esbuild's --watch)."""
    command = [str(npm.tool("esbuild")), *esbuild_args(STATIC, log="info"), "--watch=forever"]
    print("Rebuilding the widgets on every change (Ctrl-C stops); use ANYWIDGET_HMR=1.")
    with contextlib.suppress(KeyboardInterrupt):
        subprocess.run(command, cwd=npm.ROOT, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watch", action="store_true", help="rebuild on every change")
    args = parser.parse_args(argv)
    try:
        if args.watch:
            watch()
        else:
            for path in build():
                print(f"{path.relative_to(npm.ROOT)}: {path.stat().st_size:,} bytes")
    except (npm.NpmError, RuntimeError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
