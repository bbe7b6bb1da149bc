"""conv2d_backward: conv2d's three gradients, against PyTorch's autograd and by hand."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from bounded import cost_of
from hypothesis import given, settings
from hypothesis import strategies as st
from test_kernels_conv import LAYOUTS as CONV_LAYOUTS
from test_kernels_conv import conv_cases, pair, randn, seeds
from test_kernels_conv import layout as conv_layout
from test_kernels_transpose import LAYOUTS as TRANSPOSE_LAYOUTS
from test_kernels_transpose import layout as transpose_layout
from torch.testing import assert_close

from convlab.kernels import Conv2dGradients, conv2d, conv2d_backward, conv_transpose2d


def autograd(X, W, bias, G, args) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PyTorch's gradients of F.conv2d given the output's gradient G."""
    X, W = X.detach().requires_grad_(), W.detach().requires_grad_()
    bias = bias.detach().requires_grad_()
    with warnings.catch_warnings():  # 'same' with even kernels
        warnings.simplefilter("ignore", UserWarning)
        Y = F.conv2d(X, W, bias, **args)
    Y.backward(G)
    return X.grad, W.grad, bias.grad


# --- Worked numbers ---------------------------------------------------------------

X3 = torch.arange(9.0).reshape(1, 1, 3, 3)
K2 = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])


def test_worked_example_with_a_gradient_of_ones() -> None:
    # Y = corr2d(X, K) is 2×2; with ∂L/∂Y = 1 everywhere:
    # ∂L/∂K[a, b] = the sum of the inputs tap (a, b) saw: the four 2×2 windows' cells
    #   (0,0): 0 + 1 + 3 + 4 = 8, (0,1): 1 + 2 + 4 + 5 = 12, (1,0): 20, (1,1): 24;
    # ∂L/∂X[i, j] = the sum of the taps that landed on (i, j): the corners get one
    #   tap each (0, 1, 2, 3), the middle all four (6), the edges two (1, 2, 4, 5);
    # ∂L/∂b = the number of output cells, 4.
    grads = conv2d_backward(X3, K2, torch.ones(1, 1, 2, 2))
    assert isinstance(grads, Conv2dGradients)
    assert grads.weight.tolist() == [[[[8, 12], [20, 24]]]]
    assert grads.input.tolist() == [[[[0, 1, 1], [2, 6, 4], [2, 5, 3]]]]
    assert grads.bias.tolist() == [4]


def test_stride_inserts_zeros_between_the_gradient_cells() -> None:
    """With stride s the input's gradient is the full correlation, with the flipped
    kernel, of the gradient with s − 1 zeros between its cells: built by hand here."""
    X = randn((1, 1, 7, 8), seed=0, dtype=torch.float64)
    W = randn((1, 1, 3, 2), seed=1, dtype=torch.float64)
    G = randn((1, 1, 3, 4), seed=2, dtype=torch.float64)  # conv2d with stride 2: 3×4
    spread = torch.zeros(1, 1, 5, 7, dtype=torch.float64)
    spread[..., ::2, ::2] = G  # zeros between the cells
    # Full correlation: pad k − 1 on every side, flip the kernel; the last row of X,
    # which no window read, gets 0.
    full = conv2d(spread, W.flip(-1, -2), padding=(2, 1))
    expected = torch.zeros(1, 1, 7, 8, dtype=torch.float64)
    expected[..., :7, :8] = full
    assert_close(conv2d_backward(X, W, G, stride=2).input, expected)


@pytest.mark.parametrize("size", [(9, 9), (10, 11), (12, 9)])
@pytest.mark.parametrize(
    "args",
    [dict(stride=2, padding=1), dict(stride=3, padding=(2, 0), dilation=2), dict(padding=2)],
)
def test_the_input_gradient_is_conv_transpose2d_with_output_padding(size, args) -> None:
    X = randn((2, 4, *size), seed=3, dtype=torch.float64)
    W = randn((6, 2, 3, 3), seed=4, dtype=torch.float64)
    G = randn(tuple(conv2d(X, W, groups=2, **args).shape), seed=5, dtype=torch.float64)
    s, p, d = (
        pair(args.get(name, default))
        for name, default in [("stride", 1), ("padding", 0), ("dilation", 1)]
    )
    extra = tuple(
        (n + 2 * p_ - d_ * 2 - 1) % s_ for n, p_, d_, s_ in zip(size, p, d, s, strict=True)
    )
    back = conv_transpose2d(G, W, None, s, p, extra, 2, d)
    assert_close(conv2d_backward(X, W, G, groups=2, **args).input, back)


def test_integer_gradients_are_exact() -> None:
    X = torch.arange(2 * 3 * 6 * 5).reshape(2, 3, 6, 5) % 7 - 3
    W = torch.arange(2 * 3 * 3 * 3).reshape(2, 3, 3, 3) % 5 - 2
    args = dict(stride=2, padding=1, dilation=(1, 2))
    G = torch.arange(2 * 2 * 3 * 2).reshape(2, 2, 3, 2) % 3 - 1
    grads = conv2d_backward(X, W, G, **args)
    expected = autograd(X.double(), W.double(), torch.zeros(2).double(), G.double(), args)
    for ours, theirs in zip(grads, expected, strict=True):
        assert ours.dtype == torch.int64 and torch.equal(ours, theirs.long())


