"""The convolution explorer (chapter 4) recomputes in the browser exactly as
PyTorch and convlab do, for every slider."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from widgetpage import cells_with, open_widget, read_table, slider, table

from convlab import kernels
from convlab.widgets.explorer import (
    conv2d_call,
    conv2d_problem,
    explore,
    pattern_grid,
    size_formula,
)

pytestmark = pytest.mark.browser
CHAPTER = "book/ch04_padding_and_stride.html"
NOTES_PADDED = [[0, 3, 8, 4], [9, 19, 25, 10], [21, 37, 43, 16], [6, 7, 8, 0]]
# Slider label -> (setting, axis) of explore().
SLIDERS = {
    f"{name} {word}": (setting, axis)
    for name, setting in [
        ("Input", "input_size"),
        ("Kernel", "kernel_size"),
        ("Padding", "padding"),
        ("Stride", "stride"),
        ("Dilation", "dilation"),
    ]
    for axis, word in enumerate(("height", "width"))
}
DEFAULTS = {
    "input_size": [3, 3],
    "kernel_size": [2, 2],
    "padding": [1, 1],
    "stride": [1, 1],
    "dilation": [1, 1],
}


@pytest.fixture
def explorer(page):
    return open_widget(page, CHAPTER, ".cl-explorer")


def move(widget, settings: dict, label: str, value: int) -> None:
    slider(widget, label).fill(str(value))
    setting, axis = SLIDERS[label]
    settings[setting][axis] = value


def pattern_tensors(settings: dict) -> tuple[torch.Tensor, torch.Tensor]:
    X = torch.tensor(pattern_grid(*settings["input_size"], 10), dtype=torch.float64)
    K = torch.tensor(pattern_grid(*settings["kernel_size"], 4), dtype=torch.float64)
    return X, K


def check_page(widget, settings: dict) -> None:
    """Every number and text of the widget against PyTorch / convlab for ``settings``."""
    names = ("input_size", "kernel_size", "stride", "padding", "dilation")
    n, k, s, p, d = (tuple(settings[name]) for name in names)
    X, K = pattern_tensors(settings)
    padded = read_table(widget, "Padded input")
    assert padded.tolist() == F.pad(X, (p[1], p[1], p[0], p[0])).tolist()
    assert read_table(widget, "Kernel K").tolist() == K.tolist()
    pad_cells = {
        (r, c)
        for r in range(n[0] + 2 * p[0])
        for c in range(n[1] + 2 * p[1])
        if not (p[0] <= r < p[0] + n[0] and p[1] <= c < p[1] + n[1])
    }
    assert cells_with(widget, "Padded input", "cl-pad") == pad_cells
    formulas = widget.locator(".cl-formula").all_inner_texts()
    axes = enumerate(("height", "width"))
    assert formulas == [size_formula(axis, n[i], k[i], s[i], p[i], d[i]) for i, axis in axes]
    call = widget.locator(".cl-call").inner_text()
    assert call == conv2d_call(k, s, p, d)
    problem = conv2d_problem(n, k, p, d)
    if problem:
        assert widget.get_by_role("alert").inner_text() == problem
        assert widget.locator(".cl-output table").count() == 0
        return
    assert widget.get_by_role("alert").is_hidden()
    Y = read_table(widget, "Output Y")
    options = {"stride": s, "padding": p, "dilation": d}
    torch.testing.assert_close(Y, F.conv2d(X[None, None], K[None, None], **options)[0, 0])
    torch.testing.assert_close(Y, kernels.conv2d(X[None], K[None, None], **options)[0])
    # The nn.Conv2d call shown on the page computes the same output.
    layer = eval(call, {"nn": nn})  # noqa: S307 (text we generate)
    with torch.no_grad():
        layer.weight.copy_(K[None, None])
        torch.testing.assert_close(layer(X[None, None].float())[0, 0].double(), Y)
    e = explore(n, k, s, p, d, position=0)
    unread = {(r + p[0], c + p[1]) for r, c in e.unread}
    assert cells_with(widget, "Padded input", "cl-unread") == unread


def test_opens_on_the_notes_padding_example(explorer):
    assert read_table(explorer, "Output Y").tolist() == NOTES_PADDED
    assert read_table(explorer, "Kernel K").tolist() == [[0, 1], [2, 3]]
    assert explorer.locator(".cl-sum").inner_text() == "Y[0, 0] = 0×0 + 0×1 + 0×2 + 0×3 = 0"
    check_page(explorer, {k: list(v) for k, v in DEFAULTS.items()})


def test_every_slider_recomputes(explorer):
    settings = {k: list(v) for k, v in DEFAULTS.items()}
    moves = [
        ("Input height", 7),
        ("Input width", 9),
        ("Kernel height", 3),
        ("Kernel width", 4),
        ("Padding height", 2),
        ("Padding width", 0),
        ("Stride height", 2),
        ("Stride width", 3),
        ("Dilation height", 2),
        ("Dilation width", 2),
        ("Input height", 12),
        ("Kernel width", 7),
        ("Padding width", 4),
        ("Stride height", 4),
        ("Dilation height", 4),
    ]
    for label, value in moves:
        move(explorer, settings, label, value)
        assert slider(explorer, label).input_value() == str(value)
        check_page(explorer, settings)


def test_the_notes_stride_example_skips_a_row(explorer):
    settings = {k: list(v) for k, v in DEFAULTS.items()}
    move(explorer, settings, "Stride height", 3)
    move(explorer, settings, "Stride width", 2)
    assert read_table(explorer, "Output Y").tolist() == [[0, 8], [6, 8]]
    # Input row 1 (padded row 2) is in no window.
    assert cells_with(explorer, "Padded input", "cl-unread") == {(2, 1), (2, 2), (2, 3)}
    check_page(explorer, settings)


def test_dilation_shows_the_kernel_footprint(explorer):
    settings = {k: list(v) for k, v in DEFAULTS.items()}
    assert table(explorer, "Dilated kernel").count() == 0
    move(explorer, settings, "Dilation width", 3)
    footprint = read_table(explorer, "Dilated kernel")
    assert footprint.tolist() == [[0, 0, 0, 1], [2, 0, 0, 3]]
    assert cells_with(explorer, "Dilated kernel", "cl-gap") == {(0, 1), (0, 2), (1, 1), (1, 2)}
    check_page(explorer, settings)


def test_position_slider_and_window(explorer):
    settings = {k: list(v) for k, v in DEFAULTS.items()}
    move(explorer, settings, "Input height", 5)
    move(explorer, settings, "Stride width", 2)
    move(explorer, settings, "Dilation height", 2)
    for position in [0, 4, 7, 11, 5]:
        slider(explorer, "Window position").fill(str(position))
        e = explore(**settings, position=position)
        assert cells_with(explorer, "Output Y", "cl-on") == {(e.row, e.col)}
        assert cells_with(explorer, "Padded input", "cl-on") == set(e.window)
        # The gaps of the dilated window: the rest of the box from its first tap to its last.
        rows, cols = zip(*e.window, strict=True)
        box = {
            (r, c) for r in range(min(rows), max(rows) + 1) for c in range(min(cols), max(cols) + 1)
        }
        assert cells_with(explorer, "Padded input", "cl-span") == box - set(e.window)
        sum_line = explorer.locator(".cl-sum").inner_text()
        assert sum_line == f"Y[{e.row}, {e.col}] = {e.sum_text}"
        where = explorer.locator(".cl-where").inner_text()
        assert where == f"output row {e.row}, column {e.col}"


def test_hovering_an_output_cell_shows_its_window(explorer):
    explorer.locator(".cl-output td").nth(5).hover()  # row 1, column 1
    e = explore(3, 2, padding=1, position=5)
    assert cells_with(explorer, "Output Y", "cl-on") == {(1, 1)}
    assert cells_with(explorer, "Padded input", "cl-on") == set(e.window)
    assert slider(explorer, "Window position").input_value() == "5"
    assert explorer.locator(".cl-sum").inner_text() == "Y[1, 1] = 0×0 + 1×1 + 3×2 + 4×3 = 19"


def test_step_and_play_buttons(explorer):
    explorer.get_by_role("button", name="Step ▶").click()
    assert cells_with(explorer, "Output Y", "cl-on") == {(0, 1)}
    explorer.get_by_role("button", name="◀ Step").click()
    explorer.get_by_role("button", name="◀ Step").click()
    assert cells_with(explorer, "Output Y", "cl-on") == {(3, 3)}  # wraps to the last
    explorer.get_by_role("button", name="▶ Play").click()
    explorer.page.wait_for_timeout(900)
    explorer.get_by_role("button", name="⏸ Pause").click()
    assert cells_with(explorer, "Output Y", "cl-on") != {(3, 3)}


def test_an_impossible_combination_is_explained(explorer):
    settings = {k: list(v) for k, v in DEFAULTS.items()}
    move(explorer, settings, "Kernel height", 3)
    move(explorer, settings, "Dilation height", 4)  # spans 9 rows; 3 + 2·1 = 5
    alert = explorer.get_by_role("alert")
    assert alert.inner_text() == conv2d_problem((3, 3), (3, 2), (1, 1), (4, 1))
    assert "4·(3 − 1) + 1 = 9 rows" in alert.inner_text()
    assert explorer.locator(".cl-output").inner_text() == "No output"
    assert slider(explorer, "Window position").is_disabled()
    assert explorer.get_by_role("button", name="▶ Play").is_disabled()
    check_page(explorer, settings)
    formula = explorer.locator(".cl-formula").first.inner_text()
    assert formula.endswith("= ⌊−4/1⌋ + 1 = −3")
    move(explorer, settings, "Padding height", 3)  # 3 + 2·3 = 9: it fits again
    assert alert.is_hidden()
    assert not slider(explorer, "Window position").is_disabled()
    check_page(explorer, settings)
