"""The built book in headless Chromium: how fast the widgets redraw and the pages load.

    python benchmarks/browser.py                    # build the book (cached), then measure
    python benchmarks/browser.py --html DIR         # measure an existing build (DIR/index.html)
    python benchmarks/browser.py --quick --html DIR # 10 moves a widget, 2 pages: checks it runs
    python benchmarks/browser.py --only widgets     # or --only pages
    python benchmarks/browser.py --loads 9          # cold loads per page (default 5)
    python benchmarks/browser.py --throttle 2       # Chromium's CPU slowed 2× (a slower device)

The site is served from 127.0.0.1 by ``tools.static_server``, text gzipped as
a static host sends it; Chromium cannot resolve any other host.

``--throttle N`` slows every page's main thread N times, both benchmarks, with
Chromium's own CPU throttling (CDP ``Emulation.setCPUThrottlingRate``, as
DevTools' "CPU: N× slowdown"): a stand-in for a slower laptop or phone. The time
targets are N times the unthrottled ones; the byte target stays. Every table
states the throttle and the machine's CPU model (``/proc/cpuinfo``), since the
times mean little without them.

Widgets (target: p95 ≤ 8 ms unthrottled, half a 60 Hz frame, so that a device
twice as slow still redraws within one: ≤ 16 ms throttled 2×). Every widget on
every page is put at its largest settings (``SWEEPS``: sizes at their maximum,
strides and dilations at their minimum), then one slider is moved back and forth over its
whole range, ``--moves`` times (200), all inside one ``page.evaluate`` so no
Playwright round trip is timed. One move is timed from the ``input`` event to
the output being redrawn:

* before the first move, the page renders the preparation (three frames, untimed:
  the widget scrolled into view and redrawn at its largest settings), so that no
  move is charged for it;
* the move starts in a ``requestAnimationFrame`` callback, where Chromium
  delivers a dragged slider's input (continuous input is aligned to frames), so
  the time spent waiting for the next frame is not counted;
* t0, set the value, dispatch ``input`` (it bubbles): the widget recomputes and
  rewrites its DOM synchronously ("script" is this part alone);
* the frame then runs style, layout and paint in the same task, and a
  ``MessageChannel`` message posted in the callback runs right after it: t1.
  t1 − t0 is the main-thread work the frame has to fit into 16.7 ms;
* a ``MutationObserver`` on the widget confirms that each move changed its
  output (outside the sliders' own controls) before t1.

A quiz (``Sweep.typed``) is answered instead: each move types the next of a few
answers into its first text input and presses Enter (its ``keydown``), timed from
the key to the frame that shows the verdict (the same target).

The widget table ends with a reference, the floor of a frame in a chapter: a slider
and its value, added at the top of chapter 1's article, moved the same way
(``measure_floor``). Its frame is the work any change costs there (one text
rewritten: style, layout, paint and compositing of the page); what a widget
takes beyond it is its own.

A widget drawn on (``Sweep.stroke``: the digit drawer's pad) is timed by a stroke
instead: ``--moves`` pointer moves of Chromium's own mouse (ellipses, the pen lifted
and the pad cleared every 40 moves, untimed), each from its ``pointermove`` to the
end of the frame that redraws the widget (see ``measure_stroke``).

Pages (targets: ≤ 0.5 MB transferred, ready ≤ 1 s unthrottled, ≤ 2 s throttled
2×). Every page of the book, each in a fresh browser context (cold cache),
1280 × 900. "Transferred" is what
Chromium received (headers and gzipped bodies, CDP ``Network.loadingFinished``);
"raw" is the size on disk of the same files. "Ready" is the time from the start
of navigation until the load event has fired, every widget view on the page is
drawn (as many non-empty ``.cl-widget`` elements as widget views in the HTML)
and the fonts the page uses, KaTeX's among them, have loaded after the load
event (maths is rendered at build time: no engine typesets it in the browser),
whichever comes last. Each page is loaded cold ``--loads`` times (5) and the
load with the median ready time is reported, with the fastest and slowest
beside it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tools/
from tools.static_server import serving  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# The targets unthrottled; with --throttle N the times are N times these.
FRAME_MS = 8.0  # a widget's p95, input to redrawn frame
PAGE_BYTES = 500_000  # a page's transfer (the throttle leaves it alone)
PAGE_MS = 1000.0  # a page's median ready time
VIEWPORT = {"width": 1280, "height": 900}
CHROMIUM_FLAGS = [  # also used by tests/browser; no host but 127.0.0.1 resolves
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@dataclass(frozen=True)
class Sweep:
    """A widget's largest settings and the slider to move, by its sliders' labels."""

    largest: tuple[str, ...]  # set to their maximum, in this order
    sweep: str  # then moved back and forth over its range
    smallest: tuple[str, ...] = ()  # set to their minimum first (strides, dilations)
    check: tuple[str, ...] = ()  # checkboxes ticked (they add work)
    # A widget answered instead of slid (the quiz): these texts typed in turn into its
    # first text input, each move pressing Enter there and redrawing the verdict.
    typed: tuple[str, ...] = ()
    # A widget drawn on instead: the start of the aria-label of the canvas a stroke is
    # drawn on (`sweep` unused), and the button that clears it (see measure_stroke).
    stroke: str = ""
    clear: str = ""


# Keyed by the class of the element each view draws inside its .cl-widget root
# (the first child whose class starts with "cl-").
SWEEPS = {
    "cl-quiz": Sweep((), "", typed=("123456789", "x", "")),
    "cl-params": Sweep(
        ("Image side", "Colour channels", "Hidden units", "Output channels", "Kernel size"),
        "Image side",
    ),
    "cl-first-order": Sweep(("Time constant T", "Pulse width W", "Time step dt"), "Pulse width W"),
    "cl-stepper": Sweep(
        ("Input rows", "Input columns", "Kernel rows", "Kernel columns"), "Window position"
    ),
    "cl-edge-learner": Sweep(("Steps",), "Learning rate", check=("learn a bias b",)),
    "cl-explorer": Sweep(
        tuple(
            f"{name} {axis}"
            for name in ("Input", "Kernel", "Padding")
            for axis in ("height", "width")
        ),
        "Window position",
        smallest=tuple(
            f"{name} {axis}" for name in ("Stride", "Dilation") for axis in ("height", "width")
        ),
    ),
    "cl-channels": Sweep(
        ("Input channels c_i", "Output channels c_o", "Kernel size k", "Input size n"), "Bias b"
    ),
    "cl-pooling": Sweep(("Window size", "Padding"), "Window position", smallest=("Stride",)),
    "cl-photo": Sweep(("Padding p",), "Blur size k", smallest=("Stride s",)),
    "cl-separable": Sweep(
        ("Input channels m", "Output channels n", "Kernel size k", "Output size h′ = w′"), "Groups"
    ),
    "cl-im2col": Sweep(
        ("Input channels C", "Output channels C_out", "Input size n", "Kernel size k"),
        "Window position",
        smallest=("Stride s",),
    ),
    "cl-transposed": Sweep(
        ("Input size n", "Kernel size k", "Stride s", "Dilation d", "Output padding"),
        "Input cell",
        smallest=("Padding p",),
    ),
    "cl-digits": Sweep((), "", stroke="Drawing pad", clear="Clear"),
    "cl-floor": Sweep((), "Floor"),  # not a widget: the floor's stand-in (measure_floor)
    "cl-gradient": Sweep(
        ("Input size n", "Kernel size k", "Padding p"),
        "Input cell",
        smallest=("Stride s", "Dilation d"),
    ),
    "cl-receptive-field": Sweep(
        ("Input cells", "Layers", *(f"Layer {i} kernel" for i in range(1, 6))),
        "Output cell",
        smallest=tuple(f"Layer {i} {p}" for i in range(1, 6) for p in ("stride", "dilation")),
    ),
}

# The kind of widget `index` on the page: the class SWEEPS is keyed by.
KIND_JS = """
(index) => {
  const root = document.querySelectorAll(".cl-widget")[index];
  const top = root?.querySelector(':scope > [class^="cl-"]');
  return top ? top.classList[0] : "";
}
"""

# Finds widget `index` on the page, applies its Sweep and times `moves` moves (see above).
SWEEP_JS = """
async ({ index, sweeps, moves }) => {
  const root = document.querySelectorAll(".cl-widget")[index];
  const top = root.querySelector(':scope > [class^="cl-"]');
  const kind = top ? top.classList[0] : "";
  const spec = sweeps[kind];
  if (!spec) return { kind, error: `no Sweep for "${kind}": add one to SWEEPS` };
  root.scrollIntoView({ block: "start" });
  const name = (el) => el.getAttribute("aria-label") || (el.labels[0]?.textContent ?? "").trim();
  const find = (type, label) => {
    const all = [...root.querySelectorAll(`input[type="${type}"]`)];
    const found = all.find((el) => name(el) === label);
    if (!found) throw new Error(`${kind}: no ${type} "${label}" in ${all.map(name).join(", ")}`);
    return found;
  };
  const move = (input, value) => {
    input.value = String(value);
    if (spec.typed.length) {
      const enter = { key: "Enter", code: "Enter", bubbles: true, cancelable: true };
      input.dispatchEvent(new KeyboardEvent("keydown", enter));
    }
    else input.dispatchEvent(new Event("input", { bubbles: true }));
  };
  for (const label of spec.smallest) move(find("range", label), find("range", label).min);
  for (const label of spec.largest) move(find("range", label), find("range", label).max);
  for (const box of spec.check.map((label) => find("checkbox", label))) box.checked || box.click();

  const typing = spec.typed.length > 0;
  const input = typing ? root.querySelector('input[type="text"]') : find("range", spec.sweep);
  if (!input) return { kind, error: `${kind}: no text input to type answers in` };
  const [lo, hi, step] = [Number(input.min), Number(input.max), Number(input.step) || 1];
  const stops = typing ? spec.typed.length : Math.round((hi - lo) / step) + 1;
  if (stops < 2) return { kind, error: `${kind}: "${spec.sweep}" has one setting, ${lo}` };
  const values = [];
  let [at, dir] = [Math.round((Number(input.value) - lo) / step), 1];
  while (values.length < moves) {
    if (typing) {
      values.push(spec.typed[values.length % stops]);
      continue;
    }
    if (at + dir < 0 || at + dir >= stops) dir = -dir;
    at += dir;
    values.push(Number((lo + at * step).toFixed(9)));
  }

  const outside = (r) => {
    const el = r.target.nodeType === Node.ELEMENT_NODE ? r.target : r.target.parentElement;
    return el !== null && !el.closest(".cl-slider, .cl-controls");
  };
  // Let the page render the preparation before timing: the widget scrolled into view
  // and redrawn at its largest settings (content-visibility draws what came into view
  // a frame later). Timed, it made the first two moves up to 4 times as long as the rest.
  for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));

  let changed = false;
  const observer = new MutationObserver((records) => (changed ||= records.some(outside)));
  observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
  const frame = [];
  const script = [];
  let redrawn = 0;
  for (const value of values) {
    changed = false;
    await new Promise((resolve) =>
      requestAnimationFrame(() => {
        const t0 = performance.now();
        move(input, value);
        script.push(performance.now() - t0);
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          frame.push(performance.now() - t0);
          if (changed || observer.takeRecords().some(outside)) redrawn += 1;
          resolve();
        };
        channel.port2.postMessage(null);
      }),
    );
  }
  observer.disconnect();
  return { kind, slider: spec.sweep, lo, hi, frame, script, redrawn };
}
"""

# The floor's stand-in widget: a slider and its value at the top of the article, in a
# .cl-widget that SWEEP_JS then moves as it moves any widget's (SWEEPS["cl-floor"]).
FLOOR_SETUP_JS = """
() => {
  const box = document.createElement("div");
  box.className = "cl-widget";
  box.innerHTML = '<p class="cl-floor"><input type="range" min="0" max="100" value="0"'
    + ' aria-label="Floor"> <output>0</output></p>';
  document.querySelector(".bd-article").prepend(box);
  const [input, shown] = [box.querySelector("input"), box.querySelector("output")];
  input.addEventListener("input", () => (shown.firstChild.data = input.value));
}
"""
FLOOR_PAGE = "book/ch01_dense_to_convolution.html"

# Prepares a stroke on widget `index`'s canvas labelled `label` (see measure_stroke):
# installs the listeners that time each pointer move and returns the canvas's box.
STROKE_SETUP_JS = """
({ index, label, clear }) => {
  const root = document.querySelectorAll(".cl-widget")[index];
  const top = root.querySelector(':scope > [class^="cl-"]');
  const kind = top ? top.classList[0] : "";
  const canvas = [...root.querySelectorAll("canvas")].find((c) =>
    (c.getAttribute("aria-label") ?? "").startsWith(label));
  if (!canvas) return { kind, error: `${kind}: no canvas labelled "${label}…"` };
  const button = [...root.querySelectorAll("button")].find((b) => b.textContent.trim() === clear);
  if (!button) return { kind, error: `${kind}: no button "${clear}"` };
  root.scrollIntoView({ block: "start" });
  const pixels = () => canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const s = { frame: [], script: [], waited: [], redrawn: 0, t0: 0, timing: false };
  window.__stroke = s;
  s.clear = () => button.click();
  let before = pixels();
  // First listener of a move on the canvas (capturing, on the window): t0; it also asks
  // for the next frame before the widget can, to see when that frame starts.
  addEventListener("pointermove", (event) => {
    if (event.target !== canvas || !s.timing) return;
    const t0 = (s.t0 = performance.now());
    requestAnimationFrame(() => s.waited.push(performance.now() - t0));
  }, true);
  // Last listener (bubbling, on the root): the widget has handled the move; its own
  // animation-frame callback runs before this one's, then style, layout and paint,
  // then the message: t1, the frame drawn.
  root.addEventListener("pointermove", (event) => {
    if (event.target !== canvas || !s.timing) return;
    const t0 = s.t0;
    s.script.push(performance.now() - t0);
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        s.frame.push(performance.now() - t0);
        const now = pixels();
        if (now.some((v, i) => v !== before[i])) s.redrawn += 1;
        before = now;
      };
      channel.port2.postMessage(null);
    });
  });
  const box = canvas.getBoundingClientRect();
  return { kind, x: box.x, y: box.y, width: box.width, height: box.height };
}
"""


def stroke_path(moves: int, per_digit: int = 40) -> list[list[tuple[float, float]]]:
    """``moves`` pointer positions, as fractions of a square pad, in strokes of at most
    ``per_digit``: each an ellipse (a 0) drawn once around, a little smaller each time,
    so every move inks new pixels, about 1/40 of the pad's width a move (a brisk pen)."""
    strokes, done = [], 0
    while done < moves:
        n = min(per_digit, moves - done)
        shrink = 0.04 * (len(strokes) % 4)
        rx, ry = 0.3 - shrink, 0.38 - shrink
        strokes.append(
            [
                (
                    0.5 + rx * math.sin(2 * math.pi * k / per_digit),
                    0.5 - ry * math.cos(2 * math.pi * k / per_digit),
                )
                for k in range(n + 1)
            ]
        )
        done += n
    return strokes


