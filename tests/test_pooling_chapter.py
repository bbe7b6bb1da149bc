"""Chapter 6, pooling: the notes' numbers, the chapter's pool2d loop against the
library, the pooling explorer against PyTorch and an independent shift count,
its messages, repr and argument checks, and its browser maths (convmath.js in
Node) against Python."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js
from torch import nn

from convlab import kernels
from convlab.widgets import PoolingExplorer, explore_pooling
from convlab.widgets.pooling_explorer import (
    LIMITS,
    pool_call,
    pool_problem,
    square_input,
    window_text,
)

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "book" / "ch06_pooling.ipynb"


# --- the notes' numbers ---------------------------------------------------------


def test_notes_pool2d_max_and_mean():
    X = torch.arange(9, dtype=torch.float32).reshape(3, 3)
    assert kernels.pool2d(X, (2, 2)).tolist() == [[4, 5], [7, 8]]
    assert kernels.pool2d(X, (2, 2), "mean").tolist() == [[2, 3], [5, 6]]


def test_notes_max_pool_defaults_padding_stride_and_channels():
    X = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
    assert nn.MaxPool2d(3)(X).tolist() == [[[[10]]]]  # stride defaults to the window
    assert kernels.max_pool2d(X, 3).tolist() == [[[[10]]]]
    # The notes use padding 1 and stride 3; stride 2 happens to give the same numbers.
    for stride in (3, 2):
        assert nn.MaxPool2d(3, padding=1, stride=stride)(X).tolist() == [[[[5, 7], [13, 15]]]]
        assert kernels.max_pool2d(X, 3, stride=stride, padding=1).tolist() == [[[[5, 7], [13, 15]]]]
    X2 = torch.cat((X, X + 1), dim=1)
    assert X2.shape == (1, 2, 4, 4)
    expected = [[[[5, 7], [13, 15]], [[6, 8], [14, 16]]]]
    assert nn.MaxPool2d(3, padding=1, stride=3)(X2).tolist() == expected
    assert kernels.max_pool2d(X2, 3, stride=3, padding=1).tolist() == expected
    assert sum(p.numel() for p in nn.MaxPool2d(3).parameters()) == 0


def chapter_function(path: Path, name: str):
    """The function ``name`` as the chapter defines it (executed from its cell)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and re.search(rf"^def {name}\(", text, re.M):
            namespace: dict = {}
            exec(compile(text, f"{path.name}:{name}", "exec"), namespace)  # noqa: S102
            return namespace[name]
    raise AssertionError(f"{path.name} defines no {name}()")


def test_chapter_pool2d_is_the_library_pool2d():
    pool2d = chapter_function(CHAPTER, "pool2d")
    g = torch.Generator().manual_seed(0)
    for _ in range(50):
        nh, nw = torch.randint(1, 9, (2,), generator=g).tolist()
        ph = torch.randint(1, nh + 1, (1,), generator=g).item()
        pw = torch.randint(1, nw + 1, (1,), generator=g).item()
        X = torch.randn(nh, nw, generator=g)
        for mode in ("max", "mean"):
            torch.testing.assert_close(pool2d(X, (ph, pw), mode), kernels.pool2d(X, (ph, pw), mode))


# --- the explorer against PyTorch and an independent shift count ---------------


def valid(k: int, p: int) -> bool:
    """PyTorch accepts the pool (p ≤ k/2) and the window fits the 8×7 edge map."""
    return 2 * p <= k and k <= 7 + 2 * p


def reference(k: int, s: int, p: int, mode: str, shift: int):
    """The edge map and pooled map built directly with PyTorch."""
    X = torch.zeros(1, 1, 8, 8, dtype=torch.float64)
    X[..., 2:5, 1 + shift : 4 + shift] = 1
    edge = F.conv2d(X, torch.tensor([[[[1.0, -1.0]]]], dtype=torch.float64))
    if not valid(k, p):
        return X[0, 0], edge[0, 0], None
    if mode == "max":
        pooled = F.max_pool2d(edge, k, stride=s, padding=p)
    else:
        pooled = F.avg_pool2d(edge, k, stride=s, padding=p)
    return X[0, 0], edge[0, 0], pooled[0, 0]


