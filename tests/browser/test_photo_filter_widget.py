"""The photograph widget (chapters 2 and 4) recomputes in the browser as Python does, for
every control: the drawn pixels, the sizes, the texts and the value under the pointer."""

from __future__ import annotations

import pytest
import torch
from widgetpage import open_widget, slider

from convlab.widgets.photo import filter_photo, photo_levels
from convlab.widgets.text import format_number

pytestmark = pytest.mark.browser
KERNELS = {
    "blur": "blur",
    "sharpen": "sharpen",
    "sobel_x": "Sobel x",
    "sobel_y": "Sobel y",
    "magnitude": "edge magnitude",
}
SLIDERS = {"Blur size k": "size", "Stride s": "stride", "Padding p": "padding"}

# The red channel of the image drawn on a canvas, as rows of grey levels. The canvas
# keeps the size of the largest image; the drawn one fills its top-left corner.
PIXELS_JS = """
canvas => {
  const [width, height] = [Number(canvas.dataset.cols), Number(canvas.dataset.rows)];
  const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  const rows = [];
  for (let i = 0; i < height; i++) {
    const row = [];
    for (let j = 0; j < width; j++) row.push(data[4 * (i * width + j)]);
    rows.push(row);
  }
  return rows;
}
"""


def pixels(widget, n: int) -> torch.Tensor:
    """The grey levels drawn on canvas ``n`` (0: the padded input, 1: the output)."""
    canvas = widget.locator("canvas").nth(n)
    return torch.tensor(canvas.evaluate(PIXELS_JS), dtype=torch.int16)


def check_page(widget, st: dict) -> None:
    """Every number the widget shows, against Python for the settings ``st``."""
    r = filter_photo(st["kernel"], st["size"], st["stride"], st["padding"])
    m_h, m_w = r.Y.shape
    p = st["padding"]
    assert widget.locator("figcaption").nth(1).inner_text() == f"Output Y: {m_h}×{m_w}"
    assert widget.locator("figcaption").nth(0).inner_text() == (
        f"Input, padded: {100 + 2 * p}×{150 + 2 * p}"
    )
    drawn = pixels(widget, 1)
    assert drawn.shape == (m_h, m_w)
    # The page and Python may round a value on a level boundary differently: ±1.
    assert (drawn - r.levels.to(torch.int16)).abs().max() <= 1
    padded = torch.zeros(100 + 2 * p, 150 + 2 * p, dtype=torch.int16)
    padded[p : p + 100, p : p + 150] = photo_levels().to(torch.int16)
    assert torch.equal(pixels(widget, 0), padded)
    assert widget.locator('[data-cell="formula"]').inner_text() == r.formula
    assert widget.locator(".cl-call").inner_text() == r.call
    assert slider(widget, "Blur size k").is_disabled() == (st["kernel"] != "blur")
    # The centre pixel is read out until the pointer moves over the output.
    i, j = m_h // 2, m_w // 2
    value = format_number(r.Y[i, j].item()).replace("-", "−")
    assert (
        widget.locator('[data-cell="readout"]').inner_text().startswith(f"Y[{i}, {j}] = {value}: ")
    )


def hover(widget, i: int, j: int) -> None:
    """Move the pointer to the middle of output pixel (i, j)."""
    canvas = widget.locator("canvas").nth(1)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    scale = box["width"] / canvas.evaluate("c => c.width")  # CSS pixels per image pixel
    # Chromium delivers the pointer at whole CSS pixels: the one nearest the middle
    # of a pixel more than 1 CSS pixel wide lies inside it.
    x = round(box["x"] + (j + 0.5) * scale)
    y = round(box["y"] + (i + 0.5) * scale)
    widget.page.mouse.move(x, y)


@pytest.fixture
def photo(page):
    return open_widget(page, "book/ch02_cross_correlation.html", ".cl-photo")


