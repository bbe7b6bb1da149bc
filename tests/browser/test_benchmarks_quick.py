"""The browser and build benchmarks still run on the built book (quick modes, timings unchecked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_pages import widget_count

from benchmarks import browser as in_browser
from benchmarks import trace_widgets

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.browser
def test_every_widget_is_timed_at_its_largest_settings(browser, site, built_book):
    views = {
        p: widget_count((built_book / p).read_text("utf-8"))
        for p in in_browser.book_pages(built_book)
    }
    pages = [page for page, count in views.items() if count]
    results = in_browser.measure_widgets(browser, site, pages, moves=6, block_external=True)
    assert len(results) == sum(views.values())
    for r in results:
        assert r.errors == [], f"{r.page} widget {r.index} ({r.kind}): {r.errors}"
        assert len(r.frame_ms) == len(r.script_ms) == 6
        assert r.redrawn == 6, f"{r.kind}: only {r.redrawn} of 6 moves redrew the output"
        assert all(f >= s >= 0 for f, s in zip(r.frame_ms, r.script_ms, strict=True))
    assert "worst p95" in in_browser.widget_table(results, 6)


@pytest.mark.browser
def test_the_floor_of_a_frame_is_timed_in_chapter_1(browser, site):
    floor = in_browser.measure_floor(browser, site, moves=6, block_external=True)
    assert floor.errors == []
    assert len(floor.frame_ms) == len(floor.script_ms) == 6
    assert all(f >= s >= 0 for f, s in zip(floor.frame_ms, floor.script_ms, strict=True))
    assert in_browser.floor_line(floor).startswith("floor (a one-text change at the top of ch01")


@pytest.mark.browser
def test_the_frame_of_each_slider_widget_is_split_into_phases(browser, site):
    rows = trace_widgets.trace_page(browser, site, "book/ch02_cross_correlation.html", moves=4)
    assert [r["widget"] for r in rows] == ["cl-stepper", "cl-photo", "cl-quiz"]
    for r in rows:
        # every move restyles, lays out and paints something of the widget
        assert all(r[phase] > 0 for phase in trace_widgets.PHASES), r
        assert r["gc"] >= 0 and r["collections"] >= 0, r
        assert r["elements"] > 10
    assert "layerize" in trace_widgets.table(rows, 4)
    assert "gc count" in trace_widgets.table(rows, 4)


@pytest.mark.browser
def test_pages_are_weighed_and_timed(browser, site, built_book):
    pages = in_browser.book_pages(built_book)
    with_widgets = next(p for p in pages if widget_count((built_book / p).read_text("utf-8")))
    results = in_browser.measure_pages(
        browser, site, ["book/intro.html", with_widgets], built_book, loads=3, block_external=True
    )
    for r in results:
        assert r.errors == [], f"{r.page}: {r.errors}"
        assert r.requests > 0
        assert 0 < r.transferred < r.raw, "text should arrive gzipped"
        assert r.ready_ms >= r.load_ms > 0
        assert r.ready_range[0] <= r.ready_ms <= r.ready_range[1]
    assert results[1].widgets >= 1 and results[1].widgets_ms is not None
    table = in_browser.page_table(results, 3)
    assert "the median of 3 load(s)" in table
    assert "book/intro.html" not in table  # short names: "intro"


# A fixed piece of work, timed in the page: ms.
BUSY_JS = """() => {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
  return performance.now() - t0 + 0 * x;
}"""


@pytest.mark.browser
def test_the_throttle_slows_the_pages_cpu(browser, site):
    """--throttle N runs the page's JavaScript about N times slower (here 4×: at least
    1.5×). Each rate's fastest run is compared: other work on the machine slows some
    runs of both (their medians were once equal), the fastest least."""
    times = {}
    for rate in (1, 4, 1, 4):  # interleaved: a busy machine slows both alike
        context, page, errors = in_browser.open_page(browser, site, True, throttle=rate)
        page.goto(site + "book/intro.html", wait_until="load")
        times.setdefault(rate, []).extend(page.evaluate(BUSY_JS) for _ in range(3))
        context.close()
        assert errors == []
    assert min(times[4]) > 1.5 * min(times[1]), times


@pytest.mark.browser
def test_widgets_and_pages_are_measured_throttled(browser, site, built_book):
    pages = in_browser.book_pages(built_book)
    with_widgets = next(p for p in pages if widget_count((built_book / p).read_text("utf-8")))
    widgets = in_browser.measure_widgets(
        browser, site, [with_widgets], moves=3, block_external=True, throttle=2
    )
    assert widgets and all(r.errors == [] and r.redrawn == 3 for r in widgets)
    assert "CPU throttled 2× (target p95 ≤ 16 ms)" in in_browser.widget_table(widgets, 3, 2)
    loads = in_browser.measure_pages(
        browser, site, [with_widgets], built_book, loads=1, block_external=True, throttle=2
    )
    assert loads[0].errors == [] and loads[0].ready_ms > 0
    assert "ready ≤ 2 s" in in_browser.page_table(loads, 1, 2)


def test_build_benchmark_rebuilds_the_built_book(built_book):
    output = built_book.parents[1]  # the --path-output the book was built with
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "build.py"), "--quick"]
        + ["--path-output", str(output)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\ncached " in done.stdout
