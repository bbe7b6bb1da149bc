"""Receptive fields and dilation (chapter 8): the notes' numbers, the recurrence
against its closed form and against autograd, the explorer's compute function,
repr and argument checks, and the browser's maths (convmath.js in Node)."""

from __future__ import annotations

import math
import random
import re
from math import prod

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from bounded import cost_of
from hypothesis import event, given
from hypothesis import strategies as st
from jsmath import run_js
from torch import nn

from convlab import kernels
from convlab.receptive_field import (
    Field,
    Layer,
    as_layers,
    dependencies,
    format_cells,
    gradient_region,
    input_region,
    jump_formula,
    layer_lengths,
    path_counts,
    receptive_field,
    receptive_field_size,
    size_formula,
    stack_problem,
)
from convlab.widgets import ReceptiveFieldExplorer, explore_stack
from convlab.widgets._assets import STATIC
from convlab.widgets.receptive_field import LIMITS, MAX_LAYERS

# --- references, independent of the code under test ------------------------------


def autograd_cells(layers, out_index: int, n: int, seed: int = 0) -> list[list[int]]:
    """The cells of the input and of every layer that output cell ``out_index``
    depends on, by autograd through nn.Conv1d layers with positive random weights
    (positive, so that no two paths can cancel)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
    acts, y = [x], x
    for k, s, d, p in layers:
        conv = nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d, bias=False).double()
        with torch.no_grad():
            conv.weight.copy_(torch.rand(1, 1, k, generator=gen, dtype=torch.float64) + 0.5)
        y = conv(y)
        y.retain_grad()
        acts.append(y)
    y[0, 0, out_index].backward()
    return [torch.nonzero(a.grad[0, 0]).flatten().tolist() for a in acts]


def brute_force_size(layers) -> int:
    """The field's span without any formula: place one output cell and follow the
    dense windows (every cell from first to last tap) back to the input."""
    lo, hi = 0, 0
    for k, s, d, _ in reversed(layers):
        lo, hi = lo * s, hi * s + (k - 1) * d
    return hi - lo + 1


layer_strategy = st.tuples(
    st.integers(1, 5), st.integers(1, 3), st.integers(1, 4), st.integers(0, 2)
).map(lambda t: Layer(*t))
stacks = st.lists(layer_strategy, min_size=1, max_size=5)


# --- the notes' numbers -------------------------------------------------------------


def test_the_notes_5x5_to_3x3_to_1():
    assert layer_lengths(5, [3, 3]) == [5, 3, 1]
    assert receptive_field([3, 3]) == [Field(3, 1, 0), Field(5, 1, 0)]
    assert receptive_field_size([3, 3]) == 5
    # In 2-D with the kernels package: the last cell depends on all 5×5 pixels,
    # a cell of the 3×3 feature map on a 3×3 window.
    x = torch.ones(1, 5, 5, requires_grad=True)
    W = torch.ones(1, 1, 3, 3)
    h = kernels.conv2d(x, W)
    y = kernels.conv2d(h, W)
    assert h.shape == (1, 3, 3) and y.shape == (1, 1, 1)
    y[0, 0, 0].backward()
    assert (x.grad[0] != 0).all()
    x.grad = None
    kernels.conv2d(x, W)[0, 1, 1].backward()
    assert torch.equal(x.grad[0] != 0, F.pad(torch.ones(3, 3), (1, 1, 1, 1)) != 0)


def test_hand_worked_stacks():
    assert receptive_field_size([3] * 4) == 9  # +2 per plain layer
    assert receptive_field_size([(3, 1, 2**i) for i in range(4)]) == 31  # 2^(L+1) − 1
    assert receptive_field_size([(2, 1, 2**i) for i in range(10)]) == 1024  # WaveNet
    vgg = [(3, 1, 1), (3, 1, 1), (2, 2, 1)] * 3
    assert receptive_field(vgg)[-1] == Field(36, 8, 0)
    assert receptive_field([(3, 1, 1, 1)] * 2)[-1] == Field(5, 1, -2)
    assert receptive_field([(7, 2, 1, 3), (3, 2, 1, 1)])[-1] == Field(11, 4, -5)


def test_gridding_in_2d_sees_49_of_169_pixels():
    # Chapter 8: three 3 × 3 layers with dilation 2 see 7 · 7 = 49 of the 13 × 13 = 169
    # pixels of their field, 29 %: autograd through PyTorch's conv2d, kernels of ones.
    x = torch.ones(1, 1, 13, 13, dtype=torch.float64, requires_grad=True)
    y = x
    for _ in range(3):
        y = F.conv2d(y, torch.ones(1, 1, 3, 3, dtype=torch.float64), dilation=2)
    assert y.shape == (1, 1, 1, 1)
    y.sum().backward()
    seen = int((x.grad != 0).sum())
    assert seen == 49 == len(input_region([(3, 1, 2)] * 3, 0, 13)) ** 2
    assert f"{seen / 169:.0%}" == "29%"


def test_gridding_sees_every_second_cell():
    assert dependencies([(3, 1, 2)] * 3, 0, 13) == [
        (0, 2, 4, 6, 8, 10, 12),
        (0, 2, 4, 6, 8),
        (0, 2, 4),
        (0,),
    ]
    assert input_region([(3, 1, d) for d in (1, 2, 5)], 0, 17) == tuple(range(17))


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "d"),
    [(7, 3, 1, 0, 2), (7, 3, 1, 2, 2), (16, 3, 2, 1, 3), (9, 2, 1, 0, 4), (32, 3, 1, 8, 8)],
)
def test_output_size_with_dilation_matches_pytorch(n, k, s, p, d):
    X = torch.zeros(1, 1, n, n)
    layer = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    m = layer(X).shape[-1]
    assert kernels.output_size(n, k, s, p, d) == m
    assert kernels.conv2d(X[0], torch.ones(1, 1, k, k), stride=s, padding=p, dilation=d).shape[
        -1
    ] == (m)
    assert layer_lengths(n, [(k, s, d, p)]) == [n, m]


def test_a_dilated_kernel_is_a_kernel_with_zeros():
    torch.manual_seed(0)
    K = torch.randn(3, 3, dtype=torch.float64)
    spread = torch.zeros(5, 5, dtype=torch.float64)
    spread[::2, ::2] = K
    X = torch.randn(1, 1, 9, 9, dtype=torch.float64)
    assert torch.allclose(F.conv2d(X, K[None, None], dilation=2), F.conv2d(X, spread[None, None]))


# --- path counts: the effective receptive field ------------------------------------


def autograd_counts(layers, out_index: int, n: int) -> list[int]:
    """∂y/∂x through F.conv1d layers whose weights are all 1 (float64: exact here)."""
    x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, d, p in layers:
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, padding=p, dilation=d)
    y[0, 0, out_index].backward()
    return [int(v) for v in x.grad[0, 0].tolist()]


def test_path_counts_worked_by_hand():
    # Two 3-wide layers: the centre reaches the output through 3 middle cells, a
    # corner through 1; in 2-D the products, 9 in the middle of the 5 × 5.
    assert path_counts([3, 3], 0, 5).tolist() == [1, 2, 3, 2, 1]
    # Dilation 2 three times: the coefficients of (1 + x² + x⁴)³, holes in between.
    assert path_counts([(3, 1, 2)] * 3, 0, 13).tolist() == [1, 0, 3, 0, 6, 0, 7, 0, 6, 0, 3, 0, 1]
    # Eight plain layers: the binomial-like (1 + x + x²)⁸, 3⁸ = 6,561 paths in all.
    counts = path_counts([3] * 8, 0, 17)
    assert counts.sum() == 3**8 and counts[8] == 1107 and counts[0] == 1
    # Padding: paths that land in it are not counted.
    assert path_counts([(3, 1, 1, 1)] * 2, 0, 4).tolist() == [2, 2, 1, 0]
    assert path_counts([(3, 2, 1, 1)] * 2, 1, 9).tolist() == [0, 1, 1, 2, 1, 2, 1, 1, 0]
    assert path_counts([3], 0, 3).dtype == torch.int64


@given(stacks, st.integers(0, 40), st.integers(0, 1000))
def test_path_counts_equal_autograd(layers, extra, pick):
    n = max(1, receptive_field_size(layers) + extra - 2 * sum(p for *_, p in layers))
    lengths = layer_lengths(n, layers)
    if len(lengths) <= len(layers):
        return
    out = pick % lengths[-1]
    counts = path_counts(layers, out, n)
    assert counts.tolist() == autograd_counts(layers, out, n)
    assert tuple(torch.nonzero(counts).flatten().tolist()) == input_region(layers, out, n)
    # Every path ends on an input cell or in the padding: at most Π k of them.
    assert counts.sum() <= prod(k for k, *_ in layers)
    if all(p == 0 for *_, p in layers):
        assert counts.sum() == prod(k for k, *_ in layers)


def test_path_counts_in_2d_are_the_outer_product_of_the_axes():
    # The gradient of the centre cell of three 3 × 3 layers (dilations 1, 2, 1, padding
    # 0) of ones, by autograd through PyTorch's conv2d, against the 1-D counts.
    stack = [(3, 1, 1), (3, 1, 2), (3, 1, 1)]
    n = receptive_field_size(stack) + 4
    x = torch.ones(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = x
    for _, _, d in stack:
        y = F.conv2d(y, torch.ones(1, 1, 3, 3, dtype=torch.float64), dilation=d)
    y[0, 0, 2, 3].backward()
    rows, cols = path_counts(stack, 2, n), path_counts(stack, 3, n)
    assert torch.equal(torch.outer(rows, cols).double(), x.grad[0, 0])


def test_path_counts_refuse_what_they_cannot_count_quickly():
    cost = cost_of(
        """
        from convlab.receptive_field import path_counts
        path_counts([3], 0, 10**30)
        """
    )
    assert cost.error.startswith("ValueError: input_size: layer 1 reads the input, 1,000,")
    assert cost.seconds < 0.5 and cost.mib < 20, cost
    cost = cost_of(
        """
        from convlab.receptive_field import path_counts
        path_counts([(3, 1, 10**29)], 0, 3 * 10**29)
        """
    )
    assert cost.error.startswith("ValueError: input_size: layer 1 reads the input")
    assert cost.seconds < 0.5 and cost.mib < 20, cost
    # 40 layers of 3 taps: 3⁴⁰ ≈ 1.2e19 paths, past int64.
    with pytest.raises(ValueError, match=r"layers: one output cell has 1.22e\+19 paths"):
        path_counts([3] * 40, 0, 81)
    assert path_counts([3] * 39, 0, 79).sum() == 3**39  # still exact


def test_path_counts_cost_the_layers_not_the_kernels():
    # A 5·10⁶-tap kernel on 10⁷ cells: one run per output cell, not one add per tap.
    cost = cost_of(
        """
        import torch
        from convlab.receptive_field import path_counts
        k = 5 * 10**6
        counts = path_counts([k, 3], 1, 10**7 - 1)
        assert counts.sum() == 3 * k and counts[1] == 1 and counts[3] == 3, counts[:5]
        """
    )
    assert cost.error is None and cost.seconds < 2 and cost.mib < 600, cost


# --- recurrence vs closed form vs autograd on random stacks ------------------------


@given(stacks)
def test_recurrence_equals_closed_form_and_brute_force(layers):
    fields = receptive_field(layers)
    for depth in range(1, len(layers) + 1):
        assert fields[depth - 1].size == receptive_field_size(layers[:depth])
        assert fields[depth - 1].size == brute_force_size(layers[:depth])
        assert fields[depth - 1].jump == torch.tensor([s for _, s, _, _ in layers[:depth]]).prod()


@given(stacks, st.integers(0, 40), st.integers(0, 1000))
def test_dependencies_equal_autograd(layers, extra, pick):
    n = max(1, receptive_field_size(layers) + extra - 2 * sum(p for *_, p in layers))
    lengths = layer_lengths(n, layers)
    if len(lengths) <= len(layers):
        assert stack_problem(n, layers) is not None
        return
    out = pick % lengths[-1]
    ours = dependencies(layers, out, n)
    assert [list(c) for c in ours] == autograd_cells(layers, out, n)
    assert gradient_region(layers, out, n) == ours[0]
    # The cells lie inside the field's span, which starts at start + out·jump.
    field = receptive_field(layers)[-1]
    first = field.start + out * field.jump
    assert all(first <= c < first + field.size for c in ours[0])
    # Without holes or clipping the span is exactly the field.
    if all(d == 1 for _, _, d, _ in layers) and all(p == 0 for *_, p in layers):
        assert ours[0] == tuple(range(first, first + field.size))


@given(stacks.map(lambda ls: [Layer(k, s, d) for k, s, d, _ in ls]), st.integers(1, 80))
def test_an_input_fits_exactly_when_it_holds_the_receptive_field(layers, n):
    # Without padding, the stack has an output exactly when n ≥ r.
    fits = stack_problem(n, layers) is None
    assert fits == (n >= receptive_field_size(layers))
    assert fits == (len(layer_lengths(n, layers)) == len(layers) + 1)


def test_problem_says_which_layer_runs_out_with_the_numbers():
    assert stack_problem(9, [(3, 1, 2)] * 3) == (
        "Layer 3 has no output: its kernel spans d·(k − 1) + 1 = 2·(3 − 1) + 1 = 5 cells, "
        "but layer 2 has only 1. This stack needs an input of at least 13 cells; "
        "the input has 9."
    )
    assert stack_problem(2, [(5, 1, 1, 1)]) == (
        "Layer 1 has no output: its kernel spans d·(k − 1) + 1 = 1·(5 − 1) + 1 = 5 cells, "
        "but the input has only 2 even with 1 cell of padding per side. This stack needs "
        "an input of at least 3 cells; the input has 2."
    )
    assert layer_lengths(2, [(5, 1, 1, 1)]) == [2]
    assert stack_problem(3, [(5, 1, 1, 1)]) is None


def test_formulas_and_cell_lists():
    assert size_formula([(3, 2, 1), (3, 1, 2)]) == (
        "r = 1 + Σ (k − 1)·d·j = 1 + (3 − 1)·1·1 + (3 − 1)·2·2 = 11"
    )
    assert jump_formula([(3, 2, 1), (2, 2, 1), (3, 1, 1)]) == "j = s₁·…·s_L = 2·2·1 = 4"
    assert format_cells([4, 0, 1, 2, 3, 6, 8, 9, 10]) == "0–4, 6, 8–10"
    assert format_cells(range(0, 13, 2)) == "0, 2, …, 12 (every second)"
    assert format_cells([3, 7, 11, 15]) == "3, 7, …, 15 (every 4th)"
    assert format_cells([0, 2, 4]) == "0, 2, 4"
    assert format_cells([]) == "none"


# --- the explorer ---------------------------------------------------------------------


def test_explorer_default_is_the_notes_example():
    v = ReceptiveFieldExplorer().compute()
    assert v.lengths == (5, 3, 1)
    assert v.cells == ((0, 1, 2, 3, 4), (0, 1, 2), (0,))
    assert v.fields[-1] == Field(5, 1, 0)
    assert v.problem is None


@given(
    st.integers(*LIMITS["input_size"]),
    st.lists(
        st.tuples(
            st.integers(*LIMITS["kernel_size"]),
            st.integers(*LIMITS["stride"]),
            st.integers(*LIMITS["dilation"]),
        ),
        min_size=1,
        max_size=MAX_LAYERS,
    ),
    st.integers(0, 70),
)
def test_explorer_compute_matches_autograd(n, layers, position):
    w = ReceptiveFieldExplorer(n, layers, position=position)
    v = w.compute()
    stack = [Layer(*layer) for layer in layers]
    if v.problem:
        assert n < receptive_field_size(stack) and v.cells == ()
        return
    assert v.position == min(position, v.lengths[-1] - 1)
    assert [list(c) for c in v.cells] == autograd_cells(stack, v.position, n)
    lengths = [n]
    for k, s, d in layers:
        lengths.append(kernels.output_size(lengths[-1], k, s, 0, d))
    assert list(v.lengths) == lengths


def test_repr_is_one_deterministic_line():
    assert repr(ReceptiveFieldExplorer()) == (
        "ReceptiveFieldExplorer(n 5, layers (k, s, d) (3, 1, 1), (3, 1, 1); cells 5 → 3 → 1; "
        "output cell 0 sees input 0–4; r = 5, j = 1)"
    )
    w = ReceptiveFieldExplorer(13, [(3, 1, 2)] * 3)
    assert repr(w).endswith("output cell 0 sees input 0, 2, …, 12 (every second); r = 13, j = 1)")
    w.input_size = 9
    assert repr(w) == (
        "ReceptiveFieldExplorer(n 9, layers (k, s, d) (3, 1, 2), (3, 1, 2), (3, 1, 2): "
        + stack_problem(9, [(3, 1, 2)] * 3)
        + ")"
    )


def test_widget_state_is_plain_ints_and_the_view_is_bundled():
    w = ReceptiveFieldExplorer(20, [(3, 2, 1), (2, 1, 3)], position=2)
    assert (w.input_size, w.layers, w.position) == (20, 2, 2)
    assert w.kernel_sizes == [3, 2, 3, 3, 3]
    assert w.strides == [2, 1, 1, 1, 1]
    assert w.dilations == [1, 3, 1, 1, 1]
    assert w.stack() == (Layer(3, 2, 1), Layer(2, 1, 3))
    assert w._esm == (STATIC / "receptive_field.js").read_text(encoding="utf-8")  # its bundle


# --- argument checks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layers", "error", "words"),
    [
        ([], ValueError, "layers: the stack needs at least one layer, got none"),
        ("33", TypeError, "layers: expected a list of layers"),
        (3, TypeError, "layers: expected a list of layers"),
        ([(3, 1, 1, 0, 5)], TypeError, "layers[0]: expected an int k or a tuple (k, s, d, p)"),
        ([3, (0,)], ValueError, "layers[1] kernel_size: must be ≥ 1, got 0"),
        ([(3, 0)], ValueError, "layers[0] stride: must be ≥ 1, got 0"),
        ([(3, 1, 0)], ValueError, "layers[0] dilation: must be ≥ 1, got 0"),
        ([(3, 1, 1, -1)], ValueError, "layers[0] padding: must be ≥ 0, got -1"),
        ([(3, 1.5)], TypeError, "layers[0] stride: expected an int, got float 1.5"),
        ([(True,)], TypeError, "layers[0] kernel_size: expected an int, got bool True"),
        ([{"kernel": 3}], ValueError, "layers[0]: unknown keys ['kernel']"),
        ([{"stride": 2}], ValueError, "layers[0]: a layer needs a kernel_size"),
    ],
)
def test_bad_layers_get_clear_errors(layers, error, words):
    with pytest.raises(error, match=re.escape(words)):
        as_layers(layers)


def test_dicts_and_layers_are_accepted():
    assert as_layers([{"kernel_size": 3, "dilation": 2}, Layer(2, 2), 5]) == (
        Layer(3, 1, 2, 0),
        Layer(2, 2, 1, 0),
        Layer(5, 1, 1, 0),
    )


def test_bad_sizes_and_indices_get_clear_errors():
    with pytest.raises(ValueError, match=re.escape("input_size: must be ≥ 1, got 0")):
        layer_lengths(0, [3])
    with pytest.raises(TypeError, match=re.escape("input_size: expected an int, got float")):
        layer_lengths(5.0, [3])
    with pytest.raises(
        ValueError, match=re.escape("out_index: the last layer has 3 cells (0 to 2)")
    ):
        dependencies([3], 3, 5)
    with pytest.raises(ValueError, match=re.escape("input_size: Layer 2 has no output")):
        input_region([3, 3], 0, 4)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "words"),
    [
        ((65,), {}, ValueError, "input_size: the explorer allows 1 to 64, got 65"),
        ((5, [3] * 6), {}, ValueError, "layers: the explorer shows at most 5 layers, got 6"),
        ((5, [(6,)]), {}, ValueError, "kernel_size: the explorer allows 1 to 5, got 6"),
        ((5, [(3, 4)]), {}, ValueError, "stride: the explorer allows 1 to 3, got 4"),
        ((5, [(3, 1, 9)]), {}, ValueError, "dilation: the explorer allows 1 to 8, got 9"),
        ((5, [(3, 1, 1, 1)]), {}, ValueError, "layers: the explorer has no padding (p = 0)"),
        ((5,), {"position": -1}, ValueError, "position: expected a whole number ≥ 0, got -1"),
    ],
)
def test_explorer_arguments_get_clear_errors(args, kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        ReceptiveFieldExplorer(*args, **kwargs)


def test_setting_a_trait_out_of_range_is_refused():
    w = ReceptiveFieldExplorer()
    with pytest.raises(ValueError, match=re.escape("layers: the explorer allows 1 to 5, got 6")):
        w.layers = 6
    with pytest.raises(ValueError, match=re.escape("dilation: the explorer allows 1 to 8, got 0")):
        w.dilations = [1, 0, 1, 1, 1]
    with pytest.raises(ValueError, match=re.escape("strides: expected 5 entries, got 2")):
        w.strides = [1, 1]
    with pytest.raises(ValueError, match=re.escape("position: expected a whole number ≥ 0")):
        explore_stack(5, [3], position=-1)
    assert w.layers == 2 and w.dilations == [1] * 5


# --- the browser's maths (static/src/receptive_field.js in Node) against Python ----


def random_stack(rng: random.Random) -> list[list[int]]:
    return [
        [rng.randint(1, 5), rng.randint(1, 3), rng.randint(1, 8), rng.choice([0, 0, 1, 2])]
        for _ in range(rng.randint(1, MAX_LAYERS))
    ]


def test_receptive_field_maths_in_js_matches_python():
    rng = random.Random(8)
    cases, expected = [], []
    for _ in range(300):
        layers = random_stack(rng)
        n = rng.randint(1, 64)
        cases += [
            ("receptiveField", [layers]),
            ("layerLengths", [n, layers]),
            ("stackProblem", [n, layers]),
            ("sizeFormula", [layers]),
            ("jumpFormula", [layers]),
        ]
        expected += [
            [vars(f) for f in receptive_field(layers)],
            layer_lengths(n, layers),
            stack_problem(n, layers) or "",
            size_formula(layers),
            jump_formula(layers),
        ]
        lengths = layer_lengths(n, layers)
        if len(lengths) > len(layers):
            out = rng.randrange(lengths[-1])
            cells = dependencies(layers, out, n)
            cases += [("dependencies", [layers, out, n]), ("formatCells", [cells[0]])]
            expected += [[list(c) for c in cells], format_cells(cells[0])]
    got = run_js("receptive_field.js", cases)
    for case, g, e in zip(cases, got, expected, strict=True):
        assert g == e, case
    problems = [e for (fn, _), e in zip(cases, expected, strict=True) if fn == "stackProblem"]
    assert sum(bool(e) for e in problems) > 30  # impossible stacks were tried
    assert sum(not e for e in problems) > 30  # and possible ones


def test_format_cells_in_js_matches_python():
    rng = random.Random(9)
    sets = [sorted(rng.sample(range(30), rng.randint(0, 12))) for _ in range(200)]
    sets += [list(range(a, 40, s)) for a in range(3) for s in range(1, 6)]
    sets += [[0, 3, 6, 9, 9, 3]]  # a cell listed twice is written once
    got = run_js("receptive_field.js", [("formatCells", [c]) for c in sets])
    assert got == [format_cells(c) for c in sets]


@pytest.mark.parametrize(
    ("step", "words"),
    [
        (2, "every second"),
        (3, "every third"),
        (4, "every 4th"),
        (11, "every 11th"),
        (12, "every 12th"),
        (13, "every 13th"),
        (21, "every 21st"),
        (22, "every 22nd"),
        (23, "every 23rd"),
        (24, "every 24th"),
        (101, "every 101st"),
        (111, "every 111th"),
        (112, "every 112th"),
        (1002, "every 1002nd"),
    ],
)
def test_every_nth_cell_is_written_with_its_ordinal(step, words):
    cells = [0, step, 2 * step, 3 * step]
    expected = f"0, {step}, …, {3 * step} ({words})"
    assert format_cells(cells) == expected
    assert run_js("receptive_field.js", [("formatCells", [cells])]) == [expected]


# --- awkward arguments, huge numbers and large stacks -------------------------------

AWKWARD = [
    None, True, False, -1, 10**30, -(10**30), 2**63, np.int64(-2), np.float32(0.5), 2.5,
    math.nan, math.inf, "a", "", [], [[]], {}, (1, 2, 3), object(), torch.tensor(2.0),
    torch.empty(0), torch.ones(2, 2, dtype=torch.bool), np.ones(3),
]  # fmt: skip
awkward = st.sampled_from(AWKWARD)
small_ints = st.integers(-2, 40) | st.integers(0, 40).map(np.int64)
huge = st.sampled_from([10**30, 2**63])


@st.composite
def huge_stacks(draw):
    """A small stack with, most of the time, one number of one layer made huge."""
    layers = [list(layer) for layer in draw(stacks)]
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2]))):
        layer, field = draw(st.integers(0, len(layers) - 1)), draw(st.integers(0, 3))
        layers[layer][field] = draw(huge)
    return [Layer(*layer) for layer in layers]


@st.composite
def stack_arguments(draw):
    """(layers, out_index, input_size): mostly a valid call, else one argument awkward."""
    layers = draw(stacks)
    n = max(1, receptive_field_size(layers) + draw(st.integers(-3, 30)))
    lengths = layer_lengths(n, layers)
    out = draw(st.integers(0, 40)) % lengths[-1] if len(lengths) > len(layers) else 0
    args = [layers, out, n]
    spoilt = draw(st.sampled_from([None, None, 0, 1, 2]))
    if spoilt is not None:
        args[spoilt] = draw(
            awkward
            | st.integers(-3, 45)
            | st.integers(0, 45).map(np.int64)
            | st.lists(layer_strategy | awkward, min_size=1, max_size=3)
        )
    return tuple(args)


def starts_with_an_argument(error: Exception, names: tuple[str, ...]) -> bool:
    return isinstance(error, ValueError | TypeError) and str(error).startswith(names)


def outcome(fn, *args):
    try:
        return fn(*args), None
    except Exception as error:  # noqa: BLE001 - every kind is inspected by the caller
        return None, error


@given(stack_arguments())
def test_dependencies_and_gradient_region_check_alike(arguments):
    """Both answer (and agree with autograd) or both refuse with the same message."""
    layers, out_index, input_size = arguments
    names = ("layers", "out_index", "input_size")
    ours, error = outcome(dependencies, layers, out_index, input_size)
    found, gradient_error = outcome(gradient_region, layers, out_index, input_size)
    event("refused" if error else "answered")
    if error is not None:
        assert starts_with_an_argument(error, names), repr(error)
        assert type(gradient_error) is type(error) and str(gradient_error) == str(error)
        return
    assert gradient_error is None, repr(gradient_error)
    stack = as_layers(layers)
    assert [list(c) for c in ours] == autograd_cells(stack, int(out_index), int(input_size))
    assert found == ours[0] == input_region(layers, out_index, input_size)


@given(stack_arguments())
def test_path_counts_check_as_dependencies_do(arguments):
    layers, out_index, input_size = arguments
    ours, error = outcome(dependencies, layers, out_index, input_size)
    counts, count_error = outcome(path_counts, layers, out_index, input_size)
    if error is not None:
        assert type(count_error) is type(error) and str(count_error) == str(error)
        return
    assert count_error is None, repr(count_error)
    assert tuple(torch.nonzero(counts).flatten().tolist()) == ours[0]


@given(stack=huge_stacks(), pick=st.integers(0, 5))
def test_dependencies_on_a_huge_input_are_those_of_the_window_it_needs(stack, pick):
    """A 10³⁰-cell input: the cells are those found by autograd on just the cells the
    output's window covers (nothing beyond it can matter), shifted by nothing."""
    n = 10**30
    lengths = layer_lengths(n, stack)
    if len(lengths) <= len(stack):
        return
    out = min(pick, lengths[-1] - 1)
    ours, error = outcome(dependencies, stack, out, n)
    event("refused" if error else "answered")
    if error is not None:  # a field of 10³⁰ cells: too many to list
        assert str(error).startswith("layers: output cell") and "too many to list" in str(error)
        return
    field = receptive_field(stack)[-1]
    end = field.start + out * field.jump + field.size  # one past the window's last cell
    if end > 2000:
        event("too wide for autograd")
        return  # too wide for autograd: checked by the cost tests below
    window = max(end, 1)
    if len(layer_lengths(window, stack)) <= len(stack):
        return
    small = [Layer(k, min(s, 10**4), d if k > 1 else 1, p) for k, s, d, p in stack]
    if any(p > 10**4 for *_, p in small):
        return
    event("checked against autograd")
    assert [list(c) for c in ours] == autograd_cells(small, out, window)


