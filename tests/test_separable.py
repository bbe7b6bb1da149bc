"""Chapter 7: grouped and depthwise-separable convolution, counted and checked against PyTorch."""

from __future__ import annotations

import math
import random

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js
from torch import nn

from convlab import counting, kernels
from convlab.widgets import SeparableCost
from convlab.widgets.separable import (
    CHANNELS,
    SIZES,
    cost,
    groups_kind,
    groups_problem,
    groups_rule,
    ratio_text,
    valid_groups,
)


def n_params(*layers: nn.Module) -> int:
    return sum(p.numel() for layer in layers for p in layer.parameters())


def separable_layers(m: int, n: int, k: int, bias: bool = True) -> tuple[nn.Conv2d, nn.Conv2d]:
    """Depthwise (groups = m) then pointwise (1 × 1), as the notes build them."""
    depthwise = nn.Conv2d(m, m, k, groups=m, bias=bias, device="meta")
    pointwise = nn.Conv2d(m, n, 1, bias=bias, device="meta")
    return depthwise, pointwise


def direct_macs(c_in: int, c_out: int, k: int, out_h: int, out_w: int, groups: int = 1) -> int:
    """Count the multiply-adds one by one: every output sums over its group's inputs."""
    per_group = c_in // groups
    total = 0
    for _ in range(c_out):
        for _ in range(out_h * out_w):
            total += per_group * k * k
    return total


# --- the notes' examples -------------------------------------------------------


def test_three_channels_5x5_to_four_channels_gives_1_4_3_3():
    torch.manual_seed(0)
    X = torch.rand(3, 5, 5).unsqueeze(0)
    depthwise = nn.Conv2d(3, 3, 3, stride=1, groups=3)
    pointwise = nn.Conv2d(3, 4, 1, stride=1)
    Y = pointwise(depthwise(X))
    assert depthwise.weight.shape == (3, 1, 3, 3)
    assert Y.shape == (1, 4, 3, 3)


def test_three_channels_128x128_to_ten_channels_gives_1_10_126_126():
    torch.manual_seed(0)
    X = torch.rand(3, 128, 128).unsqueeze(0)
    depthwise = nn.Conv2d(3, 3, 3, 1, groups=3)
    pointwise = nn.Conv2d(3, 10, 1)
    assert pointwise(depthwise(X)).shape == (1, 10, 126, 126)


def test_the_notes_layers_counted():
    # 3 → 4 channels, 3 × 3: 27 + 3 depthwise, 12 + 4 pointwise.
    assert counting.separable_params(3, 4, 3) == 46 == n_params(*separable_layers(3, 4, 3))
    assert counting.separable_params(3, 4, 3, bias=False) == 3 * 3 * 3 + 3 * 4 == 39
    # 3 → 10 on a 126 × 126 output.
    assert counting.separable_macs(3, 10, 3, 126) == (9 * 3 + 3 * 10) * 126 * 126 == 904_932
    assert counting.conv2d_macs(3, 10, 3, 126) == 9 * 3 * 10 * 126 * 126 == 4_286_520


# --- counting ------------------------------------------------------------------


def test_ratio_for_256_channels_is_about_a_ninth():
    assert counting.separable_ratio(256, 3) == pytest.approx(1 / 256 + 1 / 9)
    assert 1 / counting.separable_ratio(256, 3) == pytest.approx(8.69, abs=0.01)


@given(
    st.integers(1, 12), st.integers(1, 12), st.integers(1, 5), st.integers(1, 6), st.integers(1, 6)
)
def test_separable_macs_is_a_direct_count(m, n, k, out_h, out_w):
    depthwise = direct_macs(m, m, k, out_h, out_w, groups=m)
    pointwise = direct_macs(m, n, 1, out_h, out_w)
    assert counting.separable_macs(m, n, k, (out_h, out_w)) == depthwise + pointwise
    assert depthwise == k * k * m * out_h * out_w
    assert pointwise == m * n * out_h * out_w


