"""The pooling explorer (chapter 6) recomputes in the browser exactly as PyTorch
does, for every control."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from widgetpage import cells_with, open_widget, slider, table

from convlab.widgets.pooling_explorer import explore_pooling, pool_call, pool_problem
from convlab.widgets.text import format_number

pytestmark = pytest.mark.browser
CHAPTER = "book/ch06_pooling.html"
SLIDERS = {"Window size": "k", "Stride": "s", "Padding": "p", "Shift right": "shift"}
DEFAULTS = {"k": 2, "s": 2, "p": 0, "mode": "max", "shift": 0}


@pytest.fixture
def pooling(page):
    return open_widget(page, CHAPTER, ".cl-pooling")


def read(widget, caption: str) -> torch.Tensor:
    """The numbers of a table, "−∞" included, as float64."""
    rows = table(widget, caption).evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => c.textContent))"
    )

    def number(text: str) -> float:
        return float("-inf") if text == "−∞" else float(text.replace("−", "-"))

    return torch.tensor([[number(v) for v in row] for row in rows], dtype=torch.float64)


def reference(k: int, s: int, p: int, mode: str, shift: int):
    """Input, edge map and pooled map built with PyTorch alone (pooled: None if refused)."""
    X = torch.zeros(1, 1, 8, 8, dtype=torch.float64)
    X[..., 2:5, 1 + shift : 4 + shift] = 1
    edge = F.conv2d(X, torch.tensor([[[[1.0, -1.0]]]], dtype=torch.float64))
    try:
        layer = F.max_pool2d if mode == "max" else F.avg_pool2d
        pooled = layer(edge, k, stride=s, padding=p)[0, 0]
    except RuntimeError:
        pooled = None
    return X[0, 0], edge[0, 0], pooled


def check_page(widget, st: dict) -> None:
    """Every number of the widget against PyTorch for the settings ``st``."""
    k, s, p, mode, shift = st["k"], st["s"], st["p"], st["mode"], st["shift"]
    X, edge, pooled = reference(k, s, p, mode, shift)
    X0, edge0, pooled0 = reference(k, s, p, mode, 0)
    assert read(widget, "Input X").tolist() == X.tolist()
    assert widget.locator(".cl-call").inner_text() == pool_call(mode, k, s, p)
    assert widget.locator('[data-cell="changed-input"]').inner_text() == (
        f"{int((X != X0).sum())} of 64"
    )
    assert widget.locator('[data-cell="changed-edge"]').inner_text() == (
        f"{int((edge != edge0).sum())} of 56"
    )
    if pooled is None:
        assert widget.get_by_role("alert").inner_text() == pool_problem((8, 7), k, p)
        assert widget.locator(".cl-output table").count() == 0
        assert read(widget, "Edge map").tolist() == edge.tolist()
        return
    assert widget.get_by_role("alert").is_hidden()
    caption = "Pooled P"
    # The page rounds to 3 decimals, half up (0.0625 shows as 0.063): compare the text.
    texts = table(widget, caption).evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => c.textContent))"
    )
    assert texts == [[format_number(v) for v in row] for row in pooled.tolist()]
    torch.testing.assert_close(read(widget, caption), pooled, atol=6e-4, rtol=0)
    changed = int((pooled != pooled0).sum())
    assert widget.locator('[data-cell="changed-pooled"]').inner_text() == (
        f"{changed} of {pooled.numel()}"
    )
    assert cells_with(widget, caption, "cl-changed") == {
        tuple(ij) for ij in (pooled != pooled0).nonzero().tolist()
    }
    # The window at the slider's position, marked on both maps after any redraw.
    r = explore_pooling(k, s, p, mode, shift, int(slider(widget, "Window position").input_value()))
    assert cells_with(widget, caption, "cl-on") == {(r.row, r.col)}
    assert cells_with(widget, "Edge map, padded" if p else "Edge map", "cl-on") == set(r.window)
    fill = float("-inf") if mode == "max" else 0.0
    shown = read(widget, "Edge map, padded" if p else "Edge map")
    assert shown.tolist() == F.pad(edge, (p, p, p, p), value=fill).tolist()
    # The PyTorch layer printed on the page computes the same pooled map.
    layer = eval(pool_call(mode, k, s, p), {"nn": nn})  # noqa: S307 (text we generate)
    torch.testing.assert_close(layer(edge[None, None])[0, 0], pooled)


def move(widget, st: dict, label: str, value: int) -> None:
    slider(widget, label).fill(str(value))
    st[SLIDERS[label]] = value


def test_opens_with_a_2x2_max_pool(pooling):
    assert read(pooling, "Pooled P").tolist() == [[0, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 0]]
    assert pooling.locator(".cl-sum").inner_text() == "P[0, 0] = max(0, 0, 0, 0) = 0"
    check_page(pooling, dict(DEFAULTS))


def test_every_control_recomputes(pooling):
    st = dict(DEFAULTS)
    moves = [
        ("Shift right", 1),
        ("Window size", 3),
        ("Stride", 1),
        ("Padding", 1),
        ("Shift right", 3),
        ("mode", "mean"),
        ("Window size", 4),
        ("Stride", 4),
        ("Padding", 2),
        ("Shift right", 2),
        ("mode", "max"),
        ("Window size", 8),
        ("Padding", 4),
        ("Stride", 3),
        ("Shift right", 0),
    ]
    for label, value in moves:
        if label == "mode":
            pooling.get_by_label("mean (average)" if value == "mean" else "max", exact=True).check()
            st["mode"] = value
        else:
            move(pooling, st, label, value)
            assert slider(pooling, label).input_value() == str(value)
        check_page(pooling, st)


def test_a_one_pixel_shift_is_absorbed_by_a_3x3_pool(pooling):
    st = dict(DEFAULTS)
    move(pooling, st, "Window size", 3)
    move(pooling, st, "Stride", 3)
    move(pooling, st, "Shift right", 1)
    check_page(pooling, st)
    assert pooling.locator('[data-cell="changed-edge"]').inner_text() == "12 of 56"
    assert pooling.locator('[data-cell="changed-pooled"]').inner_text() == "0 of 4"


def test_hover_and_window_position(pooling):
    st = dict(DEFAULTS)
    move(pooling, st, "Padding", 1)
    pooling.get_by_label("mean (average)", exact=True).check()
    pooling.locator(".cl-output td").nth(5).hover()  # 5×4 output: row 1, column 1
    r = explore_pooling(2, 2, 1, "mean", 0, position=5)
    assert cells_with(pooling, "Pooled P", "cl-on") == {(r.row, r.col)} == {(1, 1)}
    assert cells_with(pooling, "Edge map, padded", "cl-on") == set(r.window)
    assert pooling.locator(".cl-sum").inner_text() == r.text
    assert slider(pooling, "Window position").input_value() == "5"
    for position in (0, 7, 19):
        slider(pooling, "Window position").fill(str(position))
        r = explore_pooling(2, 2, 1, "mean", 0, position=position)
        assert cells_with(pooling, "Edge map, padded", "cl-on") == set(r.window)
        assert pooling.locator(".cl-sum").inner_text() == r.text
    pooling.get_by_label("max", exact=True).check()
    # Max pooling pads with −∞: the corner window shows it.
    slider(pooling, "Window position").fill("0")
    assert pooling.locator(".cl-sum").inner_text() == "P[0, 0] = max(−∞, −∞, −∞, 0) = 0"


def test_impossible_settings_are_explained(pooling):
    st = dict(DEFAULTS)
    move(pooling, st, "Padding", 2)  # 2 > 2/2
    text = pooling.get_by_role("alert").inner_text()
    assert text.startswith("Padding 2 is more than half the window 2")
    check_page(pooling, st)
    assert pooling.get_by_label("Window position", exact=True).is_disabled()
    move(pooling, st, "Padding", 0)
    move(pooling, st, "Window size", 8)  # 8 > 7 columns
    assert "n + 2p = 7 + 2·0 = 7" in pooling.get_by_role("alert").inner_text()
    check_page(pooling, st)
    move(pooling, st, "Padding", 1)  # now it fits: 7 + 2 = 9 ≥ 8
    check_page(pooling, st)
