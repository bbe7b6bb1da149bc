# ruff: noqa: E501  (questions are prose: one line per sentence reads better than wrapped strings)
"""Questions on what layers cost: parameters, multiply-adds, the numbers im2col copies.

Every count comes from ``convlab.counting`` or ``convlab.im2col.im2col_sizes``;
each mistake is the same count with one factor or term left out or misplaced.
"""

from __future__ import annotations

from convlab import counting
from convlab.im2col import im2col_sizes
from convlab.kernels import output_size
from convlab.questions.base import article, number, question
from convlab.questions.seeds import Draw

NO_BIAS = "leaving out the bias"
WHY_BIAS = "nn.Conv2d and nn.Linear hold one bias per output (channel) by default."


def dense_params(seed: int) -> dict:
    """Chapter 1: parameters of a dense layer on a flattened image."""
    r = Draw(seed)
    side, c, units = r.pick((8, 16, 28, 32, 64)), r.pick((1, 3)), r.pick((10, 50, 100, 256))
    inputs = counting.image_inputs(side, side, c)
    answer = counting.dense_params(inputs, units)
    return question(
        "dense-params",
        seed,
        title="A dense layer on an image",
        prompt=(
            f"{article(side, True)} {side} × {side} image with {c} channel{'s' if c > 1 else ''} is flattened and fed to "
            f"nn.Linear with {units} outputs (with biases). How many parameters does the layer have?"
        ),
        answer=answer,
        mistakes=[
            (NO_BIAS, inputs * units, "nn.Linear has one bias per output unit."),
            (
                "leaving out the channels",
                counting.dense_params(side * side, units),
                "Every channel of every pixel is an input: c·h·w numbers.",
            ),
        ],
        hint="c·h·w inputs, each joined to every output by a weight, plus one bias per output.",
        solution=[
            f"Inputs: c·h·w = {c}·{side}·{side} = {number(inputs)}.",
            f"Parameters: inputs·outputs + outputs = {number(inputs)}·{units} + {units} = {number(answer)}.",
        ],
        params={"side": side, "c": c, "units": units},
    )


def local_weights(seed: int) -> dict:
    """Chapter 1: the kernel left by locality, |a|, |b| ≤ Δ."""
    r = Draw(seed)
    delta = r.whole(1, 6)
    answer = counting.local_weights(delta)
    return question(
        "local-weights",
        seed,
        title="Locality",
        prompt=(
            f"Locality keeps only the weights V[a, b] with |a| ≤ Δ and |b| ≤ Δ. With Δ = {delta}, "
            "how many weights are left?"
        ),
        answer=answer,
        mistakes=[
            (
                "forgetting the offset 0",
                (2 * delta) ** 2,
                "Offsets run from −Δ to Δ: 2Δ + 1 values per axis, 0 among them.",
            ),
            ("counting the positive offsets only", (delta + 1) ** 2, "Offsets run from −Δ to Δ."),
            (
                "counting one axis only",
                2 * delta + 1,
                "a and b each take 2Δ + 1 values: a square kernel.",
            ),
        ],
        hint="Each of a and b runs from −Δ to Δ.",
        solution=[
            f"Offsets per axis: 2Δ + 1 = 2·{delta} + 1 = {2 * delta + 1}.",
            f"Weights: (2Δ + 1)² = {2 * delta + 1}² = {answer}, a {2 * delta + 1} × {2 * delta + 1} kernel.",
        ],
        params={"delta": delta},
    )


def shared_weights(seed: int) -> dict:
    """Chapter 1: the weights left by translation equivariance, one per offset."""
    r = Draw(seed)
    h, w = r.whole(2, 12), r.whole(2, 12)
    answer = counting.shared_weights(h, w)
    return question(
        "shared-weights",
        seed,
        title="One weight per offset",
        prompt=(
            f"After translation equivariance a hidden layer on {article(h)} {h} × {w} image keeps one weight "
            "V[a, b] per offset (a, b) from an output pixel to an input pixel. How many weights is that?"
        ),
        answer=answer,
        mistakes=[
            (
                "forgetting the − 1",
                4 * h * w,
                "Offsets along the rows run from −(h − 1) to h − 1: 2h − 1 values, not 2h.",
            ),
            (
                "counting offsets in one direction only",
                h * w,
                "An offset can point up or down, left or right.",
            ),
            (
                "keeping a weight per pixel pair",
                counting.dense_image_weights(h, w),
                "(h·w)² is the dense layer before sharing: equivariance keeps one weight per offset.",
            ),
        ],
        hint="Along an axis of h pixels, the offset from one pixel to another runs from −(h − 1) to h − 1.",
        solution=[
            f"Row offsets: 2h − 1 = {2 * h - 1}; column offsets: 2w − 1 = {2 * w - 1}.",
            f"Weights: (2h − 1)(2w − 1) = {2 * h - 1}·{2 * w - 1} = {number(answer)}.",
        ],
        params={"h": h, "w": w},
    )


