"""The convolution explorer (chapter 4): its compute function against PyTorch and
the notes' numbers, its messages, repr and argument checks, and its browser maths
(convmath.js in Node) against Python."""

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

from convlab import kernels
from convlab.widgets import ConvolutionExplorer, explore
from convlab.widgets._assets import STATIC
from convlab.widgets.explorer import (
    INPUT_MODULO,
    KERNEL_MODULO,
    LIMITS,
    conv2d_call,
    conv2d_problem,
    pattern_grid,
    size_formula,
    unread_cells,
)

NOTES_PADDED = [[0, 3, 8, 4], [9, 19, 25, 10], [21, 37, 43, 16], [6, 7, 8, 0]]


def torch_conv(X, K, **settings) -> torch.Tensor:
    """The reference: PyTorch's conv2d on one channel."""
    return F.conv2d(X[None, None], K[None, None], **settings)[0, 0]


def read_by_gradient(X, K, **settings) -> torch.Tensor:
    """Which input cells the output depends on, found by autograd (kernel of ones)."""
    X = X.clone().requires_grad_()
    torch_conv(X, torch.ones_like(K), **settings).sum().backward()
    return X.grad != 0


# --- the notes' numbers ---------------------------------------------------------


def test_default_is_the_notes_padding_example():
    e = ConvolutionExplorer().compute()
    assert e.X.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert e.K.tolist() == [[0, 1], [2, 3]]
    assert e.padded.shape == (5, 5) and e.padded[1:4, 1:4].tolist() == e.X.tolist()
    assert e.padded.sum() == e.X.sum()  # the border is zeros
    assert e.output.tolist() == NOTES_PADDED
    assert e.sum_text == "0×0 + 0×1 + 0×2 + 0×3 = 0"


def test_window_19_keeps_its_value_after_padding():
    e = explore(3, 2, padding=1, position=5)  # output row 1, column 1
    assert (e.row, e.col) == (1, 1)
    assert e.window == ((1, 1), (1, 2), (2, 1), (2, 2))
    assert e.sum_text == "0×0 + 1×1 + 3×2 + 4×3 = 19"


def test_stride_3_2_of_the_notes():
    e = explore(3, 2, stride=(3, 2), padding=1)
    assert e.output.tolist() == [[0, 8], [6, 8]]
    # Windows start at padded rows 0 and 3: padded row 2, input row 1, is skipped.
    assert e.unread == ((1, 0), (1, 1), (1, 2))
    last = explore(3, 2, stride=(3, 2), padding=1, position=3)
    assert last.sum_text == "7×0 + 8×1 + 0×2 + 0×3 = 8"


@pytest.mark.parametrize(
    ("settings", "shape"),
    [
        ({"kernel_size": 3, "padding": 1}, (8, 8)),
        ({"kernel_size": (5, 3), "padding": (2, 1)}, (8, 8)),
        ({"kernel_size": 3, "padding": 1, "stride": 2}, (4, 4)),
        ({"kernel_size": (3, 5), "padding": (0, 1), "stride": (3, 4)}, (2, 2)),
    ],
)
def test_the_notes_shape_examples(settings, shape):
    e = explore(8, **settings)
    assert tuple(e.output.shape) == shape
    assert [f.rsplit(" = ", 1)[1] for f in e.formulas] == [str(shape[0]), str(shape[1])]
    layer = nn.Conv2d(1, 1, bias=False, **settings)
    with torch.no_grad():
        layer.weight.copy_(e.K)
        expected = layer(e.X.float()[None, None])[0, 0]
    torch.testing.assert_close(e.output.float(), expected)


def test_the_notes_last_example_drops_two_rows():
    # kernel (3, 5), padding (0, 1), stride (3, 4): windows start at rows 0 and 3,
    # so rows 6 and 7 of the 8×8 input are never read; every column is.
    e = explore(8, (3, 5), stride=(3, 4), padding=(0, 1))
    assert {r for r, _ in e.unread} == {6, 7}
    assert len(e.unread) == 16


# --- against PyTorch on drawn settings ----------------------------------------------


