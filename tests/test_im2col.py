"""im2col (convlab.im2col), the explorer widget (Python and its JS in Node), the timings.

References: ``torch.nn.functional.unfold`` is PyTorch's own im2col and
``torch.nn.functional.conv2d`` the layer; both are independent of convlab.
"""

from __future__ import annotations

import itertools
import json
import math
import re

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from bounded import cost_of
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js

from convlab import kernels, plots, speed
from convlab.im2col import conv2d_im2col, im2col, im2col_sizes, kernel_matrix
from convlab.kernels._windows import sliding_windows
from convlab.widgets import Im2colExplorer, explore_im2col
from convlab.widgets._assets import STATIC
from convlab.widgets.im2col import (
    LIMITS,
    im2col_input,
    im2col_problem,
    im2col_weights,
    size_texts,
)

matplotlib.use("Agg")

NOTES_X = torch.arange(9.0).reshape(1, 3, 3)
NOTES_K = torch.arange(4.0).reshape(1, 1, 2, 2)


# --- convlab.im2col -----------------------------------------------------------


def test_the_notes_example_column_by_column():
    columns = im2col(NOTES_X, 2)
    # One column per window: (0, 1, 3, 4) is the top-left window, read row by row.
    assert columns.tolist() == [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]
    assert kernel_matrix(NOTES_K).tolist() == [[0, 1, 2, 3]]
    assert (kernel_matrix(NOTES_K) @ columns).tolist() == [[19, 25, 37, 43]]
    assert conv2d_im2col(NOTES_X, NOTES_K).tolist() == [[[19, 25], [37, 43]]]


@given(
    batch=st.sampled_from([None, 1, 2]),
    channels=st.integers(1, 3),
    out_channels=st.integers(1, 3),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    dh=st.integers(1, 2),
    dw=st.integers(1, 2),
    extra_h=st.integers(0, 6),
    extra_w=st.integers(0, 6),
    seed=st.integers(0, 2**16),
)
def test_matches_unfold_and_conv2d(
    batch, channels, out_channels, kh, kw, sh, sw, dh, dw, extra_h, extra_w, seed
):
    g = torch.Generator().manual_seed(seed)
    h, w = dh * (kh - 1) + 1 + extra_h, dw * (kw - 1) + 1 + extra_w
    X = torch.randn(batch or 1, channels, h, w, generator=g, dtype=torch.float64)
    W = torch.randn(out_channels, channels, kh, kw, generator=g, dtype=torch.float64)
    options = {"stride": (sh, sw), "dilation": (dh, dw)}
    expected_columns = F.unfold(X, (kh, kw), **options)
    expected = F.conv2d(X, W, **options)
    if batch is None:
        X, expected_columns, expected = X[0], expected_columns[0], expected[0]
    torch.testing.assert_close(im2col(X, (kh, kw), (sh, sw), (dh, dw)), expected_columns)
    torch.testing.assert_close(conv2d_im2col(X, W, (sh, sw), (dh, dw)), expected)


def test_the_view_is_free_and_the_matrix_is_a_copy():
    X = torch.randn(2, 10, 10)
    windows = sliding_windows(X, (3, 3), (1, 1), (1, 1))
    assert windows.untyped_storage().data_ptr() == X.untyped_storage().data_ptr()
    columns = im2col(X, 3)
    assert columns.untyped_storage().data_ptr() != X.untyped_storage().data_ptr()
    assert columns.numel() == 2 * 9 * 8 * 8 == im2col_sizes(2, 10, 3).matrix_elements


@pytest.mark.parametrize(
    ("channels", "size", "kernel", "stride"), [(1, 3, 2, 1), (64, 224, 3, 1), (3, 7, 3, 2)]
)
def test_sizes_match_the_tensors(channels, size, kernel, stride):
    X = torch.empty(channels, size, size, device="meta")  # shapes only, no memory
    columns = im2col(X, kernel, stride)
    sizes = im2col_sizes(channels, size, kernel, stride, out_channels=5)
    assert (sizes.rows, sizes.columns) == tuple(columns.shape)
    assert sizes.matrix_elements == columns.numel()
    assert sizes.input_elements == X.numel()
    assert sizes.macs == 5 * columns.numel()


