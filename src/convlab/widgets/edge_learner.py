"""The edge learner: gradient descent finds the kernel [1, −1], or overshoots.

The reader picks the learning rate, the number of steps, a summed or a mean
loss and whether a bias is learned; the widget trains the 1×2 kernel on the
course's 6×8 image with a dark band, draws the loss and the kernel's path, and
says in words, with the numbers, whether this learning rate can converge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import traitlets
from torch import nn

from convlab.checks import check_int, check_number, check_real
from convlab.kernels import corr2d
from convlab.training import LOSSES, History, learn_kernel, loss_hessian
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import (
    Choice,
    Fixed,
    Flag,
    Number,
    Row,
    SettingsWidget,
    Whole,
    checked,
)
from convlab.widgets.text import format_matrix, format_short

KERNEL_SIZE = (1, 2)
LR_MIN, LR_MAX = 0.001, 2.0
# The learning-rate slider's stops, about log-spaced: 1, 1.2, …, 8 × 10⁻³, 10⁻², 10⁻¹,
# then 1, 1.26, 1.5, 2. 1.26 = 42 × 0.03: the mean loss at that rate retraces the
# summed loss at 0.03 (the image has 42 outputs).
LEARNING_RATES = tuple(
    float(f"{m * 10.0**e:.3g}")
    for e in (-3, -2, -1)
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8)
) + (1.0, 1.26, 1.5, 2.0)
MAX_STEPS = 200
LOSS_CAP = 1e6  # a run whose loss passes this has diverged: stop drawing it
SEED = Whole(0, 0, 2**64 - 1)  # the seed of the start: torch.manual_seed takes 0 to 2⁶⁴ − 1


def edge_problem() -> tuple[torch.Tensor, torch.Tensor]:
    """The course's example: a 6×8 white image (1) with a black band (0) in columns 2
    to 5, and its edges as the kernel [1, −1] finds them (1 in column 1, −1 in 5)."""
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    return X, corr2d(X, torch.tensor([[1.0, -1.0]]))


def initial_weights(seed: int) -> tuple[list[float], float]:
    """The start PyTorch gives ``nn.Conv2d(1, 1, (1, 2))`` after ``torch.manual_seed(seed)``.

    The kernel is drawn before the bias, so it is the same with or without one.
    """
    seed = SEED.check(seed, "seed")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        conv = nn.Conv2d(1, 1, kernel_size=KERNEL_SIZE)
    return conv.weight.detach()[0, 0, 0].tolist(), conv.bias.item()


_X, _Y = edge_problem()
# What the reader sets (the defaults are the course's run) and, for the view, the
# problem and the start. The start is any two finite weights and a finite bias:
# a start far from [1, −1] only makes the run stop early, with the loss shown.
SETTINGS = {
    "lr": Number(0.03, LR_MIN, LR_MAX, stops=LEARNING_RATES),
    "steps": Whole(20, 1, MAX_STEPS),
    "loss": Choice("sum", LOSSES),
    "bias": Flag(False),
    "X": Fixed(_X.tolist(), "the course's 6×8 image with a dark band, which the widget trains on"),
    "Y": Fixed(_Y.tolist(), "the edges of X that the kernel [1, −1] finds, the widget's target"),
    "init_kernel": Row((0.0, 0.0), Number(0.0), "weight"),
    "init_bias": Number(0.0),
}


def _listing(values: list[float]) -> str:
    words = [format_short(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class RateReport:
    """Why a learning rate converges or diverges, in words with the numbers."""

    curvature: str  # the Hessian's eigenvalues and the largest stable learning rate
    verdict: str  # what this learning rate does
    diverging: bool


def rate_report(lr: float, eigenvalues: list[float]) -> RateReport:
    """Gradient descent on a quadratic loss, explained for one learning rate.

    Along an eigenvector of the Hessian with eigenvalue λ, one step multiplies
    the distance to the minimum by ``1 − lr·λ``: it shrinks while that is
    between −1 and 1, that is while ``lr < 2/λ``.
    """
    lr = check_number(lr, "lr", "a finite number > 0", lambda v: v > 0)
    if hasattr(eigenvalues, "tolist"):
        eigenvalues = eigenvalues.tolist()
    if isinstance(eigenvalues, str) or not isinstance(eigenvalues, Sequence) or not eigenvalues:
        raise TypeError(f"eigenvalues: expected a non-empty list of numbers, got {eigenvalues!r}")
    lams = sorted((check_number(v, f"eigenvalues[{i}]") for i, v in enumerate(eigenvalues)))
    lams.reverse()
    lam_max = lams[0]
    if lam_max <= 0:
        raise ValueError(
            f"eigenvalues: the largest must be > 0 (a loss that curves up), got {lam_max}"
        )
    limit = 2 / lam_max
    factors = [1 - lr * lam for lam in lams]
    # A direction with λ = 0 is one the loss cannot see: no step changes it.
    worst = max(abs(f) for f, lam in zip(factors, lams, strict=True) if lam > 1e-12 * lam_max)
    count = {1: "one", 2: "two", 3: "three"}.get(len(lams), str(len(lams)))
    curvature = (
        f"Along its {count} main directions the loss has curvature λ = {_listing(lams)} "
        f"(the eigenvalues of its Hessian), so the largest stable learning rate is "
        f"2/λ_max = 2/{format_short(lam_max)} = {format_short(limit)}."
    )
    if worst < 1 - 1e-12:
        verdict = (
            f"lr {format_short(lr)} is below it: a step multiplies the error along those "
            f"directions by 1 − lr·λ = {_listing(factors)}, so training converges and the "
            f"loss ends up shrinking ×{format_short(worst * worst)} per step."
        )
        return RateReport(curvature, verdict, False)
    if worst > 1 + 1e-12:
        verdict = (
            f"lr {format_short(lr)} is above it: each step overshoots. Along the steepest "
            f"direction a step multiplies the error by 1 − {format_short(lr)}·"
            f"{format_short(lam_max)} = {format_short(factors[0])}, so the error grows "
            f"×{format_short(worst)} and the loss ×{format_short(worst * worst)} per step."
        )
        return RateReport(curvature, verdict, True)
    verdict = (
        f"lr {format_short(lr)} is right at it: along the steepest direction each step "
        "multiplies the error by −1, so the loss neither shrinks nor grows."
    )
    return RateReport(curvature, verdict, True)


def stop_text(steps_done: int, steps: int, loss: float, cap: float = LOSS_CAP) -> str:
    """What the widget says when it stops a diverging run early."""
    steps_done, steps = check_int(steps_done, "steps_done", 0), check_int(steps, "steps", 1)
    loss = check_real(loss, "loss")
    cap = check_number(cap, "cap", "a finite number > 0", lambda v: v > 0)
    return (
        f"Training stopped after step {steps_done} of {steps}: the loss, "
        f"{format_short(loss)}, passed {format_short(cap)}."
    )


@dataclass(frozen=True)
class EdgeRun:
    """What the edge learner shows for one setting."""

    history: History  # float64, stopped once the loss passes LOSS_CAP
    eigenvalues: list[float]  # of the loss's Hessian, largest first
    report: RateReport
    stopped: str | None  # stop_text when the run was cut short


def learn_edge(
    lr: float = 0.03,
    steps: int = 20,
    loss: str = "sum",
    bias: bool = False,
    init_kernel: list[float] | None = None,
    init_bias: float | None = None,
) -> EdgeRun:
    """Train the 1×2 kernel (and bias) on the course's edge example, as the widget does.

    Computed in float64, like the browser, with ``convlab.training.learn_kernel``;
    the start defaults to the seed-0 PyTorch initialisation.
    """
    seeded_kernel, seeded_bias = initial_weights(0)
    init_kernel = seeded_kernel if init_kernel is None else init_kernel
    init_bias = seeded_bias if init_bias is None else init_bias
    lr, steps, loss, bias, init_kernel, init_bias = checked(
        SETTINGS,
        lr=lr,
        steps=steps,
        loss=loss,
        bias=bias,
        init_kernel=init_kernel,
        init_bias=init_bias,
    ).values()
    X, Y = edge_problem()
    history = learn_kernel(
        X,
        Y,
        KERNEL_SIZE,
        lr=lr,
        steps=steps,
        loss=loss,
        bias=bias,
        init=torch.tensor([init_kernel], dtype=torch.float64),
        init_bias=init_bias,
        stop_above=LOSS_CAP,
        dtype=torch.float64,
    )
    hessian = loss_hessian(X, KERNEL_SIZE, loss=loss, bias=bias)
    eigenvalues = sorted(torch.linalg.eigvalsh(hessian).tolist(), reverse=True)
    stopped = None
    if history.stopped:
        stopped = stop_text(history.steps_done, steps, history.losses[-1].item())
    return EdgeRun(history, eigenvalues, rate_report(lr, eigenvalues), stopped)


class EdgeLearner(SettingsWidget, settings=SETTINGS):
    """Learn the edge kernel [1, −1] by gradient descent, live.

    Sliders set the learning rate (log scale) and the number of steps; switches
    pick a summed or a mean loss and whether a bias is learned. The start is
    PyTorch's seeded initialisation, stored in the widget so that the static page
    starts from the same kernel. Defaults are the course's run: lr 0.03, 20 steps,
    summed loss, no bias.
    """

    _esm = STATIC / "edge_learner.js"
    _css = STYLESHEET
    seed = SEED.trait(sync=False)  # picks the start; the view only needs the start itself

    def __init__(
        self,
        *,
        lr: float = 0.03,
        steps: int = 20,
        loss: str = "sum",
        bias: bool = False,
        seed: int = 0,
    ):
        kernel, b = initial_weights(seed)
        super().__init__(
            lr=lr,
            steps=steps,
            loss=loss,
            bias=bias,
            seed=seed,
            init_kernel=kernel,
            init_bias=b,
        )

    @traitlets.observe("seed")
    def _new_start(self, change):
        self.init_kernel, self.init_bias = initial_weights(change["new"])

    def compute(self) -> EdgeRun:
        """What the view shows for the current traits."""
        return learn_edge(
            self.lr, self.steps, self.loss, self.bias, self.init_kernel, self.init_bias
        )

    def __repr__(self) -> str:
        run = self.compute()
        h = run.history
        settings = (
            f"lr {format_short(self.lr)}, {self.steps} steps, {self.loss} loss, "
            f"{'with' if self.bias else 'no'} bias"
        )
        weights = f"K = {format_matrix(h.kernel.tolist())}"
        if self.bias:
            weights += f", b = {format_short(h.bias)}"
        end = f"stopped after step {h.steps_done}" if run.stopped else "after the last step"
        verdict = "diverges" if run.report.diverging else "converges"
        limit = format_short(2 / run.eigenvalues[0])
        return (
            f"EdgeLearner({settings}: loss {format_short(h.losses[0].item())} → "
            f"{format_short(h.losses[-1].item())} {end}, {weights}; {verdict}, "
            f"2/λ_max = {limit})"
        )
