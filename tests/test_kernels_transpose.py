"""conv_transpose2d: worked numbers, agreement with PyTorch in every layout, errors, costs."""

import contextlib
from collections.abc import Iterator

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from bounded import cost_of
from hypothesis import given, settings
from hypothesis import strategies as st
from test_kernels_conv import DTYPES, MEMORY, in_memory_order, int_or_pair, pair, randn, seeds
from torch.testing import assert_close

from convlab.kernels import conv2d, conv_transpose2d
from convlab.kernels import transpose as transpose_module

NEVER = 10**12  # a limit no test case reaches

# --- Forcing each layout ----------------------------------------------------------

# The module's limits that steer conv_transpose2d to each layout (unset ones keep
# their value).
LAYOUTS = {
    "chosen by size": {},
    "col2im, one index_add_": dict(TAP_WORK=NEVER, INDEX_ADDS=NEVER),
    "col2im, strided steps": dict(TAP_WORK=NEVER, INDEX_ADDS=0),
    "col2im, an image at a time": dict(TAP_WORK=NEVER, INDEX_ADDS=0, PRODUCTS_LIMIT=300),
    "col2im, products per step": dict(TAP_WORK=NEVER, PRODUCTS_LIMIT=0),
    "per tap": dict(TAP_WORK=0, TAP_WASTE=NEVER),
    "per tap, small blocks": dict(TAP_WORK=0, TAP_WASTE=NEVER, CACHE_BYTES=64),
    "per tap, one block": dict(TAP_WORK=0, TAP_WASTE=NEVER, CACHE_BYTES=NEVER),
}


@contextlib.contextmanager
def layout(name: str) -> Iterator[None]:
    """Set the module's limits for one layout, then restore them (usable inside hypothesis)."""
    saved = {key: getattr(transpose_module, key) for key in LAYOUTS[name]}
    for key, value in LAYOUTS[name].items():
        setattr(transpose_module, key, value)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(transpose_module, key, value)


# --- Worked numbers ---------------------------------------------------------------

X2 = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
K2 = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])


def test_each_cell_scatters_a_scaled_kernel() -> None:
    # Cell (0, 0) = 0 adds nothing; cell (0, 1) = 1 adds [[0, 1], [2, 3]] at (0, 1);
    # cell (1, 0) = 2 adds [[0, 2], [4, 6]] at (1, 0); cell (1, 1) = 3 adds
    # [[0, 3], [6, 9]] at (1, 1). The overlaps add up: (1, 1) = 3 + 2 + 0 = 5 ... :
    # row 0: 0, 0, 1; row 1: 0, 2 + 2, 3 + 3; row 2: 4, 6 + 6, 9.
    Y = conv_transpose2d(X2, K2)
    assert Y.tolist() == [[[[0, 0, 1], [0, 4, 6], [4, 12, 9]]]]


