"""sphinx-design's and sphinx-thebe's files only on the pages that use them.

Jupyter Book 1 turns both extensions on for every book, and each adds its files to
every page: sphinx-design a 55 kB stylesheet (its rules for cards, grids and tabs)
and its tabs script; sphinx-thebe a stylesheet, a script and an inline script that
configures it. The course uses neither (no ``sd-`` or ``thebe`` class on any page,
no Thebe launch button: the inert Thebe configuration block that sphinx-thebe
writes into every page starts nothing), so each page would fetch, parse and match
rules that can never apply to it. A page whose body uses one of them still gets its files,
so a teacher who adds a grid or a tab set needs to change nothing.
"""

from __future__ import annotations

import re

from lean_head import file_name
from sphinx.application import Sphinx

#: extension -> (a class its directives write, the file names it adds, the inline
#: script it adds, by a name the script defines)
EXTENSIONS = {
    "sphinx-design": (
        re.compile(r'class="(?:[^"]*\s)?sd-'),
        {"sphinx-design.min.css", "design-tabs.js"},
        None,
    ),
    "sphinx-thebe": (
        re.compile(r'class="(?:[^"]*\s)?thebe'),  # not its config block, on every page
        {"sphinx-thebe.css", "sphinx-thebe.js"},
        "THEBE_JS_URL",
    ),
}


def unused(body: str, thebe_button: bool) -> list[str]:
    """The extensions whose files a page with this body does not need."""
    return [
        name
        for name, (uses, _, _) in EXTENSIONS.items()
        if not uses.search(body) and not (name == "sphinx-thebe" and thebe_button)
    ]


def _drop_unused(app: Sphinx, pagename, templatename, context, doctree) -> None:
    launch = (app.config.html_theme_options or {}).get("launch_buttons", {}) or {}
    for extension in unused(context.get("body", ""), bool(launch.get("thebe"))):
        _, files, inline = EXTENSIONS[extension]
        # In place: the lists are the builder's own, which later handlers still add to.
        css, scripts = context.get("css_files", []), context.get("script_files", [])
        css[:] = [c for c in css if file_name(c) not in files]
        scripts[:] = [
            s
            for s in scripts
            if file_name(s) not in files
            and not (inline and not s.filename and inline in s.attributes.get("body", ""))
        ]


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _drop_unused, priority=900)  # after the themes add theirs
    return {"parallel_read_safe": True, "parallel_write_safe": True}
