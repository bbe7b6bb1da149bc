"""The first-order system and 1-D convolution: closed forms, numbers, PyTorch, the widget, JS."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from jsmath import run_js
from test_notebooks import ROOT, chapter_function
from torch.testing import assert_close

from convlab import signals
from convlab.kernels import convolve1d
from convlab.widgets import FirstOrderSystem
from convlab.widgets.first_order import STEPS, T_RANGE, W_RANGE, format_sig, respond, step_problem

STATIC = Path(signals.__file__).parent / "widgets" / "static"
seeds = st.integers(0, 2**32 - 1)


# --- convolve1d -----------------------------------------------------------------


def test_convolve1d_worked_example():
    # [1, 2, 3] * [0, 1, 0.5]: y[0] = 1·0; y[1] = 1·1 + 2·0; y[2] = 1·0.5 + 2·1 + 3·0;
    # y[3] = 2·0.5 + 3·1; y[4] = 3·0.5.
    y = convolve1d(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.0, 1.0, 0.5]))
    assert y.tolist() == [0.0, 1.0, 2.5, 4.0, 1.5]


def test_convolve1d_flips_the_kernel():
    # An impulse in x copies h as it is; correlation would copy it backwards.
    h = torch.tensor([1.0, 2.0, 3.0])
    assert convolve1d(torch.tensor([0.0, 1.0, 0.0]), h).tolist() == [0, 1, 2, 3, 0]


@given(n=st.integers(1, 40), m=st.integers(1, 40), seed=seeds)
def test_convolve1d_matches_numpy(n, m, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g, dtype=torch.float64)
    h = torch.randn(m, generator=g, dtype=torch.float64)
    expected = torch.from_numpy(np.convolve(x.numpy(), h.numpy()))  # mode "full"
    assert_close(convolve1d(x, h), expected)


@given(n=st.integers(1, 40), m=st.integers(1, 40), seed=seeds)
def test_convolve1d_is_pytorch_conv1d_with_the_kernel_flipped(n, m, seed):
    # conv1d is a cross-correlation: flip h and pad m − 1 zeros on both sides for "full".
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g, dtype=torch.float64)
    h = torch.randn(m, generator=g, dtype=torch.float64)
    expected = F.conv1d(x[None, None], h.flip(0)[None, None], padding=m - 1)[0, 0]
    assert_close(convolve1d(x, h), expected)


@given(n=st.integers(1, 12), m=st.integers(1, 12), seed=seeds)
def test_convolve1d_is_commutative_and_keeps_integers(n, m, seed):
    rng = random.Random(seed)
    x = torch.tensor([rng.randint(-5, 5) for _ in range(n)])
    h = torch.tensor([rng.randint(-5, 5) for _ in range(m)])
    assert convolve1d(x, h).dtype == torch.int64
    assert torch.equal(convolve1d(x, h), convolve1d(h, x))


def test_chapter_convolve1d_is_the_library_convolve1d():
    chapter = chapter_function(ROOT / "book" / "ch01_dense_to_convolution.ipynb", "convolve1d")
    g = torch.Generator().manual_seed(0)
    for _ in range(30):
        n, m = torch.randint(1, 20, (2,), generator=g).tolist()
        x = torch.randn(n, generator=g, dtype=torch.float64)
        h = torch.randn(m, generator=g, dtype=torch.float64)
        assert_close(chapter(x, h), convolve1d(x, h))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: convolve1d([1.0, 2.0], torch.ones(2)), TypeError, "x: expected a torch.Tensor"),
        (lambda: convolve1d(torch.ones(2), np.ones(2)), TypeError, "h: expected a torch.Tensor"),
        (
            lambda: convolve1d(torch.ones(2, 2), torch.ones(2)),
            ValueError,
            "x: expected a 1-D (n,) tensor, got 2-D with shape (2, 2)",
        ),
        (
            lambda: convolve1d(torch.ones(2), torch.ones(1, 3)),
            ValueError,
            "h: expected a 1-D (m,) tensor, got 2-D with shape (1, 3)",
        ),
        (lambda: convolve1d(torch.ones(0), torch.ones(2)), ValueError, "x: is empty (shape (0,))"),
        (
            lambda: convolve1d(torch.ones(2, dtype=torch.bool), torch.ones(2)),
            TypeError,
            "x: expected real numbers",
        ),
    ],
)
def test_convolve1d_bad_arguments(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


# --- The closed forms -------------------------------------------------------------


def test_closed_forms_at_hand_worked_points():
    # T = 1: h(0) = 1, h(1) = 1/e; the step response at t = T is 1 − 1/e ≈ 0.632.
    assert signals.impulse_response(torch.tensor([0.0, 1.0, -1.0]), 1.0).tolist() == [
        1.0,
        pytest.approx(math.exp(-1)),
        0.0,
    ]
    assert signals.step_response(1.0, 1.0).item() == pytest.approx(1 - math.exp(-1))
    assert signals.step_response(-0.5, 2.0).item() == 0.0
    # The notes' pulse of width 1, T = 1: at t = 2 the afterglow is (e − 1)/e².
    assert signals.rectangle_response(2.0, 1.0).item() == pytest.approx((math.e - 1) / math.e**2)
    assert signals.rectangle_response(0.5, 1.0).item() == pytest.approx(1 - math.exp(-0.5))
    assert signals.rectangle_response(-0.1, 1.0).item() == 0.0


def test_pulse_response_is_continuous_and_peaks_when_the_window_closes():
    T, W = 0.7, 1.3
    t = torch.linspace(0, 8, 8001, dtype=torch.float64)
    y = signals.rectangle_response(t, T, W)
    assert t[y.argmax()].item() == pytest.approx(W, abs=1e-3)
    before, after = signals.rectangle_response(torch.tensor([W - 1e-9, W + 1e-9]), T, W)
    assert before.item() == pytest.approx(after.item(), abs=1e-8)
    assert y.max().item() == pytest.approx(1 - math.exp(-W / T), abs=1e-6)


@given(
    T=st.floats(0.1, 3.0),
    W=st.floats(0.1, 5.0),
    t=st.floats(-1.0, 20.0),
)
def test_pulse_response_is_a_step_minus_a_delayed_step(T, W, t):
    # x = u(t) − u(t − W), and the system is linear and time-invariant.
    expected = signals.step_response(t, T) - signals.step_response(t - W, T)
    assert_close(signals.rectangle_response(t, T, W), expected, atol=1e-12, rtol=1e-9)


def test_closed_form_is_the_integral_done_numerically_very_finely():
    # The convolution integral ∫ x(τ) h(t − τ) dτ by the trapezoid rule on 200 001 points.
    T, W, t = 1.0, 1.0, 2.5
    tau = torch.linspace(0, t, 200_001, dtype=torch.float64)
    integrand = signals.rectangle(tau, W) * signals.impulse_response(t - tau, T)
    integral = torch.trapezoid(integrand, tau).item()
    assert integral == pytest.approx(signals.rectangle_response(t, T, W).item(), abs=1e-4)


def test_large_w_over_t_does_not_overflow():
    y = signals.rectangle_response(torch.tensor([800.0, 900.0]), 1.0, 800.0)
    assert torch.isfinite(y).all()


# --- The numeric response ----------------------------------------------------------


@pytest.mark.parametrize("dt", [0.1, 0.05, 0.01, 0.005, 0.001])
def test_numeric_pulse_response_is_within_dt_over_t(dt):
    # The sum is a rectangle rule: its worst error is dt/T, at t = 0, where it already
    # counts a whole sample dt·h(0) = dt/T while the integral has just begun.
    sim = signals.simulate_rectangle(T=1.0, W=1.0, dt=dt)
    assert sim.max_error <= dt / 1.0 * (1 + 1e-9)
    assert sim.max_error == pytest.approx(dt, rel=1e-6)
    assert (sim.y - sim.exact).abs()[1:].max().item() < dt


@given(
    T=st.sampled_from([0.2, 0.5, 1.0, 2.0, 3.0]),
    W=st.sampled_from([0.2, 1.0, 2.5, 5.0]),
    dt=st.sampled_from([0.1, 0.05, 0.02, 0.01]),
)
def test_numeric_error_shrinks_with_dt(T, W, dt):
    sim = signals.simulate_rectangle(T, W, dt)
    assert sim.max_error <= dt / T * (1 + 1e-9)
    finer = signals.simulate_rectangle(T, W, dt / 2)
    assert finer.max_error < sim.max_error


def test_numeric_step_response():
    T, dt = 0.5, 0.01
    t = signals.time_grid(5.0, dt)
    y = signals.numeric_response(torch.ones(len(t)), signals.impulse_response(t, T), dt)
    assert (y - signals.step_response(t, T)).abs().max().item() <= dt / T * (1 + 1e-9)


def test_numeric_response_by_hand():
    # dt = 0.5, x = [1, 1, 0], h = [2, 1, 0.5]: y = 0.5 · [2, 2 + 1, 1 + 0.5].
    y = signals.numeric_response(torch.tensor([1.0, 1.0, 0.0]), torch.tensor([2.0, 1.0, 0.5]), 0.5)
    assert y.tolist() == [1.0, 1.5, 0.75]


def test_time_grid_and_pulse_samples():
    assert signals.time_grid(1.0, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert signals.pulse_samples(6, 0.3, 0.1).tolist() == [1, 1, 1, 0, 0, 0]
    assert signals.default_t_max(1.0, 1.0) == 6.0
    assert signals.default_t_max(0.3, 0.7) == 3.0  # ⌈0.7 + 1.5⌉


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: signals.impulse_response(1.0, 0), ValueError, "T: must be a finite number > 0"),
        (lambda: signals.step_response(1.0, -1.0), ValueError, "T: must be a finite number > 0"),
        (lambda: signals.rectangle(1.0, W=0), ValueError, "W: must be a finite number > 0, got 0"),
        (
            lambda: signals.rectangle_response(1.0, 1.0, W=math.inf),
            ValueError,
            "W: must be a finite number > 0, got inf",
        ),
        (lambda: signals.time_grid(1.0, 0.0), ValueError, "dt: must be a finite number > 0"),
        (lambda: signals.time_grid(-1.0, 0.1), ValueError, "t_max: must be a finite number > 0"),
        (lambda: signals.simulate_rectangle("1"), TypeError, "T: expected a number, got str '1'"),
        (lambda: signals.simulate_rectangle(True), TypeError, "T: expected a number, got bool"),
        (
            lambda: signals.numeric_response(torch.ones(3), torch.ones(3), dt=-0.1),
            ValueError,
            "dt: must be a finite number > 0, got -0.1",
        ),
    ],
)
def test_signals_bad_arguments(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


# --- The widget -------------------------------------------------------------------


def test_widget_default_is_the_notes_example():
    w = FirstOrderSystem()
    sim, problem = w.compute()
    assert problem is None and (w.T, w.W, w.dt) == (1.0, 1.0, 0.01)
    assert_close(sim.exact, signals.rectangle_response(sim.t, 1.0, 1.0))
    assert repr(w) == (
        "FirstOrderSystem(T=1, W=1, dt=0.01: peak y(W) = 0.632 (closed form), "
        "0.635 (numeric); max |numeric − closed form| = 0.01)"
    )


@pytest.mark.parametrize(
    ("T", "W", "dt", "start"),
    [
        (
            1.0,
            0.3,
            0.2,
            "The pulse must last a whole number of steps, but W / dt = 0.3 / 0.2 = 1.5.",
        ),
        (
            1.0,
            0.1,
            0.2,
            "The pulse must last a whole number of steps, but W / dt = 0.1 / 0.2 = 0.5.",
        ),
        (0.1, 0.4, 0.2, "The step dt = 0.2 is longer than the time constant T = 0.1"),
    ],
)
def test_step_problems_are_explained(T, W, dt, start):
    problem = step_problem(T, W, dt)
    assert problem.startswith(start)
    assert respond(T, W, dt) == (None, problem)
    assert repr(FirstOrderSystem(T, W, dt)).endswith(f": {problem})")


def test_step_problem_texts():
    assert step_problem(1.0, 0.3, 0.2) == (
        "The pulse must last a whole number of steps, but W / dt = 0.3 / 0.2 = 1.5. "
        "Sampled every 0.2, it would last 0.2 or 0.4, not 0.3: choose a dt that divides W."
    )
    assert step_problem(0.1, 0.4, 0.2) == (
        "The step dt = 0.2 is longer than the time constant T = 0.1: within one step h(t) "
        "falls to e^(−dt/T) = 0.135 of its start, too fast for the samples to follow. "
        "Choose dt ≤ T."
    )
    assert step_problem(1.0, 0.3, 0.1) is None  # 0.3 / 0.1 = 2.9999999999999996: whole


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"T": 0.0}, ValueError, "T: expected 0.1 to 3.0, got 0.0"),
        ({"T": "1"}, TypeError, "T: expected a number, got str '1'"),
        ({"W": 6}, ValueError, "W: expected 0.1 to 5.0, got 6"),
        ({"dt": 0.03}, ValueError, "dt: expected one of the slider's steps"),
        ({"dt": True}, TypeError, "dt: expected a number, got bool"),
    ],
)
def test_bad_widget_arguments_get_clear_errors(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        FirstOrderSystem(**kwargs)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (0.632120558, "0.632"), (0.01, "0.01"), (0.004999, "0.005"), (12.345, "12.3")],
)
def test_format_sig(value, text):
    assert format_sig(value) == text


def test_the_view_has_the_same_slider_stops():
    source = (STATIC / "first_order.js").read_text(encoding="utf-8")
    steps = re.search(r"^const STEPS = \[([^\]]*)\];", source, re.M).group(1)
    assert tuple(float(v) for v in steps.split(",")) == STEPS
    assert f"const T_RANGE = [{T_RANGE[0]:g}, {T_RANGE[1]:g}];" in source
    assert f"const W_RANGE = [{W_RANGE[0]:g}, {W_RANGE[1]:g}];" in source


# --- The browser's maths (convmath.js in Node) ------------------------------------


def test_convolve1d_in_js_matches_python():
    rng = random.Random(0)
    cases = []
    for _ in range(100):
        n, m = rng.randint(1, 30), rng.randint(1, 30)
        x = [rng.choice([0, 0, rng.uniform(-3, 3)]) for _ in range(n)]  # zeros are skipped in JS
        h = [rng.uniform(-3, 3) for _ in range(m)]
        cases.append(("convolve1d", [x, h]))
    for (_, (x, h)), got in zip(cases, run_js(cases), strict=True):
        expected = convolve1d(
            torch.tensor(x, dtype=torch.float64), torch.tensor(h, dtype=torch.float64)
        )
        assert_close(torch.tensor(got, dtype=torch.float64), expected, rtol=1e-12, atol=1e-12)


def test_simulation_in_js_matches_python():
    rng = random.Random(1)
    settings = [(1.0, 1.0, 0.01), (3.0, 5.0, 0.005), (0.1, 5.0, 0.005), (0.2, 0.2, 0.2)]
    while len(settings) < 30:
        T = round(rng.uniform(*T_RANGE), 1)
        W = round(rng.uniform(*W_RANGE), 1)
        dt = rng.choice(STEPS)
        if step_problem(T, W, dt) is None:
            settings.append((T, W, dt))
    got = run_js([("firstOrderSimulation", list(s)) for s in settings])
    for (T, W, dt), js in zip(settings, got, strict=True):
        sim = signals.simulate_rectangle(T, W, dt)
        t, x, y, exact = (
            torch.tensor(js[k], dtype=torch.float64) for k in ("t", "x", "y", "exact")
        )
        assert torch.equal(t, sim.t) and torch.equal(x, sim.x)
        assert_close(y, sim.y, rtol=1e-12, atol=1e-12)
        assert_close(exact, sim.exact, rtol=1e-12, atol=1e-12)
        assert js["maxError"] == pytest.approx(sim.max_error, rel=1e-9, abs=1e-12)


def test_closed_form_in_js_matches_python():
    rng = random.Random(2)
    cases = [
        ("firstOrderPulse", [rng.uniform(-1, 25), rng.uniform(0.1, 3), rng.uniform(0.1, 5)])
        for _ in range(300)
    ]
    for (_, (t, T, W)), got in zip(cases, run_js(cases), strict=True):
        assert got == pytest.approx(
            signals.rectangle_response(t, T, W).item(), rel=1e-12, abs=1e-15
        )


def test_texts_in_js_match_python():
    rng = random.Random(3)
    numbers = [0, 0.632120558, 0.01, 0.004999, 12.345, 999.6, 1000, -0.0123456, 1e-7, 0.1, 0.001]
    numbers += [rng.uniform(-1, 1) * 10 ** rng.randint(-6, 4) for _ in range(300)]
    settings = [
        (T / 10, W / 10, dt) for T in (1, 2, 10, 30) for W in (1, 3, 7, 25, 50) for dt in STEPS
    ]
    cases = [("formatSig", [v]) for v in numbers] + [
        ("firstOrderProblem", list(s)) for s in settings
    ]
    expected = [format_sig(v) for v in numbers] + [step_problem(*s) for s in settings]
    assert run_js(cases) == expected
