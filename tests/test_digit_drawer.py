"""The digit drawer (chapter 10): its compute function against the network's own PyTorch
forward pass, its browser maths (the network's forward pass, the drawing, the kernels
it runs on) against PyTorch and Python, and what it refuses."""

from __future__ import annotations

import base64
import math
import re
from collections import OrderedDict
from functools import cache

import pytest
import torch
import torch.nn.functional as F
from jsmath import run_js
from torch import nn

from convlab import layers
from convlab.digits import from_bitmap, load_digits
from convlab.widgets import DigitDrawer, read_digit
from convlab.widgets.digits import (
    DITHER,
    bitmap_rows,
    digit_bitmap,
    digits_state,
    network_state,
    picked_digits,
)

# --- Networks to read digits with ----------------------------------------------------------


def lenet_like(
    kind: str = "convlab",
    separable: bool = False,
    pool: str = "max",
    bias: bool = True,
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
) -> nn.Sequential:
    """LeNet for 8 × 8 digits (conv, ReLU, pool, twice, then linear), built here from
    ``convlab.layers`` or ``torch.nn`` with PyTorch's initialisation from ``seed``."""
    conv = layers.Conv2d if kind == "convlab" else nn.Conv2d
    pooling = {
        ("convlab", "max"): layers.MaxPool2d,
        ("convlab", "mean"): layers.AvgPool2d,
        ("torch", "max"): nn.MaxPool2d,
        ("torch", "mean"): nn.AvgPool2d,
    }[kind, pool]
    torch.manual_seed(seed)
    parts = [("conv1", conv(1, 8, 3, padding=1, bias=bias)), ("relu1", nn.ReLU())]
    parts.append(("pool1", pooling(2)))
    if separable:
        parts.append(("depthwise2", conv(8, 8, 3, padding=1, groups=8, bias=bias)))
        parts.append(("pointwise2", conv(8, 16, 1, bias=bias)))
    else:
        parts.append(("conv2", conv(8, 16, 3, padding=1, bias=bias)))
    parts += [("relu2", nn.ReLU()), ("pool2", pooling(2)), ("flatten", nn.Flatten())]
    parts.append(("fc", nn.Linear(64, 10, bias=bias)))
    return nn.Sequential(OrderedDict(parts)).to(dtype)


def odd_network() -> nn.Sequential:
    """Other layers the drawer follows: a strided 'valid' convolution, overlapping
    padded average pooling, a rectangular kernel and a two-layer head."""
    torch.manual_seed(3)
    return nn.Sequential(
        nn.Conv2d(1, 6, (3, 2), stride=(1, 2), padding=(1, 0)),
        nn.ReLU(),
        nn.AvgPool2d(3, stride=1, padding=1),
        nn.Conv2d(6, 4, 2, stride=2, padding="valid"),
        nn.MaxPool2d((2, 1), padding=(1, 0)),
        nn.Flatten(),
        nn.Linear(4 * 3 * 2, 12),
        nn.ReLU(),
        nn.Linear(12, 10),
    )


