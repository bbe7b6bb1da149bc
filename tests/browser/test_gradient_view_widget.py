"""The gradient view of chapter 9 recomputes in the browser as autograd does: the
input gradient, the cells and taps that reach the picked cell, and its sum; cells
are picked by click, arrow keys or the slider."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from widgetpage import cells_with, open_widget, read_table, slider

from convlab.widgets.gradient_view import pick_gradient

pytestmark = pytest.mark.browser
CHAPTER = "book/ch09_backward_and_transposed.html"
GRAD = "∂L/∂x: pick a cell"


@pytest.fixture
def view(page):
    return open_widget(page, CHAPTER, ".cl-gradient")


def autograd(n, K, G, s, p, d) -> torch.Tensor:
    x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, K[None, None], stride=s, padding=p, dilation=d)
    (y * G).sum().backward()
    return x.grad[0, 0]


def shown(view, n, k, s, p, d, cell):
    """Check every number and mark against Python and autograd."""
    g = pick_gradient(n, k, s, p, d, cell)
    side = g.G.shape[0]
    G = read_table(view, f"∂L/∂y ({side}×{side})")
    K = read_table(view, "Kernel K")
    assert G.tolist() == g.G.tolist() and K.tolist() == g.K.tolist()
    assert read_table(view, GRAD).tolist() == autograd(n, K, G, s, p, d).tolist()
    assert view.locator(".cl-sum").inner_text() == g.text
    assert cells_with(view, GRAD, "cl-picked") == {(g.row, g.col)}
    assert cells_with(view, f"∂L/∂y ({side}×{side})", "cl-on") == {(t.r, t.c) for t in g.terms}
    assert cells_with(view, "Kernel K", "cl-on") == {(t.a, t.b) for t in g.terms}
    return g


def test_opens_on_cell_1_1(view):
    g = shown(view, 5, 3, 2, 1, 1, 6)
    assert g.text.endswith("= 1×9 + 2×7 + 4×3 + 5×1 = 40")


def test_click_and_arrow_keys_pick_a_cell(view):
    view.locator(".cl-pick td").nth(3 * 5 + 2).click()  # x[3, 2]
    shown(view, 5, 3, 2, 1, 1, 17)
    cell = view.locator(".cl-pick td").nth(17)
    assert cell.get_attribute("aria-current") == "true"
    cell.press("ArrowRight")
    shown(view, 5, 3, 2, 1, 1, 18)
    view.page.keyboard.press("ArrowUp")  # focus followed the pick
    shown(view, 5, 3, 2, 1, 1, 13)
    assert slider(view, "Input cell").input_value() == "13"


@pytest.mark.parametrize(
    "setting",
    [(6, 2, 3, 0, 1, 35), (8, 3, 1, 1, 2, 27), (7, 4, 2, 3, 3, 0), (5, 3, 3, 0, 1, 24)],
)
def test_sliders_recompute_as_autograd(view, setting):
    n, k, s, p, d, cell = setting
    for label, value in zip(
        ("Input size n", "Kernel size k", "Stride s", "Padding p", "Dilation d", "Input cell"),
        setting,
        strict=True,
    ):
        slider(view, label).fill(str(value))
    g = shown(view, n, k, s, p, d, cell)
    if not g.terms:
        assert "no window reads this cell" in g.text


def test_a_kernel_that_does_not_fit_is_explained(view):
    slider(view, "Padding p").fill("0")
    slider(view, "Input size n").fill("2")
    slider(view, "Kernel size k").fill("4")
    alert = view.get_by_role("alert")
    assert alert.inner_text() == pick_gradient(2, 4, 2, 0, 1).problem
    assert view.locator(".cl-pick table").count() == 0
    slider(view, "Input size n").fill("5")
    assert alert.is_hidden()
    shown(view, 5, 4, 2, 0, 1, 6)
