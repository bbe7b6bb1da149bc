"""The built book's icon fonts hold every icon its pages can show, and little else."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import icon_fonts  # noqa: E402


def test_every_icon_class_on_the_pages_has_its_glyph(built_book):
    by_class, own = icon_fonts.icon_code_points(
        (built_book / icon_fonts.STYLESHEET).read_text(encoding="utf-8")
    )
    fonts = sorted((built_book / icon_fonts.FONTS).glob("*.woff2"))
    assert fonts, "the theme's icon fonts are missing from the build"
    glyphs = set().union(*(set(TTFont(f).getBestCmap()) for f in fonts))
    used = {name for name in icon_fonts.used_classes(built_book) if name in by_class}
    assert {"fa-magnifying-glass", "fa-bars", "fa-github"} <= used  # the search, menu, repo
    missing = {name for name in used if not by_class[name] & glyphs}
    assert not missing, f"icons with no glyph left in the fonts: {sorted(missing)}"
    assert own <= glyphs, "glyphs the theme's stylesheet uses on its own were cut"


def test_icon_fonts_are_cut_down(built_book):
    for font in (built_book / icon_fonts.FONTS).glob("*.woff2"):
        assert font.stat().st_size < 20_000, f"{font.name} was not cut down"


# The search field's icon and where the field's text starts, in CSS pixels.
SEARCH_FIELD_JS = """(form) => {
  const icon = form.querySelector(".fa-magnifying-glass").getBoundingClientRect();
  const input = form.querySelector("input");
  const text = input.getBoundingClientRect().left + parseFloat(getComputedStyle(input).paddingLeft);
  return { iconLeft: icon.left, iconRight: icon.right, iconWidth: icon.width, text };
}"""


@pytest.mark.browser
def test_the_search_icon_sits_beside_the_typed_text(page):
    page.goto(f"{page.site}/search.html?q=stride", wait_until="load")
    on_page = page.locator(".bd-search-container form.bd-search").evaluate(SEARCH_FIELD_JS)
    page.goto(f"{page.site}/book/glossary.html", wait_until="load")
    page.keyboard.press("Control+k")
    page.locator("#pst-search-dialog[open]").wait_for()
    in_dialog = page.locator("#pst-search-dialog form.bd-search").evaluate(SEARCH_FIELD_JS)
    for field in (on_page, in_dialog):
        assert field["iconWidth"] > 8, field  # the glyph is drawn
        assert field["iconRight"] <= field["text"], field  # and the text starts after it
