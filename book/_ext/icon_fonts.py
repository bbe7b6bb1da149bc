"""Cut the theme's icon fonts down to the icons the book can show.

The theme draws its icons (search, menu, light/dark, GitHub, download, ...) with
Font Awesome 6 webfonts: 1,400 solid and 500 brand glyphs, 0.27 MB of woff2 on
every page, of which the book shows about twenty. After a build this extension
rewrites each ``.woff2`` in ``_static/vendor/fontawesome/webfonts/`` with only
the glyphs that some page can ask for:

- every ``fa-<name>`` class found in the built HTML and JavaScript, mapped to its
  code point by the theme's stylesheet (``.fa-<name>:before{content:"\\f0c9"}``);
- every code point the stylesheet uses on its own (``--pst-icon-...`` variables,
  which hold the characters themselves, and ``content:`` of rules that are not
  ``.fa-<name>`` rules: admonitions, links).

The file names and the stylesheet stay as they are, so nothing else changes.
"""

from __future__ import annotations

import re
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from sphinx.application import Sphinx

FONTS = Path("_static") / "vendor" / "fontawesome" / "webfonts"
STYLESHEET = Path("_static") / "styles" / "pydata-sphinx-theme.css"
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
CODE_POINT = re.compile(r'"\\([0-9a-fA-F]{2,5})\s?"')  # content:"\f0c9"
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # the same written as the character itself
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")


def icon_code_points(css: str) -> tuple[dict[str, set[int]], set[int]]:
    """Code points per ``fa-<name>`` class, and those the stylesheet uses by itself."""
    by_class: dict[str, set[int]] = {}
    own: set[int] = set()
    for selectors, body in RULE.findall(css):
        points = {int(hexa, 16) for hexa in CODE_POINT.findall(body)}
        points |= {ord(char) for char in PRIVATE_USE.findall(body)}
        if not points:
            continue
        names = re.findall(r"\.(fa-[a-z0-9-]+):{1,2}before", selectors)
        if names and all(s.strip().startswith(".fa-") for s in selectors.split(",")):
            for name in names:
                by_class.setdefault(name, set()).update(points)
        else:
            own |= points
    return by_class, own


def used_classes(outdir: Path) -> set[str]:
    """Every ``fa-<name>`` token in the built pages and scripts."""
    found: set[str] = set()
    for pattern in ("**/*.html", "_static/**/*.js"):
        for path in outdir.glob(pattern):
            found |= set(ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return found


def needed_code_points(outdir: Path) -> set[int]:
    by_class, own = icon_code_points((outdir / STYLESHEET).read_text(encoding="utf-8"))
    needed = set(own)
    for name in used_classes(outdir):
        needed |= by_class.get(name, set())
    return needed


def subset_font(path: Path, code_points: set[int]) -> None:
    """Rewrite the woff2 font at ``path`` with only ``code_points`` (those it has)."""
    font = TTFont(path)
    keep = code_points & set(font.getBestCmap())
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(keep))
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(path)


def _subset_after_build(app: Sphinx, exception: Exception | None) -> None:
    outdir = Path(app.outdir)
    if exception is not None or app.builder.format != "html" or not (outdir / FONTS).is_dir():
        return
    needed = needed_code_points(outdir)
    for font in sorted((outdir / FONTS).glob("*.woff2")):
        subset_font(font, needed)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _subset_after_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
