"""The digit drawer (chapter 10) in Chromium: drawn with the mouse and by touch, started
from each test digit by keyboard, its probabilities equal to Python's (read_digit, which
equals PyTorch's forward pass) to 1e-5, its maps redrawn while the pen moves, its labels.

The widget is shown on a page of its own (``widgetpage.standalone_page``: the book's
widget host, the state as Jupyter Book embeds it), so these tests need no book build;
the last test opens chapter 10's page and checks its drawer with the weights it holds.
"""

from __future__ import annotations

from collections import OrderedDict

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from widgetpage import open_widget, standalone_page

from benchmarks.browser import measure_widgets
from convlab.digits import from_bitmap, load_digits
from convlab.widgets import DigitDrawer, read_digit
from convlab.widgets.digits import digit_bitmap, digits_state, picked_digits
from tools.static_server import serving

pytestmark = pytest.mark.browser

# The pad's pixels as 32 rows of 0/1 (ink is dark), and any canvas's red channel.
PAD_JS = """
canvas => {
  const { width, height } = canvas;
  const data = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  return Array.from({ length: height }, (_, i) =>
    Array.from({ length: width }, (_, j) => data[4 * (i * width + j)]));
}
"""


def trained_lenet() -> nn.Sequential:
    """A small LeNet (8 and 16 maps) trained for three epochs from a fixed seed."""
    torch.manual_seed(1)
    network = nn.Sequential(
        OrderedDict(
            conv1=nn.Conv2d(1, 8, 3, padding=1),
            relu1=nn.ReLU(),
            pool1=nn.MaxPool2d(2),
            conv2=nn.Conv2d(8, 16, 3, padding=1),
            relu2=nn.ReLU(),
            pool2=nn.MaxPool2d(2),
            flatten=nn.Flatten(),
            fc=nn.Linear(64, 10),
        )
    )
    digits = load_digits()
    optimiser = torch.optim.Adam(network.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(0)
    for _ in range(3):
        for batch in torch.randperm(len(digits.train_labels), generator=generator).split(32):
            optimiser.zero_grad()
            F.cross_entropy(
                network(digits.train_images[batch]), digits.train_labels[batch]
            ).backward()
            optimiser.step()
    return network.eval()


@pytest.fixture(scope="module")
def network():
    return trained_lenet()


@pytest.fixture(scope="module")
def drawer_site(tmp_path_factory, network):
    """The served folder's URL and the drawer's page in it."""
    folder = tmp_path_factory.mktemp("drawer")
    path = standalone_page({"Draw a digit": DigitDrawer(network)}, folder, "digit_drawer")
    with serving(folder) as url:
        yield url, path


@pytest.fixture(scope="module")
def drawer_url(drawer_site):
    return "".join(drawer_site)


@pytest.fixture
def drawer(browser, drawer_url):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.goto(drawer_url)
    widget = page.locator(".cl-digits")
    widget.wait_for(state="visible", timeout=15_000)
    widget.scroll_into_view_if_needed()
    yield widget
    context.close()
    assert errors == []


def pad_bitmap(widget) -> torch.Tensor:
    levels = torch.tensor(widget.locator("canvas.cl-pad").evaluate(PAD_JS))
    return levels < 128


def page_probabilities(widget) -> torch.Tensor:
    cells = widget.locator("table.cl-probs td.cl-p")
    values = [float(cells.nth(d).get_attribute("data-value")) for d in range(10)]
    return torch.tensor(values, dtype=torch.float64)


def layer_pictures(widget) -> dict[str, str]:
    rows = widget.locator(".cl-layer-row")
    return {
        rows.nth(n).get_attribute("data-layer"): rows.nth(n)
        .locator("canvas")
        .evaluate("c => c.toDataURL()")
        for n in range(rows.count())
    }


def settle(widget) -> None:
    """Wait for the animation frame the page redraws in (and one more)."""
    widget.page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )


def shown_probabilities(widget) -> torch.Tensor:
    """The probabilities as the page prints them: "97.3 %"."""
    texts = widget.locator("table.cl-probs td.cl-p").all_inner_texts()
    return torch.tensor([float(t.removesuffix(" %")) / 100 for t in texts], dtype=torch.float64)


