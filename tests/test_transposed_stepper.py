"""The transposed-convolution stepper (chapter 9): its compute function against
PyTorch's conv_transpose2d and convlab's, its messages and repr, and its browser
maths (kernels/transpose.js, widgets/transposed_stepper.js in Node) against Python."""

from __future__ import annotations

import random

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js

from convlab import kernels
from convlab.widgets import TransposedStepper, scatter
from convlab.widgets.transposed_stepper import (
    SLIDERS,
    axis_counts,
    output_sum,
    pattern_grid,
    pattern_text,
    size_formula,
    transposed_problem,
    transposed_size,
)

RANGES = {name: (s.low, s.high) for name, s in SLIDERS.items()}


def torch_transposed(X, K, s, p, op, d) -> torch.Tensor:
    """The reference: PyTorch's conv_transpose2d on one channel."""
    return F.conv_transpose2d(
        X[None, None], K[None, None], stride=s, padding=p, output_padding=op, dilation=d
    )[0, 0]


def refused_by_pytorch(X, K, s, p, op, d) -> bool:
    try:
        torch_transposed(X, K, s, p, op, d)
    except RuntimeError:
        return True
    return False


settings = st.fixed_dictionaries({name: st.integers(*r) for name, r in RANGES.items()})


@given(setting=settings, position=st.integers(0, 40))
def test_scatter_matches_pytorch(setting, position):
    n, k, s, p, op, d = (setting[name] for name in RANGES)
    r = scatter(**setting, position=position)
    X = torch.tensor(pattern_grid(n, 10), dtype=torch.float64)
    K = torch.tensor(pattern_grid(k, 4), dtype=torch.float64)
    assert torch.equal(r.X, X) and torch.equal(r.K, K)
    assert r.size == transposed_size(n, k, s, p, d, op)
    if refused_by_pytorch(X, K, s, p, op, d):
        assert r.output is None and r.counts is None and r.problem
        assert r.problem == transposed_problem(n, k, s, p, d, op)
    else:
        assert r.problem is None
        expected = torch_transposed(X, K, s, p, op, d)
        torch.testing.assert_close(r.output, expected, rtol=0, atol=0)
        ours = kernels.conv_transpose2d(
            X[None], K[None, None], stride=s, padding=p, output_padding=op, dilation=d
        )[0]
        torch.testing.assert_close(r.output, ours, rtol=0, atol=0)
        # The counts: the same transposed convolution of ones by ones.
        ones = torch_transposed(torch.ones_like(X), torch.ones_like(K), s, p, op, d)
        assert r.counts.tolist() == ones.long().tolist()
    # The canvas after the cells 0 … position: the uncropped transposed convolution
    # of the input with the later cells set to 0.
    at = min(position, n * n - 1)
    assert (r.row, r.col) == divmod(at, n)
    done = (torch.arange(n * n) <= at).reshape(n, n) * X
    uncropped = torch_transposed(done, K, s, 0, 0, d)
    h = uncropped.shape[0]
    torch.testing.assert_close(r.canvas[:h, :h], uncropped, rtol=0, atol=0)
    assert r.canvas[h:].abs().sum() == 0 and r.canvas[:, h:].abs().sum() == 0
    torch.testing.assert_close(r.copy, X[r.row, r.col] * K)
    assert len(r.landing) == k * k


def test_default_is_the_checkerboard_example():
    r = TransposedStepper().compute()
    assert r.size == 7 and r.problem is None
    assert r.counts[1:6, 1:6].tolist() == [
        [1, 2, 1, 2, 1],
        [2, 4, 2, 4, 2],
        [1, 2, 1, 2, 1],
        [2, 4, 2, 4, 2],
        [1, 2, 1, 2, 1],
    ]
    assert r.formula.endswith("(3 − 1)·2 − 2·0 + 1·(3 − 1) + 0 + 1 = 7")
    assert "1, 2 or 4 copies overlap, a checkerboard" in r.pattern
    # Y[2, 2] gets tap (2, 2) of X[0, 0], (2, 0) of X[0, 1], (0, 2) of X[1, 0], (0, 0) of X[1, 1].
    assert output_sum(3, 3, 2, 0, 1, 2, 2) == "Y[2, 2] = 1×1 + 2×3 + 4×3 + 5×1 = 24"
    assert r.output[2, 2] == 24
    assert output_sum(3, 1, 2, 0, 1, 1, 0) == "Y[1, 0] = 0: no copy of the kernel lands here"


@pytest.mark.parametrize(
    ("k", "s", "d", "counts"),
    [(3, 2, 1, {1, 2}), (4, 2, 1, {2}), (2, 3, 1, {0, 1}), (3, 2, 2, {0, 3}), (3, 3, 1, {1})],
)
def test_pattern_text_names_the_inner_counts(k, s, d, counts):
    # The middle of a long input's counts, by PyTorch: a transposed convolution of ones.
    ones = F.conv_transpose1d(torch.ones(1, 1, 20), torch.ones(1, 1, k), stride=s, dilation=d)
    middle = set(ones[0, 0, 8 : 8 + s].long().tolist())
    assert middle == counts
    text = pattern_text(k, s, d)
    assert text.endswith("a checkerboard.") == (len(counts) > 1 and 0 not in counts)
    assert text.endswith("no checkerboard.") == (len(counts) == 1)
    assert ("holes" in text) == (0 in counts)
    assert axis_counts(20, k, s, d, ones.shape[-1]) == ones[0, 0].long().tolist()