def test_growth_tends_to_k_squared_over_s_squared():
    assert im2col_sizes(1, 4000, 3).growth == pytest.approx(9, rel=1e-2)
    assert im2col_sizes(1, 4001, 3, 2).growth == pytest.approx(9 / 4, rel=1e-2)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: im2col(torch.ones(4, 4), 2), "X: expected a 3-D (C, H, W) or 4-D (N, C, H, W)"),
        (lambda: im2col(torch.ones(1, 2, 2), 3), "kernel_size"),
        (lambda: im2col(torch.ones(1, 5, 5), 2, stride=0), "stride: must be ≥ 1"),
        (lambda: kernel_matrix(torch.ones(2, 2)), "W: expected a 4-D (C_out, C, k_h, k_w)"),
        (
            lambda: conv2d_im2col(torch.ones(2, 4, 4), torch.ones(1, 3, 2, 2)),
            "X: has 2 channels, but the kernel expects 3",
        ),
    ],
)
def test_bad_arguments_get_clear_errors(call, words):
    with pytest.raises(ValueError, match=r".") as err:
        call()
    assert words in str(err.value)


# --- awkward arguments, huge numbers, the memory limit -------------------------

AWKWARD = [
    None, True, False, 0, -1, 10**30, 2**63, np.int64(2), np.float32(0.5), 2.5, math.nan,
    math.inf, "a", "", [], [[]], (1, 2, 3), {}, object(), torch.tensor(2.0), torch.empty(0),
    torch.empty(0, 1, 3, 3), torch.full((1, 1, 3, 3), math.nan),
    torch.ones(2, 3, 3, dtype=torch.float16), torch.ones(2, 3, 3, dtype=torch.int64),
    torch.ones(3, 3, dtype=torch.bool), torch.ones(1, 3, 3, dtype=torch.complex64),
    np.ones((1, 3, 3)),
]  # fmt: skip
awkward = st.sampled_from(AWKWARD)
pairs = st.integers(1, 4) | st.tuples(st.integers(1, 4), st.integers(1, 4))
HUGE = st.sampled_from([10**30, 2**63, (1, 10**30)])


def unfold_reference(X, kernel, stride, dilation):
    """F.unfold in float64 (it has no integer kernels), back in X's dtype."""
    batch = X.dim() == 4
    X4 = X if batch else X[None]
    pair = lambda v: tuple(v) if isinstance(v, tuple) else (v, v)  # noqa: E731
    size = X.shape[-2:]
    # PyTorch's ints are 64-bit: give it the input's size for a longer stride.
    stride = tuple(min(s, n) for s, n in zip(pair(stride), size, strict=True))
    dilation = tuple(d if k > 1 else 1 for d, k in zip(pair(dilation), pair(kernel), strict=True))
    columns = F.unfold(X4.double(), pair(kernel), stride=stride, dilation=dilation)
    columns = columns.to(X.dtype)
    return columns if batch else columns[0]


@st.composite
def calls(draw, valid: dict, spoilers: dict):
    """Keyword arguments: all valid, or (two times in three) one of them spoilt."""
    kwargs = {name: draw(strategy) for name, strategy in valid.items()}
    name = draw(st.sampled_from([None, *valid]))
    if name is not None:
        kwargs[name] = draw(spoilers.get(name, awkward))
    return kwargs


small_pairs = st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3))


@given(
    calls(
        {
            "X": st.sampled_from(
                [torch.arange(243.0).reshape(3, 9, 9) % 7, torch.ones(2, 1, 9, 9)]
            ),
            "kernel": small_pairs,
            "stride": small_pairs,
            "dilation": small_pairs,
        },
        {"kernel": awkward | HUGE, "stride": awkward | HUGE, "dilation": awkward | HUGE},
    )
)
def test_im2col_is_unfold_or_names_the_argument(kwargs):
    X, kernel, stride, dilation = kwargs.values()
    try:
        got = im2col(X, kernel, stride, dilation)
    except (ValueError, TypeError) as error:
        assert str(error).startswith(("X:", "kernel_size:", "stride:", "dilation:")), error
        return
    assert torch.equal(got, unfold_reference(X, kernel, stride, dilation))


