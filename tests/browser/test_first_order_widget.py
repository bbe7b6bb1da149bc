"""The first-order system on the chapter page: the browser's numbers are convlab's."""

from __future__ import annotations

import math

import pytest
from widgetpage import cell, open_widget, shown, slider

from convlab import signals
from convlab.widgets.first_order import STEPS, format_sig, step_problem

pytestmark = pytest.mark.browser
CHAPTER = "book/ch01_dense_to_convolution.html"


@pytest.fixture
def system(page):
    return open_widget(page, CHAPTER, ".cl-first-order")


def series(widget) -> list[str]:
    return widget.locator("path.cl-series").evaluate_all("ps => ps.map(p => p.dataset.name)")


def check_numbers(widget, T: float, W: float, dt: float) -> None:
    """The table equals convlab.signals for these settings, and the closed form by hand."""
    sim = signals.simulate_rectangle(T, W, dt)
    assert cell(widget, "samples") == f"{len(sim.t):,}"
    assert cell(widget, "peak-exact") == format_sig(1 - math.exp(-W / T))
    assert cell(widget, "peak-numeric") == format_sig(sim.y.max().item())
    assert cell(widget, "max-error") == format_sig(sim.max_error)
    assert cell(widget, "dt-over-T") == format_sig(dt / T)
    # The rectangle rule's worst error is dt/T (at t = 0).
    assert sim.max_error == pytest.approx(dt / T, rel=1e-6)


def test_opens_on_the_notes_example(system):
    assert (shown(system, "Time constant T"), shown(system, "Pulse width W")) == ("1", "1")
    assert shown(system, "Time step dt") == "0.01"
    assert cell(system, "samples") == "601"
    assert cell(system, "peak-exact") == "0.632"  # 1 − 1/e
    assert cell(system, "max-error") == "0.01"
    check_numbers(system, 1.0, 1.0, 0.01)
    assert series(system) == ["input x(t)", "numeric dt·(x ∗ h)", "closed form"]
    assert system.get_by_role("alert").is_hidden()


def test_every_slider_recomputes(system):
    T, W, dt = 1.0, 1.0, 0.01
    for value in ["2.5", "0.3", "3"]:
        slider(system, "Time constant T").fill(value)
        T = float(value)
        check_numbers(system, T, W, dt)
    for value in ["3.2", "0.1", "5"]:
        slider(system, "Pulse width W").fill(value)
        W = float(value)
        check_numbers(system, T, W, dt)
    for index in range(len(STEPS)):
        slider(system, "Time step dt").fill(str(index))
        dt = STEPS[index]
        assert shown(system, "Time step dt") == f"{dt:g}"
        check_numbers(system, T, W, dt)


@pytest.mark.parametrize(
    ("T", "W", "dt_index"),
    [
        ("1", "0.3", 0),  # 0.3 / 0.2 = 1.5 steps
        ("0.1", "0.4", 0),  # dt = 0.2 > T = 0.1
    ],
)
def test_settings_that_cannot_be_sampled_are_explained(system, T, W, dt_index):
    slider(system, "Time constant T").fill(T)
    slider(system, "Pulse width W").fill(W)
    slider(system, "Time step dt").fill(str(dt_index))
    alert = system.get_by_role("alert")
    assert alert.inner_text() == step_problem(float(T), float(W), STEPS[dt_index])
    assert cell(system, "max-error") == cell(system, "peak-numeric") == "—"
    assert series(system) == ["input x(t)", "closed form"]  # no wrong numeric curve
    slider(system, "Time step dt").fill(str(STEPS.index(0.05)))
    assert alert.is_hidden()
    check_numbers(system, float(T), float(W), 0.05)
