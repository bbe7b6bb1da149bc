"""Maths rendered at build time by KaTeX: no maths engine runs in the reader's browser.

With ``html_math_renderer: katex`` and ``katex_prerender: true`` (``_config.yml``),
sphinxcontrib-katex runs KaTeX in Node while the book is built and writes every
``$...$``, ``$$...$$`` and amsmath block as KaTeX's HTML (what the reader sees,
selectable text in KaTeX's fonts) beside its MathML (what screen readers read, with
the LaTeX source as an annotation). A page then needs only KaTeX's stylesheet and
the fonts it names.

This extension takes all three, the KaTeX that prerenders, its stylesheet and its
fonts, from one npm package pinned in ``package.json`` / ``package-lock.json``
(installed through ``tools/npm.py``: npm's cache first; offline, it fails within
seconds with npm's message), so they cannot disagree. The stylesheet and the woff2
fonts are served from the book's own ``_static/vendor/katex/``, never from a CDN;
the woff and ttf fallbacks the stylesheet also names are left out, as every browser
that runs the widgets reads woff2 and never asks for them. A formula KaTeX cannot
render (a parse error, an unknown command) is a build warning (an error under
``-W``) at the formula's line with KaTeX's message, where the extension alone would
draw the source in red on the page.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import tempfile
from pathlib import Path

import sphinxcontrib.katex as sphinx_katex
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/
from tools import npm  # noqa: E402

KATEX = npm.NODE_MODULES / "katex"
CACHE = ROOT / ".cache" / "katex"
STATIC = CACHE / "static"  # served as _static/
CSS = "vendor/katex/katex.min.css"  # KaTeX's stylesheet under _static/; fonts/ beside it
MATHS = (nodes.math, nodes.math_block)

logger = logging.getLogger(__name__)


def katex_dist() -> Path:
    """The pinned KaTeX's ``dist/`` folder, installing the lock file's packages if needed."""
    try:
        npm.ensure_installed()
    except npm.NpmError as error:
        raise ExtensionError(
            f"katex_assets: could not install KaTeX for the maths: {error}"
        ) from None
    dist = KATEX / "dist"
    if not (dist / "katex.min.js").is_file():
        raise ExtensionError(
            f"katex_assets: no {dist / 'katex.min.js'}; "
            "katex must be in package.json's devDependencies."
        )
    return dist


def _copy_if_changed(source: Path, target: Path) -> None:
    """Replace ``target`` with ``source`` in one step, only when their bytes differ
    (another build may be reading it)."""
    data = source.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, target)


def static_dir(dist: Path) -> Path:
    """A folder to serve as static: KaTeX's stylesheet and woff2 fonts under ``vendor/katex/``."""
    target = STATIC / Path(CSS).parent
    _copy_if_changed(dist / "katex.min.css", target / "katex.min.css")
    fonts = {font.name for font in (dist / "fonts").glob("*.woff2")}
    for name in fonts:
        _copy_if_changed(dist / "fonts" / name, target / "fonts" / name)
    for stale in (target / "fonts").glob("*.woff2"):  # fonts of another KaTeX version
        if stale.name not in fonts:
            stale.unlink()
    return STATIC


def _run_server_as_commonjs() -> None:
    """Start sphinxcontrib-katex's render server from a ``.cjs`` copy, allowing it time.

    The server is a CommonJS script; with the virtual environment inside the
    repository, Node finds the repository's ``package.json`` (``"type": "module"``)
    above it and would load it as an ES module, where ``require`` is undefined.
    It starts in about 0.1 s; the extension waits 5 s for it and, past that, fails
    and leaves it running, so on a busy machine it is allowed a minute.
    """
    source = Path(sphinx_katex.SCRIPT_PATH)
    copy = CACHE / "server" / source.with_suffix(".cjs").name
    _copy_if_changed(source, copy)
    sphinx_katex.SCRIPT_PATH = str(copy)
    sphinx_katex.SRC_DIR = copy.parent  # katex_js_path is resolved from the script's folder
    sphinx_katex.STARTUP_TIMEOUT = 60.0


def _stop_server(app: Sphinx, exception) -> None:
    """Stop the render server with the build (not at interpreter exit), failed or not,
    so no Node process outlives it holding the build's output streams."""
    server, sphinx_katex.KaTeXServer.katex_server = sphinx_katex.KaTeXServer.katex_server, None
    if server is not None:
        atexit.unregister(sphinx_katex.KaTeXServer.terminate)
        server.terminate()


def _serve_katex(app: Sphinx, config) -> None:
    dist = katex_dist()
    _run_server_as_commonjs()
    config.html_static_path.append(str(static_dir(dist)))
    config.katex_css_path = CSS
    config.katex_js_path = str(dist / "katex.min.js")  # prerender with the same KaTeX
    # A page is rewritten when the KaTeX version changes, so no page keeps HTML from
    # another KaTeX than the stylesheet's.
    config.katex_served_version = json.loads((dist.parent / "package.json").read_text())["version"]


def _formulas(doctree: nodes.Node):
    return doctree.findall(lambda node: isinstance(node, MATHS))


def _check_formulas(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Warn, at its line and with KaTeX's message, for each formula KaTeX cannot render.

    The pages are rendered with ``throwOnError: false``, which draws an unknown
    command in red instead of failing; here each formula is rendered once more
    with errors thrown.
    """
    if app.builder.format != "html":
        return
    server = sphinx_katex.KaTeXServer.get()
    for node in _formulas(doctree):
        options = {**sphinx_katex.KATEX_DEFAULT_OPTIONS, "throwOnError": True}
        options["displayMode"] = isinstance(node, nodes.math_block)
        request = {"latex": sphinx_katex.get_latex(node), "katex_options": options}
        reply = server.render(request, sphinx_katex.RENDER_TIMEOUT)
        if "error" in reply:
            logger.warning(f"KaTeX: {reply['error']}", location=node, type="katex")


def _drop_css_without_maths(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Leave KaTeX's stylesheets off a page without maths."""
    has_maths = doctree is not None and any(_formulas(doctree))
    if not has_maths and "css_files" in context:
        katex_css = (CSS, sphinx_katex.filename_css)
        context["css_files"] = [
            css for css in context["css_files"] if not str(css.filename).endswith(katex_css)
        ]


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinxcontrib.katex")
    app.add_config_value("katex_served_version", "", "html")  # set from the installed package
    app.connect("config-inited", _serve_katex)
    app.connect("doctree-resolved", _check_formulas)
    app.connect("html-page-context", _drop_css_without_maths)
    app.connect("build-finished", _stop_server)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
