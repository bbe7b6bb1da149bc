"""convlab.speed and convlab.plots with awkward arguments: every one is checked before
anything is timed or drawn, and a wrong one gets a message that names it.

(The timings themselves and the figure of the appendix are tested in test_im2col.py.)
"""

from __future__ import annotations

import math
import re

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from convlab import plots, speed
from convlab.speed import Timing

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

AWKWARD = [
    None, True, 0, -1, 10**30, 2**63, np.int64(2), np.float32(0.5), 2.5, math.nan, math.inf,
    "a", "", [], [[]], (1, 2, 3), {}, object(), torch.tensor(2.0), torch.empty(0),
    torch.ones(3, 3, dtype=torch.bool), torch.ones(1, 1, 3, 3, dtype=torch.complex64),
    np.ones((3, 3)),
]  # fmt: skip
awkward = st.sampled_from(AWKWARD)


def names_an_argument(error: Exception, names) -> bool:
    return isinstance(error, ValueError | TypeError) and bool(
        re.match(rf"^({'|'.join(map(re.escape, names))})\b", str(error))
    )


# --- speed -------------------------------------------------------------------------


@given(which=st.integers(0, 3), value=awkward)
def test_inputs_are_pytorchs_random_tensors_or_refused(which, value):
    args = [2, 5, 3, 7]
    args[which] = value
    try:
        X, W = speed.inputs(*args)
    except (ValueError, TypeError) as error:
        assert names_an_argument(error, ["channels", "size", "kernel", "seed"]), error
        return
    c, n, k, seed = (int(a) for a in args)
    g = torch.Generator().manual_seed(seed)
    assert torch.equal(X, torch.randn(1, c, n, n, generator=g))
    assert torch.equal(W, torch.randn(c, c, k, k, generator=g))


