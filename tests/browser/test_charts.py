"""Every chart's axes hold what it plots.

Each chart is read as a reader reads it: its tick labels and where they stand
give the axis, and every value Python computes for the setting (the losses and
kernels of convlab's training, convlab.signals' responses, convlab's parameter
counts) must fall inside the frame, a few pixels clear of its edges: a point on
the frame is half hidden under it, and a line along it reads as cut off.
"""

from __future__ import annotations

import math

import pytest
from widgetpage import open_widget, slider

from convlab import signals
from convlab.widgets.edge_learner import LEARNING_RATES, learn_edge
from convlab.widgets.first_order import STEPS
from convlab.widgets.params import SIDES, UNITS, count

pytestmark = pytest.mark.browser
ROOM = 3  # pixels a point must keep from the frame (the charts keep 4)
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def tick_value(label: str) -> float:
    """A tick label as a number: "0.5", "1e5", "10000", "10⁹" (a power of ten)."""
    if label.startswith("10") and label[2:] and not label[2:].isascii():
        return 10.0 ** int(label[2:].translate(SUPERSCRIPTS))
    return float(label.replace(",", ""))


def read_chart(chart) -> dict:
    """The frame's edges and each axis's ticks, [(value, pixel)], from the <svg>."""
    return chart.evaluate(
        """svg => {
          const frame = svg.querySelector("rect.cl-frame");
          const [x, y, w, h] = ["x", "y", "width", "height"].map((a) => +frame.getAttribute(a));
          const texts = [...svg.querySelectorAll(".cl-axes text")];
          const below = texts.filter((t) => +t.getAttribute("y") === y + h + 16);
          const left = texts.filter((t) => t.getAttribute("text-anchor") === "end");
          return {
            left: x, right: x + w, top: y, bottom: y + h,
            x: below.map((t) => [t.textContent, +t.getAttribute("x")]),
            y: left.map((t) => [t.textContent, +t.getAttribute("y") - 4]),
          };
        }"""
    )


def axis(ticks: list, log: bool = False):
    """Value → pixel along an axis, through its first and last ticks (as labelled)."""
    (v0, p0), (v1, p1) = [(tick_value(t), p) for t, p in (ticks[0], ticks[-1])]
    f = math.log10 if log else float
    return lambda v: p0 + (f(v) - f(v0)) * (p1 - p0) / (f(v1) - f(v0))


def assert_held(chart, xs, ys, log_y: bool = False, x_pixels=None) -> None:
    """Every (x, y) lies inside the chart's frame, ROOM pixels clear of each edge."""
    read = read_chart(chart)
    px = x_pixels or axis(read["x"])
    py = axis(read["y"], log=log_y)
    for x, y in zip(xs, ys, strict=True):
        assert read["left"] + ROOM <= px(x) <= read["right"] - ROOM, f"x = {x} off the axis"
        assert read["top"] + ROOM <= py(y) <= read["bottom"] - ROOM, f"y = {y} off the axis"


@pytest.fixture
def learner(page):
    return open_widget(page, "book/ch03_learning_an_edge_detector.html", ".cl-edge-learner")


@pytest.mark.parametrize("lr", [0.04, 0.001, 0.03, 0.035, 0.05, 0.1])
def test_the_edge_learners_charts_hold_every_loss_and_kernel(learner, lr):
    slider(learner, "Learning rate").fill(str(LEARNING_RATES.index(lr)))
    history = learn_edge(lr, 20, "sum", False).history
    losses = history.losses.tolist()
    # The loss chart shows the losses down to 8 decades below the largest; the
    # line runs on below its axis past that (a converging run).
    floor = max(min(v for v in losses if v > 0), max(losses) * 1e-8)
    shown = [(t, v) for t, v in enumerate(losses) if v >= floor]
    loss_chart, path_chart = learner.locator("svg.cl-chart").all()
    assert_held(loss_chart, *zip(*shown, strict=True), log_y=True)
    # A labelled decade stands below the lowest loss shown (at lr 0.04: 8.73 above 1).
    lowest_tick = min(tick_value(t) for t, _ in read_chart(loss_chart)["y"])
    assert lowest_tick <= min(v for _, v in shown)
    kernels = history.kernels.reshape(-1, 2).tolist()
    assert_held(path_chart, [k[0] for k in kernels], [k[1] for k in kernels])


