"""The browser side of the widgets: one ES module per widget, one stylesheet.

anywidget saves a widget's ``_esm`` source into the notebook and the built page,
so a view cannot import sibling files. Each widget's module is therefore the
shared maths (``convmath.js``), DOM helpers (``ui.js``) and line chart
(``svgplot.js``), followed by the view.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "static"
SHARED = ("convmath.js", "ui.js", "svgplot.js")


def bundle(view: str) -> str:
    """The ES module for the view file ``view``: shared code first, then the view."""
    return "\n".join((STATIC / name).read_text(encoding="utf-8") for name in (*SHARED, view))


def stylesheet() -> str:
    """The CSS shared by every widget."""
    return (STATIC / "widgets.css").read_text(encoding="utf-8")