def measure_stroke(page, index: int, spec: Sweep, moves: int) -> dict:
    """Time ``moves`` pointer moves of a stroke drawn with the mouse on a widget's canvas.

    The mouse is Chromium's own (CDP ``Input.dispatchMouseEvent``), so the moves arrive as
    a pen's do: queued for the next frame, where Chromium delivers continuous input
    before the animation-frame callbacks. One move is timed from the first listener of
    its ``pointermove`` (t0) to the end of the frame that redraws the widget (a message
    posted from the last animation-frame callback: after style, layout and paint), as
    for the sliders. ``script`` is the widget's own handling of the move; ``waited``, the
    time from t0 to the start of that frame's callbacks (near 0 when the move came with
    the frame). The pen is lifted and the canvas cleared (untimed) every 40 moves, so
    that every move inks new pixels; ``redrawn`` counts the moves that changed the canvas.
    """
    box = page.evaluate(
        STROKE_SETUP_JS, {"index": index, "label": spec.stroke, "clear": spec.clear}
    )
    if "error" in box:
        return box
    mouse = page.mouse
    for points in stroke_path(moves):
        page.evaluate("() => { __stroke.timing = false; __stroke.clear(); }")
        x, y = points[0]
        mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        mouse.down()
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
        page.evaluate("() => { __stroke.timing = true; }")
        for x, y in points[1:]:
            mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))")
        mouse.up()
    out = page.evaluate("() => __stroke")
    return {
        "kind": box["kind"],
        "slider": f"stroke on {spec.stroke.lower()}",
        "lo": 0,
        "hi": 0,
        **{key: out[key] for key in ("frame", "script", "waited", "redrawn")},
    }


