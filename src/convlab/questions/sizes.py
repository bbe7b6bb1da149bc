# ruff: noqa: E501  (questions are prose: one line per sentence reads better than wrapped strings)
"""Questions on output sizes: convolution, padding, stride, dilation, pooling, transposed.

Every size comes from ``convlab.kernels.output_size`` (⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1);
each mistake is the same formula with one part of it done wrong.
"""

from __future__ import annotations

from convlab.kernels import output_size, transpose
from convlab.questions.base import article, number, question
from convlab.questions.seeds import Draw
from convlab.receptive_field import layer_lengths

PLUS_ONE = "forgetting the + 1"
WHY_PLUS_ONE = (
    "The window's first position counts too: the steps it takes, plus the one it starts at."
)
PAD_ONCE = "counting the padding on one side only"
WHY_PAD_ONCE = (
    "Padding p puts p zeros on each side of the axis, so the padded input has n + 2p cells."
)


def corr_size(seed: int) -> dict:
    """Chapter 2: rows and columns of corr2d's output."""
    r = Draw(seed)
    nh, nw = r.whole(3, 9), r.whole(3, 9)
    kh, kw = r.whole(1, min(nh, 5)), r.whole(1, min(nw, 5))
    mh, mw = output_size((nh, nw), (kh, kw))
    return question(
        "corr-size",
        seed,
        title="How big is the output?",
        prompt=(
            f"corr2d slides {article(kh)} {kh} × {kw} kernel over {article(nh)} {nh} × {nw} input (rows × columns), "
            "with no padding and stride 1. How many rows and columns does the output have?"
        ),
        fields=("Output rows", "Output columns"),
        answer=[mh, mw],
        mistakes=[
            (PLUS_ONE, [nh - kh, nw - kw], WHY_PLUS_ONE),
            (
                "adding the kernel size instead of subtracting it",
                [nh + kh - 1, nw + kw - 1],
                "n + k − 1 is the size of a full convolution, which pads the input; "
                "corr2d keeps only the windows that fit inside it.",
            ),
            (
                "swapping rows and columns",
                [mw, mh],
                "The output's rows come from the input's and the kernel's rows, its columns "
                "from their columns.",
            ),
        ],
        hint="Along each axis the window fits at n − k + 1 positions.",
        solution=[
            f"Rows: n_h − k_h + 1 = {nh} − {kh} + 1 = {mh}.",
            f"Columns: n_w − k_w + 1 = {nw} − {kw} + 1 = {mw}.",
            f"The output is {mh} × {mw}.",
        ],
        params={"n": [nh, nw], "k": [kh, kw]},
    )


def padded_size(seed: int) -> dict:
    """Chapter 4: output side with padding p per side, stride 1."""
    r = Draw(seed)
    n, k, p = r.whole(4, 12), r.whole(2, 5), r.whole(1, 3)
    m = output_size(n, k, 1, p)
    return question(
        "padded-size",
        seed,
        title="Padding",
        prompt=(
            f"{article(k, True)} {k} × {k} kernel slides with stride 1 over {article(n)} {n} × {n} input padded with "
            f"{p} {'row and column' if p == 1 else 'rows and columns'} of zeros on every side "
            f"(padding={p} in PyTorch). How many cells does each side of the output have?"
        ),
        fields=("Output side",),
        answer=m,
        mistakes=[
            (PLUS_ONE, m - 1, WHY_PLUS_ONE),
            (PAD_ONCE, n + p - k + 1, WHY_PAD_ONCE),
            (
                "ignoring the padding",
                n - k + 1,
                "The zeros count as input cells: windows slide over them.",
            ),
        ],
        hint=(
            "Padding p adds p zeros on each side, so the padded input has n + 2p cells per "
            "axis; the kernel fits at n + 2p − k + 1 positions."
        ),
        solution=[
            f"Padded input: n + 2p = {n} + 2·{p} = {n + 2 * p} cells per side.",
            f"Output: n + 2p − k + 1 = {n + 2 * p} − {k} + 1 = {m}.",
        ],
        params={"n": n, "k": k, "p": p},
    )


