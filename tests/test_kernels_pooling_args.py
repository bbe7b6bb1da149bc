"""Pooling's arguments: PyTorch's answer, or a ValueError/TypeError that names the argument.

Sizes may be ints, pairs, lists or numpy ints (never bools); the flags are bools;
``divisor_override`` is None or an int ≥ 1. Where PyTorch refuses a call, so does
convlab, with a clear message instead of PyTorch's RuntimeError.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from convlab.kernels import avg_pool2d, max_pool2d, pool2d

X = torch.arange(2 * 5 * 6, dtype=torch.float32).reshape(1, 2, 5, 6)
POOLS = pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d], ids=["max", "avg"])
AWKWARD_SIZES = st.one_of(
    st.integers(-2, 5),
    st.sampled_from([10**30, -(10**30), 2**63, True, False, 2.0, None, "2"]),
    st.tuples(st.integers(-1, 4), st.integers(-1, 4)),
    st.lists(st.integers(0, 4), min_size=0, max_size=3),
    st.integers(0, 4).map(np.int64),
)


@POOLS
def test_numpy_ints_lists_and_pairs_give_the_same_answer(pool) -> None:
    expected = pool(X, 3, stride=2, padding=1)
    for spelling in [
        dict(kernel_size=np.int64(3), stride=np.int32(2), padding=np.int8(1)),
        dict(kernel_size=[3, 3], stride=(2, 2), padding=[1, 1]),
        dict(kernel_size=(np.int64(3), 3), stride=[2, np.int16(2)], padding=(1, np.int64(1))),
    ]:
        assert torch.equal(pool(X, **spelling), expected)


@POOLS
@pytest.mark.parametrize(
    ("args", "error", "fragments"),
    [
        (dict(kernel_size=True), TypeError, ["kernel_size", "bool", "True"]),
        (dict(kernel_size=2, stride=(1, False)), TypeError, ["stride", "(1, False)"]),
        (dict(kernel_size=2.0), TypeError, ["kernel_size", "float", "2.0"]),
        (dict(kernel_size=2, padding="1"), TypeError, ["padding", "str"]),
        (dict(kernel_size=10**30), ValueError, ["kernel_size", "2**63 − 1", str(10**30)]),
        (dict(kernel_size=2, stride=2**63), ValueError, ["stride", "2**63 − 1"]),
        (dict(kernel_size=2, stride=-1), ValueError, ["stride", "≥ 1", "-1"]),
        (dict(kernel_size=(2, 0)), ValueError, ["kernel_size", "≥ 1", "(2, 0)"]),
        (dict(kernel_size=(2, 2, 2)), ValueError, ["kernel_size", "length 3"]),
        (dict(kernel_size=2, padding=[]), ValueError, ["padding", "length 0"]),
        (dict(kernel_size=2, padding=2), ValueError, ["padding", "more than half", "2 > 2/2"]),
        (dict(kernel_size=2, ceil_mode=1), TypeError, ["ceil_mode", "True or False", "1"]),
        (dict(kernel_size=2, ceil_mode="no"), TypeError, ["ceil_mode", "'no'"]),
        (dict(kernel_size=7), ValueError, ["kernel_size", "7×7", "5×6", "7 > 5"]),
    ],
)
def test_bad_sizes_and_flags_are_refused(pool, args, error, fragments) -> None:
    with pytest.raises(error) as info:
        pool(X, **args)
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} missing from {info.value}"


@pytest.mark.parametrize(
    ("args", "error", "fragments"),
    [
        (dict(return_indices=1), TypeError, ["return_indices", "True or False"]),
        (dict(return_indices=None), TypeError, ["return_indices", "None"]),
        (dict(dilation=0), ValueError, ["dilation", "≥ 1", "0"]),
        (dict(dilation=(1, 2.5)), TypeError, ["dilation", "(1, 2.5)"]),
    ],
)
def test_max_pool2d_refuses_bad_flags_and_dilations(args, error, fragments) -> None:
    with pytest.raises(error) as info:
        max_pool2d(X, 2, **args)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("divisor", "error", "fragments"),
    [
        (0, ValueError, ["divisor_override", "from 1", "got 0"]),
        (-2, ValueError, ["divisor_override", "got -2"]),  # PyTorch takes it (negated means)
        (2**63, ValueError, ["divisor_override", str(2**63)]),
        (2.0, TypeError, ["divisor_override", "float"]),
        (True, TypeError, ["divisor_override", "bool"]),
        ("2", TypeError, ["divisor_override", "str"]),
        (torch.tensor(2), TypeError, ["divisor_override", "Tensor"]),
    ],
)
def test_avg_pool2d_refuses_bad_divisors(divisor, error, fragments) -> None:
    with pytest.raises(error) as info:
        avg_pool2d(X, 2, divisor_override=divisor)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_numpy_flags_and_divisors_are_accepted() -> None:
    expected = F.avg_pool2d(X, 3, 2, 1, True, False, 4)
    ours = avg_pool2d(X, 3, 2, 1, np.bool_(True), np.bool_(False), np.int64(4))
    assert torch.equal(ours, expected)
    assert torch.equal(
        max_pool2d(X, 2, return_indices=np.bool_(True))[1],
        F.max_pool2d(X, 2, return_indices=True)[1],
    )


@pytest.mark.parametrize("dtype", [torch.int32, torch.int16, torch.int8, torch.uint8])
def test_avg_pool2d_refuses_the_integers_torch_refuses(dtype) -> None:
    with pytest.raises(NotImplementedError):
        F.avg_pool2d(X.to(dtype), 2)
    with pytest.raises(TypeError, match=f"X: .*{dtype}.*PyTorch's avg_pool2d refuses it too"):
        avg_pool2d(X.to(dtype), 2)
    assert torch.equal(max_pool2d(X.to(dtype), 2), F.max_pool2d(X.to(dtype), 2))


@POOLS
@pytest.mark.parametrize(
    "tensor",
    [X.bool(), X.to(torch.complex64), X.to(torch.uint16), X.to_sparse(), X.tolist(), None],
    ids=["bool", "complex", "uint16", "sparse", "list", "None"],
)
def test_what_is_not_a_dense_real_tensor_is_refused(pool, tensor) -> None:
    with pytest.raises(TypeError, match="X: expected"):
        pool(tensor, 2)


@POOLS
@pytest.mark.parametrize(
    ("shape", "fragments"),
    [
        ((1, 0, 4, 4), ["X", "empty", "(1, 0, 4, 4)"]),
        ((0, 0, 4, 4), ["X", "empty"]),
        ((0, 4, 4), ["X", "empty", "(0, 4, 4)"]),  # unbatched: C may not be 0 (as in PyTorch)
        ((4, 4), ["X", "3-D", "4-D", "got 2-D"]),
        ((1, 1, 1, 4, 4), ["X", "got 5-D"]),
    ],
)
def test_empty_axes_other_than_the_batch_are_refused(pool, shape, fragments) -> None:
    with pytest.raises(ValueError) as info:
        pool(torch.ones(shape), 2)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_a_result_too_large_is_refused_before_allocating() -> None:
    X = torch.zeros(1).expand(2**16, 1, 256, 256)  # 2**32 cells, no memory
    for pool in (max_pool2d, avg_pool2d):
        with pytest.raises(ValueError, match=r"X and stride: .* more than the 2147483648"):
            pool(X, 1)


def test_pool2d_refuses_what_it_cannot_loop_over() -> None:
    with pytest.raises(ValueError, match="mode"):
        pool2d(torch.ones(3, 3), 2, mode="avg")
    with pytest.raises(TypeError, match="pool_size"):
        pool2d(torch.ones(3, 3), True)
    with pytest.raises(ValueError, match="X: .*2-D"):
        pool2d(torch.ones(1, 3, 3), 2)


def torch_refuses(call) -> bool:
    try:
        call()
    except (RuntimeError, ValueError, TypeError, OverflowError):  # NotImplementedError too
        return True
    return False


@POOLS
@given(
    size=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    batch=st.sampled_from([(), (0,), (2,)]),
    kernel=AWKWARD_SIZES,
    stride=st.none() | AWKWARD_SIZES,
    padding=AWKWARD_SIZES,
    ceil_mode=st.booleans(),
)
def test_pools_fail_exactly_when_torch_fails(pool, size, batch, kernel, stride, padding, ceil_mode):
    """Same answer as PyTorch, or a clear error exactly where PyTorch errors.

    Except where convlab is stricter on purpose: bools as sizes, and lists that
    are not pairs (PyTorch reads [k] as (k, k), and an empty stride as the default).
    """
    X = torch.randn((*batch, 2, *size), generator=torch.Generator().manual_seed(0))
    torch_pool = F.max_pool2d if pool is max_pool2d else F.avg_pool2d
    args = (X, kernel, stride, padding)
    if torch_refuses(lambda: torch_pool(*args, ceil_mode=ceil_mode)):
        with pytest.raises((ValueError, TypeError)):
            pool(*args, ceil_mode=ceil_mode)
        return
    values = [kernel, stride, padding]
    items = [item for value in values if isinstance(value, list) for item in value]
    stricter = any(isinstance(item, bool) for item in [*values, *items])
    stricter |= any(isinstance(value, list) and len(value) != 2 for value in values)
    if stricter:
        with pytest.raises((ValueError, TypeError)):
            pool(*args, ceil_mode=ceil_mode)
        return
    assert torch.equal(pool(*args, ceil_mode=ceil_mode), torch_pool(*args, ceil_mode=ceil_mode))