def test_the_users_examples_get_clear_errors():
    for fn in (dependencies, input_region, gradient_region):
        with pytest.raises(ValueError, match=re.escape("out_index: the last layer has 1 cell")):
            fn([3, 3], 100, 5)
        with pytest.raises(ValueError, match=re.escape("out_index: the last layer has 3 cells")):
            fn([3], -1, 5)
        with pytest.raises(ValueError, match=re.escape("input_size: Layer 2 has no output")):
            fn([3, 3], 0, 4)
        with pytest.raises(TypeError, match=re.escape("out_index: expected an int, got float")):
            fn([3], 1.0, 5)
        with pytest.raises(TypeError, match=re.escape("layers: expected a list of layers")):
            fn(torch.tensor(2.0), 0, 5)


def test_input_region_of_wide_kernels_is_quick():
    cost = cost_of(
        """
        from convlab.receptive_field import input_region
        assert input_region([20000, 20000], 0, 39999) == tuple(range(39999))
        """
    )
    assert cost.error is None and cost.seconds < 1.0 and cost.mib < 50, cost


def test_a_sparse_region_costs_its_cells_not_its_span():
    # Dilation 10⁴ twice: 2·10⁴ − 1 cells spread over 2·10⁸; and a 10²⁹ dilation.
    cost = cost_of(
        """
        from convlab.receptive_field import dependencies, input_region
        d = 10**4
        cells = input_region([(d, 1, d), (d, 1, d)], 0, 2 * d * d)
        assert cells == tuple(range(0, (2 * d - 1) * d, d)), cells[:5]
        huge = 10**29
        assert input_region([(3, 1, huge)], 0, 10**30) == (0, huge, 2 * huge)
        """
    )
    assert cost.error is None and cost.seconds < 1.0 and cost.mib < 50, cost


