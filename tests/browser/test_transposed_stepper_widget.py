"""The transposed-convolution stepper of chapter 9 recomputes in the browser as convlab
and PyTorch do: the canvas step by step, the finished output, the copies per cell,
the sums, the formula and the refused settings."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from widgetpage import cells_with, open_widget, read_table, slider

from convlab.widgets.transposed_stepper import output_sum, scatter, transposed_problem

pytestmark = pytest.mark.browser
CHAPTER = "book/ch09_backward_and_transposed.html"
CANVAS = "Canvas so far"


@pytest.fixture
def stepper(page):
    return open_widget(page, CHAPTER, ".cl-transposed")


def move(widget, **settings):
    labels = {
        "n": "Input size n",
        "k": "Kernel size k",
        "s": "Stride s",
        "p": "Padding p",
        "op": "Output padding",
        "d": "Dilation d",
        "cell": "Input cell",
    }
    for key, value in settings.items():
        slider(widget, labels[key]).fill(str(value))


def text(widget, selector: str) -> str:
    return widget.locator(selector).inner_text()


def test_opens_on_the_checkerboard(stepper):
    r = scatter()
    assert read_table(stepper, "Input X").tolist() == r.X.tolist()
    assert read_table(stepper, "Kernel K").tolist() == r.K.tolist()
    Y = read_table(stepper, "Output Y")
    assert Y.tolist() == r.output.tolist()
    expected = F.conv_transpose2d(r.X[None, None], r.K[None, None], stride=2)[0, 0]
    torch.testing.assert_close(Y, expected)
    assert read_table(stepper, "Copies on each output cell").tolist() == r.counts.tolist()
    assert text(stepper, ".cl-formula") == r.formula
    assert text(stepper, ".cl-pattern") == r.pattern
    assert read_table(stepper, CANVAS).tolist() == r.canvas.tolist()


def test_stepping_scatters_one_cell_at_a_time(stepper):
    for position in (4, 8, 1):
        move(stepper, cell=position)
        r = scatter(position=position)
        assert read_table(stepper, CANVAS).tolist() == r.canvas.tolist()
        assert read_table(stepper, f"{r.X[r.row, r.col]:g} · K").tolist() == r.copy.tolist()
        assert cells_with(stepper, CANVAS, "cl-on") == set(r.landing)
        assert cells_with(stepper, "Input X", "cl-on") == {(r.row, r.col)}
        assert len(cells_with(stepper, "Input X", "cl-done")) == position
        assert text(stepper, ".cl-scatter").startswith(f"Step {position + 1} of 9: ")
    stepper.get_by_role("button", name="Step ▶").click()
    assert read_table(stepper, CANVAS).tolist() == scatter(position=2).canvas.tolist()
    move(stepper, cell=0)
    stepper.get_by_role("button", name="◀ Step").click()  # wraps to the last cell
    assert read_table(stepper, CANVAS).tolist() == scatter(position=8).canvas.tolist()


@pytest.mark.parametrize(
    "setting",
    [
        {"n": 4, "k": 4, "s": 2, "p": 1, "op": 0, "d": 1},
        {"n": 5, "k": 2, "s": 3, "p": 0, "op": 2, "d": 1},
        {"n": 3, "k": 3, "s": 1, "p": 2, "op": 1, "d": 2},
    ],
)
def test_sliders_recompute_as_pytorch(stepper, setting):
    move(stepper, **setting)
    n, k, s, p, op, d = setting.values()
    r = scatter(n, k, s, p, op, d, 0)
    X, K = r.X[None, None], r.K[None, None]
    expected = F.conv_transpose2d(X, K, stride=s, padding=p, output_padding=op, dilation=d)
    assert read_table(stepper, "Output Y").tolist() == expected[0, 0].tolist()
    ones = F.conv_transpose2d(
        torch.ones_like(X), torch.ones_like(K), stride=s, padding=p, output_padding=op, dilation=d
    )
    assert read_table(stepper, "Copies on each output cell").tolist() == ones[0, 0].tolist()
    assert text(stepper, ".cl-formula") == r.formula
    side = r.canvas.shape[0]
    kept = {(i, j) for i in range(p, p + r.size) for j in range(p, p + r.size)}
    every = {(i, j) for i in range(side) for j in range(side)}
    assert cells_with(stepper, CANVAS, "cl-crop") == every - kept


def test_refused_settings_are_explained(stepper):
    move(stepper, op=2)  # stride 2, dilation 1
    alert = stepper.get_by_role("alert")
    assert alert.inner_text() == transposed_problem(3, 3, 2, 0, 1, 2)
    assert stepper.locator(".cl-output table").count() == 0
    assert read_table(stepper, CANVAS).tolist() == scatter(3, 3, 2, 0, 2, 1).canvas.tolist()
    move(stepper, op=0)
    assert alert.is_hidden()
    move(stepper, n=1, k=1, p=3)
    assert "crops the whole output" in alert.inner_text()
    move(stepper, p=0)
    assert alert.is_hidden() and read_table(stepper, "Output Y").tolist() == [[1.0]]


def test_an_output_cell_spells_its_sum(stepper):
    cells = stepper.locator(".cl-output td")
    cells.nth(2 * 7 + 4).hover()  # Y[2, 4]
    assert text(stepper, ".cl-sum") == output_sum(3, 3, 2, 0, 1, 2, 4)
    assert cells_with(stepper, "Output Y", "cl-picked") == {(2, 4)}
    stepper.locator(".cl-counts td").nth(1).focus()  # keyboard: Y[0, 1]
    assert text(stepper, ".cl-sum") == output_sum(3, 3, 2, 0, 1, 0, 1)