@given(
    dtype=st.sampled_from([torch.float64, torch.float32, torch.float16, torch.int64, torch.int8]),
    batch=st.sampled_from([None, 0, 2]),
    channels=st.integers(1, 3),
    out_channels=st.integers(1, 3),
    k=pairs,
    stride=pairs | HUGE,
    dilation=st.integers(1, 2),
    seed=st.integers(0, 2**16),
)
def test_conv2d_im2col_in_every_dtype_is_conv2d(
    dtype, batch, channels, out_channels, k, stride, dilation, seed
):
    g = torch.Generator().manual_seed(seed)
    k_h, k_w = k if isinstance(k, tuple) else (k, k)
    h, w = dilation * (k_h - 1) + 3, dilation * (k_w - 1) + 2
    X = torch.randint(-3, 4, (batch or 1, channels, h, w), generator=g).to(dtype)
    W = torch.randint(-3, 4, (out_channels, channels, k_h, k_w), generator=g).to(dtype)
    expected = F.conv2d(
        X.double(), W.double(), stride=unfold_stride(stride, (h, w)), dilation=dilation
    ).to(dtype)
    if batch is None:
        X, expected = X[0], expected[0]
    if dilation > 1 and dtype == torch.int8:  # PyTorch's conv2d does not dilate it either
        with pytest.raises(TypeError, match=re.escape("dilation: (2, 2) with torch.int8")):
            conv2d_im2col(X, W, stride, dilation)
        return
    assert torch.equal(conv2d_im2col(X, W, stride, dilation), expected)


def unfold_stride(stride, size):
    pair = stride if isinstance(stride, tuple) else (stride, stride)
    return tuple(min(s, n) for s, n in zip(pair, size, strict=True))


