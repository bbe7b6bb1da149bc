"""One stylesheet per page: the stylesheets a page links, joined in their order.

A chapter's head links a dozen stylesheets (Sphinx's, the theme's, Pygments', the
extensions', KaTeX's, the course's), and the browser paints nothing of the page
before every one of them has arrived. Over HTTP/1.1, six connections to a host,
a dozen files arrive in two waves behind the page itself; joined into one file,
the page waits for one request (chapters ready 60-130 ms sooner, interleaved cold
loads; ``benchmarks/RESULTS.md``). The cascade is unchanged: the same rules in the
same order. Pages that link the same stylesheets share one file, named by a hash
of its contents so that no browser's cache can serve an outdated one.

Each stylesheet's ``url(...)``s are rewritten to be relative to the joined file, so
fonts and images resolve as before. The joined file starts with a comment naming
its parts (``parts()`` reads it back). A stylesheet that cannot be joined without
changing its meaning (one with a ``media`` or other attribute, one from another
site, one that ``@import``s) keeps its own link, and the stylesheets on either side
of it are joined separately, so the order still holds.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

BUNDLE_DIR = "_static"
BUNDLE_PREFIX = "bundle-"
HEADER = "/* The page's stylesheets in one file (book/_ext/css_bundle.py), in order: "
PART = "/* from {} */\n"

LINK = re.compile(r"<link\b[^>]*>")
STYLE = re.compile(r"<style\b")
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
CHARSET = re.compile(r'^\s*@charset\s+"[^"]*"\s*;', re.I)
SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/")
#: What a url(...) can hide in: comments and strings, matched first and left as they are.
TOKENS = re.compile(
    r"/\*.*?\*/"  # a comment
    r"""|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'"""  # a string
    r"|(?P<import>@import\b)"
    r"""|url\(\s*(?:"(?P<dq>(?:\\.|[^"\\])*)"|'(?P<sq>(?:\\.|[^'\\])*)'|(?P<bare>[^"'()\s]*))\s*\)""",
    re.S | re.I,
)
OUTSIDE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.I)  # data:, https:, /x, #id


def parts(bundle_css: str) -> list[str]:
    """The stylesheets a joined file was made of, paths under the site's root."""
    if not bundle_css.startswith(HEADER):
        return []
    return bundle_css[len(HEADER) : bundle_css.index(" */")].split(", ")


def _rewrite_urls(css: str, source_dir: str, bundle_dir: str, name: str) -> str:
    """The stylesheet with every relative ``url(...)`` made relative to the joined file,
    byte for byte the same elsewhere (comments and strings are read past, not into)."""

    def moved(match: re.Match) -> str:
        if match.group("import"):
            raise ExtensionError(f"css_bundle: {name} @imports a stylesheet; link it instead")
        quoted = [(match.group(g), q) for g, q in (("dq", '"'), ("sq", "'"), ("bare", ""))]
        url, quote = next(((u, q) for u, q in quoted if u is not None), (None, ""))
        if not url or OUTSIDE.match(url):
            return match.group(0)  # a comment, a string, or a url that does not move
        path, suffix = re.match(r"([^?#]*)(.*)", url, re.S).groups()
        target = posixpath.normpath(posixpath.join(source_dir, path))
        return f"url({quote}{posixpath.relpath(target, bundle_dir)}{suffix}{quote})"

    return TOKENS.sub(moved, css)


def joined(outdir: Path, sources: list[str]) -> str:
    """The text of one file holding these stylesheets (paths under ``outdir``)."""
    pieces = [HEADER + ", ".join(sources) + " */\n"]
    for source in sources:
        css = CHARSET.sub("", (outdir / source).read_text(encoding="utf-8"))
        css = _rewrite_urls(SOURCE_MAP.sub("", css), posixpath.dirname(source), BUNDLE_DIR, source)
        pieces.append(PART.format(source) + css.strip() + "\n")
    return "".join(pieces)


class Bundler:
    """Rewrites written pages to link joined stylesheets, writing each file once."""

    def __init__(self, outdir: Path):
        self.outdir = outdir.resolve()
        self.files: dict[tuple[str, ...], str] = {}  # sources -> joined file's path

    def _source(self, page: Path, tag: str) -> str | None:
        """The stylesheet's path under the site's root, if the link can be joined."""
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("rel") != "stylesheet" or set(attributes) - {"rel", "type", "href"}:
            return None
        href = attributes.get("href", "").split("?")[0].split("#")[0]
        if not href or OUTSIDE.match(href):
            return None
        path = (page.parent / href).resolve()
        if not path.is_file() or self.outdir not in path.parents:
            return None
        return path.relative_to(self.outdir).as_posix()

    def _bundle(self, sources: tuple[str, ...]) -> str:
        if sources not in self.files:
            text = joined(self.outdir, list(sources))
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            path = f"{BUNDLE_DIR}/{BUNDLE_PREFIX}{digest}.css"
            (self.outdir / path).write_text(text, encoding="utf-8")
            self.files[sources] = path
        return self.files[sources]

    def remove_unlinked(self) -> None:
        """Delete joined files of earlier builds that no page links any more."""
        linked = "\n".join(p.read_text(encoding="utf-8") for p in self.outdir.rglob("*.html"))
        for path in (self.outdir / BUNDLE_DIR).glob(f"{BUNDLE_PREFIX}*.css"):
            if path.name not in linked:
                path.unlink()

    def runs(self, page: Path, head: str) -> list[list[tuple[re.Match, str]]]:
        """Stylesheet links that can be joined, in runs that nothing else splits."""
        runs, run = [], []
        items = sorted([*LINK.finditer(head), *STYLE.finditer(head)], key=lambda m: m.start())
        for match in items:
            tag = match.group(0)
            if tag.startswith("<link") and 'rel="stylesheet"' not in tag:
                continue
            source = self._source(page, tag) if tag.startswith("<link") else None
            if source is None:
                runs, run = runs + [run], []
            else:
                run.append((match, source))
        return [r for r in [*runs, run] if len(r) > 1]

    def rewrite(self, page: Path) -> None:
        html = page.read_text(encoding="utf-8")
        end = html.find("</head>")
        if end < 0:
            return
        head = html[:end]
        for run in reversed(self.runs(page, head)):
            bundle = self._bundle(tuple(source for _, source in run))
            href = posixpath.relpath(bundle, page.parent.relative_to(self.outdir).as_posix())
            for match, _ in reversed(run[1:]):
                start, stop = match.span()
                stop += len(head[stop:]) - len(head[stop:].lstrip(" \t\n"))  # its line too
                head = head[:start] + head[stop:]
            first = run[0][0]
            link = f'<link rel="stylesheet" href="{href}" />'
            head = head[: first.start()] + link + head[first.end() :]
        page.write_text(head + html[end:], encoding="utf-8")


def setup(app: Sphinx) -> dict:
    written: set[str] = set()

    def remember(app: Sphinx, pagename, templatename, context, doctree) -> None:
        written.add(pagename)

    def bundle_pages(app: Sphinx, exception) -> None:
        """Runs after the static files are copied and the other extensions' rewrites."""
        if exception or app.builder.format != "html":
            return
        bundler = Bundler(Path(app.outdir))
        for pagename in sorted(written):
            page = Path(app.builder.get_outfilename(pagename))
            if page.is_file():
                bundler.rewrite(page)
        written.clear()
        bundler.remove_unlinked()

    app.connect("html-page-context", remember)
    app.connect("build-finished", bundle_pages, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
