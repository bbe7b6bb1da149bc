"""Code cells are written without a span for the tokens drawn as plain code text
(book/_ext/plain_code_tokens.py), and look as they did with one."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.token import STANDARD_TYPES

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import plain_code_tokens  # noqa: E402

STYLES = ["a11y-high-contrast-light", "a11y-high-contrast-dark"]  # pydata-sphinx-theme's
CODE = 'import torch\nx = torch.ones(3, 4)[:, 1:]  # a comment\nprint(f"{x.sum():.2f}", len(x))\n'


def span_classes(html: str) -> list[str]:
    return re.findall(r'<span class="([^"]+)"', html)


def test_the_same_code_and_the_coloured_spans_are_kept():
    plain = plain_code_tokens.plain_token_types(STYLES)
    full = highlight(CODE, PythonLexer(), HtmlFormatter())
    lean = highlight(CODE, PythonLexer(), plain_code_tokens.formatter_without(plain)())
    assert re.sub(r"<[^>]+>", "", lean) == re.sub(r"<[^>]+>", "", full)
    dropped = {"n", "p", "w", "nn"}
    assert dropped <= set(span_classes(full))
    assert span_classes(lean) == [c for c in span_classes(full) if c not in dropped]
    assert len(span_classes(lean)) <= len(span_classes(full)) / 2


def test_each_dropped_class_has_the_code_colour_in_both_themes(built_book):
    """Read from the stylesheet the theme writes from the styles, not by the extension."""
    css = (built_book / "_static" / "pygments.css").read_text()
    colours = {}
    for theme, selector, body in re.findall(
        r'html\[data-theme="(\w+)"\] (\.highlight(?: \.\w+)?) \{([^}]*)\}', css
    ):
        found = re.search(r"(?<![-\w])color: (#\w+)", body)
        colours[theme, selector] = found and found.group(1).lower()
    dropped = [STANDARD_TYPES[t] for t in plain_code_tokens.plain_token_types(STYLES)]
    assert {"n", "p"} <= set(dropped)
    for theme in ("light", "dark"):
        base = colours[theme, ".highlight"]
        assert base, f"no code colour for the {theme} theme in pygments.css"
        for short in filter(None, dropped):
            assert colours.get((theme, f".highlight .{short}"), base) == base, (theme, short)
        assert colours[theme, ".highlight .o"] != base  # a coloured token stays coloured


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_code_text_looks_as_a_name_span_did(page, theme):
    page.goto(f"{page.site}/book/ch02_cross_correlation.html", wait_until="load")
    page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    source = page.locator(".cell_input .highlight pre").first
    assert source.locator("span.n, span.p").count() == 0
    assert source.locator("span.o, span.mi, span.k, span.kn").count() > 0
    colours = source.evaluate(
        """(pre) => {
          const name = document.createElement("span");
          name.className = "n";
          pre.append(name);
          const out = [getComputedStyle(pre).color, getComputedStyle(name).color];
          name.remove();
          return out;
        }"""
    )
    assert colours[0] == colours[1]
