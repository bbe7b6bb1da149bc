"""Multiple input and output channels (chapter 5): the notes' numbers, the
multi-channel widget against PyTorch, the cost counts against nn.Conv2d and a
direct count, and the widget's browser maths (convmath.js in Node) against Python."""

from __future__ import annotations

import random
import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js
from torch import nn

from convlab import counting, kernels
from convlab.widgets import MultiChannelConv, multi_channel
from convlab.widgets._assets import STATIC
from convlab.widgets.channels import (
    LIMITS,
    channel_input,
    channel_weights,
    channels_problem,
    count_texts,
)

NOTES_Y = [
    [[268, 296], [352, 380]],
    [[320, 356], [428, 464]],
    [[372, 416], [504, 548]],
]


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# --- the notes' numbers -------------------------------------------------------------


def test_the_notes_multi_input_example():
    X = torch.arange(18.0).reshape(2, 3, 3)
    K = torch.arange(8.0).reshape(2, 2, 2)
    assert kernels.corr2d_multi_in(X, K).tolist() == NOTES_Y[0]
    assert F.conv2d(X[None], K[None])[0, 0].tolist() == NOTES_Y[0]


def test_the_notes_multi_output_example():
    X = torch.arange(18.0).reshape(2, 3, 3)
    K = torch.arange(8.0).reshape(2, 2, 2)
    W = torch.stack((K, K + 1, K + 2))
    assert W.shape == (3, 2, 2, 2)
    assert kernels.corr2d_multi_out(X, W).tolist() == NOTES_Y
    assert F.conv2d(X[None], W)[0].tolist() == NOTES_Y


def test_one_by_one_is_a_matrix_product_within_a_small_tolerance():
    torch.manual_seed(0)
    X = torch.normal(0, 1, (3, 3, 3))
    K = torch.normal(0, 1, (2, 3, 1, 1))
    Y1 = kernels.corr2d_multi_in_out_1x1(X, K)
    Y2 = kernels.corr2d_multi_out(X, K)
    assert (Y1 - Y2).abs().max().item() < 1e-6  # not the notes' "< 1e6"
    assert torch.allclose(Y1, (K.reshape(2, 3) @ X.reshape(3, 9)).reshape(2, 3, 3), atol=1e-6)
    assert torch.allclose(Y1, F.conv2d(X[None], K)[0], atol=1e-6)


def test_widget_defaults_are_the_notes_example():
    r = MultiChannelConv().compute()
    assert r.X.tolist() == torch.arange(18.0).reshape(2, 3, 3).tolist()
    K = torch.arange(8.0).reshape(2, 2, 2)
    assert r.W.tolist() == torch.stack((K, K + 1, K + 2)).tolist()
    assert r.b.tolist() == [0, 0, 0]
    assert r.output.tolist() == NOTES_Y
    # Channel 0 is chapter 2's 19, 25, 37, 43 plus channel 1's correlation.
    assert r.partials[0, 0].tolist() == [[19, 25], [37, 43]]
    assert r.partials[0, 1].tolist() == [[249, 271], [315, 337]]


# --- the widget against PyTorch on drawn settings -------------------------------------


@given(
    ci=st.integers(1, 3),
    co=st.integers(1, 3),
    k=st.integers(1, 3),
    n=st.integers(1, 5),
    bias=st.integers(-5, 5),
)
def test_multi_channel_matches_pytorch(ci, co, k, n, bias):
    r = multi_channel(ci, co, k, n, bias)
    X = torch.tensor(channel_input(ci, n), dtype=torch.float64)
    W = torch.tensor(channel_weights(co, ci, k), dtype=torch.float64)
    assert torch.equal(r.X, X) and torch.equal(r.W, W)
    assert r.X.max() < 20 and r.W.max() < 12  # small numbers
    b = torch.full((co,), float(bias), dtype=torch.float64)
    if k > n:
        assert r.output is None and r.partials is None
        assert r.problem == channels_problem(n, k)
        with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
            F.conv2d(X[None], W, b)
        return
    expected = F.conv2d(X[None], W, b)[0]
    torch.testing.assert_close(r.output, expected)
    torch.testing.assert_close(r.output, kernels.conv2d(X, W, b))
    # Each partial is a single-channel correlation; they add up to the output.
    for o in range(co):
        for c in range(ci):
            one = F.conv2d(X[None, c : c + 1], W[o : o + 1, c : c + 1])[0, 0]
            torch.testing.assert_close(r.partials[o, c], one)
    torch.testing.assert_close(r.partials.sum(dim=1) + bias, expected)
    layer = nn.Conv2d(ci, co, k, device="meta")
    assert r.texts["weight"].endswith(str(tuple(layer.weight.shape)))
    assert r.texts["params"].endswith(f"= {n_params(layer):,}")
    macs = counting.counted_multiply_adds(ci, co, k, n)
    assert r.texts["macs"].endswith(f"= {macs:,}")


