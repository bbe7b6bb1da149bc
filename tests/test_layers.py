"""convlab.layers against torch.nn: the same parameters, forward and backward passes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from bounded import cost_of
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from convlab import layers

FLOATS = (torch.float32, torch.float64)


def twins(make_convlab, make_torch):
    """The two layers made from the same random numbers."""
    torch.manual_seed(0)
    ours = make_convlab()
    torch.manual_seed(0)
    theirs = make_torch()
    return ours, theirs


def forward_backward(layer, X):
    """Output, and the gradients of Σ output·G (G fixed) for X and each parameter."""
    X = X.detach().clone().requires_grad_(True)
    Y = layer(X)
    values = Y[0] if isinstance(Y, tuple) else Y
    G = torch.linspace(-1, 1, values.numel(), dtype=values.dtype).reshape(values.shape)
    (values * G).sum().backward()
    grads = [X.grad] + [p.grad for p in layer.parameters()]
    layer.zero_grad()
    return Y, grads


def tolerance(dtype, terms):
    """Sums of ``terms`` products in a different order differ by a few roundings."""
    eps = torch.finfo(dtype).eps
    return {"rtol": 16 * eps * terms**0.5, "atol": 16 * eps * terms}


# --- Conv2d ----------------------------------------------------------------------


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c_in = groups * draw(st.integers(1, 3))
    c_out = groups * draw(st.integers(1, 3))
    kernel = draw(st.one_of(st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4))))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    dilation = draw(st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 2), st.integers(1, 2))))
    padding = draw(
        st.one_of(
            st.integers(0, 3),
            st.tuples(st.integers(0, 3), st.integers(0, 3)),
            st.just("valid"),
            st.just("same"),
        )
    )
    if padding == "same":
        stride = 1
    bias = draw(st.booleans())
    batch = draw(st.integers(0, 3))
    k_h, k_w = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    d_h, d_w = dilation if isinstance(dilation, tuple) else (dilation, dilation)
    # Big enough for the kernel with no padding: every case has an output.
    height = draw(st.integers(d_h * (k_h - 1) + 1, 9))
    width = draw(st.integers(d_w * (k_w - 1) + 1, 9))
    dtype = draw(st.sampled_from(FLOATS))
    ints = draw(st.booleans())  # numpy ints for the sizes, as a caller may pass them
    sizes = (np.int64(c_in), np.int64(c_out)) if ints else (c_in, c_out)
    args = dict(
        kernel_size=kernel, stride=stride, padding=padding, dilation=dilation, groups=groups
    )
    return sizes, args, bias, (batch, c_in, height, width), dtype


@given(conv_cases(), st.integers(0, 2**31))
def test_conv2d_is_nn_conv2d(case, seed):
    (c_in, c_out), args, bias, shape, dtype = case
    ours, theirs = twins(
        lambda: layers.Conv2d(c_in, c_out, bias=bias, dtype=dtype, **args),
        lambda: nn.Conv2d(int(c_in), int(c_out), bias=bias, dtype=dtype, **args),
    )
    assert isinstance(ours, nn.Conv2d)
    for mine, torchs in zip(ours.state_dict().items(), theirs.state_dict().items(), strict=True):
        assert mine[0] == torchs[0] and torch.equal(mine[1], torchs[1])  # initialised alike
    X = torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)
    Y, grads = forward_backward(ours, X)
    Y_ref, grads_ref = forward_backward(theirs, X)
    terms = (int(c_in) // args["groups"]) * ours.kernel_size[0] * ours.kernel_size[1]
    torch.testing.assert_close(Y, Y_ref, **tolerance(dtype, terms))
    for grad, grad_ref in zip(grads, grads_ref, strict=True):
        # A weight's gradient sums over the batch and every output cell.
        torch.testing.assert_close(grad, grad_ref, **tolerance(dtype, max(1, Y.numel())))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_conv2d_in_half_precision(dtype):
    ours, theirs = twins(
        lambda: layers.Conv2d(2, 3, 3, padding=1, dtype=dtype),
        lambda: nn.Conv2d(2, 3, 3, padding=1, dtype=dtype),
    )
    X = torch.randn(2, 2, 6, 6).to(dtype)
    Y, grads = forward_backward(ours, X)
    Y_ref, grads_ref = forward_backward(theirs, X)
    torch.testing.assert_close(Y, Y_ref)
    for grad, grad_ref in zip(grads, grads_ref, strict=True):
        torch.testing.assert_close(grad, grad_ref, rtol=0.02, atol=0.05)


def test_state_dicts_move_both_ways():
    ours = layers.Conv2d(3, 4, (2, 3), stride=2, padding=(1, 0), groups=1)
    theirs = nn.Conv2d(3, 4, (2, 3), stride=2, padding=(1, 0))
    theirs.load_state_dict(ours.state_dict())
    X = torch.randn(2, 3, 7, 8)
    torch.testing.assert_close(ours(X), theirs(X))
    with torch.no_grad():
        theirs.weight.mul_(-2)
    ours.load_state_dict(theirs.state_dict())
    torch.testing.assert_close(ours(X), theirs(X))


def test_layers_keep_pytorchs_repr_and_attributes():
    assert repr(layers.Conv2d(1, 8, 3, padding="same")) == repr(nn.Conv2d(1, 8, 3, padding="same"))
    assert repr(layers.MaxPool2d(2)) == repr(nn.MaxPool2d(2))
    assert repr(layers.AvgPool2d((2, 3), padding=1)) == repr(nn.AvgPool2d((2, 3), padding=1))
    assert layers.MaxPool2d(np.int64(3)).kernel_size == 3
    assert layers.MaxPool2d([2, 3]).stride == (2, 3)


def test_a_single_image_works_as_in_pytorch():
    ours, theirs = twins(lambda: layers.Conv2d(2, 3, 3), lambda: nn.Conv2d(2, 3, 3))
    X = torch.randn(2, 5, 5)
    torch.testing.assert_close(ours(X), theirs(X))
    torch.testing.assert_close(layers.MaxPool2d(2)(X), nn.MaxPool2d(2)(X))


# --- Pooling -----------------------------------------------------------------------


@st.composite
def pool_cases(draw, dilated):
    kernel = draw(st.one_of(st.integers(1, 4), st.tuples(st.integers(1, 4), st.integers(1, 4))))
    k_h, k_w = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    stride = draw(
        st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
    )
    padding = draw(st.tuples(st.integers(0, k_h // 2), st.integers(0, k_w // 2)))
    dilation = draw(st.integers(1, 2)) if dilated else 1
    ceil_mode = draw(st.booleans())
    # Taps fall on the input in every window (PyTorch's other windows are ill defined).
    height = draw(st.integers(dilation * (k_h - 1) + 1, 9))
    width = draw(st.integers(dilation * (k_w - 1) + 1, 9))
    batch = draw(st.integers(0, 2))
    dtype = draw(st.sampled_from(FLOATS))
    # Few distinct values: many ties, where the winner must be PyTorch's.
    levels = draw(st.sampled_from([2, 5, 1000]))
    args = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
    if dilated:
        args["dilation"] = dilation
    return args, (batch, 2, height, width), dtype, levels


def values(shape, dtype, levels, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(levels, shape, generator=generator).to(dtype) / levels - 0.5


@given(pool_cases(dilated=True), st.booleans(), st.integers(0, 2**31))
def test_max_pool2d_is_nn_max_pool2d(case, return_indices, seed):
    args, shape, dtype, levels = case
    ours = layers.MaxPool2d(**args, return_indices=return_indices)
    theirs = nn.MaxPool2d(**args, return_indices=return_indices)
    X = values(shape, dtype, levels, seed)
    Y, grads = forward_backward(ours, X)
    Y_ref, grads_ref = forward_backward(theirs, X)
    if return_indices:
        assert torch.equal(Y[0], Y_ref[0]) and torch.equal(Y[1], Y_ref[1])
    else:
        assert torch.equal(Y, Y_ref)
    assert torch.equal(grads[0], grads_ref[0])  # the gradient goes to the same cells


@given(
    pool_cases(dilated=False),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 7)),
    st.integers(0, 2**31),
)
def test_avg_pool2d_is_nn_avg_pool2d(case, count_include_pad, divisor, seed):
    args, shape, dtype, levels = case
    extra = dict(count_include_pad=count_include_pad, divisor_override=divisor)
    ours, theirs = layers.AvgPool2d(**args, **extra), nn.AvgPool2d(**args, **extra)
    X = values(shape, dtype, levels, seed) + torch.rand(shape, dtype=dtype)
    Y, grads = forward_backward(ours, X)
    Y_ref, grads_ref = forward_backward(theirs, X)
    torch.testing.assert_close(Y, Y_ref, rtol=0, atol=0)  # convlab adds in PyTorch's order
    torch.testing.assert_close(grads[0], grads_ref[0], rtol=0, atol=0)


def test_pooling_has_no_parameters_and_moves_in_state_dicts():
    for ours in (layers.MaxPool2d(2), layers.AvgPool2d(2)):
        assert not list(ours.parameters()) and not ours.state_dict()


# --- Arguments ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: layers.Conv2d(0, 1, 3), ValueError, "in_channels: must be ≥ 1"),
        (lambda: layers.Conv2d(1.5, 1, 3), TypeError, "in_channels: expected an int"),
        (lambda: layers.Conv2d(True, 1, 3), TypeError, "in_channels: expected an int"),
        (lambda: layers.Conv2d(1, -2, 3), ValueError, "out_channels: must be ≥ 1"),
        (
            lambda: layers.Conv2d(1, 1, (1, 2, 3)),
            ValueError,
            "kernel_size: expected an int or a pair",
        ),
        (lambda: layers.Conv2d(1, 1, 0), ValueError, "kernel_size: must be ≥ 1"),
        (lambda: layers.Conv2d(1, 1, 3, stride=0), ValueError, "stride: must be ≥ 1"),
        (lambda: layers.Conv2d(1, 1, 3, padding=-1), ValueError, "padding: must be ≥ 0"),
        (lambda: layers.Conv2d(1, 1, 3, padding="full"), ValueError, "padding: unknown padding"),
        (lambda: layers.Conv2d(1, 1, 3, stride=2, padding="same"), ValueError, "padding: 'same'"),
        (lambda: layers.Conv2d(1, 1, 3, dilation=0), ValueError, "dilation: must be ≥ 1"),
        (lambda: layers.Conv2d(4, 6, 3, groups=3), ValueError, "groups: 3 does not divide the 4"),
        (lambda: layers.Conv2d(4, 6, 3, groups=0), ValueError, "groups: must be ≥ 1"),
        (lambda: layers.Conv2d(1, 1, 3, bias="yes"), TypeError, "bias: expected True or False"),
        (lambda: layers.Conv2d(1, 1, 3, padding_mode="reflect"), ValueError, "padding_mode: "),
        (lambda: layers.Conv2d(1, 1, 3, padding_mode=None), TypeError, "padding_mode: "),
        (lambda: layers.Conv2d(1, 1, 3, device="cuda"), ValueError, "device: .* CPU only"),
        (lambda: layers.Conv2d(1, 1, 3, device="nowhere"), ValueError, "device: expected 'cpu'"),
        (lambda: layers.Conv2d(1, 1, 3, device=0), TypeError, "device: "),
        (lambda: layers.Conv2d(1, 1, 3, dtype=torch.int64), ValueError, "dtype: parameters"),
        (lambda: layers.Conv2d(1, 1, 3, dtype="float32"), TypeError, "dtype: expected"),
        (lambda: layers.Conv2d(10**30, 1, 3), ValueError, "in_channels, out_channels, kernel_size"),
        (lambda: layers.MaxPool2d(0), ValueError, "kernel_size: must be ≥ 1"),
        (lambda: layers.MaxPool2d(2**63), ValueError, "kernel_size: must be at most 2\\*\\*63"),
        (lambda: layers.MaxPool2d(2, stride=0), ValueError, "stride: must be ≥ 1"),
        (lambda: layers.MaxPool2d(2, padding=2), ValueError, "padding: .* more than half"),
        (lambda: layers.MaxPool2d((4, 2), padding=(1, 2)), ValueError, "but width has 2 > 2/2"),
        (lambda: layers.MaxPool2d(2, dilation=0), ValueError, "dilation: must be ≥ 1"),
        (lambda: layers.MaxPool2d(2, ceil_mode=1), TypeError, "ceil_mode: expected True"),
        (lambda: layers.MaxPool2d(2, return_indices="no"), TypeError, "return_indices: "),
        (lambda: layers.AvgPool2d(2.0), TypeError, "kernel_size: expected an int"),
        (lambda: layers.AvgPool2d(2, divisor_override=0), ValueError, "divisor_override: must"),
        (lambda: layers.AvgPool2d(2, count_include_pad=None), TypeError, "count_include_pad: "),
        (lambda: layers.AvgPool2d(3, padding=2), ValueError, "padding: .* more than half"),
    ],
)
def test_bad_arguments_are_named(make, error, words):
    with pytest.raises(error, match=words):
        make()


@pytest.mark.parametrize(
    ("layer", "X", "error", "words"),
    [
        (
            layers.Conv2d(2, 3, 3),
            torch.ones(1, 2, 5, 5, dtype=torch.float64),
            TypeError,
            "W: dtype",
        ),
        (layers.Conv2d(2, 3, 3), torch.ones(5, 5), ValueError, "X: expected a 3-D"),
        (layers.Conv2d(2, 3, 3), torch.ones(1, 3, 5, 5), ValueError, "X: has 3 channels"),
        (layers.Conv2d(2, 3, 3), torch.ones(1, 2, 2, 5), ValueError, "W: the kernel"),
        (layers.MaxPool2d(3), torch.ones(1, 1, 2, 2), ValueError, "kernel_size: the kernel"),
        (layers.AvgPool2d(2), torch.ones(1, 1, 4, 4, dtype=torch.int32), TypeError, "X: "),
        (layers.MaxPool2d(2), torch.ones(1, 1, 4, 4, dtype=torch.bool), TypeError, "X: "),
    ],
)
def test_forward_refusals_name_the_input(layer, X, error, words):
    with pytest.raises(error, match=words):
        layer(X)


def test_a_huge_layer_is_refused_before_allocating():
    cost = cost_of(
        """
        import convlab.layers
        convlab.layers.Conv2d(2**16, 2**16, 3)
        """
    )
    assert cost.error.startswith("ValueError: in_channels, out_channels, kernel_size")
    assert cost.mib < 50 and cost.seconds < 5


def test_a_changed_attribute_is_checked_by_the_kernel():
    layer = layers.MaxPool2d(2)
    layer.stride = 0  # after construction: the kernel's own checks still apply
    with pytest.raises(ValueError, match="stride: must be ≥ 1"):
        layer(torch.ones(1, 1, 4, 4))