@cache
def trained() -> nn.Sequential:
    """A LeNet trained for three epochs (a fixed seed): real, peaked probabilities."""
    digits = load_digits()
    network = lenet_like("torch", seed=1)
    optimiser = torch.optim.Adam(network.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(0)
    for _ in range(3):
        order = torch.randperm(len(digits.train_labels), generator=generator)
        for batch in order.split(32):
            optimiser.zero_grad()
            loss = F.cross_entropy(network(digits.train_images[batch]), digits.train_labels[batch])
            loss.backward()
            optimiser.step()
    network.eval()
    return network


def torch_layers(network: nn.Sequential, image: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every layer's output, by PyTorch: the network itself, one child at a time."""
    out, maps = image[None].to(next(network.parameters()).dtype), {}
    with torch.no_grad():
        for name, layer in network.named_children():
            out = maps[name] = layer(out)
    return {name: m[0] for name, m in maps.items()}


def random_bitmap(seed: int, density: float = 0.3) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(32, 32, generator=g) < density


def bitmaps() -> list[torch.Tensor]:
    test = load_digits().test_images
    return [
        torch.zeros(32, 32, dtype=torch.bool),
        torch.ones(32, 32, dtype=torch.bool),
        random_bitmap(0),
        random_bitmap(1, 0.7),
        digit_bitmap(test[0]),
        digit_bitmap(test[17]),
    ]


NETWORKS = {
    "convlab": lambda: lenet_like("convlab"),
    "torch": lambda: lenet_like("torch", seed=2),
    "separable": lambda: lenet_like("convlab", separable=True, seed=4),
    "average pooling, no bias": lambda: lenet_like("torch", pool="mean", bias=False, seed=5),
    "float64": lambda: lenet_like("convlab", seed=6, dtype=torch.float64),
    "odd layers": odd_network,
    "trained": trained,
}


# --- The compute function against PyTorch --------------------------------------------------


@pytest.mark.parametrize("name", NETWORKS)
def test_every_layer_equals_the_networks_own_forward_pass(name):
    network = NETWORKS[name]()
    exact = network_copy(network).double()  # the same weights, computed in float64
    for bitmap in bitmaps():
        r = read_digit(network, bitmap)
        assert torch.equal(r.image, from_bitmap(bitmap).double())
        expected = torch_layers(exact, r.image)
        assert list(r.maps) == list(expected)
        for layer, out in expected.items():
            assert r.maps[layer].shape == out.shape, layer
            torch.testing.assert_close(r.maps[layer], out, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(r.probabilities, torch.softmax(out, 0), rtol=0, atol=1e-12)
        # The network as it is (float32 for most): the same to 1e-5.
        own = torch_layers(network, r.image)[layer].double()
        assert (torch.softmax(own, 0) - r.probabilities).abs().max() <= 1e-5
        assert r.digit == int(out.argmax())


def network_copy(network: nn.Sequential) -> nn.Sequential:
    import copy

    return copy.deepcopy(network)


def test_the_trained_network_reads_the_test_digits():
    digits = load_digits()
    network = trained()
    right = sum(
        read_digit(network, digit_bitmap(image)).digit == label
        for image, label in zip(digits.test_images[:60], digits.test_labels[:60], strict=True)
    )
    assert right >= 50  # three epochs: about nine in ten


def test_lenet_of_the_chapter_both_variants():
    from convlab.network import lenet

    for separable in (False, True):
        for kind in ("convlab", "torch"):
            network = lenet(kind=kind, separable=separable, seed=3)
            r = read_digit(network, random_bitmap(5))
            expected = torch_layers(network_copy(network).double(), r.image)
            for layer, out in expected.items():
                torch.testing.assert_close(r.maps[layer], out, rtol=1e-12, atol=1e-12)


# --- What the page receives ------------------------------------------------------------------


def floats(text: str) -> torch.Tensor:
    return torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.float64)


def test_the_state_ships_every_weight_exactly_in_float64():
    network = lenet_like("convlab", separable=True)
    state = network_state(network)
    assert state["input"] == [1, 8, 8]
    assert [(layer["name"], layer["kind"], layer["shape"]) for layer in state["layers"]] == [
        ("conv1", "conv", [8, 8, 8]),
        ("relu1", "relu", [8, 8, 8]),
        ("pool1", "max", [8, 4, 4]),
        ("depthwise2", "conv", [8, 4, 4]),
        ("pointwise2", "conv", [16, 4, 4]),
        ("relu2", "relu", [16, 4, 4]),
        ("pool2", "max", [16, 2, 2]),
        ("flatten", "flatten", [64]),
        ("fc", "linear", [10]),
    ]
    conv1, depthwise = state["layers"][0], state["layers"][3]
    assert (conv1["kernel"], conv1["stride"], conv1["padding"], conv1["groups"]) == (
        [3, 3],
        [1, 1],
        [1, 1],
        1,
    )
    assert depthwise["groups"] == 8 and state["layers"][2]["kernel"] == [2, 2]
    for layer in state["layers"]:
        if "weight" in layer:
            module = getattr(network, layer["name"])
            assert torch.equal(floats(layer["weight"]), module.weight.detach().double().flatten())
            assert torch.equal(floats(layer["bias"]), module.bias.detach().double())
    assert network_state(network) == state  # a pure function
    # 'same' padding is written out as numbers
    same = nn.Sequential(nn.Conv2d(1, 2, 5, padding="same"), nn.Flatten(), nn.Linear(128, 10))
    assert network_state(same)["layers"][0]["padding"] == [2, 2]
    assert "bias" not in network_state(lenet_like(bias=False))["layers"][0]


REFUSED = [
    (lambda: nn.Conv2d(1, 2, 3), TypeError, "network: expected an nn.Sequential of Conv2d"),
    (lambda: 5, TypeError, "network: expected an nn.Sequential"),
    (lambda: nn.Sequential(), ValueError, "network: expected 1 to 32 layers, got 0"),
    (
        lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)),
        ValueError,
        "network: layer '1' is a BatchNorm2d; the page shows Conv2d, MaxPool2d",
    ),
    (
        lambda: nn.Sequential(nn.Conv2d(1, 2, 3, dilation=2)),
        ValueError,
        "network: layer '0' (Conv2d) is dilated ((2, 2)); the page shows dilation 1",
    ),
    (
        lambda: nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect")),
        ValueError,
        "pads with 'reflect'; the page pads with zeros",
    ),
    (
        lambda: nn.Sequential(nn.Conv2d(1, 2, 4, padding="same")),
        ValueError,
        "pads unevenly (1, 2, 1, 2: 'same' with an even kernel)",
    ),
    (
        lambda: nn.Sequential(nn.Conv2d(3, 2, 3)),
        ValueError,
        "network: layer '0' (Conv2d) takes 3 channels but gets 1",
    ),
    (
        lambda: nn.Sequential(nn.Conv2d(1, 2, 9)),
        ValueError,
        "has a 9×9 kernel that does not fit its 8×8 input",
    ),
    (
        lambda: nn.Sequential(nn.MaxPool2d(3, ceil_mode=True)),
        ValueError,
        "rounds its output size up (ceil_mode)",
    ),
    (
        lambda: nn.Sequential(nn.AvgPool2d(2, count_include_pad=False)),
        ValueError,
        "divides by other than its window's size",
    ),
    (
        lambda: nn.Sequential(nn.MaxPool2d(2, dilation=2)),
        ValueError,
        "is dilated or returns indices",
    ),
    (
        lambda: nn.Sequential(nn.Flatten(), nn.Conv2d(1, 2, 1)),
        ValueError,
        "network: layer '1' (Conv2d) comes after Flatten",
    ),
    (lambda: nn.Sequential(nn.Linear(8, 10)), ValueError, "gets maps: put a Flatten before it"),
    (
        lambda: nn.Sequential(nn.Flatten(0)),
        ValueError,
        "network: layer '0' (Flatten) flattens other axes than (C, H, W)",
    ),
    (
        lambda: nn.Sequential(nn.Flatten(), nn.Linear(63, 10)),
        ValueError,
        "network: layer '1' (Linear) takes 63 numbers but gets 64",
    ),
    (
        lambda: nn.Sequential(nn.Flatten(), nn.Linear(64, 5)),
        ValueError,
        "network: ends with shape (5,); expected 10 scores, one per digit",
    ),
    (
        lambda: nn.Sequential(nn.Flatten(), nn.Linear(64, 4000), nn.Linear(4000, 10)),
        ValueError,
        "network: has 300,010 parameters; the page takes at most 200,000",
    ),
    (
        lambda: nn.Sequential(
            nn.Conv2d(1, 257, 1), nn.MaxPool2d(8), nn.Flatten(), nn.Linear(257, 10)
        ),
        ValueError,
        "network: layer '0' (Conv2d) makes 257 maps; the page draws at most 256",
    ),
    (
        lambda: nn.Sequential(
            nn.Conv2d(1, 128, 3, padding=1),
            nn.Conv2d(128, 128, 3, padding=1),
            nn.MaxPool2d(8),
            nn.Flatten(),
            nn.Linear(128, 10),
        ),
        ValueError,
        "network: makes 9,512,192 multiply-adds a digit; the page computes at most 2,000,000",
    ),
    (lambda: nan_network(), ValueError, "network: parameter '1.weight' holds NaN or infinite"),
    (
        lambda: nn.Sequential(*[nn.ReLU() for _ in range(33)]),
        ValueError,
        "network: expected 1 to 32 layers, got 33",
    ),
]