@given(st.integers(1, 64), st.integers(1, 64), st.integers(1, 7), st.integers(1, 64))
def test_the_ratio_is_separable_over_standard(m, n, k, side):
    standard = counting.conv2d_macs(m, n, k, side)
    separable = counting.separable_macs(m, n, k, side)
    assert separable / standard == pytest.approx(counting.separable_ratio(n, k), rel=1e-12)
    weights = counting.separable_params(m, n, k, bias=False)
    standard_weights = counting.conv2d_params(m, n, k, bias=False)
    assert weights / standard_weights == pytest.approx(counting.separable_ratio(n, k), rel=1e-12)


@given(st.integers(1, 48), st.integers(1, 48), st.integers(1, 7), st.booleans())
def test_separable_params_is_what_two_conv2d_hold(m, n, k, bias):
    assert counting.separable_params(m, n, k, bias) == n_params(*separable_layers(m, n, k, bias))
    assert counting.separable_params(m, n, k, bias) == k * k * m + m * n + (m + n if bias else 0)


@given(st.integers(1, 24), st.integers(1, 24), st.integers(1, 5), st.booleans(), st.data())
def test_grouped_params_is_what_nn_conv2d_holds(m, n, k, bias, data):
    groups = data.draw(st.sampled_from(valid_groups(m, n)))
    layer = nn.Conv2d(m, n, k, groups=groups, bias=bias, device="meta")
    assert counting.grouped_params(m, n, k, groups, bias) == n_params(layer)
    macs = counting.conv2d_macs(m, n, k, 4, groups)
    assert macs == direct_macs(m, n, k, 4, 4, groups)
    assert macs * groups == counting.conv2d_macs(m, n, k, 4)


def test_depthwise_separable_is_not_cheaper_for_one_output_channel():
    # n = 1: 1/1 + 1/k² > 1, the pointwise layer adds work to a layer that was already thin.
    assert counting.separable_ratio(1, 3) > 1
    assert counting.separable_macs(32, 1, 3, 10) > counting.conv2d_macs(32, 1, 3, 10)
    # k = 1: 1/n + 1 > 1 as well.
    assert counting.separable_macs(32, 64, 1, 10) > counting.conv2d_macs(32, 64, 1, 10)


# --- grouped convolution in convlab.kernels against PyTorch ---------------------


@pytest.mark.parametrize(
    ("m", "n", "groups"), [(4, 6, 2), (6, 6, 3), (3, 3, 3), (4, 8, 4), (6, 4, 1)]
)
def test_grouped_conv2d_matches_torch(m, n, groups):
    g = torch.Generator().manual_seed(m * 100 + n * 10 + groups)
    X = torch.randn(2, m, 7, 6, generator=g, dtype=torch.float64)
    W = torch.randn(n, m // groups, 3, 3, generator=g, dtype=torch.float64)
    b = torch.randn(n, generator=g, dtype=torch.float64)
    expected = F.conv2d(X, W, b, groups=groups)
    torch.testing.assert_close(kernels.conv2d(X, W, b, groups=groups), expected)


def test_a_grouped_convolution_is_separate_convolutions_side_by_side():
    g = torch.Generator().manual_seed(7)
    X = torch.randn(1, 4, 6, 6, generator=g, dtype=torch.float64)
    W = torch.randn(6, 2, 3, 3, generator=g, dtype=torch.float64)
    halves = [kernels.conv2d(X[:, 2 * i : 2 * i + 2], W[3 * i : 3 * i + 3]) for i in range(2)]
    torch.testing.assert_close(kernels.conv2d(X, W, groups=2), torch.cat(halves, dim=1))


def test_depthwise_then_pointwise_matches_torch():
    g = torch.Generator().manual_seed(3)
    X = torch.rand(1, 3, 5, 5, generator=g, dtype=torch.float64)
    W_dw = torch.randn(3, 1, 3, 3, generator=g, dtype=torch.float64)
    W_pw = torch.randn(4, 3, 1, 1, generator=g, dtype=torch.float64)
    ours = kernels.conv2d(kernels.conv2d(X, W_dw, groups=3), W_pw)
    theirs = F.conv2d(F.conv2d(X, W_dw, groups=3), W_pw)
    assert ours.shape == (1, 4, 3, 3)
    torch.testing.assert_close(ours, theirs)


# --- the widget ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("m", "n", "expected"),
    [(32, 64, [1, 2, 4, 8, 16, 32]), (6, 4, [1, 2]), (3, 10, [1]), (12, 12, [1, 2, 3, 4, 6, 12])],
)
def test_valid_groups_are_what_nn_conv2d_accepts(m, n, expected):
    assert valid_groups(m, n) == expected
    for groups in range(1, max(m, n) + 1):
        try:
            nn.Conv2d(m, n, 3, groups=groups, device="meta")
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == (groups in expected)
        assert (groups_problem(m, n, groups) is None) == accepted


