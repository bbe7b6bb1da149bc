"""corr2d and friends: the course's worked numbers, and agreement with PyTorch."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch.testing import assert_close

from convlab.kernels import (
    convolve2d,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out_1x1,
    corr2d_multi_out,
)

seeds = st.integers(0, 2**32 - 1)
dtypes = st.sampled_from([torch.float64, torch.float64, torch.float32])


def randn(shape: tuple[int, ...], seed: int, dtype: torch.dtype) -> torch.Tensor:
    """Reproducible random numbers: hypothesis picks the seed."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator, dtype=dtype)


@st.composite
def input_and_kernel(draw: st.DrawFn) -> tuple[tuple[int, int], tuple[int, int]]:
    """An input size (n_h, n_w) and a kernel size that fits in it."""
    n_h, n_w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    k_h, k_w = draw(st.integers(1, n_h)), draw(st.integers(1, n_w))
    return (n_h, n_w), (k_h, k_w)


# --- The worked numbers from the course notes ---------------------------------

X3 = torch.arange(9).reshape(3, 3)  # [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
K2 = torch.arange(4).reshape(2, 2)  # [[0, 1], [2, 3]]


def test_corr2d_worked_example() -> None:
    # Top left: 0·0 + 1·1 + 3·2 + 4·3 = 19; top right: 1·0 + 2·1 + 4·2 + 5·3 = 25;
    # bottom left: 3·0 + 4·1 + 6·2 + 7·3 = 37; bottom right: 4·0 + 5·1 + 7·2 + 8·3 = 43.
    assert corr2d(X3, K2).tolist() == [[19, 25], [37, 43]]


def test_convolve2d_worked_example() -> None:
    # Flipping K in both axes gives [[3, 2], [1, 0]]. Then
    # top left: 0·3 + 1·2 + 3·1 + 4·0 = 5;   top right: 1·3 + 2·2 + 4·1 + 5·0 = 11;
    # bottom left: 3·3 + 4·2 + 6·1 + 7·0 = 23; bottom right: 4·3 + 5·2 + 7·1 + 8·0 = 29.
    assert convolve2d(X3, K2).tolist() == [[5, 11], [23, 29]]


def test_edge_detection_worked_example() -> None:
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    expected = torch.zeros((6, 7))
    expected[:, 1] = 1  # white -> black edge between columns 1 and 2
    expected[:, 5] = -1  # black -> white edge between columns 5 and 6
    assert_close(corr2d(X, K), expected, rtol=0, atol=0)
    # The transposed image has horizontal edges only: the kernel sees none.
    assert_close(corr2d(X.T, K), torch.zeros((8, 5)), rtol=0, atol=0)


X_MULTI = torch.stack([torch.arange(9).reshape(3, 3), torch.arange(1, 10).reshape(3, 3)])
K_MULTI = torch.tensor([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])


def test_corr2d_multi_in_worked_example() -> None:
    # Channel 0 gives [[19, 25], [37, 43]] (see above); channel 1, with X + 1 and
    # kernel [[1, 2], [3, 4]], gives top left 1·1 + 2·2 + 4·3 + 5·4 = 37, and so
    # on: [[37, 47], [67, 77]]. The sum is [[56, 72], [104, 120]].
    assert corr2d_multi_in(X_MULTI, K_MULTI).tolist() == [[56, 72], [104, 120]]


def test_corr2d_multi_out_worked_example() -> None:
    K = torch.stack([K_MULTI, K_MULTI + 1, K_MULTI + 2])
    # Adding 1 to every kernel entry adds the sum of each 2×2 window of both
    # channels: [[8, 12], [20, 24]] + [[12, 16], [24, 28]] = [[20, 28], [44, 52]].
    assert corr2d_multi_out(X_MULTI, K).tolist() == [
        [[56, 72], [104, 120]],
        [[76, 100], [148, 172]],
        [[96, 128], [192, 224]],
    ]


def test_1x1_is_a_matrix_product_per_pixel() -> None:
    X = torch.arange(12.0).reshape(3, 2, 2)
    K = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]).reshape(2, 3, 1, 1)
    # Output channel 0 copies input channel 0; channel 1 adds all three up:
    # pixel (0, 0) holds 0, 4, 8 in the three channels -> 0 and 12.
    assert corr2d_multi_in_out_1x1(X, K).tolist() == [
        [[0, 1], [2, 3]],
        [[12, 15], [18, 21]],
    ]


def test_result_dtype_follows_type_promotion() -> None:
    assert corr2d(X3, K2).dtype == torch.int64
    assert corr2d(X3, K2.double()).dtype == torch.float64
    assert corr2d(X3.float(), K2.double()).dtype == torch.float64
    K_1x1 = K_MULTI[None, :, :1, :1]  # (1, 2, 1, 1), int64
    assert corr2d_multi_in_out_1x1(X_MULTI, K_1x1).dtype == torch.int64
    assert corr2d_multi_in_out_1x1(X_MULTI, K_1x1.float()).dtype == torch.float32


# --- Agreement with PyTorch on drawn shapes -------------------------------------


@given(sizes=input_and_kernel(), seed=seeds, dtype=dtypes)
def test_corr2d_matches_torch(sizes, seed, dtype) -> None:
    (n_h, n_w), (k_h, k_w) = sizes
    X = randn((n_h, n_w), seed, dtype)
    K = randn((k_h, k_w), seed + 1, dtype)
    expected = F.conv2d(X[None, None], K[None, None])[0, 0]
    assert_close(corr2d(X, K), expected)


