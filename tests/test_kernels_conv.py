"""conv2d: the course's worked numbers, and agreement with PyTorch's conv2d."""

import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from convlab.kernels import conv as conv_module
from convlab.kernels import conv2d

seeds = st.integers(0, 2**32 - 1)


def randn(shape: tuple[int, ...], seed: int, dtype: torch.dtype) -> torch.Tensor:
    """Reproducible random numbers: hypothesis picks the seed."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator, dtype=dtype)


def torch_conv2d(*args, **kwargs) -> torch.Tensor:
    """PyTorch's conv2d, without its warning about 'same' with even kernels."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return F.conv2d(*args, **kwargs)


def int_or_pair(low: int, high: int) -> st.SearchStrategy:
    """An int, or a (height, width) pair: both spellings must work."""
    return st.integers(low, high) | st.tuples(st.integers(low, high), st.integers(low, high))


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return value if isinstance(value, tuple) else (value, value)


@st.composite
def conv_cases(draw: st.DrawFn) -> dict:
    """Valid arguments for conv2d: shapes built so that the kernel always fits."""
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kernel = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    dilation = draw(int_or_pair(1, 2))
    padding = draw(st.sampled_from(["same", "valid", "number"]))
    stride = 1 if padding == "same" else draw(int_or_pair(1, 3))
    if padding == "number":
        padding = draw(int_or_pair(0, 2))
    pads = (0, 0) if isinstance(padding, str) else pair(padding)
    size = []
    for k, d, p in zip(kernel, pair(dilation), pads, strict=True):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)  # the dilated kernel must fit
        size.append(smallest + draw(st.integers(0, 4)))
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    return dict(
        x_shape=(*batch, c_in, *size),
        w_shape=(c_out, c_in // groups, *kernel),
        bias=draw(st.booleans()),
        args=dict(stride=stride, padding=padding, dilation=dilation, groups=groups),
    )


# --- The worked numbers from the course notes ---------------------------------

X3 = torch.arange(9.0).reshape(1, 3, 3)
K2 = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])


def test_padding_worked_example() -> None:
    # Zero padding of 1 makes the 3×3 input 5×5; the 2×2 kernel fits 4×4 times.
    # Top left only sees the padded zeros and X[0, 0] = 0 under the weight 3: 0.
    # Top row, second cell: 0·0 + 0·1 + 0·2 + 1·3 = 3; the middle 2×2 block is
    # the unpadded corr2d result [[19, 25], [37, 43]].
    expected = [[0, 3, 8, 4], [9, 19, 25, 10], [21, 37, 43, 16], [6, 7, 8, 0]]
    assert conv2d(X3, K2, padding=1).tolist() == [expected]


def test_stride_worked_example() -> None:
    # Stride (3, 2) keeps rows 0 and 3 and columns 0 and 2 of the padded result.
    assert conv2d(X3, K2, padding=1, stride=(3, 2)).tolist() == [[[0, 8], [6, 8]]]


def test_same_padding_with_even_kernel_worked_example() -> None:
    X = torch.arange(16.0).reshape(1, 4, 4)
    W = torch.tensor([[[[1.0, 0.0], [2.0, 1.0]]]])
    # 'same' pads d·(k−1) = 1 per axis: 0 rows on top / columns on the left and
    # 1 at the bottom / right. Y[i, j] = P[i, j] + 2·P[i+1, j] + P[i+1, j+1]:
    # row 0: 0 + 2·4 + 5 = 13, 1 + 2·5 + 6 = 17, 2 + 2·6 + 7 = 21, 3 + 2·7 + 0 = 17
    # row 1: 4 + 2·8 + 9 = 29, 5 + 18 + 10 = 33, 6 + 20 + 11 = 37, 7 + 22 + 0 = 29
    # row 2: 8 + 24 + 13 = 45, 9 + 26 + 14 = 49, 10 + 28 + 15 = 53, 11 + 30 + 0 = 41
    # row 3 only sees X's last row under the weight 1 (the rest is padding).
    expected = [[13, 17, 21, 17], [29, 33, 37, 29], [45, 49, 53, 41], [12, 13, 14, 15]]
    Y = conv2d(X, W, padding="same")
    assert Y.tolist() == [expected]
    assert_close(Y, torch_conv2d(X, W, padding="same"), rtol=0, atol=0)


