"""conv2d: the course's worked numbers, and agreement with PyTorch's conv2d in every layout."""

import contextlib
import warnings
from collections.abc import Iterator

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.testing import assert_close

from convlab.kernels import conv as conv_module
from convlab.kernels import conv2d

seeds = st.integers(0, 2**32 - 1)
NEVER = 10**12  # a limit no test case reaches


def randn(shape: tuple[int, ...], seed: int, dtype: torch.dtype) -> torch.Tensor:
    """Reproducible random numbers (small ints for int dtypes): hypothesis picks the seed."""
    generator = torch.Generator().manual_seed(seed)
    if dtype.is_floating_point:
        return torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype)
    low = 0 if dtype == torch.uint8 else -4
    return torch.randint(low, 5, shape, generator=generator, dtype=dtype)


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


# --- Forcing each layout ----------------------------------------------------------

# The module's limits that steer conv2d to each layout (unset ones keep their value).
LAYOUTS = {
    "chosen by size": {},
    "im2col, whole batch": dict(IM2COL_LIMIT=NEVER, TAP_WORK=NEVER, PADDING_WASTE=NEVER),
    "im2col, but per tap where it pays": dict(IM2COL_LIMIT=NEVER, COPY_PER_OUTPUT=0),
    "im2col, cell by cell": dict(IM2COL_LIMIT=0, TAP_WORK=NEVER, PADDING_WASTE=NEVER),
    "im2col, a few rows": dict(IM2COL_LIMIT=200, TAP_WORK=NEVER, PADDING_WASTE=NEVER),
    "per tap": dict(COPY_PER_OUTPUT=0, TAP_WORK=0, PADDING_WASTE=NEVER),
    "tap loops, small blocks": dict(COPY_PER_OUTPUT=0, TAP_WORK=0, CACHE_BYTES=64),
    "tap loops, one block": dict(COPY_PER_OUTPUT=0, TAP_WORK=0, CACHE_BYTES=NEVER),
    "gathered": dict(PADDING_WASTE=0, IM2COL_LIMIT=NEVER),
    "gathered, cell by cell": dict(PADDING_WASTE=0, IM2COL_LIMIT=0),
}


@contextlib.contextmanager
def layout(name: str) -> Iterator[None]:
    """Set conv's limits for one layout, then restore them (usable inside hypothesis)."""
    saved = {key: getattr(conv_module, key) for key in LAYOUTS[name]}
    for key, value in LAYOUTS[name].items():
        setattr(conv_module, key, value)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(conv_module, key, value)


@contextlib.contextmanager
def paths_taken() -> Iterator[list[str]]:
    """Record which of conv's layouts run (their functions' names)."""
    taken: list[str] = []
    names = ["_product", "_in_parts", "_per_tap", "_depthwise", "_gathered"]
    saved = {name: getattr(conv_module, name) for name in names}

    def spy(name):
        def recorded(*args, **kwargs):
            taken.append(name)
            return saved[name](*args, **kwargs)

        return recorded

    for name in names:
        setattr(conv_module, name, spy(name))
    try:
        yield taken
    finally:
        for name, function in saved.items():
            setattr(conv_module, name, function)


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


def test_windows_wholly_in_the_padding_are_the_bias() -> None:
    # Padding 10⁵ and stride 10⁵ on a 2×2 image with a 1×1 kernel: output cells
    # 0, 1, 2 of each axis start at −10⁵, 0 and 10⁵, so only the centre reads the
    # input (X[0, 0] = 5 times the weight 2, plus the bias 1); the rest is the bias.
    X = torch.tensor([[[5.0, 6.0], [7.0, 8.0]]])
    Y = conv2d(X, torch.tensor([[[[2.0]]]]), torch.tensor([1.0]), padding=10**5, stride=10**5)
    assert Y.tolist() == [[[1, 1, 1], [1, 11, 1], [1, 1, 1]]]


