"""The receptive-field explorer (chapter 8) recomputes in the browser exactly as
convlab and PyTorch do, for every slider."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn
from widgetpage import open_widget, shown, slider

from convlab import kernels
from convlab.receptive_field import (
    Layer,
    format_cells,
    jump_formula,
    size_formula,
    stack_problem,
)
from convlab.widgets.receptive_field import explore_stack

pytestmark = pytest.mark.browser
CHAPTER = "book/ch08_dilation_and_receptive_fields.html"
SETTING = {"kernel": 0, "stride": 1, "dilation": 2}


@pytest.fixture
def explorer(page):
    return open_widget(page, CHAPTER, ".cl-receptive-field")


def default_state() -> dict:
    return {"n": 5, "layers": 2, "position": 0, "stack": [[3, 1, 1] for _ in range(5)]}


def drawn_cells(widget) -> tuple[list[int], list[list[int]]]:
    """Cells per row of the figure, and which of them are highlighted."""
    rects = widget.locator("rect.cl-rf-cell").evaluate_all(
        "rs => rs.map(r => [+r.dataset.layer, +r.dataset.index, r.classList.contains('cl-on')])"
    )
    rows = max(layer for layer, _, _ in rects) + 1
    counts = [sum(1 for layer, _, _ in rects if layer == row) for row in range(rows)]
    on = [sorted(i for layer, i, lit in rects if layer == row and lit) for row in range(rows)]
    return counts, on


def drawn_taps(widget) -> list[tuple[int, int, int]]:
    """The kernel taps drawn, as (layer, cell, cell of the layer below), from the
    segments' ends: each leaves the bottom of a cell and reaches the top of one below."""
    rects = widget.locator("rect.cl-rf-cell").evaluate_all(
        "rs => rs.map(r => [+r.dataset.layer, +r.dataset.index, +r.getAttribute('x') +"
        " +r.getAttribute('width') / 2, +r.getAttribute('y'), +r.getAttribute('height')])"
    )
    bottoms = {(round(x, 6), round(y + h, 6)): (layer, i) for layer, i, x, y, h in rects}
    tops = {(round(x, 6), round(y, 6)): (layer, i) for layer, i, x, y, h in rects}
    d = widget.locator("path.cl-rf-taps").get_attribute("d")
    number = r"(-?[\d.]+(?:e-?\d+)?)"
    taps = []
    for x1, y1, x2, y2 in re.findall(f"M{number} {number}L{number} {number}", d):
        (layer, i) = bottoms[round(float(x1), 6), round(float(y1), 6)]
        (below, c) = tops[round(float(x2), 6), round(float(y2), 6)]
        assert below == layer - 1
        taps.append((layer, i, c))
    assert len(taps) == d.count("M")  # every segment read
    return sorted(taps)


