"""Learning the edge kernel: the gradient formula, the training loop, its stability,
the edge learner widget, and the same maths in the browser (convmath.js in Node)."""

from __future__ import annotations

import math
import random
import re
from unittest.mock import patch

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from bounded import cost_of
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js
from torch import nn

from convlab import kernels, training
from convlab.training import (
    History,
    kernel_gradient,
    largest_stable_lr,
    learn_kernel,
    loss_hessian,
)
from convlab.widgets import EdgeLearner, learn_edge
from convlab.widgets._assets import STATIC
from convlab.widgets.edge_learner import (
    LOSS_CAP,
    edge_problem,
    format_short,
    initial_weights,
    rate_report,
    stop_text,
)

# The notes' image and the edges that [1, -1] finds in it, typed in from the notes.
BAND = [[1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]] * 6
EDGES = [[0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]] * 6


def band() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor(BAND), torch.tensor(EDGES)


def plain_loop(X, Y, kernel_size, lr, steps, loss="sum", bias=False, seed=0, dtype=None):
    """The notes' loop, written out independently: nn.Conv2d, autograd, weight -= lr·grad."""
    dtype = dtype or torch.float32
    torch.manual_seed(seed)
    conv = nn.Conv2d(1, 1, kernel_size=kernel_size, bias=bias).to(dtype)
    X4, Y4 = X.to(dtype)[None, None], Y.to(dtype)[None, None]
    losses, kernels_, biases = [], [conv.weight.detach()[0, 0].clone()], []
    if bias:
        biases.append(conv.bias.item())
    for _ in range(steps):
        squares = (conv(X4) - Y4) ** 2
        value = squares.sum() if loss == "sum" else squares.mean()
        conv.zero_grad()
        value.backward()
        losses.append(value.item())
        conv.weight.data -= lr * conv.weight.grad
        kernels_.append(conv.weight.detach()[0, 0].clone())
        if bias:
            conv.bias.data -= lr * conv.bias.grad
            biases.append(conv.bias.item())
    return losses, torch.stack(kernels_), biases


# --- the edge example ---------------------------------------------------------------


def test_the_notes_image_and_its_edges():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    assert X.tolist() == BAND
    assert kernels.corr2d(X, torch.tensor([[1.0, -1.0]])).tolist() == EDGES
    # The transposed image has no vertical edges: [1, -1] sees nothing.
    assert kernels.corr2d(X.T, torch.tensor([[1.0, -1.0]])).tolist() == [[0.0] * 5] * 8
    X_w, Y_w = edge_problem()
    assert X_w.tolist() == BAND and Y_w.tolist() == EDGES


def test_learning_reaches_the_edge_kernel_in_20_steps():
    X, Y = band()
    h = learn_kernel(X, Y, (1, 2), lr=3e-2, steps=20, seed=0)
    assert (h.kernel - torch.tensor([[1.0, -1.0]])).abs().max() < 5e-3
    assert h.losses[-1] < 1e-3 < h.losses[0]
    # In the end the loss falls ×(1 − 0.03·60)² = ×0.64 per step, as in the notes'
    # log: 0.000556 / 0.000869 = 0.640.
    notes_ratio = 0.000556 / 0.000869
    assert notes_ratio == pytest.approx(0.64, abs=2e-3)
    assert (h.losses[-1] / h.losses[-2]).item() == pytest.approx(0.64, rel=1e-2)


@pytest.mark.parametrize(
    ("loss", "bias", "lr", "steps"),
    [("sum", False, 3e-2, 20), ("mean", True, 3e-2, 100), ("mean", False, 1.26, 7)],
)
def test_learn_kernel_is_the_notes_loop(loss, bias, lr, steps):
    X, Y = band()
    losses, kernels_, biases = plain_loop(X, Y, (1, 2), lr, steps, loss, bias)
    h = learn_kernel(X, Y, (1, 2), lr=lr, steps=steps, loss=loss, bias=bias, seed=0)
    assert h.losses[:-1].tolist() == losses
    assert torch.equal(h.kernels, kernels_)
    assert (h.biases is None) == (not bias)
    if bias:
        assert h.biases.tolist() == biases
    torch.testing.assert_close(
        h.output, F.conv2d(X[None, None], h.kernel[None, None])[0, 0] + (h.bias or 0)
    )


def test_history_has_one_entry_per_weights_and_leaves_the_rng_alone():
    X, Y = band()
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    h = learn_kernel(X, Y, (1, 2), lr=0.01, steps=7, bias=True, seed=5)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert isinstance(h, History)
    assert len(h.losses) == len(h.kernels) == len(h.biases) == 8 and h.steps_done == 7
    assert not h.stopped
    torch.manual_seed(5)
    conv = nn.Conv2d(1, 1, (1, 2))
    assert torch.equal(h.kernels[0], conv.weight.detach()[0, 0])
    assert h.biases[0].item() == conv.bias.item()