# --- counting ------------------------------------------------------------------------


@given(
    ci=st.integers(1, 4),
    co=st.integers(1, 4),
    k=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    n=st.tuples(st.integers(1, 7), st.integers(1, 7)),
)
def test_counts_match_pytorch_and_a_direct_count(ci, co, k, n):
    if k[0] > n[0] or k[1] > n[1]:
        with pytest.raises(ValueError, match="does not fit the padded input"):
            counting.conv2d_cost(ci, co, k, n)
        return
    cost = counting.conv2d_cost(ci, co, k, n)
    layer = nn.Conv2d(ci, co, k)
    Y = layer(torch.zeros(1, ci, *n))
    assert cost["weight_shape"] == tuple(layer.weight.shape)
    assert cost["output_shape"] == tuple(Y.shape[1:])
    assert cost["params"] == n_params(layer)
    assert cost["macs"] == counting.counted_multiply_adds(ci, co, k, n)
    # Multiply-adds: every output number is a dot product of c_i·k_h·k_w terms.
    assert cost["macs"] == Y[0].numel() * layer.weight[0].numel()


@pytest.mark.parametrize(
    ("args", "kwargs", "shape"),
    [((56, 3), {"padding": 1}, (56, 56)), ((224, 7), {"stride": 2, "padding": 3}, (112, 112))],
)
def test_conv2d_output_size_matches_pytorch(args, kwargs, shape):
    assert counting.conv2d_output_size(*args, **kwargs) == shape
    layer = nn.Conv2d(1, 1, args[1], **kwargs, device="meta")
    assert tuple(layer(torch.zeros(1, 1, args[0], args[0], device="meta")).shape[2:]) == shape