def nan_network() -> nn.Sequential:
    network = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    with torch.no_grad():
        network[1].weight[0, 0] = math.nan
    return network


@pytest.mark.parametrize("make, error, words", REFUSED)
def test_networks_it_cannot_show_are_refused_with_the_reason(make, error, words):
    with pytest.raises(error, match=re.escape(words)):
        network_state(make())
    with pytest.raises(error, match=re.escape(words)):
        DigitDrawer(make())


def test_a_broken_state_is_refused():
    state = network_state(lenet_like())
    w = DigitDrawer(lenet_like())
    for change, words in [
        (lambda s: s.update(input=[1, 9, 9]), "network: expected input [1, 8, 8]"),
        (lambda s: s["layers"][0].update(weight="AAAA"), "network: layer 0 (conv) weight:"),
        (lambda s: s["layers"][0].update(kind="pool"), "network: layer 0 must be a dict"),
        (lambda s: s["layers"][0].update(kernel=[3]), "needs kernel as two whole numbers"),
        (lambda s: s["layers"][2].update(shape=[8, 3, 3]), "says shape [8, 3, 3], computes"),
        (lambda s: s["layers"].pop(), "ends with shape (64,)"),
        (lambda s: s["layers"][0].update(groups=3), "groups and channels that do not fit"),
    ]:
        broken = {"input": list(state["input"]), "layers": [dict(x) for x in state["layers"]]}
        change(broken)
        with pytest.raises(ValueError, match=re.escape(words)):
            w.network = broken
        with pytest.raises(ValueError, match=re.escape(words)):
            read_digit(broken, random_bitmap(0))
    nan = {"input": [1, 8, 8], "layers": [dict(x) for x in state["layers"]]}
    count = 8 * 9
    nan["layers"][0]["weight"] = base64.b64encode(
        torch.full((count,), math.nan, dtype=torch.float64).numpy().tobytes()
    ).decode()
    with pytest.raises(ValueError, match="holds NaN or infinite numbers"):
        read_digit(nan, random_bitmap(0))
    assert w.network == state  # refused values left it alone