@given(
    calls(
        {
            "channels": st.integers(1, 4) | st.integers(1, 4).map(np.int64),
            "size": st.integers(3, 8) | st.tuples(st.integers(3, 8), st.integers(3, 8)),
            "kernel": small_pairs,
            "stride": pairs,
            "out_channels": st.integers(1, 5),
        },
        {
            "channels": awkward | st.just(10**30),
            "size": awkward | HUGE,
            "kernel": awkward | HUGE,
            "stride": awkward | HUGE,
            "out_channels": awkward | st.just(10**30),
        },
    )
)
def test_im2col_sizes_count_the_matrix_or_name_the_argument(kwargs):
    channels, size, kernel, stride, out_channels = kwargs.values()
    try:
        sizes = im2col_sizes(channels, size, kernel, stride, out_channels)
    except (ValueError, TypeError) as error:
        names = ("channels:", "size:", "kernel_size:", "stride:", "out_channels:")
        assert str(error).startswith(names), error
        return
    pair = lambda v: tuple(int(x) for x in v) if isinstance(v, tuple) else (int(v), int(v))  # noqa: E731
    (h, w), (k_h, k_w), (s_h, s_w) = pair(size), pair(kernel), pair(stride)
    channels, out_channels = int(channels), int(out_channels)
    if max(h, w, channels) <= 10:  # small enough for PyTorch: the shape of unfold's matrix
        X = torch.empty(1, channels, h, w, device="meta")
        shape = F.unfold(X, (k_h, k_w), stride=(min(s_h, h), min(s_w, w))).shape
        assert (sizes.rows, sizes.columns) == tuple(shape[1:])
    else:  # huge: count by hand, in exact ints
        columns = ((h - k_h) // s_h + 1) * ((w - k_w) // s_w + 1)
        assert (sizes.rows, sizes.columns) == (channels * k_h * k_w, columns)
    assert sizes.input_elements == channels * h * w
    assert sizes.matrix_elements == sizes.rows * sizes.columns
    assert sizes.macs == out_channels * sizes.matrix_elements
    assert type(sizes.macs) is int
    growth = sizes.growth
    assert growth == math.inf or growth == pytest.approx(
        sizes.matrix_elements / sizes.input_elements
    )


def test_the_users_im2col_examples():
    with pytest.raises(TypeError, match=re.escape("channels: expected an int, got str 'a'")):
        im2col_sizes("a", 6, 3)
    with pytest.raises(ValueError, match=re.escape("channels: must be ≥ 1, got -2")):
        im2col_sizes(-2, 6, 3)
    with pytest.raises(TypeError, match=re.escape("out_channels: expected an int, got bool")):
        im2col_sizes(2, 6, 3, out_channels=True)
    with pytest.raises(ValueError, match=re.escape("W: the kernel (5×5) is larger than")):
        conv2d_im2col(torch.ones(2, 4, 4), torch.ones(1, 2, 5, 5))
    with pytest.raises(TypeError, match=re.escape("W: dtype torch.float64 differs from X's")):
        conv2d_im2col(torch.ones(2, 4, 4), torch.ones(1, 2, 2, 2, dtype=torch.float64))
    assert im2col_sizes(1, 10**300, 5 * 10**299).growth == math.inf


def test_a_column_matrix_too_large_is_refused_before_it_is_made():
    cost = cost_of(
        """
        import torch
        from convlab.im2col import conv2d_im2col, im2col
        X = torch.zeros(1, 3000, 3000)  # 36 MB; 30×30 windows would be 32 GB
        for call in (lambda: im2col(X, 30), lambda: conv2d_im2col(X, torch.zeros(1, 1, 30, 30))):
            try:
                call()
            except ValueError as error:
                assert "refused before allocating" in str(error), error
            else:
                raise AssertionError("not refused")
        im2col(X, 3, stride=10**30)  # one window: nothing to fear
        """
    )
    assert cost.error is None and cost.seconds < 1 and cost.mib < 100, cost


# --- the widget's compute function ------------------------------------------


ALL_SETTINGS = list(itertools.product(*(range(lo, hi + 1) for lo, hi in LIMITS.values())))


def test_defaults_are_the_notes_example():
    r = explore_im2col()
    assert r.columns.tolist() == [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]
    assert r.kernel_rows.tolist() == [[0, 1, 2, 3]]
    assert r.output.tolist() == [[[19, 25], [37, 43]]]
    assert r.sums == ("Y[0][0, 0] = kernel row 0 · column 0 = 0×0 + 1×1 + 3×2 + 4×3 = 19",)


def test_two_channels_give_chapter_5s_example():
    r = explore_im2col(channels=2, out_channels=3)
    assert r.output.tolist() == [
        [[268, 296], [352, 380]],
        [[320, 356], [428, 464]],
        [[372, 416], [504, 548]],
    ]


@pytest.mark.parametrize("setting", ALL_SETTINGS, ids=lambda s: "-".join(map(str, s)))
def test_every_setting_against_pytorch(setting):
    c, co, n, k, s = setting
    X = torch.tensor(im2col_input(c, n), dtype=torch.float64)
    W = torch.tensor(im2col_weights(co, c, k), dtype=torch.float64)
    last = max(0, ((n - k) // s + 1) ** 2 - 1)
    r = explore_im2col(c, co, n, k, s, position=last + 5)  # past the end: the last window
    assert torch.equal(r.X, X) and torch.equal(r.W, W)
    if k > n:
        assert r.problem == im2col_problem(n, k, s)
        assert r.columns is None and r.output is None and r.sums == ()
        return
    assert r.problem is None
    torch.testing.assert_close(r.columns, F.unfold(X[None], k, stride=s)[0])
    torch.testing.assert_close(r.output, F.conv2d(X[None], W, stride=s)[0])
    torch.testing.assert_close(r.output_rows, r.output.flatten(1))
    assert r.column == last
    side = (n - k) // s + 1
    assert (r.row, r.col) == divmod(last, side)
    for o, text in enumerate(r.sums):
        assert text.endswith(f" = {r.output[o, r.row, r.col].item():g}")
    # The input counts its own cells: each matrix number names the cell it copies.
    window = X[:, r.row * s : r.row * s + k, r.col * s : r.col * s + k]
    assert r.columns[:, r.column].tolist() == window.flatten().tolist()


def test_texts_state_the_true_strides_and_sizes():
    for c, co, n, k, s in [(1, 1, 3, 2, 1), (2, 3, 6, 3, 2), (3, 1, 5, 1, 3)]:
        X = torch.tensor(im2col_input(c, n), dtype=torch.float64)
        view = sliding_windows(X, (k, k), (s, s), (1, 1))
        texts = size_texts(c, co, n, k, s)
        shape = ", ".join(map(str, view.shape))
        strides = ", ".join(map(str, view.stride()))
        assert f"shape (C, H′, W′, k, k) = ({shape}), strides ({strides})" in texts["view"]
        columns = im2col(X, k, s)
        assert (
            f"= {columns.shape[0]} × {columns.shape[1]} = {columns.numel():,} numbers"
            in (texts["matrix"])
        )
        macs = co * columns.numel()
        assert texts["product"].endswith(f" = {macs:,} multiply-adds, as many as the loop does.")
        assert macs == kernels.output_size(n, k, s) ** 2 * co * c * k * k


def test_problem_names_the_rule_with_the_numbers():
    assert im2col_problem(3, 3, 1) is None
    text = im2col_problem(1, 3, 1)
    assert "The kernel (3×3) is larger than the input (1×1)" in text
    assert "⌊(1 − 3)/1⌋ + 1 = −1 leaves no window" in text
    assert "⌊(2 − 3)/2⌋ + 1 = 0 leaves no window" in im2col_problem(2, 3, 2)


def test_repr_is_one_deterministic_line():
    assert repr(Im2colExplorer()) == (
        "Im2colExplorer(X 1×3×3, W 1×1×2×2, stride 1: column matrix 4×4 (16 numbers, "
        "1.78× the input's 9), 16 multiply-adds; Y[0] = [[19, 25], [37, 43]])"
    )
    two = repr(Im2colExplorer(channels=2, out_channels=2))
    assert "column matrix 8×4" in two and "Y[1] = [[320, 356], [428, 464]]" in two
    bad = repr(Im2colExplorer(input_size=2, kernel_size=3))
    assert bad == f"Im2colExplorer(X 1×2×2, W 1×1×3×3, stride 1: {im2col_problem(2, 3, 1)})"


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"channels": 4}, ValueError, "channels: the widget allows 1 to 3, got 4"),
        ({"input_size": 0}, ValueError, "input_size: the widget allows 1 to 6, got 0"),
        ({"stride": 1.5}, TypeError, "stride: expected an int"),
        ({"position": -1}, ValueError, "position: expected a whole number ≥ 0"),
    ],
)
def test_bad_settings_get_clear_errors(kwargs, error, words):
    with pytest.raises(error) as err:
        Im2colExplorer(**kwargs)
    assert words in str(err.value)
    with pytest.raises(error):
        explore_im2col(**kwargs)


