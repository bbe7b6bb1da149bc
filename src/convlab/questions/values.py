# ruff: noqa: E501  (questions are prose: one line per sentence reads better than wrapped strings)
"""Questions on one output cell: cross-correlation, convolution, channels, pooling, transposed.

The answers come from ``convlab.kernels`` (``corr2d``, ``convolve2d``,
``corr2d_multi_in``, ``max_pool2d``, ``avg_pool2d``); each mistake is the same
kernel run with the mistake made (the kernel flipped or not, the window not
strided, the padding left out of the mean, ...).
"""

from __future__ import annotations

import torch

from convlab import kernels
from convlab.questions.base import number, question, signed, spelled
from convlab.questions.seeds import Draw


def _t(rows) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float64)


def _plain(value: torch.Tensor) -> float:
    v = float(value)
    return int(v) if v.is_integer() else v


def _window(X: list, K: list, i: int, j: int) -> list[tuple[float, float]]:
    """The (input, kernel) pairs output cell (i, j) of corr2d multiplies, row by row."""
    return [(X[i + a][j + b], k) for a, row in enumerate(K) for b, k in enumerate(row)]


def _flip(K: list) -> list:
    return [row[::-1] for row in K[::-1]]


def _grid_text(K: list) -> str:
    return "[" + ", ".join("[" + ", ".join(signed(v) for v in row) + "]" for row in K) + "]"


def _cell_problem(r: Draw, sizes=(3, 4)):
    nh, nw = r.pick(sizes), r.pick(sizes)
    X, K = r.grid(nh, nw, 0, 5), r.grid(2, 2, -2, 3)
    i, j = r.whole(0, nh - 2), r.whole(0, nw - 2)
    return X, K, i, j


def corr_value(seed: int) -> dict:
    """Chapter 2: one cell of corr2d(X, K)."""
    r = Draw(seed)
    X, K, i, j = _cell_problem(r)
    Y = kernels.corr2d(_t(X), _t(K))
    flipped = kernels.convolve2d(_t(X), _t(K))
    swapped = Y[j, i] if j < Y.shape[0] and i < Y.shape[1] else Y[i, j]
    return question(
        "corr-value",
        seed,
        title="One output cell",
        prompt=f"Y = corr2d(X, K). What is Y[{i}, {j}] (row {i}, column {j}, counting from 0)?",
        grids=[("input X", X), ("kernel K", K)],
        answer=_plain(Y[i, j]),
        mistakes=[
            (
                "flipping the kernel",
                _plain(flipped[i, j]),
                "corr2d multiplies the window by K as it stands; flipping K is the convolution of mathematics.",
            ),
            (
                "swapping the row and the column",
                _plain(swapped),
                f"Y[{i}, {j}] is row {i}, column {j}: its window starts at X[{i}, {j}].",
            ),
        ],
        hint="Lay K over X with its top-left corner on X[i, j], multiply the cells it covers, add the products.",
        solution=[
            f"The window of Y[{i}, {j}] is rows {i}–{i + 1}, columns {j}–{j + 1} of X.",
            f"Y[{i}, {j}] = {spelled(_window(X, K, i, j))}.",
        ],
        params={"X": X, "K": K, "i": i, "j": j},
    )


def conv_value(seed: int) -> dict:
    """Chapter 2: one cell of the convolution of mathematics, which flips the kernel."""
    r = Draw(seed)
    X, K, i, j = _cell_problem(r)
    Y = kernels.convolve2d(_t(X), _t(K))
    rows_only = kernels.corr2d(_t(X), _t(K[::-1]))
    cols_only = kernels.corr2d(_t(X), _t([row[::-1] for row in K]))
    plain = kernels.corr2d(_t(X), _t(K))
    return question(
        "conv-value",
        seed,
        title="Convolution flips the kernel",
        prompt=(
            f"Y = convolve2d(X, K), the convolution of mathematics (no padding). "
            f"What is Y[{i}, {j}]?"
        ),
        grids=[("input X", X), ("kernel K", K)],
        answer=_plain(Y[i, j]),
        mistakes=[
            (
                "not flipping the kernel",
                _plain(plain[i, j]),
                "That is cross-correlation; convolution first turns K by 180°.",
            ),
            (
                "flipping the kernel upside down only",
                _plain(rows_only[i, j]),
                "Convolution flips K both ways: top to bottom and left to right.",
            ),
            (
                "flipping the kernel left to right only",
                _plain(cols_only[i, j]),
                "Convolution flips K both ways: top to bottom and left to right.",
            ),
        ],
        hint="Turn K by 180° (flip it top to bottom and left to right), then slide it as in corr2d.",
        solution=[
            f"K flipped both ways: {_grid_text(_flip(K))}.",
            f"Y[{i}, {j}] = {spelled(_window(X, _flip(K), i, j))}.",
        ],
        params={"X": X, "K": K, "i": i, "j": j},
    )


