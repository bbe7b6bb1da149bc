"""Convolution before deep learning: a first-order system in signals and systems.

A first-order (inertial) system G(s) = 1 / (Ts + 1), such as a thermometer or
an RC circuit, answers a unit impulse with h(t) = (1/T) e^(−t/T) for t ≥ 0.
Its answer to any input x is the convolution y(t) = ∫ x(τ) h(t − τ) dτ: every
past input, weighted by how long ago it came. This module gives the closed
forms for a step and a rectangular pulse, and the same answer computed
numerically, y ≈ dt · (x * h) on samples dt apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from convlab.kernels import convolve1d


def _positive(value: object, name: str) -> float:
    """A finite number > 0 (T, W and dt are lengths of time)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: must be a finite number > 0, got {value!r}")
    return float(value)


def _times(t) -> torch.Tensor:
    return torch.as_tensor(t, dtype=torch.float64)


def impulse_response(t, T: float) -> torch.Tensor:
    """h(t) = (1/T) e^(−t/T) for t ≥ 0, and 0 before the impulse arrives."""
    T = _positive(T, "T")
    t = _times(t)
    return torch.where(t >= 0, torch.exp(-t.clamp(min=0) / T) / T, 0.0)


def step_response(t, T: float) -> torch.Tensor:
    """Answer to the unit step: ∫₀ᵗ (1/T) e^(−(t−τ)/T) dτ = 1 − e^(−t/T) for t ≥ 0."""
    T = _positive(T, "T")
    t = _times(t)
    return torch.where(t >= 0, 1 - torch.exp(-t.clamp(min=0) / T), 0.0)


def rectangle(t, W: float = 1.0) -> torch.Tensor:
    """The rectangular window of width W: 1 for 0 ≤ t < W, 0 elsewhere."""
    W = _positive(W, "W")
    t = _times(t)
    return ((t >= 0) & (t < W)).to(torch.float64)


def rectangle_response(t, T: float, W: float = 1.0) -> torch.Tensor:
    """Answer to the rectangular pulse of width W, in closed form.

    While the window is open (0 ≤ t ≤ W) the output rises like the step
    response, 1 − e^(−t/T). Once it closes (t > W) only the "afterglow" of the
    pulse is left: ∫₀ᵂ (1/T) e^(−(t−τ)/T) dτ = (e^(W/T) − 1) e^(−t/T).
    """
    T = _positive(T, "T")
    W = _positive(W, "W")
    t = _times(t)
    rising = 1 - torch.exp(-t.clamp(min=0) / T)
    # (e^(W/T) − 1) e^(−t/T), written so that it cannot overflow for large W/T.
    afterglow = torch.exp((W - t.clamp(min=W)) / T) - torch.exp(-t.clamp(min=W) / T)
    return torch.where(t < 0, 0.0, torch.where(t <= W, rising, afterglow))


def time_grid(t_max: float, dt: float) -> torch.Tensor:
    """Sample times t_k = k·dt for k = 0, 1, …, round(t_max / dt)."""
    t_max = _positive(t_max, "t_max")
    dt = _positive(dt, "dt")
    steps = math.floor(t_max / dt + 0.5)  # round half up, like JS Math.round
    return torch.arange(steps + 1, dtype=torch.float64) * dt


def numeric_response(x: torch.Tensor, h: torch.Tensor, dt: float) -> torch.Tensor:
    """The convolution integral as a sum: y(t_n) ≈ dt · Σ_k x[k] h[n − k].

    ``x`` and ``h`` are sampled at the same times 0, dt, 2·dt, …; the result is
    cut to the length of ``x`` (the full convolution runs on past the last sample).
    """
    dt = _positive(dt, "dt")
    return dt * convolve1d(x, h)[: len(x)]


@dataclass(frozen=True)
class Simulation:
    """A rectangular pulse through the first-order system, sampled and exact."""

    t: torch.Tensor  # sample times k·dt
    x: torch.Tensor  # the sampled pulse
    y: torch.Tensor  # dt · (x * h), the numeric answer
    exact: torch.Tensor  # the closed form at the same times
    max_error: float  # max |y − exact|


def pulse_samples(n: int, W: float, dt: float) -> torch.Tensor:
    """n samples of the pulse of width W: the first round(W / dt) are 1, the rest 0."""
    ones = math.floor(_positive(W, "W") / _positive(dt, "dt") + 0.5)
    return (torch.arange(n) < ones).to(torch.float64)


def default_t_max(T: float, W: float) -> float:
    """Long enough to see the pulse and most of its afterglow: ⌈W + 5T⌉."""
    return float(math.ceil(_positive(W, "W") + 5 * _positive(T, "T")))


def simulate_rectangle(
    T: float, W: float = 1.0, dt: float = 0.01, t_max: float | None = None
) -> Simulation:
    """Convolve the sampled pulse with the sampled h and compare with the closed form.

    The sum is a rectangle rule for the integral, so its error shrinks in
    proportion to dt (it is largest, about dt/T, right after the pulse starts).
    """
    T, W, dt = _positive(T, "T"), _positive(W, "W"), _positive(dt, "dt")
    t = time_grid(default_t_max(T, W) if t_max is None else t_max, dt)
    x = pulse_samples(len(t), W, dt)
    y = numeric_response(x, impulse_response(t, T), dt)
    exact = rectangle_response(t, T, W)
    return Simulation(t, x, y, exact, (y - exact).abs().max().item())