def test_traits_are_checked_and_plain_json():
    w = Im2colExplorer()
    w.input_size = 2
    w.kernel_size = 3
    assert w.compute().problem == im2col_problem(2, 3, 1)
    with pytest.raises(ValueError):
        w.kernel_size = 4
    state = {name: getattr(w, name) for name in (*LIMITS, "position")}
    assert json.loads(json.dumps(state)) == state
    assert w._esm == (STATIC / "im2col.js").read_text(encoding="utf-8")  # its bundle


# --- the same maths in the browser (static/src/widgets/im2col.js in Node) --------


def test_js_explorer_matches_python_on_every_setting():
    calls, expected = [], []
    for c, co, n, k, s in ALL_SETTINGS:
        for position in (0, 3, 99):
            calls.append(("exploreIm2col", [c, co, n, k, s, position]))
            expected.append(explore_im2col(c, co, n, k, s, position))
    for got, r in zip(run_js("widgets/im2col.js", calls), expected, strict=True):
        assert got["X"] == r.X.tolist() and got["W"] == r.W.tolist()
        assert got["kernelRows"] == r.kernel_rows.tolist()
        assert got["texts"] == r.texts and got["problem"] == r.problem
        if r.problem:
            assert got["columns"] is None and got["output"] is None
            continue
        assert got["columns"] == r.columns.tolist()
        assert got["outputRows"] == r.output_rows.tolist()
        assert got["output"] == r.output.tolist()
        assert (got["column"], got["row"], got["col"]) == (r.column, r.row, r.col)
        assert tuple(got["sums"]) == r.sums


