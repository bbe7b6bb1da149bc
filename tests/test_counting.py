"""Parameter counts: the notes' numbers, PyTorch's own layers, the counter widget and its JS."""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from bounded import cost_of
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js
from torch import nn

from convlab import counting, kernels
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
    assert w._esm == (STATIC / "params.js").read_text(encoding="utf-8")  # its bundle


# --- The browser's maths (static/src/ in Node) --------------------------------------


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
        cases.append(("count", setting))
    for (_, setting), got in zip(cases, run_js("widgets/params.js", cases), strict=True):
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
    assert run_js("counting.js", [("formatBytes", [n]) for n in sizes]) == [
        counting.format_bytes(n) for n in sizes
    ]
    texts = [("formatCount", [n]) for n in counts] + [("formatRatio", list(p)) for p in pairs]
    expected = [format_count(n) for n in counts] + [format_ratio(*p) for p in pairs]
    assert run_js("widgets/text.js", texts) == expected
    cases = [("sizeProblem", list(p)) for p in problems]
    assert run_js("widgets/params.js", cases) == [size_problem(*p) for p in problems]


class CountedTensor(torch.Tensor):
    """A tensor that counts the numbers every elementwise product made from it holds."""

    products = 0

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        result = super().__torch_function__(func, types, args, kwargs or {})
        if func in (torch.mul, torch.Tensor.mul, torch.Tensor.__mul__, torch.Tensor.__rmul__):
            CountedTensor.products += result.numel()
        return result


@pytest.mark.parametrize(
    ("c_i", "c_o", "k", "n"),
    [(3, 4, (2, 3), (6, 8)), (2, 3, 2, 3), (3, 2, 1, 3), (3, 4, 3, 7), (1, 1, 4, 4), (2, 5, 1, 1)],
)
def test_conv2d_macs_is_what_the_loop_multiplies(c_i, c_o, k, n):
    """Run the loop corr2d_multi_out on counting tensors: every product it makes is
    counted as it happens, and the loop's output is PyTorch's."""
    k_h, k_w = k if isinstance(k, tuple) else (k, k)
    n_h, n_w = n if isinstance(n, tuple) else (n, n)
    g = torch.Generator().manual_seed(0)
    X = torch.randn(c_i, n_h, n_w, generator=g, dtype=torch.float64)
    K = torch.randn(c_o, c_i, k_h, k_w, generator=g, dtype=torch.float64)
    CountedTensor.products = 0
    Y = kernels.corr2d_multi_out(X.as_subclass(CountedTensor), K.as_subclass(CountedTensor))
    torch.testing.assert_close(Y.as_subclass(torch.Tensor), F.conv2d(X[None], K)[0])
    output = (n_h - k_h + 1, n_w - k_w + 1)
    assert counting.conv2d_macs(c_i, c_o, k, output) == CountedTensor.products > 0
    assert counting.counted_multiply_adds(c_i, c_o, k, n) == CountedTensor.products
    # Depthwise: each output channel sees one input channel.
    assert counting.conv2d_macs(4, 4, 3, 8, groups=4) == 4 * 1 * 9 * 64


def test_counted_multiply_adds_refuses_a_long_loop_quickly():
    cost = cost_of(
        """
        from convlab.counting import counted_multiply_adds
        for args in [(64, 64, 3, 224), (10**30, 1, 1, 1), (1, 1, 3000, 6000)]:
            try:
                counted_multiply_adds(*args)
            except ValueError:
                pass
            else:
                raise AssertionError(args)
        counted_multiply_adds(1, 1, 3000, 3000)  # one window of 9,000,000 numbers, no copy of X
        """
    )
    assert cost.error is None and cost.seconds < 1 and cost.mib < 150, cost


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


# --- Huge numbers, numpy scalars and other awkward arguments ---------------------

AWKWARD = [
    None, True, False, 0, -1, 10**30, 2**63, 2**64 + 1, np.int64(2), np.int64(-3),
    np.float32(0.5), 2.5, math.nan, math.inf, "a", "", [], [[]], (1, 2, 3), {}, object(),
    torch.tensor(2.0), torch.tensor(3), torch.empty(0), np.ones(3), np.True_,
]  # fmt: skip
VALID = {
    "image_inputs": {"height": 32, "width": 24, "channels": 3},
    "dense_params": {"in_features": 100, "out_features": 10, "bias": True},
    "conv2d_params": {"in_channels": 3, "out_channels": 16, "kernel_size": 3, "bias": True},
    "conv2d_macs": {
        "in_channels": 4, "out_channels": 8, "kernel_size": 3, "output_size": 30, "groups": 2,
    },
    "param_bytes": {"params": 1000, "bytes_per_param": 4},
    "format_bytes": {"n_bytes": 14_400_000_000},
    "dense_image_weights": {"height": 8, "width": 6},
    "shared_weights": {"height": 8, "width": 6},
    "local_weights": {"delta": 1},
    "grouped_params": {
        "in_channels": 4, "out_channels": 8, "kernel_size": 3, "groups": 2, "bias": True,
    },
    "separable_macs": {"in_channels": 4, "out_channels": 8, "kernel_size": 3, "output_size": 10},
    "separable_params": {"in_channels": 4, "out_channels": 8, "kernel_size": 3, "bias": True},
    "separable_ratio": {"out_channels": 8, "kernel_size": 3},
    "conv2d_output_size": {"input_size": 8, "kernel_size": 3, "stride": 1, "padding": 0},
    "conv2d_cost": {
        "in_channels": 3, "out_channels": 4, "kernel_size": 3, "input_size": 8,
        "stride": 1, "padding": 0, "bias": True,
    },
    "counted_multiply_adds": {
        "in_channels": 2, "out_channels": 3, "kernel_size": 2, "input_size": 4,
    },
}  # fmt: skip


