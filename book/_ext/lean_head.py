"""Let a page's body be parsed and drawn without waiting for scripts it does not need yet.

A page's ``<head>`` as Sphinx and the themes write it holds eleven classic
scripts. Each one stops the parser until it has been fetched and run, and each
also waits for every stylesheet above it, so nothing of the body is parsed, let
alone drawn, before all of them are in: on a 2-core machine that put the first
paint of a chapter at about 0.65 s. Three changes, all for content pages only
(the search page keeps its scripts as the theme wrote them):

- The scripts of the theme and of the extensions are ``defer``: fetched while the
  body is parsed and run, in the same order, just before ``DOMContentLoaded``,
  which is when each of them starts its work anyway.
- ``documentation_options.js``, a dozen lines that inline scripts of the page
  extend as soon as they are parsed, is written into the page instead of linked:
  the parser no longer waits a round trip for it (chapters ready about 160 ms
  sooner, interleaved cold loads).
- Sphinx's search scripts and the site's whole search index (``searchtools.js``,
  ``language_data.js``, ``searchindex.js``), which pydata-sphinx-theme loads on
  every page for a "search as you type" that the book leaves off, are dropped.
  The search field sends the reader to the search page, which loads them itself.
  (Loaded on a chapter, they had also turned off Sphinx's highlighting of the
  searched words on the page a search result opens.)
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html._assets import _JavaScript
from sphinx.errors import ExtensionError

#: Read by inline scripts of the page as soon as they are parsed: written inline.
INLINED = "documentation_options.js"
INLINED_TAG = re.compile(
    r'<script src="[^"]*_static/documentation_options\.js(?:\?v=\w+)?"></script>'
)
#: Loaded by pydata-sphinx-theme's layout.html for search as you type.
SEARCH_SCRIPTS = re.compile(
    r'\n?[ \t]*<script src="[^"]*\b(?:_static/searchtools|_static/language_data|searchindex)'
    r'\.js"></script>'
)
SEARCH_PAGE = "search"


def file_name(asset) -> str:
    """The file name of a page's script or stylesheet, without folder or query."""
    return str(asset.filename or "").rsplit("/", 1)[-1].split("?")[0]


def deferred(script: _JavaScript) -> _JavaScript:
    """The same script with ``defer``, if it is a classic script that blocks the parser."""
    attributes = script.attributes
    if (
        not script.filename
        or file_name(script) == INLINED
        or {"async", "defer", "body"} & set(attributes)
        or attributes.get("type", "text/javascript") != "text/javascript"
    ):
        return script
    return _JavaScript(script.filename, priority=script.priority, **attributes, defer="defer")


def setup(app: Sphinx) -> dict:
    written: set[str] = set()  # content pages written in this build

    def defer_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
        if pagename != SEARCH_PAGE:
            context["script_files"] = [deferred(s) for s in context.get("script_files", [])]
            written.add(pagename)

    def finish_pages(app: Sphinx, exception) -> None:
        """Drop the search scripts and write the documentation options into each
        content page written in this build."""
        if exception or app.builder.format != "html":
            return
        options = (Path(app.outdir) / "_static" / INLINED).read_text(encoding="utf-8")
        if "</" in options:
            raise ExtensionError(f"lean_head: {INLINED} cannot be written inside a <script>")
        for pagename in sorted(written):
            page = Path(app.builder.get_outfilename(pagename))
            if page.is_file():
                html = SEARCH_SCRIPTS.sub("", page.read_text(encoding="utf-8"))
                html = INLINED_TAG.sub(lambda _: f"<script>{options.strip()}</script>", html)
                page.write_text(html, encoding="utf-8")
        written.clear()

    app.connect("html-page-context", defer_scripts, priority=950)
    app.connect("build-finished", finish_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
