"""The first-order system: a rectangular pulse convolved with h(t) = (1/T) e^(−t/T), live."""

from __future__ import annotations

import math

import anywidget
import traitlets

from convlab.signals import Simulation, simulate_rectangle
from convlab.widgets._assets import bundle, stylesheet
from convlab.widgets.text import format_number, format_sig

# The slider stops (the same as in first_order.js).
T_RANGE = (0.1, 3.0)
W_RANGE = (0.1, 5.0)
STEPS = (0.2, 0.1, 0.05, 0.02, 0.01, 0.005)


def step_problem(T: float, W: float, dt: float) -> str | None:
    """Why samples dt apart cannot represent this pulse and system (words, numbers), or None."""
    steps = W / dt
    if abs(steps - math.floor(steps + 0.5)) > 1e-9 * max(1.0, steps):
        w, d, s = format_number(W), format_number(dt), format_number(steps)
        return (
            f"The pulse must last a whole number of steps, but W / dt = {w} / {d} = {s}. "
            f"Sampled every {d}, it would last {format_number(math.floor(steps) * dt)} or "
            f"{format_number(math.ceil(steps) * dt)}, not {w}: choose a dt that divides W."
        )
    if dt > T:
        return (
            f"The step dt = {format_number(dt)} is longer than the time constant "
            f"T = {format_number(T)}: within one step h(t) falls to e^(−dt/T) = "
            f"{format_number(math.exp(-dt / T))} of its start, too fast for the samples "
            "to follow. Choose dt ≤ T."
        )
    return None


def respond(T: float, W: float, dt: float) -> tuple[Simulation | None, str | None]:
    """The simulation the view draws, or None and the broken rule."""
    problem = step_problem(T, W, dt)
    if problem:
        return None, problem
    return simulate_rectangle(T, W, dt), None


def _check_number(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name}: expected {low} to {high}, got {value!r}")
    return float(value)


def _check_step(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"dt: expected a number, got {type(value).__name__} {value!r}")
    if value not in STEPS:
        raise ValueError(f"dt: expected one of the slider's steps {STEPS}, got {value!r}")
    return float(value)


class FirstOrderSystem(anywidget.AnyWidget):
    """Sliders for the time constant T, the pulse width W and the time step dt.

    The view convolves the sampled pulse with the sampled impulse response in the
    browser, y ≈ dt · (x * h), draws it with the closed form dashed on top, and
    shows the largest difference between the two. Defaults are the notes'
    example: T = 1 and a pulse of width 1.
    """

    _esm = bundle("first_order.js")
    _css = stylesheet()

    T = traitlets.Float(1.0).tag(sync=True)
    W = traitlets.Float(1.0).tag(sync=True)
    dt = traitlets.Float(0.01).tag(sync=True)

    def __init__(self, T: float = 1.0, W: float = 1.0, dt: float = 0.01):
        # Checked here too, so that a wrong type gets our message rather than traitlets'.
        _check_number(T, "T", *T_RANGE)
        _check_number(W, "W", *W_RANGE)
        _check_step(dt)
        super().__init__(T=T, W=W, dt=dt)

    @traitlets.validate("T")
    def _check_T(self, proposal):
        return _check_number(proposal["value"], "T", *T_RANGE)

    @traitlets.validate("W")
    def _check_W(self, proposal):
        return _check_number(proposal["value"], "W", *W_RANGE)

    @traitlets.validate("dt")
    def _check_dt(self, proposal):
        return _check_step(proposal["value"])

    def compute(self) -> tuple[Simulation | None, str | None]:
        """What the view shows for the current traits."""
        return respond(self.T, self.W, self.dt)

    def __repr__(self) -> str:
        setting = f"T={format_number(self.T)}, W={format_number(self.W)}, dt={self.dt:g}"
        sim, problem = self.compute()
        if problem:
            return f"FirstOrderSystem({setting}: {problem})"
        peak = 1 - math.exp(-self.W / self.T)
        return (
            f"FirstOrderSystem({setting}: peak y(W) = {format_sig(peak)} (closed form), "
            f"{format_sig(sim.y.max().item())} (numeric); "
            f"max |numeric − closed form| = {format_sig(sim.max_error)})"
        )