def test_js_source_of_each_matrix_cell():
    calls, expected = [], []
    for c, n, k, s in [(1, 3, 2, 1), (2, 6, 3, 2), (3, 5, 1, 3), (2, 4, 3, 1)]:
        # Number every input cell; im2col then says which one each matrix cell copies.
        index = torch.arange(c * n * n).reshape(c, n, n)
        sources = im2col(index, k, s)
        for r, p in itertools.product(range(sources.shape[0]), range(sources.shape[1])):
            calls.append(("im2colSource", [r, p, n, k, s]))
            flat = sources[r, p].item()
            expected.append([flat // (n * n), flat % (n * n) // n, flat % n])
    assert run_js("widgets/im2col.js", calls) == expected


# --- timings and their plot ---------------------------------------------------


def test_time_case_times_every_method_and_counts():
    t = speed.time_case(channels=2, size=6, kernel=3, repeats=1)
    assert set(t.seconds) == set(speed.METHODS)
    assert all(v > 0 for v in t.seconds.values())
    assert t.windows == 2 * 2 * 4 * 4  # C_out · C · H' · W' windows for the loop
    assert t.macs == 2 * 2 * 9 * 16
    assert t.loop_per_window == t.seconds["loop"] / t.windows
    assert t.macs_per_second("torch") == t.macs / t.seconds["torch"]


def test_the_loop_can_be_timed_with_the_others_or_apart():
    together = speed.time_case(channels=1, size=5, kernel=2, repeats=1, loop_apart=False)
    assert set(together.seconds) == set(speed.METHODS)
    without = speed.time_case(channels=1, size=5, kernel=2, repeats=1, time_loop=False)
    assert set(without.seconds) == set(speed.METHODS) - {"loop"}


def test_implementations_agree_with_pytorch():
    for channels in (1, 3):
        X, W = speed.inputs(channels, 7, 3)
        expected = F.conv2d(X, W)
        for name, run in speed.implementations(X, W).items():
            torch.testing.assert_close(run(), expected, rtol=1e-4, atol=1e-4, msg=name)


def test_sweep_skips_the_loop_above_the_limit():
    timings = speed.sweep((4, 8), channels=2, repeats=1, max_loop_windows=20)
    assert [t.size for t in timings] == [4, 8]
    assert "loop" in timings[0].seconds  # 2·2·2·2 = 16 windows
    assert "loop" not in timings[1].seconds and timings[1].loop_per_window is None


def test_loop_call_costs_time_each_call():
    costs = speed.loop_call_costs(calls=50, repeats=1)
    assert list(costs) == list(speed.LOOP_CALLS)
    assert all(0 < v < 1e-3 for v in costs.values())


def test_plot_draws_each_method_and_the_predicted_loop():
    one = speed.sweep((4, 6), repeats=1)
    many = speed.sweep((4, 6, 8), channels=2, repeats=1, max_loop_windows=20)
    fig = plots.time_against_size([("1 channel", one), ("2 channels", many)])
    left, right = fig.axes
    assert [line.get_label() for line in left.get_lines()] == [
        "loop (corr2d)",
        "im2col + one matrix product",
        "convlab kernels.conv2d",
        "PyTorch F.conv2d",
    ]
    predicted = [line for line in right.get_lines() if "predicted" in line.get_label()]
    assert len(predicted) == 1
    assert list(predicted[0].get_xdata()) == [4, 6, 8]
    assert left.get_xscale() == "log" and left.get_yscale() == "log"
    matplotlib.pyplot.close(fig)
