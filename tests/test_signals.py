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
from bounded import cost_of
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


def test_the_pulse_is_one_on_zero_to_w_open_in_the_closed_form_and_the_samples():
    # 1 on 0 ≤ t < W: at t = W the window has closed, as the chapter defines it.
    W = 1.5
    assert signals.rectangle([-0.25, 0.0, 1.25, 1.5, 2.0], W).tolist() == [0, 1, 1, 0, 0]
    # Sample k stands for [k·dt, (k + 1)·dt): the ones are the samples with k·dt < W
    # (binary fractions, so that k·dt is exact), and together they last W.
    for W, dt in [(1.5, 0.25), (1.0, 0.125), (0.5, 0.5), (2.0, 0.0625)]:
        t = signals.time_grid(4.0, dt)
        x = signals.pulse_samples(len(t), W, dt)
        assert torch.equal(x, signals.rectangle(t, W))
        assert dt * x.sum().item() == W


@pytest.mark.parametrize(
    ("T", "W", "dt"), [(1.0, 1.0, 0.01), (0.5, 1.0, 0.001), (2.0, 0.2, 0.1), (0.2, 5.0, 0.05)]
)
def test_the_numeric_peak_comes_one_step_early_by_hand(T, W, dt):
    sim = signals.simulate_rectangle(T, W, dt)
    ones = round(W / dt)
    # The last sample of the pulse is at W − dt; the sum there already holds every
    # sample of it: dt·Σ_{j<ones} h(j·dt) = (dt/T)(1 − e^(−W/T)) / (1 − e^(−dt/T)).
    assert int(sim.y.argmax()) == ones - 1
    assert sim.t[ones - 1].item() == pytest.approx(W - dt)
    peak = (dt / T) * (1 - math.exp(-W / T)) / (1 - math.exp(-dt / T))
    assert sim.y.max().item() == pytest.approx(peak, rel=1e-12)
    # The closed form peaks one step later, at W.
    assert int(sim.exact.argmax()) == ones
    # Read one step later, the numeric answer is closer: within the rectangle rule's
    # own overestimate of ∫ h, (dt/T) / (1 − e^(−dt/T)) − 1 ≈ dt/(2T), not dt/T.
    later = signals.rectangle_response(sim.t + dt, T, W)
    bound = (dt / T) / (1 - math.exp(-dt / T)) - 1
    assert (sim.y - later).abs().max().item() <= bound * (1 + 1e-9)
    assert bound < 0.6 * sim.max_error
    # The page's simulation peaks at the same sample.
    (js,) = run_js("signals.js", [("simulateRectangle", [T, W, dt])])
    assert max(range(len(js["y"])), key=js["y"].__getitem__) == ones - 1


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
        (lambda: signals.impulse_response(1.0, 0), ValueError, "T: expected a finite number > 0"),
        (lambda: signals.step_response(1.0, -1.0), ValueError, "T: expected a finite number > 0"),
        (lambda: signals.rectangle(1.0, W=0), ValueError, "W: expected a finite number > 0, got 0"),
        (
            lambda: signals.rectangle_response(1.0, 1.0, W=math.inf),
            ValueError,
            "W: expected a finite number > 0, got inf",
        ),
        (lambda: signals.time_grid(1.0, 0.0), ValueError, "dt: expected a finite number > 0"),
        (lambda: signals.time_grid(-1.0, 0.1), ValueError, "t_max: expected a finite number > 0"),
        (lambda: signals.simulate_rectangle("1"), TypeError, "T: expected a number, got str '1'"),
        (lambda: signals.simulate_rectangle(True), TypeError, "T: expected a number, got bool"),
        (
            lambda: signals.numeric_response(torch.ones(3), torch.ones(3), dt=-0.1),
            ValueError,
            "dt: expected a finite number > 0, got -0.1",
        ),
    ],
)
def test_signals_bad_arguments(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


# --- Awkward arguments: NaN, inf, numpy scalars, huge numbers, long grids -----------

AWKWARD = [
    None, True, False, 0, -1, 10**30, 10**400, 2**63, np.int64(2), np.float32(0.5), 2.5,
    math.nan, math.inf, -math.inf, "a", "", [], [[]], [[1.0, 2.0], [3.0]], {}, object(),
    torch.tensor(2.0), torch.empty(0), torch.full((2, 2), math.nan),
    torch.ones(3, dtype=torch.float16), torch.ones(3, dtype=torch.int64),
    torch.ones(3, dtype=torch.bool), torch.ones(3, dtype=torch.complex64), np.ones(3),
]  # fmt: skip
awkward = st.sampled_from(AWKWARD)
times = (
    st.floats(allow_nan=True, allow_infinity=True)
    | st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6)
    | st.floats(-10, 10).map(np.float32)
    | st.integers(-5, 5)
    | awkward
)
durations = st.floats(0.05, 20.0) | st.sampled_from([1e-300, 1e300, 10**30]) | awkward


