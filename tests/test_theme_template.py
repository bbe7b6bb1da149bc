"""The book's copy of the theme's ``webpack-macros.html`` stays the theme's, less one script.

``book/_templates/static/webpack-macros.html`` overrides the template of the
pinned pydata-sphinx-theme to leave out its 1.5 MB ``fontawesome.js``. A copy
of a third-party template drifts silently when the theme is upgraded (new
digests, new assets); this test fails as soon as the installed template differs
from the copy in anything but that script.
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


def test_copy_is_the_theme_template_without_fontawesome():
    theme = without_comments((THEME / "webpack-macros.html").read_text(encoding="utf-8"))
    dropped = [line for line in theme if "fontawesome.js" in line]
    assert len(dropped) == 1, "the theme no longer loads fontawesome.js in one line: review it"
    expected = [line for line in theme if line not in dropped]
    assert without_comments(COPY.read_text(encoding="utf-8")) == expected, (
        f"pydata-sphinx-theme {pydata_sphinx_theme.__version__} changed its webpack-macros.html: "
        f"copy it again to {COPY.relative_to(ROOT)} and drop the fontawesome.js script"
    )