@given(
    n=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    k=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    s=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    p=st.tuples(st.integers(0, 4), st.integers(0, 4)),
    d=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    position=st.integers(0, 500),
)
def test_explore_matches_pytorch(n, k, s, p, d, position):
    e = explore(n, k, stride=s, padding=p, dilation=d, position=position)
    X = torch.tensor(pattern_grid(*n, 10), dtype=torch.float64)
    K = torch.tensor(pattern_grid(*k, 4), dtype=torch.float64)
    assert torch.equal(e.X, X) and torch.equal(e.K, K)
    settings = {"stride": s, "padding": p, "dilation": d}
    # The dilated kernel's span must fit in the padded input on both axes.
    fits = all(d[i] * (k[i] - 1) + 1 <= n[i] + 2 * p[i] for i in (0, 1))
    if not fits:
        assert e.output is None and e.problem == conv2d_problem(n, k, p, d)
        with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
            torch_conv(X, K, **settings)
        return
    expected = torch_conv(X, K, **settings)
    torch.testing.assert_close(e.output, expected)
    torch.testing.assert_close(e.output, kernels.conv2d(X[None], K[None, None], **settings)[0])
    assert e.problem is None
    assert e.row * expected.shape[1] + e.col == min(position, expected.numel() - 1)
    assert sum(x * kv for x, kv in e.terms) == expected[e.row, e.col].item()
    assert [e.padded[r, c].item() for r, c in e.window] == [x for x, _ in e.terms]
    sizes = [int(f.rsplit(" = ", 1)[1]) for f in e.formulas]
    assert sizes == list(expected.shape)
    read = read_by_gradient(X, K, **settings)
    assert set(e.unread) == {tuple(ij) for ij in (~read).nonzero().tolist()}


# --- messages and text ----------------------------------------------------------


def test_size_formula_fills_in_the_numbers():
    assert size_formula("height", 224, 7, 2, 3, 1) == (
        "Output height = ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 = "
        "⌊(224 + 2·3 − 1·(7 − 1) − 1)/2⌋ + 1 = ⌊223/2⌋ + 1 = 112"
    )
    # A kernel that does not fit: the numerator and the result go negative.
    assert size_formula("width", 2, 5, 2, 0, 1).endswith("= ⌊−3/2⌋ + 1 = −1")


def test_problem_names_the_rule_with_the_numbers():
    assert conv2d_problem((3, 3), (3, 3), (1, 1), (4, 1)) == (
        "The dilated kernel spans d·(k − 1) + 1 = 4·(3 − 1) + 1 = 9 rows, but the padded "
        "input has only n + 2p = 3 + 2·1 = 5: a window must fit inside the padded input "
        "(d·(k − 1) + 1 ≤ n + 2p), so there is no output row."
    )
    assert conv2d_problem((4, 2), (1, 5)) == (
        "The kernel spans d·(k − 1) + 1 = 1·(5 − 1) + 1 = 5 columns, but the padded input "
        "has only n + 2p = 2 + 2·0 = 2: a window must fit inside the padded input "
        "(d·(k − 1) + 1 ≤ n + 2p), so there is no output column."
    )
    both = conv2d_problem((1, 1), (7, 7), (1, 2))
    assert both.count("The kernel spans") == 2 and "no output row" in both
    # Padding can make a kernel fit, and a large padding is not a problem.
    assert conv2d_problem((3, 3), (5, 5), (1, 1)) is None
    assert conv2d_problem((1, 1), (1, 1), (4, 4)) is None


def test_conv2d_call_builds_the_same_layer():
    text = conv2d_call((3, 5), (3, 4), (0, 1), (1, 2))
    assert text == (
        "nn.Conv2d(1, 1, kernel_size=(3, 5), stride=(3, 4), padding=(0, 1), "
        "dilation=(1, 2), bias=False)"
    )
    layer = eval(text, {"nn": nn})  # noqa: S307 (our own text)
    assert (layer.kernel_size, layer.stride, layer.padding, layer.dilation) == (
        (3, 5),
        (3, 4),
        (0, 1),
        (1, 2),
    )
    assert layer.bias is None


def test_unread_cells_on_hand_examples():
    # Stride 3 with a 3-wide kernel on 8 columns: windows 0–2 and 3–5; 6 and 7 dropped.
    assert {c for _, c in unread_cells((1, 8), (1, 3), (1, 3), (0, 0), (1, 1))} == {6, 7}
    # Padding 1 brings them back: windows at padded 0–2, 3–5, 6–8.
    assert unread_cells((1, 8), (1, 3), (1, 3), (0, 1), (1, 1)) == ()
    # Dilation 2 with stride 2: a 2-tap kernel reads only the even columns.
    assert unread_cells((1, 6), (1, 2), (1, 2), (0, 0), (1, 2)) == ((0, 1), (0, 3), (0, 5))


def test_repr_is_one_deterministic_line():
    w = ConvolutionExplorer()
    assert repr(w) == (
        "ConvolutionExplorer(X 3×3, K 2×2, stride (1, 1), padding (1, 1), dilation (1, 1) "
        "→ Y 4×4, window (0, 0): 0×0 + 0×1 + 0×2 + 0×3 = 0; "
        "Y = [[0, 3, 8, 4], [9, 19, 25, 10], [21, 37, 43, 16], [6, 7, 8, 0]])"
    )
    w.d_h = 4
    w.k_h = 3
    assert repr(w) == (
        "ConvolutionExplorer(X 3×3, K 3×2, stride (1, 1), padding (1, 1), dilation (4, 1): "
        + conv2d_problem((3, 3), (3, 2), (1, 1), (4, 1))
        + ")"
    )


