"""Every page links one stylesheet, and it draws the page exactly as the stylesheets it
was joined from do (book/_ext/css_bundle.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import css_bundle  # noqa: E402

STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)" />')

# Computed values compared element by element (and for ::before and ::after, where the
# icons are): fonts, colours, boxes, backgrounds (whose urls must still resolve).
PROPERTIES = [
    "display", "position", "visibility", "content", "content-visibility", "font-family",
    "font-size", "font-weight", "font-style", "line-height", "color", "background-color",
    "background-image", "border-top-width", "border-top-style", "border-top-color",
    "border-left-width", "margin-top", "margin-left", "padding-top", "padding-left",
    "text-align", "text-decoration-line", "vertical-align", "white-space", "overflow-x",
    "opacity", "z-index", "top", "left", "mask-image",
]  # fmt: skip

STYLES_JS = """async (properties) => {
  const root = document.documentElement;
  const deadline = performance.now() + 10000;
  while (document.querySelector(".cl-widget-host") && !root.classList.contains("cl-skip-offscreen")
         && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  await document.fonts.ready;
  const styles = [];
  for (const el of document.querySelectorAll("body *")) {
    for (const pseudo of [null, "::before", "::after"]) {
      const style = getComputedStyle(el, pseudo);
      const values = properties.map((p) => style.getPropertyValue(p)).join(" | ");
      const name = [el.tagName.toLowerCase(), ...el.classList].join(".");
      styles.push(`${name}${pseudo || ""}: ${values}`);
    }
  }
  const fonts = [...document.fonts].filter((f) => f.status === "loaded")
    .map((f) => `${f.family} ${f.style} ${f.weight}`).sort();
  const sheets = [...document.styleSheets].filter((s) => s.href).length;
  return { styles, fonts, sheets };
}"""

PAGES = ["book/ch01_dense_to_convolution.html", "book/glossary.html", "search.html"]


def test_every_page_links_one_stylesheet_made_of_files_the_book_serves(built_book):
    pages = sorted(built_book.glob("book/*.html")) + [
        built_book / "genindex.html",
        built_book / "search.html",
    ]
    for path in pages:
        html = path.read_text("utf-8")
        head = html[: html.index("</head>")]
        hrefs = STYLESHEET.findall(head)
        assert len(hrefs) == len(re.findall(r'rel="stylesheet"', head)) == 1, (path.name, hrefs)
        href = hrefs[0]
        parts = css_bundle.parts((path.parent / href).read_text("utf-8"))
        assert parts[:2] == ["_static/basic.css", "_static/styles/pydata-sphinx-theme.css"], path
        assert parts[-1] == "_static/course.css", path.name
        assert all((built_book / part).is_file() for part in parts), path.name
        assert ("_static/vendor/katex/katex.min.css" in parts) == ('class="katex"' in html)


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_the_joined_stylesheet_draws_the_page_as_its_parts_do(built_book, page, path):
    html = (built_book / path).read_text("utf-8")
    [href] = STYLESHEET.findall(html[: html.index("</head>")])
    parts = css_bundle.parts(((built_book / path).parent / href).read_text("utf-8"))
    up = "../" * path.count("/")
    separate = "\n".join(f'<link rel="stylesheet" href="{up}{part}" />' for part in parts)
    page.route(
        f"**/{path}?separate",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body=html.replace(f'<link rel="stylesheet" href="{href}" />', separate),
        ),
    )
    seen = {}
    for variant in ("joined", "separate"):
        page.goto(f"{page.site}/{path}" + ("?separate" if variant == "separate" else ""))
        page.wait_for_load_state("load")
        seen[variant] = page.evaluate(STYLES_JS, PROPERTIES)
    joined, separate = seen["joined"], seen["separate"]
    assert (joined["sheets"], separate["sheets"]) == (1, len(parts))
    assert joined["fonts"] == separate["fonts"] and joined["fonts"]
    assert len(joined["styles"]) == len(separate["styles"]) > 300
    differ = [(a, b) for a, b in zip(joined["styles"], separate["styles"], strict=True) if a != b]
    assert not differ, differ[:3]