settings = st.tuples(
    st.integers(*LIMITS["window"]),
    st.integers(*LIMITS["stride"]),
    st.integers(*LIMITS["padding"]),
    st.sampled_from(["max", "mean"]),
    st.integers(*LIMITS["shift"]),
    st.integers(0, 80),
)


@given(settings)
def test_explorer_matches_torch_pooling(case):
    k, s, p, mode, shift, position = case
    r = explore_pooling(k, s, p, mode, shift, position)
    X, edge, pooled = reference(k, s, p, mode, shift)
    assert torch.equal(r.X, X)
    assert torch.equal(r.feature, edge)
    if not valid(k, p):
        assert r.pooled is None and r.problem
        return
    assert r.problem is None
    torch.testing.assert_close(r.pooled, pooled)
    # The window shown reads the cells whose max / mean is the pooled value.
    values = torch.tensor(r.values, dtype=torch.float64)
    got = values.max() if mode == "max" else values.mean()
    torch.testing.assert_close(got, r.pooled[r.row, r.col])
    assert len(r.window) == k * k


@given(settings)
def test_changed_counts_match_an_independent_count(case):
    k, s, p, mode, shift, _ = case
    X, edge, pooled = reference(k, s, p, mode, shift)
    X0, edge0, pooled0 = reference(k, s, p, mode, 0)
    r = explore_pooling(k, s, p, mode, shift)
    expected_pooled = int((pooled != pooled0).sum()) if valid(k, p) else 0
    assert r.changed == (
        int((X != X0).sum()),
        int((edge != edge0).sum()),
        expected_pooled,
    )


def test_shift_counts_worked_by_hand():
    # Shift 1 moves the square's left column (3 cells) and adds one on the right
    # (3 cells): 6 input cells. The edges at columns 0 and 3 move to 1 and 4: 12 cells.
    r = explore_pooling(3, 3, 0, "max", 1)
    assert r.changed == (6, 12, 0)  # a 3×3 pool absorbs the one-pixel shift
    assert explore_pooling(1, 1, 0, "max", 1).changed == (6, 12, 12)  # no pooling
    assert explore_pooling(2, 2, 0, "max", 1).changed == (6, 12, 4)


def test_square_input():
    X = square_input(2)
    assert X.sum() == 9 and X[2:5, 3:6].tolist() == [[1] * 3] * 3


# --- messages, text and the layer call ------------------------------------------


def test_problem_messages_with_numbers():
    assert pool_problem((8, 7), 3, 2) == (
        "Padding 2 is more than half the window 3: pooling needs p ≤ k/2 "
        "(2·2 = 4 > 3), so that a window at the border reaches at most half its width "
        "into the padding and always covers cells of the map. PyTorch refuses it too."
    )
    assert pool_problem((8, 7), 8, 0) == (
        "The window spans 8 columns, but the padded map has only n + 2p = 7 + 2·0 = 7: "
        "a window must fit inside the padded map (k ≤ n + 2p)."
    )
    assert pool_problem((8, 7), 8, 1) is None
    # PyTorch refuses both settings.
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        F.max_pool2d(torch.zeros(1, 1, 8, 7), 3, stride=1, padding=2)
    with pytest.raises(RuntimeError):
        F.max_pool2d(torch.zeros(1, 1, 8, 7), 8, stride=1, padding=0)


def map_cells_per_window(n: int, k: int, s: int, p: int, ceil_mode: bool) -> list[int]:
    """How many cells of an n-long map each window of PyTorch's 1-D pool covers.

    An average pool of ones that counts the zero padding (count_include_pad) is the
    share of map cells in each window; k times it is their number (exact in float64).
    """
    ones = torch.ones(1, 1, n, dtype=torch.float64)
    share = F.avg_pool1d(ones, k, s, p, ceil_mode=ceil_mode, count_include_pad=True)
    return [round(k * v) for v in share.flatten().tolist()]


