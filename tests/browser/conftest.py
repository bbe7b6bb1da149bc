"""Build the book once, serve it on localhost, and drive it in headless Chromium.

Every page test fails on a console error, an uncaught exception, or any request
that leaves localhost (such requests are blocked and recorded).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM_FLAGS  # one list: the tests and the benchmark
from tools.static_server import serving

ROOT = Path(__file__).resolve().parents[2]
# CONVLAB_BUILD_DIR builds elsewhere (JB's --path-output), e.g. to test two trees at once.
OUTPUT = Path(os.environ.get("CONVLAB_BUILD_DIR", ROOT))
HTML = OUTPUT / "_build" / "html"


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    pytest.fail(
        "The browser tests need Chromium: install Debian's package with "
        "`sudo apt-get install chromium` (or set CHROMIUM to its path).",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The book, built as the README builds it (warnings are errors).

    CONVLAB_USE_EXISTING_BUILD=1 skips the build and tests the last one (quicker
    while working on a page; the test command always builds).
    """
    if os.environ.get("CONVLAB_USE_EXISTING_BUILD") == "1" and (HTML / "index.html").exists():
        return HTML
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"]
    if OUTPUT != ROOT:
        command += ["--path-output", str(OUTPUT)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"the book did not build:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return HTML


@pytest.fixture(scope="session")
def content_pages(built_book: Path) -> list[Path]:
    """The built chapters and the book's other pages, and the index of terms: every
    page but the search page."""
    return sorted(built_book.glob("book/*.html")) + [built_book / "genindex.html"]


@pytest.fixture(scope="session")
def site(built_book: Path):
    """Base URL of the built book served on 127.0.0.1, text gzipped as a web host serves it."""
    with serving(built_book) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or chromium_path()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class PageProblems:
    """What went wrong while a page was open."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.external: list[str] = []


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser, site: str, problems: PageProblems):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(route):
        if route.request.url.startswith(site) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            problems.external.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems.errors.append(m.text))
    page.on("pageerror", lambda e: problems.errors.append(f"uncaught: {e}"))
    page.site = site
    yield page
    context.close()
    assert problems.errors == [], f"console errors on {page.url}: {problems.errors}"
    assert problems.external == [], f"requests left localhost from {page.url}: {problems.external}"