# --- Drawings and test digits --------------------------------------------------------------


def test_a_test_digit_drawn_by_its_counts_gives_back_the_digit_exactly():
    test = load_digits().test_images
    for image in test:
        drawn = digit_bitmap(image)
        assert drawn.dtype == torch.bool and drawn.shape == (32, 32)
        assert torch.equal(from_bitmap(drawn), image)
    # Counts fill a block in the dither's order: c = 1 inks the rank-0 pixel only.
    one = torch.zeros(8, 8)
    one[2, 5] = 1 / 16
    drawn = digit_bitmap(one)
    assert drawn.nonzero().tolist() == [
        [8 + DITHER.index(row), 20 + row.index(0)] for row in DITHER if 0 in row
    ]
    with pytest.raises(ValueError, match=re.escape("image: pixels must be counts of 16ths")):
        digit_bitmap(torch.full((8, 8), 0.3))
    with pytest.raises(ValueError, match=re.escape("image: expected one 8×8 digit")):
        digit_bitmap(torch.zeros(2, 8, 8))


def test_the_test_digits_offered():
    digits = load_digits()
    state = digits_state()
    assert state["labels"] == list(range(10))
    images = picked_digits(state)
    for d, image in enumerate(images):
        first = int((digits.test_labels == d).nonzero()[0])
        assert torch.equal(image, digits.test_images[first])
    mine = digits_state(digits.test_images[:3], labels=digits.test_labels[:3])
    assert mine["labels"] == digits.test_labels[:3].tolist()
    assert torch.equal(picked_digits(mine), digits.test_images[:3])
    assert digits_state(digits.test_images[:2, 0])["labels"] == [-1, -1]
    assert digits_state(digits) == state
    for args, words in [
        ((torch.full((2, 1, 8, 8), 0.3),), "digits[0]: pixels must be counts of 16ths"),
        ((torch.zeros(41, 1, 8, 8),), "digits: expected 1 to 40 digits, got 41"),
        ((torch.zeros(2, 2, 8, 8),), "digits: expected (N, 1, 8, 8) digits"),
        ((torch.zeros(2, 8, 8), [1]), "labels: expected one label per digit (2)"),
        ((torch.zeros(2, 8, 8), [1, 10]), "labels: each label must be a digit 0 to 9, or -1"),
        ((torch.zeros(2, 8, 8), [1, None]), "labels: each label must be a digit 0 to 9"),
        (({"counts": "AAAA", "labels": [-1]},), "digits: counts must be base64 of N × 64"),
    ]:
        with pytest.raises(ValueError, match=re.escape(words)):
            digits_state(*args)