def test_what_the_padding_rule_guarantees():
    """p ≤ k/2 is about one axis: a border window covers at least as many map cells as
    padding cells along it, and every window covers some map; not about the corner."""
    for k in range(1, 10):
        for p in range(k // 2 + 1):
            for s in range(1, 5):
                for n in range(max(1, k - 2 * p), 16):
                    for ceil_mode in (False, True):
                        cells = map_cells_per_window(n, k, s, p, ceil_mode)
                        assert min(cells) >= 1, (n, k, s, p, ceil_mode)
                        # no window is left to the padding: a max pool never gives −∞
                        zeros = torch.zeros(1, 1, n)
                        assert F.max_pool1d(zeros, k, s, p, ceil_mode=ceil_mode).isfinite().all()
                    if n >= k:  # a map at least as wide as the window
                        assert min(map_cells_per_window(n, k, s, p, False)) == k - p >= p
        # One more cell of padding and PyTorch refuses.
        with pytest.raises(RuntimeError, match="should be at most half"):
            F.max_pool1d(torch.zeros(1, 1, 20), k, 1, k // 2 + 1)
    # In 2-D the corner window may hold more padding than map: at k = 3, p = 1 (allowed)
    # it holds 2·2 = 4 map cells and 9 − 4 = 5 padding cells; at k = 2, p = 1, 1 and 3.
    for k, map_cells in ((3, 4), (2, 1)):
        corner = F.avg_pool2d(torch.ones(1, 1, 6, 6, dtype=torch.float64), k, 1, 1)[0, 0, 0, 0]
        assert round(k * k * corner.item()) == map_cells
        assert k * k - map_cells > map_cells
    # The chapter's message says so, and its corner numbers are these.
    assert "always covers cells of the map" in pool_problem((8, 7), 3, 2)


def test_window_text():
    assert window_text("max", 0, 1, (0.0, 1.0, float("-inf")), 1.0) == "P[0, 1] = max(0, 1, −∞) = 1"
    text = window_text("mean", 1, 0, (0.0, -1.0, 0.0, -1.0), -0.5)
    assert text == "P[1, 0] = mean(0, −1, 0, −1) = −2/4 = −0.5"


def test_pool_call_computes_the_same():
    for k, s, p, mode in [(3, 2, 1, "max"), (2, 2, 0, "mean"), (4, 1, 2, "mean")]:
        layer = eval(pool_call(mode, k, s, p), {"nn": nn})  # noqa: S307 (text we generate)
        _, edge, pooled = reference(k, s, p, mode, 1)
        torch.testing.assert_close(layer(edge[None, None])[0, 0], pooled)
    assert pool_call("max", 3, 2, 1) == "nn.MaxPool2d(kernel_size=3, stride=2, padding=1)"


# --- the widget -----------------------------------------------------------------


def test_widget_defaults_and_repr():
    w = PoolingExplorer()
    assert (w.window, w.stride, w.padding, w.mode, w.shift) == (2, 2, 0, "max", 0)
    assert repr(w) == (
        "PoolingExplorer(max pool 2×2, stride 2, padding 0, shift 0 → P 4×3 = "
        "[[0, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 0]]; changed vs shift 0: "
        "input 0/64, edge map 0/56, pooled 0/12)"
    )
    w.shift = 1
    assert repr(w).endswith("input 6/64, edge map 12/56, pooled 4/12)")
    w.padding = 2
    assert repr(w).startswith("PoolingExplorer(max pool 2×2, stride 2, padding 2, shift 1: ")


def test_widget_stride_defaults_to_the_window():
    assert PoolingExplorer(3).stride == 3
    assert PoolingExplorer(8).stride == 4  # the stride slider stops at 4
    assert PoolingExplorer(3, stride=1).stride == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"window": 0}, ValueError, r"window: the widget allows 1 to 8, got 0"),
        ({"window": 9}, ValueError, r"window: the widget allows 1 to 8, got 9"),
        ({"window": 2.5}, TypeError, r"window: expected an int, got float 2.5"),
        ({"stride": 5}, ValueError, r"stride: the widget allows 1 to 4, got 5"),
        ({"padding": -1}, ValueError, r"padding: the widget allows 0 to 4, got -1"),
        ({"shift": 4}, ValueError, r"shift: the widget allows 0 to 3, got 4"),
        ({"shift": True}, TypeError, r"shift: expected an int, got bool True"),
        ({"mode": "min"}, ValueError, r"mode: expected 'max' or 'mean', got 'min'"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        PoolingExplorer(**kwargs)
    call = {"window": 2, "stride": 2, "padding": 0, "mode": "max", "shift": 0} | kwargs
    with pytest.raises(error, match=match):
        explore_pooling(**call)


def test_bad_position_and_trait_assignment():
    with pytest.raises(ValueError, match=r"position: expected a whole number ≥ 0, got -1"):
        explore_pooling(position=-1)
    w = PoolingExplorer()
    with pytest.raises(ValueError, match="window: the widget allows 1 to 8, got 12"):
        w.window = 12
    with pytest.raises(ValueError, match="mode: expected 'max' or 'mean', got 'median'"):
        w.mode = "median"


# --- the browser's maths (static/src/ in Node) against Python ---- ------------------


def test_js_pooling_matches_kernels_on_random_cases():
    rng = random.Random(6)
    cases = []
    for _ in range(300):
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        ph, pw = rng.randint(0, kh // 2), rng.randint(0, kw // 2)
        sh, sw = rng.randint(1, 4), rng.randint(1, 4)
        nh = rng.randint(max(1, kh - 2 * ph), 9)
        nw = rng.randint(max(1, kw - 2 * pw), 9)
        X = [[rng.randint(-9, 9) / rng.choice([1, 2, 4]) for _ in range(nw)] for _ in range(nh)]
        mode = rng.choice(["max", "mean"])
        cases.append(("pool2d", [X, mode, [kh, kw], [sh, sw], [ph, pw]]))
    for (_, (X, mode, k, s, p)), got in zip(
        cases, run_js("kernels/pooling.js", cases), strict=True
    ):
        X = torch.tensor(X, dtype=torch.float64)[None]
        layer = kernels.max_pool2d if mode == "max" else kernels.avg_pool2d
        expected = layer(X, tuple(k), stride=tuple(s), padding=tuple(p))[0]
        torch.testing.assert_close(torch.tensor(got, dtype=torch.float64), expected)


def test_js_explore_pooling_matches_python_on_every_setting():
    cases, expected = [], []
    for k in range(1, 9):
        for s in range(1, 5):
            for p in range(0, 5):
                for mode in ("max", "mean"):
                    for shift in range(4):
                        position = (k * 7 + s * 3 + p + shift) % 13
                        cases.append(("explorePooling", [k, s, p, mode, shift, position]))
                        expected.append(explore_pooling(k, s, p, mode, shift, position))
    for got, r in zip(run_js("widgets/pooling_explorer.js", cases), expected, strict=True):
        assert got["problem"] == r.problem
        assert got["X"] == r.X.tolist() and got["feature"] == r.feature.tolist()
        assert tuple(got["changed"]) == r.changed
        if r.problem:
            assert got["pooled"] is None
            continue
        torch.testing.assert_close(torch.tensor(got["pooled"], dtype=torch.float64), r.pooled)
        assert (got["row"], got["col"]) == (r.row, r.col)
        assert [tuple(c) for c in got["window"]] == list(r.window)
        assert got["text"] == r.text


def test_js_messages_and_call_match_python():
    settings = [((8, 7), 3, 2), ((8, 7), 8, 0), ((8, 7), 8, 1), ((3, 2), 4, 1), ((8, 7), 2, 1)]
    calls = [("max", 3, 2, 1), ("mean", 2, 2, 0)]
    cases = [("poolProblem", [list(size), k, p]) for size, k, p in settings] + [
        ("poolCall", list(c)) for c in calls
    ]
    expected = [pool_problem(*a) for a in settings] + [pool_call(*c) for c in calls]
    assert run_js("widgets/pooling_explorer.js", cases) == expected