def layer_params(seed: int) -> dict:
    """Chapter 5: parameters of nn.Conv2d with several input and output channels."""
    r = Draw(seed)
    ci, co, k = r.pick((1, 3, 8, 16, 32, 64)), r.pick((4, 8, 16, 32, 64, 128)), r.pick((1, 3, 5))
    answer = counting.conv2d_params(ci, co, k)
    return question(
        "layer-params",
        seed,
        title="Parameters of a layer",
        prompt=f"How many parameters does nn.Conv2d({ci}, {co}, kernel_size={k}) have (with its biases)?",
        answer=answer,
        mistakes=[
            (NO_BIAS, counting.conv2d_params(ci, co, k, bias=False), WHY_BIAS),
            (
                "leaving out the input channels",
                counting.conv2d_params(1, co, k),
                "Each output channel has a kernel of c_i × k × k: one k × k slice per input channel.",
            ),
            (
                "giving every pair of channels a bias",
                counting.conv2d_params(ci, co, k, bias=False) + ci * co,
                "There is one bias per output channel, added after the input channels are summed.",
            ),
            (
                "counting k instead of k²",
                co * ci * k + co,
                "A kernel is k × k: k² weights per slice.",
            ),
        ],
        hint="The weight has the shape (c_o, c_i, k, k); add one bias per output channel.",
        solution=[
            f"Weights: c_o·c_i·k² = {co}·{ci}·{k}² = {number(co * ci * k * k)}.",
            f"Biases: c_o = {co}. In all: {number(answer)}.",
        ],
        params={"ci": ci, "co": co, "k": k},
    )


def layer_macs(seed: int) -> dict:
    """Chapter 5: multiply-adds of a layer on one image."""
    r = Draw(seed)
    ci, co, k = r.pick((1, 3, 8, 16)), r.pick((4, 8, 16, 32)), r.pick((1, 3, 5))
    n, p = r.pick((8, 16, 28, 32)), r.pick((0, 1))
    p = p * (k - 1) // 2
    m = output_size(n, k, 1, p)
    answer = counting.conv2d_macs(ci, co, k, m)
    return question(
        "layer-macs",
        seed,
        title="What a layer computes",
        prompt=(
            f"nn.Conv2d({ci}, {co}, kernel_size={k}, padding={p}) runs on one {ci} × {n} × {n} image. "
            "How many multiply-adds does it make (biases not counted)?"
        ),
        answer=answer,
        mistakes=[
            (
                "using the input size instead of the output size",
                counting.conv2d_macs(ci, co, k, n),
                "There is one window per output cell: the output is m × m, m = n + 2p − k + 1.",
            ),
            (
                "leaving out the input channels",
                counting.conv2d_macs(1, co, k, m),
                "Every output cell sums k² products in each of the c_i input channels.",
            ),
            (
                "leaving out the output channels",
                counting.conv2d_macs(ci, 1, k, m),
                "Each of the c_o output channels computes its own map.",
            ),
        ],
        hint="c_o·m² output cells, each a sum of c_i·k² products.",
        solution=[
            f"Output side: m = n + 2p − k + 1 = {n} + 2·{p} − {k} + 1 = {m}.",
            f"Multiply-adds: c_i·c_o·k²·m² = {ci}·{co}·{k}²·{m}² = {number(answer)}.",
        ],
        params={"ci": ci, "co": co, "k": k, "n": n, "p": p},
    )


def _divisors(m: int, n: int) -> list[int]:
    return [g for g in range(2, m + 1) if m % g == 0 and n % g == 0]