# Installed before any page script: records when every widget is drawn and, after the
# load event, when the page's fonts (KaTeX's for the prerendered maths) are in.
MARKS_JS = """
(() => {
  const marks = (window.__convlab = { widgets: null, expected: null, fonts: null });
  const check = () => {
    if (marks.widgets !== null || document.readyState === "loading") return;
    // A view tag until the widget host replaces it by the .cl-widget-host it draws in.
    const views = '.cl-widget-host, script[type="application/vnd.jupyter.widget-view+json"]';
    const expected = document.querySelectorAll(views).length;
    const drawn = [...document.querySelectorAll(".cl-widget")].filter((el) => el.firstElementChild);
    marks.expected = expected;
    if (drawn.length >= expected) {
      marks.widgets = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true });
  document.addEventListener("DOMContentLoaded", check);
  const fontsIn = () => (marks.fonts = performance.now());
  addEventListener("load", () => document.fonts.ready.then(fontsIn));
})();
"""
READY_JS = "() => __convlab.widgets !== null && __convlab.fonts !== null"


@dataclass
class WidgetResult:
    page: str
    index: int  # among the page's widgets
    kind: str
    slider: str = ""
    lo: float = 0
    hi: float = 0
    frame_ms: list[float] = field(default_factory=list)
    script_ms: list[float] = field(default_factory=list)
    redrawn: int = 0  # moves whose output changed
    waited_ms: list[float] = field(default_factory=list)  # strokes: t0 to the frame's start
    errors: list[str] = field(default_factory=list)

    @property
    def p95(self) -> float:
        return percentile(self.frame_ms, 95)


