"""The multi-channel convolution (chapter 5) recomputes in the browser exactly as
PyTorch and convlab do, for every slider."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from widgetpage import cell, open_widget, read_table, shown, slider

from convlab import counting, kernels
from convlab.widgets.channels import channel_input, channel_weights, channels_problem

pytestmark = pytest.mark.browser
CHAPTER = "book/ch05_channels.html"
NOTES_Y = [
    [[268, 296], [352, 380]],
    [[320, 356], [428, 464]],
    [[372, 416], [504, 548]],
]
# Slider label -> setting.
SLIDERS = {
    "Input channels c_i": "ci",
    "Output channels c_o": "co",
    "Kernel size k": "k",
    "Input size n": "n",
    "Bias b": "bias",
}
DEFAULTS = {"ci": 2, "co": 3, "k": 2, "n": 3, "bias": 0}


@pytest.fixture
def widget(page):
    return open_widget(page, CHAPTER, ".cl-channels")


def move(widget, settings: dict, label: str, value: int) -> None:
    slider(widget, label).fill(str(value))
    settings[SLIDERS[label]] = value


def check_page(widget, s: dict) -> None:
    """Every number and line of the widget against PyTorch / convlab for settings ``s``."""
    ci, co, k, n, bias = s["ci"], s["co"], s["k"], s["n"], s["bias"]
    for label, key in SLIDERS.items():
        assert shown(widget, label) == str(s[key])
    X = torch.tensor(channel_input(ci, n), dtype=torch.float64)
    W = torch.tensor(channel_weights(co, ci, k), dtype=torch.float64)
    b = torch.full((co,), float(bias), dtype=torch.float64)
    for c in range(ci):
        assert read_table(widget, f"X[{c}]").tolist() == X[c].tolist()
    assert widget.locator(".cl-inputs table").count() == ci
    for o in range(co):
        for c in range(ci):
            assert read_table(widget, f"W[{o}, {c}]").tolist() == W[o, c].tolist()
    layer = nn.Conv2d(ci, co, k, device="meta")
    params = sum(p.numel() for p in layer.parameters())
    assert cell(widget, "weight") == (
        f"Weight shape (c_o, c_i, k_h, k_w) = {tuple(layer.weight.shape)}"
    )
    assert cell(widget, "params") == (
        f"Parameters = c_o·c_i·k_h·k_w + c_o = {co}·{ci}·{k}·{k} + {co} = {params:,}"
    )
    problem = channels_problem(n, k)
    if problem:
        assert widget.get_by_role("alert").inner_text() == problem
        assert widget.locator(".cl-empty").count() == co
        assert widget.locator(".cl-out-channel table").count() == co * ci  # kernels only
        assert cell(widget, "macs") == "Multiply-adds: none, there is no output"
        return
    assert widget.get_by_role("alert").is_hidden()
    expected = F.conv2d(X[None], W, b)[0]
    torch.testing.assert_close(expected, kernels.conv2d(X, W, b))
    m = n - k + 1
    macs = counting.counted_multiply_adds(ci, co, k, n)
    assert macs == counting.conv2d_macs(ci, co, k, m)
    assert cell(widget, "macs") == (
        f"Multiply-adds = c_o·c_i·k_h·k_w·m_h·m_w = {co}·{ci}·{k}·{k}·{m}·{m} = {macs:,}"
    )
    assert cell(widget, "output").startswith(f"Output shape (c_o, m_h, m_w) = ({co}, {m}, {m})")
    for o in range(co):
        torch.testing.assert_close(read_table(widget, f"Y[{o}]"), expected[o])
        assert read_table(widget, f"b[{o}]").tolist() == [[bias]]
        total = torch.zeros(m, m, dtype=torch.float64)
        for c in range(ci):
            partial = read_table(widget, f"X[{c}] ⋆ W[{o}, {c}]")
            torch.testing.assert_close(partial, kernels.corr2d(X[c], W[o, c]))
            total += partial
        torch.testing.assert_close(total + bias, expected[o])


def test_opens_on_the_notes_example(widget):
    for o in range(3):
        assert read_table(widget, f"Y[{o}]").tolist() == NOTES_Y[o]
    assert read_table(widget, "X[0] ⋆ W[0, 0]").tolist() == [[19, 25], [37, 43]]
    check_page(widget, dict(DEFAULTS))


def test_every_slider_recomputes(widget):
    settings = dict(DEFAULTS)
    moves = [
        ("Input channels c_i", 3),
        ("Output channels c_o", 1),
        ("Kernel size k", 3),
        ("Input size n", 5),
        ("Bias b", -4),
        ("Output channels c_o", 3),
        ("Input channels c_i", 1),
        ("Kernel size k", 1),
        ("Bias b", 5),
        ("Input size n", 2),
        ("Input channels c_i", 3),
        ("Kernel size k", 3),
        ("Input size n", 5),
    ]
    for label, value in moves:
        move(widget, settings, label, value)
        assert slider(widget, label).input_value() == str(value)
        check_page(widget, settings)


def test_an_impossible_combination_is_explained(widget):
    settings = dict(DEFAULTS)
    move(widget, settings, "Kernel size k", 3)
    move(widget, settings, "Input size n", 2)
    alert = widget.get_by_role("alert")
    assert alert.inner_text() == channels_problem(2, 3)
    assert "m = n − k + 1 = 2 − 3 + 1 = 0" in alert.inner_text()
    check_page(widget, settings)
    move(widget, settings, "Input size n", 3)  # 3×3 kernel on 3×3: fits again
    assert alert.is_hidden()
    check_page(widget, settings)