def test_a_given_start_and_stopping_early():
    X, Y = band()
    h = learn_kernel(X, Y, (1, 2), 0.1, 200, init=torch.tensor([[0.5, 0.0]]), stop_above=1e6)
    assert h.kernels[0].tolist() == [[0.5, 0.0]]
    # 12 white pairs give 0.5 (want 0), 6 edges 0.5 (want 1), 6 edges 0 (want -1).
    assert h.losses[0].item() == 12 * 0.25 + 6 * 0.25 + 6 * 1
    assert h.stopped and h.steps_done < 200 and h.losses[-1] > 1e6 >= h.losses[-2]
    assert len(h.kernels) == len(h.losses)


def test_the_mean_loss_with_a_42_times_larger_step_retraces_the_sum():
    X, Y = band()
    summed = learn_kernel(X, Y, (1, 2), 0.03, 30, loss="sum", dtype=torch.float64)
    mean = learn_kernel(X, Y, (1, 2), 0.03 * 42, 30, loss="mean", dtype=torch.float64)
    torch.testing.assert_close(summed.kernels, mean.kernels)
    torch.testing.assert_close(summed.losses / 42, mean.losses)


def test_the_notes_mean_loss_run_on_their_6x6_image():
    X6 = torch.ones(6, 6)
    X6[:, 2:4] = 0
    Y6 = kernels.corr2d(X6, torch.tensor([[1.0, -1.0]]))
    zeros = torch.zeros(1, 2)
    h = learn_kernel(X6, Y6, (1, 2), 0.03, 100, "mean", True, init=zeros, init_bias=0.0)
    # The notes (MXNet, a small random start) end at [0.697, -0.696].
    torch.testing.assert_close(h.kernel, torch.tensor([[0.697, -0.696]]), atol=0.01, rtol=0)


# --- the gradient is a cross-correlation ----------------------------------------