def test_stride_spreads_the_copies_apart() -> None:
    # Stride 2: the four 2×2 copies land side by side without overlapping.
    Y = conv_transpose2d(X2, K2, stride=2)
    assert Y.tolist() == [[[[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]]]


def test_padding_crops_and_output_padding_adds_at_the_end() -> None:
    # Padding 1 crops one cell from each end of the 4×4 stride-2 result: its middle.
    assert conv_transpose2d(X2, K2, stride=2, padding=1).tolist() == [[[[0, 2], [2, 0]]]]
    # output_padding 1 keeps one more row and column at the bottom and right.
    Y = conv_transpose2d(X2, K2, stride=2, padding=1, output_padding=1)
    assert Y.tolist() == [[[[0, 2, 3], [2, 0, 3], [6, 6, 9]]]]


@pytest.mark.parametrize("size", [7, 8])
def test_output_padding_picks_which_input_size_to_give_back(size) -> None:
    # A 3×3 convolution with stride 2 and padding 1 makes 4×4 of both 7×7 and 8×8:
    # output_padding 0 gives back 7, 1 gives back 8. The rule: (4 − 1)·2 − 2 + 2 + op + 1.
    X = randn((1, 2, size, size), seed=0, dtype=torch.float64)
    W = randn((3, 2, 3, 3), seed=1, dtype=torch.float64)
    Y = conv2d(X, W, stride=2, padding=1)
    assert Y.shape[-2:] == (4, 4)
    back = conv_transpose2d(Y, W, stride=2, padding=1, output_padding=size - 7)
    assert back.shape == X.shape


@pytest.mark.parametrize(
    "args",
    [
        dict(stride=1, padding=0, dilation=1, groups=1),
        dict(stride=(2, 3), padding=(1, 2), dilation=1, groups=2),
        dict(stride=3, padding=2, dilation=(2, 1), groups=1),
        dict(stride=(1, 2), padding=0, dilation=3, groups=4),
    ],
)
def test_it_is_the_transpose_of_conv2d(args) -> None:
    """⟨conv2d(x, W), y⟩ = ⟨x, conv_transpose2d(y, W)⟩ for every x and y: the matrix
    of conv_transpose2d is the transpose of conv2d's (checked without PyTorch's)."""
    X = randn((2, 4, 11, 10), seed=2, dtype=torch.float64)
    W = randn((8, 4 // args["groups"], 3, 2), seed=3, dtype=torch.float64)
    Y = conv2d(X, W, **args)
    G = randn(tuple(Y.shape), seed=4, dtype=torch.float64)
    # The sizes conv2d's stride dropped at the end come back as output_padding.
    sizes = [
        (n + 2 * p - d * (k - 1) - 1) % s
        for n, p, d, k, s in zip(
            X.shape[-2:],
            pair(args["padding"]),
            pair(args["dilation"]),
            W.shape[-2:],
            pair(args["stride"]),
            strict=True,
        )
    ]
    back = conv_transpose2d(G, W, output_padding=tuple(sizes), **args)
    assert back.shape == X.shape
    assert_close((Y * G).sum(), (X * back).sum())


def test_integer_tensors_match_torch() -> None:
    X = torch.arange(2 * 4 * 5).reshape(2, 4, 5) - 20
    W = torch.arange(-9, 9).reshape(2, 1, 3, 3)
    args = dict(bias=torch.tensor([7, -3]), stride=2, padding=1, output_padding=1, groups=2)
    Y = conv_transpose2d(X, W, **args)
    assert Y.dtype == torch.int64
    assert torch.equal(Y, F.conv_transpose2d(X, W, **args))


# --- Every layout, on larger shapes -------------------------------------------------

CHANNELS = pytest.mark.parametrize(
    ("c_in", "c_out", "groups"),
    [(6, 6, 6), (1, 1, 1), (4, 8, 4), (6, 8, 2), (5, 7, 1)],
    ids=["depthwise", "one channel", "depthwise x2", "grouped", "standard"],
)
ARGS = pytest.mark.parametrize(
    "args",
    [
        dict(stride=1, padding=0, dilation=1, output_padding=0),
        dict(stride=(2, 3), padding=(2, 1), dilation=1, output_padding=(1, 2)),
        dict(stride=2, padding=3, dilation=(2, 1), output_padding=1),
        dict(stride=3, padding=0, dilation=2, output_padding=(0, 1)),
        dict(stride=(4, 1), padding=(9, 5), dilation=(3, 1), output_padding=(2, 0)),
        dict(stride=(1, 2), padding=(1, 0), dilation=(3, 5), output_padding=(2, 4)),
    ],
)


@pytest.mark.parametrize("name", LAYOUTS)
@CHANNELS
@ARGS
def test_every_layout_matches_torch_on_larger_shapes(c_in, c_out, groups, args, name) -> None:
    X = randn((2, c_in, 13, 11), seed=5, dtype=torch.float64)
    W = randn((c_in, c_out // groups, 5, 4), seed=6, dtype=torch.float64)
    bias = randn((c_out,), seed=7, dtype=torch.float64)
    expected = F.conv_transpose2d(X, W, bias, groups=groups, **args)
    with layout(name):
        assert_close(conv_transpose2d(X, W, bias, groups=groups, **args), expected)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "args"),
    [
        # A kernel larger than the input: col2im loops over the input cells.
        ((2, 3, 2, 3), (3, 2, 9, 7), dict(stride=2, padding=1)),
        # Copies far apart, most cropped away.
        ((1, 2, 9, 9), (2, 2, 3, 3), dict(stride=50, padding=60)),
        # Taps far apart, most cropped away.
        ((1, 2, 9, 9), (2, 2, 3, 3), dict(dilation=40, padding=35)),
        # Many images, many channels.
        ((16, 32, 12, 12), (32, 16, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ],
)
@pytest.mark.parametrize("name", LAYOUTS)
def test_awkward_shapes_in_every_layout(x_shape, w_shape, args, name) -> None:
    X = randn(x_shape, seed=8, dtype=torch.float64)
    W = randn(w_shape, seed=9, dtype=torch.float64)
    with layout(name):
        assert_close(conv_transpose2d(X, W, **args), F.conv_transpose2d(X, W, **args))


# --- Agreement with PyTorch on drawn arguments -----------------------------------------


@st.composite
def transposed_cases(draw: st.DrawFn, batches=(0, 1, 2, 3)) -> dict:
    """Valid arguments for conv_transpose2d: every output axis keeps at least one cell."""
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kernel = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    stride = draw(int_or_pair(1, 4))
    dilation = draw(int_or_pair(1, 3))
    size = draw(st.tuples(st.integers(1, 6), st.integers(1, 6)))
    output_padding, padding = [], []
    for n, k, s, d in zip(size, kernel, pair(stride), pair(dilation), strict=True):
        extra = draw(st.integers(0, max(s, d) - 1))
        full = (n - 1) * s + d * (k - 1) + extra + 1  # the output before cropping
        output_padding.append(extra)
        padding.append(draw(st.integers(0, (full - 1) // 2)))  # keep a cell at least
    batch = draw(st.sampled_from([(), *((n,) for n in batches)]))
    return dict(
        x_shape=(*batch, c_in, *size),
        w_shape=(c_in, c_out // groups, *kernel),
        bias=draw(st.booleans()),
        args=dict(
            stride=stride,
            padding=tuple(padding),
            output_padding=tuple(output_padding),
            dilation=dilation,
            groups=groups,
        ),
    )


def check_against_torch(case: dict, seed: int, dtype: torch.dtype, order: str, name: str):
    X = in_memory_order(randn(case["x_shape"], seed, dtype), order)
    W = in_memory_order(randn(case["w_shape"], seed + 1, dtype), order)
    bias = randn((case["w_shape"][1] * case["args"]["groups"],), seed + 2, dtype)
    bias = bias if case["bias"] else None
    if dtype not in (torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64):
        # PyTorch computes with floats and int64 only (a batch of no images escapes
        # its check; convlab refuses it too).
        if X.numel():
            with pytest.raises((RuntimeError, NotImplementedError)):
                F.conv_transpose2d(X, W, bias, **case["args"])
        with pytest.raises(TypeError, match="^input: .*PyTorch's conv_transpose2d"):
            conv_transpose2d(X, W, bias, **case["args"])
        return
    expected = F.conv_transpose2d(X, W, bias, **case["args"])
    with layout(name):
        Y = conv_transpose2d(X, W, bias, **case["args"])
    assert Y.dtype == expected.dtype and Y.shape == expected.shape
    if dtype in (torch.float16, torch.bfloat16):
        # Both sum in float32 and round once; the sums may differ in their last bits.
        # Bound: a few roundings of the largest sum of |x·w| any output cell makes.
        sizes = F.conv_transpose2d(X.double().abs(), W.double().abs(), None, **case["args"])
        scale = float(sizes.max()) if sizes.numel() else 0.0
        tolerance = 4 * torch.finfo(dtype).eps * (scale + 1)
        assert_close(Y.double(), expected.double(), rtol=0, atol=tolerance)
    elif dtype == torch.float64:
        assert_close(Y, expected, rtol=1e-12, atol=1e-12)
    else:
        assert_close(Y, expected)


@given(
    case=transposed_cases(),
    seed=seeds,
    dtype=st.sampled_from(DTYPES),
    order=st.sampled_from(MEMORY),
    name=st.sampled_from(list(LAYOUTS)),
)
@settings(max_examples=300)
def test_conv_transpose2d_matches_torch(case, seed, dtype, order, name) -> None:
    check_against_torch(case, seed, dtype, order, name)


@given(case=transposed_cases(), seed=seeds, name=st.sampled_from(list(LAYOUTS)))
def test_conv_transpose2d_matches_torch_float32(case, seed, name) -> None:
    check_against_torch(case, seed, torch.float32, "contiguous", name)


@given(case=transposed_cases(batches=(1, 2)), seed=seeds, name=st.sampled_from(list(LAYOUTS)))
@settings(max_examples=100)
def test_gradients_match_torch_on_drawn_cases(case, seed, name) -> None:
    """Autograd flows through the from-scratch version as through PyTorch's."""
    grads = []
    for transposed in (conv_transpose2d, F.conv_transpose2d):
        X = randn(case["x_shape"], seed, torch.float64).requires_grad_()
        W = randn(case["w_shape"], seed + 1, torch.float64).requires_grad_()
        c_out = case["w_shape"][1] * case["args"]["groups"]
        bias = randn((c_out,), seed + 2, torch.float64).requires_grad_()
        with layout(name):
            Y = transposed(X, W, bias, **case["args"])
        (Y * randn(tuple(Y.shape), seed + 3, torch.float64)).sum().backward()
        grads.append((X.grad, W.grad, bias.grad))
    assert_close(grads[0], grads[1])


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_and_inf_match_torch(name, bad) -> None:
    X = randn((2, 4, 6, 5), seed=10, dtype=torch.float64)
    X[0, 1, 3, 4], X[1, 3, 5, 0] = bad, -bad
    for groups in (1, 2, 4):
        W = randn((4, 2, 3, 2), seed=11, dtype=torch.float64)
        args = dict(stride=2, padding=1, groups=groups)
        expected = F.conv_transpose2d(X, W, **args)
        with layout(name):
            assert_close(conv_transpose2d(X, W, **args), expected, equal_nan=True)


# --- PyTorch's rules where the two could differ ------------------------------------


@pytest.mark.parametrize("bias", [False, True])
def test_a_batch_of_no_images_gives_an_empty_result_as_in_torch(bias) -> None:
    X = torch.zeros(0, 4, 6, 7, requires_grad=True)
    W = randn((4, 3, 3, 3), seed=12, dtype=torch.float32).requires_grad_()
    b = torch.ones(6, requires_grad=True) if bias else None
    args = dict(stride=2, padding=1, output_padding=1, groups=2)
    Y = conv_transpose2d(X, W, b, **args)
    expected = F.conv_transpose2d(X, W, b, **args)
    assert Y.shape == expected.shape == (0, 6, 12, 14) and Y.dtype == expected.dtype
    Y.sum().backward()
    assert X.grad.shape == X.shape and W.grad.abs().sum() == 0


def test_gradients_flow_when_every_copy_is_cropped() -> None:
    """Copies that all land in the cropped padding still leave the input and weight
    in the graph, with zero gradients, as PyTorch's do."""
    X = torch.ones(1, 1, 2, 2, requires_grad=True)
    W = torch.ones(1, 1, 2, 2, requires_grad=True)
    # Taps 9 apart: tap 0 of cells 0 and 1 lands on 0 and 1, tap 1 on 9 and 10; the
    # padding 4 keeps cells 4, 5 and 6 of the 11, which no copy reaches.
    Y = conv_transpose2d(X, W, padding=4, dilation=9)
    assert Y.tolist() == [[[[0, 0, 0]] * 3]] and Y.requires_grad
    Y.sum().backward()
    assert X.grad.abs().sum() == 0 and W.grad.abs().sum() == 0


@pytest.mark.parametrize(
    ("x_dtype", "w_dtype", "b_dtype", "fragments"),
    [
        (torch.float32, torch.float64, None, ["weight", "torch.float64", "input's torch.float32"]),
        (torch.int64, torch.float32, None, ["weight", "torch.float32", "torch.int64"]),
        # PyTorch lets a float32 bias through here (conv2d refuses it): convlab refuses it.
        (torch.float64, torch.float64, torch.float32, ["bias", "torch.float32", "float64"]),
    ],
)
def test_mixed_dtypes_are_refused(x_dtype, w_dtype, b_dtype, fragments):
    X, W = torch.ones(1, 2, 4, 4, dtype=x_dtype), torch.ones(2, 3, 2, 2, dtype=w_dtype)
    bias = None if b_dtype is None else torch.ones(3, dtype=b_dtype)
    if b_dtype is None:
        with pytest.raises(RuntimeError):
            F.conv_transpose2d(X, W, bias)
    with pytest.raises(TypeError) as info:
        conv_transpose2d(X, W, bias)
    for fragment in [*fragments, "PyTorch's conv_transpose2d refuses mixed dtypes too"]:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    "dtype",
    [torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool, torch.complex64],
)
def test_dtypes_torch_does_not_transpose_are_refused(dtype) -> None:
    X, W = torch.ones(1, 2, 4, 4).to(dtype), torch.ones(2, 3, 2, 2).to(dtype)
    if not dtype.is_complex:
        with pytest.raises((RuntimeError, NotImplementedError)):
            F.conv_transpose2d(X, W)
    with pytest.raises(TypeError) as info:
        conv_transpose2d(X, W)
    assert str(info.value).startswith("input: ") and str(dtype) in str(info.value)


def test_numpy_ints_are_ints() -> None:
    X = randn((2, 4, 5, 6), seed=13, dtype=torch.float64)
    W = randn((4, 3, 3, 3), seed=14, dtype=torch.float64)
    args = dict(
        stride=np.int64(2),
        padding=(np.int32(1), np.uint8(2)),
        output_padding=np.int16(1),
        dilation=np.int8(1),
        groups=np.int64(2),
    )
    expected = F.conv_transpose2d(
        X, W, stride=2, padding=(1, 2), output_padding=1, dilation=1, groups=2
    )
    assert_close(conv_transpose2d(X, W, **args), expected)


# With a 10³⁰ stride and dilation, PyTorch overflows its 64-bit integers. The same
# landing of copies in the kept cells comes with 10³ in place of 10³⁰.
HUGE = [
    # Copies and taps 10³⁰ apart, cropped to the 3 cells around where cell 0's tap 1
    # and cell 1's tap 0 meet.
    (
        dict(stride=10**30, dilation=10**30, padding=10**30 - 1),
        dict(stride=10**3, dilation=10**3, padding=10**3 - 1),
    ),
    # Along the width only.
    (
        dict(stride=(2, 10**30), dilation=(1, 10**30), padding=(1, 10**30 - 1)),
        dict(stride=(2, 10**3), dilation=(1, 10**3), padding=(1, 10**3 - 1)),
    ),
]


@pytest.mark.parametrize(("huge", "small"), HUGE)
@pytest.mark.parametrize("name", LAYOUTS)
def test_huge_ints_give_the_right_answer(huge, small, name) -> None:
    X = randn((2, 2, 2, 2), seed=15, dtype=torch.float64)
    W = randn((2, 3, 2, 2), seed=16, dtype=torch.float64)
    bias = randn((3,), seed=17, dtype=torch.float64)
    with pytest.raises((ValueError, TypeError, RuntimeError, OverflowError)):
        F.conv_transpose2d(X, W, bias, **huge)
    with layout(name):
        assert_close(conv_transpose2d(X, W, bias, **huge), F.conv_transpose2d(X, W, bias, **small))


# --- Errors: named, with the rule, exactly where PyTorch errors -----------------------

ones = torch.ones


@pytest.mark.parametrize(
    ("call", "error", "fragments"),
    [
        (
            lambda: conv_transpose2d(
                ones(1, 2, 3, 3), ones(2, 1, 3, 3), stride=2, output_padding=2
            ),
            ValueError,
            ["output_padding: must be smaller than the stride or the dilation", "2 ≥ 2"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 2, 3, 3), ones(3, 1, 3, 3)),
            ValueError,
            ["input: has 2 channels, but weight expects 3", "weight.shape[0]"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 4, 3, 3), ones(4, 1, 3, 3), groups=3),
            ValueError,
            ["groups: 3 does not divide the 4 input channels"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 4, 3, 3), ones(4, 2, 3, 3), ones(3), groups=2),
            ValueError,
            ["bias: expected shape (4,)"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 1, 2, 2), ones(1, 1, 2, 2), padding=2),
            ValueError,
            ["padding: crops the whole output", "(2 − 1)·1 − 2·2 + 1·(2 − 1) + 0 + 1 = -1"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 1, 2, 2), ones(1, 1, 2, 2), stride=0),
            ValueError,
            ["stride: must be ≥ 1"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 1, 2, 2), ones(1, 1, 2, 2), dilation=0),
            ValueError,
            ["dilation: must be ≥ 1"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 1, 2, 2), ones(1, 1, 2, 2), padding="same"),
            TypeError,
            ["padding: expected an int or a pair of ints"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 1, 2, 2), ones(1, 2, 2)),
            ValueError,
            ["weight: expected a 4-D (C_in, C_out/groups, k_h, k_w) tensor"],
        ),
        (
            lambda: conv_transpose2d(ones(2, 2), ones(1, 1, 2, 2)),
            ValueError,
            ["input: expected a 3-D (C_in, H, W) or 4-D (N, C_in, H, W) tensor"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 1, 2, 2), ones(1, 1, 2, 2), padding=10**30),
            ValueError,
            ["padding: crops the whole output"],
        ),
        (
            lambda: conv_transpose2d(ones(1, 1, 2, 2), ones(1, 1, 2, 2), stride=10**6),
            ValueError,
            ["stride, dilation, output_padding: the result would be", "refused before allocating"],
        ),
    ],
)
def test_errors_name_the_argument_and_the_rule(call, error, fragments) -> None:
    with pytest.raises(error) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