def test_groups_rule_and_problem_in_words():
    assert groups_rule(6, 4) == (
        "groups must divide both m = 6 and n = 4, so it is a divisor of gcd(6, 4) = 2: 1, 2. "
        "Depthwise (groups = m = 6) would need n to be a multiple of 6."
    )
    assert groups_rule(32, 64).endswith(
        "groups = m = 32 is depthwise: each input channel is a group, with n / m = 2 kernels."
    )
    assert groups_problem(6, 4, 4) == (
        "groups = 4 does not divide m = 6 (6 / 4 is not whole): each group needs the same "
        "whole number of input and output channels. Pick one of 1, 2."
    )
    assert "m = 6 (6 / 4 is not whole) or n = 10" in groups_problem(6, 10, 4)
    assert [groups_kind(8, g) for g in (1, 2, 8)] == ["standard", "grouped", "depthwise"]


def test_ratio_text_fills_in_the_numbers():
    assert ratio_text(64, 3) == "1/n + 1/k² = 1/64 + 1/9 = 0.0156 + 0.111 = 0.127, 7.89× fewer"


def test_cost_matches_nn_conv2d_and_the_counts():
    c = cost(32, 64, 3, 112, groups=4)
    assert c.standard_params == n_params(nn.Conv2d(32, 64, 3, bias=False, device="meta"))
    assert c.separable_params == n_params(*separable_layers(32, 64, 3, bias=False)) == 2_336
    assert c.grouped_params == n_params(nn.Conv2d(32, 64, 3, groups=4, bias=False, device="meta"))
    assert c.standard_macs == 3 * 3 * 32 * 64 * 112 * 112 == 231_211_008
    assert c.depthwise_macs == 3 * 3 * 32 * 112 * 112
    assert c.pointwise_macs == 32 * 64 * 112 * 112
    assert c.grouped_macs * 4 == c.standard_macs
    assert c.problem is None
    bad = cost(6, 4, 3, 7, groups=4)
    assert bad.grouped_macs is bad.grouped_params is None
    assert bad.problem == groups_problem(6, 4, 4)


def test_repr_is_one_deterministic_line():
    assert repr(SeparableCost()) == (
        "SeparableCost(32 → 64 channels, 3×3 kernels, 112×112 output: standard 231,211,008 MACs, "
        "separable 29,302,784 MACs, ratio 0.127; groups = 1 (standard) 231,211,008 MACs)"
    )
    w = SeparableCost(3, 10, 3, 126)
    w.in_channels = 6  # as a slider would: the groups rule is explained, not raised
    w.groups = 4
    assert repr(w).endswith(f"groups = 4: {groups_problem(6, 10, 4)})")


def test_moving_traits_recomputes():
    w = SeparableCost(8, 16, 3, 28, groups=8)
    assert "(depthwise)" in repr(w)
    w.kernel = 5
    assert w.compute().standard_macs == counting.conv2d_macs(8, 16, 5, 28)
    assert w.compute().grouped_macs == counting.conv2d_macs(8, 16, 5, 28, groups=8)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"in_channels": 0}, ValueError, "in_channels: the widget allows 1 to 512, got 0"),
        ({"out_channels": 513}, ValueError, "out_channels: the widget allows 1 to 512, got 513"),
        ({"kernel": 8}, ValueError, "kernel: the widget allows 1 to 7, got 8"),
        ({"size": 0}, ValueError, "size: the widget allows 1 to 224, got 0"),
        ({"groups": 0}, ValueError, "groups: the widget allows 1 to 512, got 0"),
        ({"groups": 3}, ValueError, "groups: groups = 3 does not divide m = 32"),
        ({"kernel": 2.5}, TypeError, "kernel: expected an int, got float 2.5"),
        ({"in_channels": True}, TypeError, "in_channels: expected an int, got bool"),
    ],
)
def test_bad_widget_arguments_get_clear_errors(kwargs, error, words):
    with pytest.raises(error, match=words):
        SeparableCost(**kwargs)