def test_opens_on_a_3x3_blur(photo):
    st = {"kernel": "blur", "size": 3, "stride": 1, "padding": 0}
    check_page(photo, st)
    assert photo.get_by_label("blur", exact=True).is_checked()
    assert photo.locator(".cl-kernels td").count() == 9


def test_every_control_recomputes(photo):
    st = {"kernel": "blur", "size": 3, "stride": 1, "padding": 0}
    moves = [
        ("Blur size k", 9),
        ("Padding p", 4),
        ("Stride s", 3),
        ("Blur size k", 1),
        ("kernel", "sharpen"),
        ("Padding p", 1),
        ("kernel", "sobel_x"),
        ("Stride s", 2),
        ("kernel", "sobel_y"),
        ("Padding p", 0),
        ("kernel", "magnitude"),
        ("Stride s", 4),
        ("Padding p", 2),
        ("kernel", "blur"),
        ("Blur size k", 6),
        ("Stride s", 1),
    ]
    for label, value in moves:
        if label == "kernel":
            photo.get_by_label(KERNELS[value], exact=True).check()
        else:
            slider(photo, label).fill(str(value))
            assert slider(photo, label).input_value() == str(value)
        st[SLIDERS.get(label, "kernel")] = value
        check_page(photo, st)


def test_the_kernel_is_shown_in_numbers(photo):
    assert photo.locator(".cl-kernels caption").all_inner_texts() == ["Kernel K"]
    assert photo.locator(".cl-kernels td").first.inner_text() == "0.111"
    slider(photo, "Blur size k").fill("9")
    text = photo.locator(".cl-kernel-text").inner_text()
    assert text == "Kernel K: 9×9, every weight 1/81 ≈ 0.012"
    photo.get_by_label("edge magnitude", exact=True).check()
    captions = photo.locator(".cl-kernels caption").all_inner_texts()
    assert captions == ["K_x (Sobel x)", "K_y (Sobel y)"]
    tables = photo.locator(".cl-kernels table")
    sobel_x = [tables.nth(0).locator("td").nth(n).inner_text() for n in range(9)]
    assert sobel_x == ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]


def test_hovering_reads_a_pixel_and_outlines_its_window(photo):
    photo.get_by_label("Sobel y", exact=True).check()
    slider(photo, "Stride s").fill("2")
    slider(photo, "Padding p").fill("1")
    r = filter_photo("sobel_y", 3, 2, 1)
    rows, cols = r.Y.shape
    for i, j in [(0, 0), (7, 30), (rows - 1, cols - 1), (25, 3)]:
        hover(photo, i, j)
        value = format_number(r.Y[i, j].item()).replace("-", "−")
        top, left = 2 * i, 2 * j
        assert photo.locator('[data-cell="readout"]').inner_text() == (
            f"Y[{i}, {j}] = {value}: the 3×3 window at rows {top}–{top + 2}, "
            f"columns {left}–{left + 2} of the padded input"
        )
        window = photo.locator(".cl-window")
        box, frame = window.bounding_box(), photo.locator("canvas").nth(0).bounding_box()
        scale = frame["width"] / photo.locator("canvas").nth(0).evaluate("c => c.width")
        assert box["x"] - frame["x"] == pytest.approx(left * scale, abs=1)
        assert box["y"] - frame["y"] == pytest.approx(top * scale, abs=1)
        assert box["width"] == pytest.approx(3 * scale, abs=1)


def test_chapter_4_opens_on_a_padded_7x7_blur(page):
    widget = open_widget(page, "book/ch04_padding_and_stride.html", ".cl-photo")
    st = {"kernel": "blur", "size": 7, "stride": 1, "padding": 3}
    check_page(widget, st)
    # Zero padding darkens the border: the corner is about 16/49 of its pixels' mean.
    r = filter_photo("blur", 7, 1, 3)
    corner = r.X[:4, :4].mean().item()
    assert r.Y[0, 0].item() == pytest.approx(corner * 16 / 49, abs=1e-12)
    assert pixels(widget, 1)[0, 0].item() == pytest.approx(255 * corner * 16 / 49, abs=1)
