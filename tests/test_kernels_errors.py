"""Bad input: each rule raises ValueError/TypeError naming the argument and numbers.

Each test covers one rule, parametrised over the functions that enforce it. A
case is (call, fragments): the message must contain every fragment.
"""

from collections.abc import Callable

import numpy as np
import pytest
import torch

from convlab.kernels import (
    avg_pool2d,
    conv2d,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out_1x1,
    corr2d_multi_out,
    max_pool2d,
    output_size,
    pool2d,
)

ones = torch.ones
X = ones(2, 4, 4)  # (C, H, W) with 2 channels
W = ones(3, 2, 3, 3)  # 3 output channels, 2 input channels, 3×3 kernels
K = ones(2, 2)

Case = tuple[Callable[[], object], list[str]]


def check(error: type[Exception], case: Case) -> None:
    call, fragments = case
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from {message!r}"


def cases(*items: Case) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", items)


@cases(
    (
        lambda: conv2d(ones(1, 4, 4), ones(1, 1, 5, 5)),
        ["W", "5×5", "4×4", "height has 5 > 4"],
    ),
    (
        lambda: conv2d(ones(1, 4, 4), ones(1, 1, 3, 3), padding=(0, 1), dilation=(1, 3)),
        ["W", "3×3, dilated to 3×7", "padded input (4×6)", "width has 7 > 6"],
    ),
    (lambda: corr2d(ones(2, 3), ones(3, 3)), ["K", "3×3", "2×3", "height has 3 > 2"]),
    (
        lambda: corr2d_multi_in(ones(2, 3, 3), ones(2, 2, 4)),
        ["K", "2×4", "3×3", "4 > 3"],
    ),
    (lambda: corr2d_multi_out(ones(2, 3, 3), ones(1, 2, 4, 1)), ["K", "4×1", "4 > 3"]),
    (lambda: pool2d(ones(2, 2), 3), ["pool_size", "3×3", "2×2", "3 > 2"]),
    (
        lambda: max_pool2d(ones(1, 2, 2), 3, padding=1, dilation=2),
        ["kernel_size", "dilated to 5×5", "4×4", "5 > 4"],
    ),
    (lambda: avg_pool2d(ones(1, 2, 5), 3), ["kernel_size", "3×3", "2×5", "3 > 2"]),
    (lambda: output_size(4, 5), ["kernel_size", "5×5", "4×4", "5 > 4"]),
    (lambda: output_size((9, 4), 3, dilation=(1, 2)), ["kernel_size", "3×5", "5 > 4"]),
)
def test_kernel_larger_than_padded_input(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: conv2d(X, W, stride=0), ["stride", "≥ 1", "0"]),
    (lambda: max_pool2d(X, 2, stride=(1, 0)), ["stride", "≥ 1", "(1, 0)"]),
    (lambda: avg_pool2d(X, 2, stride=-1), ["stride", "≥ 1", "-1"]),
    (lambda: output_size(8, 3, stride=0), ["stride", "≥ 1", "0"]),
)
def test_stride_below_one(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: conv2d(X, W, dilation=0), ["dilation", "≥ 1", "0"]),
    (lambda: max_pool2d(X, 2, dilation=(0, 1)), ["dilation", "≥ 1", "(0, 1)"]),
    (lambda: output_size(8, 3, dilation=-2), ["dilation", "≥ 1", "-2"]),
)
def test_dilation_below_one(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: conv2d(X, W, padding=-1), ["padding", "≥ 0", "-1"]),
    (lambda: conv2d(X, W, padding=(1, -2)), ["padding", "≥ 0", "(1, -2)"]),
    (lambda: avg_pool2d(X, 2, padding=-1), ["padding", "≥ 0", "-1"]),
    (lambda: output_size(8, 3, padding=-1), ["padding", "≥ 0", "-1"]),
)
def test_negative_padding(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: conv2d(X, W, groups=0), ["groups", "≥ 1", "0"]),
    (
        lambda: conv2d(ones(4, 5, 5), ones(6, 1, 3, 3), groups=3),
        ["groups", "3", "4 input"],
    ),
    (
        lambda: conv2d(ones(4, 5, 5), ones(3, 2, 3, 3), groups=2),
        ["groups", "2", "3 output"],
    ),
)
def test_groups_below_one_or_not_dividing_the_channels(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: corr2d(ones(1, 3, 3), K), ["X", "2-D", "got 3-D", "(1, 3, 3)"]),
    (lambda: corr2d(ones(3, 3), ones(1, 2, 2)), ["K", "2-D", "got 3-D", "(1, 2, 2)"]),
    (lambda: pool2d(ones(1, 4, 4), 2), ["X", "2-D", "got 3-D"]),
    (lambda: conv2d(ones(4, 4), W), ["X", "3-D", "4-D", "got 2-D", "(4, 4)"]),
    (lambda: conv2d(ones(1, 1, 2, 4, 4), W), ["X", "3-D", "4-D", "got 5-D"]),
    (lambda: conv2d(X, ones(2, 3, 3)), ["W", "4-D", "got 3-D", "(2, 3, 3)"]),
    (lambda: corr2d_multi_in(X, ones(1, 2, 2, 2)), ["K", "3-D", "got 4-D"]),
    (lambda: corr2d_multi_in(ones(4, 4), ones(2, 2)), ["X", "3-D", "got 2-D"]),
    (lambda: corr2d_multi_out(X, ones(2, 2, 2)), ["K", "4-D", "got 3-D"]),
    (lambda: corr2d_multi_in_out_1x1(X, ones(2, 1, 1)), ["K", "4-D", "got 3-D"]),
    (lambda: max_pool2d(ones(4, 4), 2), ["X", "3-D", "4-D", "got 2-D"]),
    (lambda: avg_pool2d(ones(1, 1, 1, 4, 4), 2), ["X", "3-D", "4-D", "got 5-D"]),
)
def test_wrong_number_of_dimensions(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: conv2d(ones(4, 5, 5), W), ["X", "4 channels", "expects 2", "2 × 1"]),
    (
        lambda: conv2d(ones(4, 5, 5), ones(6, 3, 3, 3), groups=2),
        ["X", "4 channels", "expects 6", "W.shape[1] × groups = 3 × 2"],
    ),
    (
        lambda: corr2d_multi_in(X, ones(3, 2, 2)),
        ["X", "2 channels", "expects 3", "K.shape[0]"],
    ),
    (
        lambda: corr2d_multi_out(X, ones(1, 3, 2, 2)),
        ["X", "2 channels", "expects 3", "K.shape[1]"],
    ),
    (
        lambda: corr2d_multi_in_out_1x1(X, ones(1, 3, 1, 1)),
        ["X", "2 channels", "expects 3"],
    ),
)
def test_channel_mismatch(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: conv2d(X, W, bias=ones(2)), ["bias", "(3,)", "got (2,)"]),
    (lambda: conv2d(X, W, bias=ones(3, 1)), ["bias", "1-D", "got 2-D", "(3, 1)"]),
)
def test_bias_shape(case: Case) -> None:
    check(ValueError, case)


