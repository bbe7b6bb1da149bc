"""Every widget's ES module (shared code + view) is valid JavaScript and exports a view.

The bundles are concatenations, so a name declared twice (in convmath.js and a
view, say) is a SyntaxError that only a browser would otherwise report.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from convlab import widgets
from convlab.widgets._assets import STATIC

WIDGETS = [
    getattr(widgets, name) for name in widgets.__all__ if isinstance(getattr(widgets, name), type)
]


def test_every_view_file_belongs_to_a_widget():
    views = {p.name for p in STATIC.glob("*.js")} - {"convmath.js", "ui.js", "svgplot.js"}
    used = {name for w in WIDGETS for name in views if f"// {name}:" in str(w._esm)}
    assert views == used


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: w.__name__)
def test_bundle_parses_as_a_module(widget, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "this test checks the widget modules with Node.js: install `nodejs`", pytrace=False
        )
    module = tmp_path / f"{widget.__name__}.mjs"
    module.write_text(str(widget._esm), encoding="utf-8")
    done = subprocess.run([node, "--check", str(module)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "export default { render }" in str(widget._esm)
