"""Where each widget's frame goes: the browser benchmark's sweep under Chromium's trace.

    python benchmarks/trace_widgets.py                       # every widget of ./_build/html
    python benchmarks/trace_widgets.py --html DIR --page ch04_padding_and_stride --moves 50

A profiling aid for `browser.py`'s widget table (no targets here): each slider
widget is put at its largest settings and swept exactly as `browser.py` does
(``SWEEP_JS``), while Chromium records its timeline. The table gives, per move,
the frame's median (input to redrawn frame, as `browser.py` measures it), the
mean of the script (the widget's own work, timed in the page) and the mean
milliseconds of the renderer's main thread in each later phase of the frame:
style, layout, pre-paint, paint and layerize (turning the paint into compositor
layers), then V8's garbage collections on the main thread (how many per move, and
their milliseconds: a collection in 5 % of the moves or more shows in the p95),
with the number of elements the widget has. A phase that grows with
the element count points to redrawing more than changed; a large style or layout
with few elements, to a change that spreads beyond the widget. Stroke widgets
(the digit drawer) are left to `browser.py`, which drives them with the mouse.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tools/
from benchmarks.browser import (  # noqa: E402
    CHROMIUM_FLAGS,
    KIND_JS,
    SWEEP_JS,
    SWEEPS,
    VIEWPORT,
    chromium,
    machine,
    widget_pages,
)
from tools.static_server import serving  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Trace event names of each phase of a frame on the renderer's main thread (the
# script, the widget's own work, is timed in the page, as browser.py times it).
PHASES = {
    "style": "UpdateLayoutTree",
    "layout": "Layout",
    "pre-paint": "PrePaint",
    "paint": "Paint",
    "layerize": "Layerize",
}
# V8's collections on the main thread (young generation, and the full one).
COLLECTIONS = ("MinorGC", "MajorGC")
CATEGORIES = ["devtools.timeline", "blink"]


def main_thread_spans(trace: dict | list) -> dict[str, list[tuple[float, float]]]:
    """The [start, stop] of each complete event on the renderer's main thread, by name."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e["args"]["name"] == "CrRendererMain"
    }
    spans = defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and (e["pid"], e["tid"]) in main and "dur" in e:
            spans[e["name"]].append((e["ts"], e["ts"] + e["dur"]))
    return spans


def outermost(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The spans not inside an earlier one (nested events of a name count once)."""
    kept, end = [], float("-inf")
    for start, stop in sorted(spans):
        if start >= end:
            kept.append((start, stop))
            end = stop
    return kept


def phase_totals(trace: dict | list) -> dict[str, float]:
    """Milliseconds of each phase on the main thread; nested events of a name count once."""
    spans = main_thread_spans(trace)
    return {
        phase: sum(stop - start for start, stop in outermost(spans[name])) / 1000
        for phase, name in PHASES.items()
    }


def collections(trace: dict | list) -> tuple[int, float]:
    """V8's garbage collections on the main thread: how many, and their milliseconds."""
    spans = main_thread_spans(trace)
    found = outermost([span for name in COLLECTIONS for span in spans[name]])
    return len(found), sum(stop - start for start, stop in found) / 1000


def trace_page(browser, site: str, path: str, moves: int) -> list[dict]:
    """One row per slider widget of `path`: frame median, phases per move, elements."""
    sweeps = {kind: asdict(spec) for kind, spec in SWEEPS.items()}
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(f"{site}/{path}", wait_until="load")
    page.wait_for_function(
        "() => document.documentElement.classList.contains('cl-skip-offscreen')", timeout=20_000
    )
    rows = []
    for index in range(page.evaluate("document.querySelectorAll('.cl-widget').length")):
        kind = page.evaluate(KIND_JS, index)
        if kind not in sweeps or sweeps[kind]["stroke"]:
            continue
        with tempfile.NamedTemporaryFile(suffix=".json") as file:
            browser.start_tracing(page=page, path=file.name, categories=CATEGORIES)
            out = page.evaluate(SWEEP_JS, {"index": index, "sweeps": sweeps, "moves": moves})
            browser.stop_tracing()
            if "error" in out:
                raise SystemExit(f"{path}: {out['error']}")
            trace = json.loads(Path(file.name).read_text())
            totals, (count, gc_ms) = phase_totals(trace), collections(trace)
        elements = page.evaluate(
            "(i) => document.querySelectorAll('.cl-widget')[i].querySelectorAll('*').length", index
        )
        rows.append(
            {
                "page": Path(path).stem,
                "widget": kind,
                "frame": statistics.median(out["frame"]),
                "script": statistics.mean(out["script"]),
                **{phase: ms / moves for phase, ms in totals.items()},
                "gc": gc_ms / moves,
                "collections": count / moves,
                "elements": elements,
            }
        )
    page.close()
    return rows


def table(rows: list[dict], moves: int) -> str:
    columns = ["script", *PHASES, "gc", "collections"]
    names = {"collections": "gc count"}
    head = f"{'page':35s}{'widget':19s}{'frame':>7s}" + "".join(
        f"{names.get(c, c):>10s}" for c in columns
    )
    lines = [
        f"## Where a widget's frame goes: {moves} moves each, ms per move "
        "(frame: median; phases: mean on the main thread; gc: V8's garbage collections "
        "there; gc count: collections per move)",
        machine(),
        head + f"{'elements':>10s}",
    ]
    for r in rows:
        phases = "".join(f"{r[c]:10.2f}" for c in columns)
        lines.append(
            f"{r['page']:35s}{r['widget']:19s}{r['frame']:7.1f}{phases}{r['elements']:10d}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html", help="a build")
    parser.add_argument("--page", action="append", help="a page's name (repeatable)")
    parser.add_argument("--moves", type=int, default=100, help="moves per widget (100)")
    args = parser.parse_args()
    if args.moves < 1:
        parser.error("--moves must be at least 1")
    html = args.html.resolve()
    built = (html / "index.html").exists()
    pages = [
        p
        for p in (widget_pages(html) if built else [])
        if not args.page or Path(p).stem in args.page
    ]
    if not pages:
        parser.error(f"no page with widgets in {html} (build the book, or check --page)")
    with serving(html) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        rows = [row for path in pages for row in trace_page(browser, site, path, args.moves)]
        browser.close()
    print(table(rows, args.moves))
    return 0


if __name__ == "__main__":
    sys.exit(main())