@cases(
    (
        lambda: conv2d(X, W, padding="same", stride=2),
        ["padding", "'same'", "stride 1", "(2, 2)"],
    ),
    (
        lambda: conv2d(X, W, padding="same", stride=(1, 3)),
        ["padding", "'same'", "(1, 3)"],
    ),
)
def test_same_padding_with_stride(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: conv2d(X, W, padding="full"), ["padding", "'full'", "'valid'", "'same'"]),
    (lambda: conv2d(X, W, padding="SAME"), ["padding", "'SAME'"]),
)
def test_unknown_padding_string(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: pool2d(ones(3, 3), 2, mode="avg"), ["mode", "'avg'", "'max'", "'mean'"]),
    (lambda: pool2d(ones(3, 3), 2, mode="MAX"), ["mode", "'MAX'"]),
)
def test_unknown_pool_mode(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: conv2d(X, W, stride=(1, 2, 3)), ["stride", "(1, 2, 3)", "length 3"]),
    (lambda: conv2d(X, W, padding=[1]), ["padding", "(1,)", "length 1"]),
    (lambda: max_pool2d(X, (2,)), ["kernel_size", "(2,)", "length 1"]),
    (lambda: pool2d(ones(3, 3), (1, 1, 1)), ["pool_size", "length 3"]),
    (lambda: output_size((8, 8, 8), 3), ["n", "(8, 8, 8)", "length 3"]),
)
def test_pair_of_wrong_length(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: corr2d(ones(0, 3), K), ["X", "empty", "(0, 3)"]),
    (lambda: corr2d(ones(3, 3), ones(2, 0)), ["K", "empty", "(2, 0)"]),
    (lambda: conv2d(ones(2, 0, 4), W), ["X", "empty", "(2, 0, 4)"]),
    (lambda: conv2d(X, ones(0, 2, 3, 3)), ["W", "empty", "(0, 2, 3, 3)"]),
    (lambda: max_pool2d(ones(1, 4, 0, 4), 2), ["X", "empty", "(1, 4, 0, 4)"]),
    (lambda: conv2d(ones(0, 0, 4, 4), W), ["X", "empty", "(0, 0, 4, 4)"]),
    (lambda: conv2d(ones(2, 2, 4, 0), W), ["X", "empty", "(2, 2, 4, 0)"]),
    (lambda: corr2d_multi_in(ones(0, 3, 3), ones(0, 2, 2)), ["X", "empty"]),
)
def test_empty_tensors(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: max_pool2d(ones(1, 6, 6), 3, padding=2), ["padding", "(3, 3)", "2 > 3/2"]),
    (
        lambda: avg_pool2d(ones(1, 6, 6), (4, 2), padding=(1, 2)),
        ["padding", "(1, 2)", "(4, 2)", "width has 2 > 2/2"],
    ),
)
def test_pool_padding_more_than_half_the_kernel(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: corr2d_multi_in_out_1x1(X, ones(1, 2, 2, 2)), ["K", "1×1", "got 2×2"]),
    (lambda: corr2d_multi_in_out_1x1(X, ones(1, 2, 1, 3)), ["K", "1×1", "got 1×3"]),
)
def test_1x1_shortcut_needs_a_1x1_kernel(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: output_size(0, 1), ["n", "≥ 1", "0"]),
    (lambda: output_size(5, (3, 0)), ["kernel_size", "≥ 1", "(3, 0)"]),
    (lambda: max_pool2d(X, 0), ["kernel_size", "≥ 1", "0"]),
    (lambda: pool2d(ones(3, 3), 0), ["pool_size", "≥ 1", "0"]),
)
def test_sizes_below_one(case: Case) -> None:
    check(ValueError, case)


