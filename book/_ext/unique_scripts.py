"""One copy of each script tag on a page.

With Jupyter Book 1's extensions some inline scripts (sphinx-thebe's
``const THEBE_JS_URL = ...``) reach a page twice, and declaring a ``const`` twice
is a SyntaxError in every reader's console.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _drop_duplicate_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