# --- argument checks ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"input_size": 13}, ValueError, "input_size: the explorer allows 1 to 12 on each axis"),
        ({"input_size": (0, 3)}, ValueError, "input_size: the explorer allows 1 to 12"),
        ({"kernel_size": 8}, ValueError, "kernel_size: the explorer allows 1 to 7 on each axis"),
        ({"kernel_size": (2, 2, 2)}, ValueError, "kernel_size: expected an int or a pair"),
        ({"stride": 0}, ValueError, "stride: the explorer allows 1 to 4 on each axis, got 0"),
        ({"stride": "2"}, TypeError, "stride: expected an int or a pair of ints, got str '2'"),
        ({"padding": (1, 5)}, ValueError, "padding: the explorer allows 0 to 4 on each axis"),
        ({"padding": 1.5}, TypeError, "padding: expected an int or a pair of ints"),
        ({"dilation": True}, TypeError, "dilation: expected an int or a pair of ints"),
        ({"dilation": 5}, ValueError, "dilation: the explorer allows 1 to 4 on each axis"),
        ({"position": -1}, ValueError, "position: expected a whole number ≥ 0, got -1"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        ConvolutionExplorer(**kwargs)
    settings = {"input_size": 3, "kernel_size": 2, **kwargs}
    with pytest.raises(error, match=re.escape(words)):
        explore(**settings)


def test_setting_a_trait_out_of_range_is_refused():
    w = ConvolutionExplorer()
    with pytest.raises(ValueError, match=re.escape("p_h: the explorer allows 0 to 4, got 5")):
        w.p_h = 5
    with pytest.raises(ValueError, match=re.escape("position: expected a whole number ≥ 0")):
        w.position = -2
    assert w.p_h == 1


def test_widget_state_is_plain_ints_and_the_view_is_bundled():
    w = ConvolutionExplorer(8, (3, 5), stride=(3, 4), padding=(0, 1), dilation=(1, 2))
    assert (w.n_h, w.n_w, w.k_h, w.k_w, w.s_h, w.s_w, w.p_h, w.p_w, w.d_h, w.d_w) == (
        8,
        8,
        3,
        5,
        3,
        4,
        0,
        1,
        1,
        2,
    )
    assert w.settings()["stride"] == (3, 4)
    assert w._esm == (STATIC / "explorer.js").read_text(encoding="utf-8")  # its bundle


# --- the browser's maths (static/src/widgets/explorer.js in Node) against Python ---------------


def random_setting(rng: random.Random) -> tuple:
    return tuple(
        [rng.randint(*LIMITS[name]), rng.randint(*LIMITS[name])]
        for name in ("input_size", "kernel_size", "stride", "padding", "dilation")
    )


def test_explorer_maths_in_js_matches_python():
    rng = random.Random(4)
    settings = [random_setting(rng) for _ in range(300)]
    cases, expected = [], []
    for n, k, s, p, d in settings:
        cases += [
            ("conv2dProblem", [n, k, p, d]),
            ("sizeFormula", ["height", n[0], k[0], s[0], p[0], d[0]]),
            ("conv2dCall", [k, s, p, d]),
            ("unreadCells", [n, k, s, p, d]),
            ("patternGrid", [*n, INPUT_MODULO]),
        ]
        expected += [
            conv2d_problem(n, k, p, d),
            size_formula("height", n[0], k[0], s[0], p[0], d[0]),
            conv2d_call(k, s, p, d),
            [list(ij) for ij in unread_cells(n, k, s, p, d)],
            pattern_grid(*n, INPUT_MODULO),
        ]
    got = run_js("widgets/explorer.js", cases)
    for case, g, e in zip(cases, got, expected, strict=True):
        assert g == e, case
    assert sum(e is not None for e in expected[::5]) > 20  # impossible settings were tried


def test_explorer_output_in_js_matches_explore():
    rng = random.Random(5)
    cases, results = [], []
    while len(cases) < 100:
        n, k, s, p, d = random_setting(rng)
        if conv2d_problem(n, k, p, d):
            continue
        X, K = pattern_grid(*n, INPUT_MODULO), pattern_grid(*k, KERNEL_MODULO)
        cases.append(("correlate2d", [X, K, {"stride": s, "padding": p, "dilation": d}]))
        results.append(explore(n, k, stride=s, padding=p, dilation=d).output.tolist())
    assert run_js("kernels/correlation.js", cases) == results


def test_the_views_grids_are_explores_grids():
    sizes = [[1, 1], [3, 3], [2, 5], [7, 7], [12, 1]]
    cases = [("inputGrid", [n]) for n in sizes] + [("kernelGrid", [k]) for k in sizes[:-1]]
    expected = [explore(n, 1).X.tolist() for n in sizes]
    expected += [explore(12, k).K.tolist() for k in sizes[:-1]]
    assert run_js("widgets/explorer.js", cases) == expected
