"""Re-execute the chapters when the course package changes.

Jupyter Book's execution cache is keyed on a notebook's code cells only. A
chapter whose cells are unchanged would keep outputs (and widget code) from an
older ``convlab``. This extension fingerprints ``src/convlab`` and clears the
cache when the fingerprint differs from the one the cache was built with.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "convlab"


def fingerprint(root: Path = PACKAGE) -> str:
    """sha256 over the paths and bytes of every source file of the package."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
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


def _reread_notebooks(app: Sphinx, env, added, changed, removed) -> list[str]:
    """After a package change, every notebook page is re-read (and so re-executed)."""
    if not getattr(app, "convlab_changed", False):
        return []
    return [doc for doc in env.found_docs if Path(env.doc2path(doc)).suffix == ".ipynb"]


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _clear_stale_cache)
    app.connect("env-get-outdated", _reread_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