def test_bitmaps_in_every_form():
    bitmap = random_bitmap(3)
    rows = bitmap_rows(bitmap)
    assert len(rows) == 32 and rows[0] == "".join("1" if v else "0" for v in bitmap[0].tolist())
    for form in (bitmap, bitmap.to(torch.uint8), bitmap.double(), bitmap.numpy(), rows):
        assert bitmap_rows(form) == rows
    for value, error, words in [
        ("x", TypeError, "bitmap: expected a (32, 32) tensor of 0 and 1"),
        (torch.zeros(31, 32), ValueError, "bitmap: expected 32×32 pixels, got 31×32"),
        (torch.full((32, 32), 0.5), ValueError, "bitmap: a pixel is ink (1) or paper (0)"),
        (["0" * 32] * 31, ValueError, "bitmap: expected 32 rows of 32 characters"),
        (["2" * 32] * 32, ValueError, "bitmap: expected 32 rows of 32 characters"),
    ]:
        with pytest.raises(error, match=re.escape(words)):
            bitmap_rows(value)


# --- The widget --------------------------------------------------------------------------------


def test_the_widget_opens_on_the_first_test_digit_and_follows_its_traits():
    network = trained()
    w = DigitDrawer(network)
    first = picked_digits(w.digits)[0]
    assert w.bitmap == bitmap_rows(digit_bitmap(first))
    r = w.compute()
    assert torch.equal(r.image, first.double())
    assert repr(w) == (
        f"DigitDrawer({int(first.sum() * 16)} ink pixels → conv1 8×8×8 → relu1 8×8×8 → "
        "pool1 8×4×4 → conv2 16×4×4 → relu2 16×4×4 → pool2 16×2×2 → flatten 64 → fc 10; "
        f"reads {r.digit} with probability {r.probabilities[r.digit].item():.2f})"
    )
    assert r.digit == 0
    w.bitmap = random_bitmap(9)
    assert w.bitmap == bitmap_rows(random_bitmap(9))
    w.network = lenet_like("torch", separable=True)
    assert w.network == network_state(lenet_like("torch", separable=True))
    assert "depthwise2 8×4×4" in repr(w)
    assert w.pen == 4
    w.pen = 6
    with pytest.raises(ValueError, match=re.escape("pen: the widget allows 1 to 6, got 7")):
        w.pen = 7
    shown = DigitDrawer(network, load_digits().test_images[5:8], pen=1)
    assert shown.digits["labels"] == [-1] * 3 and shown.pen == 1


