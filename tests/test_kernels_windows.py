"""The three ways of reaching the windows agree: per output cell, per axis, per kernel tap."""

import pytest
import torch

from convlab.kernels._windows import flat_taps, sliding_windows, unflatten, windows_along

X = torch.arange(2 * 3 * 11 * 13, dtype=torch.float64).reshape(2, 3, 11, 13)
SETTINGS = [
    ((3, 3), (1, 1), (1, 1)),
    ((2, 4), (2, 3), (1, 1)),
    ((3, 2), (3, 2), (2, 3)),
    ((5, 1), (1, 2), (2, 1)),
]


@pytest.mark.parametrize(("kernel", "stride", "dilation"), SETTINGS)
def test_windows_are_the_cells_of_the_definition(kernel, stride, dilation) -> None:
    windows = sliding_windows(X, kernel, stride, dilation)
    h_out, w_out = windows.shape[2:4]
    assert h_out == (11 - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    assert w_out == (13 - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    for y, x, i, j in [(0, 0, 0, 0), (h_out - 1, w_out - 1, kernel[0] - 1, kernel[1] - 1)]:
        row, col = y * stride[0] + i * dilation[0], x * stride[1] + j * dilation[1]
        assert torch.equal(windows[..., y, x, i, j], X[..., row, col])


@pytest.mark.parametrize(("kernel", "stride", "dilation"), SETTINGS)
def test_flat_taps_are_the_windows_taps(kernel, stride, dilation) -> None:
    windows = sliding_windows(X, kernel, stride, dilation)
    taps, shape = flat_taps(X, kernel, stride, dilation)
    assert shape[:2] == windows.shape[2:4]
    assert [(i, j) for i, j, _ in taps] == [
        (i, j) for i in range(kernel[0]) for j in range(kernel[1])
    ]
    for i, j, inputs in taps:
        assert torch.equal(unflatten(inputs, shape), windows[..., i, j])


def test_flat_taps_copy_nothing_with_stride_one() -> None:
    taps, _ = flat_taps(X, (3, 3), (1, 1), (1, 1))
    for _, _, inputs in taps:
        assert inputs.untyped_storage().data_ptr() == X.untyped_storage().data_ptr()


@pytest.mark.parametrize(("kernel", "stride", "dilation"), SETTINGS)
def test_windows_along_both_axes_are_the_windows(kernel, stride, dilation) -> None:
    windows = sliding_windows(X, kernel, stride, dilation)
    rows = windows_along(X, -2, kernel[0], stride[0], dilation[0])  # (..., H', W, k_h)
    both = windows_along(rows, -2, kernel[1], stride[1], dilation[1])  # (..., H', W', k_h, k_w)
    assert torch.equal(both, windows)
