"""Pooling against PyTorch to the last bit: values, NaN positions, winners, gradients.

Hypothesis draws the arguments (every keyword, batches of 0 images, 3-D input,
dilation, awkward spellings) and awkward inputs: ties, NaN, ±inf, values whose
float16 sum overflows, every dtype PyTorch pools, in several memory orders. A
mean must add its cells in PyTorch's order and precision, so results are
compared bit for bit, not to a tolerance. Each way of summing, and of dealing
with the padding, is forced in turn, so that every path is checked.
"""

import contextlib
from collections.abc import Iterator

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import convlab.kernels.pooling as pooling
from convlab.kernels import avg_pool2d, max_pool2d, pool2d

FLOATS = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
MAX_DTYPES = [*FLOATS, torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8]
AVG_DTYPES = [*FLOATS, torch.int64]
SUMMING = ["tap by tap", "all taps at once", "window by window"]
PATHS = [*SUMMING, "small chunks", "no padding built", "padding built"]


@contextlib.contextmanager
def path(name: str) -> Iterator[None]:
    """Force one way of summing the windows (or of treating the padding)."""
    saved = {k: getattr(pooling, k) for k in ("summing_costs", "GATHER_CELLS", "PAD_LIMIT")}
    costs = saved["summing_costs"]
    way = "window by window" if name == "small chunks" else name

    def forced(planes, height, width):
        estimates = costs(planes, height, width)
        if planes == 0 or way not in estimates:
            return estimates  # (an empty batch; or too large to copy out at once)
        return {each: 0.0 if each == way else 1.0 for each in estimates}

    if name in SUMMING or name == "small chunks":
        pooling.summing_costs = forced
    if name == "small chunks":  # window by window, a few cells at a time
        pooling.GATHER_CELLS = 7
    elif name not in SUMMING:
        pooling.PAD_LIMIT = 0 if name == "no padding built" else 10**9
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(pooling, key, value)


def same(ours: torch.Tensor, theirs: torch.Tensor) -> None:
    """Bit for bit: dtype, shape, NaN positions, values and signs of zero."""
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if ours.is_floating_point():
        nan = theirs.isnan()
        assert torch.equal(ours.isnan(), nan)
        ours, theirs = ours.masked_fill(nan, 0), theirs.masked_fill(nan, 0)
        assert torch.equal(ours.signbit(), theirs.signbit())
    assert torch.equal(ours, theirs)


def spell(value: int | tuple[int, int], how: str) -> object:
    """The same size, spelt as an int, a pair, a list or numpy ints."""
    pair = value if isinstance(value, tuple) else (value, value)
    if how == "list":
        return list(pair)
    if how == "numpy":
        return np.int64(pair[0]) if pair[0] == pair[1] else (np.int32(pair[0]), np.int64(pair[1]))
    return value


