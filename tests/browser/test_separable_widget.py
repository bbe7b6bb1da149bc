"""The separable-cost widget on the chapter page shows what convlab and PyTorch count."""

from __future__ import annotations

import pytest
from torch import nn
from widgetpage import cell, open_widget, shown, slider, whole_number

from convlab import counting
from convlab.widgets.separable import (
    CHANNELS,
    SIZES,
    groups_kind,
    groups_problem,
    groups_rule,
    ratio_text,
    valid_groups,
)

pytestmark = pytest.mark.browser
CHAPTER = "book/ch07_depthwise_separable.html"


@pytest.fixture
def widget(page):
    return open_widget(page, CHAPTER, ".cl-separable")


def n_params(*layers: nn.Module) -> int:
    return sum(p.numel() for layer in layers for p in layer.parameters())


def check_numbers(widget, m, n, k, size, groups):
    """Every number on show equals convlab's counts and PyTorch's layers."""
    standard = nn.Conv2d(m, n, k, bias=False, device="meta")
    depthwise = nn.Conv2d(m, m, k, groups=m, bias=False, device="meta")
    pointwise = nn.Conv2d(m, n, 1, bias=False, device="meta")
    assert whole_number(cell(widget, "std-params")) == n_params(standard)
    assert whole_number(cell(widget, "sep-params")) == n_params(depthwise, pointwise)
    assert whole_number(cell(widget, "std-macs")) == counting.conv2d_macs(m, n, k, size)
    assert whole_number(cell(widget, "sep-macs")) == counting.separable_macs(m, n, k, size)
    dw = counting.conv2d_macs(m, m, k, size, groups=m)
    pw = counting.conv2d_macs(m, n, 1, size)
    assert cell(widget, "sep-macs-split") == f"= depthwise {dw:,} + pointwise {pw:,}"
    assert cell(widget, "ratio") == ratio_text(n, k)
    assert cell(widget, "groups-rule") == groups_rule(m, n)
    problem = groups_problem(m, n, groups)
    if problem is None:
        grouped = nn.Conv2d(m, n, k, groups=groups, bias=False, device="meta")
        assert whole_number(cell(widget, "grp-params")) == n_params(grouped)
        assert whole_number(cell(widget, "grp-macs")) == counting.conv2d_macs(m, n, k, size, groups)
        assert cell(widget, "grp-macs-label") == f"groups = {groups} ({groups_kind(m, groups)})"
        assert shown(widget, "Groups") == f"{groups} ({groups_kind(m, groups)})"
        assert widget.get_by_role("alert").is_hidden()
    else:
        assert cell(widget, "grp-macs") == cell(widget, "grp-params") == "—"
        assert widget.get_by_role("alert").inner_text() == problem
        assert shown(widget, "Groups") == f"{groups} ✗"
    hw = f"{size}·{size}"
    assert cell(widget, "std-formula") == (
        f"standard: k·k·m·n·h′·w′ = {k}·{k}·{m}·{n}·{hw} = {counting.conv2d_macs(m, n, k, size):,}"
    )


def test_opens_on_an_early_mobilenet_layer(widget):
    assert shown(widget, "Input channels m") == "32"
    assert shown(widget, "Output channels n") == "64"
    assert cell(widget, "std-macs") == "231,211,008"
    assert cell(widget, "sep-macs") == "29,302,784"
    assert cell(widget, "sep-params") == "2,336"
    assert cell(widget, "ratio") == "1/n + 1/k² = 1/64 + 1/9 = 0.0156 + 0.111 = 0.127, 7.89× fewer"
    check_numbers(widget, 32, 64, 3, 112, 1)


def test_every_slider_recomputes(widget):
    setting = {"m": 32, "n": 64, "k": 3, "size": 112, "groups": 1}
    moves = [
        ("Input channels m", "m", CHANNELS, [2, 16, 10, 12]),  # 3, 512, 32, 64
        ("Output channels n", "n", CHANNELS, [6, 0, 16, 12]),  # 10, 1, 512, 64
        ("Kernel size k", "k", None, [1, 7, 5]),
        ("Output size h′ = w′", "size", SIZES, [0, 8, 7, 3]),
    ]
    for label, key, values, positions in moves:
        for position in positions:
            slider(widget, label).fill(str(position))
            setting[key] = values[position] if values else position
            check_numbers(widget, **setting)
        assert shown(widget, label) == str(setting[key])
    # m = n = 64: the groups slider offers 1, 2, 4, …, 64, and nothing else.
    valid = valid_groups(setting["m"], setting["n"])
    assert valid == [1, 2, 4, 8, 16, 32, 64]
    assert slider(widget, "Groups").get_attribute("max") == str(len(valid) - 1)
    for position in range(len(valid)):
        slider(widget, "Groups").fill(str(position))
        setting["groups"] = valid[position]
        check_numbers(widget, **setting)
    assert shown(widget, "Groups") == "64 (depthwise)"


def test_notes_layer_3_to_10_channels_on_126(widget):
    slider(widget, "Input channels m").fill("2")  # 3
    slider(widget, "Output channels n").fill("6")  # 10
    slider(widget, "Output size h′ = w′").fill("7")  # 126
    assert cell(widget, "sep-macs") == "904,932"
    assert cell(widget, "sep-params") == "57"  # 3·3·3 + 3·10
    # gcd(3, 10) = 1: only the standard convolution is possible.
    assert slider(widget, "Groups").get_attribute("max") == "0"
    assert cell(widget, "groups-rule").endswith(
        "Depthwise (groups = m = 3) would need n to be a multiple of 3."
    )


def test_groups_that_no_longer_divide_are_explained(widget):
    slider(widget, "Input channels m").fill("5")  # 8
    slider(widget, "Output channels n").fill("5")  # 8
    slider(widget, "Groups").fill("3")  # of 1, 2, 4, 8: depthwise
    check_numbers(widget, 8, 8, 3, 112, 8)
    slider(widget, "Input channels m").fill("4")  # 6: groups = 8 no longer divides m
    alert = widget.get_by_role("alert")
    assert alert.inner_text() == groups_problem(6, 8, 8)
    assert alert.inner_text().startswith("groups = 8 does not divide m = 6 (6 / 8 is not whole)")
    assert "Pick one of 1, 2." in alert.inner_text()
    check_numbers(widget, 6, 8, 3, 112, 8)
    slider(widget, "Groups").fill("1")  # of 1, 2
    assert alert.is_hidden()
    check_numbers(widget, 6, 8, 3, 112, 2)