@dataclass
class PageResult:
    page: str
    requests: int = 0
    transferred: int = 0  # bytes over the wire: headers + (gzipped) bodies
    raw: int = 0  # bytes of the same files on disk
    widgets: int = 0  # widget views on the page
    load_ms: float = 0
    widgets_ms: float | None = None
    fonts_ms: float = 0  # the page's fonts loaded, after the load event
    ready_ms: float = 0
    ready_range: tuple[float, float] = (0, 0)  # fastest and slowest of the loads
    largest: tuple[str, int] = ("", 0)  # the largest transfer: (path, bytes)
    errors: list[str] = field(default_factory=list)


def frame_target(throttle: float = 1.0) -> float:
    """A widget's p95 target in ms: ``FRAME_MS`` on this machine, N times it throttled N×."""
    return FRAME_MS * throttle


def ready_target(throttle: float = 1.0) -> float:
    """A page's ready-time target in ms: ``PAGE_MS``, N times it throttled N×."""
    return PAGE_MS * throttle


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU as ``/proc/cpuinfo`` names it ("model name"), else as Python knows it."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def throttled(throttle: float) -> str:
    """How the CPU ran, for a table's title: "CPU throttled 2×" or "CPU not throttled"."""
    return f"CPU throttled {throttle:g}×" if throttle != 1 else "CPU not throttled"