@cases(
    (lambda: conv2d(X, W, stride=1.5), ["stride", "float", "1.5"]),
    (lambda: conv2d(X, W, stride=True), ["stride", "bool", "True"]),
    (lambda: conv2d(X, W, dilation=(1, 2.0)), ["dilation", "(1, 2.0)"]),
    (lambda: conv2d(X, W, padding=None), ["padding", "NoneType"]),
    (lambda: conv2d(X, W, groups=1.0), ["groups", "float", "1.0"]),
    (lambda: conv2d(X, W, groups=True), ["groups", "bool", "True"]),
    (lambda: max_pool2d(X, 2.0), ["kernel_size", "float", "2.0"]),
    (lambda: output_size(8.0, 3), ["n", "float", "8.0"]),
    (lambda: pool2d(ones(3, 3), 2, mode=None), ["mode", "NoneType"]),
)
def test_wrong_type_of_argument(case: Case) -> None:
    check(TypeError, case)


@cases(
    (lambda: corr2d([[1, 2], [3, 4]], K), ["X", "torch.Tensor", "list"]),
    (lambda: corr2d(np.ones((3, 3)), K), ["X", "torch.Tensor", "ndarray"]),
    (lambda: conv2d(X, "W"), ["W", "torch.Tensor", "str"]),
    (lambda: conv2d(X, W, bias=[1.0, 2.0, 3.0]), ["bias", "torch.Tensor", "list"]),
    (lambda: max_pool2d(None, 2), ["X", "torch.Tensor", "NoneType"]),
    (lambda: corr2d(ones(3, 3, dtype=torch.bool), K), ["X", "torch.bool"]),
    (lambda: corr2d(ones(3, 3), K.to(torch.uint16)), ["K", "torch.uint16", "int64"]),
    (lambda: corr2d_multi_in(X.to(torch.float8_e5m2), ones(2, 2, 2)), ["X", "float8"]),
    (lambda: conv2d(X.to(torch.complex64), W), ["X", "torch.complex64", "PyTorch", "accepts"]),
    (lambda: conv2d(X.bool(), W.bool()), ["X", "torch.bool", "PyTorch's conv2d refuses it too"]),
    (lambda: conv2d(X, W.to(torch.uint32)), ["W", "torch.uint32"]),
    (lambda: conv2d(X.to_sparse(), W), ["X", "dense", "sparse"]),
)
def test_not_a_tensor_of_real_numbers(case: Case) -> None:
    check(TypeError, case)


@cases(
    (lambda: conv2d(X, W.double()), ["W", "torch.float64", "X's torch.float32", "mixed"]),
    (lambda: conv2d(X, W, bias=ones(3).half()), ["bias", "torch.float16", "torch.float32"]),
    (lambda: conv2d(X.int(), W.int(), dilation=2), ["dilation", "torch.int32", "int64"]),
)
def test_what_pytorch_refuses_too(case: Case) -> None:
    check(TypeError, case)


@cases(
    (
        lambda: conv2d(X, W, padding=10**5),
        ["padding, stride, dilation", "3×200002×200002", "2147483648", "refused before allocating"],
    ),
    (lambda: conv2d(ones(0, 2, 4, 4), W, padding=10**5), ["1×3×200002×200002"]),
)
def test_results_too_big_to_compute(case: Case) -> None:
    check(ValueError, case)


def test_valid_numpy_ints_are_accepted() -> None:
    """Arguments computed with numpy are ints too; only bools and floats are refused."""
    assert conv2d(X, W, stride=np.int64(2)).shape == (3, 1, 1)
    assert conv2d(X, W, padding=(np.uint8(1), np.int16(0))).shape == (3, 4, 2)
    assert output_size(np.int64(8), 3) == 6


def test_a_batch_of_no_images_is_not_empty_input() -> None:
    """PyTorch answers a batch of no images with no outputs, and so does conv2d."""
    assert conv2d(ones(0, 2, 4, 4), W).shape == (0, 3, 2, 2)
