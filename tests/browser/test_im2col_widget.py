"""The im2col explorer (appendix) recomputes in the browser exactly as PyTorch and
convlab do, for every slider, and its hovers select windows and mark copies."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from widgetpage import cell, cells_with, columns_with, open_widget, shown, slider, table

from convlab.im2col import im2col
from convlab.widgets.im2col import (
    explore_im2col,
    im2col_input,
    im2col_problem,
    im2col_weights,
    size_texts,
)

pytestmark = pytest.mark.browser
CHAPTER = "book/appendix_loops_im2col.html"
# Slider label -> setting.
SLIDERS = {
    "Input channels C": "channels",
    "Output channels C_out": "out_channels",
    "Input size n": "input_size",
    "Kernel size k": "kernel_size",
    "Stride s": "stride",
}
DEFAULTS = {"channels": 1, "out_channels": 1, "input_size": 3, "kernel_size": 2, "stride": 1}


@pytest.fixture
def widget(page):
    return open_widget(page, CHAPTER, ".cl-im2col")


def read_table(widget, caption: str) -> torch.Tensor:
    """The numbers of a table as float64, read in one call (the column matrix has 400)."""
    texts = table(widget, caption).evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => c.innerText))"
    )
    return torch.tensor([[float(v) for v in row] for row in texts], dtype=torch.float64)


def move(widget, settings: dict, label: str, value: int) -> None:
    slider(widget, label).fill(str(value))
    settings[SLIDERS[label]] = value


def check_page(widget, s: dict, position: int = 0) -> None:
    """Every number, mark and line of the widget against PyTorch / convlab for settings ``s``."""
    c, co, n, k, st = (s[key] for key in DEFAULTS)
    for label, key in SLIDERS.items():
        assert shown(widget, label) == str(s[key])
    X = torch.tensor(im2col_input(c, n), dtype=torch.float64)
    W = torch.tensor(im2col_weights(co, c, k), dtype=torch.float64)
    for ch in range(c):
        assert read_table(widget, f"X[{ch}]").tolist() == X[ch].tolist()
    for o in range(co):
        for ch in range(c):
            assert read_table(widget, f"W[{o}, {ch}]").tolist() == W[o, ch].tolist()
    rows = c * k * k
    kernel_rows = read_table(widget, f"Kernel rows ({co} × {rows})")
    assert kernel_rows.tolist() == W.reshape(co, -1).tolist()
    texts = size_texts(c, co, n, k, st)
    for key in ("view", "matrix", "product"):
        assert cell(widget, key) == texts[key]
    problem = im2col_problem(n, k, st)
    if problem:
        assert widget.get_by_role("alert").inner_text() == problem
        assert widget.locator(".cl-empty").all_inner_texts() == [
            "No output",
            "No columns",
            "No output",
        ]
        assert widget.locator(".cl-sum").count() == 0
        return
    assert widget.get_by_role("alert").is_hidden()
    expected_columns = F.unfold(X[None], k, stride=st)[0]
    expected = F.conv2d(X[None], W, stride=st)[0]
    side, cols = expected.shape[-1], expected_columns.shape[1]
    columns = read_table(widget, f"Column matrix ({rows} × {cols})")
    torch.testing.assert_close(columns, expected_columns)
    torch.testing.assert_close(columns, im2col(X, k, st))
    output_rows = read_table(widget, f"Output rows ({co} × {cols})")
    torch.testing.assert_close(output_rows, expected.reshape(co, -1))
    torch.testing.assert_close(kernel_rows @ columns, output_rows)
    # The selected window: its column, its cells of X, its output cell.
    r = explore_im2col(c, co, n, k, st, position)
    for caption in (f"Column matrix ({rows} × {cols})", f"Output rows ({co} × {cols})"):
        assert columns_with(widget, caption, "cl-on") == {r.column}
        assert cells_with(widget, caption, "cl-on") == set()  # marked by its <col> alone
    window = {(r.row * st + a, r.col * st + b) for a in range(k) for b in range(k)}
    for ch in range(c):
        assert cells_with(widget, f"X[{ch}]", "cl-on") == window
    for o in range(co):
        torch.testing.assert_close(read_table(widget, f"Y[{o}]"), expected[o])
        assert cells_with(widget, f"Y[{o}]", "cl-on") == {(r.row, r.col)}
        assert cell(widget, f"sum-{o}") == r.sums[o]
        assert r.sums[o].endswith(f"= {expected[o, r.row, r.col].item():g}")
    assert (r.row, r.col) == divmod(r.column, side)
    where = f"output row {r.row}, column {r.col}"
    assert widget.locator(".cl-where").inner_text() == where


def test_opens_on_the_notes_example(widget):
    assert read_table(widget, "Column matrix (4 × 4)").tolist() == [
        [0, 1, 3, 4],
        [1, 2, 4, 5],
        [3, 4, 6, 7],
        [4, 5, 7, 8],
    ]
    assert read_table(widget, "Kernel rows (1 × 4)").tolist() == [[0, 1, 2, 3]]
    assert read_table(widget, "Output rows (1 × 4)").tolist() == [[19, 25, 37, 43]]
    assert read_table(widget, "Y[0]").tolist() == [[19, 25], [37, 43]]
    check_page(widget, dict(DEFAULTS))


def test_every_slider_recomputes(widget):
    settings = dict(DEFAULTS)
    moves = [
        ("Input channels C", 2),
        ("Output channels C_out", 3),  # chapter 5's example
        ("Input size n", 6),
        ("Kernel size k", 3),
        ("Stride s", 2),
        ("Input channels C", 3),
        ("Kernel size k", 1),
        ("Stride s", 3),
        ("Output channels C_out", 1),
        ("Input size n", 4),
        ("Kernel size k", 2),
        ("Stride s", 1),
        ("Input channels C", 1),
    ]
    for label, value in moves:
        move(widget, settings, label, value)
        assert slider(widget, label).input_value() == str(value)
        check_page(widget, settings)
    assert (
        read_table(widget, "Y[0]").tolist()
        == F.conv2d(torch.arange(16.0).reshape(1, 1, 4, 4), torch.arange(4.0).reshape(1, 1, 2, 2))[
            0, 0
        ].tolist()
    )


def test_window_position_and_hovers_select_a_window(widget):
    settings = dict(DEFAULTS)
    move(widget, settings, "Input channels C", 2)
    move(widget, settings, "Input size n", 5)
    move(widget, settings, "Kernel size k", 3)  # 3 × 3 windows: 9 columns
    slider(widget, "Window position").fill("4")
    check_page(widget, settings, position=4)
    # Hovering a cell of column 7 of the matrix selects window 7.
    columns = widget.locator(
        "table", has=widget.page.locator("caption:text-is('Column matrix (18 × 9)')")
    )
    columns.locator("tr").nth(3).locator("td").nth(7).hover()
    check_page(widget, settings, position=7)
    # Hovering an output cell selects its window, as in the other chapters.
    widget.locator("table", has=widget.page.locator("caption:text-is('Y[0]')")).locator("tr").nth(
        0
    ).locator("td").nth(2).hover()
    check_page(widget, settings, position=2)
    widget.get_by_role("button", name="Step ▶").click()
    check_page(widget, settings, position=3)


def test_hovering_an_input_cell_marks_its_copies(widget):
    settings = dict(DEFAULTS)
    move(widget, settings, "Input channels C", 2)
    move(widget, settings, "Input size n", 6)
    move(widget, settings, "Kernel size k", 3)
    caption = "Column matrix (18 × 16)"
    # Number the input cells; im2col then says which matrix cells copy which cell.
    sources = im2col(torch.arange(2 * 36).reshape(2, 6, 6), 3)
    for ch, i, j in [(1, 2, 3), (0, 0, 0), (1, 5, 5), (0, 2, 2)]:
        x_table = widget.locator("table", has=widget.page.locator(f"caption:text-is('X[{ch}]')"))
        x_table.locator("tr").nth(i).locator("td").nth(j).hover()
        flat = ch * 36 + i * 6 + j
        expected = {tuple(rc) for rc in (sources == flat).nonzero().tolist()}
        assert cells_with(widget, caption, "cl-copy") == expected
        assert cells_with(widget, f"X[{ch}]", "cl-copy") == {(i, j)}
    # The centre cells of a 6 × 6 input lie in all nine 3 × 3 windows; a corner in one.
    x_table = widget.locator("table", has=widget.page.locator("caption:text-is('X[0]')"))
    x_table.locator("tr").nth(2).locator("td").nth(2).hover()
    assert len(cells_with(widget, caption, "cl-copy")) == 9
    widget.get_by_role("heading", name="The layer: X ⋆ W = Y").hover()  # leave X
    assert cells_with(widget, caption, "cl-copy") == set()


def test_an_impossible_combination_is_explained(widget):
    settings = dict(DEFAULTS)
    move(widget, settings, "Kernel size k", 3)
    move(widget, settings, "Input size n", 1)
    alert = widget.get_by_role("alert")
    assert alert.inner_text() == im2col_problem(1, 3, 1)
    assert "⌊(1 − 3)/1⌋ + 1 = −1 leaves no window" in alert.inner_text()
    assert slider(widget, "Window position").is_disabled()
    check_page(widget, settings)
    move(widget, settings, "Input size n", 3)  # a 3 × 3 kernel fits a 3 × 3 input
    assert alert.is_hidden()
    assert not slider(widget, "Window position").is_disabled()
    check_page(widget, settings)