def multi_in_value(seed: int) -> dict:
    """Chapter 5: one cell of a two-channel cross-correlation, plus a bias."""
    r = Draw(seed)
    X = [r.grid(3, 3, 0, 4) for _ in range(2)]
    K = [r.grid(2, 2, -1, 2) for _ in range(2)]
    b = r.pick((-3, -2, -1, 1, 2, 3))
    i, j = r.whole(0, 1), r.whole(0, 1)
    Y = kernels.corr2d_multi_in(_t(X), _t(K))
    per_channel = [kernels.corr2d(_t(X[c]), _t(K[c])) for c in range(2)]
    sums = [spelled(_window(X[c], K[c], i, j)) for c in range(2)]
    total = _plain(Y[i, j])
    return question(
        "multi-in-value",
        seed,
        title="Two input channels and a bias",
        prompt=(
            f"A layer with 2 input channels and 1 output channel has the kernels below and the "
            f"bias b = {signed(b)}. What is output cell ({i}, {j})?"
        ),
        grids=[
            ("input channel 0", X[0]),
            ("input channel 1", X[1]),
            ("kernel for channel 0", K[0]),
            ("kernel for channel 1", K[1]),
        ],
        answer=total + b,
        mistakes=[
            ("leaving out the bias", total, "The bias is added once to every output cell."),
            (
                "leaving out channel 1",
                _plain(per_channel[0][i, j]) + b,
                "A multi-channel kernel sums the cross-correlations of every channel.",
            ),
            (
                "leaving out channel 0",
                _plain(per_channel[1][i, j]) + b,
                "A multi-channel kernel sums the cross-correlations of every channel.",
            ),
            (
                "adding the bias once per channel",
                total + 2 * b,
                "There is one bias per output channel, added after the channels are summed.",
            ),
        ],
        hint="Cross-correlate each channel with its own kernel, add the channels' results, then add the bias once.",
        solution=[
            f"Channel 0: {sums[0]}.",
            f"Channel 1: {sums[1]}.",
            f"Sum plus bias: {number(total)} + ({signed(b)}) = {number(total + b)}.",
        ],
        params={"X": X, "K": K, "b": b, "i": i, "j": j},
    )


def max_pool_value(seed: int) -> dict:
    """Chapter 6: one cell of 2 × 2 max pooling with stride 2."""
    r = Draw(seed)
    X = r.grid(4, 4, 0, 9)
    i, j = r.whole(0, 1), r.whole(0, 1)
    Y = kernels.max_pool2d(_t(X)[None, None], 2)[0, 0]
    unstrided = kernels.max_pool2d(_t(X)[None, None], 2, stride=1)[0, 0]
    mean = kernels.avg_pool2d(_t(X)[None, None], 2)[0, 0]
    window = [X[2 * i + a][2 * j + b] for a in range(2) for b in range(2)]
    return question(
        "max-pool-value",
        seed,
        title="Max pooling",
        prompt=f"Y = nn.MaxPool2d(2)(X): 2 × 2 windows, stride 2. What is Y[{i}, {j}]?",
        grids=[("input X", X)],
        answer=_plain(Y[i, j]),
        mistakes=[
            (
                "forgetting the stride",
                _plain(unstrided[i, j]),
                f"With stride 2 the window of Y[{i}, {j}] starts at X[{2 * i}, {2 * j}], not X[{i}, {j}].",
            ),
            (
                "taking the mean",
                _plain(mean[i, j]),
                "Max pooling keeps the largest number of the window.",
            ),
        ],
        hint="Output cell (i, j) sees the 2 × 2 window whose top-left cell is X[2i, 2j]; keep its largest number.",
        solution=[
            f"The window starts at X[2·{i}, 2·{j}] = X[{2 * i}, {2 * j}]: "
            + ", ".join(number(v) for v in window)
            + ".",
            f"Its maximum is {number(max(window))}.",
        ],
        params={"X": X, "i": i, "j": j},
    )