def test_bias_is_added_per_output_channel() -> None:
    W = torch.cat([K2, -K2])
    Y = conv2d(X3, W, bias=torch.tensor([1.0, 100.0]))
    assert Y.tolist() == [[[20, 26], [38, 44]], [[81, 75], [63, 57]]]


def test_integer_tensors_match_torch() -> None:
    X = torch.arange(50).reshape(2, 5, 5)
    W = torch.arange(-4, 14).reshape(1, 2, 3, 3)
    Y = conv2d(X, W, bias=torch.tensor([7]), padding=1, stride=2)
    assert Y.dtype == torch.int64
    assert_close(Y, F.conv2d(X[None], W, torch.tensor([7]), padding=1, stride=2)[0])


@pytest.mark.parametrize("kernel", [(2, 2), (2, 3), (4, 1), (3, 3)])
@pytest.mark.parametrize("dilation", [1, 2, (1, 3)])
def test_same_keeps_the_size_and_matches_torch(kernel, dilation) -> None:
    X = randn((2, 3, 7, 8), seed=0, dtype=torch.float64)
    W = randn((4, 3, *kernel), seed=1, dtype=torch.float64)
    Y = conv2d(X, W, padding="same", dilation=dilation)
    assert Y.shape == (2, 4, 7, 8)
    assert_close(Y, torch_conv2d(X, W, padding="same", dilation=dilation))