@given(
    nh=st.integers(1, 7),
    nw=st.integers(1, 7),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_kernel_gradient_is_autograd(nh, nw, kh, kw, seed):
    kh, kw = min(kh, nh), min(kw, nw)
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(nh, nw, generator=g, dtype=torch.float64)
    Y = torch.randn(nh - kh + 1, nw - kw + 1, generator=g, dtype=torch.float64)
    K = torch.randn(kh, kw, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(1, generator=g, dtype=torch.float64, requires_grad=True)
    Y_hat = F.conv2d(X[None, None], K[None, None], b)[0, 0]
    R = (Y_hat - Y).detach()
    grad_K, grad_b = torch.autograd.grad(((Y_hat - Y) ** 2).sum(), (K, b), retain_graph=True)
    torch.testing.assert_close(kernel_gradient(X, R), grad_K)
    torch.testing.assert_close(2 * R.sum().reshape(1), grad_b)
    mean_K, mean_b = torch.autograd.grad(((Y_hat - Y) ** 2).mean(), (K, b))
    torch.testing.assert_close(kernel_gradient(X, R) / R.numel(), mean_K)
    torch.testing.assert_close(2 * R.sum().reshape(1) / R.numel(), mean_b)


# --- the curvature of the loss and the largest stable learning rate ---------------


def test_hessian_of_the_band_image_by_hand():
    X, _ = band()
    # 12 windows (1, 1), 6 (1, 0), 6 (0, 1), 18 (0, 0): Σ x xᵀ = [[18, 12], [12, 18]].
    assert loss_hessian(X, (1, 2)).tolist() == [[36, 24], [24, 36]]
    assert torch.linalg.eigvalsh(loss_hessian(X, (1, 2))).tolist() == pytest.approx([12, 60])
    assert largest_stable_lr(loss_hessian(X, (1, 2))) == pytest.approx(1 / 30)
    with_bias = [[18, 12, 18], [12, 18, 18], [18, 18, 42]]  # the bias's entry is 1
    expected = torch.tensor(with_bias, dtype=torch.float64) * 2 / 42
    torch.testing.assert_close(loss_hessian(X, (1, 2), "mean", bias=True), expected)


@given(
    nh=st.integers(1, 6),
    nw=st.integers(1, 6),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    loss=st.sampled_from(["sum", "mean"]),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_loss_hessian_is_autograds_hessian(nh, nw, kh, kw, loss, bias, seed):
    kh, kw = min(kh, nh), min(kw, nw)
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(nh, nw, generator=g, dtype=torch.float64)
    Y = torch.randn(nh - kh + 1, nw - kw + 1, generator=g, dtype=torch.float64)

    def L(w):
        K, b = w[: kh * kw].reshape(kh, kw), (w[-1] if bias else 0)
        squares = (F.conv2d(X[None, None], K[None, None])[0, 0] + b - Y) ** 2
        return squares.sum() if loss == "sum" else squares.mean()

    w = torch.randn(kh * kw + bias, generator=g, dtype=torch.float64)
    expected = torch.autograd.functional.hessian(L, w)
    torch.testing.assert_close(loss_hessian(X, (kh, kw), loss, bias), expected)


@pytest.mark.parametrize(("loss", "bias"), [("sum", False), ("sum", True), ("mean", True)])
def test_just_below_the_limit_converges_and_just_above_diverges(loss, bias):
    X, Y = band()
    limit = largest_stable_lr(loss_hessian(X, (1, 2), loss, bias))
    args = {"loss": loss, "bias": bias, "dtype": torch.float64}
    below = learn_kernel(X, Y, (1, 2), 0.97 * limit, 400, **args)
    above = learn_kernel(X, Y, (1, 2), 1.03 * limit, 400, **args)
    assert below.losses[-1] < 1e-6 * below.losses[0]
    assert above.losses[-1] > 1e3 * above.losses[0]


# --- bad arguments: one rule each -----------------------------------------------

X_OK, Y_OK = torch.tensor(BAND), torch.tensor(EDGES)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"X": [[1.0, 2.0]]}, TypeError, "X: expected a torch.Tensor, got list"),
        ({"X": torch.ones(1, 6, 8)}, ValueError, "X: expected a 2-D (H, W) tensor, got 3-D"),
        ({"Y": torch.ones(6, 8)}, ValueError, "Y: expected shape (6, 7) = (6 − 1 + 1, 8 − 2 + 1)"),
        ({"kernel_size": (7, 2)}, ValueError, "kernel_size: the kernel (7×2) is larger"),
        ({"kernel_size": 0}, ValueError, "kernel_size: must be ≥ 1"),
        ({"lr": 0}, ValueError, "lr: expected a learning rate > 0, got 0"),
        ({"lr": -0.1}, ValueError, "lr: expected a learning rate > 0, got -0.1"),
        ({"lr": math.nan}, ValueError, "lr: expected a learning rate > 0, got nan"),
        ({"lr": "0.1"}, TypeError, "lr: expected a number, got str '0.1'"),
        ({"lr": True}, TypeError, "lr: expected a number, got bool True"),
        ({"steps": 0}, ValueError, "steps: must be from 1 to 1000, got 0"),
        ({"steps": 1001}, ValueError, "steps: must be from 1 to 1000, got 1001"),
        ({"steps": 2.0}, TypeError, "steps: expected an int, got float 2.0"),
        ({"loss": "mse"}, ValueError, "loss: expected 'sum' or 'mean', got 'mse'"),
        ({"bias": 1}, TypeError, "bias: expected True or False, got int 1"),
        ({"seed": -1}, ValueError, "seed: must be from 0 to 18446744073709551615, got -1"),
        ({"init": torch.zeros(2, 1)}, ValueError, "init: expected the kernel's shape (1, 2)"),
        ({"init_bias": math.inf}, ValueError, "init_bias: expected a finite number, got inf"),
        ({"stop_above": 0}, ValueError, "stop_above: expected a loss > 0, got 0"),
        ({"dtype": torch.int64}, ValueError, "dtype: expected torch.float32 or torch.float64"),
    ],
)
def test_learn_kernel_bad_arguments(kwargs, error, words):
    args = {"X": X_OK, "Y": Y_OK, "kernel_size": (1, 2), "lr": 0.03, "steps": 5} | kwargs
    with pytest.raises(error, match=re.escape(words)):
        learn_kernel(**args)


def test_gradient_and_hessian_bad_arguments():
    with pytest.raises(ValueError, match=re.escape("residual: the kernel (7×7) is larger")):
        kernel_gradient(torch.ones(6, 8), torch.ones(7, 7))
    with pytest.raises(TypeError, match="residual: expected a torch.Tensor"):
        kernel_gradient(torch.ones(6, 8), [[1.0]])
    with pytest.raises(ValueError, match=re.escape("loss: expected 'sum' or 'mean', got 'l1'")):
        loss_hessian(torch.ones(6, 8), (1, 2), loss="l1")
    with pytest.raises(ValueError, match=re.escape("kernel_size: the kernel (1×9) is larger")):
        loss_hessian(torch.ones(6, 8), (1, 9))


# --- the widget's Python side ----------------------------------------------------


def test_widget_start_is_the_seeded_pytorch_start():
    for seed in (0, 1, 7):
        kernel, b = initial_weights(seed)
        torch.manual_seed(seed)
        no_bias = nn.Conv2d(1, 1, (1, 2), bias=False)
        torch.manual_seed(seed)
        with_bias = nn.Conv2d(1, 1, (1, 2))
        assert kernel == no_bias.weight.detach()[0, 0, 0].tolist()
        assert kernel == with_bias.weight.detach()[0, 0, 0].tolist()
        assert b == with_bias.bias.item()
    w = EdgeLearner()
    assert (w.init_kernel, w.init_bias) == initial_weights(0)
    w.seed = 3
    assert (w.init_kernel, w.init_bias) == initial_weights(3)


