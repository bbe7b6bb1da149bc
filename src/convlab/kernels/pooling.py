"""Pooling: summarise each window by its maximum or its mean.

``pool2d`` is the loop from the course (one channel, stride 1, no padding);
``max_pool2d`` and ``avg_pool2d`` are the vectorised layers. They give
PyTorch's answer bit for bit, as does the loop's max: a max pooling picks the
cell PyTorch picks (so the gradient goes where PyTorch sends it), and a mean
adds its window's cells in PyTorch's order and precision (so it rounds the
same way).

Padding is only built where it is small (at most twice the input along an
axis). Otherwise a window that hangs over the edge of the input is reduced
over the cells it covers (a padding cell never wins a max and adds nothing to
a sum), once for all the windows that cover the same cells; so a huge padding
or kernel costs no more than the part of the input it touches.
"""

from functools import lru_cache
from itertools import chain
from typing import NamedTuple

import torch
import torch.nn.functional as F

from convlab.checks import (
    as_pair,
    check_bool,
    check_choice,
    check_fits,
    check_int,
    check_result_size,
    check_tensor,
    size_text,
)

IntOrPair = int | tuple[int, int]

LARGEST = 2**63 - 1  # PyTorch reads sizes as 64-bit ints and refuses larger ones
GATHER_CELLS = 2**19  # most cells a mean copies out at once (2 MiB of float32: in cache)
BLOCK_CELLS = 2**18  # input and output cells a mean sums tap by tap at once (fits a cache)
PAD_LIMIT = 2  # padding is built when at most this × the input's length along an axis


# --- The loop from the course --------------------------------------------------


def pool2d(X: torch.Tensor, pool_size: IntOrPair, mode: str = "max") -> torch.Tensor:
    """Slide a p_h×p_w window over the 2-D X (stride 1) and keep its max or mean.

    ``mode`` is ``'max'`` or ``'mean'``. The max is the cell PyTorch picks
    (see ``winner``), so its gradient goes to that one cell, as with
    ``torch.nn.functional.max_pool2d(X, pool_size, stride=1)``. A mean of
    integers is a fraction, so for integer X the ``'mean'`` output has the
    default float dtype (PyTorch's ``avg_pool2d`` would round it to an integer),
    and ``Tensor.mean`` adds the cells in its own order, so a float mean may
    differ from ``avg_pool2d``'s in the last bit.
    """
    check_tensor(X, "X", {2: "(H, W)"})
    p_h, p_w = as_pair(pool_size, "pool_size", minimum=1)
    check_choice(mode, "mode", ("max", "mean"))
    check_fits("pool_size", (p_h, p_w), X.shape)
    h_out, w_out = X.shape[0] - p_h + 1, X.shape[1] - p_w + 1
    if mode == "max":
        where = torch.zeros((h_out, w_out), dtype=torch.long)
        for i in range(h_out):
            for j in range(w_out):
                r, c = divmod(winner(X[i : i + p_h, j : j + p_w]), p_w)
                where[i, j] = (i + r) * X.shape[1] + (j + c)
        return Winners.apply(X, where)
    dtype = X.dtype if X.is_floating_point() else torch.get_default_dtype()
    Y = torch.zeros((h_out, w_out), dtype=dtype, device=X.device)
    for i in range(h_out):
        for j in range(w_out):
            Y[i, j] = X[i : i + p_h, j : j + p_w].to(dtype).mean()
    return Y


def winner(window: torch.Tensor) -> int:
    """Where PyTorch's max pooling finds a window's max, counting in reading order.

    Its CPU loop keeps a cell when ``value > best or isnan(value)``: the first
    largest value wins a tie, a NaN beats every number, and a later NaN beats
    an earlier one.
    """
    cells = window.flatten()
    nans = cells.isnan().nonzero()
    return int(nans[-1]) if len(nans) else int(cells.argmax())


class Winners(torch.autograd.Function):
    """Each window's winning cell: ``where`` holds its flat index (row·W + column)
    in its image plane of X. The gradient of each output goes to its winner;
    where windows overlap, a cell adds them up in output order and in X's dtype,
    as PyTorch's max pooling does (``apart``: no two windows share a cell)."""

    @staticmethod
    def forward(ctx, X: torch.Tensor, where: torch.Tensor, apart: bool = False) -> torch.Tensor:
        ctx.save_for_backward(where)
        ctx.x_shape, ctx.apart = X.shape, apart
        return X.flatten(-2).gather(-1, where.flatten(-2)).view(where.shape)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        (where,) = ctx.saved_tensors
        shape = ctx.x_shape
        if ctx.apart:  # each cell wins at most once: nothing to add in order
            grad_X = grad.new_zeros(shape).flatten(-2)
            grad_X.scatter_add_(-1, where.flatten(-2), grad.flatten(-2))
            return grad_X.view(shape), None, None
        plane = shape[-2] * shape[-1]
        where = where.flatten(-2)
        first_cells = torch.arange(0, where.shape[:-1].numel() * plane, plane)
        index = where + first_cells.view(*where.shape[:-1], 1)
        grad_X = grad.new_zeros(shape.numel())
        # put_ with accumulate adds one value at a time, in the order of index.
        grad_X.put_(index, grad.contiguous().view(index.shape), accumulate=True)
        return grad_X.view(shape), None, None


