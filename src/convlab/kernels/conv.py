"""``conv2d``: the convolution layer of a CNN, vectorised.

First each axis is cut down to what the windows read (``cut_axis``): an output
cell whose window lies wholly in the padding is just the bias, a kernel tap
that only ever meets padding is dropped, and only the padding the remaining
windows reach is added. So a huge padding, stride or dilation costs nothing.
Then one of four layouts, chosen by shape and groups, as a library does:

- im2col (the default): copy every window into a column of a matrix and
  multiply it by the matrix of kernels: one matrix product computes every
  output. Groups are one more batch axis of that product. The matrix is made
  a few images (or, for huge kernels, a few output rows) at a time, so that it
  stays a few MB, as PyTorch's own fallback does.
- one product per kernel tap (large inputs): the same sum cut into k_h·k_w
  matrix products on shifted views of the input, so nothing is copied; the
  k_h·k_w-fold copy of im2col would cost more than the arithmetic.
- depthwise (one input channel per group): no matrix product to speak of, so
  sum the k_h·k_w kernel taps, each a scaled shifted view.
- gathered im2col (padding far larger than the input, e.g. with a dilation
  wider than the image): the same matrix, read by index from the input, so
  that no padded copy is made.

Each Python step of the two tap loops costs a few microseconds, so they are
used only when each tap has enough work to pay for it; a huge kernel on a small
input goes to im2col instead.
"""

from collections.abc import Callable, Iterator

import torch

from convlab.checks import (
    Pair,
    as_pair,
    check_bias,
    check_channels,
    check_dilated_dtype,
    check_dtype,
    check_fits,
    check_groups,
    check_result_size,
    check_same_dtype,
    check_tensor,
    conv_padding,
)

from ._windows import (
    AxisCut,
    cut_axis,
    flat_shape,
    flat_taps,
    gathered_im2col,
    im2col,
    pad2d,
    tap_cells,
    unflatten,
)

IntOrPair = int | tuple[int, int]

# Largest im2col matrix made at once, in elements (C·k_h·k_w per output cell,
# times the cells and images done at once): 8 MB of float32, as PyTorch's own
# fallback goes image by image.
IM2COL_LIMIT = 2**21
# One image's im2col matrix is worth copying while it holds at most this many
# numbers per output channel of a group: the product then does enough with each
# copied number. Beyond, the k_h·k_w products on shifted views of the image,
# which copy nothing, cost less (measured on the benchmark's sweep).
COPY_PER_OUTPUT = 2**15
# A tap loop pays for its Python step of a few microseconds per tap when each
# tap touches TAP_WORK numbers (images × channels × output cells) per thread, or
# an eighth of that when im2col's copy would be COPY_RUNS short rows per thread
# or more (one per image, channel, tap and output row), each with a cost of its
# own. Below, im2col costs less (measured on the benchmark's sweep).
TAP_WORK = 2**15
COPY_RUNS = 12_000
# Bytes of running sums the depthwise loop gives each thread at a time: with
# the inputs they read, they fit in one core's level-2 cache.
CACHE_BYTES = 2**19
# Padding that would make the padded input more than this many times both im2col's
# matrix and the numbers the call reads and writes is left out: the matrix is
# then gathered by index.
PADDING_WASTE = 4
# PyTorch computes these in float32 and rounds the result once.
HALF_FLOATS = (torch.float16, torch.bfloat16)


