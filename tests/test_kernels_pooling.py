"""Pooling: the course's worked numbers, and agreement with PyTorch's pooling layers."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch.testing import assert_close

from convlab.kernels import avg_pool2d, max_pool2d, pool2d

seeds = st.integers(0, 2**32 - 1)
dtypes = st.sampled_from([torch.float64, torch.float64, torch.float32])


def randn(shape: tuple[int, ...], seed: int, dtype: torch.dtype) -> torch.Tensor:
    """Reproducible random numbers: hypothesis picks the seed."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator, dtype=dtype)


def int_or_pair(low: int, high: int) -> st.SearchStrategy:
    """An int, or a (height, width) pair: both spellings must work."""
    return st.integers(low, high) | st.tuples(st.integers(low, high), st.integers(low, high))


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return value if isinstance(value, tuple) else (value, value)


@st.composite
def pool_cases(draw: st.DrawFn, with_dilation: bool) -> dict:
    """Valid pooling arguments: padding ≤ k/2 and a window that fits."""
    kernel = draw(int_or_pair(1, 3))
    stride = draw(st.none() | int_or_pair(1, 3))
    padding = tuple(draw(st.integers(0, k // 2)) for k in pair(kernel))
    dilation = draw(int_or_pair(1, 2)) if with_dilation else 1
    size = []
    for k, d, p in zip(pair(kernel), pair(dilation), padding, strict=True):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        size.append(smallest + draw(st.integers(0, 4)))
    batch = draw(st.sampled_from([(), (2,)]))
    channels = draw(st.integers(1, 3))
    args = dict(kernel_size=kernel, stride=stride, padding=padding)
    if with_dilation:
        args["dilation"] = dilation
    return dict(shape=(*batch, channels, *size), args=args)


# --- The worked numbers from the course notes ---------------------------------

X3 = torch.arange(9.0).reshape(3, 3)  # [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


def test_pool2d_worked_example() -> None:
    # The four 2×2 windows hold {0,1,3,4}, {1,2,4,5}, {3,4,6,7}, {4,5,7,8}.
    assert pool2d(X3, (2, 2)).tolist() == [[4, 5], [7, 8]]
    # Their means: 8/4 = 2, 12/4 = 3, 20/4 = 5, 24/4 = 6.
    assert pool2d(X3, 2, mode="mean").tolist() == [[2, 3], [5, 6]]


def test_pool2d_mean_of_integers_is_a_float() -> None:
    Y = pool2d(X3.long(), 2, mode="mean")
    assert Y.dtype == torch.get_default_dtype()
    assert Y.tolist() == [[2, 3], [5, 6]]
    assert pool2d(X3.long(), 2).dtype == torch.int64


X4 = torch.arange(16.0).reshape(1, 1, 4, 4)


def test_max_pool2d_worked_examples() -> None:
    # Kernel 3 and (default) stride 3 fit one window: rows/columns 0..2, max 10.
    assert max_pool2d(X4, 3).tolist() == [[[[10]]]]
    # Padding 1 makes 6×6; stride 2 gives windows over rows/cols {-1..1, 1..3}:
    # maxima X[1, 1] = 5, X[1, 3] = 7, X[3, 1] = 13, X[3, 3] = 15.
    assert max_pool2d(X4, 3, padding=1, stride=2).tolist() == [[[[5, 7], [13, 15]]]]


def test_avg_pool2d_counts_padding_zeros() -> None:
    # Kernel 2, padding 1: the top-left window holds three padded zeros and the
    # corner of X4 + 1, which is 1. The zeros count: (0 + 0 + 0 + 1) / 4 = 0.25.
    Y = avg_pool2d(X4 + 1, 2, padding=1)
    assert Y[0, 0, 0, 0].item() == 0.25
    assert_close(Y, F.avg_pool2d(X4 + 1, 2, padding=1))


def test_integer_pools_match_torch() -> None:
    X = torch.arange(-20, 30).reshape(2, 5, 5)
    assert_close(max_pool2d(X, 3, stride=1, padding=1), F.max_pool2d(X, 3, 1, 1))
    # Integer means round toward zero, as in PyTorch: -2.5 -> -2.
    assert_close(avg_pool2d(X, 2, padding=1), F.avg_pool2d(X, 2, padding=1))


# --- Agreement with PyTorch on drawn shapes and arguments ---------------------


@given(
    n_h=st.integers(1, 6),
    n_w=st.integers(1, 6),
    data=st.data(),
    seed=seeds,
    dtype=dtypes,
)
def test_pool2d_matches_torch(n_h, n_w, data, seed, dtype) -> None:
    size = (data.draw(st.integers(1, n_h)), data.draw(st.integers(1, n_w)))
    X = randn((n_h, n_w), seed, dtype)
    batched = X[None, None]
    assert_close(pool2d(X, size), F.max_pool2d(batched, size, stride=1)[0, 0])
    mean = pool2d(X, size, mode="mean")
    assert_close(mean, F.avg_pool2d(batched, size, stride=1)[0, 0])


@given(case=pool_cases(with_dilation=True), seed=seeds, dtype=dtypes)
def test_max_pool2d_matches_torch(case, seed, dtype) -> None:
    X = randn(case["shape"], seed, dtype)
    assert_close(max_pool2d(X, **case["args"]), F.max_pool2d(X, **case["args"]))


@given(case=pool_cases(with_dilation=False), seed=seeds, dtype=dtypes)
def test_avg_pool2d_matches_torch(case, seed, dtype) -> None:
    X = randn(case["shape"], seed, dtype)
    assert_close(avg_pool2d(X, **case["args"]), F.avg_pool2d(X, **case["args"]))


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
@given(
    size=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    kernel=st.integers(0, 4),
    stride=st.none() | st.integers(0, 2),
    padding=st.integers(-1, 3),
)
def test_pools_fail_exactly_when_torch_fails(pool, size, kernel, stride, padding):
    """Same answer as PyTorch, or a clear error exactly where PyTorch errors."""
    X = randn((2, *size), 0, torch.float64)
    torch_pool = F.max_pool2d if pool is max_pool2d else F.avg_pool2d
    try:
        expected = torch_pool(X, kernel, stride, padding)
    except (RuntimeError, ValueError):
        with pytest.raises((ValueError, TypeError)):
            pool(X, kernel, stride, padding)
    else:
        assert_close(pool(X, kernel, stride, padding), expected)
