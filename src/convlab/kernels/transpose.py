"""``conv_transpose2d``: each input cell scatters a scaled copy of the kernel.

Input cell (i, j) of channel c, times the kernels W[c], is a scaled copy of
them; the copy lands in the output with its tap (a, b) on cell
(i·s_h + a·d_h − p_h, j·s_w + b·d_w − p_w), and where copies overlap they add
up. That is a convolution read backwards: conv2d sums each window into one
output cell, conv_transpose2d spreads each cell over a window. So the gradient
of conv2d with respect to its input is a conv_transpose2d of the output's
gradient (``convlab.kernels.conv2d_backward``).

First each axis is cut down to the cells and taps that land in the output
(``scatter_axis``): copies cropped away by a huge padding cost nothing. Then one
of two layouts, chosen by size:

- col2im (small inputs): every cell times every kernel at once, one matrix
  product of the (C_out·k_h·k_w) × C_in matrix of kernels and the input as a
  C_in × (H·W) matrix, whose columns are the scaled copies; then a
  scatter-add, the transpose of conv2d's im2col. Along each axis the Python
  loop runs over the kernel taps or over the input cells, whichever are
  fewer: tap a of every copy lands on every s-th output row from its own
  start, cell i's copy covers every d-th row from its own start, so either way
  a step is one strided slice of the output and one ``add_``; a few products
  go in with one ``index_add_`` instead. The products are made a few images at
  a time so that they stay a few MB; when one image's are more than that (a
  huge kernel), each step makes only its own.
- one product per kernel tap (large inputs): the output split into its s_h·s_w
  phases (every s-th row and column from each start); within one phase the
  copies' tap (a, b) lands as in a stride-1 scatter, so with each image laid
  out row after row in a plane of the phase's size, one image after the other,
  tap (a, b)'s landing cells for every image are one contiguous block: one
  matrix product per tap (channels last: a row per cell) adds W's tap times the
  input there. With one input channel per group there is nothing to sum, and
  ``addcmul_`` adds the tap's weight times the input, a block of channels that
  fits in the cache at a time. The phases are then woven into the output.
"""

import functools
from typing import NamedTuple

import torch

from convlab.checks import (
    DILATED_DTYPES,
    Pair,
    as_pair,
    check_bias,
    check_dtype,
    check_groups,
    check_result_size,
    check_same_dtype,
    check_tensor,
)

IntOrPair = int | tuple[int, int]

# Largest block of products col2im makes at once, in elements: 8 MB of float32,
# as conv2d's im2col matrix.
PRODUCTS_LIMIT = 2**21
# The tap loop pays for its steps (a few microseconds each, and a copy of the
# output to weave the phases) when each tap reads at least this many input
# numbers per thread (images × channels × cells), or when col2im's products would
# not fit PRODUCTS_LIMIT; below, col2im costs less (measured on the benchmark's sweep).
TAP_WORK = 2**15
# The tap loop's matrix products run over planes with zeros around each image (its
# copies' overhang): worth it while the planes are at most this many times the image.
TAP_WASTE = 1.5
# col2im adds its products with one index_add_ while they are at most this many
# per step it would otherwise take (each step costs a few microseconds, index_add_
# about a nanosecond per number).
INDEX_ADDS = 2**13
# Bytes of running sums the depthwise tap loop gives each thread at a time: with
# the inputs they read, they fit in one core's level-2 cache (as in conv2d).
CACHE_BYTES = 2**19
# PyTorch computes these in float32 and rounds the result once.
HALF_FLOATS = (torch.float16, torch.bfloat16)
# PyTorch's transposed convolution on the CPU computes with floats and int64
# only, as its dilated convolution: "slow_conv_transpose2d" is not implemented
# for the narrower integer types.
TRANSPOSED_DTYPES = DILATED_DTYPES