BREAKAGES = [
    "stride 0",
    "padding -1",
    "dilation 0",
    "groups 0",
    "groups 4",
    "output_padding too large",
    "one channel too many",
    "bias too long",
    "crops everything",
]


def break_case(case: dict, breakage: str | None) -> dict:
    """Break one argument of a valid case (or none)."""
    args, x_shape, w_shape = case["args"], list(case["x_shape"]), list(case["w_shape"])
    bias_len = w_shape[1] * args["groups"] if case["bias"] else None
    match breakage:
        case "stride 0" | "padding -1" | "dilation 0" | "groups 0" | "groups 4":
            name, value = breakage.split()
            args[name] = int(value)
        case "output_padding too large":
            args["output_padding"] = max(*pair(args["stride"]), *pair(args["dilation"]))
        case "one channel too many":
            x_shape[-3] += 1
        case "bias too long":
            bias_len = w_shape[1] * args["groups"] + 1
        case "crops everything":
            args["padding"] = 100
    return dict(x_shape=x_shape, w_shape=w_shape, bias_len=bias_len, args=args)


@pytest.mark.parametrize("breakage", [None, *BREAKAGES])
@settings(max_examples=15)
@given(case=transposed_cases())
def test_conv_transpose2d_fails_exactly_when_torch_fails(breakage, case) -> None:
    """Same answer as PyTorch, or a clear error where PyTorch errors. Where PyTorch
    skips its checks on a batch of no images (or returns an empty result for a
    padding that crops everything, with several groups), convlab refuses anyway."""
    case = break_case(case, breakage)
    X = randn(case["x_shape"], 0, torch.float64)
    W = randn(case["w_shape"], 1, torch.float64)
    bias_len = case["bias_len"]
    bias = None if bias_len is None else randn((bias_len,), 2, torch.float64)
    lenient = breakage == "crops everything" or (
        X.numel() == 0 and breakage in ("dilation 0", "output_padding too large")
    )
    try:
        expected = F.conv_transpose2d(X, W, bias, **case["args"])
    except (RuntimeError, ValueError):
        with pytest.raises((ValueError, TypeError)):
            conv_transpose2d(X, W, bias, **case["args"])
    else:
        if lenient:
            with pytest.raises(ValueError, match="^(dilation|output_padding|padding)"):
                conv_transpose2d(X, W, bias, **case["args"])
        else:
            assert_close(conv_transpose2d(X, W, bias, **case["args"]), expected)


