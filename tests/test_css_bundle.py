"""A page's stylesheets joined into one file (book/_ext/css_bundle.py), and the
extensions' files left off pages that do not use them (unused_extensions.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import css_bundle  # noqa: E402
import unused_extensions  # noqa: E402


def rewrite(css: str, source_dir: str = "_static/styles") -> str:
    return css_bundle._rewrite_urls(css, source_dir, "_static", "test.css")


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("a{src:url(../fonts/f.woff2)}", "a{src:url(fonts/f.woff2)}"),
        ('a{src:url("../fonts/f.woff2")}', 'a{src:url("fonts/f.woff2")}'),
        ("a{src:url( 'icons/x.svg' )}", "a{src:url('styles/icons/x.svg')}"),
        ("a{src:url(../f.woff2?v=3#iefix)}", "a{src:url(f.woff2?v=3#iefix)}"),
        ("a{src:URL(../f.woff2)}", "a{src:url(f.woff2)}"),
    ],
)
def test_urls_are_made_relative_to_the_joined_file(css, expected):
    assert rewrite(css) == expected


@pytest.mark.parametrize(
    "css",
    [
        # Nothing to move: other sites, the site's root, data, fragments, nothing.
        "a{src:url(https://x.org/f.woff2)}",
        "a{src:url(/f.woff2)}",
        'a{b:url("data:image/svg+xml,%3Csvg(1)%3E")}',
        "a{b:url(#clip)}",
        "a{b:url()}",
        # Comments and strings are text, not urls.
        "/* url(../x.png) */a{content:'url(../y.png)'}",
    ],
)
def test_other_urls_and_text_are_left_as_they_are(css):
    assert rewrite(css) == css


def test_a_stylesheet_at_the_root_of_static_keeps_its_urls():
    assert rewrite("a{b:url(file.png)}", "_static") == "a{b:url(file.png)}"


def test_an_import_is_refused_with_the_stylesheets_name():
    with pytest.raises(ExtensionError, match=r"test\.css @imports"):
        rewrite('@import "other.css";')


def site(tmp_path: Path, head: str, name: str = "book/page.html") -> Path:
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "fonts").mkdir()
    (static / "basic.css").write_text('@charset "utf-8";\nbody{margin:0}\n')
    theme = "p{font:1em F}@font-face{src:url(../fonts/f.woff2)}"
    (static / "styles" / "theme.css").write_text(theme)
    (static / "print.css").write_text("p{color:black}")
    (static / "course.css").write_text(".cl{color:red}")
    page = tmp_path / name
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"<html><head>\n{head}\n</head><body><p>x</p></body></html>")
    return page


def links(html: str) -> list[str]:
    return re.findall(r'<link[^>]*rel="stylesheet"[^>]*>', html)


def test_the_links_become_one_link_to_their_joined_text(tmp_path):
    page = site(
        tmp_path,
        '<link rel="stylesheet" href="../_static/basic.css?v=1" />\n'
        '    <link href="../_static/styles/theme.css" rel="stylesheet" />\n'
        '    <link rel="stylesheet" type="text/css" href="../_static/course.css" />\n'
        '    <link rel="preload" href="../_static/fonts/f.woff2" as="font" />',
    )
    css_bundle.Bundler(tmp_path).rewrite(page)
    html = page.read_text()
    [link] = links(html)
    assert '<link rel="preload" href="../_static/fonts/f.woff2"' in html  # left alone
    href = re.search(r'href="([^"]+)"', link).group(1)
    assert re.fullmatch(r"\.\./_static/bundle-[0-9a-f]{16}\.css", href)
    joined = (page.parent / href).read_text()
    assert css_bundle.parts(joined) == [
        "_static/basic.css",
        "_static/styles/theme.css",
        "_static/course.css",
    ]
    rules = re.sub(r"/\*.*?\*/\n?", "", joined, flags=re.S)
    # The rules in their order, the charset dropped, the font's url moved.
    assert rules == (
        "body{margin:0}\np{font:1em F}@font-face{src:url(fonts/f.woff2)}\n.cl{color:red}\n"
    )


def test_a_link_that_cannot_be_joined_keeps_its_place_between_two_joined_files(tmp_path):
    page = site(
        tmp_path,
        '<link rel="stylesheet" href="../_static/basic.css" />\n'
        '<link rel="stylesheet" href="../_static/styles/theme.css" />\n'
        '<link rel="stylesheet" href="../_static/print.css" media="print" />\n'
        '<link rel="stylesheet" href="https://cdn.example/x.css" />\n'
        '<link rel="stylesheet" href="../_static/course.css" />\n'
        '<link rel="stylesheet" href="../_static/basic.css" />',
    )
    css_bundle.Bundler(tmp_path).rewrite(page)
    found = [re.search(r'href="([^"]+)"', link).group(1) for link in links(page.read_text())]
    assert len(found) == 4 and found[1:3] == ["../_static/print.css", "https://cdn.example/x.css"]
    first, last = (css_bundle.parts((page.parent / f).read_text()) for f in (found[0], found[3]))
    assert first == ["_static/basic.css", "_static/styles/theme.css"]
    assert last == ["_static/course.css", "_static/basic.css"]


def test_pages_with_the_same_stylesheets_share_one_file_wherever_they_are(tmp_path):
    head = (
        '<link rel="stylesheet" href="{0}_static/basic.css" />'
        '<link rel="stylesheet" href="{0}_static/course.css" />'
    )
    deep = site(tmp_path, head.format("../"))
    top = tmp_path / "index.html"
    top.write_text(f"<html><head>{head.format('')}</head><body></body></html>")
    bundler = css_bundle.Bundler(tmp_path)
    bundler.rewrite(deep)
    bundler.rewrite(top)
    [deep_link], [top_link] = links(deep.read_text()), links(top.read_text())
    assert deep_link.replace("../_static", "_static") == top_link
    assert len(list((tmp_path / "_static").glob("bundle-*.css"))) == 1


def test_a_lone_stylesheet_is_left_as_it_is(tmp_path):
    page = site(tmp_path, '<link rel="stylesheet" href="../_static/basic.css" />')
    before = page.read_text()
    css_bundle.Bundler(tmp_path).rewrite(page)
    assert page.read_text() == before


BOTH = ["sphinx-design", "sphinx-thebe"]


@pytest.mark.parametrize(
    ("body", "thebe_button", "unused"),
    [
        ("<p>Text</p>", False, BOTH),
        ('<div class="sd-card sd-shadow-sm">x</div>', False, ["sphinx-thebe"]),
        ('<button class="btn thebe-launch-button">Run</button>', False, ["sphinx-design"]),
        ('<script type="text/x-thebe-config">{}</script>', False, BOTH),
        ("<p>Text</p>", True, ["sphinx-design"]),
        ('<p class="cl-sd-like">no</p><p>sd-card in text</p>', False, BOTH),
    ],
)
def test_an_extensions_files_stay_where_a_page_uses_it(body, thebe_button, unused):
    assert unused_extensions.unused(body, thebe_button) == unused


def test_joined_files_no_page_links_are_removed(tmp_path):
    page = site(
        tmp_path,
        '<link rel="stylesheet" href="../_static/basic.css" />'
        '<link rel="stylesheet" href="../_static/course.css" />',
    )
    old = tmp_path / "_static" / "bundle-0123456789abcdef.css"
    old.write_text("p{}")
    bundler = css_bundle.Bundler(tmp_path)
    bundler.rewrite(page)
    bundler.remove_unlinked()
    [kept] = (tmp_path / "_static").glob("bundle-*.css")
    assert kept.name in page.read_text() and not old.exists()
