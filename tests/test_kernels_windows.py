"""The ways of reaching the windows agree: per output cell, per kernel tap, by index.

And ``cut_axis`` keeps exactly what a brute-force walk over every (output cell,
kernel tap) pair finds reading the input.
"""

import itertools

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from convlab.kernels._windows import (
    cut_axis,
    flat_taps,
    gathered_im2col,
    im2col,
    pad2d,
    sliding_windows,
    tap_cells,
    unflatten,
)

X = torch.arange(2 * 3 * 11 * 13, dtype=torch.float64).reshape(2, 3, 11, 13)
SETTINGS = [
    ((3, 3), (1, 1), (1, 1)),
    ((2, 4), (2, 3), (1, 1)),
    ((3, 2), (3, 2), (2, 3)),
    ((5, 1), (1, 2), (2, 1)),
    ((2, 2), (20, 30), (1, 1)),  # a stride wider than the image: one output cell
    ((4, 3), (7, 4), (3, 5)),  # strides and dilations that share no factor
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
    taps = list(taps)
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


def test_flat_taps_never_pad_to_a_huge_stride() -> None:
    """A stride of 1000 on a 3×3 image has one output cell: no 1000×1000 phases."""
    image = torch.arange(9.0).reshape(1, 3, 3)
    taps, shape = flat_taps(image, (3, 3), (1000, 1000), (1, 1))
    taps = list(taps)
    assert shape == (1, 1, 3)
    assert [inputs.item() for _, _, inputs in taps] == list(range(9))
    for _, _, inputs in taps:
        assert inputs.untyped_storage().nbytes() <= image.untyped_storage().nbytes()


@pytest.mark.parametrize(("kernel", "stride", "dilation"), SETTINGS)
def test_flat_taps_phases_stay_within_twice_the_input_per_axis(kernel, stride, dilation) -> None:
    taps, _ = flat_taps(X, kernel, stride, dilation)
    storages = {inputs.untyped_storage().data_ptr(): inputs for _, _, inputs in taps}
    total = sum(inputs.untyped_storage().nbytes() for inputs in storages.values())
    assert total <= 4 * X.untyped_storage().nbytes()


def live_pairs(n, k, stride, dilation, before, after) -> set[tuple[int, int]]:
    """Every (output cell, tap) whose tap lands on the input, found by walking them all."""
    out = (n + before + after - dilation * (k - 1) - 1) // stride + 1
    return {
        (y, i) for y in range(out) for i in range(k) if 0 <= y * stride + i * dilation - before < n
    }


# (n, k, stride, dilation, before, after) for every small axis the kernel fits.
AXES = [
    (n, k, s, d, before, after)
    for n, k, s, d, before, after in itertools.product(
        range(1, 5), range(1, 4), range(1, 4), range(1, 4), (0, 3, 7), (0, 2, 6)
    )
    if d * (k - 1) + 1 <= n + before + after
]


def test_cut_axis_keeps_every_cell_and_tap_that_reads_the_input() -> None:
    """Brute force over small axes: what is cut reads only padding; what is kept reads
    the same input cells as in the uncut convolution."""
    for n, k, stride, dilation, before, after in AXES:
        cut = cut_axis(n, k, stride, dilation, before, after)
        assert cut.out == (n + before + after - dilation * (k - 1) - 1) // stride + 1
        live = live_pairs(n, k, stride, dilation, before, after)
        if cut.count == 0:
            assert not live
            continue
        for y, i in live:
            assert cut.first <= y < cut.first + cut.count
            assert cut.tap <= i < cut.tap + cut.taps
        assert cut.padded == (cut.count - 1) * cut.stride + (cut.taps - 1) * cut.dilation + 1
        for y, i in itertools.product(range(cut.count), range(cut.taps)):
            # Position in the cut stretch; inside its input part it must be the same cell.
            at = y * cut.stride + i * cut.dilation - cut.before
            cell = (y + cut.first) * stride + (i + cut.tap) * dilation - before
            if 0 <= at < cut.hi - cut.lo:
                assert cell == cut.lo + at
            else:
                assert not 0 <= cell < n
        kept = (cut.count, cut.taps, cut.before, cut.after, cut.stride)
        assert cut.whole == (kept == (cut.out, k, before, after, stride))


@given(
    n=st.integers(1, 10**40),
    k=st.integers(1, 5),
    stride=st.integers(1, 10**40),
    dilation=st.integers(1, 10**40),
    before=st.integers(0, 10**40),
    after=st.integers(0, 10**40),
)
def test_cut_axis_takes_huge_ints_and_stays_within_the_input(
    n, k, stride, dilation, before, after
) -> None:
    """Plain integer arithmetic: no overflow, and the kept stretch is the input's."""
    if dilation * (k - 1) + 1 > n + before + after:
        return
    cut = cut_axis(n, k, stride, dilation, before, after)
    assert cut.out >= 1
    if cut.count:
        assert 0 <= cut.lo < cut.hi <= n
        assert cut.first + cut.count <= cut.out and cut.tap + cut.taps <= k
        assert cut.stride == stride or cut.count == 1
        assert cut.dilation == dilation or cut.taps == 1


def test_cut_axis_of_the_huge_padding_and_stride_example() -> None:
    # 2 cells, padding 10⁵, stride 10⁵, a 1-tap kernel: cells 0, 1, 2 start at
    # −10⁵, 0 and 10⁵. Only the middle one reads the input (its cell 0).
    cut = cut_axis(2, 1, 10**5, 1, 10**5, 10**5)
    assert (cut.out, cut.first, cut.count, cut.lo, cut.hi, cut.before, cut.after) == (
        3,
        1,
        1,
        0,
        1,
        0,
        0,
    )


@pytest.mark.parametrize(("kernel", "stride", "dilation"), SETTINGS)
@pytest.mark.parametrize("padding", [(0, 0, 0, 0), (1, 2, 3, 0), (9, 9, 14, 14)])
def test_gathered_im2col_is_im2col_of_the_padded_input(kernel, stride, dilation, padding) -> None:
    padded = pad2d(X, padding)
    h_out = (padded.shape[-2] - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    w_out = (padded.shape[-1] - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    if h_out < 1 or w_out < 1:
        return
    rows = tap_cells(11, kernel[0], stride[0], dilation[0], padding[0], h_out)
    cols = tap_cells(13, kernel[1], stride[1], dilation[1], padding[2], w_out)
    expected = im2col(padded, kernel, stride, dilation)
    assert torch.equal(gathered_im2col(X, rows, cols), expected)


def test_tap_cells_with_astronomical_padding() -> None:
    # Taps 10³⁰ apart, padding 10³⁰, stride 10³⁰, 2 input cells: output cell 0's
    # second tap and output cell 1's first tap land on input cell 0.
    huge = 10**30
    cells = tap_cells(2, 2, huge, huge, huge, 2)
    assert cells.tolist() == [[2, 0], [0, 2]]  # 2 = "padding"