@pytest.mark.parametrize(
    ("lr", "steps", "loss", "bias"),
    [
        (0.03, 20, "sum", False),
        (0.002, 200, "mean", True),
        (0.1, 200, "sum", True),
        (1.26, 50, "mean", False),
    ],
)
def test_learn_edge_is_pytorchs_run(lr, steps, loss, bias):
    """The widget's compute (float64, stopped at LOSS_CAP) against the notes' loop in float32."""
    run = learn_edge(lr, steps, loss, bias)
    X, Y = band()
    losses, kernels_, biases = plain_loop(X, Y, (1, 2), lr, steps, loss, bias)
    h = run.history
    n = h.steps_done
    assert h.stopped == (n < steps)
    close = {"rtol": 1e-5, "atol": 1e-5}
    torch.testing.assert_close(h.losses[:n], torch.tensor(losses[:n], dtype=torch.float64), **close)
    torch.testing.assert_close(h.kernels, kernels_[: n + 1].double(), **close)
    if bias:
        torch.testing.assert_close(h.biases, torch.tensor(biases[: n + 1]).double(), **close)


def test_rate_report_by_hand():
    report = rate_report(0.03, [60, 12])
    assert report.curvature == (
        "Along its two main directions the loss has curvature λ = 60 and 12 (the eigenvalues "
        "of its Hessian), so the largest stable learning rate is 2/λ_max = 2/60 = 0.0333."
    )
    assert report.verdict == (
        "lr 0.03 is below it: a step multiplies the error along those directions by "
        "1 − lr·λ = -0.8 and 0.64, so training converges and the loss ends up shrinking "
        "×0.64 per step."
    )
    assert not report.diverging
    report = rate_report(0.1, [12, 60])
    assert report.diverging
    assert report.verdict == (
        "lr 0.1 is above it: each step overshoots. Along the steepest direction a step "
        "multiplies the error by 1 − 0.1·60 = -5, so the error grows ×5 and the loss ×25 "
        "per step."
    )
    assert rate_report(1 / 30, [60, 12]).verdict.startswith("lr 0.0333 is right at it")
    assert "three main directions" in learn_edge(bias=True).report.curvature
    assert stop_text(5, 200, 2.0493e7) == (
        "Training stopped after step 5 of 200: the loss, 2.05e7, passed 1e6."
    )


def test_format_short():
    cases = {0: "0", 25.0: "25", 1 / 30: "0.0333", -0.8: "-0.8", 0.000437: "4.37e-4"}
    cases |= {2.0493e7: "2.05e7", 1e6: "1e6", 99999.7: "100000", 0.0012: "0.0012"}
    cases |= {1.0625: "1.06", 0.125e-3: "1.25e-4", 9.9996: "10", 123.456: "123"}
    assert {v: format_short(v) for v in cases} == cases


def test_widget_repr_is_one_deterministic_line():
    assert repr(EdgeLearner()) == (
        "EdgeLearner(lr 0.03, 20 steps, sum loss, no bias: loss 19.2 → 2.79e-4 after the last "
        "step, K = [[1.002, -0.998]]; converges, 2/λ_max = 0.0333)"
    )
    diverging = repr(EdgeLearner(lr=0.1, steps=200, bias=True))
    assert "stopped after step 3" in diverging and "diverges, 2/λ_max = 0.0161" in diverging


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"lr": 0.0001}, ValueError, "lr: expected 0.001 to 2.0, got 0.0001"),
        ({"lr": 3}, ValueError, "lr: expected 0.001 to 2.0, got 3"),
        ({"lr": "big"}, TypeError, "lr: expected a number, got str 'big'"),
        ({"steps": 0}, ValueError, "steps: the widget allows 1 to 200, got 0"),
        ({"steps": 201}, ValueError, "steps: the widget allows 1 to 200, got 201"),
        ({"loss": "max"}, ValueError, "loss: expected 'sum' or 'mean', got 'max'"),
        ({"bias": "yes"}, TypeError, "bias: expected True or False, got str 'yes'"),
        ({"seed": -2}, ValueError, "seed: the widget allows 0 to 18446744073709551615, got -2"),
    ],
)
def test_widget_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        EdgeLearner(**kwargs)


def test_widget_traits_are_checked_and_plain_json():
    w = EdgeLearner()
    with pytest.raises(ValueError, match="lr: expected 0.001 to 2.0, got 5.0"):
        w.lr = 5.0
    with pytest.raises(ValueError, match="steps: the widget allows 1 to 200, got 500"):
        w.steps = 500
    assert w.X == BAND and w.Y == EDGES
    assert isinstance(w.init_kernel, list) and isinstance(w.init_bias, float)
    assert w._esm == (STATIC / "edge_learner.js").read_text(encoding="utf-8")  # its bundle