def test_problems_are_explained_with_the_numbers():
    text = transposed_problem(3, 3, 2, 0, 1, 2)
    assert text.startswith("output_padding 2 is not smaller than the stride 2 or the dilation 1")
    assert "(0 to 1)" in text
    assert transposed_problem(3, 3, 2, 0, 1, 1) is None
    assert transposed_problem(3, 3, 1, 0, 2, 1) is None  # smaller than the dilation: allowed
    crop = transposed_problem(1, 1, 1, 3, 1, 0)
    assert "crops the whole output" in crop and "= −5" in crop and "= 1 cell," in crop
    assert size_formula(1, 1, 1, 3, 1, 0).endswith("= −5")
    r = scatter(1, 1, 1, 3, 0, 1)
    assert r.output is None and r.canvas.tolist() == [[1.0]] + [[0.0]] * 0  # one cell, cropped


def test_repr_and_checks():
    assert repr(TransposedStepper()).startswith(
        "TransposedStepper(X 3×3, K 3×3, stride 2, padding 0, output_padding 0, dilation 1 "
        "→ Y 7×7, cell (0, 0) scattered; Y = [[1, 2, 5,"
    )
    assert "PyTorch needs it smaller" in repr(TransposedStepper(stride=1, output_padding=1))
    with pytest.raises(ValueError, match="stride: the stepper allows 1 to 3"):
        scatter(stride=4)
    with pytest.raises(TypeError, match="input_size: expected an int"):
        TransposedStepper(2.5)


# --- the browser maths ----------------------------------------------------------


def drawn_settings(count: int, seed: int = 0) -> list[tuple[int, ...]]:
    rng = random.Random(seed)
    return [tuple(rng.randint(*r) for r in RANGES.values()) for _ in range(count)]


def test_js_conv_transpose2d_matches_pytorch():
    rng = random.Random(1)
    cases, expected = [], []
    for _ in range(150):
        h, w, kh, kw = (rng.randint(1, 5) for _ in range(4))
        s, d = [rng.randint(1, 3), rng.randint(1, 3)], [rng.randint(1, 3), rng.randint(1, 3)]
        p = [rng.randint(0, 3), rng.randint(0, 3)]
        op = [rng.randint(0, 2), rng.randint(0, 2)]
        X = torch.randint(-4, 5, (h, w)).double()
        K = torch.randint(-3, 4, (kh, kw)).double()
        options = {"stride": s, "padding": p, "outputPadding": op, "dilation": d}
        cases.append(("convTranspose2d", [X.tolist(), K.tolist(), options]))
        refused = refused_by_pytorch(X, K, s, p, op, d)
        expected.append(None if refused else torch_transposed(X, K, s, p, op, d).tolist())
    assert any(e is None for e in expected) and any(e is not None for e in expected)
    assert run_js("kernels/transpose.js", cases) == expected
    sizes = [("transposedSize", list(c)) for c in [(3, 3, 2, 0, 1, 0), (4, 4, 2, 1, 1, 1)]]
    assert run_js("kernels/transpose.js", sizes) == [7, 9]


def test_js_scatter_matches_python():
    rng = random.Random(2)
    cases, expected = [], []
    for n, k, s, p, op, d in drawn_settings(300):
        position = rng.randint(0, 30)
        cases.append(("scatter", [n, k, s, p, op, d, position]))
        r = scatter(n, k, s, p, op, d, position)
        expected.append(
            {
                "X": r.X.tolist(),
                "K": r.K.tolist(),
                "canvas": r.canvas.tolist(),
                "row": r.row,
                "col": r.col,
                "copy": r.copy.tolist(),
                "landing": [list(c) for c in r.landing],
                "crop": r.crop,
                "size": r.size,
                "output": None if r.output is None else r.output.tolist(),
                "counts": None if r.counts is None else r.counts.tolist(),
                "formula": r.formula,
                "pattern": r.pattern,
                "call": r.call,
                "problem": r.problem,
            }
        )
    assert run_js("widgets/transposed_stepper.js", cases) == expected


def test_js_texts_match_python():
    cases, expected = [], []
    for n, k, s, p, _op, d in drawn_settings(100, seed=3):
        side = (n - 1) * s + d * (k - 1) + 1
        for row, col in [(0, 0), (side // 2, side // 3), (side - 1, 0)]:
            cases.append(("outputSum", [n, k, s, p, d, row, col]))
            expected.append(output_sum(n, k, s, p, d, row, col))
        cases.append(("axisCounts", [n, k, s, d, side + 2]))
        expected.append(axis_counts(n, k, s, d, side + 2))
    for k in range(1, 5):
        for s in range(1, 4):
            for d in range(1, 3):
                cases.append(("patternText", [k, s, d]))
                expected.append(pattern_text(k, s, d))
    assert run_js("widgets/transposed_stepper.js", cases) == expected


def test_js_grids_formulas_and_messages_match_python():
    from convlab.widgets.transposed_stepper import conv_transpose2d_call

    cases, expected = [], []
    for size in range(1, 6):
        for modulo in (4, 10):
            cases.append(("patternGrid", [size, modulo]))
            expected.append(pattern_grid(size, modulo))
    cropped = [(1, 1, 1, 3, 0, 1), (2, 2, 1, 3, 1, 2), (1, 3, 3, 2, 2, 1)]
    for n, k, s, p, op, d in drawn_settings(200, seed=6) + cropped:
        cases += [
            ("sizeFormula", [n, k, s, p, d, op]),
            ("transposedProblem", [n, k, s, p, d, op]),
            ("convTranspose2dCall", [k, s, p, d, op]),
        ]
        expected += [
            size_formula(n, k, s, p, d, op),
            transposed_problem(n, k, s, p, d, op),
            conv_transpose2d_call(k, s, p, d, op),
        ]
    problems = [e for (fn, _), e in zip(cases, expected, strict=True) if fn == "transposedProblem"]
    assert any(e and "crops" in e for e in problems) and any(e is None for e in problems)
    assert run_js("widgets/transposed_stepper.js", cases) == expected
