"""Ask for the fonts a page draws with as early as for its stylesheets.

A browser requests a web font only when it lays out text set in it. On a chapter,
KaTeX's fonts and the theme's icon fonts arrived one by one while the body was
being parsed, and each arrival made the browser shape and lay out again all the
text already set in that font (chapter 1 was ready 110 ms later than with the
fonts requested up front, on a 2-core machine). Each page now has, after its
stylesheets, a ``<link rel="preload" as="font">`` for each font it will draw with,
and no other:

- KaTeX's: for every piece of text in the page's rendered maths, the face that
  KaTeX's stylesheet gives it, found as the browser finds it: the stylesheet's
  rules that set ``font-family``, ``font-style`` or ``font-weight`` matched
  against the maths (the later of two rules of equal specificity wins; an element
  without its own value inherits it), then the closest ``@font-face`` of that
  family, style first, then weight.
- The theme's Font Awesome solid and brands faces, which draw the header's icons
  (search, menu, light/dark, repository) on every page.

tests/browser/test_preload_fonts.py checks on every page that the fonts the
browser uses are exactly those preloaded.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import icon_fonts
import katex_assets
from bs4 import BeautifulSoup, NavigableString
from sphinx.application import Sphinx

ICON_FONTS = [
    (icon_fonts.FONTS / name).as_posix() for name in ("fa-solid-900.woff2", "fa-brands-400.woff2")
]
FONT_PROPERTIES = ("font-family", "font-style", "font-weight")
FONT_FACE = re.compile(r"@font-face\{([^}]*)\}")


@dataclass(frozen=True)
class Face:
    family: str
    style: str
    weight: int
    url: str  # relative to the stylesheet


def _declarations(body: str) -> dict[str, str]:
    pairs = (d.split(":", 1) for d in body.split(";") if ":" in d)
    return {name.strip(): value.strip() for name, value in pairs}


def _family(value: str) -> str:
    """The first family of a ``font-family`` value, unquoted and unescaped."""
    return value.split(",")[0].strip().strip("\"'").replace("\\ ", " ")


def _weight(value: str) -> int:
    return {"normal": 400, "bold": 700}.get(value, int(value) if value.isdigit() else 400)


@functools.cache
def font_faces(css: str) -> tuple[Face, ...]:
    """The woff2 ``@font-face`` rules of a stylesheet (read once per stylesheet)."""
    faces = []
    for body in FONT_FACE.findall(css):
        found = _declarations(body)
        url = re.search(r"url\([\"']?([^)\"']+\.woff2)[\"']?\)", body)
        if url and "font-family" in found:
            faces.append(
                Face(
                    _family(found["font-family"]),
                    found.get("font-style", "normal"),
                    _weight(found.get("font-weight", "400")),
                    url.group(1),
                )
            )
    return tuple(faces)


@functools.cache
def font_rules(css: str) -> tuple[tuple[str, dict[str, str]], ...]:
    """(selector, font declarations) of each rule that sets a font property, in order
    (read once per stylesheet)."""
    rules = []
    for selectors, body in icon_fonts.RULE.findall(css):
        found = _declarations(body)
        if "font" in found:  # the shorthand: `normal 1.21em KaTeX_Main,Times New Roman,serif`
            words = found.pop("font").split(" ", 2)
            found.update({"font-style": "normal", "font-weight": "400", "font-family": words[-1]})
        found = {k: v for k, v in found.items() if k in FONT_PROPERTIES}
        if found and not selectors.strip().startswith("@"):  # @font-face: no selector
            rules.extend((selector.strip(), found) for selector in selectors.split(","))
    return tuple(rules)


def _specificity(selector: str) -> tuple[int, int]:
    classes = selector.count(".") + selector.count("[") + selector.count(":")
    types = len(re.findall(r"(?:^|[\s>+~])([a-z][a-z0-9]*)", selector))
    return classes, types


def faces_used(body_html: str, css: str) -> list[Face]:
    """The faces of ``css`` that the KaTeX maths of ``body_html`` is drawn with."""
    if "katex" not in body_html:
        return []
    soup = BeautifulSoup(body_html, "html.parser")
    declared: dict[int, dict[str, tuple[tuple[int, int], int, str]]] = {}
    for order, (selector, found) in enumerate(font_rules(css)):
        try:
            matched = soup.select(selector)
        except Exception:  # a selector soupsieve cannot read (pseudo-elements): no text
            continue
        rank = _specificity(selector)
        for element in matched:
            props = declared.setdefault(id(element), {})
            for name, value in found.items():
                if name not in props or props[name][:2] <= (rank, order):
                    props[name] = (rank, order, value)
    faces = font_faces(css)
    used: set[Face] = set()
    for text in soup.select(".katex"):
        for piece in text.find_all(string=True):
            if not isinstance(piece, NavigableString) or not piece.strip():
                continue
            wanted = {}
            for element in piece.parents:
                for name, (_, _, value) in declared.get(id(element), {}).items():
                    wanted.setdefault(name, value)
                if element is text:
                    break
            family = _family(wanted.get("font-family", ""))
            style = wanted.get("font-style", "normal")
            weight = _weight(wanted.get("font-weight", "400"))
            same_family = [f for f in faces if f.family == family]
            if same_family:
                used.add(min(same_family, key=lambda f: (f.style != style, abs(f.weight - weight))))
    return sorted(used, key=lambda f: f.url)


def setup(app: Sphinx) -> dict:
    stylesheet = katex_assets.STATIC / katex_assets.CSS
    katex_fonts = str(Path("_static") / Path(katex_assets.CSS).parent)

    def preload(app: Sphinx, pagename, templatename, context, doctree) -> None:
        fonts = list(ICON_FONTS)
        if "body" in context:
            css = stylesheet.read_text(encoding="utf-8")
            fonts += [f"{katex_fonts}/{face.url}" for face in faces_used(context["body"], css)]
        # Written by book/_templates/static/webpack-macros.html after the stylesheets,
        # so that the fonts do not hold up a stylesheet's request.
        context["font_preloads"] = [context["pathto"](font, 1) for font in fonts]

    app.connect("html-page-context", preload)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