# --- the browser's maths (static/src/ in Node) against Python --- --------------------


def random_training_case(rng: random.Random) -> dict:
    nh, nw = rng.randint(1, 6), rng.randint(1, 7)
    kh, kw = rng.randint(1, nh), rng.randint(1, nw)
    X = [[rng.randint(-3, 3) / rng.choice([1, 2]) for _ in range(nw)] for _ in range(nh)]
    Y = [[rng.randint(-4, 4) / 2 for _ in range(nw - kw + 1)] for _ in range(nh - kh + 1)]
    K0 = [[rng.uniform(-1, 1) for _ in range(kw)] for _ in range(kh)]
    loss, bias = rng.choice(["sum", "mean"]), rng.random() < 0.5
    limit = (
        largest_stable_lr(loss_hessian(torch.tensor(X), (kh, kw), loss, bias))
        if any(any(r) for r in X)
        else 1.0
    )
    lr = limit * rng.choice([0.1, 0.5, 0.9, 0.99, 1.01, 1.5, 3])
    options = {"lr": lr, "steps": rng.randint(1, 120), "loss": loss, "bias": bias}
    options["stopAbove"] = 1e8
    return {"X": X, "Y": Y, "K0": K0, "b0": rng.uniform(-1, 1), "options": options}


def test_learn_kernel_in_js_matches_pytorch_on_random_problems():
    rng = random.Random(0)
    cases = [random_training_case(rng) for _ in range(150)]
    calls = [("learnKernel", [c["X"], c["Y"], c["K0"], c["b0"], c["options"]]) for c in cases]
    for case, got in zip(cases, run_js("training.js", calls), strict=True):
        o = case["options"]
        h = learn_kernel(
            torch.tensor(case["X"]),
            torch.tensor(case["Y"]),
            (len(case["K0"]), len(case["K0"][0])),
            lr=o["lr"],
            steps=o["steps"],
            loss=o["loss"],
            bias=o["bias"],
            init=torch.tensor(case["K0"], dtype=torch.float64),
            init_bias=case["b0"],
            stop_above=o["stopAbove"],
            dtype=torch.float64,
        )
        close = {"rtol": 1e-9, "atol": 1e-12}
        assert got["stopped"] == h.stopped
        torch.testing.assert_close(
            torch.tensor(got["losses"], dtype=torch.float64), h.losses, **close
        )
        torch.testing.assert_close(
            torch.tensor(got["kernels"], dtype=torch.float64), h.kernels, **close
        )
        torch.testing.assert_close(
            torch.tensor(got["output"], dtype=torch.float64), h.output, **close
        )
        if o["bias"]:
            torch.testing.assert_close(
                torch.tensor(got["biases"], dtype=torch.float64), h.biases, **close
            )
        else:
            assert got["biases"] is None


def test_the_widgets_runs_in_js_match_a_float32_pytorch_run():
    """Every slider setting kind: the browser's numbers equal nn.Conv2d's to 1e-5."""
    rng = random.Random(1)
    X, Y = edge_problem()
    kernel, b = initial_weights(0)
    rates = [0.001, 0.005, 0.02, 0.03, 0.035, 0.1, 0.3, 0.6, 0.7, 1.26, 2.0]
    settings = [
        (lr, rng.randint(1, 200), rng.choice(["sum", "mean"]), rng.random() < 0.5) for lr in rates
    ]
    settings += [
        (rng.choice(rates), 200, loss, bias) for loss in ("sum", "mean") for bias in (False, True)
    ]
    options = [
        {"lr": lr, "steps": s, "loss": loss, "bias": bias, "stopAbove": LOSS_CAP}
        for lr, s, loss, bias in settings
    ]
    calls = [("learnKernel", [X.tolist(), Y.tolist(), [kernel], b, o]) for o in options]
    for (lr, steps, loss, bias), got in zip(settings, run_js("training.js", calls), strict=True):
        losses, kernels_, biases = plain_loop(X, Y, (1, 2), lr, steps, loss, bias)
        n = len(got["losses"]) - 1
        close = {"rtol": 1e-5, "atol": 1e-5}
        torch.testing.assert_close(
            torch.tensor(got["losses"][:n]), torch.tensor(losses[:n]), **close
        )
        torch.testing.assert_close(torch.tensor(got["kernels"]), kernels_[: n + 1], **close)
        if bias:
            torch.testing.assert_close(
                torch.tensor(got["biases"]), torch.tensor(biases[: n + 1]), **close
            )
        python = learn_edge(lr, steps, loss, bias)
        assert n == python.history.steps_done


