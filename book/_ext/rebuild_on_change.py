"""Rebuild the pages when the course package or the book's own assets change.

Sphinx rebuilds a page only when its source changes, and Jupyter Book's
execution cache is keyed on a notebook's code cells. Without this extension a
change to ``src/convlab`` (a widget's code, a kernel) or to ``book/_static``
would leave pages with old outputs, old widget code or old CSS. It
fingerprints those folders; when the fingerprint differs from the last build's,
it clears the execution cache and marks every page out of date.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parents[2]
WATCHED = (ROOT / "src" / "convlab", ROOT / "book" / "_static", ROOT / "book" / "_ext")


def fingerprint(folders: tuple[Path, ...] = WATCHED) -> str:
    """sha256 over the paths and bytes of every file in ``folders``."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _clear_stale_cache(app: Sphinx, config) -> None:
    cache = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    stamp = cache.parent / "convlab.fingerprint"
    current = fingerprint()
    app.convlab_changed = not (stamp.exists() and stamp.read_text() == current)
    if app.convlab_changed:
        shutil.rmtree(cache, ignore_errors=True)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(current)


def _everything_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    """After a change, every page is re-read (notebooks re-executed) and re-written."""
    return sorted(env.found_docs) if getattr(app, "convlab_changed", False) else []


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _clear_stale_cache)
    app.connect("env-get-outdated", _everything_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