def conv_transpose2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    groups: int = 1,
    dilation: IntOrPair = 1,
) -> torch.Tensor:
    """Transposed convolution, like ``torch.nn.functional.conv_transpose2d``.

    ``input`` is (C_in, H, W) or (N, C_in, H, W) (N may be 0); ``weight`` is
    (C_in, C_out/groups, k_h, k_w), input channels first as in PyTorch; ``bias``
    is (C_out,). The arguments, their names and their order are PyTorch's
    (``groups`` before ``dilation``). Each input cell scatters a copy of its
    kernels, scaled by its value, into the output; where copies overlap they add
    up. Each axis of the output has (n − 1)·s − 2p + d·(k − 1) + output_padding + 1
    cells: the copies span (n − 1)·s + d·(k − 1) + 1 cells, ``padding`` crops p
    from each end, ``output_padding`` adds cells at the end (bottom, right). It
    exists because a convolution with stride s gives the same output size for s
    input sizes in a row: it picks which one to give back, so, as PyTorch
    requires, it must be smaller than the stride or the dilation. ``padding`` is
    an int or a pair: PyTorch takes no ``'same'`` or ``'valid'`` here, and
    neither does convlab.

    dtypes follow PyTorch on the CPU: float32 and float64; float16 and bfloat16,
    computed in float32 and rounded once, as PyTorch does; int64. PyTorch
    refuses the narrower integer types, bool, float8 and the wider unsigned
    types here, and so does convlab; complex numbers are refused although
    PyTorch accepts them. input, weight and bias must share one dtype, as
    conv2d requires (PyTorch's conv_transpose2d lets a bias of another float
    dtype through; convlab refuses it).

    Where convlab differs: it refuses, before allocating, a result of more than
    2**31 numbers; it answers for arguments beyond PyTorch's 64-bit integers (a
    stride of 10**30 with a padding that crops the result to a few cells); it
    refuses a padding that crops every row or column (PyTorch refuses it with
    one group, and returns an empty result with several or with no images); it
    checks the dilation, ``output_padding`` and the dtype even for a batch of no
    images (PyTorch checks them only when there are images).
    """
    key = _call_key(input, weight, bias, stride, padding, output_padding, groups, dilation)
    checked = _CHECKED.get(key) if key is not None else None
    if checked is None:
        checked = _check(input, weight, bias, stride, padding, output_padding, groups, dilation)
        if key is not None:
            if len(_CHECKED) >= 1024:  # a few layers' worth: start again rather than grow
                _CHECKED.clear()
            _CHECKED[key] = checked
    stride, padding, dilation, groups, out, batched, dtype = checked

    X, W = (input, weight) if batched else (input.unsqueeze(0), weight)
    if dtype in HALF_FLOATS:
        X, W = X.float(), W.float()
        bias = None if bias is None else bias.float()
    Y = scatter_kernels(X, W, bias, stride, dilation, groups, padding, out)
    Y = Y if batched else Y.squeeze(0)
    return Y if Y.dtype == dtype else Y.to(dtype)


# Calls already checked, by ``_call_key``: a layer is called again and again with
# the same shapes and arguments, and checking them anew costs more than a small
# transposed convolution.
_CHECKED: dict[tuple, tuple] = {}


def _call_key(
    input: object,
    weight: object,
    bias: object,
    stride: object,
    padding: object,
    output_padding: object,
    groups: object,
    dilation: object,
) -> tuple | None:
    """What the checks depend on, when it is quick to tell (dense tensors, plain ints or
    pairs of them); None otherwise, and the call is checked in full."""
    tensors = (input, weight) if bias is None else (input, weight, bias)
    for tensor in tensors:
        if type(tensor) is not torch.Tensor or tensor.layout != torch.strided:
            return None
    for value in (stride, padding, output_padding, dilation):
        if type(value) is not int and not (
            type(value) is tuple and len(value) == 2 and all(type(v) is int for v in value)
        ):
            return None
    if type(groups) is not int:
        return None
    described = [(t.shape, t.dtype) for t in tensors]
    return (*described, stride, padding, output_padding, groups, dilation)


