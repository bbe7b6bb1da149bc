"""The browser side of the widgets: one built ES module per widget, one stylesheet.

Each widget's ``_esm`` is the path of its bundle, ``static/<view>.js``, and its
``_css`` the path of ``static/widgets.css`` (anywidget reads the files, and with
``ANYWIDGET_HMR=1`` reloads them when they change). The bundles are built by
esbuild from the ES modules in ``static/src/`` (``python -m tools.widgets_build``,
``--watch`` while developing) and committed, so installing convlab needs no Node.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "static"
STYLESHEET = STATIC / "widgets.css"