def check_against_python(widget, network, pen_down: bool = False) -> torch.Tensor:
    """The page's drawing, 8 × 8 image and probabilities against Python's for that drawing.

    While the pen is down the page writes the probabilities as text only (to 0.1 %);
    once it is lifted, also in full (data-value), which must equal Python's to 1e-5.
    """
    settle(widget)
    bitmap = pad_bitmap(widget)
    r = read_digit(network, bitmap)
    assert (shown_probabilities(widget) - r.probabilities).abs().max() <= 0.0005 + 1e-9
    if not pen_down:
        assert (page_probabilities(widget) - r.probabilities).abs().max() <= 1e-5
    seen = torch.tensor(widget.locator("canvas.cl-seen").evaluate(PAD_JS), dtype=torch.float64)
    # Ink is drawn dark: level 255 − (255 − 27)·share, rounded.
    expected = (255 + (27 - 255) * r.image[0]).round()
    assert (seen - expected).abs().max() <= 1
    top = widget.locator("tr.cl-top th").inner_text()
    assert int(top) == r.digit
    return bitmap


def stroke(widget, points, steps: int = 6) -> None:
    """Draw through ``points`` (in pixels of the 32 × 32 pad) with the mouse."""
    box = widget.locator("canvas.cl-pad").bounding_box()
    xy = [(box["x"] + x * box["width"] / 32, box["y"] + y * box["height"] / 32) for x, y in points]
    mouse = widget.page.mouse
    mouse.move(*xy[0])
    mouse.down()
    for x, y in xy[1:]:
        mouse.move(x, y, steps=steps)
    mouse.up()


def test_opens_on_the_first_test_digit_as_python_reads_it(drawer, network):
    w = DigitDrawer(network)
    first = picked_digits(w.digits)[0]
    bitmap = check_against_python(drawer, network)
    assert torch.equal(bitmap, digit_bitmap(first))
    assert torch.equal(from_bitmap(bitmap), first)
    r = read_digit(network, bitmap)
    p = 100 * r.probabilities[r.digit].item()
    assert drawer.locator('[data-cell="verdict"]').inner_text() == (
        f"The network reads a {r.digit}, with probability {p:.1f} %."
    )


def test_every_test_digit_by_keyboard(drawer, network):
    images = picked_digits(DigitDrawer(network).digits)
    for d in range(10):
        button = drawer.get_by_role("button", name=f"Start from a test {d}", exact=True)
        button.focus()
        drawer.page.keyboard.press("Enter")
        bitmap = check_against_python(drawer, network)
        assert torch.equal(from_bitmap(bitmap), images[d])


def test_mouse_strokes_redraw_while_drawing_and_equal_python(drawer, network):
    before = layer_pictures(drawer)
    drawer.get_by_role("button", name="Clear").click()
    settle(drawer)
    assert not pad_bitmap(drawer).any()
    assert (
        drawer.locator('[data-cell="verdict"]')
        .inner_text()
        .startswith("The pad is empty; still, the network reads a ")
    )
    blank = page_probabilities(drawer)
    check_against_python(drawer, network)
    # A 7, drawn in two strokes; mid-stroke, the page has already recomputed.
    box = drawer.locator("canvas.cl-pad").bounding_box()
    mouse = drawer.page.mouse
    mouse.move(box["x"] + 6 * 7, box["y"] + 5 * 7)
    mouse.down()
    mouse.move(box["x"] + 26 * 7, box["y"] + 5 * 7, steps=8)
    settle(drawer)
    midway = shown_probabilities(drawer)
    assert (midway - blank).abs().max() > 1e-2  # recomputed before the pen is lifted
    check_against_python(drawer, network, pen_down=True)
    mouse.move(box["x"] + 13 * 7, box["y"] + 29 * 7, steps=10)
    mouse.up()
    bitmap = check_against_python(drawer, network)
    assert bitmap[5, 6:26].all() and bitmap.sum() > 60
    after = layer_pictures(drawer)
    assert after.keys() == before.keys()
    assert all(after[name] != before[name] for name in after), "every layer was redrawn"
    stroke(drawer, [(10, 16), (22, 16)])  # a bar across: a 7 with a crossbar
    check_against_python(drawer, network)


def test_the_pen_width_slider(drawer, network):
    counts = {}
    for width in (1, 5):
        drawer.get_by_role("button", name="Clear").click()
        drawer.get_by_label("Pen width").fill(str(width))
        stroke(drawer, [(4, 20), (28, 12)])
        counts[width] = int(check_against_python(drawer, network).sum())
    assert 20 <= counts[1] < counts[5] and counts[5] >= 3 * counts[1]