@given(sizes=input_and_kernel(), seed=seeds, dtype=dtypes)
def test_convolve2d_is_correlation_with_flipped_kernel(sizes, seed, dtype) -> None:
    (n_h, n_w), (k_h, k_w) = sizes
    X = randn((n_h, n_w), seed, dtype)
    K = randn((k_h, k_w), seed + 1, dtype)
    flipped = K[torch.arange(k_h - 1, -1, -1)][:, torch.arange(k_w - 1, -1, -1)]
    expected = F.conv2d(X[None, None], flipped[None, None])[0, 0]
    assert_close(convolve2d(X, K), expected)


@given(sizes=input_and_kernel(), c_i=st.integers(1, 3), seed=seeds, dtype=dtypes)
def test_corr2d_multi_in_matches_torch(sizes, c_i, seed, dtype) -> None:
    (n_h, n_w), (k_h, k_w) = sizes
    X = randn((c_i, n_h, n_w), seed, dtype)
    K = randn((c_i, k_h, k_w), seed + 1, dtype)
    expected = F.conv2d(X[None], K[None])[0, 0]
    assert_close(corr2d_multi_in(X, K), expected)


@given(
    sizes=input_and_kernel(),
    c_i=st.integers(1, 3),
    c_o=st.integers(1, 3),
    seed=seeds,
    dtype=dtypes,
)
def test_corr2d_multi_out_matches_torch(sizes, c_i, c_o, seed, dtype) -> None:
    (n_h, n_w), (k_h, k_w) = sizes
    X = randn((c_i, n_h, n_w), seed, dtype)
    K = randn((c_o, c_i, k_h, k_w), seed + 1, dtype)
    assert_close(corr2d_multi_out(X, K), F.conv2d(X[None], K)[0])


@given(
    n_h=st.integers(1, 6),
    n_w=st.integers(1, 6),
    c_i=st.integers(1, 4),
    c_o=st.integers(1, 4),
    seed=seeds,
    dtype=dtypes,
)
def test_1x1_matches_torch_and_the_loop(n_h, n_w, c_i, c_o, seed, dtype) -> None:
    X = randn((c_i, n_h, n_w), seed, dtype)
    K = randn((c_o, c_i, 1, 1), seed + 1, dtype)
    Y = corr2d_multi_in_out_1x1(X, K)
    assert_close(Y, F.conv2d(X[None], K)[0])
    assert_close(Y, corr2d_multi_out(X, K))


# --- dtypes: the loops promote as ``X * K`` does, and refuse what PyTorch cannot compute


REAL = [
    torch.float64,
    torch.float32,
    torch.float16,
    torch.bfloat16,
    torch.int64,
    torch.int32,
    torch.int16,
    torch.int8,
    torch.uint8,
]


def small_ints(shape: tuple[int, ...], seed: int, dtype: torch.dtype) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, 5, shape, generator=generator).to(dtype)


@given(
    sizes=input_and_kernel(),
    seed=seeds,
    x_dtype=st.sampled_from(REAL),
    k_dtype=st.sampled_from(REAL),
)
def test_every_real_dtype_promotes_as_multiplication_does(sizes, seed, x_dtype, k_dtype) -> None:
    (n_h, n_w), (k_h, k_w) = sizes
    X = small_ints((2, n_h, n_w), seed, x_dtype)
    K = small_ints((3, 2, k_h, k_w), seed + 1, k_dtype)
    dtype = torch.promote_types(x_dtype, k_dtype)
    # Small integers: every product and sum is exact in every dtype.
    expected = F.conv2d(X[None].double(), K.double())[0].to(dtype)
    for Y in (
        corr2d_multi_out(X, K),
        torch.stack([corr2d_multi_in(X, k) for k in K]),
        torch.stack([sum(corr2d(x, k) for x, k in zip(X, ks, strict=True)) for ks in K]),
    ):
        assert Y.dtype == dtype
        assert_close(Y, expected, rtol=0, atol=0)


def test_integer_sums_wrap_around_as_in_torch() -> None:
    X = torch.full((4, 4), 100, dtype=torch.int8)
    K = torch.full((3, 3), 7, dtype=torch.int8)
    assert torch.equal(corr2d(X, K), F.conv2d(X[None, None], K[None, None])[0, 0])


@pytest.mark.parametrize(
    "dtype", [torch.bool, torch.uint16, torch.uint64, torch.float8_e4m3fn, torch.complex64]
)
@pytest.mark.parametrize(
    "call",
    [
        lambda X, K: corr2d(X[0], K[0, 0]),
        lambda X, K: convolve2d(X[0], K[0, 0]),
        lambda X, K: corr2d_multi_in(X, K[0]),
        lambda X, K: corr2d_multi_out(X, K),
        lambda X, K: corr2d_multi_in_out_1x1(X, K[:, :, :1, :1]),
    ],
)
def test_dtypes_without_arithmetic_are_refused(dtype, call) -> None:
    X, K = torch.ones(2, 4, 4), torch.ones(3, 2, 2, 2)
    for X_, K_ in ((X.to(dtype), K), (X, K.to(dtype))):
        with pytest.raises(TypeError, match=str(dtype)):
            call(X_, K_)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_and_inf_spread_as_in_torch(bad) -> None:
    X = torch.arange(30.0).reshape(5, 6)
    X[2, 3] = bad
    K = torch.tensor([[1.0, -1.0], [0.5, 0.0]])
    expected = F.conv2d(X[None, None], K[None, None])[0, 0]
    assert_close(corr2d(X, K), expected, equal_nan=True)