def reference(name: str, t, T: float, W: float) -> np.ndarray:
    """The closed forms in numpy, written apart from the module: NaN stays NaN."""
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        if name == "impulse_response":
            out = np.where(t < 0, 0.0, np.exp(-np.maximum(t, 0) / T) / T)
        elif name == "step_response":
            out = np.where(t < 0, 0.0, -np.expm1(-np.maximum(t, 0) / T))
        elif name == "rectangle":
            out = ((t >= 0) & (t < W)).astype(np.float64)
        else:  # the pulse is a step minus a step delayed by W
            on = np.where(t < 0, 0.0, -np.expm1(-np.maximum(t, 0) / T))
            off = np.where(t < W, 0.0, -np.expm1(-np.maximum(t - W, 0) / T))
            out = np.where(np.isinf(t), 0.0, on - off)
    return np.where(np.isnan(t), np.nan, out)


def number_or_none(value) -> float | None:
    """What the module should accept as T or W: a finite real > 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) and value > 0 else None


@given(
    name=st.sampled_from(["impulse_response", "step_response", "rectangle", "rectangle_response"]),
    t=times,
    T=durations,
    W=durations,
)
def test_closed_forms_answer_right_or_name_the_argument(name, t, T, W):
    fn = getattr(signals, name)
    args = {"rectangle": (t, W), "rectangle_response": (t, T, W)}.get(name, (t, T))
    try:
        got = fn(*args)
    except (ValueError, TypeError) as error:
        assert str(error).startswith(("t:", "T:", "W:")), error
        return
    T, W = number_or_none(T), number_or_none(W)
    used = {"rectangle": (W,), "rectangle_response": (T, W)}.get(name, (T,))
    assert None not in used  # a bad T or W must have been refused
    assert got.dtype == torch.float64
    expected = reference(name, np.asarray(torch.as_tensor(t, dtype=torch.float64)), T, W)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-9, atol=1e-12)


def test_a_nan_time_gives_nan_and_infinities_the_limits():
    t = [math.nan, -math.inf, math.inf]
    assert signals.impulse_response(t, 1.0).tolist()[1:] == [0.0, 0.0]
    assert signals.step_response(t, 1.0).tolist()[1:] == [0.0, 1.0]
    assert signals.rectangle(t).tolist()[1:] == [0.0, 0.0]
    assert signals.rectangle_response(t, 1.0).tolist()[1:] == [0.0, 0.0]
    for fn in (signals.impulse_response, signals.step_response, signals.rectangle_response):
        assert math.isnan(fn([math.nan], 1.0).item())
    assert math.isnan(signals.rectangle([math.nan]).item())


@given(t_max=durations, dt=durations)
def test_time_grid_is_round_t_max_over_dt_steps_or_refused(t_max, dt):
    try:
        t = signals.time_grid(t_max, dt)
    except (ValueError, TypeError) as error:
        assert str(error).startswith(("t_max:", "dt:")), error
        return
    t_max, dt = number_or_none(t_max), number_or_none(dt)
    steps = len(t) - 1
    assert abs(steps - t_max / dt) <= 0.5 and len(t) <= signals.MAX_SAMPLES
    assert torch.equal(t, torch.arange(steps + 1, dtype=torch.float64) * dt)


@given(n=st.integers(0, 50) | awkward, W=durations, dt=durations)
def test_pulse_samples_count_their_ones(n, W, dt):
    try:
        x = signals.pulse_samples(n, W, dt)
    except (ValueError, TypeError) as error:
        assert str(error).startswith(("n:", "W:", "dt:")), error
        return
    W, dt = number_or_none(W), number_or_none(dt)
    assert len(x) == n and not isinstance(n, bool)
    ones = int(np.floor(min(W / dt, n + 1) + 0.5))  # round half up, no more than n
    assert x.tolist() == [1.0] * min(ones, n) + [0.0] * (n - min(ones, n))


@given(
    n=st.integers(1, 30),
    m=st.integers(1, 45),
    dt=st.floats(0.001, 2.0) | st.sampled_from([np.float32(0.25), 1]),
    seed=seeds,
)
def test_numeric_response_is_numpys_convolution_cut_to_x(n, m, dt, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=g, dtype=torch.float64)
    h = torch.randn(m, generator=g, dtype=torch.float64)
    expected = float(dt) * np.convolve(x.numpy(), h.numpy())[:n]
    np.testing.assert_allclose(signals.numeric_response(x, h, dt).numpy(), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: signals.impulse_response("a", 1.0), TypeError, "t: expected a number, a list"),
        (lambda: signals.impulse_response([10**400], 1.0), ValueError, "t: holds an int too"),
        (lambda: signals.step_response([True], 1.0), TypeError, "t: expected real times, got"),
        (lambda: signals.rectangle(torch.ones(2, dtype=torch.complex64)), TypeError, "t: expected"),
        (lambda: signals.impulse_response(1.0, np.float64("nan")), ValueError, "T: expected a"),
        (lambda: signals.time_grid(1e6, 1e-6), ValueError, "dt: a grid from 0 to t_max = 1e+06"),
        (lambda: signals.time_grid(10**30, 1), ValueError, "time_grid allows at most 10,000,000"),
        (lambda: signals.pulse_samples(-1, 1.0, 0.1), ValueError, "n: must be from 0 to"),
        (lambda: signals.pulse_samples(2.5, 1.0, 0.1), TypeError, "n: expected an int, got float"),
        (lambda: signals.pulse_samples(True, 1.0, 0.1), TypeError, "n: expected an int, got bool"),
        (lambda: signals.default_t_max(1e308, 1.0), ValueError, "T: W + 5T = 1 + 5·1e+308"),
        (lambda: signals.simulate_rectangle(1.0, dt=1e-5), ValueError, "simulate_rectangle allows"),
        (lambda: signals.simulate_rectangle(1.0, t_max=0), ValueError, "t_max: expected a finite"),
        (lambda: signals.numeric_response(torch.ones(3), [1.0], 0.1), TypeError, "h: expected a"),
        (lambda: signals.numeric_response(torch.ones(0), torch.ones(3), 0.1), ValueError, "x: is"),
    ],
)
def test_awkward_arguments_get_clear_errors(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_refusals_come_before_any_allocation():
    cost = cost_of(
        """
        from convlab import signals
        for call in (lambda: signals.time_grid(1e6, 1e-6), lambda: signals.time_grid(1e300, 1e-300),
                     lambda: signals.simulate_rectangle(1.0, dt=1e-7)):
            try:
                call()
            except ValueError:
                pass
            else:
                raise AssertionError("not refused")
        """
    )
    assert cost.error is None and cost.seconds < 0.5 and cost.mib < 20, cost


def test_a_long_impulse_response_costs_only_the_samples_of_x():
    # Only h[:len(x)] reaches the first len(x) outputs: 10⁷ samples of h cost nothing more.
    cost = cost_of(
        """
        import torch
        from convlab import signals
        y = signals.numeric_response(torch.ones(1000), torch.ones(10**7), 0.5)
        assert y.tolist() == [0.5 * (n + 1) for n in range(1000)]
        """
    )
    assert cost.error is None and cost.seconds < 1.0, cost


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


# --- The browser's maths (static/src/ in Node) --------------------------------------


def test_simulation_in_js_matches_python():
    rng = random.Random(1)
    settings = [(1.0, 1.0, 0.01), (3.0, 5.0, 0.005), (0.1, 5.0, 0.005), (0.2, 0.2, 0.2)]
    while len(settings) < 30:
        T = round(rng.uniform(*T_RANGE), 1)
        W = round(rng.uniform(*W_RANGE), 1)
        dt = rng.choice(STEPS)
        if step_problem(T, W, dt) is None:
            settings.append((T, W, dt))
    got = run_js("signals.js", [("simulateRectangle", list(s)) for s in settings])
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
        ("rectangleResponse", [rng.uniform(-1, 25), rng.uniform(0.1, 3), rng.uniform(0.1, 5)])
        for _ in range(300)
    ]
    for (_, (t, T, W)), got in zip(cases, run_js("signals.js", cases), strict=True):
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
    sigs = run_js("widgets/text.js", [("formatSig", [v]) for v in numbers])
    assert sigs == [format_sig(v) for v in numbers]
    problems = run_js("widgets/first_order.js", [("stepProblem", list(s)) for s in settings])
    assert problems == [step_problem(*s) for s in settings]