# --- Costs: huge arguments cost little, or are refused before allocating ----------------

CHECKED = """
import torch
import torch.nn.functional as F
from convlab.kernels import conv_transpose2d

torch.manual_seed(0)


def check(ours, theirs):  # (torch.testing's first call alone takes a second)
    assert ours.shape == theirs.shape and torch.allclose(ours, theirs, rtol=1e-4, atol=1e-4)
"""

CASES = {
    # Copies 10⁵ apart, cropped to the 3 cells where two of them meet: PyTorch would
    # compute the 2·10⁵-cell output first (and does, in the comparison, at stride 10³).
    "stride, dilation and padding 10⁵": """
X, W = torch.randn(2, 3, 2, 2), torch.randn(3, 4, 2, 2)
Y = conv_transpose2d(X, W, stride=10**5, dilation=10**5, padding=10**5 - 1)
check(Y, F.conv_transpose2d(X, W, stride=10**3, dilation=10**3, padding=10**3 - 1))
""",
    # A 300×300 kernel scattered by 4 cells: 360,000 taps, every copy overlapping.
    "300×300 kernel": """
X, W = torch.randn(1, 1, 2, 2, dtype=torch.float64), torch.randn(1, 1, 300, 300).double()
check(conv_transpose2d(X, W), F.conv_transpose2d(X, W))
""",
    # Padding that crops all but the middle of a large output.
    "padding crops almost everything": """
X, W = torch.randn(4, 8, 200, 200), torch.randn(8, 8, 5, 5)
args = dict(stride=3, padding=290)
check(conv_transpose2d(X, W, **args), F.conv_transpose2d(X, W, **args))
""",
    # Many tiny images with a large stride: mostly zeros between the copies. (PyTorch
    # takes seconds here: the copies do not overlap, so they are placed by hand.)
    "stride 50 on many 2×2 images": """
X, W = torch.randn(4000, 1, 2, 2), torch.randn(1, 1, 3, 3)
expected = torch.zeros(4000, 1, 53, 53)
for i in range(2):
    for j in range(2):
        expected[..., 50 * i : 50 * i + 3, 50 * j : 50 * j + 3] = X[..., i, j, None, None] * W[0, 0]
Y = conv_transpose2d(X, W, stride=50)
assert torch.equal(Y, expected)  # each cell one product, added to 0: exact
""",
}