def test_hessian_and_eigenvalues_in_js_match_python():
    rng = random.Random(2)
    problems = []
    for _ in range(60):
        nh, nw = rng.randint(1, 6), rng.randint(1, 7)
        kh, kw = rng.randint(1, min(nh, 2)), rng.randint(1, min(nw, 2))
        X = [[rng.randint(-2, 2) for _ in range(nw)] for _ in range(nh)]
        problems.append((X, kh, kw, rng.choice(["sum", "mean"]), rng.random() < 0.5))
    problems.append((torch.triu(torch.ones(6, 6)).tolist(), 2, 2, "sum", False))  # a 0 eigenvalue
    problems.append((BAND, 1, 2, "mean", True))
    calls = [("lossHessian", list(p)) for p in problems]
    calls += [
        ("symmetricEigenvalues", [loss_hessian(torch.tensor(p[0]), p[1:3], *p[3:]).tolist()])
        for p in problems
    ]
    results = run_js("training.js", calls)
    for p, H, lams in zip(
        problems, results[: len(problems)], results[len(problems) :], strict=True
    ):
        expected = loss_hessian(torch.tensor(p[0]), p[1:3], *p[3:])
        torch.testing.assert_close(torch.tensor(H, dtype=torch.float64), expected)
        eig = torch.linalg.eigvalsh(expected).flip(0)
        scale = max(1.0, eig.abs().max().item())
        torch.testing.assert_close(
            torch.tensor(lams, dtype=torch.float64), eig, rtol=0, atol=1e-12 * scale
        )


def test_texts_and_number_format_in_js_match_python():
    rng = random.Random(3)
    numbers = [0, 25, 1 / 30, -0.8, 4.37e-4, 2.0493e7, 1e6, 99999.7, 99950, 0.00099996, 0.0012]
    numbers += [1.0625, -1.0625, 0.125e-3, 2.5e-8, 9.9996, 123.456, 1.005, 0.1 + 0.2, 1e-300, 5e21]
    numbers += [rng.uniform(-1, 1) * 10 ** rng.randint(-9, 9) for _ in range(300)]
    spectra = [
        [60, 12],
        [60 / 42, 12 / 42],
        [2.9596854124401926, 0.468886016131236, 2 / 7],
        [106.66, 7.15, 4.2, 0],
    ]
    rates = [0.001, 0.0125, 0.03, 1 / 30, 0.035, 0.1, 0.6, 1.26, 2]
    reports = [(lr, lams) for lr in rates for lams in spectra]
    stops = [(3, 200, 1.18e7), (8, 100, 1234567.8), (1, 1, 2e6)]
    shorts = run_js("widgets/text.js", [("formatShort", [v]) for v in numbers])
    assert shorts == [format_short(v) for v in numbers]
    calls = [("rateReport", [lr, lams]) for lr, lams in reports]
    calls += [("stopText", [*s, LOSS_CAP]) for s in stops]
    expected = [rate_report(lr, lams).__dict__ for lr, lams in reports]
    expected += [stop_text(*s) for s in stops]
    assert run_js("widgets/edge_learner.js", calls) == expected


def test_the_widgets_runs_in_js_match_learn_edge():
    """The view's whole run (learnEdge): the losses, the eigenvalues, the verdict and where a
    diverging run stops, which is where its loss passes the same cap as in Python."""
    X, Y = edge_problem()
    kernel, b = initial_weights(0)
    settings = [
        (lr, steps, loss, bias)
        for lr, steps in ((0.03, 20), (0.1, 200), (0.7, 200), (2.0, 200), (1.26, 50))
        for loss in ("sum", "mean")
        for bias in (False, True)
    ]
    keys = ("lr", "steps", "loss", "bias")
    start = [X.tolist(), Y.tolist(), [kernel], b]
    calls = [("learnEdge", [*start, dict(zip(keys, s, strict=True))]) for s in settings]
    stopped = 0
    for setting, js in zip(settings, run_js("widgets/edge_learner.js", calls), strict=True):
        python = learn_edge(*setting)
        losses = torch.tensor(js["history"]["losses"], dtype=torch.float64)
        torch.testing.assert_close(losses, python.history.losses, rtol=1e-9, atol=1e-12)
        torch.testing.assert_close(
            torch.tensor(js["eigenvalues"], dtype=torch.float64),
            torch.tensor(python.eigenvalues, dtype=torch.float64),
            rtol=0,
            atol=1e-12 * python.eigenvalues[0],
        )
        # The texts of the eigenvalues found (a factor 1 − lr·λ near 0 shows their rounding).
        assert js["report"] == rate_report(setting[0], js["eigenvalues"]).__dict__, setting
        assert js["report"]["diverging"] == python.report.diverging
        assert js["stopped"] == python.stopped, setting
        stopped += python.stopped is not None
    assert stopped > 4  # diverging runs were cut short at the cap


# --- awkward arguments, the Hessian's limits and the largest stable rate ---------------