# --- Against PyTorch's autograd on drawn arguments ---------------------------------

DTYPES = [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64]


def check_against_autograd(case, seed, dtype, conv_name, transpose_name) -> None:
    X = randn(case["x_shape"], seed, dtype)
    W = randn(case["w_shape"], seed + 1, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        shape = F.conv2d(X.double(), W.double(), **case["args"]).shape
    G = randn(tuple(shape), seed + 2, dtype)
    bias = torch.zeros(case["w_shape"][0], dtype=torch.float64)
    with conv_layout(conv_name), transpose_layout(transpose_name):
        grads = conv2d_backward(X, W, G, **case["args"])
    # The reference: autograd in float64 (exact for the small ints of int64 cases).
    expected = autograd(X.double(), W.double(), bias, G.double(), case["args"])
    # The largest sum of |products| each gradient makes: what rounding is relative to.
    sizes = autograd(X.double().abs(), W.double().abs(), bias, G.double().abs(), case["args"])
    for name, ours, theirs, size in zip(
        ("input", "weight", "bias"), grads, expected, sizes, strict=True
    ):
        assert ours.dtype == dtype and ours.shape == theirs.shape, name
        if dtype == torch.float64:
            assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
        elif dtype == torch.int64:
            assert torch.equal(ours, theirs.long()), name
        elif dtype == torch.float32:
            assert_close(ours, theirs.float(), rtol=1e-5, atol=1e-5)
        else:  # summed in float32, rounded once: a few roundings of the largest sum
            scale = float(size.max()) if size.numel() else 0.0
            tolerance = 4 * torch.finfo(dtype).eps * (scale + 1)
            assert_close(ours.double(), theirs, rtol=0, atol=tolerance)


@given(
    case=conv_cases(),
    seed=seeds,
    dtype=st.sampled_from(DTYPES),
    conv_name=st.sampled_from(list(CONV_LAYOUTS)),
    transpose_name=st.sampled_from(list(TRANSPOSE_LAYOUTS)),
)
@settings(max_examples=300)
def test_gradients_match_autograd(case, seed, dtype, conv_name, transpose_name) -> None:
    check_against_autograd(case, seed, dtype, conv_name, transpose_name)


@given(case=conv_cases(batches=(1, 2)), seed=seeds)
def test_gradients_match_autograd_in_the_same_dtype(case, seed) -> None:
    """float32 and float16 against PyTorch's own float32 and float16 backward pass."""
    for dtype in (torch.float32, torch.float16):
        X, W = randn(case["x_shape"], seed, dtype), randn(case["w_shape"], seed + 1, dtype)
        bias = torch.zeros(case["w_shape"][0], dtype=dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            G = randn(tuple(F.conv2d(X, W, **case["args"]).shape), seed + 2, dtype)
        expected = autograd(X, W, bias, G, case["args"])
        grads = conv2d_backward(X, W, G, **case["args"])
        for ours, theirs in zip(grads, expected, strict=True):
            scale = float(theirs.double().abs().max()) if theirs.numel() else 0.0
            tolerance = 1e-4 * (scale + 1) if dtype == torch.float32 else 4e-3 * (scale + 1)
            assert ours.dtype == dtype
            assert_close(ours.double(), theirs.double(), rtol=0, atol=tolerance)


def test_a_batch_of_no_images() -> None:
    X = torch.zeros(0, 4, 6, 7)
    W = randn((6, 2, 3, 3), seed=6, dtype=torch.float32)
    grads = conv2d_backward(X, W, torch.zeros(0, 6, 3, 4), stride=2, padding=1, groups=2)
    assert grads.input.shape == X.shape
    assert grads.weight.tolist() == torch.zeros_like(W).tolist()
    assert grads.bias.tolist() == [0] * 6


def test_numpy_ints_are_ints() -> None:
    X = randn((2, 4, 9, 9), seed=7, dtype=torch.float64)
    W = randn((4, 2, 3, 3), seed=8, dtype=torch.float64)
    G = randn((2, 4, 4, 5), seed=9, dtype=torch.float64)
    args = dict(stride=2, padding=(1, 2), dilation=2, groups=2)
    expected = autograd(X, W, torch.zeros(4, dtype=torch.float64), G, args)
    grads = conv2d_backward(
        X, W, G, np.int64(2), (np.int32(1), np.uint8(2)), np.int16(2), np.int8(2)
    )
    assert_close(tuple(grads), expected)


# --- Errors ------------------------------------------------------------------------

ones = torch.ones


@pytest.mark.parametrize(
    ("call", "error", "fragments"),
    [
        (
            lambda: conv2d_backward(ones(1, 2, 5, 5), ones(3, 2, 3, 3), ones(1, 3, 4, 4)),
            ValueError,
            ["grad_output: expected shape (1, 3, 3, 3), the shape conv2d gives", "(1, 3, 4, 4)"],
        ),
        (
            lambda: conv2d_backward(ones(2, 5, 5), ones(3, 2, 3, 3), ones(1, 3, 3, 3)),
            ValueError,
            ["grad_output: expected shape (3, 3, 3)"],
        ),
        (
            lambda: conv2d_backward(ones(1, 2, 5, 5), ones(3, 1, 3, 3), ones(1, 3, 3, 3)),
            ValueError,
            ["input: has 2 channels, but weight expects 1"],
        ),
        (
            lambda: conv2d_backward(ones(1, 2, 5, 5), ones(3, 1, 3, 3), ones(1, 3, 3, 3), groups=2),
            ValueError,
            ["groups: 2 does not divide the 3 output channels"],
        ),
        (
            lambda: conv2d_backward(ones(1, 1, 2, 2), ones(1, 1, 3, 3), ones(1, 1, 1, 1)),
            ValueError,
            ["weight: the kernel (3×3) is larger than the input (2×2)"],
        ),
        (
            lambda: conv2d_backward(
                ones(1, 1, 5, 5), ones(1, 1, 3, 3), ones(1, 1, 5, 5), 2, "same"
            ),
            ValueError,
            ["padding: 'same' keeps the output the size of the input, so it needs stride 1"],
        ),
        (
            lambda: conv2d_backward(
                ones(1, 1, 5, 5), ones(1, 1, 3, 3), ones(1, 1, 3, 3, dtype=torch.float64)
            ),
            TypeError,
            ["grad_output: dtype torch.float64 differs from input's torch.float32"],
        ),
        (
            lambda: conv2d_backward(
                ones(1, 1, 5, 5).int(), ones(1, 1, 3, 3).int(), ones(1, 1, 3, 3).int()
            ),
            TypeError,
            ["input: torch.int32 tensors: the input's gradient is a transposed convolution"],
        ),
        (
            lambda: conv2d_backward(ones(1, 1, 5, 5), ones(1, 1, 3, 3), ones(3, 3)),
            ValueError,
            ["grad_output: expected a 3-D (C_out, H', W') or 4-D (N, C_out, H', W') tensor"],
        ),
        (
            lambda: conv2d_backward(ones(1, 1, 5, 5), ones(1, 1, 3, 3), ones(1, 1, 3, 3), 0),
            ValueError,
            ["stride: must be ≥ 1"],
        ),
    ],
)
def test_errors_name_the_argument_and_the_rule(call, error, fragments) -> None:
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


# --- Costs -------------------------------------------------------------------------

CHECKED = """
import time
import torch
import torch.nn.functional as F
from convlab.kernels import conv2d_backward as backward

torch.manual_seed(0)


def conv2d_backward(*args, **kwargs):  # timed on its own: PyTorch's first backward pass
    start = time.perf_counter()  # (in check) can take seconds to set up autograd
    grads = backward(*args, **kwargs)
    seconds = time.perf_counter() - start
    assert seconds < 2.0, f"conv2d_backward took {seconds:.2f} s"
    return grads


def check(ours, X, W, G, **args):  # against autograd (torch.testing's first call is slow)
    X, W = X.clone().requires_grad_(), W.clone().requires_grad_()
    F.conv2d(X, W, **args).backward(G)
    for a, b in zip(ours, (X.grad, W.grad, G.sum((0, 2, 3)))):
        assert a.shape == b.shape and torch.allclose(a, b, rtol=1e-4, atol=1e-4)
"""

CASES = {
    # Padding and stride 10⁵: 3×3 output cells, of which only the middle reads the
    # 5×5 images; the gradients are computed without a padded copy. (Checked against
    # autograd with padding 100 and stride 99, which gives the same windows.)
    "padding and stride 10⁵": """
X, W = torch.randn(4, 3, 5, 5), torch.randn(2, 3, 3, 3)
G = torch.randn(4, 2, 3, 3)
ours = conv2d_backward(X, W, G, padding=10**5, stride=10**5 - 1)
check(ours, X, W, G, padding=100, stride=99)
""",
    # A 400×400 kernel on a 400×400 image: one output cell, 160,000 taps, whose
    # gradients are the input times the one gradient cell.
    "400×400 kernel": """
X, W = torch.randn(1, 1, 400, 400, dtype=torch.float64), torch.randn(1, 1, 400, 400).double()
G = torch.randn(1, 1, 1, 1, dtype=torch.float64)
check(conv2d_backward(X, W, G), X, W, G)
""",
    # A batch of larger images with many channels: a layer of a small network (float64:
    # the weight's gradients are sums of 8,192 products).
    "8 images, 32 channels, 64×64": """
X, W = torch.randn(8, 32, 64, 64).double(), torch.randn(32, 32, 3, 3).double()
G = torch.randn(8, 32, 32, 32).double()
check(conv2d_backward(X, W, G, stride=2, padding=1), X, W, G, stride=2, padding=1)
""",
}


@pytest.mark.parametrize("snippet", CASES.values(), ids=CASES.keys())
def test_large_arguments_cost_little(snippet) -> None:
    cost = cost_of(CHECKED + snippet, timeout=60)
    assert cost.error is None, cost.error  # conv2d_backward's own time is checked inside
    assert cost.mib < 200, cost