@pytest.mark.parametrize("kernel", [(2, 2), (2, 3), (4, 1), (3, 3)])
@pytest.mark.parametrize("dilation", [1, 2, (1, 3)])
def test_same_keeps_the_size_and_matches_torch(kernel, dilation) -> None:
    X = randn((2, 3, 7, 8), seed=0, dtype=torch.float64)
    W = randn((4, 3, *kernel), seed=1, dtype=torch.float64)
    Y = conv2d(X, W, padding="same", dilation=dilation)
    assert Y.shape == (2, 4, 7, 8)
    assert_close(Y, torch_conv2d(X, W, padding="same", dilation=dilation))


# --- Every layout, on larger shapes ---------------------------------------------

CHANNELS = pytest.mark.parametrize(
    ("c_in", "c_out", "groups"),
    [(6, 6, 6), (1, 1, 1), (4, 8, 4), (6, 8, 2), (5, 7, 1)],
    ids=["depthwise", "one channel", "depthwise x2", "grouped", "standard"],
)
ARGS = pytest.mark.parametrize(
    "args",
    [
        dict(stride=1, padding=0, dilation=1),
        dict(stride=(2, 3), padding=(2, 1), dilation=1),
        dict(stride=2, padding=3, dilation=(2, 1)),
        dict(stride=3, padding="valid", dilation=2),
        dict(stride=(4, 1), padding=(9, 20), dilation=(3, 1)),
        dict(stride=1, padding="same", dilation=(1, 2)),
    ],
)


