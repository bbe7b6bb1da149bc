"""Content pages parse their body without waiting for scripts (book/_ext/lean_head.py),
and what those scripts do still happens: documentation options, copy buttons,
search-term highlighting, the search page."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import css_bundle  # noqa: E402
import lean_head  # noqa: E402
from sphinx.builders.html._assets import _JavaScript  # noqa: E402

CHAPTER = "book/ch02_cross_correlation.html"
SEARCH_FILES = ("searchtools.js", "language_data.js", "searchindex.js")


def script_tags(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html)


def blocks_the_parser(tag: str) -> bool:
    """A classic external script with neither defer nor async."""
    return "src=" in tag and not re.search(r"\b(defer|async)\b", tag) and 'type="module"' not in tag


def test_only_classic_scripts_that_block_are_deferred():
    classic = lean_head.deferred(_JavaScript("_static/doctools.js?v=1", priority=200))
    assert classic.attributes == {"defer": "defer"} and classic.priority == 200
    kept = [
        _JavaScript("_static/documentation_options.js?v=1"),  # written inline instead
        _JavaScript("_static/widget-host.js", **{"type": "module", "async": "async"}),
        _JavaScript("_static/sphinx-thebe.js", **{"async": "async"}),
        _JavaScript(None, body="var x = 1;"),
    ]
    for script in kept:
        assert lean_head.deferred(script) is script


def test_no_content_page_waits_for_a_script(built_book, content_pages):
    options = (built_book / "_static" / "documentation_options.js").read_text("utf-8").strip()
    assert len(content_pages) >= 15
    for page in content_pages:
        html = page.read_text(encoding="utf-8")
        assert [t for t in script_tags(html) if blocks_the_parser(t)] == [], page.name
        assert not any(name in html for name in SEARCH_FILES), page.name
        assert f"<script>{options}</script>" in html, page.name


def test_the_search_page_keeps_its_scripts(built_book):
    html = (built_book / "search.html").read_text(encoding="utf-8")
    for name in SEARCH_FILES:
        assert name in html


def test_deferred_scripts_still_do_their_work(page):
    page.goto(f"{page.site}/{CHAPTER}?highlight=kernel", wait_until="load")
    assert page.evaluate("DOCUMENTATION_OPTIONS.pagename") == CHAPTER.removesuffix(".html")
    code_blocks = page.locator(".cell_input div.highlight").count()
    assert code_blocks > 0
    assert page.locator(".cell_input button.copybtn").count() == code_blocks
    page.wait_for_selector("span.highlighted", state="attached")
    assert page.locator("span.highlighted").first.inner_text().lower() == "kernel"


@pytest.mark.parametrize("query", ["stride"])
def test_searching_from_a_chapter_finds_the_chapters(page, query):
    page.goto(f"{page.site}/{CHAPTER}", wait_until="load")
    page.keyboard.press("Control+K")
    field = page.locator("#pst-search-dialog input[name=q]")
    field.fill(query)
    field.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for()
    titles = " ".join(results.all_inner_texts())
    assert "Padding and stride" in titles


def test_basic_css_is_linked_where_the_theme_imported_it(content_pages, page):
    """basic.css first among a page's stylesheets (one file since css_bundle.py), in place
    of styles/theme.css, whose one rule imports it."""
    for path in content_pages:
        [href] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', path.read_text("utf-8"))
        parts = css_bundle.parts((path.parent / href).read_text("utf-8"))
        assert parts[0] == "_static/basic.css", (path.name, parts)
        assert "_static/styles/theme.css" not in parts
    page.goto(f"{page.site}/{CHAPTER}", wait_until="load")
    rules = page.evaluate(
        "[...document.styleSheets].filter(s => s.href).flatMap(s => [...s.cssRules])"
        ".map(r => r instanceof CSSImportRule ? '@import' : r.selectorText || '')"
    )
    assert "@import" not in rules
    assert "div.clearer" in rules[:5]  # basic.css's first rules, first in the page