def plain(value):
    """What an accepted awkward value means: numpy scalars are their Python values."""
    return value.item() if isinstance(value, np.generic) else value


@given(
    function=st.sampled_from(sorted(VALID)),
    which=st.integers(0, 10),
    value=st.sampled_from(AWKWARD),
)
def test_counts_answer_as_with_plain_ints_or_name_the_argument(function, which, value):
    fn = getattr(counting, function)
    kwargs = dict(VALID[function])
    name = list(kwargs)[which % len(kwargs)]
    kwargs[name] = value
    try:
        got = fn(**kwargs)
    except (ValueError, TypeError) as error:  # named: the argument, or one its rule ties it to
        assert str(error).startswith(tuple(f"{n}:" for n in kwargs)), error
        assert name in str(error) or str(error).startswith(f"{name}:"), error
        return
    # Accepted: the answer of the same call with plain Python values, and exact ints.
    assert got == fn(**{k: plain(v) for k, v in kwargs.items()})
    numbers = got.values() if isinstance(got, dict) else [got]
    for number in numbers:
        items = number if isinstance(number, tuple) else (number,)
        assert all(type(item) in (int, float, str) for item in items), got


huge = st.integers(1, 10**40) | st.sampled_from([2**63, 2**64 + 1, 10**30 + 1])


@given(a=huge, b=huge, c=huge, k=st.integers(1, 5) | huge, bias=st.booleans())
def test_huge_counts_are_exact(a, b, c, k, bias):
    """Every count is the exact product (a float would round away the last digits)."""
    assert counting.image_inputs(a, b, c) == a * b * c
    assert counting.dense_params(a, b, bias) == a * b + b * bias
    assert counting.conv2d_params(a, b, (k, c), bias) == b * a * k * c + b * bias
    assert counting.conv2d_macs(a, b, k, (c, a)) == a * b * k * k * c * a
    assert counting.conv2d_macs(a * k, b * k, 1, 1, groups=k) == a * b * k
    assert counting.grouped_params(a * k, b * k, 1, groups=k, bias=bias) == a * b * k + b * k * bias
    assert counting.dense_image_weights(a, b) == (a * b) ** 2
    assert counting.shared_weights(a, b) == (2 * a - 1) * (2 * b - 1)
    assert counting.local_weights(a) == (2 * a + 1) ** 2
    assert counting.param_bytes(a, b) == a * b
    assert counting.conv2d_output_size((a + k, c + k), k, 1, 0) == (a + 1, c + 1)
    assert counting.separable_macs(a, b, k, c) == k * k * a * c * c + a * b * c * c
    cost = counting.conv2d_cost(a, b, 1, c, bias=bias)
    assert cost["macs"] == a * b * c * c and cost["params"] == a * b + b * bias
    assert counting.separable_ratio(a, k) == pytest.approx(1 / a + 1 / (k * k))


def test_the_group_rule_is_written_the_same_way_for_any_size():
    with pytest.raises(ValueError, match=re.escape("(4 / 3 = 1.33 is not whole)")):
        counting.conv2d_macs(4, 6, 3, 5, groups=3)
    with pytest.raises(ValueError, match=re.escape("/ 3 = 3.33e+399 is not whole")):
        counting.conv2d_macs(10**400, 6, 3, 5, groups=3)


def read_bytes(text: str) -> int:
    """format_bytes' text back to bytes (an independent parser)."""
    number, unit = text.split(" ")
    scale = 1000 ** ["B", "kB", "MB", "GB", "TB", "PB"].index(unit)
    return Fraction(number) * scale


@given(
    st.integers(0, 10**21)
    | st.integers(0, 10**400)
    | st.sampled_from([999_500, 999_499, 10**18, 10**18 - 1])
)
def test_format_bytes_is_within_half_its_last_digit(n):
    text = counting.format_bytes(n)
    number, unit = text.split(" ")
    scale = 1000 ** ["B", "kB", "MB", "GB", "TB", "PB"].index(unit)
    digits = number.replace(".", "").lstrip("0")
    decimals = len(number.partition(".")[2])
    # At most 3 significant digits (whole numbers from 100 on), and the unit is the largest
    # that leaves at least 1 (PB has no larger unit to go to).
    assert len(digits) <= 3 or "." not in number
    assert Fraction(number) >= 1 or n == 0 or unit == "B"
    assert Fraction(number) < 1000 or unit == "PB"
    # The text is n rounded to its last digit (half up): 0.5 of that digit away at most,
    # plus float rounding in the digits a float holds.
    half = Fraction(scale, 2 * 10**decimals)
    assert abs(read_bytes(text) - n) <= half * (1 + Fraction(1, 10**9))