def table_rows(widget) -> list[list[str]]:
    return widget.locator("table.cl-rf-table tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )


def autograd_cells(layers, out: int, n: int) -> list[list[int]]:
    """Independent reference: the cells of every layer with a non-zero gradient of
    output cell ``out`` through nn.Conv1d layers of positive weights."""
    x = torch.ones(1, 1, n, requires_grad=True)
    acts, y = [x], x
    for k, s, d in layers:
        conv = nn.Conv1d(1, 1, k, stride=s, dilation=d, bias=False)
        with torch.no_grad():
            conv.weight.fill_(1.0)
        y = conv(y)
        y.retain_grad()
        acts.append(y)
    y[0, 0, out].backward()
    return [torch.nonzero(a.grad[0, 0]).flatten().tolist() for a in acts]


def check(widget, state: dict) -> bool:
    """Every number, highlight and text of the widget against Python; True if there is output."""
    layers = [tuple(layer) for layer in state["stack"][: state["layers"]]]
    n = state["n"]
    assert shown(widget, "Input cells") == str(n)
    assert shown(widget, "Layers") == str(len(layers))
    for number, (k, s, d) in enumerate(layers, start=1):
        for name, value in (("kernel", k), ("stride", s), ("dilation", d)):
            assert slider(widget, f"Layer {number} {name}").input_value() == str(value)
    for number in range(len(layers) + 1, 6):
        assert not widget.locator("fieldset.cl-rf-layer").nth(number - 1).is_visible()
    formulas = widget.locator(".cl-formula").all_inner_texts()
    assert formulas == [size_formula(layers), jump_formula(layers)]
    alert = widget.locator("[role=alert]")
    problem = stack_problem(n, layers)
    rows = table_rows(widget)
    assert [row[0] for row in rows] == ["input"] + [f"layer {i}" for i in range(1, len(layers) + 1)]
    # Cells per layer by PyTorch's shape rule, while there are any.
    lengths = [n]
    for k, s, d in layers:
        if d * (k - 1) + 1 > lengths[-1]:
            break
        lengths.append(kernels.output_size(lengths[-1], k, s, 0, d))
    view = explore_stack(n, layers, state["position"])
    for i, row in enumerate(rows):
        assert row[4] == (str(lengths[i]) if i < len(lengths) else "none")
        size, jump = (1, 1) if i == 0 else (view.fields[i - 1].size, view.fields[i - 1].jump)
        assert row[5:7] == [str(jump), str(size)]
        if i:
            assert row[1:4] == [str(v) for v in layers[i - 1]]
    counts, on = drawn_cells(widget)
    assert counts == lengths
    if problem:
        assert alert.inner_text() == problem
        assert slider(widget, "Output cell").is_disabled()
        assert all(not cells for cells in on)
        assert all(row[7] == "–" for row in rows)
        assert drawn_taps(widget) == []
        return False
    assert not alert.is_visible()
    out = min(state["position"], lengths[-1] - 1)
    assert shown(widget, "Output cell") == str(out)
    expected = autograd_cells(layers, out, n)
    assert on == expected
    assert [row[7] for row in rows] == [format_cells(cells) for cells in expected]
    # A lit cell's k taps reach the cells i·s + t·d below it (t < k).
    assert drawn_taps(widget) == sorted(
        (layer, i, i * s + t * d)
        for layer, (k, s, d) in enumerate(layers, start=1)
        for i in expected[layer]
        for t in range(k)
    )
    r = view.fields[-1].size
    which = f"all r = {r}" if len(expected[0]) == r else f"{len(expected[0])} of the r = {r}"
    assert widget.locator(".cl-rf-summary").inner_text() == (
        f"Output cell {out} of layer {len(layers)} depends on {which} input cells its field "
        f"spans: {format_cells(expected[0])}."
    )
    return True


def move(widget, state: dict, label: str, value: int) -> None:
    slider(widget, label).fill(str(value))
    if label == "Input cells":
        state["n"] = value
    elif label == "Layers":
        state["layers"] = value
    elif label == "Output cell":
        state["position"] = value
    else:
        _, number, name = label.split()
        state["stack"][int(number) - 1][SETTING[name]] = value


def test_opens_on_the_notes_example(explorer):
    state = default_state()
    assert check(explorer, state)
    counts, on = drawn_cells(explorer)
    assert counts == [5, 3, 1] and on == [[0, 1, 2, 3, 4], [0, 1, 2], [0]]


def test_every_slider_recomputes(explorer):
    state = default_state()
    moves = [
        ("Input cells", 64),
        ("Output cell", 30),
        ("Layers", 5),
        ("Layer 1 kernel", 2),
        ("Layer 1 stride", 2),
        ("Layer 1 dilation", 3),
        ("Layer 2 kernel", 4),
        ("Layer 2 dilation", 2),
        ("Output cell", 1),
        ("Layer 3 stride", 3),
        ("Layer 3 dilation", 2),
        ("Layer 3 kernel", 2),
        ("Layer 4 kernel", 2),
        ("Layer 4 dilation", 2),
        ("Layer 4 stride", 2),
        ("Layer 5 kernel", 1),
        ("Layer 5 stride", 2),
        ("Layer 5 dilation", 8),
        ("Layer 5 kernel", 2),
        ("Layer 5 dilation", 1),
        ("Layer 5 stride", 3),
        ("Layers", 3),
        ("Layer 2 stride", 2),
        ("Output cell", 4),
    ]
    with_output = 0
    for label, value in moves:
        move(explorer, state, label, value)
        with_output += check(explorer, state)
    assert with_output >= len(moves) - 2  # nearly every step had an output to check


def test_gridding_stack_lights_every_second_cell(explorer):
    state = default_state()
    for label, value in [
        ("Input cells", 13),
        ("Layers", 3),
        ("Layer 1 dilation", 2),
        ("Layer 2 dilation", 2),
        ("Layer 3 dilation", 2),
    ]:
        move(explorer, state, label, value)
    assert check(explorer, state)
    assert drawn_cells(explorer)[1][0] == list(range(0, 13, 2))


def test_clicking_a_top_cell_picks_it(explorer):
    state = default_state()
    move(explorer, state, "Input cells", 12)
    explorer.locator('rect.cl-pick[data-index="5"]').click()
    state["position"] = 5
    assert check(explorer, state)
    assert drawn_cells(explorer)[1][0] == [5, 6, 7, 8, 9]


def test_an_input_too_small_is_explained(explorer):
    state = default_state()
    move(explorer, state, "Input cells", 4)
    assert not check(explorer, state)
    text = explorer.locator("[role=alert]").inner_text()
    assert text == stack_problem(4, [Layer(3), Layer(3)])
    assert "Layer 2 has no output" in text and "at least 5 cells; the input has 4" in text
    move(explorer, state, "Input cells", 5)  # back to a stack with an output
    assert check(explorer, state)