def _check(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    stride: object,
    padding: object,
    output_padding: object,
    groups: object,
    dilation: object,
) -> tuple:
    """Check every argument; return them normalised, with the output's size."""
    check_dtype(input, "input", "conv_transpose2d")
    check_tensor(input, "input", {3: "(C_in, H, W)", 4: "(N, C_in, H, W)"}, empty_batch=True)
    check_tensor(weight, "weight", {4: "(C_in, C_out/groups, k_h, k_w)"})
    stride = as_pair(stride, "stride", minimum=1)
    padding = as_pair(padding, "padding", minimum=0)
    output_padding = as_pair(output_padding, "output_padding", minimum=0)
    dilation = as_pair(dilation, "dilation", minimum=1)
    check_output_padding(output_padding, stride, dilation)
    *batch, c_in, height, width = input.shape
    w_in, c_group, k_h, k_w = weight.shape
    if c_in != w_in:
        raise ValueError(
            f"input: has {c_in} channels, but weight expects {w_in} "
            f"(weight.shape[0]: weight is (C_in, C_out/groups, k_h, k_w) here)"
        )
    groups = check_groups(groups, c_in, c_in)  # C_out = groups × weight.shape[1]: divides anyway
    c_out = c_group * groups
    check_bias(bias, c_out)
    dtype = check_same_dtype("conv_transpose2d", input=input, weight=weight, bias=bias)
    check_transposed_dtype(dtype)
    axes = zip((height, width), (k_h, k_w), stride, padding, dilation, output_padding, strict=True)
    out = tuple(transposed_size(*axis) for axis in axes)
    check_output_size(out, (height, width), (k_h, k_w), stride, padding, dilation, output_padding)
    # A batch of no images gives an empty result, as in PyTorch; one image must fit.
    check_result_size((max([1, *batch]), c_out, *out), "stride, dilation, output_padding")
    return stride, padding, dilation, groups, out, bool(batch), dtype


def transposed_size(n: int, k: int, s: int, p: int, d: int, output_padding: int) -> int:
    """Output length along one axis: (n − 1)·s − 2p + d·(k − 1) + output_padding + 1."""
    return (n - 1) * s - 2 * p + d * (k - 1) + output_padding + 1


def check_output_padding(output_padding: Pair, stride: Pair, dilation: Pair) -> None:
    """PyTorch's rule: on each axis, output_padding < stride or output_padding < dilation."""
    for o, s, d in zip(output_padding, stride, dilation, strict=True):
        if o >= s and o >= d:
            raise ValueError(
                f"output_padding: must be smaller than the stride or the dilation on each "
                f"axis, got output_padding {output_padding} with stride {stride} and "
                f"dilation {dilation} ({o} ≥ {s} and {o} ≥ {d})"
            )


def check_transposed_dtype(dtype: torch.dtype) -> None:
    """PyTorch's conv_transpose2d computes with floats and int64 only."""
    if dtype not in TRANSPOSED_DTYPES:
        raise TypeError(
            f"input: {dtype} tensors: PyTorch's conv_transpose2d computes with float and int64 "
            "tensors only and refuses this, so convlab does too; convert with .long() or .float()"
        )


def check_output_size(
    out: tuple[int, ...],
    size: Pair,
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    output_padding: Pair,
) -> None:
    """Each axis of the output needs a cell at least: the padding must not crop them all.

    PyTorch refuses such a call with one group ("Output size is too small") but
    returns an empty result with several groups or no images; convlab always
    refuses it.
    """
    names = ("height", "width")
    axes = zip(names, out, size, kernel, stride, padding, dilation, output_padding, strict=True)
    for axis, o, n, k, s, p, d, extra in axes:
        if o < 1:
            raise ValueError(
                f"padding: crops the whole output: its {axis} would be "
                f"(n − 1)·s − 2p + d·(k − 1) + output_padding + 1 = "
                f"({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {extra} + 1 = {o}, "
                "and each axis needs at least 1"
            )


# --- Where the copies land --------------------------------------------------------