def strided_size(seed: int) -> dict:
    """Chapter 4: output side with padding and a stride that does not divide evenly."""
    r = Draw(seed)
    while True:
        n, k, p, s = r.whole(5, 16), r.whole(1, 5), r.whole(0, 2), r.whole(2, 4)
        if k <= n and (n + 2 * p - k) % s:
            break
    m = output_size(n, k, s, p)
    top = n + 2 * p - k
    return question(
        "strided-size",
        seed,
        title="Stride",
        prompt=(
            f"{article(k, True)} {k} × {k} kernel slides over {article(n)} {n} × {n} input with padding {p} "
            f"and stride {s}. How many cells does each side of the output have?"
        ),
        fields=("Output side",),
        answer=m,
        mistakes=[
            (PLUS_ONE, m - 1, WHY_PLUS_ONE),
            (PAD_ONCE, (n + p - k) // s + 1, WHY_PAD_ONCE),
            (
                "forgetting the floor",
                top / s + 1,
                "The window moves s cells at a time and never stops part-way: round "
                "(n + 2p − k)/s down to a whole number of steps.",
            ),
            (
                "rounding up instead of down",
                -(-top // s) + 1,
                "A last step that would leave the padded input is not taken: round down.",
            ),
            (
                "ignoring the stride",
                top + 1,
                "With stride s the window skips s − 1 positions after each one.",
            ),
        ],
        hint="⌊(n + 2p − k)/s⌋ + 1: whole steps of s cells, plus the position the window starts at.",
        solution=[
            f"⌊(n + 2p − k)/s⌋ + 1 = ⌊({n} + 2·{p} − {k})/{s}⌋ + 1 = ⌊{top}/{s}⌋ + 1 "
            f"= {top // s} + 1 = {m}.",
            f"The last window starts at cell {(m - 1) * s} of the padded input and ends at "
            f"{(m - 1) * s + k - 1}; one more step would need {m * s + k - 1} > {n + 2 * p - 1}.",
        ],
        params={"n": n, "k": k, "p": p, "s": s},
    )


def same_padding(seed: int) -> dict:
    """Chapter 4: the padding per side that keeps the size (stride 1, odd kernel, dilation)."""
    r = Draw(seed)
    n, k, d = r.whole(8, 20), r.pick((3, 5, 7)), r.pick((1, 1, 2, 3))
    p = d * (k - 1) // 2
    assert output_size(n, k, 1, p, d) == n
    dilated = f" and dilation {d}" if d > 1 else ""
    return question(
        "same-padding",
        seed,
        title="Keeping the size",
        prompt=(
            f"{article(k, True)} {k} × {k} kernel{dilated} slides with stride 1 over {article(n)} {n} × {n} input. "
            f"What padding per side (PyTorch's padding) keeps the output {n} × {n}?"
        ),
        fields=("Padding per side",),
        answer=p,
        mistakes=[
            (
                "giving the total padding of an axis",
                2 * p,
                "PyTorch's padding is per side: the total, d(k − 1), is split between the two ends.",
            ),
            (
                "ignoring the dilation",
                (k - 1) // 2,
                "A dilated kernel spans d(k − 1) + 1 cells, not k: the padding must cover that span.",
            ),
        ],
        hint="With stride 1 the output has n + 2p − d(k − 1) cells per axis; set that equal to n.",
        solution=[
            f"n + 2p − d(k − 1) = n, so p = d(k − 1)/2 = {d}·({k} − 1)/2 = {p}.",
            f"{p} zeros before and {p} after each row and column, {2 * p} per axis in all.",
        ],
        params={"n": n, "k": k, "d": d},
    )


def pool_size(seed: int) -> dict:
    """Chapter 6: output side of nn.MaxPool2d, whose stride defaults to the window."""
    r = Draw(seed)
    while True:
        n, k = r.whole(4, 16), r.pick((2, 3))
        s = r.pick((0, 0, 1, 2, 3))  # 0: the default, stride = window
        p = r.whole(0, k // 2)
        if k <= n + 2 * p:
            break
    stride = s or k
    m = output_size(n, k, stride, p)
    top = n + 2 * p - k
    call = (
        f"nn.MaxPool2d({k}" + (f", stride={s}" if s else "") + (f", padding={p}" if p else "") + ")"
    )
    return question(
        "pool-size",
        seed,
        title="The size of a pooled map",
        prompt=f"{call} pools {article(n)} {n} × {n} map. How many cells does each side of the output have?",
        fields=("Output side",),
        answer=m,
        mistakes=[
            (
                "taking stride 1",
                top + 1,
                "A pooling layer's stride defaults to its window size, so windows do not overlap.",
            )
            if not s
            else (
                "ignoring the stride",
                top + 1,
                "With stride s the window skips s − 1 positions.",
            ),
            (PLUS_ONE, m - 1, WHY_PLUS_ONE),
            (PAD_ONCE, (n + p - k) // stride + 1, WHY_PAD_ONCE),
            (
                "forgetting the floor",
                top / stride + 1,
                "A window never hangs over the edge: round (n + 2p − k)/s down.",
            ),
        ],
        hint="Pooling windows slide as a kernel does, ⌊(n + 2p − k)/s⌋ + 1, with the stride equal to the window unless it is given.",
        solution=[
            f"Window k = {k}, stride s = {stride}{'' if s else ' (the default: the window size)'}, padding p = {p}.",
            f"⌊(n + 2p − k)/s⌋ + 1 = ⌊({n} + 2·{p} − {k})/{stride}⌋ + 1 = {top // stride} + 1 = {m}.",
        ],
        params={"n": n, "k": k, "s": stride, "p": p},
    )


def dilated_size(seed: int) -> dict:
    """Chapter 8: output side of a dilated convolution."""
    r = Draw(seed)
    while True:
        n, k, d, p = r.whole(7, 20), r.pick((2, 3, 5)), r.whole(2, 4), r.whole(0, 2)
        if d * (k - 1) + 1 <= n + 2 * p:
            break
    span = d * (k - 1) + 1
    m = output_size(n, k, 1, p, d)
    return question(
        "dilated-size",
        seed,
        title="Dilation",
        prompt=(
            f"{article(k, True)} {k} × {k} kernel with dilation {d} slides with stride 1 over {article(n)} {n} × {n} input "
            f"padded by {p} on every side. How many cells does each side of the output have?"
        ),
        fields=("Output side",),
        answer=m,
        mistakes=[
            (
                "ignoring the dilation",
                n + 2 * p - k + 1,
                "A dilated kernel's taps are d cells apart: it spans d(k − 1) + 1 cells, not k.",
            ),
            (
                "taking the span as d·k",
                n + 2 * p - d * k + 1,
                "k taps have k − 1 gaps between them, each d cells wide: d(k − 1) + 1 cells from first to last.",
            ),
            (PLUS_ONE, m - 1, WHY_PLUS_ONE),
            (PAD_ONCE, n + p - span + 1, WHY_PAD_ONCE),
        ],
        hint="A dilated kernel spans d(k − 1) + 1 cells; count its positions as for a kernel that wide.",
        solution=[
            f"Span: d(k − 1) + 1 = {d}·({k} − 1) + 1 = {span} cells.",
            f"Output: n + 2p − span + 1 = {n} + 2·{p} − {span} + 1 = {m}.",
        ],
        params={"n": n, "k": k, "d": d, "p": p},
    )


def transposed_size(seed: int) -> dict:
    """Chapter 9: output side of a transposed convolution."""
    r = Draw(seed)
    while True:
        n, k, s, p = r.whole(2, 8), r.pick((2, 3, 4)), r.whole(1, 3), r.whole(0, 2)
        if (n - 1) * s - 2 * p + k >= 1 and n + 2 * p >= k:
            break
    m = transpose.transposed_size(n, k, s, p, 1, 0)
    return question(
        "transposed-size",
        seed,
        title="A transposed convolution's size",
        prompt=(
            f"nn.ConvTranspose2d with {article(k)} {k} × {k} kernel, stride {s} and padding {p} "
            f"takes {article(n)} {n} × {n} map. How many cells does each side of its output have?"
        ),
        fields=("Output side",),
        answer=m,
        mistakes=[
            (
                "using the forward size formula",
                output_size(n, k, s, p),
                "A transposed convolution runs the size rule backwards: it maps an output-sized map "
                "back to an input-sized one.",
            ),
            (
                "adding the padding instead of removing it",
                (n - 1) * s + 2 * p + k,
                "Padding p crops p cells from each side of the transposed output.",
            ),
            (
                "multiplying n by s instead of n − 1",
                n * s - 2 * p + k,
                "The n copies of the kernel start s cells apart: n − 1 gaps between the first and the last.",
            ),
            (
                "ignoring the stride",
                n - 1 - 2 * p + k,
                "With stride s the copies start s cells apart.",
            ),
        ],
        hint="(n − 1)·s − 2p + d(k − 1) + 1: the size whose forward convolution gives n.",
        solution=[
            f"(n − 1)·s − 2p + (k − 1) + 1 = ({n} − 1)·{s} − 2·{p} + {k} = {m}.",
            f"Check: a forward convolution of {m} cells, k = {k}, s = {s}, p = {p} gives "
            f"⌊({m} + 2·{p} − {k})/{s}⌋ + 1 = {output_size(m, k, s, p)}.",
        ],
        params={"n": n, "k": k, "s": s, "p": p},
    )


def lenet_side(seed: int) -> dict:
    """Chapter 10: the side of the last maps of a LeNet-style stack."""
    r = Draw(seed)

    def stack(k: int, p: int, pool: bool = True) -> list:
        return [
            (k, 1, 1, p),
            *([(2, 2)] if pool else []),
            (k, 1, 1, p),
            *([(2, 2)] if pool else []),
        ]

    while True:
        n, k = r.pick((8, 12, 16, 20, 28, 32)), r.pick((3, 5))
        p = r.pick((0, (k - 1) // 2))
        sides = layer_lengths(n, stack(k, p))
        unpadded = layer_lengths(n, stack(k, 0))
        if len(sides) == 5 and len(unpadded) == 5:
            break
    m = sides[-1]
    no_pool = layer_lengths(n, stack(k, p, pool=False))[-1]
    conv = f"Conv2d(kernel_size={k}, padding={p})"
    return question(
        "lenet-side",
        seed,
        title="Through the stack",
        prompt=(
            f"{article(n, True)} {n} × {n} image goes through {conv}, ReLU, MaxPool2d(2), then {conv}, ReLU, "
            "MaxPool2d(2). How many cells does each side of the last maps have?"
        ),
        fields=("Side of the last maps",),
        answer=m,
        mistakes=[
            (
                "ignoring the padding",
                unpadded[-1],
                f"padding={p} puts {p} zeros on each side before each convolution.",
            ),
            (
                "forgetting the pooling layers",
                no_pool,
                "Each MaxPool2d(2) halves the side (rounding down): stride 2, windows of 2.",
            ),
        ],
        hint="Follow the side layer by layer: a convolution gives n + 2p − k + 1, a 2 × 2 pool ⌊n/2⌋; ReLU keeps it.",
        solution=[
            " → ".join(number(v) for v in sides) + " (convolution, pool, convolution, pool).",
            f"Each convolution: n + 2·{p} − {k} + 1; each pool: ⌊n/2⌋.",
        ],
        params={"n": n, "k": k, "p": p},
    )
