"""The parameter counter on the chapter page shows what convlab and PyTorch count."""

from __future__ import annotations

import pytest
from torch import nn
from widgetpage import cell, open_widget, shown, slider, whole_number

from convlab import counting
from convlab.widgets.params import SIDES, UNITS, count, format_ratio, size_problem

pytestmark = pytest.mark.browser
CHAPTER = "book/ch01_dense_to_convolution.html"


@pytest.fixture
def counter(page):
    return open_widget(page, CHAPTER, ".cl-params")


def n_params(layer: nn.Module) -> int:
    return sum(p.numel() for p in layer.parameters())


def check_numbers(widget, side, channels, hidden, out_channels, kernel):
    """Every number on show equals convlab's count and PyTorch's layers."""
    expected = count(side, channels, hidden, out_channels, kernel)
    # "meta" layers have shapes but no storage: a 4096-unit layer costs nothing here.
    dense = n_params(nn.Linear(channels * side * side, hidden, device="meta"))
    assert whole_number(cell(widget, "dense-params")) == expected.dense == dense
    assert cell(widget, "dense-memory") == counting.format_bytes(4 * dense)
    assert cell(widget, "dense-formula") == (
        f"dense: c·n²·H + H = {channels}·{side}²·{hidden} + {hidden} = {dense:,}"
    )
    conv = n_params(nn.Conv2d(channels, out_channels, kernel, device="meta"))
    assert whole_number(cell(widget, "conv-params")) == expected.conv == conv
    assert cell(widget, "conv-memory") == counting.format_bytes(4 * conv)
    assert cell(widget, "ratio") == format_ratio(dense, conv)
    assert cell(widget, "conv-formula") == (
        f"convolutional: cₒ·c·k² + cₒ = {out_channels}·{channels}·{kernel}² + {out_channels}"
        f" = {conv:,}"
    )


def test_opens_on_the_notes_photo(counter):
    assert shown(counter, "Image side") == "3464 px"
    assert shown(counter, "Colour channels") == "3 (RGB)"
    assert cell(counter, "dense-params") == "3,599,788,900"
    assert cell(counter, "dense-memory") == "14.4 GB"
    assert cell(counter, "conv-params") == "2,800"
    check_numbers(counter, 3464, 3, 100, 100, 3)
    assert counter.get_by_role("alert").is_hidden()
    names = counter.locator("path.cl-series").evaluate_all("ps => ps.map(p => p.dataset.name)")
    assert names == ["dense layer", "convolutional layer", "this image (3464 px)"]


def test_every_slider_recomputes(counter):
    setting = {"side": 3464, "channels": 3, "hidden": 100, "out_channels": 100, "kernel": 3}
    moves = [
        ("Image side", "side", SIDES, [0, 7, 10, 14]),
        ("Colour channels", "channels", None, [1, 4, 2]),
        ("Hidden units", "hidden", UNITS, [0, 13, 16, 5]),
        ("Output channels", "out_channels", UNITS, [16, 0, 8]),
        ("Kernel size", "kernel", None, [1, 15, 7]),
    ]
    for label, key, values, positions in moves:
        for position in positions:
            slider(counter, label).fill(str(position))
            setting[key] = values[position] if values else position
            check_numbers(counter, **setting)
        text = shown(counter, label)
        assert text.split()[0] == str(setting[key])


def test_the_marker_follows_the_image_side(counter):
    """Moving the side redraws the chart in place: the marker must still move."""

    def xs(name: str) -> list[float]:
        d = counter.locator(f'path.cl-series[data-name="{name}"]').get_attribute("d")
        numbers = [
            float(v) for v in d.replace("M", " ").replace("L", " ").replace(",", " ").split()
        ]
        return numbers[0::2]

    for position in (0, 9, 3):
        slider(counter, "Image side").fill(str(position))
        side = SIDES[position]
        marker = xs(f"this image ({side} px)")
        # The dense curve has a point at every side; the marker stands on this one.
        assert marker == pytest.approx([xs("dense layer")[position]] * 2, abs=0.01)


def test_chart_axis_shows_sides_and_powers_of_ten(counter):
    ticks = counter.locator(".cl-axes text").all_text_contents()
    assert {"16", "64", "256", "1024", "4096"} <= set(ticks)
    assert "10⁹" in ticks


def test_a_kernel_larger_than_the_image_is_explained(counter):
    slider(counter, "Image side").fill("0")  # 8 px
    slider(counter, "Kernel size").fill("9")
    alert = counter.get_by_role("alert")
    assert alert.inner_text() == size_problem(8, 9)
    assert cell(counter, "conv-params") == cell(counter, "ratio") == "—"
    assert cell(counter, "conv-formula").endswith("but the kernel does not fit")
    assert whole_number(cell(counter, "dense-params")) == count(8, 3, 100, 100, 9).dense
    slider(counter, "Kernel size").fill("8")
    assert alert.is_hidden()
    check_numbers(counter, 8, 3, 100, 100, 8)
