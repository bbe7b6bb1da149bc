"""The first-order system: a rectangular pulse convolved with h(t) = (1/T) e^(−t/T), live."""

from __future__ import annotations

import math

from convlab.checks import check_number
from convlab.signals import Simulation, simulate_rectangle
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import Number, SettingsWidget, Stop, checked
from convlab.widgets.text import format_number, format_sig

# The sliders' ranges and stops (the view reads them from the widget's `limits`).
T_RANGE = (0.1, 3.0)
W_RANGE = (0.1, 5.0)
STEPS = (0.2, 0.1, 0.05, 0.02, 0.01, 0.005)
# Every setting and its default: the course's example, T = 1 and a pulse of width 1.
SETTINGS = {
    "T": Number(1.0, *T_RANGE, step=0.1),
    "W": Number(1.0, *W_RANGE, step=0.1),
    "dt": Stop(0.01, STEPS),
}


def step_problem(T: float, W: float, dt: float) -> str | None:
    """Why samples dt apart cannot represent this pulse and system (words, numbers), or None."""
    T, W, dt = (
        check_number(v, name, "a finite number > 0", lambda x: x > 0)
        for v, name in ((T, "T"), (W, "W"), (dt, "dt"))
    )
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
    """The simulation the view draws, or None and the broken rule.

    T, W and dt must be within the sliders' ranges (dt one of their steps), as in the widget.
    """
    T, W, dt = checked(SETTINGS, T=T, W=W, dt=dt).values()
    problem = step_problem(T, W, dt)
    if problem:
        return None, problem
    return simulate_rectangle(T, W, dt), None


class FirstOrderSystem(SettingsWidget, settings=SETTINGS):
    """Sliders for the time constant T, the pulse width W and the time step dt.

    The view convolves the sampled pulse with the sampled impulse response in the
    browser, y ≈ dt · (x * h), draws it with the closed form dashed on top, and
    shows the largest difference between the two. Defaults are the course's
    example: T = 1 and a pulse of width 1.
    """

    _esm = STATIC / "first_order.js"
    _css = STYLESHEET

    def __init__(self, T: float = 1.0, W: float = 1.0, dt: float = 0.01):
        super().__init__(T=T, W=W, dt=dt)

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