def test_a_finger_draws_too(drawer, network):
    drawer.get_by_role("button", name="Clear").click()
    box = drawer.locator("canvas.cl-pad").bounding_box()
    cdp = drawer.page.context.new_cdp_session(drawer.page)
    points = [(8 + 2 * n, 4 + 3 * n) for n in range(9)]
    kinds = ["touchStart"] + ["touchMove"] * (len(points) - 1)
    for kind, (x, y) in zip(kinds, points, strict=True):
        at = {"x": box["x"] + x * 7, "y": box["y"] + y * 7}
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [at]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    bitmap = check_against_python(drawer, network)
    assert bitmap[4, 8] and bitmap[28, 24] and bitmap.sum() > 40


def test_what_a_screen_reader_is_told(drawer, network):
    pad = drawer.get_by_role("img", name="Drawing pad, 32 by 32 pixels", exact=False)
    assert pad.evaluate("el => el.tagName") == "CANVAS"
    assert drawer.get_by_role("img", name="The drawing as the network sees it: 8 by 8 pixels")
    assert drawer.get_by_label("Pen width").get_attribute("type") == "range"
    picks = drawer.get_by_role("group", name="Test digits to start from")
    assert picks.get_by_role("button").count() == 10
    assert drawer.locator("h1, h2, h3, h4, h5, h6").count() == 0  # no heading of its own
    table = drawer.get_by_role("table", name="Probability of each digit")
    assert table.locator("th").all_inner_texts() == [str(d) for d in range(10)]
    assert drawer.locator('[data-cell="verdict"]').get_attribute("aria-live") == "polite"
    rows = drawer.locator(".cl-layer-row")
    labels = [rows.nth(n).get_attribute("aria-label") for n in range(rows.count())]
    assert labels == [
        "conv1: convolution 3×3, padding 1 → 8 maps 8×8",
        "relu1: ReLU → 8 maps 8×8",
        "pool1: max pooling 2×2 → 8 maps 4×4",
        "conv2: convolution 3×3, padding 1 → 16 maps 4×4",
        "relu2: ReLU → 16 maps 4×4",
        "pool2: max pooling 2×2 → 16 maps 2×2",
        "fc: linear → 10 scores, one per digit",
    ]
    assert all(r.get_attribute("role") == "img" for r in rows.all())


def test_the_benchmark_times_strokes(browser, drawer_site):
    site, path = drawer_site
    (result,) = measure_widgets(browser, site, [path], moves=30, block_external=True)
    assert result.errors == [] and result.kind == "cl-digits"
    assert result.slider == "stroke on drawing pad"
    assert len(result.frame_ms) == len(result.script_ms) == len(result.waited_ms) == 30
    assert all(f >= s >= 0 for f, s in zip(result.frame_ms, result.script_ms, strict=True))
    assert result.redrawn >= 25  # every move inks pixels: the pad is cleared between strokes


# The network a page's drawer runs: the `network` trait of its state, as the book embeds it.
PAGE_NETWORK_JS = """
() => {
  const tag = document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]');
  const models = Object.values(JSON.parse(tag.textContent).state);
  return models.map((m) => m.state).find((s) => s.network && s.bitmap).network;
}
"""


def test_chapter_10s_drawer_reads_as_python_with_the_pages_own_weights(page):
    widget = open_widget(page, "book/ch10_a_whole_network.html", ".cl-digits")
    widget.scroll_into_view_if_needed()
    network = page.evaluate(PAGE_NETWORK_JS)  # the trained LeNet, as the page holds it
    assert [layer["name"] for layer in network["layers"]][:3] == ["conv1", "relu1", "pool1"]
    images = picked_digits(digits_state())  # the test digits the drawer offers by default
    right = 0
    for d in range(10):
        widget.get_by_role("button", name=f"Start from a test {d}", exact=True).click()
        bitmap = check_against_python(widget, network)
        assert torch.equal(from_bitmap(bitmap), images[d])
        right += read_digit(network, bitmap).digit == d
    assert right >= 9  # the chapter's network reads its test digits
    stroke(widget, [(8, 5), (24, 5), (13, 29)])  # a 7, drawn over the 9
    check_against_python(widget, network)
