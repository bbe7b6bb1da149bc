"""Learning a kernel by gradient descent, as chapter 3 does it, and the maths behind it.

- ``learn_kernel``: train a one-channel ``nn.Conv2d`` so that it maps ``X`` to
  ``Y``, with plain autograd and a hand-written update, and keep every step.
- ``kernel_gradient``: the gradient of the squared loss with respect to the
  kernel is itself a cross-correlation, ``2 · corr2d(X, Ŷ − Y)``.
- ``loss_hessian``: the loss is quadratic in the weights, so its curvature is a
  constant matrix; its largest eigenvalue sets the largest stable learning rate.

The training loop is PyTorch's own (``nn.Conv2d`` and autograd). A run whose
history would pass ``checks.MAX_ELEMENTS`` numbers, and a Hessian of more than
``MAX_WEIGHTS`` weights or ``MAX_HESSIAN_WORK`` multiply-adds, are refused
before anything is computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from convlab.checks import (
    as_pair,
    check_bool,
    check_choice,
    check_fits,
    check_int,
    check_number,
    check_result_size,
    check_seed,
    check_tensor,
    common_dtype,
    size_text,
)
from convlab.kernels import conv2d

LOSSES = ("sum", "mean")
MAX_STEPS = 1000
DTYPES = (torch.float32, torch.float64)
MAX_WEIGHTS = 2**12  # weights of a Hessian (a 64×64 kernel): 128 MB in float64
MAX_HESSIAN_WORK = 10**10  # multiply-adds of Σ x xᵀ over the windows: a few seconds
BLOCK = 2**20  # numbers of windows copied at a time while summing x xᵀ


@dataclass(frozen=True)
class History:
    """Everything a run of ``learn_kernel`` went through.

    Entry ``t`` of ``losses``, ``kernels`` and ``biases`` belongs to the weights
    after ``t`` updates: index 0 is the start, the last index the end. A run that
    finished has ``steps + 1`` entries; one stopped early (a diverging run) fewer.
    """

    losses: torch.Tensor  # (T + 1,) the loss of the weights after t updates
    kernels: torch.Tensor  # (T + 1, k_h, k_w)
    biases: torch.Tensor | None  # (T + 1,), or None when no bias is learned
    output: torch.Tensor  # Ŷ of the last weights, (n_h − k_h + 1, n_w − k_w + 1)
    stopped: bool  # True when the loss passed ``stop_above`` (or overflowed) first

    @property
    def kernel(self) -> torch.Tensor:
        """The last kernel."""
        return self.kernels[-1]

    @property
    def bias(self) -> float | None:
        """The last bias, or None."""
        return None if self.biases is None else self.biases[-1].item()

    @property
    def steps_done(self) -> int:
        """How many updates were made."""
        return len(self.losses) - 1


def _check_problem(X: object, Y: object, kernel_size: object) -> tuple[int, int]:
    """X and Y are 2-D tensors and Y has the shape a ``kernel_size`` kernel gives on X."""
    check_tensor(X, "X", {2: "(H, W)"})
    check_tensor(Y, "Y", {2: "(H', W')"})
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    check_fits("kernel_size", kernel, X.shape)
    (n_h, n_w), (k_h, k_w) = X.shape, kernel
    expected = (n_h - k_h + 1, n_w - k_w + 1)
    if tuple(Y.shape) != expected:
        raise ValueError(
            f"Y: expected shape {expected} = ({n_h} − {k_h} + 1, {n_w} − {k_w} + 1), the "
            f"output of a {size_text(kernel)} kernel on a {size_text(X.shape)} X, "
            f"got {tuple(Y.shape)}"
        )
    return kernel


def learn_kernel(
    X: torch.Tensor,
    Y: torch.Tensor,
    kernel_size: int | tuple[int, int],
    lr: float,
    steps: int,
    loss: str = "sum",
    bias: bool = False,
    seed: int = 0,
    init: torch.Tensor | None = None,
    init_bias: float | None = None,
    stop_above: float | None = None,
    dtype: torch.dtype = torch.float32,
) -> History:
    """Learn a kernel (and a bias) that maps ``X`` to ``Y`` by gradient descent.

    Each step computes ``Ŷ = conv(X)``, the loss ``Σ (Ŷ − Y)²`` (``loss="sum"``) or
    its mean over the outputs (``loss="mean"``), lets autograd find the gradient
    and moves every weight by ``−lr × gradient``. The start is PyTorch's own
    initialisation of ``nn.Conv2d`` after ``torch.manual_seed(seed)`` (the
    caller's random state is left alone), unless ``init`` (the kernel) and
    ``init_bias`` say otherwise (``init_bias`` is ignored without a bias). A run
    stops early when the loss exceeds ``stop_above`` or stops being a finite
    number.
    """
    kernel = _check_problem(X, Y, kernel_size)
    lr = check_number(lr, "lr", "a learning rate > 0", lambda v: v > 0)
    steps = check_int(steps, "steps", minimum=1, maximum=MAX_STEPS)
    check_choice(loss, "loss", LOSSES)
    bias = check_bool(bias, "bias")
    seed = check_seed(seed)
    if init is not None:
        check_tensor(init, "init", {2: "(k_h, k_w)"})
        if tuple(init.shape) != kernel:
            raise ValueError(f"init: expected the kernel's shape {kernel}, got {tuple(init.shape)}")
    if init_bias is not None:
        init_bias = check_number(init_bias, "init_bias")
    limit = math.inf
    if stop_above is not None:
        limit = check_number(stop_above, "stop_above", "a loss > 0", lambda v: v > 0)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype: expected torch.float32 or torch.float64, got {dtype!r}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype: expected torch.float32 or torch.float64, got {dtype}")
    check_result_size((steps + 1, *kernel), "steps")  # the history keeps every kernel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        conv = nn.Conv2d(1, 1, kernel_size=kernel, bias=bias)
    conv = conv.to(dtype)
    with torch.no_grad():
        if init is not None:
            conv.weight.copy_(init.reshape(conv.weight.shape))
        if bias and init_bias is not None:
            conv.bias.fill_(init_bias)

    # nn.Conv2d wants (batch, channels, height, width).
    X4 = X.to(dtype).reshape(1, 1, *X.shape)
    Y4 = Y.to(dtype).reshape(1, 1, *Y.shape)
    losses, kernels, biases = [], [], []
    for t in range(steps + 1):
        Y_hat = conv(X4)
        squares = (Y_hat - Y4) ** 2
        value = squares.sum() if loss == "sum" else squares.mean()
        losses.append(value.detach())
        kernels.append(conv.weight.detach()[0, 0].clone())
        if bias:
            biases.append(conv.bias.detach()[0].clone())
        stopped = not math.isfinite(value.item()) or value.item() > limit
        if t == steps or stopped:
            break
        conv.zero_grad()
        value.backward()
        with torch.no_grad():
            for p in conv.parameters():
                p -= lr * p.grad
    return History(
        losses=torch.stack(losses),
        kernels=torch.stack(kernels),
        biases=torch.stack(biases) if bias else None,
        output=Y_hat.detach()[0, 0],
        stopped=stopped,
    )


def kernel_gradient(X: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
    """∂L/∂K for L = Σ (Ŷ − Y)²: ``2 · corr2d(X, residual)`` with residual = Ŷ − Y.

    Entry (a, b) is ``Σ_ij 2 · residual[i, j] · X[i + a, j + b]``: every output
    cell's error times the input pixel that kernel weight (a, b) multiplied there.
    For the mean loss divide by ``residual.numel()``; the bias's gradient is
    ``2 · residual.sum()``. Computed by ``kernels.conv2d`` (the same sums as the
    ``corr2d`` loop, without a Python step per kernel weight), in the dtype
    PyTorch's type promotion gives X and residual.
    """
    check_tensor(X, "X", {2: "(H, W)"})
    check_tensor(residual, "residual", {2: "(H', W')"})
    check_fits("residual", residual.shape, X.shape)
    dtype = common_dtype(X, residual)
    return 2 * conv2d(X.to(dtype)[None], residual.to(dtype)[None, None])[0]


def loss_hessian(
    X: torch.Tensor,
    kernel_size: int | tuple[int, int],
    loss: str = "sum",
    bias: bool = False,
) -> torch.Tensor:
    """The Hessian of the squared loss with respect to the weights (a constant).

    Each output is ``w · x`` for the window ``x`` under the kernel (with a 1
    appended for the bias), so ``L = Σ (w · x − y)²`` and its second derivative
    is ``2 Σ x xᵀ`` over the windows (divided by their number for the mean).
    The weights are ordered as the kernel's entries row by row, then the bias.
    Computed in float64, a block of windows at a time, so that memory stays
    about that of X and the Hessian; at most ``MAX_WEIGHTS`` weights and
    ``MAX_HESSIAN_WORK`` multiply-adds.
    """
    check_tensor(X, "X", {2: "(H, W)"})
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    check_fits("kernel_size", kernel, X.shape)
    check_choice(loss, "loss", LOSSES)
    bias = check_bool(bias, "bias")
    (n_h, n_w), (k_h, k_w) = X.shape, kernel
    out_h, out_w = n_h - k_h + 1, n_w - k_w + 1
    weights = k_h * k_w + bias
    if weights > MAX_WEIGHTS:
        raise ValueError(
            f"kernel_size: a {size_text(kernel)} kernel{' and a bias' if bias else ''} is "
            f"{weights:,} weights, a {weights:,}×{weights:,} Hessian; loss_hessian "
            f"allows at most {MAX_WEIGHTS:,} weights"
        )
    work = out_h * out_w * weights**2
    if work > MAX_HESSIAN_WORK:
        raise ValueError(
            f"X: summing x xᵀ over its {out_h * out_w:,} windows of {weights:,} weights takes "
            f"{work:,} multiply-adds; loss_hessian allows at most {MAX_HESSIAN_WORK:,}"
        )
    H = torch.zeros(weights, weights, dtype=torch.float64)
    rows = max(1, BLOCK // (out_w * weights))  # output rows whose windows fit one block
    for top in range(0, out_h, rows):
        part = X[top : top + rows + k_h - 1].to(torch.float64)
        x = part.unfold(0, k_h, 1).unfold(1, k_w, 1).reshape(-1, k_h * k_w)
        if bias:
            x = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1)
        H += x.T @ x
    H = 2 * H
    return H / (out_h * out_w) if loss == "mean" else H


def largest_stable_lr(hessian: torch.Tensor) -> float:
    """2 / λ_max: above it, gradient descent on a quadratic loss overshoots and diverges.

    Along an eigenvector with eigenvalue λ one step multiplies the distance to
    the minimum by ``1 − lr·λ``; it shrinks only while ``|1 − lr·λ| < 1``.

    ``hessian`` must be a square, symmetric matrix of finite numbers with no
    negative eigenvalue (the Hessian of a convex quadratic loss, as
    ``loss_hessian`` gives): a negative eigenvalue means a loss that falls
    without end along it, so no learning rate is stable, and it is refused. A
    zero Hessian is a flat loss: every step leaves it where it is, so there is
    no limit and the answer is ``math.inf``. Rounding is allowed for: entries
    within n·ε·max|H| of symmetry and eigenvalues within that of 0 pass (ε of
    the hessian's dtype, float64's for ints).
    """
    check_tensor(hessian, "hessian", {2: "(n, n)"})
    n, m = hessian.shape
    if n != m:
        raise ValueError(f"hessian: expected a square matrix, got shape {(n, m)}")
    H = hessian.detach().to(torch.float64)
    if not torch.isfinite(H).all():
        raise ValueError("hessian: expected finite numbers, got NaN or inf entries")
    eps = torch.finfo(hessian.dtype if hessian.dtype.is_floating_point else torch.float64).eps
    tolerance = 8 * n * eps * H.abs().max().item()
    asymmetry = (H - H.T).abs().max().item()
    if asymmetry > tolerance:
        raise ValueError(
            f"hessian: expected a symmetric matrix, but H and Hᵀ differ by up to {asymmetry:.3g}"
        )
    eigenvalues = torch.linalg.eigvalsh(H)
    lowest, highest = eigenvalues[0].item(), eigenvalues[-1].item()
    if lowest < -tolerance:
        raise ValueError(
            f"hessian: has a negative eigenvalue, {lowest:.6g}: the loss is not a convex "
            "quadratic, it falls without end along that direction, so no learning rate is stable"
        )
    if highest <= tolerance:
        return math.inf  # a flat loss: any step is stable
    return 2 / highest
