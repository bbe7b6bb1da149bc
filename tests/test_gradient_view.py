"""The gradient view (chapter 9): the input gradient and the sum behind one cell
against PyTorch autograd, its messages and repr, and its browser maths
(kernels/backward.js, widgets/gradient_view.js in Node) against Python."""

from __future__ import annotations

import random

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js

from convlab.widgets import GradientView, pick_gradient
from convlab.widgets.explorer import conv2d_problem
from convlab.widgets.gradient_view import (
    SLIDERS,
    gradient_grid,
    gradient_terms,
    gradient_text,
    kernel_grid,
)

RANGES = {name: (s.low, s.high) for name, s in SLIDERS.items()}
settings = st.fixed_dictionaries({name: st.integers(*r) for name, r in RANGES.items()})


def autograd_input_gradient(n, K, G, s, p, d) -> torch.Tensor:
    """The reference: ∂L/∂x of L = Σ G·conv2d(x, K), by PyTorch's autograd."""
    x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, K[None, None], stride=s, padding=p, dilation=d)
    (y * G).sum().backward()
    return x.grad[0, 0]


@given(setting=settings, cell=st.integers(0, 80))
def test_pick_gradient_matches_autograd(setting, cell):
    n, k, s, p, d = (setting[name] for name in RANGES)
    g = pick_gradient(**setting, cell=cell)
    K = torch.tensor(kernel_grid(k), dtype=torch.float64)
    assert torch.equal(g.K, K)
    assert (g.row, g.col) == divmod(min(cell, n * n - 1), n)
    if d * (k - 1) + 1 > n + 2 * p:
        assert g.problem == conv2d_problem(n, k, p, d) and g.grad is None
        with pytest.raises(RuntimeError):
            F.conv2d(torch.zeros(1, 1, n, n), K[None, None].float(), padding=p, dilation=d)
        return
    G = torch.tensor(gradient_grid(g.G.shape[0]), dtype=torch.float64)
    expected = autograd_input_gradient(n, K, G, s, p, d)
    torch.testing.assert_close(g.grad, expected, rtol=0, atol=0)
    # The sum behind the picked cell: its products add up to autograd's number, and
    # each names an output cell and tap whose window reads that cell.
    assert sum(t.g * t.k for t in g.terms) == expected[g.row, g.col].item()
    for t in g.terms:
        assert (t.r * s + t.a * d - p, t.c * s + t.b * d - p) == (g.row, g.col)
        assert (t.g, t.k) == (G[t.r, t.c].item(), K[t.a, t.b].item())
    # Autograd with a one-hot gradient says which output cells reach the cell.
    reach = set()
    for r in range(G.shape[0]):
        for c in range(G.shape[1]):
            one = torch.zeros_like(G)
            one[r, c] = 1
            if autograd_input_gradient(n, torch.ones_like(K), one, s, p, d)[g.row, g.col]:
                reach.add((r, c))
    assert {(t.r, t.c) for t in g.terms} == reach


def test_default_and_text():
    g = GradientView(cell=6).compute()
    assert g.G.tolist() == [[1, 2, 3], [4, 5, 1], [2, 3, 4]]
    assert g.text == (
        "∂L/∂x[1, 1] = ∂L/∂y[0, 0]·K[2, 2] + ∂L/∂y[0, 1]·K[2, 0] + ∂L/∂y[1, 0]·K[0, 2] "
        "+ ∂L/∂y[1, 1]·K[0, 0] = 1×9 + 2×7 + 4×3 + 5×1 = 40"
    )
    unread = pick_gradient(5, 3, 3, 0, 1, cell=24)
    assert unread.text.startswith("∂L/∂x[4, 4] = 0: no window reads this cell")
    assert gradient_text(0, 0, ()) == unread.text.replace("[4, 4]", "[0, 0]")
    assert gradient_terms(5, 3, 3, 0, 1, 4, 4) == ()


def test_problem_repr_and_checks():
    g = pick_gradient(2, 4, 1, 0, 1)
    assert g.grad is None and g.problem.startswith("The kernel spans d·(k − 1) + 1")
    assert repr(GradientView(2, 4, padding=0)).startswith("GradientView(x 2×2, K 4×4, stride 2")
    assert repr(GradientView()).startswith(
        "GradientView(x 5×5, K 3×3, stride 2, padding 1, dilation 1; ∂L/∂x[0, 0] = "
    )
    with pytest.raises(ValueError, match="dilation: the gradient view allows 1 to 3"):
        pick_gradient(dilation=0)
    with pytest.raises(ValueError, match="i: "):
        gradient_terms(5, 3, 1, 0, 1, 5, 0)


def test_js_input_gradient_matches_autograd():
    rng = random.Random(4)
    cases, expected = [], []
    for _ in range(150):
        h, w, kh, kw = rng.randint(1, 7), rng.randint(1, 7), rng.randint(1, 4), rng.randint(1, 4)
        s = [rng.randint(1, 3), rng.randint(1, 3)]
        p, d = [rng.randint(0, 3), rng.randint(0, 3)], [rng.randint(1, 3), rng.randint(1, 3)]
        if any(d[a] * ((kh, kw)[a] - 1) + 1 > (h, w)[a] + 2 * p[a] for a in (0, 1)):
            continue
        x = torch.zeros(1, 1, h, w, dtype=torch.float64, requires_grad=True)
        K = torch.randint(-3, 4, (kh, kw)).double()
        y = F.conv2d(x, K[None, None], stride=s, padding=p, dilation=d)
        G = torch.randint(-4, 5, y.shape[-2:]).double()
        (y[0, 0] * G).sum().backward()
        options = {"stride": s, "padding": p, "dilation": d}
        cases.append(("conv2dInputGradient", [G.tolist(), K.tolist(), [h, w], options]))
        expected.append(x.grad[0, 0].tolist())
    assert len(cases) > 80
    assert run_js("kernels/backward.js", cases) == expected


def test_js_pick_gradient_matches_python():
    rng = random.Random(5)
    cases, expected = [], []
    for _ in range(300):
        n, k, s, p, d = (rng.randint(*r) for r in RANGES.values())
        cell = rng.randint(0, 70)
        cases.append(("pickGradient", [n, k, s, p, d, cell]))
        g = pick_gradient(n, k, s, p, d, cell)
        expected.append(
            {
                "K": g.K.tolist(),
                "G": None if g.G is None else g.G.tolist(),
                "grad": None if g.grad is None else g.grad.tolist(),
                "row": g.row,
                "col": g.col,
                "terms": [vars(t) for t in g.terms],
                "text": g.text,
                "problem": g.problem,
            }
        )
    assert run_js("widgets/gradient_view.js", cases) == expected


def test_js_grids_terms_and_texts_match_python():
    cases, expected = [], []
    for k in range(1, 5):
        cases.append(("kernelGrid", [k]))
        expected.append(kernel_grid(k))
    for size in range(1, 9):
        cases.append(("gradientGrid", [size]))
        expected.append(gradient_grid(size))
    rng = random.Random(7)
    for _ in range(150):
        n, k, s, p, d = (rng.randint(*r) for r in RANGES.values())
        i, j = rng.randint(0, n - 1), rng.randint(0, n - 1)
        terms = gradient_terms(n, k, s, p, d, i, j)
        cases += [
            ("gradientTerms", [n, k, s, p, d, i, j]),
            ("gradientText", [i, j, [vars(t) for t in terms]]),
        ]
        expected += [[vars(t) for t in terms], gradient_text(i, j, terms)]
    assert run_js("widgets/gradient_view.js", cases) == expected
