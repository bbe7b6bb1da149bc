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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import prod
from typing import NamedTuple

import torch

from convlab.checks import check_int, is_int


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
    if isinstance(layers, str | bytes) or not isinstance(layers, Iterable):
        raise TypeError(
            f"layers: expected a list of layers such as [(3, 1, 1), (3, 2, 1)], "
            f"got {type(layers).__name__}"
        )
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
    return 1 + sum(
        (k - 1) * d * prod(layer.stride for layer in stack[:i])
        for i, (k, _, d, _) in enumerate(stack)
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


def dependencies(layers: Iterable[object], out_index: int, input_size: int) -> list[tuple]:
    """The cells that output cell ``out_index`` depends on, in every layer.

    Entry 0 is the input, entry l the output of layer l (the last entry is just
    ``(out_index,)``). Cell i of layer l reads cells i·s + t·d − p of layer l − 1
    for the taps t = 0 … k − 1; cells outside a layer are padding and dropped.
    """
    stack = as_layers(layers)
    lengths = layer_lengths(input_size, stack)
    if len(lengths) <= len(stack):
        raise ValueError(f"input_size: {stack_problem(input_size, stack)}")
    if not is_int(out_index) or not 0 <= out_index < lengths[-1]:
        raise ValueError(
            f"out_index: the last layer has {lengths[-1]} cells (0 to {lengths[-1] - 1}), "
            f"got {out_index!r}"
        )
    cells = [{int(out_index)}]
    for (k, s, d, p), n in zip(reversed(stack), reversed(lengths[:-1]), strict=True):
        below = {i * s + t * d - p for i in cells[0] for t in range(k)}
        cells.insert(0, {c for c in below if 0 <= c < n})
    return [tuple(sorted(c)) for c in cells]


def input_region(layers: Iterable[object], out_index: int, input_size: int) -> tuple[int, ...]:
    """The input cells that output cell ``out_index`` of the stack depends on."""
    return dependencies(layers, out_index, input_size)[0]


def gradient_region(layers: Iterable[object], out_index: int, input_size: int) -> tuple[int, ...]:
    """The same cells found by autograd: where ∂y[out_index]/∂x ≠ 0.

    Every weight is 1 and the input is all ones, so every path from an input
    cell to the output adds a positive amount: nothing can cancel, and the
    gradient is non-zero exactly where the output depends on the input.
    """
    x = torch.ones(1, 1, check_int(input_size, "input_size", 1), requires_grad=True)
    y = x
    for k, s, d, p in as_layers(layers):
        weight = torch.ones(1, 1, k, dtype=x.dtype)
        y = torch.nn.functional.conv1d(y, weight, stride=s, padding=p, dilation=d)
    y[0, 0, out_index].backward()
    return tuple(torch.nonzero(x.grad[0, 0]).flatten().tolist())


def format_cells(cells: Iterable[int]) -> str:
    """Cells as runs: ``0–4, 6, 8–10``; a run of equally spaced cells as ``0, 2, …, 12``."""
    cells = sorted(cells)
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
    return {2: "second", 3: "third"}.get(n, f"{n}th")


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