def test_halving_size_and_doubling_channels_keeps_the_cost():
    costs = [counting.conv2d_cost(64 * 2**s, 64 * 2**s, 3, 56 // 2**s, padding=1) for s in range(4)]
    assert {c["macs"] for c in costs} == {115_605_504}
    assert [c["params"] for c in costs] == [36_928, 147_584, 590_080, 2_359_808]


def test_exercise_numbers():
    cost = counting.conv2d_cost(64, 128, 3, 56, padding=1)
    assert cost["params"] == 73_856 and cost["macs"] == 231_211_008
    alone = counting.conv2d_cost(256, 256, 3, 28, padding=1)["macs"]
    pair = (
        counting.conv2d_cost(256, 64, 1, 28)["macs"]
        + counting.conv2d_cost(64, 256, 3, 28, padding=1)["macs"]
    )
    assert pair * 36 == alone * 10


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: counting.conv2d_output_size(3, 4), ValueError, "height has 4 > 3 + 2·0 = 3"),
        (lambda: counting.conv2d_output_size(0, 1), ValueError, "input_size: must be ≥ 1"),
        (lambda: counting.conv2d_output_size(5, 3, stride=0), ValueError, "stride: must be ≥ 1"),
        (lambda: counting.conv2d_output_size(5, 3, padding=-1), ValueError, "padding: must be ≥ 0"),
        (lambda: counting.conv2d_cost(0, 1, 1, 3), ValueError, "in_channels: must be ≥ 1"),
        (
            lambda: counting.conv2d_cost(1, 1, 1, 3, bias=1),
            TypeError,
            "bias: expected True or False",
        ),
        (
            lambda: counting.counted_multiply_adds(1.5, 1, 1, 3),
            TypeError,
            "in_channels: expected an int",
        ),
        (lambda: counting.counted_multiply_adds(1, 1, (2, 2), 1), ValueError, "does not fit"),
    ],
)
def test_counting_argument_errors(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


# --- widget text, repr and argument checks ----------------------------------------------


def test_count_texts_fill_in_the_numbers():
    assert count_texts(2, 3, 2, 3) == {
        "weight": "Weight shape (c_o, c_i, k_h, k_w) = (3, 2, 2, 2)",
        "params": "Parameters = c_o·c_i·k_h·k_w + c_o = 3·2·2·2 + 3 = 27",
        "output": "Output shape (c_o, m_h, m_w) = (3, 2, 2), m = n − k + 1 = 3 − 2 + 1",
        "macs": "Multiply-adds = c_o·c_i·k_h·k_w·m_h·m_w = 3·2·2·2·2·2 = 96",
    }
    assert count_texts(1, 1, 3, 2)["macs"] == "Multiply-adds: none, there is no output"


def test_problem_names_the_rule_with_the_numbers():
    assert channels_problem(3, 3) is None
    assert channels_problem(2, 3) == (
        "The kernel is 3×3 but each input channel is only 2×2: a window must fit inside the "
        "input (k ≤ n), and m = n − k + 1 = 2 − 3 + 1 = 0 leaves no output. The weight still "
        "has its shape and its 3·3 taps per channel pair; only the multiply-adds need an output."
    )


def test_repr_is_one_deterministic_line():
    w = MultiChannelConv()
    assert repr(w) == (
        "MultiChannelConv(X 2×3×3, W 3×2×2×2, bias 0: 27 parameters, 96 multiply-adds; "
        "Y[0] = [[268, 296], [352, 380]]; Y[1] = [[320, 356], [428, 464]]; "
        "Y[2] = [[372, 416], [504, 548]])"
    )
    w.input_size = 1
    assert repr(w) == (
        "MultiChannelConv(X 2×1×1, W 3×2×2×2, bias 0: " + channels_problem(1, 2) + ")"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"in_channels": 4}, ValueError, "in_channels: the widget allows 1 to 3, got 4"),
        ({"out_channels": 0}, ValueError, "out_channels: the widget allows 1 to 3, got 0"),
        ({"kernel_size": 2.0}, TypeError, "kernel_size: expected an int, got float 2.0"),
        ({"input_size": 6}, ValueError, "input_size: the widget allows 1 to 5, got 6"),
        ({"bias": True}, TypeError, "bias: expected an int, got bool True"),
        ({"bias": -6}, ValueError, "bias: the widget allows -5 to 5, got -6"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        MultiChannelConv(**kwargs)
    with pytest.raises(error, match=re.escape(words)):
        multi_channel(**kwargs)


def test_setting_a_trait_out_of_range_is_refused():
    w = MultiChannelConv()
    with pytest.raises(ValueError, match=re.escape("in_channels: the widget allows 1 to 3")):
        w.in_channels = 5
    assert w.in_channels == 2
    assert w._esm == (STATIC / "channels.js").read_text(encoding="utf-8")  # its bundle


# --- the browser's maths (static/src/widgets/channels.js in Node) against Python ---------


def test_channel_maths_in_js_matches_python():
    rng = random.Random(5)
    cases, expected = [], []
    for _ in range(150):
        ci, co, k, n, bias = (rng.randint(*LIMITS[name]) for name in LIMITS)
        r = multi_channel(ci, co, k, n, bias)
        X, W = channel_input(ci, n), channel_weights(co, ci, k)
        cases += [
            ("channelInput", [ci, n]),
            ("channelWeights", [co, ci, k]),
            ("channelsProblem", [n, k]),
            ("countTexts", [ci, co, k, n]),
            ("multiChannelConv", [X, W, [bias] * co]),
        ]
        conv = (
            None
            if r.output is None
            else {"partials": r.partials.tolist(), "output": r.output.tolist()}
        )
        expected += [X, W, r.problem, r.texts, conv]
    got = run_js("widgets/channels.js", cases)
    for case, g, e in zip(cases, got, expected, strict=True):
        assert g == e, case
    assert sum(e is not None for e in expected[2::5]) > 10  # impossible settings were tried