@given(
    X=st.sampled_from([torch.randn(1, 2, 5, 5)]) | awkward,
    W=st.sampled_from([torch.randn(3, 2, 2, 2)]) | awkward,
)
def test_implementations_give_pytorchs_answer_or_are_refused(X, W):
    try:
        runs = speed.implementations(X, W)
    except (ValueError, TypeError) as error:
        assert names_an_argument(error, ["X", "W"]), error
        return
    expected = F.conv2d(X, W)
    for name, run in runs.items():
        torch.testing.assert_close(run(), expected, rtol=1e-4, atol=1e-4, msg=name)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: speed.implementations(torch.ones(2, 1, 4, 4), torch.ones(1, 1, 2, 2)),
            ValueError,
            "X: expected one image, shape (1, C, H, W), got (2, 1, 4, 4)",
        ),
        (
            lambda: speed.implementations(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 2, 2).double()),
            TypeError,
            "W: dtype torch.float64 differs from X's torch.float32",
        ),
        (
            lambda: speed.implementations(
                torch.ones(1, 1, 4, 4, dtype=torch.int64), torch.ones(1, 1, 2, 2, dtype=torch.int64)
            ),
            TypeError,
            "X: expected a floating-point dtype, got torch.int64",
        ),
        (lambda: speed.inputs(1, 2, 3), ValueError, "kernel: the kernel (3×3) is larger"),
        (lambda: speed.inputs(1, 10**5, 3), ValueError, "size: the input C·size² would hold"),
        (lambda: speed.inputs(3000, 4, 3), ValueError, "kernel: the kernels C²·k² would hold"),
        (lambda: speed.time_case(1, 4, 2, repeats=0), ValueError, "repeats: must be from 1"),
        (lambda: speed.time_case(1, 4, 2, threads=0), ValueError, "threads: must be from 1 to"),
        (lambda: speed.time_case(1, 4, 2, time_loop="no"), TypeError, "time_loop: expected True"),
        (lambda: speed.time_case(1, 4, 2, loop_apart=1), TypeError, "loop_apart: expected True"),
        (lambda: speed.time_case(1, 4, 2, seed=-1), ValueError, "seed: must be from 0"),
        (lambda: speed.time_case(64, 64, 3), ValueError, "time_loop: the loop would visit"),
        (lambda: speed.sweep(8), TypeError, "sizes: expected a list of input sides"),
        (lambda: speed.sweep([]), ValueError, "sizes: give at least one"),
        (lambda: speed.sweep([8, 0]), ValueError, "sizes[1]: must be ≥ 1, got 0"),
        (lambda: speed.sweep([8, 10**9]), ValueError, "sizes[1]: the input C·size² would hold"),
        (lambda: speed.sweep([8, 2], kernel=3), ValueError, "kernel: the kernel (3×3) is larger"),
        (lambda: speed.sweep([8, 512]), ValueError, "max_loop_windows: the loop would visit"),
        (lambda: speed.sweep([8], max_loop_windows=-1), ValueError, "max_loop_windows: must be"),
        (lambda: speed.loop_call_costs(size=2, kernel=3), ValueError, "kernel: the kernel (3×3)"),
        (lambda: speed.loop_call_costs(calls=10**6), ValueError, "calls: 1,000,000 calls × (5"),
        (lambda: speed.loop_call_costs(calls=0), ValueError, "calls: must be from 1 to"),
    ],
)
def test_speed_arguments_get_clear_errors(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_sweep_checks_every_size_before_timing_any():
    calls = []
    original = speed.time_case
    try:
        speed.time_case = lambda *a, **k: calls.append(a)  # would record a timing
        with pytest.raises(ValueError, match=re.escape("sizes[2]: must be ≥ 1")):
            speed.sweep([4, 6, -1])
    finally:
        speed.time_case = original
    assert calls == []


def test_macs_per_second_names_the_method():
    t = Timing(1, 8, 3, 36, 324, {"loop": 1e-3, "torch": 0.0})
    assert t.macs_per_second("loop") == 324 / 1e-3
    assert t.macs_per_second("torch") == math.inf  # a clock too coarse to see the call
    with pytest.raises(
        ValueError, match=re.escape("method: expected 'loop' or 'torch', got 'im2col'")
    ):
        t.macs_per_second("im2col")


# --- plots -------------------------------------------------------------------------

X3 = torch.arange(9.0).reshape(3, 3)
K2 = torch.tensor([[1.0, -1.0], [0.5, 2.0]])


def cell_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


@given(
    grids=st.sampled_from([[X3, K2]]) | awkward | st.lists(awkward, min_size=1, max_size=2),
    titles=st.sampled_from([["X", "K"]]) | awkward | st.lists(awkward, min_size=2, max_size=2),
    highlights=st.sampled_from([None, [X3 > 4, None], [torch.ones(3, 3), K2]])
    | awkward
    | st.lists(awkward, min_size=2, max_size=2),
    operators=st.sampled_from([(), ["⋆"]]) | awkward,
    cell_size=st.sampled_from([0.42, 0.1, np.float32(0.3)]) | awkward,
)
def test_show_grids_draws_every_number_or_names_the_argument(
    grids, titles, highlights, operators, cell_size
):
    names = ["grids", "titles", "highlights", "operators", "cell_size"]
    try:
        fig = plots.show_grids(grids, titles, highlights, operators, cell_size)
    except (ValueError, TypeError) as error:
        assert names_an_argument(error, names), error
        return
    try:
        texts = cell_texts(fig)
        # Every number of every grid is written in its cell, then the titles, then operators.
        numbers = [str(v) for v in [0, 1, 2, 3, 4, 5, 6, 7, 8, 1, -1, 0.5, 2]]
        assert [t for t in texts if t not in ("X", "K", "⋆")] == numbers
        coloured = [
            p
            for p in fig.axes[0].patches
            if p.get_facecolor()[:3] != (244 / 255, 246 / 255, 248 / 255)
        ]
        expected = sum(int((m != 0).sum()) for m in (highlights or []) if m is not None)
        assert len(coloured) == expected
    finally:
        plt.close(fig)


def test_show_grids_writes_nan_and_infinity():
    fig = plots.show_grids([torch.tensor([[math.nan, math.inf], [-math.inf, 1.5]])], ["Y"])
    assert cell_texts(fig)[:4] == ["NaN", "Infinity", "-Infinity", "1.5"]
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"grids": X3}, TypeError, "grids: expected a list of 2-D tensors, got Tensor"),
        ({"grids": []}, ValueError, "grids: give at least one grid"),
        ({"grids": [X3, "K"]}, TypeError, "grids[1]: expected a torch.Tensor, got str"),
        ({"grids": [X3, torch.ones(2)]}, ValueError, "grids[1]: expected a 2-D (rows, columns)"),
        ({"grids": [torch.ones(70, 70), K2]}, ValueError, "grids: 4,904 cells in all"),
        ({"titles": "XK"}, TypeError, "titles: expected a list of strings, got str"),
        ({"titles": ["X", 2]}, TypeError, "titles[1]: expected a str, got int 2"),
        ({"titles": ["X"]}, ValueError, "titles: expected 2 titles, one per grid, got 1"),
        ({"highlights": [None]}, ValueError, "highlights: expected 2 masks (or None)"),
        ({"highlights": [None, [[1]]]}, TypeError, "highlights[1]: expected a tensor or None"),
        ({"highlights": [X3 > 1, X3 > 1]}, ValueError, "highlights[1]: expected a real mask of"),
        ({"operators": ["⋆", "="]}, ValueError, "operators: one goes in each gap between two"),
        ({"cell_size": 0}, ValueError, "cell_size: expected a cell side > 0 inches, got 0"),
        ({"cell_size": 60}, ValueError, "cell_size: 60 inches per cell make the figure"),
    ],
)
def test_show_grids_arguments_get_clear_errors(kwargs, error, words):
    args = {"grids": [X3, K2], "titles": ["X", "K"]} | kwargs
    with pytest.raises(error, match=re.escape(words)):
        plots.show_grids(**args)
    assert not plt.get_fignums()  # refused before a figure was made