class Step(NamedTuple):
    """One strided add of col2im's scatter along one axis.

    The loop runs over kernel taps (or input cells): this step is tap (cell)
    ``at``; it spreads over cells (taps) ``[lo, hi)``, which land on output
    positions ``first, first + every, ...``. Indices count from the first cell
    and tap kept (``Scatter``).
    """

    at: int
    lo: int
    hi: int
    first: int
    every: int

    @property
    def out(self) -> slice:
        """The output positions this step adds to."""
        return slice(self.first, self.first + self.every * (self.hi - self.lo - 1) + 1, self.every)


class Scatter(NamedTuple):
    """One axis of a transposed convolution: what lands in the output, and where.

    Input cells ``cells`` and kernel taps ``taps`` land in the output (the
    others only in the cropped padding); ``steps`` is col2im's scatter-add,
    looping over taps when ``over_taps`` and over cells otherwise; ``start`` is
    where the kept first cell's first tap lands, counted from the output's start
    (negative: before it, in the cropped padding).
    """

    over_taps: bool
    cells: range
    taps: range
    steps: tuple[Step, ...]
    start: int
    stride: int
    dilation: int


@functools.lru_cache(maxsize=4096)  # a layer is called again and again with the same shapes
def scatter_axis(n: int, k: int, stride: int, dilation: int, start: int, out: int) -> Scatter:
    """Plan the scatter along one axis of n cells and k taps.

    Cell i's tap j lands on output position i·s + j·d − ``start``; the output
    keeps positions [0, ``out``). The loop goes over the taps or over the cells,
    whichever are fewer; for each, the range of the other that lands in the
    output follows from plain integer arithmetic, exact however large the
    arguments.
    """
    s, d = stride, dilation
    over_taps = k <= n
    raw = []
    if over_taps:  # tap j: cells i with 0 ≤ i·s + j·d − start < out
        for j in range(k):
            lo = max(0, -((j * d - start) // s))
            hi = min(n, (start + out - 1 - j * d) // s + 1)
            if lo < hi:
                raw.append((j, lo, hi, lo * s + j * d - start, s))
    else:  # cell i: taps j, likewise
        for i in range(n):
            lo = max(0, -((i * s - start) // d))
            hi = min(k, (start + out - 1 - i * s) // d + 1)
            if lo < hi:
                raw.append((i, lo, hi, i * s + lo * d - start, d))
    if not raw:
        return Scatter(over_taps, range(0), range(0), (), 0, s, d)
    loop = range(raw[0][0], raw[-1][0] + 1)
    other = range(min(r[1] for r in raw), max(r[2] for r in raw))
    steps = tuple(
        # One position needs no distance (and a huge one would not fit PyTorch's slices).
        Step(
            at - loop.start, lo - other.start, hi - other.start, first, every if hi > lo + 1 else 1
        )
        for at, lo, hi, first, every in raw
    )
    cells, taps = (other, loop) if over_taps else (loop, other)
    start = cells.start * s + taps.start * d - start
    return Scatter(over_taps, cells, taps, steps, start, s, d)


def scatter_kernels(
    X: torch.Tensor,
    W: torch.Tensor,
    bias: torch.Tensor | None,
    stride: Pair,
    dilation: Pair,
    groups: int,
    start: Pair,
    out: Pair,
) -> torch.Tensor:
    """The transposed convolution of X (n, C_in, H, W) by W, cropped to a window.

    Cell (i, j)'s tap (a, b) lands on output cell (i·s_h + a·d_h − start_h,
    j·s_w + b·d_w − start_w); the output is (n, C_out, *out). ``conv_transpose2d``
    crops ``padding`` (start = p). The input gradient of a convolution crops its
    padding too, and may ask for cells no copy reaches (the last rows of the
    input, which no window of a strided convolution read): they stay 0.
    """
    n, c_group, k_h, k_w = X.shape[0], *W.shape[1:]
    c_out = c_group * groups
    keys = (
        (X.shape[-2], k_h, stride[0], dilation[0], start[0], out[0]),
        (X.shape[-1], k_w, stride[1], dilation[1], start[1], out[1]),
    )
    rows, cols = scatter_axis(*keys[0]), scatter_axis(*keys[1])
    Y = X.new_zeros(n, c_out, *out)
    if n and rows.steps and cols.steps:
        if len(rows.cells) < X.shape[-2] or len(cols.cells) < X.shape[-1]:  # cells cropped
            X = X[..., rows.cells.start : rows.cells.stop, cols.cells.start : cols.cells.stop]
        if len(rows.taps) < k_h or len(cols.taps) < k_w:  # taps cropped
            W = W[..., rows.taps.start : rows.taps.stop, cols.taps.start : cols.taps.stop]
        if _taps_pay(X, W, rows, cols, groups):
            _per_tap(Y, X, W, groups, stride, dilation, (rows.start, cols.start))
        else:
            _col2im(Y, X, W, rows, cols, groups, keys)
    else:  # nothing lands in the output: keep X and W in autograd's graph, with 0 added
        Y = Y + (X.flatten()[:0].sum() + W.flatten()[:0].sum())
    return Y if bias is None else Y.add_(bias.reshape(c_out, 1, 1))


def _taps_pay(X: torch.Tensor, W: torch.Tensor, rows: Scatter, cols: Scatter, groups: int) -> bool:
    """Whether the tap loop costs less than col2im, by the numbers each step moves."""
    n, c_in, h, w = X.shape
    c_group, k_h, k_w = W.shape[1:]
    if k_h * k_w > len(rows.steps) * len(cols.steps):
        return False  # a kernel larger than the input: col2im loops over the cells instead
    products = c_group * groups * k_h * k_w * h * w  # col2im's, per image
    if products > PRODUCTS_LIMIT:
        return True
    if c_in != groups:  # matrix products: on the phases' planes, zeros around each image
        planes = phase_axis(h, k_h, rows.stride, rows.dilation).length
        planes *= phase_axis(w, k_w, cols.stride, cols.dilation).length
        if planes > TAP_WASTE * h * w:
            return False
    return n * c_in * h * w >= TAP_WORK * torch.get_num_threads()


# --- col2im: the products, then their scatter-add ----------------------------------


def products(
    X: torch.Tensor, W: torch.Tensor, groups: int, one_product: bool = False
) -> torch.Tensor:
    """Every input cell times every kernel: (n, C_in, h, w) by W -> (n, C_out, k_h, k_w, h, w).

    Entry [m, o, a, b, i, j] is tap (a, b) of cell (i, j)'s scaled copy of kernel
    o: the sum over the group's input channels c of X[m, c, i, j]·W[c, o, a, b].
    One matrix product: the kernels as a (C_out·k_h·k_w) × C_in matrix (per
    group) times the input as a C_in × (h·w) matrix. With one input channel per
    group there is nothing to sum: the copies are plain products. With
    ``one_product`` (one group), the images' columns sit side by side in one
    C_in × (n·h·w) matrix, a copy of X, and the result is a view in another order:
    one large product runs faster than n small ones.
    """
    n, c_in, h, w = X.shape
    c_group, k_h, k_w = W.shape[1:]
    if c_in == groups:
        kernels = W.reshape(1, groups, c_group * k_h * k_w, 1)
        copies = kernels * X.reshape(n, groups, 1, h * w)
    elif groups == 1 and one_product and n > 1:
        columns = X.transpose(0, 1).reshape(c_in, n * h * w)
        copies = W.reshape(c_in, -1).t() @ columns  # (C_out·k_h·k_w, n·h·w)
        return copies.view(c_group, k_h, k_w, n, h, w).permute(3, 0, 1, 2, 4, 5)
    elif groups == 1:
        copies = W.reshape(c_in, -1).t() @ X.reshape(n, c_in, h * w)
    else:
        kernels = W.reshape(groups, c_in // groups, -1).transpose(1, 2)
        copies = kernels @ X.reshape(n, groups, c_in // groups, h * w)
    return copies.view(n, c_group * groups, k_h, k_w, h, w)


@functools.lru_cache(maxsize=256)
def landing_cells(rows_key: tuple, cols_key: tuple) -> torch.Tensor:
    """Where each of ``products``' entries lands: a flat output cell, or h_out·w_out if cropped.

    Entry (a, b, i, j) lands on row i·s_h + a·d_h + rows.start and column
    j·s_w + b·d_w + cols.start (counted from the first cell and tap kept).
    Keyed by the plain ints of ``scatter_axis``, quick to look up.
    """
    rows, cols = scatter_axis(*rows_key), scatter_axis(*cols_key)
    out = (rows_key[-1], cols_key[-1])
    ys = _landing(len(rows.cells), rows, out[0])  # (k_h, h)
    xs = _landing(len(cols.cells), cols, out[1])  # (k_w, w)
    cells = ys[:, None, :, None] * out[1] + xs[None, :, None, :]
    inside = (ys >= 0)[:, None, :, None] & (xs >= 0)[None, :, None, :]
    return torch.where(inside, cells, out[0] * out[1]).flatten()


def _landing(n: int, axis: Scatter, out: int) -> torch.Tensor:
    """Output position of each kept tap (rows) of each kept cell (columns), −1 if cropped.

    Plain integers first: a cropped position may be too large for int64.
    """
    s, d, start = axis.stride, axis.dilation, axis.start
    positions = [[i * s + j * d + start for i in range(n)] for j in range(len(axis.taps))]
    return torch.tensor([[y if 0 <= y < out else -1 for y in row] for row in positions])


def _col2im(
    Y: torch.Tensor,
    X: torch.Tensor,
    W: torch.Tensor,
    rows: Scatter,
    cols: Scatter,
    groups: int,
    keys: tuple[tuple, tuple],
) -> None:
    """Scatter-add the products, made for as many images at once as ``PRODUCTS_LIMIT`` allows.

    A few products go in with one ``index_add_`` (``landing_cells``); more, one
    strided ``add_`` per step, whose few microseconds are then worth paying.
    """
    n, _, h, w = X.shape
    per_image = W.shape[1] * groups * W.shape[2] * W.shape[3] * h * w
    steps = len(rows.steps) * len(cols.steps)
    if per_image > PRODUCTS_LIMIT:  # a huge kernel: each step makes only its own products
        for r in rows.steps:
            tap_r, cell_r = _select(r, rows.over_taps)
            for c in cols.steps:
                tap_c, cell_c = _select(c, cols.over_taps)
                block = products(
                    X[..., _part(cell_r), _part(cell_c)], W[..., _part(tap_r), _part(tap_c)], groups
                )
                block = block[..., _one(tap_r), _one(tap_c), _one(cell_r), _one(cell_c)]
                Y[..., r.out, c.out].add_(_rows_first(block, rows, cols))
        return
    images = max(1, PRODUCTS_LIMIT // per_image)
    for first in range(0, n, images):
        part, inputs = (
            (Y, X) if images >= n else (Y[first : first + images], X[first : first + images])
        )
        if per_image * part.shape[0] <= INDEX_ADDS * steps:
            # Cropped products land on one cell past the output's last, then dropped:
            # picking out the others first would cost more than copying the output.
            cells = landing_cells(*keys)
            flat = part.new_zeros(*part.shape[:2], part.shape[-2] * part.shape[-1] + 1)
            flat.index_add_(-1, cells, products(inputs, W, groups).flatten(-4))
            part.copy_(flat[..., :-1].view(part.shape))
            continue
        copies = products(inputs, W, groups, one_product=True)
        for r in rows.steps:
            tap_r, cell_r = _select(r, rows.over_taps)
            for c in cols.steps:
                tap_c, cell_c = _select(c, cols.over_taps)
                block = copies[..., tap_r, tap_c, cell_r, cell_c]
                part[..., r.out, c.out].add_(_rows_first(block, rows, cols))


def _select(step: Step, over_taps: bool) -> tuple[int | slice, int | slice]:
    """A step's (tap, cell) index along one axis: an int for the loop, a slice for the rest."""
    spread = slice(step.lo, step.hi)
    return (step.at, spread) if over_taps else (spread, step.at)


def _rows_first(block: torch.Tensor, rows: Scatter, cols: Scatter) -> torch.Tensor:
    """A step's block with its row axis before its column axis, as in the output.

    Indexing (tap_h, tap_w, cell_h, cell_w) keeps the two spread axes in that
    order: looping over the row taps and the column cells leaves the row cells
    after the column taps, so they are swapped back (a view).
    """
    return block.transpose(-1, -2) if rows.over_taps and not cols.over_taps else block


def _one(index: int | slice) -> int | slice:
    """The same index on an axis of length 1: 0 drops it, as an int drops the full axis."""
    return 0 if isinstance(index, int) else slice(None)


def _part(index: int | slice) -> slice:
    """The part of an axis an index reads, kept as an axis."""
    return index if isinstance(index, slice) else slice(index, index + 1)


# --- One product per tap, in the output's phases ----------------------------------


class Phases(NamedTuple):
    """One axis of the tap loop: the output split into phases, every s-th cell.

    Tap j of every cell lands in the phase of output cells ≡ j·d (mod s),
    ``residues[phase[j]]``, ``shift[j]`` = ⌊j·d / s⌋ cells further on than tap 0
    of the same input cell: within a phase, taps land as in a stride-1
    scatter. Each phase holds ``length`` cells.
    """

    residues: tuple[int, ...]
    phase: tuple[int, ...]
    shift: tuple[int, ...]
    length: int


@functools.lru_cache(maxsize=4096)
def phase_axis(n: int, k: int, stride: int, dilation: int) -> Phases:
    """The phases along one axis of n cells and k taps (only those a tap lands in)."""
    landing = [j * dilation % stride for j in range(k)]
    residues = sorted(set(landing))
    phase = tuple(residues.index(r) for r in landing)
    shift = tuple(j * dilation // stride for j in range(k))
    return Phases(tuple(residues), phase, shift, n + shift[-1])


def _per_tap(
    Y: torch.Tensor,
    X: torch.Tensor,
    W: torch.Tensor,
    groups: int,
    stride: Pair,
    dilation: Pair,
    start: Pair,
) -> None:
    """One product per kernel tap, added in place into the output's phases.

    Lay each phase out row after row, ``width`` cells a row, and the input
    likewise (zeros after its last column): tap (a, b)'s products for every cell
    are then one contiguous slice of its phase, and ``baddbmm_`` adds W's tap
    times the input there (the zeros past each input row add nothing where they
    wrap around). With one input channel per group, ``addcmul_`` adds the tap's
    weight times the input instead, for a block of channels whose sums fit in
    the cache at a time. Then the phases are woven into Y, whose first cell
    is ``start`` cells after (or before, if negative) where cell 0's tap 0 lands.
    """
    n, c_in, h, w = X.shape
    c_group, k_h, k_w = W.shape[1:]
    rows = phase_axis(h, k_h, stride[0], dilation[0])
    cols = phase_axis(w, k_w, stride[1], dilation[1])
    width = cols.length
    length, plane = (h - 1) * width + w, rows.length * width
    taps = [
        (
            a,
            b,
            (rows.phase[a] * len(cols.residues) + cols.phase[b]) * plane
            + rows.shift[a] * width
            + cols.shift[b],
        )
        for a in range(k_h)
        for b in range(k_w)
    ]
    # Each input plane's C_out/groups output planes, phase after phase.
    sums = X.new_zeros(n * groups, c_group, len(rows.residues) * len(cols.residues) * plane)
    if c_in == groups:
        X = torch.constant_pad_nd(X, (0, width - w)) if width > w else X
        inputs = X.reshape(n * groups, 1, h * width)[..., :length]
        weights = W.expand(n, *W.shape).reshape(n * groups, c_group, k_h, k_w)
        per_block = CACHE_BYTES * torch.get_num_threads() // (sums[0].numel() * sums.element_size())
        for first in range(0, n * groups, max(1, per_block)):
            block = slice(first, first + max(1, per_block))
            part, block_inputs, block_weights = sums[block], inputs[block], weights[block]
            for a, b, offset in taps:
                weight = block_weights[..., a, b, None]
                part[..., offset : offset + length].addcmul_(block_inputs, weight)
    else:
        _per_tap_products(sums, X, W, groups, rows, cols, taps)
        return _weave_phases(Y, sums, n, groups, rows, cols, stride, start, images_first=False)
    _weave_phases(Y, sums, n, groups, rows, cols, stride, start, images_first=True)


def _per_tap_products(
    sums: torch.Tensor,
    X: torch.Tensor,
    W: torch.Tensor,
    groups: int,
    rows: Phases,
    cols: Phases,
    taps: list[tuple[int, int, int]],
) -> None:
    """The tap loop's matrix products, every image in one product per tap and group.

    The images go one after the other, each in a plane of the phases' size (zeros
    around it), channels last: one row per cell, one column per channel. Tap
    (a, b)'s inputs for every image are then one contiguous block of rows, and
    ``baddbmm_`` adds them times W's tap (C_in/groups × C_out/groups per group)
    into the block of rows of ``sums`` (phases, groups, n·plane, C_out/groups)
    where that tap lands. An input cell's copy stays in its own image's plane;
    the zeros around the images land where they may and add nothing.
    """
    n, c_in, h, w = X.shape
    c_group = W.shape[1]
    plane = rows.length * cols.length
    padded = X.new_zeros(groups, n, rows.length, cols.length, c_in // groups)
    padded[:, :, :h, :w] = X.view(n, groups, c_in // groups, h, w).permute(1, 0, 3, 4, 2)
    inputs = padded.view(groups, n * plane, c_in // groups)
    sums = sums.view(-1, groups, n * plane, c_group)
    kernels = W.view(groups, c_in // groups, c_group, *W.shape[-2:])
    for a, b, offset in taps:
        phase, shift = divmod(offset, plane)
        sums[phase, :, shift:].baddbmm_(inputs[:, : n * plane - shift], kernels[..., a, b])


def _weave_phases(
    Y: torch.Tensor,
    sums: torch.Tensor,
    n: int,
    groups: int,
    rows: Phases,
    cols: Phases,
    stride: Pair,
    start: Pair,
    images_first: bool,
) -> None:
    """Copy each phase of ``sums`` into its every-s-th rows and columns of Y.

    ``sums`` holds (n, C_out, phases, plane) with ``images_first``, else
    (phases, groups, n, plane, C_out/groups); a plane is rows.length × cols.length.
    """
    width = cols.length
    phases = (len(rows.residues), len(cols.residues))
    # Both as (n, groups, C_out/groups, phase row, phase column, row, column).
    if images_first:
        woven = sums.view(n, groups, -1, *phases, rows.length, width)
    else:
        woven = sums.view(*phases, groups, n, rows.length, width, -1)
        woven = woven.permute(3, 2, 6, 0, 1, 4, 5)
    target = Y.view(n, groups, -1, *Y.shape[-2:])
    for i, r_h in enumerate(rows.residues):
        ys, qs = _weave(r_h, stride[0], start[0], Y.shape[-2], rows.length)
        for j, r_w in enumerate(cols.residues):
            xs, ps = _weave(r_w, stride[1], start[1], Y.shape[-1], width)
            if ys.stop > ys.start and xs.stop > xs.start:
                target[..., ys, xs].copy_(woven[..., i, j, qs, ps])


def _weave(residue: int, stride: int, start: int, out: int, length: int) -> tuple[slice, slice]:
    """Output positions [0, out) that phase cells q land on (q·s + residue + start), and those q."""
    q_lo = max(0, -((residue + start) // stride))
    q_hi = min(length, (out - 1 - residue - start) // stride + 1)
    if q_hi <= q_lo:
        return slice(0, 0), slice(0, 0)
    first, every = q_lo * stride + residue + start, stride if q_hi - q_lo > 1 else 1
    return slice(first, first + every * (q_hi - q_lo - 1) + 1, every), slice(q_lo, q_hi)