def lowest(dtype: torch.dtype) -> float | int:
    """The padding of a max pooling, which never wins: −∞, or the smallest integer."""
    return float("-inf") if dtype.is_floating_point else torch.iinfo(dtype).min


# --- Where the windows lie -----------------------------------------------------


class Axis(NamedTuple):
    """The windows of one axis (height or width) of a pooling layer.

    Window o starts at input cell o·s − p (cells −p … −1 are padding) and has
    k taps, d cells apart.
    """

    name: str  # "height" or "width", for messages
    n: int  # input length
    k: int  # taps per window
    s: int  # stride
    p: int  # padding before the input
    d: int  # dilation
    out: int  # number of windows
    beyond: int  # how far the last window reaches past the input (< 0: stops short)

    @property
    def span(self) -> int:
        return self.d * (self.k - 1) + 1

    def start(self, o: int) -> int:
        return o * self.s - self.p

    @property
    def inner(self) -> range:
        """The windows that lie wholly on the input: none of their taps in padding."""
        first = min(max(0, -(-self.p // self.s)), self.out)
        last = (self.n - self.span + self.p) // self.s
        return range(first, max(first, min(last + 1, self.out)))

    def covered(self, o: int) -> tuple[int, int]:
        """Window o's taps that land on the input: (first such tap, how many)."""
        start = self.start(o)
        first = max(0, -(start // self.d))
        last = min(self.k - 1, (self.n - 1 - start) // self.d)
        return first, last - first + 1

    def runs(self, pad: bool = True) -> list[tuple[int, int, int | None, int]]:
        """The windows in order, in runs that one reduction handles.

        Each run is (first window, windows, first cell, taps): a regular run
        (first cell None, all k taps) holds the inner windows, or all windows
        when ``pad`` and padding the input costs little; otherwise a window that
        hangs over an edge keeps the taps that land on the input, from ``first
        cell``, and shares a run with its neighbours when they cover the same cells.
        """
        cheap = self.p + max(self.beyond, 0) <= PAD_LIMIT * self.n
        if pad and self.overhangs and (cheap or self.tapless):
            # Padding this axis costs little (or is needed for windows with no tap
            # on the input): one regular run over the padded input beats a
            # reduction per overhanging window.
            return [(0, self.out, None, self.k)]
        inner = self.inner
        runs: list[tuple[int, int, int | None, int]] = []
        for o in range(inner.start):
            self.add_overhanging(runs, o)
        if inner:
            runs.append((inner.start, len(inner), None, self.k))
        for o in range(inner.stop, self.out):
            self.add_overhanging(runs, o)
        return runs

    @property
    def tapless(self) -> bool:
        """Whether some window has all its taps in the padding (only dilation can
        skip over the whole input); its max is the padding's −∞, as in PyTorch."""
        return self.d > 1 and any(self.covered(o)[1] < 1 for o in self.edges())

    def add_overhanging(self, runs: list, o: int) -> None:
        """Append window o, which hangs over an edge, to ``runs`` (see ``runs``)."""
        first, taps = self.covered(o)
        cell = self.start(o) + first * self.d
        if runs and runs[-1][2:] == (cell, taps) and runs[-1][0] + runs[-1][1] == o:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1, cell, taps)
        else:
            runs.append((o, 1, cell, taps))

    def edges(self) -> list[int]:
        """The windows that hang over an edge of the input, in order."""
        inner = self.inner
        return [*range(inner.start), *range(inner.stop, self.out)]

    @property
    def overlapping(self) -> bool:
        """Whether neighbouring windows share cells along this axis."""
        return self.out > 1 and self.s < self.span

    @property
    def overhangs(self) -> bool:
        """Whether some window hangs over an edge of the input (into the padding)."""
        return self.p > 0 or self.beyond > 0

    def used_taps(self) -> list[range]:
        """The taps that land on the input in at least one window, as ranges in order."""
        if self.inner:
            return [range(self.k)]
        used: list[range] = []
        for first, taps in sorted({self.covered(o) for o in range(self.out)}):
            if used and first <= used[-1].stop:
                used[-1] = range(used[-1].start, max(used[-1].stop, first + taps))
            else:
                used.append(range(first, first + taps))
        return used

    def used_tap_count(self) -> int:
        """How many taps land on the input in at least one window."""
        return self.k if self.inner else sum(map(len, self.used_taps()))

    def taps(self) -> list[tuple[slice, int, int]]:
        """For each tap that lands on the input in some window, in order: the windows
        for which it does (a slice), the cell it reads for the first of them, and how
        many windows (it reads every s-th cell from there)."""
        taps = []
        for i in chain.from_iterable(self.used_taps()):
            lo = max(0, -((i * self.d - self.p) // self.s))
            hi = min(self.out, (self.n - 1 + self.p - i * self.d) // self.s + 1)
            if lo < hi:
                taps.append((slice(lo, hi), self.start(lo) + i * self.d, hi - lo))
        return taps

    def counts(self, include_padding: bool) -> torch.Tensor:
        """How many cells each window holds: on the input, or also in the padding
        (up to the end of the padded input), as PyTorch counts a mean's divisor."""
        counts = torch.full((self.out,), self.k, dtype=torch.long)
        if edges := self.edges():
            padded = self.n + self.p
            counted = [
                min(self.k, padded - self.start(o)) if include_padding else self.covered(o)[1]
                for o in edges
            ]
            counts[edges] = torch.tensor(counted)
        return counts

    def holding(self) -> list[tuple[int, int, int, slice, "Axis"]]:
        """Which windows hold each input cell, for the backward pass of a mean.

        Input cell c lies in windows o with o·s − p ≤ c ≤ o·s − p + k − 1
        (dilation 1, as for a mean). For the cells r + m·s of one stride phase r
        those windows slide one output per cell, so they are the windows of an
        Axis over the outputs. Phases whose cells lie in the same windows form a
        group: returns (first cell, cells m, phases r, outputs, Axis) for each
        group, the cells being first + m·s + r.
        """
        groups: list = []
        for r in range(min(self.s, self.n)):
            first = -(-(r + self.p - self.k + 1) // self.s)  # windows of cell r: first..last
            last = (r + self.p) // self.s
            cells = (self.n - r + self.s - 1) // self.s
            lo, hi = max(0, -last), min(cells, self.out - first)  # cells in some window
            if last < first or lo >= hi:
                continue  # these cells lie in no window
            if groups and groups[-1][0] == (first, last, lo, hi) and groups[-1][2] == r:
                groups[-1][2] += 1
                continue
            groups.append([(first, last, lo, hi), r, r + 1])
        held = []
        for (first, last, lo, hi), r, r_end in groups:
            start = first + lo  # the first window holding cell r + lo·s
            outs = slice(max(0, start), self.out)
            taps = last - first + 1
            beyond = start + (hi - lo - 1) + taps - self.out
            holding = Axis(
                self.name, self.out - outs.start, taps, 1, max(0, -start), 1, hi - lo, beyond
            )
            held.append((r + lo * self.s, hi - lo, r_end - r, outs, holding))
        return held

    def mirrored(self) -> "Axis":
        """The same windows on the input flipped along this axis, in reverse order."""
        return self._replace(p=self.beyond, beyond=self.p)


def output_length(n: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling output length; ``ceil_mode`` rounds up, but drops a last
    window that would start in the right padding."""
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def as_size(value: object, name: str, minimum: int) -> tuple[int, int]:
    """An int or (height, width) pair, each from ``minimum`` to 2⁶³ − 1 (PyTorch's limit)."""
    pair = as_pair(value, name, minimum)
    if pair[0] > LARGEST or pair[1] > LARGEST:
        raise ValueError(f"{name}: must be at most 2**63 − 1 on each axis, got {value!r}")
    return pair


def pool_axes(
    X: object,
    kernel_size: object,
    stride: object,
    padding: object,
    dilation: object,
    ceil_mode: object,
) -> tuple[Axis, Axis]:
    """Check the arguments of a pooling layer and lay out its windows per axis.

    ``stride=None`` means "jump a whole window" (stride = kernel_size). As in
    PyTorch, X may hold no images (N = 0), padding may be at most half the
    kernel size on each axis, and there must be at least one window.
    """
    check_tensor(X, "X", {3: "(C, H, W)", 4: "(N, C, H, W)"}, empty_batch=True)
    k_h, k_w = kernel = as_size(kernel_size, "kernel_size", minimum=1)
    s_h, s_w = kernel if stride is None else as_size(stride, "stride", minimum=1)
    p_h, p_w = padding = as_size(padding, "padding", minimum=0)
    d_h, d_w = dilation = as_size(dilation, "dilation", minimum=1)
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    if 2 * p_h > k_h or 2 * p_w > k_w:
        axis, p, k = ("height", p_h, k_h) if 2 * p_h > k_h else ("width", p_w, k_w)
        raise ValueError(
            f"padding: {padding} is more than half of kernel_size {kernel}: "
            f"pooling needs p ≤ k/2 on each axis, but {axis} has {p} > {k}/2"
        )
    *batch, n_h, n_w = X.shape
    out_h = output_length(n_h, k_h, s_h, p_h, d_h, ceil_mode)
    out_w = output_length(n_w, k_w, s_w, p_w, d_w, ceil_mode)
    if out_h < 1 or out_w < 1:
        check_fits("kernel_size", kernel, (n_h, n_w), (2 * p_h, 2 * p_w), dilation)
    check_result_size((*batch, out_h, out_w), "X and stride")
    beyond_h = (out_h - 1) * s_h - p_h + d_h * (k_h - 1) + 1 - n_h
    beyond_w = (out_w - 1) * s_w - p_w + d_w * (k_w - 1) + 1 - n_w
    # The stride of a lone window plays no part: taking the input's length keeps
    # the strides of views small and shows that no two windows overlap.
    height = Axis("height", n_h, k_h, s_h if out_h > 1 else n_h, p_h, d_h, out_h, beyond_h)
    return height, Axis("width", n_w, k_w, s_w if out_w > 1 else n_w, p_w, d_w, out_w, beyond_w)


# --- Max pooling ---------------------------------------------------------------


def max_pool2d(
    X: torch.Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """Largest value of each window, like ``torch.nn.functional.max_pool2d``.

    X is (C, H, W) or (N, C, H, W), any real dtype; N may be 0. ``stride``
    defaults to ``kernel_size`` (windows side by side). Padding cells never
    win. ``ceil_mode`` rounds the output size up (a last, partial window)
    unless that window would start in the right padding. With
    ``return_indices`` it also returns where each max is, as a flat index
    row·W + column in its image plane.

    As in PyTorch, the max of a window is its first largest value in reading
    order, or its last NaN (a NaN beats every number); the gradient goes to
    that cell only, and overlapping windows add theirs in output order.
    Refused (ValueError/TypeError) where PyTorch refuses, and also: a flag
    that is not a bool, a gradient or ``return_indices`` when a window's
    dilated taps all fall in the padding (its max is −∞, as in PyTorch, but
    PyTorch's index and gradient for it point at an unrelated cell), and a
    result of more than 2**31 elements.
    """
    height, width = pool_axes(X, kernel_size, stride, padding, dilation, ceil_mode)
    return_indices = check_bool(return_indices, "return_indices")
    wanted = "indices" if return_indices else "gradient"
    if not return_indices and not (X.requires_grad and torch.is_grad_enabled()):
        # Only the values: a window's max is the max of its rows' maxima.
        return window_max(window_max(X, -2, height), -1, width)
    for axis in (height, width):
        if axis.tapless:
            raise ValueError(
                f"dilation: {axis.d} with padding {axis.p} leaves a window along the "
                f"{axis.name} with all its {axis.k} taps in the padding: its max (−∞) "
                f"comes from no input cell, so it has no {wanted} to give (PyTorch's "
                "points at an unrelated cell); pool without them, or use less padding"
            )
    where = winners(X, height, width)
    apart = not (height.overlapping or width.overlapping)
    Y = Winners.apply(X, where, apart)
    return (Y, where) if return_indices else Y


def run_views(X: torch.Tensor, dim: int, axis: Axis, runs: list):
    """For each run of windows along ``dim`` (−2 or −1): (windows, taps, first cell).

    ``taps`` is a view of X whose axis ``dim`` holds the run's windows (just one
    when they share the same cells) and whose new last axis holds each window's
    taps; ``first cell`` is where the run's first window starts reading. Where a
    regular run reaches into the padding, X is padded with the lowest value.
    """
    for first_out, windows, cell, taps in runs:
        if cell is None:  # a regular grid of whole windows
            cell, size, step = axis.start(first_out), axis.span, axis.s
            length = (windows - 1) * step + size
        else:  # one overhanging window, for all windows of the run
            size = length = (taps - 1) * axis.d + 1
            step = 1
        before, after = max(0, -cell), max(0, cell + length - X.shape[dim])
        part = X
        if before or after:
            part = F.pad(X, (0, 0) * (-1 - dim) + (before, after), value=lowest(X.dtype))
        if before + cell or length != part.shape[dim]:
            part = part.narrow(dim, before + cell, length)
        view = part.unfold(dim, size, step)
        yield windows, view[..., :: axis.d] if axis.d > 1 else view, cell


def joined(pieces: list[torch.Tensor], runs: list, dim: int) -> torch.Tensor:
    """Put the runs' results side by side along ``dim``, repeating a shared window."""
    if len(pieces) == 1 and pieces[0].shape[dim] == runs[0][1]:
        return pieces[0]
    pieces = [
        piece.expand(*piece.shape[:dim], run[1], *piece.shape[dim:][1:])
        for piece, run in zip(pieces, runs, strict=True)
    ]
    return torch.cat(pieces, dim)


def window_max(X: torch.Tensor, dim: int, axis: Axis) -> torch.Tensor:
    """The max of every window along one axis (dim −2 or −1) of X."""
    runs = axis.runs()
    pieces = [taps.amax(-1) for _, taps, _ in run_views(X, dim, axis, runs)]
    return joined(pieces, runs, dim)


def first_max(X: torch.Tensor, dim: int, axis: Axis) -> tuple[torch.Tensor, torch.Tensor]:
    """Each window's max along one axis and its cell (the index along ``dim``):
    the first largest value, or the first NaN."""
    runs = axis.runs()
    values, cells = [], []
    for _, taps, cell in run_views(X, dim, axis, runs):
        starts = cell + torch.arange(taps.shape[dim - 1]) * axis.s  # the windows axis
        starts = starts.view(-1, *[1] * (-1 - dim))
        if taps.shape[-1] == 1:  # one tap: nothing to compare
            best, where = taps[..., 0], starts.expand(taps.shape[:-1])
        else:
            best, tap = taps.max(-1)  # the first largest value, or the first NaN
            where = (tap * axis.d if axis.d > 1 else tap) + starts
        if cell < 0:  # a window of -inf ties with the padding: PyTorch keeps its first cell
            first = starts + (-starts).clamp(min=0).add(axis.d - 1) // axis.d * axis.d
            where = torch.where(where < 0, first, where)
        values.append(best)
        cells.append(where)
    return joined(values, runs, dim), joined(cells, runs, dim)


def window_argmax(X: torch.Tensor, dim: int, axis: Axis) -> tuple[torch.Tensor, torch.Tensor]:
    """Each window's max along one axis and its cell, as PyTorch picks it: the
    first largest value, or the last NaN, found as the first NaN of the windows
    read backwards (on X flipped along ``dim``)."""
    values, cells = first_max(X, dim, axis)
    if values.is_floating_point():
        nan = values.isnan()
        if nan.any():
            _, backwards = first_max(X.flip(dim), dim, axis.mirrored())
            cells = torch.where(nan, axis.n - 1 - backwards.flip(dim), cells)
    return values, cells


def winners(X: torch.Tensor, height: Axis, width: Axis) -> torch.Tensor:
    """Flat index (row·W + column) of each window's winner, as PyTorch picks it.

    Reading order makes it separable: each row's winner within the window's
    columns, then the winner among those rows (the first largest, or the
    last NaN) and the column its row chose.
    """
    row_best, column = window_argmax(X, -1, width)  # (..., H, W_out)
    _, row = window_argmax(row_best, -2, height)  # (..., H_out, W_out)
    return row * X.shape[-1] + column.gather(-2, row)


# --- Average pooling -----------------------------------------------------------


def avg_pool2d(
    X: torch.Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> torch.Tensor:
    """Mean of each window, like ``torch.nn.functional.avg_pool2d``.

    X is (C, H, W) or (N, C, H, W); N may be 0. ``stride`` defaults to
    ``kernel_size``. The sum of a window is divided by its number of cells,
    padding included (``count_include_pad=True``, PyTorch's default, counting
    up to the end of the padded input) or not, or by ``divisor_override``.
    ``ceil_mode`` rounds the output size up (a last, partial window) unless
    that window would start in the right padding.

    As in PyTorch, each window adds its cells row by row, left to right, in
    float32 for float16/bfloat16/float32 input and in float64 for float64, so
    the result rounds exactly as PyTorch's does; int64 input gives an int64
    mean rounded toward zero. The gradient is PyTorch's too, to the last bit.
    Refused (ValueError/TypeError) where PyTorch refuses, including integer
    dtypes other than int64, and also: a flag that is not a bool, a
    ``divisor_override`` below 1 (PyTorch takes a negative one), a window too
    large to count in 64 bits, and a result of more than 2**31 elements.
    """
    height, width = pool_axes(X, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = check_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        divisor_override = check_int(divisor_override, "divisor_override", 1, LARGEST)
    if not (X.is_floating_point() or X.dtype == torch.int64):
        raise TypeError(
            f"X: avg_pool2d takes floats or int64, got {X.dtype}; "
            "PyTorch's avg_pool2d refuses it too"
        )
    if height.k * width.k > LARGEST:
        raise ValueError(
            f"kernel_size: a {size_text((height.k, width.k))} window holds more than "
            "2**63 − 1 cells, too many to count (PyTorch's count overflows)"
        )
    if divisor_override is not None:
        divisor = divisor_override
    elif not (height.overhangs or width.overhangs):
        divisor = height.k * width.k  # every window lies wholly on the input
    else:
        divisor = height.counts(count_include_pad)[:, None] * width.counts(count_include_pad)
    costs = summing_costs(X.shape[:-2].numel(), height, width)
    how = min(costs, key=costs.get)
    if X.requires_grad and torch.is_grad_enabled():
        return WindowMean.apply(X, height, width, divisor, how)
    return window_means(X, height, width, divisor, how)


def accumulator(dtype: torch.dtype) -> torch.dtype:
    """The dtype PyTorch sums a window in: float32 for the floats up to 32 bits."""
    if dtype.is_floating_point and dtype != torch.float64:
        return torch.float32
    return dtype


def window_means(X, height: Axis, width: Axis, divisor, how: str) -> torch.Tensor:
    """Each window's sum divided by its divisor (an int, or an int64 tensor of
    one per window), as PyTorch's CPU kernel computes it."""
    dtype = accumulator(X.dtype)
    sums = SUMS[how](X, height, width, dtype)
    if isinstance(divisor, torch.Tensor):
        divisor = divisor.to(dtype)
    if X.is_floating_point():
        return sums.div_(divisor).to(X.dtype)
    return sums.div_(divisor, rounding_mode="trunc")


class WindowMean(torch.autograd.Function):
    """``window_means`` with PyTorch's backward pass: each cell receives
    grad / divisor from every window that holds it, divided in the gradient's
    dtype (the divisor rounded to it first) and added in output order."""

    @staticmethod
    def forward(ctx, X, height: Axis, width: Axis, divisor, how: str) -> torch.Tensor:
        ctx.layout = (X.shape, height, width, divisor)
        return window_means(X, height, width, divisor, how)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple:
        shape, height, width, divisor = ctx.layout
        share = grad / torch.as_tensor(divisor).to(grad.dtype)
        return spread(share, shape, height, width), None, None, None, None


def spread(share: torch.Tensor, shape, height: Axis, width: Axis) -> torch.Tensor:
    """The backward pass of a mean: each input cell adds up, in output order (in
    the gradient's dtype, as PyTorch does), the shares of the windows that hold it.

    Those windows form a window of the output grid, so this is a window sum
    too (see ``Axis.holding``), computed once for the cells that lie in the
    same windows and copied to each of them.
    """
    planes = shape[:-2].numel()
    grad = share.new_zeros((planes, height.n, width.n))
    share = share.reshape(planes, height.out, width.out)
    for top, rows, row_phases, outs_h, holding_h in height.holding():
        for left, columns, column_phases, outs_w, holding_w in width.holding():
            shares = share[:, outs_h, outs_w]
            costs = summing_costs(planes, holding_h, holding_w)
            sums = SUMS[min(costs, key=costs.get)](shares, holding_h, holding_w, share.dtype)
            cells = grad.as_strided(  # (planes, rows, phases, columns, phases)
                (planes, rows, row_phases, columns, column_phases),
                (grad.stride(0), height.s * width.n if rows > 1 else 0, width.n)
                + (width.s if columns > 1 else 0, 1),
                top * width.n + left,
            )
            cells.copy_(sums.reshape(planes, rows, 1, columns, 1).expand(cells.shape))
    return grad.view(shape)


# A mean adds up each window's cells in PyTorch's order (row by row, left to
# right, one after another), in one of three ways (see SUMS) chosen by their
# cost, in seconds, roughly as measured on the benchmark machine:
OP_SECONDS = 3e-6  # one tensor operation called from Python
PASS_SECONDS = 6e-6  # one pass per kernel tap: two slices and an addition
PASS_CELL_SECONDS = 0.25e-9  # one cell of a pass per kernel tap (an in-place addition)
PHASE_CELL_SECONDS = 0.5e-9  # one input cell copied into its stride phase
SLICE_SECONDS = 50e-9  # one kernel tap's slice added by index_add_
COPY_CELL_SECONDS = 0.45e-9  # one cell copied out, then added by index_add_
WINDOW_CELL_SECONDS = 1.2e-9  # one cell copied out and summed by segment_reduce
WINDOW_SECONDS = 30e-9  # one window summed by segment_reduce


def summing_costs(planes: int, height: Axis, width: Axis) -> dict[str, float]:
    """The estimated cost of each way to sum the windows that suits the problem."""
    windows = planes * height.out * width.out
    taps = height.k * width.k
    if windows == 0:  # an empty batch: nothing to sum
        return {"tap by tap": 0.0, "window by window": 1.0}
    blocks = -(-planes // planes_per_block(height, width))
    passes = height.used_tap_count() * width.used_tap_count()
    phases = 0  # input cells copied into the stride phases that taps read
    if height.s > 1 or width.s > 1:
        phases = planes * height.n * width.n * min(height.k, height.s) * min(width.k, width.s)
        phases //= height.s * width.s
    costs = {
        "tap by tap": passes * blocks * PASS_SECONDS
        + windows * taps * PASS_CELL_SECONDS
        + phases * PHASE_CELL_SECONDS,
        "window by window": 20 * OP_SECONDS
        + windows * (WINDOW_SECONDS + taps * WINDOW_CELL_SECONDS),
    }
    rows = height.n + height.p + max(height.beyond, 0)  # of the padded input
    columns = width.n + width.p + max(width.beyond, 0)
    if taps > 1 and max(windows * taps, planes * rows * columns) <= GATHER_CELLS:
        copied = windows * taps * COPY_CELL_SECONDS
        costs["all taps at once"] = 6 * OP_SECONDS + taps * SLICE_SECONDS + copied
    return costs


def planes_per_block(height: Axis, width: Axis) -> int:
    """How many image planes ``tap_sums`` takes at once: enough to fill about
    BLOCK_CELLS (input and sums stay in the cache through all the passes), but
    enough output cells per pass that a pass is worth its call."""
    in_cache = BLOCK_CELLS // (height.n * width.n + height.out * width.out)
    worth_a_call = -(-int(PASS_SECONDS / PASS_CELL_SECONDS) // (height.out * width.out))
    return max(1, in_cache, worth_a_call)


def tap_sums(X: torch.Tensor, height: Axis, width: Axis, dtype: torch.dtype) -> torch.Tensor:
    """Window sums, one pass per kernel tap (i, j) in reading order: each pass
    adds the input cell the tap reads to every window where it reads the input.

    With stride s a tap reads every s-th cell, so X is first split into its
    s_h·s_w phases (every s-th row and column, from each start), each stored
    densely: a tap then reads a block of one phase, which is faster. Large
    inputs go a few image planes at a time, so that the sums stay in the cache
    through all the passes.
    """
    *batch, n_rows, n_columns = X.shape
    planes = X.shape[:-2].numel()
    per_block = planes_per_block(height, width)
    if planes > per_block:
        X = X.reshape(planes, n_rows, n_columns)
        blocks = range(0, planes, per_block)
        sums = [tap_sums(X[first : first + per_block], height, width, dtype) for first in blocks]
        return torch.cat(sums).view(*batch, height.out, width.out)
    sums = X.new_zeros((*batch, height.out, width.out), dtype=dtype)
    phases: dict[tuple[int, int], torch.Tensor] = {}
    columns = width.taps()
    for rows, top, n_rows in height.taps():
        row_phase, top = top % height.s, top // height.s
        for outs, left, n_columns in columns:
            column_phase, left = left % width.s, left // width.s
            phase = phases.get((row_phase, column_phase))
            if phase is None:
                phase = X[..., row_phase :: height.s, column_phase :: width.s]
                phase = phases[row_phase, column_phase] = phase.to(dtype).contiguous()
            sums[..., rows, outs].add_(phase[..., top : top + n_rows, left : left + n_columns])
    return sums


@lru_cache(maxsize=64)
def zeros_index(n: int) -> torch.Tensor:
    """n zeros, the index that makes ``index_add_`` add n slices into one."""
    return torch.zeros(n, dtype=torch.long)


def gathered_sums(X: torch.Tensor, height: Axis, width: Axis, dtype: torch.dtype) -> torch.Tensor:
    """Window sums for small inputs: copy every window's cells out, one row per
    kernel tap in reading order (im2col), and let ``index_add_`` add the rows
    one after another (a loop over the taps inside PyTorch).

    The image planes go last (each cell holds its N·C values side by side), so
    that every copy and addition runs over long stretches of memory even when
    the windows are few.
    """
    *batch, n_rows, n_columns = X.shape
    planes = X.shape[:-2].numel()
    rows = height.p + n_rows + max(height.beyond, 0)  # of the padded input
    columns = width.p + n_columns + max(width.beyond, 0)
    image = X.reshape(planes, n_rows, n_columns).movedim(0, -1)  # (H, W, planes)
    if (rows, columns) == (n_rows, n_columns):
        image = image.to(dtype).contiguous()  # no copy for one float32 plane
    else:  # zeros around the input
        inside = image
        image = X.new_zeros((rows, columns, planes), dtype=dtype)
        image[height.p : height.p + n_rows, width.p : width.p + n_columns] = inside
    row, cell = columns * planes, planes  # strides of the padded image
    windows = image.as_strided(  # (k_h, k_w, h_out, w_out, planes): a view
        (height.k, width.k, height.out, width.out, planes),
        (height.d * row, width.d * cell, height.s * row, width.s * cell, 1),
    )
    cells = windows.reshape(1, height.k * width.k, -1)  # the copy
    sums = cells.new_zeros((1, 1, cells.shape[-1]))
    sums.index_add_(1, zeros_index(cells.shape[1]), cells)
    sums = sums.view(height.out, width.out, planes).movedim(-1, 0)
    return sums.reshape(*batch, height.out, width.out)


def window_sums(X: torch.Tensor, height: Axis, width: Axis, dtype: torch.dtype) -> torch.Tensor:
    """Window sums for few windows of many cells: copy each window's cells out in
    reading order and add them one after another (``torch.segment_reduce``
    adds in order), a chunk at a time.

    The windows go in blocks of like windows: a run of regular windows along one
    axis by a run along the other (see ``Axis.runs``); an overhanging window is
    summed once for all the windows of its run that cover the same cells. An
    axis with many different overhanging windows is padded with zeros (they add
    nothing) when that costs little, so that its windows form one regular run.
    """
    planes = X.shape[:-2].numel()
    row_runs, column_runs = block_runs(height), block_runs(width)
    top, bottom = padding_for(row_runs, height)
    left, right = padding_for(column_runs, width)
    image = X.reshape(planes, height.n, width.n)
    if top or bottom or left or right:
        image = F.pad(image.to(dtype), (left, right, top, bottom))
    image = image.to(dtype).contiguous()
    sums = image.new_empty((planes, height.out, width.out))
    plane, row = image.stride(0), image.stride(1)
    for first_out, rows, first_row, row_taps in row_runs:
        row_step = height.s if first_row is None else 0
        first_row = top + (height.start(first_out) if first_row is None else first_row)
        for first_column_out, columns, first_column, column_taps in column_runs:
            column_step = width.s if first_column is None else 0
            first_column = left + (
                width.start(first_column_out) if first_column is None else first_column
            )
            windows = image.as_strided(
                (planes, rows if row_step else 1, columns if column_step else 1)
                + (row_taps, column_taps),
                (plane, row_step * row, column_step, height.d * row, width.d),
                image.storage_offset() + first_row * row + first_column,
            )
            block = sums[:, first_out : first_out + rows]
            block = block[:, :, first_column_out : first_column_out + columns]
            block.copy_(sum_each_window(windows).expand(block.shape))
    return sums.view(*X.shape[:-2], height.out, width.out)


def block_runs(axis: Axis) -> list[tuple[int, int, int | None, int]]:
    """The runs of ``window_sums`` along one axis: padded into one regular run
    (when that costs little) if there are many overhanging windows."""
    runs = axis.runs(pad=False)
    return axis.runs() if len(runs) > 3 else runs


def padding_for(runs: list, axis: Axis) -> tuple[int, int]:
    """The zeros a regular run needs before and after the input along an axis."""
    for first_out, windows, cell, _ in runs:
        if cell is None:
            start = axis.start(first_out)
            end = axis.start(first_out + windows - 1) + axis.span
            return max(0, -start), max(0, end - axis.n)
    return 0, 0


def sum_each_window(windows: torch.Tensor) -> torch.Tensor:
    """The sums of (planes, rows, columns, k_h, k_w) windows, adding each window's
    cells in reading order, about GATHER_CELLS at a time."""
    planes, rows, columns, row_taps, column_taps = windows.shape
    taps = row_taps * column_taps
    per_chunk = GATHER_CELLS // (planes * columns * taps)  # rows of windows
    if per_chunk:
        chunks = (windows[:, top : top + per_chunk] for top in range(0, rows, per_chunk))
        sums = [add_in_order(chunk.reshape(-1, taps)).view(planes, -1, columns) for chunk in chunks]
        return torch.cat(sums, 1)
    sums = windows.new_empty((planes, rows, columns))
    per_chunk = max(1, GATHER_CELLS // (planes * column_taps))  # rows of one window
    for row in range(rows):
        for column in range(columns):
            so_far = None
            for first in range(0, row_taps, per_chunk):
                values = windows[:, row, column, first : first + per_chunk].reshape(planes, -1)
                so_far = add_in_order(values, so_far)
            sums[:, row, column] = so_far
    return sums


def add_in_order(values: torch.Tensor, so_far: torch.Tensor | None = None) -> torch.Tensor:
    """The sum of each row of ``values``, adding one value after another from
    ``so_far`` (or 0); integers add up the same in any order."""
    if not values.is_floating_point():
        total = values.sum(-1)
        return total if so_far is None else so_far + total
    if so_far is not None:
        values = torch.cat([so_far[:, None], values], -1)
    lengths = torch.full((values.shape[0], 1), values.shape[1])
    return torch.segment_reduce(values, "sum", lengths=lengths, axis=1).view(-1)


SUMS = {
    "tap by tap": tap_sums,  # the usual case: many windows, few taps
    "all taps at once": gathered_sums,  # small inputs, where each call costs most
    "window by window": window_sums,  # few windows of many cells
}
