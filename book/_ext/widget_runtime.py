"""Serve the widget runtime from the book itself, never from a CDN.

A page that shows widgets needs require.js, the ``@jupyter-widgets/html-manager``
embedder and the ``anywidget`` front end (maths needs nothing in the browser: KaTeX
renders it at build time, ``katex_assets.py``). Jupyter Book loads them from CDNs
by default. This Sphinx extension
fetches pinned releases with ``npm pack`` once (cached in ``.cache/``; npm asks
its own cache first and, offline, fails within seconds with its own message),
checks each tarball against its pinned sha512, and copies the few files the
pages use into ``_static/vendor/``. The anywidget front end is the one the
pinned ``anywidget`` Python package ships, so it always matches the widgets'
Python side and needs no download. The built book then works offline and in
tests no request leaves localhost. Third-party code is fetched at build time,
never committed.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

import anywidget
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/
from tools.npm import NpmError  # noqa: E402
from tools.npm import run as run_npm  # noqa: E402

CACHE = ROOT / ".cache" / "widget-runtime"
# The AMD build of anywidget's front end that html-manager loads, as the pinned
# Python package ships it (the same file as the npm package's dist/index.js).
ANYWIDGET_FRONT_END = Path(anywidget.__file__).parent / "nbextension" / "index.js"

# name -> (version, npm integrity of the tarball, {file in package: path under vendor/})
PINNED = {
    "requirejs": (
        "2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        {"require.js": "require.js"},
    ),
    "@jupyter-widgets/html-manager": (
        "1.0.15",
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        # The embedder, and the icon fonts it loads from beside itself.
        {"dist/": "html-manager/dist/"},
    ),
}


def _integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def _fetch(name: str, version: str, integrity: str) -> Path:
    """Return the checked tarball of ``name@version``, downloading it with npm once."""
    tarballs = CACHE / "tarballs"
    tarballs.mkdir(parents=True, exist_ok=True)
    tarball = tarballs / f"{name.replace('@', '').replace('/', '-')}-{version}.tgz"
    if not tarball.exists():
        with tempfile.TemporaryDirectory() as tmp:
            try:
                run_npm("pack", f"{name}@{version}", "--pack-destination", tmp, timeout=120)
            except NpmError as error:
                raise ExtensionError(
                    f"widget_runtime: could not fetch {name}@{version} for the pages: {error}"
                ) from None
            (packed,) = Path(tmp).glob("*.tgz")
            shutil.move(packed, tarball)
    actual = _integrity(tarball)
    if actual != integrity:
        tarball.unlink()
        raise ExtensionError(
            f"widget_runtime: {name}@{version} has integrity {actual}, "
            f"expected the pinned {integrity}; refusing to use it."
        )
    return tarball


def _extract(tarball: Path, files: dict[str, str], vendor: Path) -> None:
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            inner = member.name.removeprefix("package/")
            for source, target in files.items():
                if inner == source or (
                    source.endswith("/") and inner.startswith(source) and not inner.endswith(".map")
                ):
                    dest = vendor / (target + inner[len(source) :])
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(tar.extractfile(member).read())


def vendor_dir() -> Path:
    """Fetch (once) and unpack the pinned runtime; return the folder to serve as static."""
    static = CACHE / "static"
    vendor = static / "vendor"
    stamp = vendor / "PINNED"
    wanted = "\n".join(
        f"{n}@{v[0]} {v[1]} {sorted(v[2].items())}" for n, v in sorted(PINNED.items())
    )
    wanted += f"\nanywidget {anywidget.__version__} {_integrity(ANYWIDGET_FRONT_END)}"
    if not (stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(vendor, ignore_errors=True)
        vendor.mkdir(parents=True)
        for name, (version, integrity, files) in PINNED.items():
            _extract(_fetch(name, version, integrity), files, vendor)
        shutil.copyfile(ANYWIDGET_FRONT_END, vendor / "anywidget.js")
        stamp.write_text(wanted)
    return static


def _add_static(app: Sphinx, config) -> None:
    config.html_static_path.append(str(vendor_dir()))


def _drop_duplicate_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Keep one copy of each script tag.

    With Jupyter Book 1's extensions some inline scripts (sphinx-thebe's
    ``const THEBE_JS_URL = ...``) reach a page twice, and declaring a ``const``
    twice is a SyntaxError in every reader's console.
    """
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _add_static)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