def test_bad_trait_values_from_python_are_refused():
    w = SeparableCost()
    with pytest.raises(ValueError, match="kernel: the widget allows 1 to 7, got 9"):
        w.kernel = 9


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: counting.separable_macs(0, 4, 3, 5),
            ValueError,
            "in_channels: must be ≥ 1, got 0",
        ),
        (
            lambda: counting.separable_macs(3, 0, 3, 5),
            ValueError,
            "out_channels: must be ≥ 1, got 0",
        ),
        (lambda: counting.separable_macs(3, 4, 0, 5), ValueError, "kernel_size: must be ≥ 1"),
        (lambda: counting.separable_macs(3, 4, 3, 0), ValueError, "output_size: must be ≥ 1"),
        (
            lambda: counting.separable_params(3, 4, 3, bias=1),
            TypeError,
            "bias: expected True or False",
        ),
        (lambda: counting.separable_ratio(0, 3), ValueError, "out_channels: must be ≥ 1, got 0"),
        (
            lambda: counting.grouped_params(4, 6, 3, groups=3),
            ValueError,
            "groups: 3 groups must divide in_channels = 4",
        ),
        (
            lambda: counting.grouped_params(4, 6, 3, groups=4),
            ValueError,
            "groups: 4 groups must divide out_channels = 6",
        ),
    ],
)
def test_bad_counting_arguments_get_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


# --- the browser's maths (static/src/widgets/separable.js in Node) against Python ----------------


def random_setting(rng: random.Random) -> tuple[int, int, int, int, int]:
    m, n = rng.choice(CHANNELS), rng.choice(CHANNELS)
    k, size = rng.randint(1, 7), rng.choice(SIZES)
    groups = rng.choice(valid_groups(m, n)) if rng.random() < 0.7 else rng.randint(1, 16)
    return m, n, k, size, groups


def test_js_costs_match_python_on_random_cases():
    rng = random.Random(0)
    settings = [random_setting(rng) for _ in range(300)] + [(512, 512, 7, 224, 512)]
    got = run_js("widgets/separable.js", [("cost", list(s)) for s in settings])
    for (m, n, k, size, groups), js in zip(settings, got, strict=True):
        py = cost(m, n, k, size, groups)
        assert js["standardMacs"] == py.standard_macs
        assert js["depthwiseMacs"] == py.depthwise_macs
        assert js["pointwiseMacs"] == py.pointwise_macs
        assert js["separableMacs"] == py.separable_macs
        assert js["standardParams"] == py.standard_params
        assert js["separableParams"] == py.separable_params
        assert js["groupedMacs"] == py.grouped_macs
        assert js["groupedParams"] == py.grouped_params
        assert js["problem"] == py.problem
        assert math.isclose(js["ratio"], py.ratio, rel_tol=1e-15)


def test_js_groups_and_texts_match_python():
    rng = random.Random(1)
    pairs = [(rng.choice(CHANNELS), rng.choice(CHANNELS)) for _ in range(100)]
    calls = []
    for m, n in pairs:
        g = rng.randint(1, 12)
        calls += [
            ("validGroups", [m, n]),
            ("groupsRule", [m, n]),
            ("groupsProblem", [m, n, g]),
            ("groupsKind", [m, g]),
            ("ratioText", [n, rng.randint(1, 7)]),
        ]
    got = run_js("widgets/separable.js", calls)
    for (fn, args), js in zip(calls, got, strict=True):
        python = {
            "validGroups": valid_groups,
            "groupsRule": groups_rule,
            "groupsProblem": groups_problem,
            "groupsKind": groups_kind,
            "ratioText": ratio_text,
        }[fn]
        assert js == python(*args), (fn, args)
