"""Highlighted code without a ``<span>`` for the tokens that are drawn plain.

Pygments wraps every token in a span, names and punctuation included, though the
book's light and dark highlighting styles give those exactly the code's own text
colour. They are about two thirds of a chapter's code spans (2,400 of 3,900 in
chapter 9, a quarter of all its elements), and every element costs the reader's
browser style and layout time while the page loads. This extension leaves out
the spans of the token types that look the same as plain code text in both
styles; ``course.css`` gives code text that colour (``.highlight``'s), so the page
looks as before.
"""

from __future__ import annotations

from pygments.formatters import HtmlFormatter
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Text
from sphinx.application import Sphinx


def plain_token_types(style_names: list[str]) -> frozenset:
    """The standard token types drawn as plain text (like ``Text``) in every style named."""
    styles = [get_style_by_name(name) for name in style_names]
    return frozenset(
        token
        for token in STANDARD_TYPES
        if all(style.style_for_token(token) == style.style_for_token(Text) for style in styles)
    )


def formatter_without(plain: frozenset) -> type[HtmlFormatter]:
    """An HtmlFormatter that writes no span around the token types in `plain`."""

    class PlainTokensHtmlFormatter(HtmlFormatter):
        def _get_css_class(self, ttype):
            return "" if ttype in plain else super()._get_css_class(ttype)

    return PlainTokensHtmlFormatter


def _use_formatter(app: Sphinx) -> None:
    highlighter = getattr(app.builder, "highlighter", None)
    theme = getattr(app.builder, "theme", None)
    if highlighter is None or theme is None:  # not an HTML builder
        return
    # The styles pydata-sphinx-theme writes into pygments.css: the user's, else the theme's.
    options = {**theme.get_options(), **app.config.html_theme_options}
    names = [options["pygments_light_style"], options["pygments_dark_style"]]
    highlighter.formatter = formatter_without(plain_token_types(names))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _use_formatter)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
