"""The cross-correlation stepper recomputes in the browser exactly as convlab does."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from widgetpage import open_widget, read_table, slider

from convlab import kernels
from convlab.widgets.stepper import size_problem, step

pytestmark = pytest.mark.browser
CHAPTER = "book/ch02_cross_correlation.html"


@pytest.fixture
def stepper(page):
    return open_widget(page, CHAPTER, ".cl-stepper")


def highlighted_output(widget) -> tuple[int, int]:
    table = widget.locator(".cl-output table")
    for i, row in enumerate(table.locator("tr").all()):
        for j, td in enumerate(row.locator("td").all()):
            if "cl-on" in (td.get_attribute("class") or ""):
                return i, j
    raise AssertionError("no output cell is highlighted")


def sum_line(widget) -> str:
    return widget.locator(".cl-sum").inner_text()


def torch_corr(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """The reference: PyTorch's conv2d (a cross-correlation) on one channel."""
    return F.conv2d(X[None, None], K[None, None])[0, 0]


def test_opens_on_the_notes_example(stepper):
    X, K = read_table(stepper, "Input X"), read_table(stepper, "Kernel K")
    assert X.tolist() == torch.arange(9.0).reshape(3, 3).tolist()
    assert K.tolist() == torch.arange(4.0).reshape(2, 2).tolist()
    assert read_table(stepper, "Output Y").tolist() == [[19, 25], [37, 43]]
    assert sum_line(stepper) == "Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19"


def test_position_slider_moves_the_window(stepper):
    X, K = read_table(stepper, "Input X"), read_table(stepper, "Kernel K")
    for position in [3, 1, 2, 0]:
        slider(stepper, "Window position").fill(str(position))
        expected = step(X, K, position)
        assert highlighted_output(stepper) == (expected.row, expected.col)
        assert sum_line(stepper) == f"Y[{expected.row}, {expected.col}] = {expected.sum_text}"


def test_size_sliders_recompute_the_output(stepper):
    slider(stepper, "Input rows").fill("5")
    slider(stepper, "Input columns").fill("7")
    slider(stepper, "Kernel rows").fill("3")
    slider(stepper, "Kernel columns").fill("2")
    X, K, Y = (read_table(stepper, c) for c in ("Input X", "Kernel K", "Output Y"))
    assert X.shape == (5, 7) and K.shape == (3, 2)
    # Kept cells keep their values; new cells count on row by row (i * cols + j).
    assert X[:3, :3].tolist() == torch.arange(9.0).reshape(3, 3).tolist()
    assert X[4, 6].item() == 4 * 7 + 6
    torch.testing.assert_close(Y, kernels.corr2d(X, K))
    torch.testing.assert_close(Y, torch_corr(X, K))


def test_typing_a_number_recomputes(stepper):
    cell = stepper.get_by_label("X[1, 1]", exact=True)
    cell.click()
    cell.press("Control+A")
    cell.type("-2.5")
    X, K = read_table(stepper, "Input X"), read_table(stepper, "Kernel K")
    assert X[1, 1].item() == -2.5
    torch.testing.assert_close(read_table(stepper, "Output Y"), torch_corr(X, K))
    cell.type("x")
    assert "is not a number" in stepper.get_by_role("alert").inner_text()


def test_convolution_flips_the_kernel(stepper):
    stepper.get_by_label("convolution (kernel flipped)").check()
    X, K = read_table(stepper, "Input X"), read_table(stepper, "Kernel K")
    Y = read_table(stepper, "Output Y")
    torch.testing.assert_close(Y, kernels.convolve2d(X, K))
    torch.testing.assert_close(Y, torch_corr(X, K.flip(0, 1)))
    assert read_table(stepper, "K flipped").tolist() == K.flip(0, 1).tolist()
    assert sum_line(stepper) == "Y[0, 0] = " + step(X, K, 0, "convolution").sum_text


def test_an_impossible_size_is_explained(stepper):
    slider(stepper, "Kernel rows").fill("5")
    alert = stepper.get_by_role("alert")
    assert alert.inner_text() == size_problem(3, 3, 5, 2)
    assert stepper.locator(".cl-output table").count() == 0
    assert slider(stepper, "Window position").is_disabled()
    slider(stepper, "Kernel rows").fill("2")
    assert alert.is_hidden()
    assert read_table(stepper, "Output Y").tolist() == [[19, 25], [37, 43]]


def test_hovering_an_output_cell_moves_the_window(stepper):
    stepper.locator(".cl-output td").nth(2).hover()  # row 1, column 0
    assert highlighted_output(stepper) == (1, 0)
    assert slider(stepper, "Window position").input_value() == "2"
    assert sum_line(stepper) == "Y[1, 0] = 3×0 + 4×1 + 6×2 + 7×3 = 37"


def test_play_and_step_buttons(stepper):
    stepper.get_by_role("button", name="Step ▶").click()
    assert highlighted_output(stepper) == (0, 1)
    stepper.get_by_role("button", name="◀ Step").click()
    stepper.get_by_role("button", name="◀ Step").click()
    assert highlighted_output(stepper) == (1, 1)  # wraps around to the last window
    play = stepper.get_by_role("button", name="▶ Play")
    play.click()
    stepper.page.wait_for_timeout(1000)
    stepper.get_by_role("button", name="⏸ Pause").click()
    assert highlighted_output(stepper) != (1, 1)
