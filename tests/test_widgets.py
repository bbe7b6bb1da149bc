"""The stepper's pure compute function, its repr and its input checks."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from convlab.widgets import CorrelationStepper, step
from convlab.widgets.stepper import size_problem
from convlab.widgets.text import format_matrix, format_number, spelled_sum


def torch_corr(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    return F.conv2d(X[None, None], K[None, None])[0, 0]


def test_default_is_the_worked_example_of_the_notes():
    s = CorrelationStepper().compute()
    assert s.output.tolist() == [[19, 25], [37, 43]]
    assert s.sum_text == "0×0 + 1×1 + 3×2 + 4×3 = 19"


@pytest.mark.parametrize(
    ("position", "row", "col", "text"),
    [
        (0, 0, 0, "0×0 + 1×1 + 3×2 + 4×3 = 19"),
        (1, 0, 1, "1×0 + 2×1 + 4×2 + 5×3 = 25"),
        (2, 1, 0, "3×0 + 4×1 + 6×2 + 7×3 = 37"),
        (3, 1, 1, "4×0 + 5×1 + 7×2 + 8×3 = 43"),
        (99, 1, 1, "4×0 + 5×1 + 7×2 + 8×3 = 43"),  # past the end: the last window
    ],
)
def test_each_window_of_the_notes_example(position, row, col, text):
    s = step(torch.arange(9.0).reshape(3, 3), torch.arange(4.0).reshape(2, 2), position)
    assert (s.row, s.col, s.sum_text) == (row, col, text)


def test_convolution_flips_the_kernel():
    s = step(torch.arange(9.0).reshape(3, 3), torch.arange(4.0).reshape(2, 2), 0, "convolution")
    # flipped kernel [[3, 2], [1, 0]]: 0×3 + 1×2 + 3×1 + 4×0 = 5
    assert s.sum_text == "0×3 + 1×2 + 3×1 + 4×0 = 5"
    assert s.output.tolist() == [[5, 11], [23, 29]]


@given(
    nh=st.integers(1, 8),
    nw=st.integers(1, 8),
    kh=st.integers(1, 5),
    kw=st.integers(1, 5),
    mode=st.sampled_from(["correlation", "convolution"]),
    position=st.integers(0, 70),
    seed=st.integers(0, 2**16),
)
def test_step_matches_pytorch(nh, nw, kh, kw, mode, position, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randint(-9, 10, (nh, nw), generator=g).double()
    K = torch.randint(-3, 4, (kh, kw), generator=g).double()
    s = step(X, K, position, mode)
    if kh > nh or kw > nw:
        assert s.output is None and s.problem == size_problem(nh, nw, kh, kw)
        return
    applied = K.flip(0, 1) if mode == "convolution" else K
    expected = torch_corr(X, applied)
    torch.testing.assert_close(s.output, expected)
    assert s.problem is None
    assert sum(x * k for x, k in s.terms) == pytest.approx(expected[s.row, s.col].item())
    assert s.row * expected.shape[1] + s.col == min(position, expected.numel() - 1)


def test_repr_is_one_deterministic_line():
    w = CorrelationStepper()
    assert repr(w) == (
        "CorrelationStepper(X 3×3, K 2×2, cross-correlation, window (0, 0): "
        "0×0 + 1×1 + 3×2 + 4×3 = 19; Y = [[19, 25], [37, 43]])"
    )
    w.K = [[1, 2, 3, 4]]
    assert (
        repr(w)
        == "CorrelationStepper(X 3×3, K 1×4, cross-correlation: " + size_problem(3, 3, 1, 4) + ")"
    )


def test_size_problem_names_the_rule_with_the_numbers():
    assert size_problem(3, 3, 5, 2) == (
        "The kernel has 5 rows but the input has only 3: a window must fit inside the "
        "input (k ≤ n), and n − k + 1 = 3 − 5 + 1 = -1 leaves no output row."
    )
    assert size_problem(4, 2, 1, 3).startswith("The kernel has 3 columns but the input has only 2")
    assert size_problem(3, 3, 3, 3) is None


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"X": [[1, 2], [3]]}, ValueError, "X: every row needs the same length"),
        ({"X": [[1] * 9] * 2}, ValueError, "X: a grid here has 1 to 8 rows and columns, got 2×9"),
        (
            {"K": torch.ones(6, 1)},
            ValueError,
            "K: a grid here has 1 to 5 rows and columns, got 6×1",
        ),
        ({"K": [[1, "a"]]}, TypeError, "K[0, 1]: expected a number, got 'a'"),
        ({"X": [[float("nan")]]}, ValueError, "X[0, 0]: expected a finite number"),
        ({"X": [1, 2, 3]}, TypeError, "X: expected a 2-D grid"),
        ({"mode": "flip"}, ValueError, "mode: expected one of"),
        ({"position": -1}, ValueError, "position: expected a whole number ≥ 0, got -1"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        CorrelationStepper(**kwargs)


def test_number_format():
    assert [format_number(v) for v in (19.0, -3, 0.5, 2 / 3, -0.0004, 1.2345)] == [
        "19",
        "-3",
        "0.5",
        "0.667",
        "0",
        "1.235",
    ]
    assert spelled_sum([(-1.5, 2), (3, -0.25)]) == "(-1.5)×2 + 3×(-0.25) = -3.75"
    assert format_matrix([[1.0, 2.5]]) == "[[1, 2.5]]"


def test_widget_state_is_plain_json():
    w = CorrelationStepper(torch.ones(2, 3), torch.eye(2))
    assert w.X == [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    assert w.K == [[1.0, 0.0], [0.0, 1.0]]
    assert "export default { render }" in w._esm
