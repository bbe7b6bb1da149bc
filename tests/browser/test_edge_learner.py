"""The edge learner trains in the browser exactly as convlab.training does in Python."""

from __future__ import annotations

import re

import pytest
import torch
from widgetpage import open_widget

from convlab.training import learn_kernel
from convlab.widgets.edge_learner import (
    edge_problem,
    format_short,
    initial_weights,
    learn_edge,
)

pytestmark = pytest.mark.browser
CHAPTER = "book/ch03_learning_an_edge_detector.html"


@pytest.fixture
def learner(page):
    return open_widget(page, CHAPTER, ".cl-edge-learner")


def read_table(widget, caption: str) -> torch.Tensor:
    """The full-precision numbers (data-value) of the table whose caption starts so."""
    table = widget.locator("table", has=widget.page.locator(f"caption:text-matches('^{caption}')"))
    rows = table.locator("tr").all()
    return torch.tensor(
        [[float(td.get_attribute("data-value")) for td in row.locator("td").all()] for row in rows],
        dtype=torch.float64,
    )


def shown_lr(widget) -> float:
    return float(widget.locator(".cl-slider output").first.inner_text())


def set_slider(widget, label: str, value: int) -> None:
    widget.get_by_label(label, exact=True).fill(str(value))


def check_run(widget, lr: float, steps: int, loss: str, bias: bool) -> None:
    """Every number and sentence on screen equals what Python computes for the setting."""
    run = learn_edge(lr, steps, loss, bias)
    h = run.history
    close = {"rtol": 1e-9, "atol": 1e-12}
    done = h.steps_done
    assert widget.locator(".cl-loss-line").inner_text().startswith(f"Loss after step {done}: ")
    shown_loss = float(widget.locator(".cl-loss-line").get_attribute("data-loss"))
    assert shown_loss == pytest.approx(h.losses[-1].item(), rel=1e-9, abs=1e-30)
    torch.testing.assert_close(read_table(widget, "K after step"), h.kernel, **close)
    torch.testing.assert_close(read_table(widget, "Output Ŷ after step"), h.output, **close)
    bias_tables = widget.locator(
        "table", has=widget.page.locator("caption:text-matches('^b after')")
    )
    if bias:
        assert read_table(widget, "b after step").item() == pytest.approx(
            h.bias, rel=1e-9, abs=1e-12
        )
    else:
        assert bias_tables.count() == 0
    # The same run as nn.Conv2d computes it in float32, to 1e-5.
    X, Y = edge_problem()
    kernel, b = initial_weights(0)
    torch32 = learn_kernel(
        X,
        Y,
        (1, 2),
        lr,
        steps,
        loss,
        bias,
        init=torch.tensor([kernel]),
        init_bias=b,
        stop_above=1e6,
    )
    assert torch32.steps_done == done
    torch.testing.assert_close(
        read_table(widget, "K after step"), torch32.kernel.double(), rtol=1e-5, atol=1e-5
    )
    # The words: the curvature, and the verdict (an alert when the rate diverges).
    assert widget.locator(".cl-curvature").inner_text() == run.report.curvature
    said = run.report.verdict + (f" {run.stopped}" if run.stopped else "")
    alert = widget.get_by_role("alert")
    if run.report.diverging:
        assert alert.inner_text() == said
        assert widget.locator(".cl-verdict").is_hidden()
    else:
        assert alert.is_hidden()
        assert widget.locator(".cl-verdict").inner_text() == said


def test_opens_on_the_notes_run(learner):
    assert shown_lr(learner) == 0.03
    assert learner.get_by_label("Steps", exact=True).input_value() == "20"
    kernel, _ = initial_weights(0)
    assert read_table(learner, "Start K").tolist() == [kernel]
    check_run(learner, 0.03, 20, "sum", False)
    K = read_table(learner, "K after step 20")
    assert (K - torch.tensor([[1.0, -1.0]], dtype=torch.float64)).abs().max() < 5e-3
    # The edge columns of the output are the highlighted ones.
    first_row = (
        learner.locator("table", has=learner.page.locator("caption:text-matches('^Output')"))
        .locator("tr")
        .first
    )
    marked = [
        i
        for i, td in enumerate(first_row.locator("td").all())
        if "cl-on" in (td.get_attribute("class") or "")
    ]
    assert marked == [1, 5]


def test_learning_rate_slider_moves_through_a_log_scale(learner):
    seen = []
    for position in [0, 5, 12, 17, 18, 24, 33, 37, 39]:
        set_slider(learner, "Learning rate", position)
        lr = shown_lr(learner)
        seen.append(lr)
        assert learner.locator(".cl-slider output").first.inner_text() == format_short(lr)
        check_run(learner, lr, 20, "sum", False)
    assert seen[0] == 0.001 and seen[-1] == 2.0 and 1.26 in seen
    assert seen == sorted(seen)


def test_steps_slider_recomputes(learner):
    for steps in [1, 57, 200]:
        set_slider(learner, "Steps", steps)
        check_run(learner, 0.03, steps, "sum", False)


def test_mean_loss_switch(learner):
    mean = learner.get_by_role("radio", name=re.compile("^mean"))
    assert mean.locator("xpath=..").inner_text().strip() == "mean (the sum ÷ 42)"
    mean.check()
    check_run(learner, 0.03, 20, "mean", False)
    set_slider(learner, "Learning rate", 37)  # 1.26 = 42 × 0.03: the summed run again
    assert shown_lr(learner) == 1.26
    check_run(learner, 1.26, 20, "mean", False)
    summed = learn_edge(0.03, 20, "sum", False).history.kernel
    torch.testing.assert_close(read_table(learner, "K after step"), summed)
    learner.get_by_role("radio", name=re.compile("^sum")).check()
    check_run(learner, 1.26, 20, "sum", False)


def test_bias_switch(learner):
    learner.get_by_label("learn a bias b").check()
    check_run(learner, 0.03, 20, "sum", True)
    learner.get_by_role("radio", name=re.compile("^mean")).check()
    set_slider(learner, "Steps", 100)
    check_run(learner, 0.03, 100, "mean", True)  # the notes' slow run
    learner.get_by_label("learn a bias b").uncheck()
    check_run(learner, 0.03, 100, "mean", False)


def test_a_diverging_rate_is_explained_with_the_numbers(learner):
    set_slider(learner, "Learning rate", 24)  # 0.1
    assert shown_lr(learner) == 0.1
    alert = learner.get_by_role("alert")
    assert alert.inner_text().startswith(
        "lr 0.1 is above it: each step overshoots. Along the steepest direction a step "
        "multiplies the error by 1 − 0.1·60 = -5, so the error grows ×5 and the loss ×25 per step."
    )
    assert "Training stopped after step" in alert.inner_text()
    check_run(learner, 0.1, 20, "sum", False)
    set_slider(learner, "Learning rate", 17)  # back to 0.03
    assert alert.is_hidden()
    check_run(learner, 0.03, 20, "sum", False)


def test_both_charts_are_drawn(learner):
    charts = learner.locator("svg.cl-chart")
    assert charts.count() == 2
    loss_path = charts.nth(0).locator("path.cl-series").first.get_attribute("d")
    assert loss_path.count("L") == 20  # 21 points: the start and 20 steps
    kernel_path = charts.nth(1).locator("path.cl-series").first.get_attribute("d")
    assert kernel_path.count("L") == 20


def test_fits_a_phone_screen(page):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(page.site + CHAPTER)
    widget = page.locator(".cl-edge-learner").first
    widget.wait_for(state="visible", timeout=15_000)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    box = widget.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