@given(
    shape=st.tuples(st.integers(1, 6), st.integers(1, 6)) | st.integers(1, 6) | awkward,
    top=st.integers(0, 6) | awkward,
    left=st.integers(0, 6) | awkward,
    size=st.tuples(st.integers(1, 4), st.integers(1, 4)) | st.integers(1, 4) | awkward,
)
def test_window_mask_is_the_window_or_names_the_argument(shape, top, left, size):
    try:
        mask = plots.window_mask(shape, top, left, size)
    except (ValueError, TypeError) as error:
        assert names_an_argument(error, ["shape", "top", "left", "size"]), error
        return
    (rows, columns) = shape if isinstance(shape, tuple) else (shape, shape)
    (h, w) = size if isinstance(size, tuple) else (size, size)
    expected = np.zeros((rows, columns), dtype=bool)
    expected[top : top + h, left : left + w] = True
    assert mask.dtype == torch.bool and (mask.numpy() == expected).all()
    assert int(mask.sum()) == h * w  # the whole window, never cut short


def test_window_mask_refuses_a_window_past_the_edge():
    with pytest.raises(ValueError, match=re.escape("left: the 2×2 window from left 3 ends at 5")):
        plots.window_mask((4, 4), 0, 3, (2, 2))
    with pytest.raises(ValueError, match=re.escape("top: must be ≥ 0, got -1")):
        plots.window_mask((4, 4), -1, 0, (2, 2))


TIMINGS = [
    Timing(1, 8, 3, 36, 324, {"loop": 1e-3, "conv2d": 1e-5}),
    Timing(1, 16, 3, 196, 1764, {"conv2d": 2e-5}),
]


@pytest.mark.parametrize(
    ("panels", "title", "error", "words"),
    [
        ([], "", ValueError, "panels: expected 1 to 8 panels, got 0"),
        ("a", "", TypeError, "panels: expected a list of (label, timings) pairs, got str"),
        ([("a", TIMINGS)] * 9, "", ValueError, "panels: expected 1 to 8 panels, got 9"),
        ([("a",)], "", TypeError, "panels[0]: expected a pair (label, timings)"),
        ([(1, TIMINGS)], "", TypeError, "panels[0]: the label must be a str, got int"),
        ([("a", [])], "", ValueError, "panels[0]: has no timings to draw"),
        ([("a", [1.0])], "", TypeError, "panels[0]: expected speed.Timing entries, got float"),
        (
            [("a", [Timing(1, 8, 3, 36, 324, {"torch": math.nan})])],
            "",
            ValueError,
            "panels[0]: the time of 'torch' at size 8 is nan",
        ),
        ([("a", TIMINGS)], 3, TypeError, "title: expected a str, got int 3"),
    ],
)
def test_time_against_size_arguments_get_clear_errors(panels, title, error, words):
    with pytest.raises(error, match=re.escape(words)):
        plots.time_against_size(panels, title)
    assert not plt.get_fignums()


def test_time_against_size_predicts_the_loop_from_its_time_per_window():
    fig = plots.time_against_size([("1 channel", TIMINGS)])
    predicted = [line for line in fig.axes[0].get_lines() if "predicted" in line.get_label()]
    # 1 ms for 36 windows; 196 windows at that pace take 196/36 ms.
    assert list(predicted[0].get_ydata()) == pytest.approx([1.0, 196 / 36])
    plt.close(fig)


def test_loop_call_costs_on_the_smallest_input():
    # A 2×2 input and kernel: one window, at (0, 0); every call still made and timed.
    costs = speed.loop_call_costs(size=np.int64(2), kernel=2, calls=3, repeats=1)
    assert list(costs) == list(speed.LOOP_CALLS) and all(v > 0 for v in costs.values())