@pytest.mark.parametrize("lr", [0.001, 0.01, 0.05, 0.1])
def test_the_edge_learners_axes_end_on_ticks(learner, lr):
    """Its axes are snapped: each starts and ends on a labelled tick, 4 px inside the frame."""
    slider(learner, "Learning rate").fill(str(LEARNING_RATES.index(lr)))
    for chart in learner.locator("svg.cl-chart").all():
        read = read_chart(chart)
        for ticks, first, last in (
            (read["x"], read["left"] + 4, read["right"] - 4),
            (read["y"], read["bottom"] - 4, read["top"] + 4),
        ):
            ends = [p for _, p in ticks[:: len(ticks) - 1]]
            assert ends == pytest.approx([first, last], abs=0.01), ticks


def test_the_edge_learners_axes_stay_put_between_close_rates(learner):
    """Two close converging rates over 200 steps: the losses fall past the chart's 8
    decades and the kernel ends on the target, so once snapped the ranges, and the
    ticks, are the same (nothing on the axes moves)."""
    steps = slider(learner, "Steps")
    steps.fill(steps.get_attribute("max"))
    shown = []
    for lr in (0.005, 0.007):
        slider(learner, "Learning rate").fill(str(LEARNING_RATES.index(lr)))
        shown.append([read_chart(c) for c in learner.locator("svg.cl-chart").all()])
    assert shown[0] == shown[1]


@pytest.fixture
def system(page):
    return open_widget(page, "book/ch01_dense_to_convolution.html", ".cl-first-order")


@pytest.mark.parametrize(
    "T, W, dt", [(1.0, 1.0, 0.01), (3.0, 5.0, 0.005), (0.1, 5.0, 0.1), (3.0, 0.1, 0.1)]
)
def test_the_first_order_chart_holds_the_pulse_and_both_responses(system, T, W, dt):
    slider(system, "Time constant T").fill(str(T))
    slider(system, "Pulse width W").fill(str(W))
    slider(system, "Time step dt").fill(str(STEPS.index(dt)))
    sim = signals.simulate_rectangle(T, W, dt)
    t = sim.t.tolist()
    chart = system.locator("svg.cl-chart")
    assert_held(chart, t, sim.y.tolist())  # the numeric response
    assert_held(chart, t, sim.exact.tolist())  # the closed form
    assert_held(chart, [0, 0, W, W, t[-1]], [0, 1, 1, 0, 0])  # the pulse, from 0 to 1


@pytest.fixture
def counter(page):
    return open_widget(page, "book/ch01_dense_to_convolution.html", ".cl-params")


@pytest.mark.parametrize(
    "side, channels, hidden, kernel", [(3464, 3, 100, 3), (8, 1, 1, 1), (4096, 4, 4096, 15)]
)
def test_the_parameter_chart_holds_both_counts(counter, side, channels, hidden, kernel):
    slider(counter, "Image side").fill(str(SIDES.index(side)))
    slider(counter, "Colour channels").fill(str(channels))
    slider(counter, "Hidden units").fill(str(UNITS.index(hidden)))
    slider(counter, "Kernel size").fill(str(kernel))
    chart = counter.locator("svg.cl-chart")
    ticks = read_chart(chart)["x"]  # sides on a log-2 axis
    x = axis([(str(math.log2(tick_value(t))), p) for t, p in ticks])
    sides = list(SIDES)
    dense = [count(s, channels, hidden, 100, kernel).dense for s in sides]
    fits = [s for s in sides if s >= kernel]
    conv = [count(s, channels, hidden, 100, kernel).conv for s in fits]
    x_pixels = lambda s: x(math.log2(s))  # noqa: E731
    assert_held(chart, sides, dense, log_y=True, x_pixels=x_pixels)
    assert_held(chart, fits, conv, log_y=True, x_pixels=x_pixels)