# --- The browser's maths against Python and PyTorch ----------------------------------------


def test_the_page_makes_the_data_sets_image_of_a_drawing():
    drawings = [random_bitmap(s, d) for s, d in [(0, 0.1), (1, 0.5), (2, 0.9)]]
    calls = [("fromBitmap", [b.to(torch.uint8).flatten().tolist()]) for b in drawings]
    for got, b in zip(run_js("digits.js", calls), drawings, strict=True):
        values = [got[str(i)] for i in range(64)] if isinstance(got, dict) else got
        assert values == from_bitmap(b).flatten().double().tolist()


def test_the_page_draws_test_digits_and_keeps_drawings_as_python_does():
    test = load_digits().test_images[:20]
    counts = [(img.flatten() * 16).round().int().tolist() for img in test]
    got = run_js("widgets/digits.js", [("digitBitmap", [c]) for c in counts])
    for drawn, image in zip(got, test, strict=True):
        values = js_array(drawn)
        assert values == digit_bitmap(image).flatten().int().tolist()
    bitmap = random_bitmap(4)
    rows = run_js("widgets/digits.js", [("bitmapRows", [bitmap.int().flatten().tolist()])])[0]
    assert rows == bitmap_rows(bitmap)


def js_array(value) -> list:
    """A typed array as Node's JSON writes it ({"0": …, "1": …}), as a list."""
    return [value[str(i)] for i in range(len(value))] if isinstance(value, dict) else value


def segment_distance(x0, y0, x1, y1, cx, cy) -> float:
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = 0 if length2 == 0 else max(0, min(1, ((cx - x0) * dx + (cy - y0) * dy) / length2))
    return math.hypot(cx - x0 - t * dx, cy - y0 - t * dy)


def test_the_pen_inks_the_pixels_along_its_trace():
    strokes = [
        (3.2, 4.7, 25.9, 28.1, 3),
        (16.0, 2.0, 16.0, 30.0, 1),
        (5.5, 5.5, 5.5, 5.5, 2),
        (-3.0, 10.0, 40.0, 12.0, 5),
        (30.9, 0.2, 0.1, 31.8, 4),
    ]
    script = [("strokeBitmap", [[[x0, y0], [x1, y1]], pen]) for x0, y0, x1, y1, pen in strokes]
    got = [js_array(b) for b in run_js("widgets/digits.js", script)]
    for (x0, y0, x1, y1, pen), inked in zip(strokes, got, strict=True):
        r = pen / 2
        for i in range(32):
            for j in range(32):
                d = segment_distance(x0, y0, x1, y1, j + 0.5, i + 0.5)
                ink = inked[i * 32 + j] == 1
                if d <= r:
                    assert ink, (i, j, d)
                if ink:
                    assert d <= max(r, math.sqrt(0.5)) + 1e-9, (i, j, d)


def js_network(state: dict, images: torch.Tensor, with_maps: bool) -> list[dict]:
    flat = images.reshape(len(images), 64).double().tolist()
    return run_js("network.js", [("featureMaps", [state, flat, with_maps])])[0]


