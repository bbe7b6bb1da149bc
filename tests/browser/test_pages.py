"""Every page of the book opens cleanly, offline, with its widgets rendered and its maths
prerendered."""

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


# The maths was rendered when the book was built (KaTeX, through sphinxcontrib-katex):
# every formula carries KaTeX's HTML (seen, selectable) and its MathML with the LaTeX
# source (read aloud); no $, \( or \[ delimiters are left in the prose, KaTeX reported
# no error, and no maths engine (MathJax, KaTeX's script) is loaded in the browser.
MATHS_JS = r"""
async () => {
  const article = document.querySelector("article");
  const formulas = [...article.querySelectorAll(".math")];
  const unrendered = formulas
    .filter((m) => !m.querySelector(".katex .katex-html") ||
                   !m.querySelector(".katex .katex-mathml math annotation"))
    .map((m) => m.textContent.slice(0, 80));
  const errors = [...document.querySelectorAll(".katex-error")].map((e) => e.title);
  const prose = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, (node) =>
    node.parentElement.closest("pre, code, script, style, .math, .cell_output")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT);
  const raw = [];
  for (let node = prose.nextNode(); node; node = prose.nextNode()) {
    if (/\$|\\\(|\\\[/.test(node.data)) raw.push(node.data.trim().slice(0, 80));
  }
  const scripts = [...document.scripts].map((s) => s.src).filter(Boolean);
  const requested = performance.getEntriesByType("resource").map((r) => r.name);
  const engine = /mathjax|katex[^/]*\.m?js|auto-render/i;
  const engines = [...new Set([...scripts, ...requested])].filter((url) => engine.test(url));
  if (window.MathJax) engines.push("window.MathJax");
  if (window.katex) engines.push("window.katex");
  await document.fonts.ready;
  const fonts = [...document.fonts].filter((f) => f.status === "loaded").map((f) => f.family);
  const html = formulas.length && formulas[0].querySelector(".katex-html");
  const selectable = Boolean(html) && getComputedStyle(html).userSelect !== "none";
  return { formulas: formulas.length, unrendered, errors, raw, engines, fonts, selectable };
}
"""


@pytest.mark.browser
@pytest.mark.parametrize("path", toc_pages())
def test_page_opens_clean_and_renders_its_widgets(page, built_book, path):
    html = (built_book / path).read_text(encoding="utf-8")
    expected = widget_count(html)
    page.goto(page.site + path)
    page.wait_for_load_state("load")  # widgets and fonts are awaited below
    assert page.locator("article h1").first.is_visible()
    if expected:
        page.locator(".cl-widget").nth(expected - 1).wait_for(state="visible", timeout=15_000)
        assert page.locator(".cl-widget").count() == expected
    maths = page.evaluate(MATHS_JS)
    assert maths["engines"] == [], f"a maths engine runs in the browser: {maths['engines']}"
    assert maths["raw"] == [], f"maths left as LaTeX source: {maths['raw']}"
    assert maths["unrendered"] == [], f"maths without KaTeX's HTML and MathML: {maths}"
    assert maths["errors"] == [], f"KaTeX could not render: {maths['errors']}"
    if maths["formulas"]:
        assert maths["selectable"], "the rendered maths cannot be selected"
        assert "KaTeX_Main" in maths["fonts"], f"KaTeX's fonts did not load: {maths['fonts']}"


@pytest.mark.browser
def test_index_redirects_to_the_introduction(page):
    page.goto(page.site)
    page.wait_for_url("**/book/intro.html")
    assert "How convolution works" in page.title()
