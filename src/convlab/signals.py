"""Convolution before deep learning: a first-order system in signals and systems.

A first-order (inertial) system G(s) = 1 / (Ts + 1), such as a thermometer or
an RC circuit, answers a unit impulse with h(t) = (1/T) e^(−t/T) for t ≥ 0.
Its answer to any input x is the convolution y(t) = ∫ x(τ) h(t − τ) dτ: every
past input, weighted by how long ago it came. This module gives the closed
forms for a step and a rectangular pulse, and the same answer computed
numerically, y ≈ dt · (x * h) on samples dt apart.

The pulse of width W is 1 on 0 ≤ t < W, in the closed forms and in the samples
alike: sample k stands for the interval [k·dt, (k + 1)·dt), so round(W / dt)
samples of 1 cover [0, W) exactly. The sum at sample n counts its whole interval,
up to (n + 1)·dt: the numeric answer runs one step ahead of the closed form, and
its peak comes at the last sample of the pulse, t = W − dt, one step before the
closed form's peak at t = W.

Times ``t`` may be a number, a list of numbers or a real tensor; they are
computed in float64. A NaN time gives NaN, as PyTorch's functions do, and ±inf
give the limits (0 long before or after the pulse, 1 for the step). Grids are
refused before they are built when they would pass ``MAX_SAMPLES`` samples,
and a simulation when its convolution would pass ``MAX_PRODUCTS`` products.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from convlab.checks import check_int, check_number, check_tensor
from convlab.kernels import convolve1d

MAX_SAMPLES = 10**7  # the longest time grid or pulse: 80 MB of float64
MAX_PRODUCTS = 50_001**2  # products of the longest convolution: a few seconds


def _positive(value: object, name: str) -> float:
    """A finite number > 0 (T, W and dt are lengths of time)."""
    return check_number(value, name, "a finite number > 0", lambda v: v > 0)


def _times(t: object) -> torch.Tensor:
    """The times as a float64 tensor: a number, a list of numbers or a real tensor."""
    if not isinstance(t, torch.Tensor):
        try:
            bools = torch.as_tensor(t).dtype == torch.bool
        except (TypeError, ValueError, RuntimeError):
            bools = False  # not numbers at all, or ints beyond int64: the next step says which
        if bools:
            raise TypeError(f"t: expected real times, got bools {t!r}")
        try:
            t = torch.as_tensor(t, dtype=torch.float64)
        except OverflowError:
            raise ValueError("t: holds an int too large for a float") from None
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(
                f"t: expected a number, a list of numbers or a real tensor, "
                f"got {type(t).__name__} {t!r}"
            ) from None
    if t.dtype == torch.bool or t.is_complex():
        raise TypeError(f"t: expected real times (a float or int dtype), got {t.dtype}")
    return t.to(torch.float64)


def impulse_response(t, T: float) -> torch.Tensor:
    """h(t) = (1/T) e^(−t/T) for t ≥ 0, and 0 before the impulse arrives."""
    T = _positive(T, "T")
    t = _times(t)
    return torch.where(t < 0, 0.0, torch.exp(-t.clamp(min=0) / T) / T)


def step_response(t, T: float) -> torch.Tensor:
    """Answer to the unit step: ∫₀ᵗ (1/T) e^(−(t−τ)/T) dτ = 1 − e^(−t/T) for t ≥ 0."""
    T = _positive(T, "T")
    t = _times(t)
    return torch.where(t < 0, 0.0, 1 - torch.exp(-t.clamp(min=0) / T))


def rectangle(t, W: float = 1.0) -> torch.Tensor:
    """The rectangular window of width W: 1 for 0 ≤ t < W, 0 elsewhere."""
    W = _positive(W, "W")
    t = _times(t)
    inside = ((t >= 0) & (t < W)).to(torch.float64)
    return torch.where(t.isnan(), t, inside)


def rectangle_response(t, T: float, W: float = 1.0) -> torch.Tensor:
    """Answer to the rectangular pulse of width W, in closed form.

    While the window is open (0 ≤ t < W) the output rises like the step
    response, 1 − e^(−t/T). Once it closes (t ≥ W) only the "afterglow" of the
    pulse is left: ∫₀ᵂ (1/T) e^(−(t−τ)/T) dτ = (e^(W/T) − 1) e^(−t/T). The two
    meet at t = W, the peak, 1 − e^(−W/T): the output is continuous, so whether
    the window's last instant counts changes nothing.
    """
    T = _positive(T, "T")
    W = _positive(W, "W")
    t = _times(t)
    rising = 1 - torch.exp(-t.clamp(min=0) / T)
    # (e^(W/T) − 1) e^(−t/T), written so that it cannot overflow for large W/T.
    afterglow = torch.exp((W - t.clamp(min=W)) / T) - torch.exp(-t.clamp(min=W) / T)
    return torch.where(t < 0, 0.0, torch.where(t <= W, rising, afterglow))


def _grid_steps(t_max: float, dt: float, limit: int, who: str) -> int:
    """round(t_max / dt), half up like JS Math.round, once the grid is known to fit ``limit``."""
    ratio = t_max / dt  # inf when the quotient overflows
    if not ratio + 0.5 < limit:  # round(ratio) + 1 samples ≤ limit
        raise ValueError(
            f"dt: a grid from 0 to t_max = {t_max:g} in steps of dt = {dt:g} has "
            f"t_max / dt + 1 ≈ {ratio + 1:.3g} samples; {who} allows at most {limit:,}: "
            "take a longer dt or a shorter t_max"
        )
    return math.floor(ratio + 0.5)


def time_grid(t_max: float, dt: float) -> torch.Tensor:
    """Sample times t_k = k·dt for k = 0, 1, …, round(t_max / dt): at most MAX_SAMPLES."""
    t_max = _positive(t_max, "t_max")
    dt = _positive(dt, "dt")
    steps = _grid_steps(t_max, dt, MAX_SAMPLES, "time_grid")
    return torch.arange(steps + 1, dtype=torch.float64) * dt


def numeric_response(x: torch.Tensor, h: torch.Tensor, dt: float) -> torch.Tensor:
    """The convolution integral as a sum: y(t_n) ≈ dt · Σ_k x[k] h[n − k].

    ``x`` and ``h`` are sampled at the same times 0, dt, 2·dt, …; the result is
    cut to the length of ``x`` (the full convolution runs on past the last sample),
    so only the first len(x) samples of ``h`` matter. At most ``MAX_PRODUCTS``
    products are computed; a longer convolution is refused before it starts.
    """
    check_tensor(x, "x", {1: "(n,)"})
    check_tensor(h, "h", {1: "(m,)"})
    dt = _positive(dt, "dt")
    n = len(x)
    products = n * min(n, len(h))
    if products > MAX_PRODUCTS:
        raise ValueError(
            f"x: convolving {n:,} samples with {min(n, len(h)):,} of h takes {products:,} "
            f"products; numeric_response computes at most {MAX_PRODUCTS:,}"
        )
    return dt * convolve1d(x, h[:n])[:n]


@dataclass(frozen=True)
class Simulation:
    """A rectangular pulse through the first-order system, sampled and exact."""

    t: torch.Tensor  # sample times k·dt
    x: torch.Tensor  # the sampled pulse
    y: torch.Tensor  # dt · (x * h), the numeric answer
    exact: torch.Tensor  # the closed form at the same times
    max_error: float  # max |y − exact|


def pulse_samples(n: int, W: float, dt: float) -> torch.Tensor:
    """n samples of the pulse of width W: the first round(W / dt) are 1, the rest 0.

    Sample k stands for [k·dt, (k + 1)·dt), so the ones cover 0 ≤ t < W, the pulse
    of ``rectangle``, and dt times their count is W. ``n`` goes from 0 to
    ``MAX_SAMPLES``.
    """
    n = check_int(n, "n", minimum=0, maximum=MAX_SAMPLES)
    ratio = _positive(W, "W") / _positive(dt, "dt")  # inf when the quotient overflows
    ones = n if ratio >= n else math.floor(ratio + 0.5)
    return (torch.arange(n) < ones).to(torch.float64)


def default_t_max(T: float, W: float) -> float:
    """Long enough to see the pulse and most of its afterglow: ⌈W + 5T⌉."""
    T, W = _positive(T, "T"), _positive(W, "W")
    total = W + 5 * T
    if not math.isfinite(total):
        raise ValueError(f"T: W + 5T = {W:g} + 5·{T:g} is too large for a float")
    return float(math.ceil(total))


def simulate_rectangle(
    T: float, W: float = 1.0, dt: float = 0.01, t_max: float | None = None
) -> Simulation:
    """Convolve the sampled pulse with the sampled h and compare with the closed form.

    The sum is a rectangle rule for the integral, so its error shrinks in
    proportion to dt (it is largest, dt/T, at t = 0, where the sum already counts
    the whole first interval). The numeric answer runs one step ahead: its peak is
    at t = W − dt, the last sample of the pulse, one step before the closed form's.
    The grid convolves with itself, so it may have at most √MAX_PRODUCTS samples
    (50,001); a longer one is refused before anything is computed.
    """
    T, W, dt = _positive(T, "T"), _positive(W, "W"), _positive(dt, "dt")
    t_max = default_t_max(T, W) if t_max is None else _positive(t_max, "t_max")
    _grid_steps(t_max, dt, math.isqrt(MAX_PRODUCTS), "simulate_rectangle")
    t = time_grid(t_max, dt)
    x = pulse_samples(len(t), W, dt)
    y = numeric_response(x, impulse_response(t, T), dt)
    exact = rectangle_response(t, T, W)
    return Simulation(t, x, y, exact, (y - exact).abs().max().item())