@pytest.mark.parametrize("name", ["trained", "separable", "average pooling, no bias", "odd layers"])
def test_the_pages_forward_pass_equals_pytorchs_on_the_test_digits(name):
    network = NETWORKS[name]()
    state = network_state(network)
    test = load_digits().test_images
    assert len(test) == 360
    with torch.no_grad():
        scores = network(test.to(next(network.parameters()).dtype)).double()
    probabilities = torch.softmax(scores, 1)
    got = js_network(state, test, with_maps=False)
    js_scores = torch.tensor([g["scores"] for g in got], dtype=torch.float64)
    js_probabilities = torch.tensor([g["probabilities"] for g in got], dtype=torch.float64)
    assert (js_scores - scores).abs().max() <= 1e-5
    assert (js_probabilities - probabilities).abs().max() <= 1e-5
    # Every layer of a few dozen digits, against PyTorch in float64 (1e-12) and as is (1e-5).
    exact = network_copy(network).double()
    for image, g in zip(test[::12], js_network(state, test[::12], True), strict=True):
        for layer, out in torch_layers(exact, image.double()).items():
            assert g["shapes"][layer] == list(out.shape)
            js = torch.tensor(g["maps"][layer], dtype=torch.float64).reshape(out.shape)
            torch.testing.assert_close(js, out, rtol=1e-12, atol=1e-12)
        own = torch_layers(network, image)
        for layer, out in own.items():
            js = torch.tensor(g["maps"][layer], dtype=torch.float64).reshape(out.shape)
            assert (js - out.double()).abs().max() <= 1e-5, layer


def test_the_pages_kernels_equal_pytorchs_layers():
    g = torch.Generator().manual_seed(0)
    cases = []
    for c, out, groups, (h, w), (kh, kw), stride, padding in [
        (1, 4, 1, (8, 8), (3, 3), (1, 1), (1, 1)),
        (6, 6, 6, (5, 7), (3, 3), (1, 1), (1, 1)),
        (4, 6, 2, (6, 6), (2, 3), (2, 1), (0, 2)),
        (3, 2, 1, (4, 4), (1, 1), (1, 1), (0, 0)),
        (2, 3, 1, (9, 5), (4, 2), (3, 2), (2, 1)),
    ]:
        X = torch.randn(c, h, w, generator=g, dtype=torch.float64)
        W = torch.randn(out, c // groups, kh, kw, generator=g, dtype=torch.float64)
        b = torch.randn(out, generator=g, dtype=torch.float64)
        cases.append((X, W, b, groups, stride, padding))
    calls = [
        (
            "conv2dPlanes",
            [
                X.flatten().tolist(),
                list(X.shape),
                W.flatten().tolist(),
                [W.shape[0], W.shape[2], W.shape[3]],
                b.tolist(),
                {"stride": list(stride), "padding": list(padding), "groups": groups},
            ],
        )
        for X, W, b, groups, stride, padding in cases
    ]
    for (X, W, b, groups, stride, padding), got in zip(
        cases, run_js("kernels/correlation.js", calls), strict=True
    ):
        expected = F.conv2d(X[None], W, b, stride, padding, groups=groups)[0]
        assert got["shape"] == list(expected.shape)
        Y = torch.tensor(js_array(got["Y"]), dtype=torch.float64).reshape(expected.shape)
        torch.testing.assert_close(Y.double(), expected, rtol=1e-12, atol=1e-12)
    pools = [
        ("max", (2, 2), (2, 2), (0, 0)),
        ("mean", (3, 3), (1, 1), (1, 1)),
        ("max", (3, 2), (2, 1), (1, 1)),
        ("mean", (4, 4), (4, 4), (0, 0)),
    ]
    X = torch.randn(3, 8, 7, generator=g, dtype=torch.float64)
    calls = [
        ("poolPlanes", [X.flatten().tolist(), [3, 8, 7], m, list(k), list(s), list(p)])
        for m, k, s, p in pools
    ]
    for (mode, k, s, p), got in zip(pools, run_js("kernels/pooling.js", calls), strict=True):
        pool = F.max_pool2d if mode == "max" else F.avg_pool2d
        expected = pool(X[None], k, s, p)[0]
        Y = torch.tensor(js_array(got["Y"]), dtype=torch.float64).reshape(expected.shape)
        torch.testing.assert_close(Y.double(), expected, rtol=1e-12, atol=1e-12)
