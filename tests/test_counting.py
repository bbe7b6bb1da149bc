"""Parameter counts: the notes' numbers, PyTorch's own layers, the counter widget and its JS."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js
from torch import nn

from convlab import counting
from convlab.widgets import ParameterCounter
from convlab.widgets.params import (
    MAX_CHANNELS,
    MAX_KERNEL,
    SIDES,
    UNITS,
    count,
    format_count,
    format_ratio,
    size_problem,
)

STATIC = Path(counting.__file__).parent / "widgets" / "static"


def n_params(module: nn.Module) -> int:
    """What PyTorch itself holds: every weight and bias, counted element by element."""
    return sum(p.numel() for p in module.parameters())


# --- The notes' example: a 12-megapixel photo and 100 hidden units -------------


def test_twelve_megapixels_need_billions_of_weights():
    inputs = counting.image_inputs(4000, 3000, channels=3)  # 12 MP, RGB
    assert inputs == 36_000_000
    weights = 36_000_000 * 100  # 3.6 billion, worked by hand
    assert counting.dense_params(inputs, 100, bias=False) == weights == 3_600_000_000
    assert counting.dense_params(inputs, 100) == weights + 100
    assert counting.param_bytes(weights) == 14_400_000_000  # 3.6e9 × 4 bytes
    assert counting.format_bytes(counting.param_bytes(weights)) == "14.4 GB"
    # PyTorch agrees; the "meta" device builds the shapes without allocating 14 GB.
    assert n_params(nn.Linear(inputs, 100, device="meta")) == weights + 100


def test_a_conv_layer_on_the_same_photo_is_tiny():
    # 100 kernels of 3 × 3 × 3 and 100 biases: 100·3·9 + 100.
    assert counting.conv2d_params(3, 100, 3) == 2_800
    assert counting.format_bytes(counting.param_bytes(2_800)) == "11.2 kB"


def test_the_derivation_on_a_megapixel_image():
    # W[i, j, k, l]: (10⁶)² weights; V[a, b] with |a|, |b| ≤ 999: 1999²; then 3 × 3.
    assert counting.dense_image_weights(1000) == 10**12
    assert counting.dense_image_weights(1000, 1000) == 10**12
    assert counting.shared_weights(1000) == 1999 * 1999 == 3_996_001
    assert counting.local_weights(1) == 9
    assert counting.local_weights(2) == 25
    assert counting.local_weights(0) == 1


def test_shared_weights_counts_every_offset():
    # Offsets (a, b) with 0 ≤ i + a < h for some i: listed one by one on a small image.
    h, w = 3, 5
    offsets = {
        (k - i, m - j) for i in range(h) for j in range(w) for k in range(h) for m in range(w)
    }
    assert counting.shared_weights(h, w) == len(offsets)
    assert counting.dense_image_weights(h, w) == (h * w) ** 2


# --- Against PyTorch's layers --------------------------------------------------


@given(
    in_features=st.integers(1, 300),
    out_features=st.integers(1, 50),
    bias=st.booleans(),
)
def test_dense_params_is_what_nn_linear_holds(in_features, out_features, bias):
    layer = nn.Linear(in_features, out_features, bias=bias)
    assert counting.dense_params(in_features, out_features, bias) == n_params(layer)


@given(
    c_in=st.integers(1, 6),
    c_out=st.integers(1, 12),
    k_h=st.integers(1, 7),
    k_w=st.integers(1, 7),
    bias=st.booleans(),
)
def test_conv2d_params_is_what_nn_conv2d_holds(c_in, c_out, k_h, k_w, bias):
    layer = nn.Conv2d(c_in, c_out, (k_h, k_w), bias=bias)
    assert counting.conv2d_params(c_in, c_out, (k_h, k_w), bias) == n_params(layer)
    if k_h == k_w:
        assert counting.conv2d_params(c_in, c_out, k_h, bias) == n_params(layer)


def test_a_dense_layer_on_a_small_image_in_pytorch():
    torch.manual_seed(0)
    image = torch.randn(1, 3, 8, 8)
    layer = nn.Linear(counting.image_inputs(8, channels=3), 10)
    assert layer(image.flatten(1)).shape == (1, 10)
    assert n_params(layer) == counting.dense_params(3 * 8 * 8, 10) == 1_930


# --- Bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: counting.dense_params(0, 10), ValueError, "in_features: must be ≥ 1, got 0"),
        (lambda: counting.dense_params(10, -1), ValueError, "out_features: must be ≥ 1, got -1"),
        (lambda: counting.dense_params(2.5, 1), TypeError, "in_features: expected an int"),
        (lambda: counting.dense_params(2, 1, bias=1), TypeError, "bias: expected True or False"),
        (lambda: counting.conv2d_params(0, 1, 3), ValueError, "in_channels: must be ≥ 1, got 0"),
        (lambda: counting.conv2d_params(1, 0, 3), ValueError, "out_channels: must be ≥ 1, got 0"),
        (lambda: counting.conv2d_params(1, 1, 0), ValueError, "kernel_size: must be ≥ 1"),
        (lambda: counting.conv2d_params(1, 1, (3, 3, 3)), ValueError, "kernel_size: expected"),
        (lambda: counting.image_inputs(True), TypeError, "height: expected an int, got bool"),
        (lambda: counting.image_inputs(4, 0), ValueError, "width: must be ≥ 1, got 0"),
        (lambda: counting.image_inputs(4, channels=0), ValueError, "channels: must be ≥ 1"),
        (lambda: counting.param_bytes(-1), ValueError, "params: must be ≥ 0, got -1"),
        (lambda: counting.param_bytes(10, 0), ValueError, "bytes_per_param: must be ≥ 1"),
        (lambda: counting.format_bytes(-5), ValueError, "n_bytes: must be ≥ 0, got -5"),
        (lambda: counting.format_bytes(1.5), TypeError, "n_bytes: expected an int"),
        (lambda: counting.dense_image_weights(0), ValueError, "height: must be ≥ 1, got 0"),
        (lambda: counting.shared_weights(3, 0), ValueError, "width: must be ≥ 1, got 0"),
        (lambda: counting.local_weights(-1), ValueError, "delta: must be ≥ 0, got -1"),
    ],
)
def test_bad_arguments_get_clear_errors(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


@pytest.mark.parametrize(
    ("n_bytes", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1 kB"),
        (1234, "1.23 kB"),
        (11_200, "11.2 kB"),
        (999_960, "1 MB"),  # 999.96 kB rounds up to the next unit
        (14_400_000_400, "14.4 GB"),
        (206_158_430_208, "206 GB"),
        (10**18, "1000 PB"),
    ],
)
def test_format_bytes(n_bytes, text):
    assert counting.format_bytes(n_bytes) == text


# --- The counter widget --------------------------------------------------------


def test_default_is_the_notes_photo():
    w = ParameterCounter()
    c = w.compute()
    assert w.side**2 == 11_999_296  # 3464² ≈ 12 megapixels
    assert c.inputs == 3 * 3464 * 3464
    # On the "meta" device PyTorch builds the layer's shapes without allocating 14 GB.
    assert c.dense == n_params(nn.Linear(c.inputs, 100, device="meta"))
    assert c.dense == 3 * 3464 * 3464 * 100 + 100 == 3_599_788_900
    assert counting.format_bytes(c.dense_bytes) == "14.4 GB"
    assert c.conv == n_params(nn.Conv2d(3, 100, 3)) == 2_800
    assert c.problem is None


@given(
    side=st.sampled_from(SIDES[:4]),
    channels=st.integers(1, MAX_CHANNELS),
    hidden=st.sampled_from(UNITS[:8]),
    out_channels=st.sampled_from(UNITS[:8]),
    kernel=st.integers(1, MAX_KERNEL),
)
def test_count_matches_pytorch_layers(side, channels, hidden, out_channels, kernel):
    c = count(side, channels, hidden, out_channels, kernel)
    assert c.dense == n_params(nn.Linear(channels * side * side, hidden))
    assert c.dense_bytes == 4 * c.dense
    if kernel > side:
        assert c.conv is None and c.conv_bytes is None
        assert c.problem == size_problem(side, kernel)
        return
    layer = nn.Conv2d(channels, out_channels, kernel)
    assert c.conv == n_params(layer)
    assert c.conv_bytes == 4 * c.conv
    out = layer(torch.zeros(1, channels, side, side))
    assert out.shape == (1, out_channels, side - kernel + 1, side - kernel + 1)


def test_size_problem_names_the_rule_with_the_numbers():
    assert size_problem(8, 15) == (
        "The kernel (15×15) is larger than the image (8×8): a window must fit inside the "
        "image (k ≤ n), and n − k + 1 = 8 − 15 + 1 = -6 leaves no output pixel."
    )
    assert size_problem(8, 8) is None


def test_ratio_format():
    assert format_ratio(3_599_788_900, 2_800) == "1,285,639"
    assert format_ratio(25, 10) == "2.5"
    assert format_ratio(1, 3_600) == "1 / 3,600"
    assert format_count(3_600_000_100) == "3,600,000,100"


def test_repr_is_one_deterministic_line():
    assert repr(ParameterCounter()) == (
        "ParameterCounter(3464×3464×3 image; dense 100 units, conv 100 channels of 3×3: "
        "dense 3,599,788,900 (14.4 GB), conv 2,800 (11.2 kB), ratio 1,285,639)"
    )
    w = ParameterCounter(side=8, kernel=9)
    assert repr(w).endswith(f"conv: {size_problem(8, 9)})")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"side": 0}, ValueError, "side: the widget allows 1 to 4096, got 0"),
        ({"side": 5000}, ValueError, "side: the widget allows 1 to 4096, got 5000"),
        ({"side": 8.0}, TypeError, "side: expected an int, got float 8.0"),
        ({"channels": 5}, ValueError, "channels: the widget allows 1 to 4, got 5"),
        ({"hidden": 0}, ValueError, "hidden: the widget allows 1 to 4096, got 0"),
        ({"out_channels": 4097}, ValueError, "out_channels: the widget allows 1 to 4096, got 4097"),
        ({"kernel": 16}, ValueError, "kernel: the widget allows 1 to 15, got 16"),
    ],
)
def test_bad_widget_arguments_get_clear_errors(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        ParameterCounter(**kwargs)


def test_widget_state_is_plain_json():
    w = ParameterCounter(side=224, channels=1, hidden=1000, out_channels=64, kernel=5)
    assert (w.side, w.channels, w.hidden, w.out_channels, w.kernel) == (224, 1, 1000, 64, 5)
    assert "export default { render }" in w._esm


def js_list(name: str) -> list[float]:
    """A constant list of the view's source: ``const SIDES = [8, 16, …];``."""
    source = (STATIC / "params.js").read_text(encoding="utf-8")
    found = re.search(rf"^const {name} = \[([^\]]*)\];", source, re.M)
    assert found, f"params.js defines no {name}"
    return [float(v) for v in found.group(1).split(",")]