def grouped_params(seed: int) -> dict:
    """Chapter 7: parameters of a grouped convolution."""
    r = Draw(seed)
    m, n, k = r.pick((4, 8, 16, 32)), r.pick((8, 16, 32, 64)), r.pick((3, 5))
    g = r.pick(_divisors(m, n))
    answer = counting.grouped_params(m, n, k, g)
    return question(
        "grouped-params",
        seed,
        title="Groups",
        prompt=(
            f"How many parameters does nn.Conv2d({m}, {n}, kernel_size={k}, groups={g}) have "
            "(with its biases)?"
        ),
        answer=answer,
        mistakes=[
            (
                "ignoring the groups",
                counting.conv2d_params(m, n, k),
                f"With groups = {g} each output channel sees only m/groups = {m // g} input channels.",
            ),
            (NO_BIAS, counting.grouped_params(m, n, k, g, bias=False), WHY_BIAS),
            (
                "dividing the output channels by the groups too",
                (n // g) * (m // g) * k * k + n,
                "Every one of the n output channels keeps its kernel; each kernel is only thinner.",
            ),
        ],
        hint="Each output channel's kernel is (m/groups) × k × k; there are n of them, plus n biases.",
        solution=[
            f"Kernel per output channel: (m/g)·k² = ({m}/{g})·{k}² = {m // g * k * k}.",
            f"Parameters: n·(m/g)·k² + n = {n}·{m // g * k * k} + {n} = {number(answer)}.",
        ],
        params={"m": m, "n": n, "k": k, "g": g},
    )


def separable_params(seed: int) -> dict:
    """Chapter 7: parameters of depthwise + pointwise."""
    r = Draw(seed)
    m, n, k = r.pick((8, 16, 32, 64)), r.pick((16, 32, 64, 128)), r.pick((3, 5))
    answer = counting.separable_params(m, n, k)
    depthwise = counting.grouped_params(m, m, k, m)
    pointwise = counting.conv2d_params(m, n, 1)
    return question(
        "separable-params",
        seed,
        title="Depthwise, then pointwise: parameters",
        prompt=(
            f"A depthwise-separable layer takes {m} channels to {n}: nn.Conv2d({m}, {m}, {k}, "
            f"groups={m}) then nn.Conv2d({m}, {n}, 1), both with biases. How many parameters in all?"
        ),
        answer=answer,
        mistakes=[
            ("leaving out the biases", counting.separable_params(m, n, k, bias=False), WHY_BIAS),
            (
                "leaving out the pointwise step",
                depthwise,
                "The 1 × 1 convolution mixes the channels: m·n + n.",
            ),
            (
                "counting the depthwise step as a standard convolution",
                counting.conv2d_params(m, m, k) + pointwise,
                "With groups = m each depthwise kernel sees one channel: k² weights, not m·k².",
            ),
        ],
        hint="Depthwise: one k × k kernel and one bias per channel. Pointwise: an m → n 1 × 1 convolution.",
        solution=[
            f"Depthwise: k²·m + m = {k}²·{m} + {m} = {number(depthwise)}.",
            f"Pointwise: m·n + n = {m}·{n} + {n} = {number(pointwise)}.",
            f"In all: {number(answer)}.",
        ],
        params={"m": m, "n": n, "k": k},
    )


def separable_macs(seed: int) -> dict:
    """Chapter 7: multiply-adds of depthwise + pointwise."""
    r = Draw(seed)
    m, n, k = r.pick((8, 16, 32)), r.pick((16, 32, 64)), r.pick((3, 5))
    h = r.pick((7, 14, 28, 56))
    answer = counting.separable_macs(m, n, k, h)
    depthwise = counting.conv2d_macs(m, m, k, h, m)
    return question(
        "separable-macs",
        seed,
        title="Depthwise, then pointwise: multiply-adds",
        prompt=(
            f"The same split, {m} → {n} channels with {k} × {k} depthwise kernels, on an output of "
            f"{h} × {h}. How many multiply-adds does it make (biases not counted)?"
        ),
        answer=answer,
        mistakes=[
            (
                "leaving out the pointwise step",
                depthwise,
                "The 1 × 1 convolution makes m·n multiply-adds at every output pixel.",
            ),
            (
                "counting a standard convolution",
                counting.conv2d_macs(m, n, k, h),
                "That is the layer the split replaces: k²·m·n per pixel.",
            ),
            (
                "leaving out the channels of the depthwise step",
                k * k * h * h + m * n * h * h,
                "Each of the m channels has its own k × k kernel.",
            ),
        ],
        hint="Per output pixel: k²·m for the depthwise step and m·n for the pointwise step.",
        solution=[
            f"Depthwise: k²·m·h′·w′ = {k}²·{m}·{h}² = {number(depthwise)}.",
            f"Pointwise: m·n·h′·w′ = {m}·{n}·{h}² = {number(answer - depthwise)}.",
            f"In all: {number(answer)}.",
        ],
        params={"m": m, "n": n, "k": k, "h": h},
    )


def _lenet(r: Draw):
    n, k = r.pick((8, 12, 16, 28)), 3
    c1, c2 = r.pick((4, 6, 8, 16)), r.pick((8, 16, 32))
    side = n
    for _ in range(2):
        side = output_size(output_size(side, k, 1, 1), 2, 2)
    return n, k, c1, c2, side


def lenet_params(seed: int) -> dict:
    """Chapter 10: every parameter of a small LeNet."""
    r = Draw(seed)
    n, k, c1, c2, side = _lenet(r)
    convs = counting.conv2d_params(1, c1, k) + counting.conv2d_params(c1, c2, k)
    features = c2 * side * side
    answer = convs + counting.dense_params(features, 10)
    no_bias = (
        counting.conv2d_params(1, c1, k, bias=False)
        + counting.conv2d_params(c1, c2, k, bias=False)
        + counting.dense_params(features, 10, bias=False)
    )
    return question(
        "lenet-params",
        seed,
        title="Counting a whole network",
        prompt=(
            f"A network for {n} × {n} grey images: Conv2d(1, {c1}, 3, padding=1), ReLU, MaxPool2d(2), "
            f"Conv2d({c1}, {c2}, 3, padding=1), ReLU, MaxPool2d(2), Flatten, Linear(…, 10). "
            "How many parameters does it have?"
        ),
        answer=answer,
        mistakes=[
            (
                "leaving out the biases",
                no_bias,
                "Each Conv2d and the Linear layer have one bias per output.",
            ),
            (
                "leaving out the input channels of the second convolution",
                counting.conv2d_params(1, c1, k)
                + counting.conv2d_params(1, c2, k)
                + counting.dense_params(features, 10),
                f"The second convolution's kernels are {c1} × 3 × 3: one slice per map of the first.",
            ),
            (
                "feeding the linear layer the image instead of the last maps",
                convs + counting.dense_params(n * n, 10),
                f"Flatten sees the last maps: {c2} channels of {side} × {side}.",
            ),
        ],
        hint="Pooling, ReLU and Flatten have no parameters; the Linear layer's inputs are c·h·w of the last maps.",
        solution=[
            f"Conv2d(1, {c1}, 3): {c1}·1·9 + {c1} = {counting.conv2d_params(1, c1, k)}.",
            f"Conv2d({c1}, {c2}, 3): {c2}·{c1}·9 + {c2} = {number(counting.conv2d_params(c1, c2, k))}.",
            f"The side goes {n} → {n // 2} → {side}, so Linear({features}, 10): "
            f"{number(features)}·10 + 10 = {number(counting.dense_params(features, 10))}.",
            f"In all: {number(answer)}.",
        ],
        params={"n": n, "c1": c1, "c2": c2},
    )


def lenet_features(seed: int) -> dict:
    """Chapter 10: how many numbers Flatten hands the linear layer."""
    r = Draw(seed)
    n, k, c1, c2, side = _lenet(r)
    answer = c2 * side * side
    return question(
        "lenet-features",
        seed,
        title="What the linear layer sees",
        prompt=(
            f"{article(n, True)} {n} × {n} grey image goes through Conv2d(1, {c1}, 3, padding=1), ReLU, MaxPool2d(2), "
            f"Conv2d({c1}, {c2}, 3, padding=1), ReLU, MaxPool2d(2), Flatten. How many numbers does "
            "Flatten hand to the linear layer, per image?"
        ),
        answer=answer,
        mistakes=[
            (
                "leaving out the channels",
                side * side,
                f"Each of the {c2} maps is flattened: c·h·w numbers.",
            ),
            (
                "forgetting one of the pools",
                c2 * (n // 2) ** 2,
                "Both MaxPool2d(2) layers halve the side.",
            ),
            (
                "taking the first layer's channels",
                c1 * side * side,
                "The last maps come from the second convolution.",
            ),
        ],
        hint="The 3 × 3 convolutions with padding 1 keep the side; each 2 × 2 pool halves it.",
        solution=[
            f"Side: {n} → {n // 2} → {side}.",
            f"Numbers: c·h·w = {c2}·{side}·{side} = {number(answer)}.",
        ],
        params={"n": n, "c1": c1, "c2": c2},
    )


def im2col_shape(seed: int) -> dict:
    """Appendix: the column matrix's rows and columns."""
    r = Draw(seed)
    c, n, k, s = r.whole(1, 3), r.whole(3, 8), r.pick((2, 3)), r.pick((1, 1, 2))
    sizes = im2col_sizes(c, n, k, s)
    m = output_size(n, k, s)
    return question(
        "im2col-shape",
        seed,
        title="The column matrix",
        prompt=(
            f"im2col copies every {k} × {k} window (stride {s}) of {article(c)} {c} × {n} × {n} input into "
            "one column. How many rows and columns does the column matrix have?"
        ),
        fields=("Rows", "Columns"),
        answer=[sizes.rows, sizes.columns],
        mistakes=[
            (
                "leaving out the channels",
                [k * k, sizes.columns],
                "A window holds C·k² numbers: k² per channel.",
            ),
            (
                "swapping rows and columns",
                [sizes.columns, sizes.rows],
                "One column per window; one row per number in a window.",
            ),
            (
                "forgetting the + 1",
                [sizes.rows, (m - 1) ** 2],
                "The windows per axis are ⌊(n − k)/s⌋ + 1: the first position counts too.",
            ),
        ],
        hint="One row per number in a window (C·k²), one column per window (one per output cell).",
        solution=[
            f"Rows: C·k² = {c}·{k}² = {sizes.rows}.",
            f"Windows per axis: ⌊(n − k)/s⌋ + 1 = ⌊({n} − {k})/{s}⌋ + 1 = {m}; columns: {m}² = {sizes.columns}.",
        ],
        params={"c": c, "n": n, "k": k, "s": s},
    )


def im2col_elements(seed: int) -> dict:
    """Appendix: how many numbers the copy holds, against the input."""
    r = Draw(seed)
    c, n, k = r.whole(1, 4), r.pick((8, 16, 32, 64)), r.pick((2, 3, 5))
    sizes = im2col_sizes(c, n, k)
    m = output_size(n, k)
    return question(
        "im2col-elements",
        seed,
        title="What the copy costs",
        prompt=(
            f"im2col on {article(c)} {c} × {n} × {n} input with {k} × {k} windows, stride 1, no padding. "
            "How many numbers does the column matrix hold?"
        ),
        answer=sizes.matrix_elements,
        mistakes=[
            (
                "counting the input",
                sizes.input_elements,
                "Each number is copied once per window that holds it.",
            ),
            ("leaving out the channels", k * k * m * m, "A window holds C·k² numbers."),
            (
                "counting a window per input cell",
                c * k * k * n * n,
                f"The windows are those that fit: {m} × {m}.",
            ),
        ],
        hint="Rows × columns: C·k² numbers per window, one window per output cell.",
        solution=[
            f"Windows: ({n} − {k} + 1)² = {m}² = {number(m * m)}; each holds C·k² = {c * k * k}.",
            f"Column matrix: {c * k * k}·{number(m * m)} = {number(sizes.matrix_elements)} numbers, "
            f"{number(sizes.growth)} times the input's {number(sizes.input_elements)}.",
        ],
        params={"c": c, "n": n, "k": k},
    )


def loop_calls(seed: int) -> dict:
    """Appendix: the calls the loop corr2d makes into PyTorch."""
    r = Draw(seed)
    n, k = r.pick((8, 16, 32, 64, 128)), r.pick((2, 3, 5))
    windows = output_size(n, k) ** 2
    return question(
        "loop-calls",
        seed,
        title="Why the loop is slow",
        prompt=(
            f"The loop corr2d makes 4 calls into PyTorch per window (slice, multiply, sum, store). "
            f"How many calls does it make on {article(n)} {n} × {n} input with {article(k)} {k} × {k} kernel?"
        ),
        answer=4 * windows,
        mistakes=[
            (
                "counting a window per input cell",
                4 * n * n,
                f"Only the windows that fit: ({n} − {k} + 1)².",
            ),
            (
                "forgetting the + 1",
                4 * (n - k) ** 2,
                "The window's first position counts too: n − k + 1 per axis.",
            ),
            ("counting one call per window", windows, "Each window costs 4 calls."),
        ],
        hint="One window per output cell, (n − k + 1)² of them, 4 calls each.",
        solution=[
            f"Windows: (n − k + 1)² = ({n} − {k} + 1)² = {number(windows)}.",
            f"Calls: 4·{number(windows)} = {number(4 * windows)}.",
        ],
        params={"n": n, "k": k},
    )
