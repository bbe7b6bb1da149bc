"""Each page preloads exactly the fonts it draws with (book/_ext/preload_fonts.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import preload_fonts  # noqa: E402

# Every font face the page's stylesheets declare, and the faces the browser has used.
FACES_JS = """() => [...document.fonts].map(f => ({family: f.family.replace(/"/g, ""),
  style: f.style, weight: f.weight, status: f.status}))"""


def stylesheet_faces(built_book: Path) -> dict[tuple[str, str, int], str]:
    """(family, style, weight) -> woff2 file name, from the stylesheets the book serves."""
    faces = {}
    for css in ("_static/vendor/katex/katex.min.css", "_static/styles/pydata-sphinx-theme.css"):
        for face in preload_fonts.font_faces((built_book / css).read_text("utf-8")):
            faces[face.family, face.style, face.weight] = face.url.rsplit("/", 1)[-1]
    return faces


def preloaded(html: str) -> list[str]:
    links = re.findall(r'<link rel="preload" href="([^"]+)" as="font"[^>]*crossorigin', html)
    return [link.rsplit("/", 1)[-1] for link in links]


def test_the_maths_faces_are_found_as_the_stylesheet_sets_them():
    css = (
        ".katex{font:normal 1.21em KaTeX_Main,Times New Roman,serif}"
        ".katex .mathnormal{font-family:KaTeX_Math;font-style:italic}"
        ".katex .mathbf{font-family:KaTeX_Main;font-weight:700}"
        ".katex .delimsizing.size1{font-family:KaTeX_Size1}"
        "@font-face{font-family:KaTeX_Main;font-style:normal;font-weight:400;src:url(f/M-R.woff2)}"
        "@font-face{font-family:KaTeX_Main;font-style:normal;font-weight:700;src:url(f/M-B.woff2)}"
        "@font-face{font-family:KaTeX_Math;font-style:italic;font-weight:400;src:url(f/I.woff2)}"
        "@font-face{font-family:KaTeX_Size1;font-style:normal;font-weight:400;src:url(f/S1.woff2)}"
    )

    def urls(body: str) -> list[str]:
        return [face.url for face in preload_fonts.faces_used(body, css)]

    assert urls('<span class="katex"><span class="mord mathnormal">x</span></span>') == [
        "f/I.woff2"
    ]
    # bold upright digits inherit KaTeX_Main from .katex and take its bold face
    bold = '<span class="katex"><span class="mathbf"><span class="mord">1</span></span></span>'
    assert urls(bold) == ["f/M-B.woff2"]
    assert urls('<span class="katex"><span class="delimsizing size1">(</span>2</span>') == [
        "f/M-R.woff2",
        "f/S1.woff2",
    ]
    assert urls('<span class="katex"><span class="delimsizing size1"> </span></span>') == []
    assert urls("<p>no maths</p>") == []


def test_every_page_preloads_the_fonts_it_uses_and_no_other(built_book, content_pages, page):
    faces = stylesheet_faces(built_book)
    assert len(content_pages) >= 15
    for path in content_pages:
        page.goto(f"{page.site}/{path.relative_to(built_book).as_posix()}", wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        used = {
            faces[f["family"], f["style"], int(f["weight"])]
            for f in page.evaluate(FACES_JS)
            if f["status"] == "loaded"
        }
        assert sorted(preloaded(path.read_text("utf-8"))) == sorted(used), path.name
        fetched = page.evaluate(
            "performance.getEntriesByType('resource').map(r => r.name)"
            ".filter(n => n.endsWith('.woff2'))"
        )
        once = sorted(name.rsplit("/", 1)[-1] for name in fetched)
        assert once == sorted(used), path.name  # each fetched once, by its preload