def conv2d(
    X: torch.Tensor,
    W: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> torch.Tensor:
    """Cross-correlate X with the kernels W, like ``torch.nn.functional.conv2d``.

    X is (C, H, W) or (N, C, H, W) (N may be 0); W is (C_out, C/groups, k_h, k_w);
    bias is (C_out,). ``padding`` is an int, a pair, ``'valid'`` (no padding) or
    ``'same'`` (output as large as the input; needs stride 1). The output is
    (C_out, H', W') or (N, C_out, H', W') with H' = ``output_size(H, k_h, ...)``.

    dtypes follow PyTorch on the CPU: float32 and float64; float16 and bfloat16,
    computed in float32 and rounded once, as PyTorch does; int8 to int64 and
    uint8, whose sums wrap around as PyTorch's do (PyTorch dilates none of them but
    int64, and convlab refuses the same dilations). X, W and bias must share one
    dtype: PyTorch refuses to mix them, and so does convlab. bool, float8 and the
    unsigned types wider than 8 bits are refused, as PyTorch does; complex numbers
    are refused although PyTorch accepts them.

    Where convlab differs: it refuses, before allocating, a result of more than
    2**31 numbers (PyTorch tries and runs out of memory); it answers for
    arguments beyond PyTorch's 64-bit integers (a stride of 10**30 on a single
    output cell); it refuses a dilation of 0 even for a batch of no images
    (PyTorch checks it only when there are images). Padding cells are zeros
    that may be skipped, so where a window covers padding and a weight is
    infinite or NaN the output may be the sum without those zeros, not NaN
    (0·∞): PyTorch's own answer there depends on which of its kernels runs.
    """
    check_dtype(X, "X", "conv2d")
    check_tensor(X, "X", {3: "(C, H, W)", 4: "(N, C, H, W)"}, empty_batch=True)
    check_tensor(W, "W", {4: "(C_out, C_in/groups, k_h, k_w)"})
    stride = as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    c_out, c_group, k_h, k_w = W.shape
    pads = conv_padding(padding, (k_h, k_w), stride, dilation)
    *batch, c_in, height, width = X.shape
    groups = check_groups(groups, c_in, c_out)
    check_channels(c_in, c_group * groups, f"W.shape[1] × groups = {c_group} × {groups}")
    check_bias(bias, c_out)
    dtype = check_same_dtype("conv2d", X=X, W=W, bias=bias)
    if X.numel():  # PyTorch answers a batch of no images without dilating anything
        check_dilated_dtype(dtype, dilation, "conv2d")
    rows = cut_axis(height, k_h, stride[0], dilation[0], pads[0], pads[1])
    cols = cut_axis(width, k_w, stride[1], dilation[1], pads[2], pads[3])
    if rows.out < 1 or cols.out < 1:  # the kernel does not fit: say where
        padded = (pads[0] + pads[1], pads[2] + pads[3])
        check_fits("W", (k_h, k_w), (height, width), padded, dilation)
    # A batch of no images gives an empty result, as in PyTorch; one image must fit.
    check_result_size((max([1, *batch]), c_out, rows.out, cols.out), "padding, stride, dilation")

    X = X if batch else X.unsqueeze(0)
    if dtype in HALF_FLOATS:
        X, W = X.float(), W.float()
        bias = None if bias is None else bias.float()
    if rows.whole and cols.whole and X.shape[0]:  # nothing to cut: the common case
        out, dilation = (rows.out, cols.out), (rows.dilation, cols.dilation)
        Y = _convolve(X, W, bias, pads, stride, dilation, groups, out)
    else:
        Y = _convolve_cut(X, W, bias, rows, cols, groups)
    Y = Y if batch else Y.squeeze(0)
    return Y if Y.dtype == dtype else Y.to(dtype)


def _convolve_cut(
    X: torch.Tensor,
    W: torch.Tensor,
    bias: torch.Tensor | None,
    rows: AxisCut,
    cols: AxisCut,
    groups: int,
) -> torch.Tensor:
    """Convolve only what the windows read; the cells that read padding only get the bias."""
    n, c_out = X.shape[0], W.shape[0]
    every_cell = rows.count == rows.out and cols.count == cols.out
    if n and rows.count and cols.count:
        X = X[..., rows.lo : rows.hi, cols.lo : cols.hi]
        W = W[..., rows.tap : rows.tap + rows.taps, cols.tap : cols.tap + cols.taps]
        pads = (rows.before, rows.after, cols.before, cols.after)
        stride, dilation = (rows.stride, cols.stride), (rows.dilation, cols.dilation)
        out = (rows.count, cols.count)
        Y = _convolve(X, W, bias if every_cell else None, pads, stride, dilation, groups, out)
        if every_cell:
            return Y
    else:  # no output cell reads the input: keep X and W in autograd's graph, with 0 added
        Y = X.flatten()[:0].sum() + W.flatten()[:0].sum()
    full = Y.new_zeros(n, c_out, rows.out, cols.out)
    if Y.dim():
        full[..., rows.first : rows.first + rows.count, cols.first : cols.first + cols.count] = Y
    else:
        full = full + Y
    return full if bias is None else full + bias.reshape(c_out, 1, 1)


def _convolve(
    X: torch.Tensor,
    W: torch.Tensor,
    bias: torch.Tensor | None,
    pads: tuple[int, int, int, int],
    stride: Pair,
    dilation: Pair,
    groups: int,
    out: Pair,
) -> torch.Tensor:
    """Pick the layout for X (n, c, h, w) surrounded by ``pads`` zeros, whose output
    is ``out`` (h' × w'). Returns (n, c_out, h', w')."""
    n, c, h, w = X.shape
    c_out, c_group, k_h, k_w = W.shape
    taps, cells = k_h * k_w, out[0] * out[1]
    columns = c * taps * cells  # numbers im2col copies per image
    if any(pads):
        # Padding worth leaving out: more numbers than PADDING_WASTE times both
        # the column matrix and what the call reads and writes.
        padded = n * c * (h + pads[0] + pads[1]) * (w + pads[2] + pads[3])
        if padded > PADDING_WASTE * max(n * columns, X.numel() + n * c_out * cells + W.numel()):
            return _gathered(X, W, bias, pads, stride, dilation, groups, out)
        X = pad2d(X, pads)
    work = n * c * cells  # numbers each kernel tap touches
    threads = torch.get_num_threads() if taps > 1 else 1
    if taps > 1 and 8 * work >= TAP_WORK * threads:  # possibly enough work for a tap loop
        if c_group == 1 and c_out == groups:  # depthwise: output channel o reads input channel o
            if work >= TAP_WORK * threads or n * c * taps * out[0] >= COPY_RUNS * threads:
                return _depthwise(X, W, bias, stride, dilation)
        elif columns > COPY_PER_OUTPUT * (c_out // groups):
            return _per_tap(X, W, bias, stride, dilation, groups)
    kernel = (k_h, k_w)
    if n * columns <= IM2COL_LIMIT:  # the whole batch at once: no parts to pay for
        return _product(W, im2col(X, kernel, stride, dilation), bias, groups, out)
    span = (dilation[0] * (k_h - 1) + 1, dilation[1] * (k_w - 1) + 1)

    def columns_of(images: slice, ys: range, xs: range) -> torch.Tensor:
        # The rows and columns of X that output rows ys and columns xs read.
        top, bottom = ys.start * stride[0], (ys.stop - 1) * stride[0] + span[0]
        left, right = xs.start * stride[1], (xs.stop - 1) * stride[1] + span[1]
        return im2col(X[images, :, top:bottom, left:right], kernel, stride, dilation)

    return _in_parts(columns_of, W, bias, groups, n, out)


def _product(
    W: torch.Tensor, columns: torch.Tensor, bias: torch.Tensor | None, groups: int, out: Pair
) -> torch.Tensor:
    """im2col's matrix product: (n, C·k_h·k_w, h'·w') columns -> (n, c_out, h', w').

    Column (y, x) holds the c·k_h·k_w inputs that output cell (y, x) sees; row o of
    the kernel matrix holds output channel o's c·k_h·k_w weights. Their product is
    every output at once, computed by the library's tuned matrix multiply. Groups
    are one more batch axis of that product: rows run channel by channel, so each
    group's rows are one block of them.
    """
    n, (c_out, c_group, k_h, k_w) = columns.shape[0], W.shape
    if c_group * k_h * k_w == 1:  # one input number per output: a scaling, not a product
        scales = W.reshape(groups, c_out // groups, 1)
        Y = (columns.unflatten(1, (groups, 1)) * scales).flatten(1, 2)
    elif groups == 1:
        kernels = W.reshape(c_out, -1)
        Y = torch.bmm(kernels.expand(n, *kernels.shape), columns)  # the quickest call for it
    else:
        kernels = W.reshape(groups, c_out // groups, -1)
        Y = (kernels @ columns.unflatten(1, (groups, -1))).flatten(1, 2)
    if bias is not None:
        Y = Y.add_(bias.reshape(c_out, 1))
    return Y.view(n, c_out, *out)


def _in_parts(
    columns_of: Callable[[slice, range, range], torch.Tensor],
    W: torch.Tensor,
    bias: torch.Tensor | None,
    groups: int,
    n: int,
    out: Pair,
) -> torch.Tensor:
    """im2col's product on as many images, output rows and columns at a time as keep
    the column matrix within ``IM2COL_LIMIT``: a huge kernel goes a few rows, or a
    few cells, at a time. ``columns_of(images, ys, xs)`` gives the column matrix
    of output rows ``ys`` and columns ``xs``."""
    c_out, h_out, w_out = W.shape[0], *out
    per_cell = W[0].numel() * groups  # C·k_h·k_w numbers per output cell
    images = max(1, IM2COL_LIMIT // (per_cell * h_out * w_out))
    rows = h_out if images > 1 else max(1, IM2COL_LIMIT // (per_cell * w_out))
    cols = w_out if rows > 1 else max(1, IM2COL_LIMIT // per_cell)
    Y = W.new_empty(n, c_out, h_out, w_out)
    for first in range(0, n, images):
        for y in range(0, h_out, rows):
            for x in range(0, w_out, cols):
                ys, xs = range(y, min(y + rows, h_out)), range(x, min(x + cols, w_out))
                columns = columns_of(slice(first, first + images), ys, xs)
                part = _product(W, columns, None, groups, (len(ys), len(xs)))
                Y[first : first + images, :, y : ys.stop, x : xs.stop] = part
    return Y if bias is None else Y.add_(bias.reshape(c_out, 1, 1))


def _gathered(
    X: torch.Tensor,
    W: torch.Tensor,
    bias: torch.Tensor | None,
    pads: tuple[int, int, int, int],
    stride: Pair,
    dilation: Pair,
    groups: int,
    out: Pair,
) -> torch.Tensor:
    """im2col with the matrix gathered by index (``gathered_im2col``), for padding far
    larger than the input: a padded copy of X would be mostly zeros."""
    k_h, k_w = W.shape[-2:]
    rows = tap_cells(X.shape[-2], k_h, stride[0], dilation[0], pads[0], out[0])
    cols = tap_cells(X.shape[-1], k_w, stride[1], dilation[1], pads[2], out[1])

    def columns_of(images: slice, ys: range, xs: range) -> torch.Tensor:
        return gathered_im2col(X[images], rows[:, ys.start : ys.stop], cols[:, xs.start : xs.stop])

    return _in_parts(columns_of, W, bias, groups, X.shape[0], out)


def _per_tap(
    X: torch.Tensor,
    W: torch.Tensor,
    bias: torch.Tensor | None,
    stride: Pair,
    dilation: Pair,
    groups: int,
) -> torch.Tensor:
    """im2col's matrix product cut into k_h·k_w pieces, one per kernel tap.

    Tap (i, j) contributes W[:, :, i, j] (c_out × c) times the inputs it meets,
    and those inputs are a slice of the flattened image (``flat_taps``), so no
    window is ever copied: on a large input that copy costs more than the
    products. ``baddbmm_`` adds each product into the running sum in place.
    """
    c_out, c_group, k_h, k_w = W.shape
    n = X.shape[0]
    # One batch entry per image and group: (n·groups, c/groups, H, W).
    X = X.unflatten(1, (groups, c_group)).flatten(0, 1)
    taps, shape = flat_taps(X, (k_h, k_w), stride, dilation)
    weights = W.unflatten(0, (groups, c_out // groups))  # (groups, c_out/groups, c/groups, ...)
    h_out, w_out, width = shape
    Y = X.new_zeros(n * groups, c_out // groups, h_out * width)  # whole rows, for unflatten
    sums = Y[..., : (h_out - 1) * width + w_out]  # the cells the taps' slices cover
    for i, j, inputs in taps:  # inputs: (n·groups, c/groups, L)
        # The same kernels for every image: a view with one group (no copy), else a
        # copy of this one tap's weights per image.
        kernels = weights[..., i, j].expand(n, *weights.shape[:3]).flatten(0, 1)
        sums.baddbmm_(kernels, inputs)
    Y = unflatten(Y.reshape(n, c_out, -1), shape)
    return Y if bias is None else Y.add_(bias.reshape(c_out, 1, 1))


def _depthwise(
    X: torch.Tensor, W: torch.Tensor, bias: torch.Tensor | None, stride: Pair, dilation: Pair
) -> torch.Tensor:
    """One input channel per group: sum the k_h·k_w kernel taps, each a scaled view.

    A matrix product has nothing to multiply here (output channel o reads input
    channel o only), so each tap (i, j) just adds W[o, 0, i, j] × the inputs it
    meets (``flat_taps``: one slice of each image, laid out as one long row).
    That is k_h·k_w passes over the running sums; done on a block of channels at
    a time, whose inputs and sums fit in the CPU's cache, the passes read them
    from cache instead of from memory.
    """
    c_out, _, k_h, k_w = W.shape
    n, kernel = X.shape[0], (k_h, k_w)
    X = X.flatten(0, 1)  # one image per image and channel: (n·c, H, W)
    weights = W.reshape(c_out, k_h * k_w).repeat(n, 1).t().unsqueeze(-1)  # (taps, n·c, 1)
    h_out, w_out, width = shape = flat_shape(X.shape[-2:], kernel, stride, dilation)
    Y = X.new_zeros(n * c_out, h_out * width)  # whole rows, for unflatten
    # PyTorch splits each step between its threads, each on its own core's cache.
    rows = max(1, CACHE_BYTES * torch.get_num_threads() // (Y.element_size() * Y.shape[-1]))
    for first in range(0, n * c_out, rows):
        taps, _ = flat_taps(X[first : first + rows], kernel, stride, dilation)
        sums = Y[first : first + rows, : (h_out - 1) * width + w_out]
        block_weights = _one_by_one(weights[:, first : first + rows])
        for (_, _, inputs), weight in zip(taps, block_weights, strict=True):
            sums.addcmul_(inputs, weight)
    Y = unflatten(Y.unflatten(0, (n, c_out)), shape)
    return Y if bias is None else Y.add_(bias.reshape(c_out, 1, 1))


def _one_by_one(rows: torch.Tensor, at_once: int = 256) -> Iterator[torch.Tensor]:
    """``rows.unbind(0)``, a few hundred views at a time: as quick, without holding
    one tensor object per tap of a huge kernel."""
    for part in rows.split(at_once):
        yield from part.unbind(0)