@st.composite
def pool_cases(draw: st.DrawFn, mode: str) -> dict:
    """Valid pooling arguments and an input shape with at least one window."""
    kernel = draw(st.integers(1, 4) | st.tuples(st.integers(1, 4), st.integers(1, 4)))
    k = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    stride = draw(st.none() | st.integers(1, 4) | st.tuples(st.integers(1, 4), st.integers(1, 4)))
    padding = tuple(draw(st.integers(0, n // 2)) for n in k)
    dilation = draw(st.tuples(st.integers(1, 3), st.integers(1, 3))) if mode == "max" else (1, 1)
    size = [
        max(1, d * (n - 1) + 1 - 2 * p) + draw(st.integers(0, 5))
        for n, d, p in zip(k, dilation, padding, strict=True)
    ]
    batch = draw(st.sampled_from([(), (0,), (1,), (2,)]))
    how = draw(st.sampled_from(["plain", "list", "numpy"]))
    args = {
        "kernel_size": spell(kernel, how),
        "stride": stride if stride is None else spell(stride, how),
        "padding": spell(padding if padding[0] != padding[1] else padding[0], how),
        "ceil_mode": draw(st.booleans()),
    }
    if mode == "max":
        args["dilation"] = spell(dilation, how)
    else:
        args["count_include_pad"] = draw(st.booleans())
        args["divisor_override"] = draw(st.none() | st.integers(1, 9) | st.just(300))
    return {"shape": (*batch, draw(st.integers(1, 3)), *size), "args": args}


@st.composite
def inputs(draw: st.DrawFn, shape: tuple[int, ...], dtypes: list[torch.dtype]) -> torch.Tensor:
    """Awkward numbers of an awkward dtype in an awkward memory order."""
    dtype = draw(st.sampled_from(dtypes))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["normal", "ties", "special", "overflow"]))
    if kind == "normal":
        X = torch.randn(shape, generator=generator, dtype=torch.float64)
        X *= 10.0 ** draw(st.integers(-3, 4))
    elif kind == "overflow":  # float16 sums of these overflow; PyTorch's float32 ones do not
        X = 3e4 * torch.randint(-1, 3, shape, generator=generator).double()
    else:  # few distinct values: ties everywhere
        X = torch.randint(-2, 3, shape, generator=generator).double()
        if kind == "special":
            mark = torch.rand(shape, generator=generator)
            X[mark < 0.15] = float("nan")
            X[(mark >= 0.15) & (mark < 0.35)] = float("-inf")
            X[(mark >= 0.35) & (mark < 0.4)] = float("inf")
    if not dtype.is_floating_point:
        lowest = -100 if dtype != torch.uint8 else 0
        X = X.nan_to_num(0, 100, lowest).clamp(lowest, 100)
    X = X.to(dtype)
    order = draw(st.sampled_from(["contiguous", "transposed", "channels last"]))
    if order == "transposed":
        X = X.transpose(-1, -2).contiguous().transpose(-1, -2)
    elif order == "channels last" and X.dim() == 4:
        X = X.contiguous(memory_format=torch.channels_last)
    return X


def upstream(shape: torch.Size, dtype: torch.dtype, seed: int) -> torch.Tensor:
    """A gradient arriving at the output: random, so that sums of it round."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator, dtype=torch.float64).mul(37).to(dtype)


def tapless(X: torch.Tensor, args: dict) -> bool:
    """Whether some window has all its dilated taps in the padding."""
    height, width = pooling.pool_axes(
        X, args["kernel_size"], args["stride"], args["padding"], args["dilation"], args["ceil_mode"]
    )
    return height.tapless or width.tapless


def check_max(X: torch.Tensor, args: dict, seed: int) -> None:
    expected, expected_where = F.max_pool2d(X, **args, return_indices=True)
    same(max_pool2d(X, **args), expected)
    if tapless(X, args):  # PyTorch's indices and gradient there point at unrelated cells
        with pytest.raises(ValueError, match="dilation"):
            max_pool2d(X, **args, return_indices=True)
        return
    Y, where = max_pool2d(X, **args, return_indices=True)
    same(Y, expected)
    assert torch.equal(where, expected_where)
    if X.is_floating_point():
        ours, theirs = X.detach().requires_grad_(), X.detach().requires_grad_()
        grad = upstream(expected.shape, X.dtype, seed)
        (ours_grad,) = torch.autograd.grad(max_pool2d(ours, **args), ours, grad)
        (theirs_grad,) = torch.autograd.grad(F.max_pool2d(theirs, **args), theirs, grad)
        same(ours_grad, theirs_grad)


def check_avg(X: torch.Tensor, args: dict, seed: int) -> None:
    expected = F.avg_pool2d(X, **args)
    same(avg_pool2d(X, **args), expected)
    if X.is_floating_point():
        ours, theirs = X.detach().requires_grad_(), X.detach().requires_grad_()
        grad = upstream(expected.shape, X.dtype, seed)
        (ours_grad,) = torch.autograd.grad(avg_pool2d(ours, **args), ours, grad)
        (theirs_grad,) = torch.autograd.grad(F.avg_pool2d(theirs, **args), theirs, grad)
        same(ours_grad, theirs_grad)


@given(case=pool_cases("max"), data=st.data(), seed=st.integers(0, 2**16))
def test_max_pool2d_matches_torch_bit_for_bit(case, data, seed) -> None:
    check_max(data.draw(inputs(case["shape"], MAX_DTYPES)), case["args"], seed)


@given(case=pool_cases("avg"), data=st.data(), seed=st.integers(0, 2**16))
def test_avg_pool2d_matches_torch_bit_for_bit(case, data, seed) -> None:
    check_avg(data.draw(inputs(case["shape"], AVG_DTYPES)), case["args"], seed)


@pytest.mark.parametrize("name", PATHS)
@given(case=pool_cases("avg"), data=st.data(), seed=st.integers(0, 2**16))
def test_every_way_of_summing_matches_torch(name, case, data, seed) -> None:
    X = data.draw(inputs(case["shape"], AVG_DTYPES))
    with path(name):
        check_avg(X, case["args"], seed)


@pytest.mark.parametrize("name", ["no padding built", "padding built"])
@given(case=pool_cases("max"), data=st.data(), seed=st.integers(0, 2**16))
def test_every_way_of_padding_a_max_matches_torch(name, case, data, seed) -> None:
    X = data.draw(inputs(case["shape"], MAX_DTYPES))
    with path(name):
        check_max(X, case["args"], seed)


@given(
    size=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    data=st.data(),
    seed=st.integers(0, 2**16),
)
def test_the_pool2d_loop_picks_torchs_winner(size, data, seed) -> None:
    X = data.draw(inputs(size, FLOATS))
    window = (data.draw(st.integers(1, size[0])), data.draw(st.integers(1, size[1])))
    expected = F.max_pool2d(X[None, None], window, stride=1)[0, 0]
    same(pool2d(X, window), expected)
    ours, theirs = X.detach().requires_grad_(), X.detach().requires_grad_()
    grad = upstream(expected.shape, X.dtype, seed)
    (ours_grad,) = torch.autograd.grad(pool2d(ours, window), ours, grad)
    (theirs_grad,) = torch.autograd.grad(
        F.max_pool2d(theirs[None, None], window, stride=1)[0, 0], theirs, grad
    )
    same(ours_grad, theirs_grad)


# --- The user's examples and the new keywords, worked by hand --------------------


def test_float16_means_are_summed_in_float32() -> None:
    # Four cells of 20000 add up to 80000 > 65504, the largest float16: PyTorch adds
    # them in float32 and gets 20000; adding in float16 gave inf.
    X = torch.full((1, 1, 2, 2), 2e4, dtype=torch.float16)
    assert avg_pool2d(X, 2).item() == 20000
    assert pool2d(X[0, 0], 2, mode="mean").item() == 20000


def test_float32_means_add_in_torchs_order() -> None:
    # In float32, 1e8 + 1 rounds to 1e8. Row by row, left to right (PyTorch's order):
    # ((1e8 + 1) − 1e8) + 1 = 1, mean 0.25. Column sums first (the old separable
    # order): (1e8 − 1e8) + (1 + 1) = 2, mean 0.5.
    X = torch.tensor([[[[1e8, 1.0], [-1e8, 1.0]]]])
    assert F.avg_pool2d(X, 2).item() == 0.25
    assert avg_pool2d(X, 2).item() == 0.25


def test_ties_send_the_whole_gradient_to_the_first_cell() -> None:
    X = torch.ones(1, 1, 2, 2, requires_grad=True)
    max_pool2d(X, 2).sum().backward()
    assert X.grad.tolist() == [[[[1, 0], [0, 0]]]]
    X = torch.ones(3, 3, requires_grad=True)  # the loop: each window's top-left cell
    pool2d(X, 2).sum().backward()
    assert X.grad.tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    X = torch.zeros(3, 3)  # the centre wins all four windows: their gradients add up
    X[1, 1] = 1
    X.requires_grad_()
    pool2d(X, 2).sum().backward()
    assert X.grad.tolist() == [[0, 0, 0], [0, 4, 0], [0, 0, 0]]


def test_the_last_nan_wins_and_a_window_of_minus_infinity_keeps_its_first_cell() -> None:
    nan, inf = float("nan"), float("inf")
    X = torch.tensor([[[[nan, 1.0], [nan, 2.0]]]])
    Y, where = max_pool2d(X, 2, return_indices=True)
    assert Y.isnan().all() and where.item() == 2  # the second NaN, in reading order
    X = torch.full((1, 1, 2, 2), -inf)
    Y, where = max_pool2d(X, 2, stride=1, padding=1, return_indices=True)
    # Each window of -inf keeps its first cell on the input (padding never wins).
    assert where.tolist() == [[[[0, 0, 1], [0, 0, 1], [2, 2, 3]]]]
    assert torch.equal(where, F.max_pool2d(X, 2, 1, 1, return_indices=True)[1])


def test_ceil_mode_adds_a_partial_window_but_not_one_in_the_padding() -> None:
    X = torch.arange(25.0).reshape(1, 5, 5)
    # 5 cells, windows of 2 every 2: floor gives 2 windows, ceiling 3 (the last
    # one holds the fifth cell alone): rows and columns 4 give 24.
    assert max_pool2d(X, 2, ceil_mode=True).tolist() == [[[6, 8, 9], [16, 18, 19], [21, 23, 24]]]
    # 6 cells, padding 1, windows of 2 every 4: a third window would start at cell 7,
    # in the right padding, so ceil_mode keeps 2 windows, as PyTorch does.
    X = torch.arange(36.0).reshape(1, 6, 6)
    assert max_pool2d(X, 2, stride=4, padding=1, ceil_mode=True).shape == (1, 2, 2)
    # A partial window counts its cells up to the end of the padded input: the last
    # one of a 5×5 input, without padding, holds one cell (row 4, column 4: 28).
    Y = avg_pool2d(X[:, :5, :5], 2, ceil_mode=True)
    assert Y[0, 2, 2].item() == 28 and torch.equal(Y, F.avg_pool2d(X[:, :5, :5], 2, ceil_mode=True))


def test_count_include_pad_and_divisor_override() -> None:
    X = torch.arange(1.0, 10.0).reshape(1, 3, 3)  # 1..9
    # Kernel 2, padding 1: the top-left window holds three padding cells and the 1.
    assert avg_pool2d(X, 2, padding=1)[0, 0, 0].item() == 1 / 4
    assert avg_pool2d(X, 2, padding=1, count_include_pad=False)[0, 0, 0].item() == 1
    assert avg_pool2d(X, 3, divisor_override=5).item() == 45 / 5


def test_a_batch_of_no_images() -> None:
    X = torch.zeros(0, 3, 8, 8, requires_grad=True)
    for pool in (max_pool2d, avg_pool2d):
        Y = pool(X, 3, stride=2, padding=1)
        assert Y.shape == F.max_pool2d(X, 3, 2, 1).shape == (0, 3, 4, 4)
        Y.sum().backward()
        assert X.grad.shape == X.shape
    Y, where = max_pool2d(X, 2, return_indices=True)
    assert Y.shape == where.shape == (0, 3, 4, 4)


def test_a_window_with_no_tap_on_the_input() -> None:
    # Taps 3 apart from cell -1 skip over a 2-row input: PyTorch's max is -inf (the
    # padding), but its index (4) lies outside the input and its gradient lands on
    # an unrelated cell; convlab gives the max and refuses the other two.
    X = torch.arange(4.0).reshape(1, 1, 2, 2)
    args = dict(kernel_size=(2, 1), stride=1, padding=(1, 0), dilation=(3, 1))
    assert torch.equal(max_pool2d(X, **args), F.max_pool2d(X, **args))
    assert max_pool2d(X, **args).tolist() == [[[[-float("inf"), -float("inf")]]]]
    with pytest.raises(ValueError, match=r"dilation: 3 .*taps in the padding.*no indices"):
        max_pool2d(X, **args, return_indices=True)
    with pytest.raises(ValueError, match=r"dilation: 3 .*no gradient"):
        max_pool2d(X.requires_grad_(), **args)