def avg_pool_padded(seed: int) -> dict:
    """Chapter 6: mean pooling with padding counts the zeros (PyTorch's default)."""
    r = Draw(seed)
    n = r.pick((3, 5))
    X = r.grid(n, n, 1, 9)
    m = n // 2 + 1
    while True:
        i, j = r.whole(0, m - 1), r.whole(0, m - 1)
        if i in (0, m - 1) or j in (0, m - 1):
            break
    Y = kernels.avg_pool2d(_t(X)[None, None], 2, padding=1)[0, 0]
    # The mean over X's own cells: the same windows' means of X over those of ones.
    ones = kernels.avg_pool2d(torch.ones(n, n, dtype=torch.float64)[None, None], 2, padding=1)
    real = Y / ones[0, 0]
    top = kernels.max_pool2d(_t(X)[None, None], 2, padding=1)[0, 0]
    rows = [a for a in (2 * i - 1, 2 * i) if 0 <= a < n]
    cols = [b for b in (2 * j - 1, 2 * j) if 0 <= b < n]
    cells = [X[a][b] for a in rows for b in cols]
    return question(
        "avg-pool-padded",
        seed,
        title="Mean pooling with padding",
        prompt=(
            f"Y = nn.AvgPool2d(2, padding=1)(X): 2 × 2 windows, stride 2, one ring of zeros "
            f"around X. What is Y[{i}, {j}]? (Two decimals are enough.)"
        ),
        grids=[("input X", X)],
        answer=_plain(Y[i, j]),
        mistakes=[
            (
                "leaving the padding out of the mean",
                _plain(real[i, j]),
                "PyTorch's AvgPool2d counts the padding zeros in the mean (count_include_pad=True): "
                "it always divides by 4 here.",
            ),
            ("taking the maximum", _plain(top[i, j]), "Mean pooling averages the window."),
        ],
        hint="With padding 1 the window of Y[i, j] covers padded rows and columns 2i, 2i + 1 and 2j, 2j + 1; "
        "zeros outside X count in the mean.",
        solution=[
            f"The window covers X's cells {', '.join(number(v) for v in cells)} and "
            f"{4 - len(cells)} padding zero{'' if 4 - len(cells) == 1 else 's'}.",
            f"Mean: {number(sum(cells))}/4 = {number(sum(cells) / 4)}.",
        ],
        params={"X": X, "i": i, "j": j},
    )


def _transposed(X: list, K: list, s: int) -> torch.Tensor:
    """``convlab.kernels.conv_transpose2d`` of one channel."""
    return kernels.conv_transpose2d(_t(X)[None, None], _t(K)[None, None], stride=s)[0, 0]


def transposed_value(seed: int) -> dict:
    """Chapter 9: one cell of a transposed convolution (each input cell scatters a copy of K)."""
    r = Draw(seed)
    s = r.pick((1, 2, 2))
    X, K = r.grid(2, 2, 1, 4), r.grid(2, 2, -1, 3)
    Z = _transposed(X, K, s)
    size = Z.shape[0]
    i, j = r.whole(0, size - 1), r.whole(0, size - 1)
    unstrided = _transposed(X, K, 1)
    corner = "a, b" if s == 1 else f"{s}a, {s}b"
    plain = _transposed(X, _flip(K), s)
    terms = [
        (X[a][b], K[i - a * s][j - b * s])
        for a in range(2)
        for b in range(2)
        if 0 <= i - a * s < 2 and 0 <= j - b * s < 2
    ]
    return question(
        "transposed-value",
        seed,
        title="A transposed convolution, cell by cell",
        prompt=(
            f"Z = conv_transpose2d(X, K, stride={s}): each cell X[a, b] adds X[a, b]·K to Z, with "
            f"K's top-left tap on Z[{corner}]. Z is {size} × {size}. What is Z[{i}, {j}]?"
        ),
        grids=[("input X", X), ("kernel K", K)],
        answer=_plain(Z[i, j]),
        mistakes=[
            (
                "ignoring the stride",
                _plain(unstrided[i, j]) if i < 3 and j < 3 else 0,
                f"With stride {s} the copies of K start {s} cells apart.",
            ),
            (
                "flipping the kernel",
                _plain(plain[i, j]),
                "Each copy is X[a, b]·K as it stands; the flip appears only when the scatter is "
                "rewritten as a convolution.",
            ),
        ],
        hint="Find every input cell (a, b) whose copy of K covers Z[i, j]: tap (i − sa, j − sb) of K. Add X[a, b] times that tap.",
        solution=[
            f"Z[{i}, {j}] = " + (spelled(terms) if terms else "0: no copy of K reaches it") + ".",
        ],
        params={"X": X, "K": K, "s": s, "i": i, "j": j},
    )