@pytest.mark.parametrize("snippet", CASES.values(), ids=CASES.keys())
def test_large_arguments_cost_little(snippet) -> None:
    cost = cost_of(CHECKED + snippet, timeout=60)
    assert cost.error is None, cost.error
    assert cost.mib < 200 and cost.seconds < 2.0, cost


REFUSED = {
    # Stride 10⁶ on 2×2: a 1,000,002² output (4 TB).
    "stride 10⁶": "conv_transpose2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2), stride=10**6)",
    # Dilation 10³⁰: PyTorch cannot even read the number.
    "dilation 10³⁰": (
        "conv_transpose2d(torch.ones(1, 2, 2), torch.ones(1, 1, 2, 2), dilation=10**30)"
    ),
    # No image, but one image's result would already be too big.
    "batch of none": (
        "conv_transpose2d(torch.ones(0, 1, 2, 2), torch.ones(1, 1, 1, 1), stride=10**6)"
    ),
}


@pytest.mark.parametrize("call", REFUSED.values(), ids=REFUSED.keys())
def test_results_too_big_are_refused_before_allocating(call) -> None:
    snippet = f"import torch\nfrom convlab.kernels import conv_transpose2d\n{call}"
    cost = cost_of(snippet, timeout=60)
    assert cost.error is not None and cost.error.startswith("ValueError")
    assert "refused before allocating" in cost.error
    assert cost.mib < 50 and cost.seconds < 1, cost