def test_the_view_has_the_same_slider_stops():
    assert js_list("SIDES") == list(SIDES)
    assert js_list("UNITS") == list(UNITS)


# --- The browser's maths (convmath.js in Node) ------------------------------------


def test_param_counts_in_js_match_python():
    rng = random.Random(0)
    cases = []
    for _ in range(300):
        setting = [
            rng.choice(SIDES),
            rng.randint(1, MAX_CHANNELS),
            rng.choice(UNITS),
            rng.choice(UNITS),
            rng.randint(1, MAX_KERNEL),
        ]
        cases.append(("paramCounts", setting))
    for (_, setting), got in zip(cases, run_js(cases), strict=True):
        c = count(*setting)
        expected = {
            "inputs": c.inputs,
            "dense": c.dense,
            "conv": c.conv,
            "denseBytes": c.dense_bytes,
            "convBytes": c.conv_bytes,
        }
        assert got == expected


def test_texts_in_js_match_python():
    rng = random.Random(1)
    sizes = [0, 1, 999, 1000, 1234, 999_499, 999_500, 999_960, 14_400_000_400, 10**18]
    sizes += [rng.randint(0, 10 ** rng.randint(1, 15)) for _ in range(200)]
    counts = [0, 7, 1000, 3_600_000_100] + [rng.randint(0, 10**12) for _ in range(50)]
    pairs = [(3_599_788_900, 2_800), (25, 10), (1, 3_600), (7, 700), (99, 10), (1, 100)]
    pairs += [(rng.randint(1, 10**9), rng.randint(1, 10**7)) for _ in range(200)]
    problems = [(8, 15), (8, 8), (16, 3), (8, 9)]
    cases = (
        [("formatBytes", [n]) for n in sizes]
        + [("groupDigits", [n]) for n in counts]
        + [("formatRatio", list(p)) for p in pairs]
        + [("paramsProblem", list(p)) for p in problems]
    )
    expected = (
        [counting.format_bytes(n) for n in sizes]
        + [format_count(n) for n in counts]
        + [format_ratio(*p) for p in pairs]
        + [size_problem(*p) for p in problems]
    )
    assert run_js(cases) == expected


def test_conv2d_macs_matches_a_direct_count():
    """Count the multiply-adds by running the loop version and counting each product."""
    import itertools

    c_i, c_o, k_h, k_w, m_h, m_w = 3, 4, 2, 3, 5, 6
    products = sum(
        1
        for _ in itertools.product(
            range(c_o), range(m_h), range(m_w), range(c_i), range(k_h), range(k_w)
        )
    )
    assert counting.conv2d_macs(c_i, c_o, (k_h, k_w), (m_h, m_w)) == products
    # Depthwise: each output channel sees one input channel.
    assert counting.conv2d_macs(4, 4, 3, 8, groups=4) == 4 * 1 * 9 * 64


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"groups": 3}, "groups: 3 groups must divide in_channels = 4"),
        ({"groups": 0}, "groups"),
        ({"output_size": 0}, "output_size"),
    ],
)
def test_conv2d_macs_rejects_bad_arguments(kwargs, words):
    args = {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "output_size": 8} | kwargs
    with pytest.raises(ValueError, match=words):
        counting.conv2d_macs(**args)
