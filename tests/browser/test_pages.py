"""Every page of the book opens cleanly, offline, with its widgets rendered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def toc_pages() -> list[str]:
    """The HTML path of every page in _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return [f"{f}.html" for f in files]


def widget_count(html: str) -> int:
    """How many widget views a built page embeds."""
    return len(re.findall(r"application/vnd\.jupyter\.widget-view\+json", html))


@pytest.mark.browser
@pytest.mark.parametrize("path", toc_pages())
def test_page_opens_clean_and_renders_its_widgets(page, built_book, path):
    html = (built_book / path).read_text(encoding="utf-8")
    expected = widget_count(html)
    page.goto(page.site + path)
    page.wait_for_load_state("networkidle")
    assert page.locator("article h1").first.is_visible()
    if expected:
        page.locator(".cl-widget").nth(expected - 1).wait_for(state="visible", timeout=15_000)
        assert page.locator(".cl-widget").count() == expected
    # MathJax typeset every formula (it is served from the book, not a CDN).
    if "\\(" in html or "\\[" in html or "$$" in html:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        assert page.locator("mjx-container").count() > 0


@pytest.mark.browser
def test_index_redirects_to_the_introduction(page):
    page.goto(page.site)
    page.wait_for_url("**/book/intro.html")
    assert "How convolution works" in page.title()