@pytest.mark.parametrize("name", LAYOUTS)
@CHANNELS
@ARGS
def test_every_layout_matches_torch_on_larger_shapes(c_in, c_out, groups, args, name) -> None:
    X = randn((2, c_in, 19, 23), seed=2, dtype=torch.float64)
    W = randn((c_out, c_in // groups, 5, 4), seed=3, dtype=torch.float64)
    bias = randn((c_out,), seed=4, dtype=torch.float64)
    expected = torch_conv2d(X, W, bias, groups=groups, **args)
    with layout(name):
        assert_close(conv2d(X, W, bias, groups=groups, **args), expected)


@pytest.mark.parametrize(
    ("name", "groups", "padding", "taken"),
    [
        ("im2col, whole batch", 1, 0, ["_product"]),
        ("im2col, cell by cell", 1, 0, ["_in_parts"]),
        ("per tap", 1, 0, ["_per_tap"]),
        ("per tap", 2, 0, ["_per_tap"]),
        ("tap loops, small blocks", 4, 0, ["_depthwise"]),
        ("gathered", 1, 3, ["_gathered", "_in_parts"]),
    ],
)
def test_each_layout_takes_its_path(name, groups, padding, taken) -> None:
    X = randn((2, 4, 9, 9), seed=5, dtype=torch.float64)
    W = randn((4, 4 // groups, 3, 3), seed=6, dtype=torch.float64)
    with layout(name), paths_taken() as paths:
        Y = conv2d(X, W, padding=padding, groups=groups)
    assert paths[: len(taken)] == taken
    assert_close(Y, torch_conv2d(X, W, padding=padding, groups=groups))


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "args", "taken"),
    [
        # A 400×400 kernel on a 400×400 image: one output cell, 160,000 taps of one
        # multiply-add each; one matrix product, not a loop of 160,000 steps.
        ((1, 1, 400, 400), (1, 1, 400, 400), {}, ["_product"]),
        # Eight 8×8 images, 64 channels, depthwise 5×5: 25 taps with work to share.
        ((8, 64, 8, 8), (64, 1, 5, 5), dict(groups=64), ["_depthwise"]),
        # A large image and many channels: one product per tap, no 9-fold copy.
        ((1, 64, 100, 100), (64, 64, 3, 3), {}, ["_per_tap"]),
        # A batch whose column matrix is over the limit: a few images at a time.
        ((128, 16, 32, 32), (16, 16, 3, 3), dict(stride=2), ["_in_parts"]),
        # Padding a thousand times the image, stride 1000: of the 9×9 windows only
        # the one on the image is computed, with no padding at all.
        ((1, 3, 4, 4), (2, 3, 3, 3), dict(padding=4000, stride=1000), ["_product"]),
        # Taps 1000 apart over a 2×2 image padded by 1000: each window meets the image
        # with one tap only, and a padded copy would be 2001² cells, nearly all zeros,
        # so the columns are gathered by index.
        ((1, 3, 2, 2), (2, 3, 2, 2), dict(padding=1000, dilation=1000, stride=1000), ["_gathered"]),
        # A dilation as wide as the image: only the taps that land on it are kept.
        ((1, 2, 9, 9), (2, 2, 3, 3), dict(padding=9, dilation=9), ["_product"]),
    ],
)
def test_the_layout_chosen_by_size(x_shape, w_shape, args, taken) -> None:
    X = randn(x_shape, seed=7, dtype=torch.float64)
    W = randn(w_shape, seed=8, dtype=torch.float64)
    with paths_taken() as paths:
        Y = conv2d(X, W, **args)
    assert paths[: len(taken)] == taken
    assert_close(Y, torch_conv2d(X, W, **args))


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize(("c_in", "c_out", "groups"), [(3, 3, 3), (3, 4, 1), (4, 6, 2)])
@pytest.mark.parametrize("padding", [1, (7, 0)])
def test_gradients_match_torch_in_every_layout(c_in, c_out, groups, padding, name) -> None:
    """The chapters differentiate through conv2d (receptive fields, learning a kernel)."""
    args = dict(stride=2, padding=padding, dilation=(1, 2), groups=groups)
    weights = torch.arange(1.0, 1 + c_out * 20, dtype=torch.float64)[:c_out, None, None]
    grads = []
    for conv in (conv2d, torch_conv2d):
        X = randn((2, c_in, 9, 11), seed=5, dtype=torch.float64).requires_grad_()
        W = randn((c_out, c_in // groups, 3, 3), seed=6, dtype=torch.float64).requires_grad_()
        bias = randn((c_out,), seed=9, dtype=torch.float64).requires_grad_()
        with layout(name):
            (conv(X, W, bias, **args) * weights).sum().backward()
        grads.append((X.grad, W.grad, bias.grad))
    assert_close(grads[0], grads[1])


def test_gradients_flow_when_every_window_lies_in_the_padding() -> None:
    """Output cells that read no input still leave X and W in the graph, with zero
    gradients, as PyTorch's do."""
    X = torch.ones(1, 1, 2, 2, requires_grad=True)
    W = torch.ones(1, 1, 2, 2, requires_grad=True)
    # Taps 100 apart, padding 50: output cell y's taps read cells y − 50 and y + 50,
    # both off the 2×2 image, for y = 0 and 1.
    Y = conv2d(X, W, padding=50, dilation=100)
    assert Y.tolist() == [[[[0, 0], [0, 0]]]] and Y.requires_grad
    Y.sum().backward()
    assert X.grad.tolist() == [[[[0, 0], [0, 0]]]] and W.grad.abs().sum() == 0


# --- Agreement with PyTorch on drawn shapes, dtypes, layouts and memory orders --

DTYPES = [
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
MEMORY = ["contiguous", "channels last", "every other column", "transposed"]


@st.composite
def conv_cases(draw: st.DrawFn, batches=(0, 1, 2, 3)) -> dict:
    """Valid arguments for conv2d: shapes built so that the kernel always fits."""
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kernel = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    dilation = draw(int_or_pair(1, 3))
    padding = draw(st.sampled_from(["same", "valid", "number", "large"]))
    stride = 1 if padding == "same" else draw(int_or_pair(1, 4))
    if padding == "number":
        padding = draw(int_or_pair(0, 3))
    elif padding == "large":  # windows that lie wholly in the padding
        padding = draw(int_or_pair(0, 12))
    pads = (0, 0) if isinstance(padding, str) else pair(padding)
    size = []
    for k, d, p in zip(kernel, pair(dilation), pads, strict=True):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)  # the dilated kernel must fit
        size.append(smallest + draw(st.integers(0, 5)))
    batch = draw(st.sampled_from([(), *((n,) for n in batches)]))
    return dict(
        x_shape=(*batch, c_in, *size),
        w_shape=(c_out, c_in // groups, *kernel),
        bias=draw(st.booleans()),
        args=dict(stride=stride, padding=padding, dilation=dilation, groups=groups),
    )


def in_memory_order(X: torch.Tensor, order: str) -> torch.Tensor:
    """The same numbers as X, laid out differently in memory (a view where possible)."""
    if order == "channels last" and X.dim() == 4:
        return X.contiguous(memory_format=torch.channels_last)
    if order == "every other column":
        wide = torch.zeros((*X.shape[:-1], 2 * X.shape[-1]), dtype=X.dtype)
        wide[..., ::2] = X
        return wide[..., ::2]
    if order == "transposed":
        return X.transpose(-1, -2).contiguous().transpose(-1, -2)
    return X


def check_against_torch(case: dict, seed: int, dtype: torch.dtype, order: str, name: str):
    X = in_memory_order(randn(case["x_shape"], seed, dtype), order)
    W = in_memory_order(randn(case["w_shape"], seed + 1, dtype), order)
    bias = randn(case["w_shape"][:1], seed + 2, dtype) if case["bias"] else None
    try:
        expected = torch_conv2d(X, W, bias, **case["args"])
    except NotImplementedError:  # PyTorch dilates no integer type but int64
        with pytest.raises(TypeError, match="dilation"):
            conv2d(X, W, bias, **case["args"])
        return
    with layout(name):
        Y = conv2d(X, W, bias, **case["args"])
    assert Y.dtype == expected.dtype and Y.shape == expected.shape
    if dtype in (torch.float16, torch.bfloat16):
        # Both sum in float32 and round once; the sums may differ in their last bits.
        # Bound: a few roundings of the largest sum of |x·w| any output cell makes.
        sizes = torch_conv2d(X.double().abs(), W.double().abs(), None, **case["args"])
        scale = float(sizes.max()) if sizes.numel() else 0.0
        tolerance = 4 * torch.finfo(dtype).eps * (scale + 1)
        assert_close(Y.double(), expected.double(), rtol=0, atol=tolerance)
    else:
        assert_close(Y, expected)


@given(
    case=conv_cases(),
    seed=seeds,
    dtype=st.sampled_from(DTYPES),
    order=st.sampled_from(MEMORY),
    name=st.sampled_from(list(LAYOUTS)),
)
@settings(max_examples=300)
def test_conv2d_matches_torch(case, seed, dtype, order, name) -> None:
    check_against_torch(case, seed, dtype, order, name)


@given(case=conv_cases(), seed=seeds, name=st.sampled_from(list(LAYOUTS)))
def test_conv2d_matches_torch_float32(case, seed, name) -> None:
    check_against_torch(case, seed, torch.float32, "contiguous", name)


@given(case=conv_cases(batches=(1, 2)), seed=seeds, name=st.sampled_from(list(LAYOUTS)))
@settings(max_examples=100)
def test_gradients_match_torch_on_drawn_cases(case, seed, name) -> None:
    grads = []
    for conv in (conv2d, torch_conv2d):
        X = randn(case["x_shape"], seed, torch.float64).requires_grad_()
        W = randn(case["w_shape"], seed + 1, torch.float64).requires_grad_()
        bias = randn(case["w_shape"][:1], seed + 2, torch.float64).requires_grad_()
        with layout(name):
            Y = conv(X, W, bias, **case["args"])
        (Y * randn(tuple(Y.shape), seed + 3, torch.float64)).sum().backward()
        grads.append((X.grad, W.grad, bias.grad))
    assert_close(grads[0], grads[1])


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_inf_in_the_input_match_torch(name, bad) -> None:
    X = randn((2, 4, 9, 10), seed=10, dtype=torch.float64)
    X[0, 1, 3, 4] = bad
    X[1, 3, 8, 0] = bad
    for groups, padding in [(1, 2), (4, 1), (2, (0, 3))]:
        W = randn((4, 4 // groups, 3, 2), seed=11, dtype=torch.float64)
        expected = torch_conv2d(X, W, padding=padding, groups=groups)
        with layout(name):
            Y = conv2d(X, W, padding=padding, groups=groups)
        assert_close(Y, expected, equal_nan=True)


@pytest.mark.parametrize("name", LAYOUTS)
def test_nan_and_inf_in_the_weights_match_torch_without_padding(name) -> None:
    X = randn((2, 2, 8, 8), seed=12, dtype=torch.float64)
    W = randn((2, 2, 3, 3), seed=13, dtype=torch.float64)
    W[0, 1, 1, 2], W[1, 0, 0, 0] = float("nan"), float("inf")
    with layout(name):
        assert_close(conv2d(X, W, stride=2), torch_conv2d(X, W, stride=2), equal_nan=True)


# --- PyTorch's rules where the two could differ ----------------------------------


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("padding", [0, 3, 100])
def test_a_batch_of_no_images_gives_an_empty_result_as_in_torch(bias, padding) -> None:
    X = torch.zeros(0, 4, 6, 7, requires_grad=True)
    W = randn((6, 2, 3, 3), seed=14, dtype=torch.float32).requires_grad_()
    b = torch.ones(6, requires_grad=True) if bias else None
    Y = conv2d(X, W, b, padding=padding, stride=2, groups=2)
    expected = torch_conv2d(X, W, b, padding=padding, stride=2, groups=2)
    assert Y.shape == expected.shape and Y.dtype == expected.dtype
    Y.sum().backward()
    assert X.grad.shape == X.shape and W.grad.abs().sum() == 0


@pytest.mark.parametrize(
    ("x_dtype", "w_dtype", "b_dtype", "fragments"),
    [
        (torch.float32, torch.float64, None, ["W", "torch.float64", "X's torch.float32"]),
        (torch.float64, torch.float64, torch.float32, ["bias", "torch.float32", "float64"]),
        (torch.int64, torch.float32, None, ["W", "torch.float32", "torch.int64"]),
        (torch.float16, torch.bfloat16, None, ["W", "torch.bfloat16", "torch.float16"]),
    ],
)
def test_mixed_dtypes_are_refused_as_torch_refuses_them(x_dtype, w_dtype, b_dtype, fragments):
    X, W = torch.ones(1, 2, 4, 4, dtype=x_dtype), torch.ones(3, 2, 2, 2, dtype=w_dtype)
    bias = None if b_dtype is None else torch.ones(3, dtype=b_dtype)
    with pytest.raises(RuntimeError):
        F.conv2d(X, W, bias)
    with pytest.raises(TypeError) as info:
        conv2d(X, W, bias)
    for fragment in [*fragments, "PyTorch's conv2d refuses mixed dtypes too"]:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("dtype", "torch_does"),
    [
        (torch.bool, "refuses it too"),
        (torch.uint16, "refuses it too"),
        (torch.uint32, "refuses it too"),
        (torch.float8_e4m3fn, "refuses it too"),
        (torch.complex64, "accepts it"),
    ],
)
def test_dtypes_torch_cannot_compute_with(dtype, torch_does) -> None:
    X, W = torch.ones(1, 2, 4, 4).to(dtype), torch.ones(3, 2, 2, 2).to(dtype)
    try:
        F.conv2d(X, W)
    except (RuntimeError, NotImplementedError):
        assert torch_does == "refuses it too"
    else:
        assert torch_does == "accepts it"
    with pytest.raises(TypeError) as info:
        conv2d(X, W)
    assert str(dtype) in str(info.value) and torch_does in str(info.value)


@pytest.mark.parametrize("dtype", [torch.int8, torch.uint8, torch.int16])
def test_integer_sums_wrap_around_as_in_torch(dtype) -> None:
    X = torch.full((1, 3, 5, 5), 100, dtype=dtype)
    W = torch.full((2, 3, 3, 3), 7, dtype=dtype)
    expected = F.conv2d(X, W, padding=1)  # 100·7·27 = 18,900 wraps in 8 bits
    assert torch.equal(conv2d(X, W, padding=1), expected)


# --- Awkward argument values ------------------------------------------------------


def test_numpy_ints_are_ints() -> None:
    X = randn((2, 4, 9, 9), seed=15, dtype=torch.float64)
    W = randn((4, 2, 3, 3), seed=16, dtype=torch.float64)
    args = dict(stride=np.int64(2), padding=(np.int32(1), np.uint8(2)), dilation=np.int16(2))
    expected = torch_conv2d(X, W, stride=2, padding=(1, 2), dilation=2, groups=2)
    assert_close(conv2d(X, W, groups=np.int8(2), **args), expected)


@pytest.mark.parametrize(
    "args",
    [
        dict(stride=True),
        dict(padding=(1, False)),
        dict(dilation=np.bool_(True)),
        dict(groups=True),
        dict(stride=2.0),
        dict(padding=np.float32(1)),
    ],
)
def test_bools_and_floats_are_not_ints(args) -> None:
    with pytest.raises(TypeError):
        conv2d(torch.ones(1, 4, 4), torch.ones(1, 1, 2, 2), **args)


# With a 10³⁰ stride, padding or dilation, PyTorch overflows its 64-bit integers.
# The same layout of windows over the input comes with 10³ in place of 10³⁰.
HUGE = [
    (dict(stride=10**30), dict(stride=10**3)),
    (dict(stride=(1, 10**30)), dict(stride=(1, 10**3))),
    (dict(padding=10**30, stride=10**30), dict(padding=10**3, stride=10**3)),
    (
        dict(padding=(10**30, 1), dilation=(2 * 10**30, 1)),
        dict(padding=(10**3, 1), dilation=(2 * 10**3, 1)),
    ),
    (
        dict(padding=10**30, dilation=10**30, stride=10**30),
        dict(padding=10**3, dilation=10**3, stride=10**3),
    ),
    (dict(padding=(0, 10**30), stride=(1, 10**30)), dict(padding=(0, 10**3), stride=(1, 10**3))),
]


@pytest.mark.parametrize(("huge", "small"), HUGE)
@pytest.mark.parametrize("name", LAYOUTS)
def test_huge_ints_give_the_right_answer(huge, small, name) -> None:
    X = randn((2, 2, 5, 6), seed=17, dtype=torch.float64)
    W = randn((3, 2, 2, 3), seed=18, dtype=torch.float64)
    bias = randn((3,), seed=19, dtype=torch.float64)
    with pytest.raises((ValueError, TypeError, RuntimeError)):
        F.conv2d(X, W, bias, **huge)
    with layout(name):
        assert_close(conv2d(X, W, bias, **huge), torch_conv2d(X, W, bias, **small))


@pytest.mark.parametrize(
    "args",
    [dict(padding=10**30), dict(padding=(10**5, 10**4)), dict(dilation=10**30, padding=10**30)],
)
def test_a_result_too_big_is_refused_with_the_reason(args) -> None:
    with pytest.raises(ValueError) as info:
        conv2d(torch.ones(1, 4, 4), torch.ones(1, 1, 2, 2), **args)
    assert "refused before allocating" in str(info.value)
    assert "2147483648" in str(info.value)


def test_a_batch_of_no_images_must_still_fit_one() -> None:
    with pytest.raises(ValueError):
        conv2d(torch.ones(0, 1, 4, 4), torch.ones(1, 1, 2, 2), padding=10**6)


# --- Errors exactly where PyTorch errors -------------------------------------------

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
            w_shape[-2:] = [n + 30 for n in x_shape[-2:]]
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
    if breakage == "dilation 0" and X.numel() == 0:
        # PyTorch skips its dilation check on a batch of no images; convlab checks always.
        with pytest.raises(ValueError, match="dilation"):
            conv2d(X, W, bias, **case["args"])
        return
    try:
        expected = torch_conv2d(X, W, bias, **case["args"])
    except (RuntimeError, ValueError):
        with pytest.raises((ValueError, TypeError)):
            conv2d(X, W, bias, **case["args"])
    else:
        assert_close(conv2d(X, W, bias, **case["args"]), expected)
