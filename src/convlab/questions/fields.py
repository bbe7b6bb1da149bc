# ruff: noqa: E501  (questions are prose: one line per sentence reads better than wrapped strings)
"""Questions on what one output cell sees: its window's cells, and the receptive field of a stack.

The cells come from ``convlab.receptive_field.dependencies`` (per axis: cell i of
a layer reads cells i·s + t·d − p below it) and the sizes from
``receptive_field_size``; each mistake is the same rule with the stride or the
dilation left out.
"""

from __future__ import annotations

from convlab.questions.base import cell_answer, question
from convlab.questions.seeds import Draw
from convlab.receptive_field import dependencies, receptive_field_size, size_formula


def _window_cells(n: int, k: int, s: int, d: int, i: int, j: int) -> list[tuple[int, int]]:
    """The input cells output cell (i, j) of one k × k layer reads (no padding)."""
    rows = dependencies([(k, s, d)], i, n)[0]
    cols = dependencies([(k, s, d)], j, n)[0]
    return [(r, c) for r in rows for c in cols]


def _cells_question(kind, seed, title, prompt, n, k, s, d, i, j, mistakes, hint, solution):
    cells = _window_cells(n, k, s, d, i, j)
    return question(
        kind,
        seed,
        title=title,
        prompt=prompt,
        cells={"caption": f"input, {n} × {n}", "rows": n, "cols": n},
        answer=cell_answer(cells, n),
        mistakes=[
            (name, cell_answer(_window_cells(n, *setting), n), why)
            for name, setting, why in mistakes
        ],
        hint=hint,
        solution=solution,
        params={"n": n, "k": k, "s": s, "d": d, "i": i, "j": j},
    )


def stride_cells(seed: int) -> dict:
    """Chapter 4: the window of one output cell of a strided convolution (click the cells)."""
    r = Draw(seed)
    n, k, s = r.whole(5, 7), r.pick((2, 3)), 2
    m = (n - k) // s + 1
    while True:
        i, j = r.whole(0, m - 1), r.whole(0, m - 1)
        if i + j > 0:
            break
    return _cells_question(
        "stride-cells",
        seed,
        "Which cells does it read?",
        (
            f"A {k} × {k} kernel slides over this {n} × {n} input with stride {s} and no padding. "
            f"Click the input cells that output cell ({i}, {j}) reads (rows and columns count from 0)."
        ),
        n,
        k,
        s,
        1,
        i,
        j,
        [
            (
                "forgetting the stride",
                (k, 1, 1, i, j),
                f"With stride {s} the window of output cell (i, j) starts at ({s}i, {s}j).",
            ),
            (
                "swapping the row and the column",
                (k, s, 1, j, i),
                f"Output cell ({i}, {j}) is row {i}, column {j}.",
            ),
        ],
        "Output cell (i, j)'s window starts at row s·i and column s·j and is k × k.",
        [
            f"The window starts at row {s}·{i} = {s * i} and column {s}·{j} = {s * j}.",
            f"It covers rows {s * i}–{s * i + k - 1} and columns {s * j}–{s * j + k - 1}: {k * k} cells.",
        ],
    )


def dilated_cells(seed: int) -> dict:
    """Chapter 8: the taps of one output cell of a dilated convolution (click the cells)."""
    r = Draw(seed)
    d, k = r.pick((2, 3)), 3 if r.whole(0, 1) else 2
    span = d * (k - 1) + 1
    n = r.whole(max(span + 1, 6), 8)
    m = n - span + 1
    i, j = r.whole(0, m - 1), r.whole(0, m - 1)
    rows = [i + t * d for t in range(k)]
    cols = [j + t * d for t in range(k)]
    return _cells_question(
        "dilated-cells",
        seed,
        "Which cells does a dilated kernel read?",
        (
            f"A {k} × {k} kernel with dilation {d} slides with stride 1 over this {n} × {n} input. "
            f"Click the input cells that output cell ({i}, {j}) reads."
        ),
        n,
        k,
        1,
        d,
        i,
        j,
        [
            (
                "ignoring the dilation",
                (k, 1, 1, i, j),
                f"With dilation {d} the taps are {d} cells apart.",
            ),
            (
                "filling in the gaps",
                (span, 1, 1, i, j),
                "A dilated kernel skips the cells between its taps.",
            ),
        ],
        "Tap (a, b) of the kernel reads input cell (i + d·a, j + d·b).",
        [
            f"Rows i + d·a = {', '.join(str(v) for v in rows)}; columns j + d·b = {', '.join(str(v) for v in cols)}.",
            f"{k * k} cells, {d} apart, spanning {span} × {span}.",
        ],
    )


def stack_field(seed: int) -> dict:
    """Chapter 8: the receptive field of a stack of layers."""
    r = Draw(seed)
    depth = r.whole(2, 3)
    layers = [(r.pick((2, 3, 5)), r.pick((1, 1, 2)), r.pick((1, 1, 2))) for _ in range(depth)]
    answer = receptive_field_size(layers)
    described = "; ".join(
        f"layer {number + 1}: kernel {k}, stride {s}, dilation {d}"
        for number, (k, s, d) in enumerate(layers)
    )
    return question(
        "stack-field",
        seed,
        title="The receptive field of a stack",
        prompt=(
            f"A stack of 1-D layers, from the input up: {described}. How many input cells, from "
            "first to last, does one cell of the last layer span?"
        ),
        answer=answer,
        mistakes=[
            (
                "ignoring the strides",
                receptive_field_size([(k, 1, d) for k, _, d in layers]),
                "A stride below a layer spreads its taps out: each tap of layer l is j_l input cells from the next.",
            ),
            (
                "ignoring the dilations",
                receptive_field_size([(k, s, 1) for k, s, _ in layers]),
                "A dilated layer's taps are d cells of the layer below apart.",
            ),
            (
                "adding the kernel sizes",
                sum(k for k, _, _ in layers),
                "Stacked kernels overlap by one cell: each layer adds (k − 1)·d·j cells, not k.",
            ),
        ],
        hint="r = 1 + Σ (k − 1)·d·j, where j is the product of the strides of the layers below.",
        solution=[size_formula(layers) + "."],
        params={"layers": [list(layer) for layer in layers]},
    )