def test_too_many_cells_are_refused_before_they_are_listed():
    # Layer 1 pads 10³⁰ cells per side; layer 2's 10³⁰-wide kernel reads 10³⁰ of them.
    cost = cost_of(
        """
        from convlab.receptive_field import dependencies
        dependencies([(3, 1, 1, 10**30), 10**30], 0, 5)
        """
    )
    assert cost.error.startswith("ValueError: layers: output cell 0 depends on more than")
    assert cost.seconds < 0.5 and cost.mib < 20, cost
    cost = cost_of(
        """
        from convlab.receptive_field import gradient_region
        gradient_region([3], 0, 10**30)
        """
    )
    assert cost.error.startswith("ValueError: input_size: layer 1 reads the input, 1,000,")
    assert cost.seconds < 0.5 and cost.mib < 20, cost


@given(huge_stacks())
def test_sizes_stay_exact_with_huge_numbers(layers):
    fields = receptive_field(layers)
    assert fields[-1].size == receptive_field_size(layers) == brute_force_size(layers)
    assert fields[-1].jump == prod(s for _, s, _, _ in layers)
    assert size_formula(layers).endswith(f" = {fields[-1].size}")


def expand(text: str) -> set[int]:
    """Read format_cells' text back into cells (an independent parser)."""
    if text == "none":
        return set()
    spaced = re.fullmatch(r"(-?\d+), (-?\d+), …, (-?\d+) \(every \w+\)", text)
    if spaced:
        first, second, last = map(int, spaced.groups())
        return set(range(first, last + 1, second - first))
    cells = set()
    for run in text.split(", "):
        first, _, last = run.partition("–")
        cells |= set(range(int(first), int(last or first) + 1))
    return cells


@given(
    st.lists(
        st.integers(-5, 40) | st.sampled_from([10**30, 2**63]) | st.integers(0, 9).map(np.int64),
        max_size=15,
    )
)
def test_format_cells_writes_every_cell_once(cells):
    assert expand(format_cells(cells)) == {int(c) for c in cells}


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        (None, "cells: expected a list of ints, got NoneType"),
        (3, "cells: expected a list of ints, got int"),
        ("012", "cells: expected a list of ints, got str"),
        (torch.tensor(2.0), "cells: expected a list of ints, got Tensor"),
        ([1, 2.0], "cells: expected ints, got float 2.0 at position 1"),
        ([True], "cells: expected ints, got bool True at position 0"),
        ([[]], "cells: expected ints, got list [] at position 0"),
    ],
)
def test_format_cells_bad_arguments(cells, words):
    with pytest.raises(TypeError, match=re.escape(words)):
        format_cells(cells)
