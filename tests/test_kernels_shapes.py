"""output_size: the course's worked numbers, and agreement with real outputs."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from convlab.kernels import conv2d, max_pool2d, output_size


def test_output_size_worked_examples() -> None:
    # ⌊(8 + 2·1 − 1·(3 − 1) − 1) / 1⌋ + 1 = 8: padding 1 keeps the size (3×3 kernel).
    assert output_size(8, 3, padding=1) == 8
    # Height: (8 + 4 − 4 − 1) + 1 = 8; width: (8 + 2 − 2 − 1) + 1 = 8.
    assert output_size((8, 8), (5, 3), padding=(2, 1)) == (8, 8)
    # ⌊7 / 2⌋ + 1 = 4: stride 2 halves the size.
    assert output_size(8, 3, padding=1, stride=2) == 4
    # Height: ⌊(8 + 0 − 2 − 1) / 3⌋ + 1 = 1 + 1 = 2;
    # width: ⌊(8 + 2 − 4 − 1) / 4⌋ + 1 = 1 + 1 = 2.
    assert output_size((8, 8), (3, 5), padding=(0, 1), stride=(3, 4)) == (2, 2)


def test_output_size_with_dilation() -> None:
    # A 3-tap kernel with dilation 2 spans 5 cells: 8 − 5 + 1 = 4 positions.
    assert output_size(8, 3, dilation=2) == 4


def test_output_size_returns_int_only_for_all_int_arguments() -> None:
    assert isinstance(output_size(5, 3), int)
    assert output_size(5, 3, stride=(1, 2)) == (3, 2)
    assert output_size(5, 3, dilation=[1, 2]) == (3, 1)


def int_or_pair(low: int, high: int) -> st.SearchStrategy:
    return st.integers(low, high) | st.tuples(st.integers(low, high), st.integers(low, high))


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return value if isinstance(value, tuple) else (value, value)


@given(
    kernel=int_or_pair(1, 4),
    stride=int_or_pair(1, 3),
    padding=int_or_pair(0, 2),
    dilation=int_or_pair(1, 3),
    extra=st.tuples(st.integers(0, 6), st.integers(0, 6)),
    n_as_int=st.booleans(),
)
def test_output_size_matches_conv_and_pool_outputs(
    kernel, stride, padding, dilation, extra, n_as_int
) -> None:
    spans = [d * (k - 1) + 1 for k, d in zip(pair(kernel), pair(dilation), strict=True)]
    smallest = [max(1, s - 2 * p) for s, p in zip(spans, pair(padding), strict=True)]
    n = tuple(m + e for m, e in zip(smallest, extra, strict=True))
    if n_as_int:
        n = max(n)  # one size for both axes: it must fit both kernels
    args = dict(stride=stride, padding=padding, dilation=dilation)
    size = output_size(n, kernel, **args)

    X = torch.zeros((1, 1, *pair(n)))
    W = torch.zeros((1, 1, *pair(kernel)))
    expected = tuple(F.conv2d(X, W, **args).shape[-2:])
    assert pair(size) == expected
    assert tuple(conv2d(X, W, **args).shape[-2:]) == expected
    all_ints = all(isinstance(a, int) for a in (n, kernel, stride, padding, dilation))
    assert isinstance(size, int) == all_ints
    if all(2 * p <= k for p, k in zip(pair(padding), pair(kernel), strict=True)):
        pooled = max_pool2d(X, kernel, **args)
        assert tuple(pooled.shape[-2:]) == expected


NUMPY_INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


@given(
    n=st.integers(1, 100),
    kernel=st.integers(1, 10),
    stride=st.integers(1, 5),
    padding=st.integers(0, 5),
    dilation=st.integers(1, 5),
    kind=st.sampled_from(NUMPY_INTS),
)
def test_numpy_ints_count_as_ints(n, kernel, stride, padding, dilation, kind) -> None:
    if dilation * (kernel - 1) + 1 > n + 2 * padding:
        return
    expected = (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    args = [kind(v) for v in (n, kernel, stride, padding, dilation)]
    size = output_size(*args)
    assert size == expected and type(size) is int


@pytest.mark.parametrize(
    "args",
    [(True, 3), (8, True), (8, 3, np.True_), (8, 3, 1, False), (8, 3, 1, 0, (1, True)), (8.0, 3)],
)
def test_bools_and_floats_are_not_sizes(args) -> None:
    with pytest.raises(TypeError):
        output_size(*args)


@given(
    n=st.integers(1, 10**40),
    kernel=st.integers(1, 10**40),
    stride=st.integers(1, 10**40),
    padding=st.integers(0, 10**40),
    dilation=st.integers(1, 10**40),
)
def test_huge_ints_give_the_exact_size_or_a_clear_error(
    n, kernel, stride, padding, dilation
) -> None:
    """Plain integer arithmetic, as big as Python's ints: no overflow anywhere."""
    span = dilation * (kernel - 1) + 1
    if span > n + 2 * padding:
        with pytest.raises(ValueError, match="kernel"):
            output_size(n, kernel, stride, padding, dilation)
    else:
        expected = (n + 2 * padding - span) // stride + 1
        assert output_size(n, kernel, stride, padding, dilation) == expected
