"""Receptive fields: which input cells one output cell of a stack of layers can see.

A stack of convolution (or pooling) layers along one axis is a list of layers,
each with a kernel size k, a stride s, a dilation d and a padding p per side.
Two numbers describe every layer l:

- the **jump** j_l = j_{l−1}·s_l: how far apart, in input cells, two neighbouring
  cells of layer l look (j_0 = 1);
- the **size** r_l = r_{l−1} + (k_l − 1)·d_l·j_{l−1}: how many input cells, from
  first to last, one cell of layer l spans (r_0 = 1).

Unrolled, r = 1 + Σ_l (k_l − 1)·d_l·Π_{i<l} s_i. The span can have holes: a
dilated layer skips cells, and the cells it depends on are found by following
the kernel's taps back layer by layer (``dependencies``). In 2-D the same holds
per axis, and the receptive field is the product of the two axes' cells.

Not every cell of the field counts alike: ``path_counts`` says through how many
paths each input cell reaches the output, which is the gradient of the output
with every weight 1. The counts pile up in the middle of the field (1 2 3 2 1 for
two 3-wide layers): the *effective* receptive field, the part of the field that
carries most of the weight.

Sizes are exact Python ints, however large. ``dependencies`` lists cells, so it
refuses a stack whose list would pass ``MAX_CELLS``; ``gradient_region`` runs
PyTorch's autograd on every layer, so it refuses layers wider than
``MAX_GRADIENT_CELLS`` or more than ``MAX_GRADIENT_WORK`` multiply-adds;
``path_counts`` builds every (padded) layer too, with the same width limit, and
refuses a stack with more paths than int64 holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from math import prod
from operator import mul
from typing import NamedTuple

import torch

from convlab.checks import check_int, is_int

MAX_CELLS = 10**6  # cells ``dependencies`` lists, over all layers together
MAX_GRADIENT_CELLS = 10**7  # cells of one (padded) layer that ``gradient_region`` builds
MAX_GRADIENT_WORK = 10**9  # multiply-adds of the convolutions ``gradient_region`` runs


class Layer(NamedTuple):
    """One layer along one axis: kernel size, stride, dilation, padding per side."""

    kernel_size: int
    stride: int = 1
    dilation: int = 1
    padding: int = 0


@dataclass(frozen=True)
class Field:
    """The receptive field of the cells of one layer, in input cells.

    Cell i of the layer spans input cells ``start + i·jump`` to
    ``start + i·jump + size − 1`` (a negative start is padding).
    """

    size: int
    jump: int
    start: int


def as_layers(layers: Iterable[object]) -> tuple[Layer, ...]:
    """The stack as ``Layer`` tuples, checked.

    Each layer may be a ``Layer``, an int (a kernel size, stride 1, dilation 1),
    a tuple ``(k, s, d, p)`` with s, d and p optional, or a dict with the
    ``Layer`` field names.
    """
    wrong = TypeError(
        f"layers: expected a list of layers such as [(3, 1, 1), (3, 2, 1)], "
        f"got {type(layers).__name__}"
    )
    if isinstance(layers, str | bytes) or not isinstance(layers, Iterable):
        raise wrong
    try:
        layers = list(layers)
    except TypeError:  # iterable in type only, such as a 0-d tensor
        raise wrong from None
    checked = []
    for number, layer in enumerate(layers, start=1):
        if is_int(layer):
            layer = (layer,)
        if isinstance(layer, dict):
            unknown = set(layer) - set(Layer._fields)
            if unknown:
                raise ValueError(
                    f"layers[{number - 1}]: unknown keys {sorted(unknown)}; "
                    f"a layer has {', '.join(Layer._fields)}"
                )
            if "kernel_size" not in layer:
                raise ValueError(f"layers[{number - 1}]: a layer needs a kernel_size")
            layer = Layer(**layer)
        if not isinstance(layer, tuple | list) or not 1 <= len(layer) <= 4:
            raise TypeError(
                f"layers[{number - 1}]: expected an int k or a tuple (k, s, d, p) "
                f"with 1 to 4 ints, got {layer!r}"
            )
        k, s, d, p = Layer(*layer)
        checked.append(
            Layer(
                check_int(k, f"layers[{number - 1}] kernel_size", 1),
                check_int(s, f"layers[{number - 1}] stride", 1),
                check_int(d, f"layers[{number - 1}] dilation", 1),
                check_int(p, f"layers[{number - 1}] padding", 0),
            )
        )
    if not checked:
        raise ValueError("layers: the stack needs at least one layer, got none")
    return tuple(checked)


def receptive_field(layers: Iterable[object]) -> list[Field]:
    """Size, jump and start of the receptive field after each layer (the recurrence).

    j_l = j_{l−1}·s_l;  r_l = r_{l−1} + (k_l − 1)·d_l·j_{l−1};
    start_l = start_{l−1} − p_l·j_{l−1}, starting from r_0 = j_0 = 1, start_0 = 0.
    """
    size, jump, start = 1, 1, 0
    fields = []
    for k, s, d, p in as_layers(layers):
        size += (k - 1) * d * jump
        start -= p * jump
        jump *= s
        fields.append(Field(size, jump, start))
    return fields


def receptive_field_size(layers: Iterable[object]) -> int:
    """The closed form r = 1 + Σ_l (k_l − 1)·d_l·Π_{i<l} s_i (no recurrence)."""
    stack = as_layers(layers)
    strides_below = accumulate((layer.stride for layer in stack[:-1]), mul, initial=1)
    return 1 + sum(
        (k - 1) * d * product for (k, _, d, _), product in zip(stack, strides_below, strict=True)
    )


def layer_lengths(input_size: int, layers: Iterable[object]) -> list[int]:
    """The number of cells of the input and of each layer's output, while there are any.

    Each step is ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1; the list stops at the first
    layer whose kernel does not fit (shorter than ``len(layers) + 1`` then).
    """
    n = check_int(input_size, "input_size", 1)
    lengths = [n]
    for k, s, d, p in as_layers(layers):
        top = lengths[-1] + 2 * p - d * (k - 1) - 1
        if top < 0:
            break
        lengths.append(top // s + 1)
    return lengths


def stack_problem(input_size: int, layers: Iterable[object]) -> str | None:
    """Why the stack leaves no output for this input, in words with the numbers, or None."""
    stack = as_layers(layers)
    lengths = layer_lengths(input_size, stack)
    if len(lengths) > len(stack):
        return None
    number = len(lengths)  # the first layer with no output, counting from 1
    k, _, d, p = stack[number - 1]
    below = "the input has" if number == 1 else f"layer {number - 1} has"
    padded = "" if p == 0 else f" even with {p} cell{'s' if p > 1 else ''} of padding per side"
    n_min = _min_input(stack)
    return (
        f"Layer {number} has no output: its kernel spans d·(k − 1) + 1 = "
        f"{d}·({k} − 1) + 1 = {d * (k - 1) + 1} cells, but {below} only "
        f"{lengths[-1]}{padded}. This stack needs an input of at least {n_min} cells; "
        f"the input has {lengths[0]}."
    )


def _min_input(stack: Sequence[Layer]) -> int:
    """The smallest input that leaves at least one output cell at the end of the stack."""
    need = 1
    for k, s, d, p in reversed(stack):
        need = max(1, (need - 1) * s + d * (k - 1) + 1 - 2 * p)
    return need


def _checked(
    layers: Iterable[object], out_index: object, input_size: object
) -> tuple[tuple[Layer, ...], list[int], int]:
    """The one check of ``dependencies`` and ``gradient_region``: stack, lengths, out_index."""
    stack = as_layers(layers)
    lengths = layer_lengths(input_size, stack)
    if not is_int(out_index):
        raise TypeError(f"out_index: expected an int, got {type(out_index).__name__} {out_index!r}")
    if len(lengths) <= len(stack):
        raise ValueError(f"input_size: {stack_problem(input_size, stack)}")
    if not 0 <= out_index < lengths[-1]:
        cells = (
            "1 cell (0 to 0)"
            if lengths[-1] == 1
            else f"{lengths[-1]} cells (0 to {lengths[-1] - 1})"
        )
        raise ValueError(f"out_index: the last layer has {cells}, got {out_index}")
    return stack, lengths, int(out_index)


def _runs_below(cells: Sequence[int], layer: Layer, n: int) -> dict[int, list[list[int]]]:
    """The cells of the layer below (``n`` long) that ``cells`` (ascending) read.

    Cell i reads i·s − p + t·d for the taps t = 0 … k − 1: all of them lie in
    one residue class r of the dilation, at class positions q … q + k − 1 with
    i·s − p = q·d + r. So per class the cells read are a union of intervals of
    positions, merged as they come (the bases grow with i). The cost is about
    the number of cells, whatever k and d are.
    """
    k, s, d, p = layer
    runs: dict[int, list[list[int]]] = {}
    for i in cells:
        q, r = divmod(i * s - p, d)
        end = -((r - n) // d)  # class positions q with r + q·d < n
        low, high = max(q, 0), min(q + k, end)
        if low >= high:
            continue  # every tap lands in the padding
        merged = runs.setdefault(r, [])
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return runs


def dependencies(layers: Iterable[object], out_index: int, input_size: int) -> list[tuple]:
    """The cells that output cell ``out_index`` depends on, in every layer.

    Entry 0 is the input, entry l the output of layer l (the last entry is just
    ``(out_index,)``). Cell i of layer l reads cells i·s + t·d − p of layer l − 1
    for the taps t = 0 … k − 1; cells outside a layer are padding and dropped.
    At most ``MAX_CELLS`` cells in all are listed; a larger answer is refused
    before it is built.
    """
    stack, lengths, out_index = _checked(layers, out_index, input_size)
    cells = [(out_index,)]
    total = 1
    for number, layer, n in zip(
        range(len(stack), 0, -1), reversed(stack), reversed(lengths[:-1]), strict=True
    ):
        runs = _runs_below(cells[0], layer, n)
        count = sum(high - low for merged in runs.values() for low, high in merged)
        total += count
        if total > MAX_CELLS:
            below = "the input" if number == 1 else f"layer {number - 1}"
            raise ValueError(
                f"layers: output cell {out_index} depends on more than {MAX_CELLS:,} cells "
                f"over the layers ({count:,} in {below} alone): too many to list; "
                f"dependencies lists at most {MAX_CELLS:,}"
            )
        d = layer.dilation
        below = [
            c
            for r, merged in runs.items()
            for a, b in merged
            for c in range(r + a * d, r + b * d, d)
        ]
        if len(runs) > 1:
            below.sort()
        cells.insert(0, tuple(below))
    return cells


def input_region(layers: Iterable[object], out_index: int, input_size: int) -> tuple[int, ...]:
    """The input cells that output cell ``out_index`` of the stack depends on."""
    return dependencies(layers, out_index, input_size)[0]


def gradient_region(layers: Iterable[object], out_index: int, input_size: int) -> tuple[int, ...]:
    """The same cells found by autograd: where ∂y[out_index]/∂x ≠ 0.

    Every weight is 1 and the input is all ones, so every path from an input
    cell to the output adds a positive amount: nothing can cancel, and the
    gradient is non-zero exactly where the output depends on the input.

    The arguments are checked as ``dependencies`` checks them. PyTorch builds
    every layer, padding included, so a layer wider than ``MAX_GRADIENT_CELLS``
    or more than ``MAX_GRADIENT_WORK`` multiply-adds in all is refused. A stride
    past the padded layer, or a dilation with one tap, changes nothing, so they
    are passed to PyTorch as the padded width and 1 (PyTorch's ints are 64-bit).
    """
    stack, lengths, out_index = _checked(layers, out_index, input_size)
    work = 0
    for number, ((k, _, _, p), n, n_out) in enumerate(
        zip(stack, lengths[:-1], lengths[1:], strict=True), start=1
    ):
        padded = n + 2 * p
        if padded > MAX_GRADIENT_CELLS:
            below = "the input" if number == 1 else f"layer {number - 1}"
            raise ValueError(
                f"input_size: layer {number} reads {below}, {padded:,} cells wide with its "
                f"padding; gradient_region builds layers of at most {MAX_GRADIENT_CELLS:,} cells "
                "(input_region finds the same cells without building the layers)"
            )
        work += n_out * k
    if work > MAX_GRADIENT_WORK:
        raise ValueError(
            f"layers: autograd through this stack takes {work:,} multiply-adds one way; "
            f"gradient_region allows at most {MAX_GRADIENT_WORK:,} "
            "(input_region finds the same cells with far less work)"
        )
    x = torch.ones(1, 1, lengths[0], requires_grad=True)
    y = x
    for (k, s, d, p), n in zip(stack, lengths[:-1], strict=True):
        padded = n + 2 * p
        weight = torch.ones(1, 1, k, dtype=x.dtype)
        stride, dilation = min(s, padded), d if k > 1 else 1
        y = torch.nn.functional.conv1d(y, weight, stride=stride, padding=p, dilation=dilation)
    y[0, 0, out_index].backward()
    return tuple(torch.nonzero(x.grad[0, 0]).flatten().tolist())


def path_counts(layers: Iterable[object], out_index: int, input_size: int) -> torch.Tensor:
    """Through how many paths each input cell reaches output cell ``out_index`` (int64).

    A path picks one kernel tap in every layer; the count is ∂y/∂x when every
    weight is 1, the gradient ``gradient_region`` finds non-zero, counted exactly.
    Cell i of layer l adds its count to cells i·s + t·d − p below, t = 0 … k − 1:
    one arithmetic run per cell, so each layer is two scatter-adds and a running
    sum per residue of d, whatever the kernel size. For a 2-D stack with the same
    layers on both axes, the counts are the outer product of the two axes'.

    The arguments are checked as ``dependencies`` checks them; a padded layer wider
    than ``MAX_GRADIENT_CELLS`` is refused, as in ``gradient_region``, and so is a
    stack whose paths (the product of its kernel sizes) pass int64.
    """
    stack, lengths, out_index = _checked(layers, out_index, input_size)
    paths = prod(layer.kernel_size for layer in stack)
    if paths > torch.iinfo(torch.int64).max:
        raise ValueError(
            f"layers: one output cell has {paths:.3g} paths (the product of the kernel "
            f"sizes), more than int64 counts (9.22e+18); path_counts allows at most that"
        )
    for number, ((k, _, d, p), n) in enumerate(zip(stack, lengths[:-1], strict=True), start=1):
        span = n + 2 * p + (d if k > 1 else 1)
        if span > MAX_GRADIENT_CELLS:
            below = "the input" if number == 1 else f"layer {number - 1}"
            raise ValueError(
                f"input_size: layer {number} reads {below}, {n + 2 * p:,} cells wide with its "
                f"padding; path_counts builds layers of at most {MAX_GRADIENT_CELLS:,} cells "
                "(input_region finds which cells count, without building the layers)"
            )
    counts = torch.zeros(lengths[-1], dtype=torch.int64)
    counts[out_index] = 1
    for (k, s, d, p), n in zip(reversed(stack), reversed(lengths[:-1]), strict=True):
        d = d if k > 1 else 1
        starts = torch.arange(counts.numel()) * min(s, n + 2 * p)  # in the padded layer
        # Each cell adds its count at start, start + d, …, start + (k − 1)·d: mark the
        # run's first cell and one step past its last, then add up along each residue.
        rows = -(-(n + 2 * p + d) // d)  # padded layer plus one step, in rows of d
        marks = torch.zeros(rows * d, dtype=torch.int64)
        marks.index_add_(0, starts, counts).index_add_(0, starts + k * d, -counts)
        below = marks.reshape(rows, d).cumsum(0).flatten()
        counts = below[p : p + n]
    return counts


def format_cells(cells: Iterable[int]) -> str:
    """Cells as runs: ``0–4, 6, 8–10``; a run of equally spaced cells as ``0, 2, …, 12``.

    ``cells`` is a set of ints in any order: a cell listed twice is written once.
    """
    wrong = f"cells: expected a list of ints, got {type(cells).__name__}"
    if isinstance(cells, str | bytes) or not isinstance(cells, Iterable):
        raise TypeError(wrong)
    try:
        cells = list(cells)
    except TypeError:  # iterable in type only, such as a 0-d tensor
        raise TypeError(wrong) from None
    for number, cell in enumerate(cells):
        if not is_int(cell):
            raise TypeError(
                f"cells: expected ints, got {type(cell).__name__} {cell!r} at position {number}"
            )
    cells = sorted({int(cell) for cell in cells})
    if not cells:
        return "none"
    if len(cells) > 3:
        step = cells[1] - cells[0]
        if step > 1 and all(b - a == step for a, b in zip(cells, cells[1:], strict=False)):
            return f"{cells[0]}, {cells[1]}, …, {cells[-1]} (every {_ordinal(step)})"
    runs, first = [], cells[0]
    for a, b in zip(cells, [*cells[1:], None], strict=True):
        if b != a + 1:
            runs.append(str(a) if a == first else f"{first}–{a}")
            first = b
    return ", ".join(runs)


def _ordinal(n: int) -> str:
    """second, third, then 4th, …, 11th, 12th, 13th, …, 21st, 22nd, 23rd, 24th, …"""
    if n in (2, 3):
        return {2: "second", 3: "third"}[n]
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def size_formula(layers: Iterable[object]) -> str:
    """r = 1 + Σ (k_l − 1)·d_l·j_{l−1} with the numbers of the stack filled in."""
    stack = as_layers(layers)
    fields = receptive_field(stack)
    jumps = [1] + [f.jump for f in fields[:-1]]
    terms = " + ".join(f"({k} − 1)·{d}·{j}" for (k, _, d, _), j in zip(stack, jumps, strict=True))
    return f"r = 1 + Σ (k − 1)·d·j = 1 + {terms} = {fields[-1].size}"


def jump_formula(layers: Iterable[object]) -> str:
    """j = s_1·s_2·… with the numbers filled in."""
    stack = as_layers(layers)
    strides = "·".join(str(layer.stride) for layer in stack)
    return f"j = s₁·…·s_L = {strides} = {prod(layer.stride for layer in stack)}"