AWKWARD = [
    None, True, False, 0, -1, 10**30, 2**63, 2**64, np.int64(2), np.float32(0.5), 2.5,
    math.nan, math.inf, -math.inf, "a", "", [], [[]], {}, object(), torch.tensor(2.0),
    torch.empty(0), torch.empty(0, 2), torch.full((2, 2), math.nan),
    torch.ones(3, 3, dtype=torch.float16), torch.ones(3, 3, dtype=torch.int64),
    torch.ones(3, 3, dtype=torch.bool), torch.ones(3, 3, dtype=torch.complex64), np.ones((3, 3)),
]  # fmt: skip
LEARN_ARGS = {"X": X_OK, "Y": Y_OK, "kernel_size": (1, 2), "lr": 0.03, "steps": 3}


@given(
    name=st.sampled_from(
        ["X", "Y", "kernel_size", "lr", "steps", "loss", "bias", "seed", "init", "init_bias"]
        + ["stop_above", "dtype"]
    ),
    value=st.sampled_from(AWKWARD),
)
def test_learn_kernel_answers_or_names_the_argument(name, value):
    try:
        h = learn_kernel(**LEARN_ARGS | {name: value})
    except (ValueError, TypeError) as error:
        assert str(error).startswith(f"{name}:"), error
        return
    # Accepted: the same run as with the plain Python value PyTorch would take.
    plain = value.item() if isinstance(value, np.generic) else value
    expected = learn_kernel(**LEARN_ARGS | {name: plain})
    torch.testing.assert_close(h.losses, expected.losses, equal_nan=True)
    torch.testing.assert_close(h.kernels, expected.kernels, equal_nan=True)


