"""The book's copy of the theme's ``webpack-macros.html`` stays the theme's, with
only the book's changes.

``book/_templates/static/webpack-macros.html`` overrides the template of the
pinned pydata-sphinx-theme to leave out its 1.5 MB ``fontawesome.js``, to link
``basic.css`` where the theme links ``styles/theme.css`` (which only imports it),
and to add two things: a script that sets the reader's theme before the body is
styled, and the page's font preloads. A copy of a third-party template drifts
silently when the theme is upgraded (new digests, new assets); this test fails as
soon as the installed template differs from the copy in anything else.
"""

from __future__ import annotations

import re
from pathlib import Path

import pydata_sphinx_theme

ROOT = Path(__file__).resolve().parents[1]
COPY = ROOT / "book" / "_templates" / "static" / "webpack-macros.html"
THEME = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"


def without_comments(text: str) -> list[str]:
    text = re.sub(r"\{#-.*?-#\}", "", text, flags=re.S)  # Jinja comments
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)  # HTML comments
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def blocks(lines: list[str], start: str, end: str) -> list[str]:
    """The lines from each line starting with ``start`` to the next ending with ``end``."""
    found, inside = [], False
    for line in lines:
        inside = inside or line.strip().startswith(start)
        if inside:
            found.append(line)
            inside = not line.strip().endswith(end)
    return found


def test_copy_is_the_theme_template_with_the_books_changes_only():
    theme = without_comments((THEME / "webpack-macros.html").read_text(encoding="utf-8"))
    copy = without_comments(COPY.read_text(encoding="utf-8"))
    dropped = [line for line in theme if "fontawesome.js" in line]
    assert len(dropped) == 1, "the theme no longer loads fontawesome.js in one line: review it"
    theme_css = [line for line in theme if "_static/styles/theme.css" in line]
    assert len(theme_css) == 1, "the theme no longer links styles/theme.css in one line: review it"
    basic_css = theme_css[0].replace("_static/styles/theme.css", "_static/basic.css")
    added = blocks(copy, "<script>", "</script>") + blocks(copy, "{%- for font", "{%- endfor %}")
    assert any("prefers-color-scheme" in line for line in added)
    assert any("font_preloads" in line for line in added)
    expected = [basic_css if line in theme_css else line for line in theme if line not in dropped]
    assert [line for line in copy if line not in added] == expected, (
        f"pydata-sphinx-theme {pydata_sphinx_theme.__version__} changed its webpack-macros.html: "
        f"copy it again to {COPY.relative_to(ROOT)}, drop the fontawesome.js script, link "
        "basic.css instead of styles/theme.css and add the book's theme script and font preloads"
    )