def machine() -> str:
    """The line under every table's title: the machine the times come from."""
    return f"machine: {cpu_model()}, {os.cpu_count()} cores"


def throttle_cpu(context, page, rate: float) -> None:
    """Slow ``page``'s main thread ``rate`` times (Chromium's CPU throttling; 1: none).

    The CDP session stays open with the context: closing it would end the throttling.
    """
    if rate != 1:
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile, nearest rank (p95 of 200 moves: the 190th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * q / 100) - 1)] if ordered else float("nan")


def chromium() -> str:
    """The Chromium to drive: $CHROMIUM, or the first chromium on PATH."""
    for found in (
        os.environ.get("CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if found:
            return found
    raise SystemExit(
        "Chromium not found: install Debian's package with `sudo apt-get install chromium` "
        "(or set CHROMIUM to its path)."
    )


def book_pages(html: Path) -> list[str]:
    """Every page of the book in a build, as paths relative to the site root."""
    return sorted(p.relative_to(html).as_posix() for p in (html / "book").glob("*.html"))


def widget_pages(html: Path) -> list[str]:
    """The pages of a build that show at least one widget view."""
    return [p for p in book_pages(html) if "widget-view+json" in (html / p).read_text("utf-8")]


def open_page(browser, site: str, block_external: bool, throttle: float = 1.0):
    """A fresh context (cold cache) and page; records page errors and requests off ``site``.

    ``block_external`` also aborts such requests (the tests do; the command line
    relies on Chromium's host rules, which add no time to each request).
    ``throttle`` slows the page's CPU that many times from before it loads.
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(MARKS_JS)
    page = context.new_page()
    throttle_cpu(context, page, throttle)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    # Failed loads are reported with their URL below; /favicon.ico is Chromium's own guess.
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and errors.append(f"console: {m.text}")
        ),
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and errors.append(f"HTTP {r.status}: {r.url}")
        ),
    )
    local = (site, "data:", "blob:")
    page.on("request", lambda r: r.url.startswith(local) or errors.append(f"external: {r.url}"))
    if block_external:
        page.route(lambda u: not u.startswith(local), lambda route: route.abort())
    return context, page, errors


def sweeps_for_js() -> dict:
    """SWEEPS as SWEEP_JS reads them."""
    return {
        kind: {
            "largest": s.largest,
            "sweep": s.sweep,
            "smallest": s.smallest,
            "check": s.check,
            "typed": s.typed,
        }
        for kind, s in SWEEPS.items()
    }


def measure_widgets(
    browser,
    site: str,
    pages: list[str],
    moves: int = 200,
    block_external: bool = False,
    throttle: float = 1.0,
) -> list[WidgetResult]:
    """Time ``moves`` slider moves of every widget on ``pages`` (see the module docstring),
    the CPU throttled ``throttle`` times."""
    sweeps = sweeps_for_js()
    results = []
    for path in pages:
        context, page, errors = open_page(browser, site, block_external, throttle)
        try:
            page.goto(site + path, wait_until="load")
            try:
                page.wait_for_function("() => __convlab.widgets !== null", timeout=30_000)
            except Exception:
                marks = page.evaluate("() => __convlab")
                errors.append(f"widgets not drawn after 30 s: {marks}")
                results.append(WidgetResult(path, 0, "", errors=errors))
                continue
            for index in range(page.evaluate("() => __convlab.expected")):
                result = WidgetResult(path, index, "")
                try:
                    spec = SWEEPS.get(page.evaluate(KIND_JS, index))
                    if spec is not None and spec.stroke:
                        out = measure_stroke(page, index, spec, moves)
                    else:
                        out = page.evaluate(
                            SWEEP_JS, {"index": index, "sweeps": sweeps, "moves": moves}
                        )
                except Exception as err:  # a widget that throws: report it, measure the rest
                    result.errors.append(str(err).splitlines()[0])
                else:
                    result.kind = out["kind"]
                    if "error" in out:
                        result.errors.append(out["error"])
                    else:
                        result.slider, result.lo, result.hi = out["slider"], out["lo"], out["hi"]
                        result.frame_ms, result.script_ms = out["frame"], out["script"]
                        result.redrawn = out["redrawn"]
                        result.waited_ms = out.get("waited", [])
                result.errors += errors
                errors.clear()
                results.append(result)
        finally:
            context.close()
    return results


def measure_page(
    browser, site: str, path: str, html: Path, block_external: bool = False, throttle: float = 1.0
) -> PageResult:
    """Bytes and ready time of one page, opened cold (see the module docstring)."""
    context, page, errors = open_page(browser, site, block_external, throttle)
    result = PageResult(path)
    urls, sizes = {}, {}
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )
        failed = set()
        cdp.on("Network.loadingFailed", lambda e: failed.add(e["requestId"]))
        page.goto(site + path, wait_until="load")
        try:
            page.wait_for_function(READY_JS, timeout=30_000)
        except Exception:
            marks = page.evaluate("() => __convlab")
            errors.append(f"not ready after 30 s: {marks}")
        # Every request the page made has its size (Playwright's "networkidle", 500 ms
        # without a request, never came on some throttled loads).
        deadline = time.monotonic() + 30
        while set(urls) - set(sizes) - failed and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        if set(urls) - set(sizes) - failed:
            pending = [urls[r] for r in set(urls) - set(sizes) - failed]
            errors.append(f"requests unfinished after 30 s: {pending}")
        marks = page.evaluate(
            "() => ({ ...__convlab, load: performance.getEntriesByType('navigation')[0]"
            ".loadEventEnd })"
        )
    finally:
        context.close()
    result.errors = errors
    result.widgets = marks["expected"] or 0
    result.load_ms = marks["load"]
    result.widgets_ms = marks["widgets"] if result.widgets else None
    result.fonts_ms = marks["fonts"] or 0
    result.ready_ms = max(
        t for t in (result.load_ms, marks["widgets"], marks["fonts"]) if t is not None
    )
    for request, url in urls.items():
        if not url.startswith(site) or request not in sizes:
            continue
        result.requests += 1
        result.transferred += sizes[request]
        file = html / urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
        file = file / "index.html" if file.is_dir() else file
        result.raw += file.stat().st_size if file.is_file() else 0
        if sizes[request] > result.largest[1]:
            result.largest = (url.split("?")[0].rsplit("/", 1)[-1], sizes[request])
    return result


def measure_pages(
    browser,
    site: str,
    pages: list[str],
    html: Path,
    loads: int = 1,
    block_external: bool = False,
    throttle: float = 1.0,
) -> list[PageResult]:
    """``measure_page`` ``loads`` times for each page, after one untimed load of each;
    each page's result is its load with the median ready time. ``throttle`` slows
    the timed loads' CPU (the untimed ones only warm the server).

    The server gzips a file on its first request and keeps it, as a host keeps
    compressed copies; the untimed loads leave that work out of the timed ones.
    One cold load on a shared 2-core machine can take twice as long as the next:
    the median of several is the figure to compare with the target.
    """
    for path in pages:
        context, page, _ = open_page(browser, site, block_external)
        page.goto(site + path, wait_until="load")
        context.close()
    results = []
    for path in pages:
        runs = [
            measure_page(browser, site, path, html, block_external, throttle) for _ in range(loads)
        ]
        if failed := [r for r in runs if r.errors]:
            results.append(failed[0])
            continue
        runs.sort(key=lambda r: r.ready_ms)
        median = runs[len(runs) // 2]
        median.ready_range = (runs[0].ready_ms, runs[-1].ready_ms)
        results.append(median)
    return results


def measure_floor(
    browser, site: str, moves: int = 200, block_external: bool = False, throttle: float = 1.0
) -> WidgetResult:
    """The frame of a one-text change at the top of chapter 1 (see the module docstring)."""
    context, page, errors = open_page(browser, site, block_external, throttle)
    result = WidgetResult(FLOOR_PAGE, 0, "one text")
    try:
        page.goto(site + FLOOR_PAGE, wait_until="load")
        page.wait_for_function("() => __convlab.widgets !== null", timeout=30_000)
        page.evaluate(FLOOR_SETUP_JS)  # the first .cl-widget of the page from now on
        out = page.evaluate(SWEEP_JS, {"index": 0, "sweeps": sweeps_for_js(), "moves": moves})
        result.slider, result.lo, result.hi = out["slider"], out["lo"], out["hi"]
        result.frame_ms, result.script_ms = out["frame"], out["script"]
        result.redrawn = out["redrawn"]
    except Exception as err:
        result.errors.append(str(err).splitlines()[0])
    finally:
        context.close()
    result.errors += errors
    return result


def floor_line(floor: WidgetResult) -> str:
    if floor.errors:
        return f"floor: ERROR: {'; '.join(floor.errors)}"
    return (
        f"floor (a one-text change at the top of {short(floor.page)}, no widget work): "
        f"median {statistics.median(floor.frame_ms):.1f} ms, p95 {floor.p95:.1f} ms"
    )


def short(page: str) -> str:
    """``book/ch04_padding_and_stride.html`` → ``ch04_padding_and_stride``."""
    return page.removeprefix("book/").removesuffix(".html")


def widget_table(results: list[WidgetResult], moves: int, throttle: float = 1.0) -> str:
    target = frame_target(throttle)
    lines = [
        f"## Widgets: input → redrawn frame, {moves} moves each at the largest settings, "
        f"{throttled(throttle)} (target p95 ≤ {target:g} ms)",
        machine(),
        f"{'page':<34} {'widget':<18} {'slider moved (range)':<24} {'median':>7} {'p95':>7} "
        f"{'max':>7} {'script p95':>10} {'redrawn':>8}  target",
    ]
    for r in results:
        if r.errors:
            lines.append(f"{short(r.page):<34} {r.kind or '?':<18} ERROR: {'; '.join(r.errors)}")
            continue
        moved = r.slider if r.slider.startswith("stroke") else f"{r.slider} ({r.lo:g}–{r.hi:g})"
        lines.append(
            f"{short(r.page):<34} {r.kind:<18} {moved:<24} "
            f"{statistics.median(r.frame_ms):>5.1f}ms {r.p95:>5.1f}ms {max(r.frame_ms):>5.1f}ms "
            f"{percentile(r.script_ms, 95):>8.1f}ms {r.redrawn:>4}/{len(r.frame_ms):<3}  "
            f"≤ {target:g} ms {'ok' if r.p95 <= target else 'MISSED'}"
        )
    timed = [r for r in results if not r.errors]
    if timed:
        worst = max(timed, key=lambda r: r.p95)
        lines.append(f"worst p95: {worst.p95:.1f} ms ({worst.kind}, {short(worst.page)})")
    return "\n".join(lines)


def page_table(results: list[PageResult], loads: int = 1, throttle: float = 1.0) -> str:
    mb = 1e6
    target = ready_target(throttle)
    lines = [
        f"## Pages: cold load from 127.0.0.1, gzip, {VIEWPORT['width']}×{VIEWPORT['height']}, "
        f"the median of {loads} load(s), {throttled(throttle)} "
        f"(targets ≤ {PAGE_BYTES / mb:g} MB transferred, ready ≤ {target / 1000:g} s)",
        machine(),
        f"{'page':<34} {'reqs':>4} {'transferred':>11} {'raw':>8} {'load':>7} {'widgets':>11} "
        f"{'fonts':>8} {'ready':>7} {'(min–max)':>11}  {'largest transfer':<26} targets",
    ]
    for r in results:
        if r.errors:
            lines.append(f"{short(r.page):<34} ERROR: {'; '.join(r.errors)}")
            continue
        widgets = f"{r.widgets}: {r.widgets_ms:>4.0f}ms" if r.widgets else "none"
        largest = f"{r.largest[0]} {r.largest[1] / mb:.2f} MB"
        ok = " / ".join(
            f"{what} {'ok' if fine else 'MISSED'}"
            for what, fine in (
                ("size", r.transferred <= PAGE_BYTES),
                ("time", r.ready_ms <= target),
            )
        )
        lines.append(
            f"{short(r.page):<34} {r.requests:>4} {r.transferred / mb:>8.2f} MB "
            f"{r.raw / mb:>5.2f} MB {r.load_ms:>5.0f}ms {widgets:>11} {r.fonts_ms:>6.0f}ms "
            f"{r.ready_ms:>5.0f}ms {r.ready_range[0]:>5.0f}–{r.ready_range[1]:<5.0f} "
            f"{largest:<26} {ok}"
        )
    return "\n".join(lines)


def build_book() -> Path:
    """Build the book as ``book/serve.py`` does (cached) and return its HTML folder."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"]
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise SystemExit("The build failed; see the messages above.")
    return ROOT / "_build" / "html"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, help="an existing build's HTML folder (no build)")
    parser.add_argument("--quick", action="store_true", help="10 moves a widget, 2 pages")
    parser.add_argument("--moves", type=int, help="slider moves per widget (default 200)")
    parser.add_argument("--only", choices=["widgets", "pages"], help="one of the two benchmarks")
    parser.add_argument("--loads", type=int, help="cold loads per page, median kept (default 5)")
    parser.add_argument(
        "--throttle",
        type=float,
        default=1.0,
        help="slow Chromium's CPU N times (CDP Emulation.setCPUThrottlingRate; default 1: none)",
    )
    args = parser.parse_args()
    throttle = args.throttle
    if not (throttle >= 1 and math.isfinite(throttle)):
        parser.error(f"--throttle: expected a slowdown of at least 1 (1 = none), got {throttle:g}")
    moves = args.moves or (10 if args.quick else 200)
    if moves < 1:
        parser.error(f"--moves: expected at least 1, got {moves}")
    loads = args.loads or (1 if args.quick else 5)
    if loads < 1:
        parser.error(f"--loads: expected at least 1, got {loads}")
    html = args.html.resolve() if args.html else build_book()
    if not (html / "index.html").exists():
        raise SystemExit(
            f"No built book in {html}: build it with `jupyter-book build . -W -n --keep-going` "
            "(its HTML is in _build/html), or leave out --html to build it."
        )
    pages = book_pages(html)
    with_widgets = widget_pages(html)

    from playwright.sync_api import sync_playwright

    failed = False
    with serving(html) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        if args.only != "pages":
            results = measure_widgets(browser, site, with_widgets, moves, throttle=throttle)
            floor = measure_floor(browser, site, moves, throttle=throttle)
            print(widget_table(results, moves, throttle), floor_line(floor), sep="\n", flush=True)
            failed |= any(r.errors for r in [*results, floor])
        if args.only != "widgets":
            plain = [p for p in pages if p not in with_widgets]
            chosen = plain[:1] + with_widgets[:1] if args.quick else pages
            results = measure_pages(browser, site, chosen, html, loads, throttle=throttle)
            table = page_table(results, loads, throttle)
            print(("\n" if args.only is None else "") + table, flush=True)
            failed |= any(r.errors for r in results)
        browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