def test_every_seed_torch_takes_and_no_other():
    X, Y = band()
    top = learn_kernel(X, Y, (1, 2), 0.03, 1, seed=2**64 - 1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(2**64 - 1)
        start = nn.Conv2d(1, 1, (1, 2), bias=False).weight.detach()[0, 0]
    assert torch.equal(top.kernels[0], start)
    numpy_seed = learn_kernel(X, Y, (1, 2), 0.03, 1, seed=np.uint64(7))
    assert torch.equal(numpy_seed.kernels, learn_kernel(X, Y, (1, 2), 0.03, 1, seed=7).kernels)
    for seed, error in [(2**64, ValueError), (-1, ValueError), (1.0, TypeError), (True, TypeError)]:
        with pytest.raises(error, match="^seed: "):
            learn_kernel(X, Y, (1, 2), 0.03, 1, seed=seed)


def test_a_history_too_large_to_keep_is_refused_before_training():
    # 1001 kernels of 1500×1500 would be 2.25·10⁹ numbers.
    cost = cost_of(
        """
        import torch
        from convlab.training import learn_kernel
        X = torch.zeros(1500, 1500)
        learn_kernel(X, torch.zeros(1, 1), 1500, lr=0.1, steps=1000)
        """
    )
    assert cost.error.startswith("ValueError: steps: the result would be"), cost
    assert cost.seconds < 1 and cost.mib < 60, cost


@given(
    nh=st.integers(1, 40),
    nw=st.integers(1, 9),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    loss=st.sampled_from(["sum", "mean"]),
    bias=st.booleans() | st.just(np.bool_(True)),
    block=st.sampled_from([1, 7, 64, 2**20]),
    dtype=st.sampled_from([torch.float64, torch.float32, torch.float16, torch.int64]),
    seed=st.integers(0, 2**16),
)
def test_loss_hessian_block_by_block_is_the_sum_over_all_windows(
    nh, nw, kh, kw, loss, bias, block, dtype, seed
):
    """Any block size gives 2 Σ x xᵀ over F.unfold's windows (the reference), in float64."""
    kh, kw = min(kh, nh), min(kw, nw)
    g = torch.Generator().manual_seed(seed)
    X = (torch.randn(nh, nw, generator=g) * 4).to(dtype)
    x = F.unfold(X.double()[None, None], (kh, kw))[0].T  # one window per row
    if bias:
        x = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1)
    expected = 2 * x.T @ x / (len(x) if loss == "mean" else 1)
    with patch.object(training, "BLOCK", block):
        torch.testing.assert_close(loss_hessian(X, (kh, kw), loss, bias), expected)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: loss_hessian(X_OK, (1, 2), "sum", bias="no"), TypeError, "bias: expected True"),
        (lambda: loss_hessian(X_OK, (1, 2), loss=None), TypeError, "loss: expected 'sum' or"),
        (lambda: loss_hessian(X_OK, 2**63), ValueError, "kernel_size: the kernel"),
        (
            lambda: loss_hessian(torch.ones(80, 80), (64, 65)),
            ValueError,
            "kernel_size: a 64×65 kernel is 4,160 weights, a 4,160×4,160 Hessian",
        ),
        (
            lambda: loss_hessian(torch.ones(4000, 4000), 20),
            ValueError,
            "X: summing x xᵀ over its 15,848,361 windows of 400 weights takes",
        ),
        (lambda: kernel_gradient(X_OK, torch.ones(2, 2, dtype=torch.bool)), TypeError, "residual"),
        (
            lambda: learn_kernel(X_OK, Y_OK, (1, 2), 0.1, 2, dtype="float32"),
            TypeError,
            "dtype: expected torch.float32 or torch.float64, got 'float32'",
        ),
    ],
)
def test_awkward_training_arguments_get_clear_errors(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_refused_hessians_cost_nothing():
    cost = cost_of(
        """
        import torch
        from convlab.training import loss_hessian
        for size, kernel in [(80, (64, 65)), (4000, 20)]:
            try:
                loss_hessian(torch.zeros(size, size), kernel)
            except ValueError:
                pass
            else:
                raise AssertionError("not refused")
        """
    )
    assert cost.error is None and cost.seconds < 1 and cost.mib < 100, cost


@given(
    nh=st.integers(1, 12),
    nw=st.integers(1, 12),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    dtype=st.sampled_from([torch.float64, torch.float32, torch.float16, torch.int64]),
    seed=st.integers(0, 2**16),
)
def test_kernel_gradient_in_any_dtype_is_float64_autograd(nh, nw, kh, kw, dtype, seed):
    kh, kw = min(kh, nh), min(kw, nw)
    g = torch.Generator().manual_seed(seed)
    X = (torch.randn(nh, nw, generator=g) * 3).to(dtype)
    R = (torch.randn(nh - kh + 1, nw - kw + 1, generator=g) * 3).to(dtype)
    K = torch.zeros(kh, kw, dtype=torch.float64, requires_grad=True)
    Y_hat = F.conv2d(X.double()[None, None], K[None, None])[0, 0]
    (grad,) = torch.autograd.grad((Y_hat * R.double()).sum() * 2, K)  # ∂/∂K of Σ 2·Ŷ·R
    got = kernel_gradient(X, R)
    assert got.dtype == dtype
    tolerance = {torch.float16: 2e-2, torch.float32: 1e-5}.get(dtype, 1e-12)
    torch.testing.assert_close(got.double(), grad, rtol=tolerance, atol=tolerance * 10)


def test_largest_stable_lr_of_the_users_examples():
    assert largest_stable_lr(torch.zeros(2, 2)) == math.inf  # a flat loss: no limit
    assert largest_stable_lr(torch.zeros(1, 1, dtype=torch.int64)) == math.inf
    with pytest.raises(ValueError, match=re.escape("hessian: has a negative eigenvalue, -1")):
        largest_stable_lr(-torch.eye(2))
    with pytest.raises(ValueError, match="hessian: expected a symmetric matrix"):
        largest_stable_lr(torch.tensor([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="hessian: expected finite numbers"):
        largest_stable_lr(torch.tensor([[math.inf]]))
    with pytest.raises(ValueError, match=re.escape("hessian: expected a square matrix")):
        largest_stable_lr(torch.ones(2, 3))
    with pytest.raises(TypeError, match="hessian: expected a torch.Tensor"):
        largest_stable_lr([[1.0]])
    # A singular Hessian from loss_hessian: its 0 eigenvalue comes out as about -1e-14.
    H = loss_hessian(torch.triu(torch.ones(6, 6)), (2, 2))
    assert largest_stable_lr(H) == pytest.approx(2 / np.linalg.eigvalsh(H.numpy()).max())


@given(
    n=st.integers(1, 6),
    rank=st.integers(0, 6),
    dtype=st.sampled_from([torch.float64, torch.float32]),
    negative=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_largest_stable_lr_is_two_over_numpys_largest_eigenvalue(n, rank, dtype, negative, seed):
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(n, min(rank, n), generator=g, dtype=torch.float64)
    H = A @ A.T  # positive semi-definite, rank ≤ rank
    if negative:
        H = H - 0.5 * torch.eye(n, dtype=torch.float64)
    H = H.to(dtype)
    eigenvalues = np.linalg.eigvalsh(H.double().numpy())
    scale = max(1.0, np.abs(eigenvalues).max())
    if eigenvalues.min() < -1e-3 * scale:
        with pytest.raises(ValueError, match="^hessian: has a negative eigenvalue"):
            largest_stable_lr(H)
    elif eigenvalues.max() > 1e-3 * scale:
        assert largest_stable_lr(H) == pytest.approx(2 / eigenvalues.max(), rel=1e-6)


@given(st.sampled_from(AWKWARD))
def test_largest_stable_lr_answers_or_names_hessian(value):
    try:
        lr = largest_stable_lr(value)
    except (ValueError, TypeError) as error:
        assert str(error).startswith("hessian:"), error
        return
    assert lr == 2 / np.linalg.eigvalsh(value.double().numpy()).max()