# Every layout (im2col, one product per tap, the depthwise tap loop) on larger
# shapes: large kernels, unequal strides and dilations, padding, a channel multiplier.
@pytest.mark.parametrize(
    ("c_in", "c_out", "groups"),
    [(6, 6, 6), (1, 1, 1), (4, 8, 4), (6, 8, 2), (5, 7, 1)],
    ids=["depthwise", "one channel", "depthwise x2", "grouped", "standard"],
)
@pytest.mark.parametrize(
    "args",
    [
        dict(stride=1, padding=0, dilation=1),
        dict(stride=(2, 3), padding=(2, 1), dilation=1),
        dict(stride=2, padding=3, dilation=(2, 1)),
        dict(stride=3, padding="valid", dilation=2),
    ],
)
@pytest.mark.parametrize(
    "limits", [(0, 64), (10**9, 10**9)], ids=["per tap, small blocks", "im2col, one block"]
)
def test_every_layout_matches_torch_on_larger_shapes(
    c_in, c_out, groups, args, limits, monkeypatch
) -> None:
    monkeypatch.setattr(conv_module, "IM2COL_LIMIT", limits[0])
    monkeypatch.setattr(conv_module, "DEPTHWISE_IM2COL_LIMIT", limits[0])
    monkeypatch.setattr(conv_module, "CACHE_BYTES", limits[1])
    X = randn((2, c_in, 19, 23), seed=2, dtype=torch.float64)
    W = randn((c_out, c_in // groups, 5, 4), seed=3, dtype=torch.float64)
    bias = randn((c_out,), seed=4, dtype=torch.float64)
    expected = torch_conv2d(X, W, bias, groups=groups, **args)
    assert_close(conv2d(X, W, bias, groups=groups, **args), expected)


@pytest.mark.parametrize(("c_in", "c_out", "groups"), [(6, 6, 6), (5, 7, 1), (6, 8, 2)])
@pytest.mark.parametrize("kernel", [(5, 4), (1, 1)])
def test_im2col_on_a_few_images_at_a_time_matches_torch(
    c_in, c_out, groups, kernel, monkeypatch
) -> None:
    """A batch whose column matrix is over the limit goes image by image."""
    X = randn((5, c_in, 13, 11), seed=7, dtype=torch.float64)
    W = randn((c_out, c_in // groups, *kernel), seed=8, dtype=torch.float64)
    args = dict(stride=(2, 1), padding=1, groups=groups)
    expected = torch_conv2d(X, W, **args)
    per_image = c_in * kernel[0] * kernel[1] * expected.shape[-2] * expected.shape[-1]
    monkeypatch.setattr(conv_module, "IM2COL_LIMIT", 2 * per_image)  # two images at a time
    monkeypatch.setattr(conv_module, "DEPTHWISE_IM2COL_LIMIT", 10**9)  # depthwise too
    assert_close(conv2d(X, W, **args), expected)


@pytest.mark.parametrize(
    "limits", [(0, 64), (10**9, 10**9)], ids=["per tap, small blocks", "im2col, one block"]
)
@pytest.mark.parametrize(("c_in", "c_out", "groups"), [(3, 3, 3), (3, 4, 1), (4, 6, 2)])
def test_gradients_match_torch_in_every_layout(c_in, c_out, groups, limits, monkeypatch):
    """The chapters differentiate through conv2d (receptive fields, learning a kernel)."""
    monkeypatch.setattr(conv_module, "IM2COL_LIMIT", limits[0])
    monkeypatch.setattr(conv_module, "DEPTHWISE_IM2COL_LIMIT", limits[0])
    monkeypatch.setattr(conv_module, "CACHE_BYTES", limits[1])
    args = dict(stride=2, padding=1, dilation=(1, 2), groups=groups)
    grads = []
    for conv in (conv2d, torch_conv2d):
        X = randn((2, c_in, 9, 11), seed=5, dtype=torch.float64).requires_grad_()
        W = randn((c_out, c_in // groups, 3, 3), seed=6, dtype=torch.float64).requires_grad_()
        (
            conv(X, W, **args) * torch.arange(1.0, 1 + c_out * 20)[:c_out, None, None]
        ).sum().backward()
        grads.append((X.grad, W.grad))
    assert_close(grads[0], grads[1])


# --- Agreement with PyTorch on drawn shapes and arguments ---------------------


@given(case=conv_cases(), seed=seeds)
def test_conv2d_matches_torch_float64(case, seed) -> None:
    check_against_torch(case, seed, torch.float64)


@given(case=conv_cases(), seed=seeds)
def test_conv2d_matches_torch_float32(case, seed) -> None:
    check_against_torch(case, seed, torch.float32)


def check_against_torch(case: dict, seed: int, dtype: torch.dtype) -> None:
    X = randn(case["x_shape"], seed, dtype)
    W = randn(case["w_shape"], seed + 1, dtype)
    bias = randn(case["w_shape"][:1], seed + 2, dtype) if case["bias"] else None
    expected = torch_conv2d(X, W, bias, **case["args"])
    assert_close(conv2d(X, W, bias, **case["args"]), expected)


BREAKAGES = [
    "stride 0",
    "padding -1",
    "dilation 0",
    "groups 0",
    "groups 4",
    "one channel too many",
    "bias too long",
    "'same' with stride 2",
    "padding 'full'",
    "kernel too big",
]


def break_case(case: dict, breakage: str | None) -> dict:
    """Break one argument of a valid case (or none)."""
    args, x_shape, w_shape = case["args"], list(case["x_shape"]), list(case["w_shape"])
    bias_len = w_shape[0] if case["bias"] else None
    match breakage:
        case "stride 0" | "padding -1" | "dilation 0" | "groups 0" | "groups 4":
            name, value = breakage.split()
            args[name] = int(value)
        case "one channel too many":
            x_shape[-3] += 1
        case "bias too long":
            bias_len = w_shape[0] + 1
        case "'same' with stride 2":
            args.update(padding="same", stride=2)
        case "padding 'full'":
            args["padding"] = "full"
        case "kernel too big":
            w_shape[-2:] = [n + 5 for n in x_shape[-2:]]
    return dict(x_shape=x_shape, w_shape=w_shape, bias_len=bias_len, args=args)


@pytest.mark.parametrize("breakage", [None, *BREAKAGES])
@settings(max_examples=15)
@given(case=conv_cases())
def test_conv2d_fails_exactly_when_torch_fails(breakage, case) -> None:
    """Same answer as PyTorch, or a clear error exactly where PyTorch errors."""
    case = break_case(case, breakage)
    X = randn(case["x_shape"], 0, torch.float64)
    W = randn(case["w_shape"], 1, torch.float64)
    bias_len = case["bias_len"]
    bias = None if bias_len is None else randn((bias_len,), 2, torch.float64)
    try:
        expected = torch_conv2d(X, W, bias, **case["args"])
    except (RuntimeError, ValueError):
        with pytest.raises((ValueError, TypeError)):
            conv2d(X, W, bias, **case["args"])
    else:
        assert_close(conv2d(X, W, bias, **case["args"]), expected)
