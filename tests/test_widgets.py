"""The stepper's pure compute function, its repr and its input checks; every widget's
settings: awkward values get our errors, legal ones always draw."""

from __future__ import annotations

import inspect
import math
import re
import signal
from contextlib import contextmanager

import anywidget
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from bounded import cost_of
from hypothesis import given, settings
from hypothesis import strategies as st
from jsmath import run_js

from convlab import widgets
from convlab.widgets import (
    CorrelationStepper,
    EdgeLearner,
    FirstOrderSystem,
    ParameterCounter,
    PoolingExplorer,
    channels,
    edge_learner,
    explorer,
    first_order,
    im2col,
    params,
    pooling_explorer,
    separable,
    step,
    stepper,
)
from convlab.widgets._assets import STATIC
from convlab.widgets._settings import Choice, Fixed, Flag, Grid, Number, Row, Stop, Whole
from convlab.widgets.digits import (
    BitmapSetting,
    DigitDrawer,
    DigitsSetting,
    NetworkSetting,
    network_state,
)
from convlab.widgets.photo import ShippedPhoto, photo_state
from convlab.widgets.stepper import size_problem
from convlab.widgets.text import format_matrix, format_number, format_sig, spelled_sum


def torch_corr(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    return F.conv2d(X[None, None], K[None, None])[0, 0]


def test_default_is_the_worked_example_of_the_notes():
    s = CorrelationStepper().compute()
    assert s.output.tolist() == [[19, 25], [37, 43]]
    assert s.sum_text == "0×0 + 1×1 + 3×2 + 4×3 = 19"


@pytest.mark.parametrize(
    ("position", "row", "col", "text"),
    [
        (0, 0, 0, "0×0 + 1×1 + 3×2 + 4×3 = 19"),
        (1, 0, 1, "1×0 + 2×1 + 4×2 + 5×3 = 25"),
        (2, 1, 0, "3×0 + 4×1 + 6×2 + 7×3 = 37"),
        (3, 1, 1, "4×0 + 5×1 + 7×2 + 8×3 = 43"),
        (99, 1, 1, "4×0 + 5×1 + 7×2 + 8×3 = 43"),  # past the end: the last window
    ],
)
def test_each_window_of_the_notes_example(position, row, col, text):
    s = step(torch.arange(9.0).reshape(3, 3), torch.arange(4.0).reshape(2, 2), position)
    assert (s.row, s.col, s.sum_text) == (row, col, text)


def test_convolution_flips_the_kernel():
    s = step(torch.arange(9.0).reshape(3, 3), torch.arange(4.0).reshape(2, 2), 0, "convolution")
    # flipped kernel [[3, 2], [1, 0]]: 0×3 + 1×2 + 3×1 + 4×0 = 5
    assert s.sum_text == "0×3 + 1×2 + 3×1 + 4×0 = 5"
    assert s.output.tolist() == [[5, 11], [23, 29]]


@given(
    nh=st.integers(1, 8),
    nw=st.integers(1, 8),
    kh=st.integers(1, 5),
    kw=st.integers(1, 5),
    mode=st.sampled_from(["correlation", "convolution"]),
    position=st.integers(0, 70),
    seed=st.integers(0, 2**16),
)
def test_step_matches_pytorch(nh, nw, kh, kw, mode, position, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randint(-9, 10, (nh, nw), generator=g).double()
    K = torch.randint(-3, 4, (kh, kw), generator=g).double()
    s = step(X, K, position, mode)
    if kh > nh or kw > nw:
        assert s.output is None and s.problem == size_problem(nh, nw, kh, kw)
        return
    applied = K.flip(0, 1) if mode == "convolution" else K
    expected = torch_corr(X, applied)
    torch.testing.assert_close(s.output, expected)
    assert s.problem is None
    assert sum(x * k for x, k in s.terms) == pytest.approx(expected[s.row, s.col].item())
    assert s.row * expected.shape[1] + s.col == min(position, expected.numel() - 1)


def test_repr_is_one_deterministic_line():
    w = CorrelationStepper()
    assert repr(w) == (
        "CorrelationStepper(X 3×3, K 2×2, cross-correlation, window (0, 0): "
        "0×0 + 1×1 + 3×2 + 4×3 = 19; Y = [[19, 25], [37, 43]])"
    )
    w.K = [[1, 2, 3, 4]]
    assert (
        repr(w)
        == "CorrelationStepper(X 3×3, K 1×4, cross-correlation: " + size_problem(3, 3, 1, 4) + ")"
    )


def test_size_problem_names_the_rule_with_the_numbers():
    assert size_problem(3, 3, 5, 2) == (
        "The kernel has 5 rows but the input has only 3: a window must fit inside the "
        "input (k ≤ n), and n − k + 1 = 3 − 5 + 1 = -1 leaves no output row."
    )
    assert size_problem(4, 2, 1, 3).startswith("The kernel has 3 columns but the input has only 2")
    assert size_problem(3, 3, 3, 3) is None


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"X": [[1, 2], [3]]}, ValueError, "X: every row needs the same length"),
        ({"X": [[1] * 9] * 2}, ValueError, "X: a grid here has 1 to 8 rows and columns, got 2×9"),
        (
            {"K": torch.ones(6, 1)},
            ValueError,
            "K: a grid here has 1 to 5 rows and columns, got 6×1",
        ),
        ({"K": [[1, "a"]]}, TypeError, "K[0, 1]: expected a number, got 'a'"),
        ({"X": [[float("nan")]]}, ValueError, "X[0, 0]: expected a finite number"),
        ({"X": [1, 2, 3]}, TypeError, "X: expected a 2-D grid"),
        (
            {"mode": "flip"},
            ValueError,
            "mode: expected 'correlation' or 'convolution', got 'flip'",
        ),
        ({"position": -1}, ValueError, "position: expected a whole number ≥ 0, got -1"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        CorrelationStepper(**kwargs)


def test_number_format():
    assert [format_number(v) for v in (19.0, -3, 0.5, 2 / 3, -0.0004, 1.2345)] == [
        "19",
        "-3",
        "0.5",
        "0.667",
        "0",
        "1.235",
    ]
    assert spelled_sum([(-1.5, 2), (3, -0.25)]) == "(-1.5)×2 + 3×(-0.25) = -3.75"
    assert format_matrix([[1.0, 2.5]]) == "[[1, 2.5]]"


def test_widget_state_is_plain_json():
    w = CorrelationStepper(torch.ones(2, 3), torch.eye(2))
    assert w.X == [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    assert w.K == [[1.0, 0.0], [0.0, 1.0]]
    assert w._esm == (STATIC / "stepper.js").read_text(encoding="utf-8")  # its bundle


# --- Every widget's settings: one table, our errors, plain JSON ---------------------


WIDGETS = [
    getattr(widgets, name) for name in widgets.__all__ if isinstance(getattr(widgets, name), type)
]

# Values a reader might set by mistake, or from numpy: each is either accepted
# (and then the widget still draws) or refused with a ValueError / TypeError.
AWKWARD = [
    np.int64(2),
    np.int64(0),
    np.float32(0.5),
    np.float64(0.01),
    np.bool_(True),
    True,
    False,
    0,
    1,
    -1,
    10**30,
    -(10**30),
    2.5,
    1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    "max",
    "big",
    "",
    None,
    [],
    [[]],
    [1.0],
    [1, 2, 3, 4, 5],
    [0] * 5,
    [10**30] * 5,
    [np.int64(2)] * 5,
    [[1.0, 2.0], [3.0]],
    [[1e308, -1e308]],
    [[float("nan")]],
    np.ones((2, 2)),
    np.ones((100, 100)),
    torch.tensor(1),
    torch.ones(2, 3, dtype=torch.float16),
    torch.ones(3, 3, dtype=torch.bool),
    {},
    object(),
]


def small_network() -> torch.nn.Sequential:
    """A small network the digit drawer can show (it needs one; the others need nothing)."""
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(4),
        torch.nn.Flatten(),
        torch.nn.Linear(8, 10),
    )


def make(cls):
    """A widget with its defaults (the digit drawer with ``small_network``)."""
    return DigitDrawer(small_network()) if cls is DigitDrawer else cls()


def own_traits(cls) -> list[str]:
    """The traits a widget adds to AnyWidget's: the synced ones and the seed."""
    base = set(anywidget.AnyWidget.class_traits())
    return sorted(name for name in cls.class_traits() if name not in base)


def is_plain_json(value) -> bool:
    """Built from plain bool, int, float, str, lists and str-keyed dicts only, as the
    browser gets it."""
    if isinstance(value, list):
        return all(is_plain_json(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and is_plain_json(v) for k, v in value.items())
    return type(value) in (bool, int, float, str)


def test_every_widget_is_walked():
    assert len(WIDGETS) == 15
    for cls in WIDGETS:
        synced = set(cls.class_traits(sync=True)) - set(anywidget.AnyWidget.class_traits())
        # Every synced trait is in the table, and the table itself goes as `limits`.
        assert synced == {*cls.SETTINGS, "limits"}, cls.__name__


@pytest.mark.parametrize("cls", WIDGETS, ids=lambda c: c.__name__)
def test_awkward_trait_values_are_accepted_or_refused_in_our_words(cls):
    for name in own_traits(cls):
        for value in AWKWARD:
            w = make(cls)
            before = getattr(w, name)
            try:
                setattr(w, name, value)
            except (ValueError, TypeError) as error:
                assert str(error).startswith(name), f"{cls.__name__}.{name} = {value!r}: {error}"
                assert getattr(w, name) == before  # a refused value leaves the trait alone
                continue
            # Accepted: stored as plain JSON, and the widget still shows something.
            assert is_plain_json(getattr(w, name)), f"{cls.__name__}.{name} = {value!r}"
            text = repr(w)
            assert "\n" not in text and text == repr(w)
            w.compute()


def test_a_trait_set_later_gets_the_constructors_message():
    with pytest.raises(TypeError) as by_constructor:
        ParameterCounter(side="big")
    w = ParameterCounter()
    with pytest.raises(TypeError) as by_trait:
        w.side = "big"
    assert (
        str(by_trait.value) == str(by_constructor.value) == "side: expected an int, got str 'big'"
    )
    with pytest.raises(ValueError, match=re.escape("side: the widget allows 1 to 4096, got 0")):
        w.side = np.int64(0)
    assert w.side == 3464


def test_numpy_scalars_are_accepted_and_stored_plain():
    w = ParameterCounter(side=np.int64(224), channels=np.int32(1))
    assert (w.side, w.channels) == (224, 1) and type(w.side) is int
    s = CorrelationStepper(X=[[np.int64(1), np.int64(2)]], K=[[np.float32(0.5)]])
    assert s.X == [[1.0, 2.0]] and type(s.X[0][0]) is float
    assert s.compute().output.tolist() == [[0.5, 1.0]]
    f = FirstOrderSystem(T=np.float64(2.0), dt=np.float32(0.01))
    assert (f.T, f.dt) == (2.0, 0.01) and type(f.dt) is float  # float32(0.01) is the 0.01 stop
    assert PoolingExplorer(np.int64(8)).stride == 4  # PyTorch's default stride, capped at 4
    assert PoolingExplorer(np.int64(3)).stride == 3


def test_overflowing_numbers_are_shown_not_raised():
    w = CorrelationStepper(X=[[1e308, 1e308]], K=[[1e308, 1e308]])
    assert repr(w) == (
        "CorrelationStepper(X 1×2, K 1×2, cross-correlation, window (0, 0): "
        "1e+308×1e+308 + 1e+308×1e+308 = Infinity; Y = [[Infinity]])"
    )
    w.X = [[1e308, -1e308]]
    assert repr(w).endswith("= NaN; Y = [[NaN]])")


def test_overflowing_numbers_are_written_as_the_browser_writes_them():
    numbers = [1e21, 1.5e22, 1.2345678901234568e20, 2.0**60, -(2.0**53) - 2, 1e308, 0.5]
    sums = [[(1e308, 1e308)], [(1e308, 1e308), (-1e308, 1e308)], [(1e200, -1e200)]]
    sig = [1e300, -2.5e21, 123456789.4, 12.3456]
    cases = (
        [("formatNumber", [v]) for v in numbers]
        + [("spelledSum", [[{"x": x, "k": k} for x, k in t]]) for t in sums]
        + [("formatSig", [v]) for v in sig]
    )
    expected = (
        [format_number(v) for v in numbers]
        + [spelled_sum(t) for t in sums]
        + [format_sig(v) for v in sig]
    )
    assert run_js("widgets/text.js", cases) == expected
    assert [format_number(v) for v in (math.inf, -math.inf, math.nan)] == [
        "Infinity",
        "-Infinity",
        "NaN",
    ]


def test_edge_learner_checks_its_start_and_its_fixed_problem():
    w = EdgeLearner()
    with pytest.raises(ValueError, match=re.escape("init_kernel: expected 2 entries, got 1")):
        w.init_kernel = [1.0]
    with pytest.raises(ValueError, match=re.escape("init_kernel[1] weight: expected a finite")):
        w.init_kernel = [1.0, float("nan")]
    with pytest.raises(TypeError, match=re.escape("init_bias: expected a number, got str")):
        w.init_bias = "0"
    with pytest.raises(ValueError, match=re.escape("X: cannot be changed: it is the course's")):
        w.X = [[0.0]]
    with pytest.raises(
        ValueError, match=re.escape("seed: the widget allows 0 to 18446744073709551615")
    ):
        w.seed = 10**30
    w.init_kernel = np.array([0.5, -0.5])
    assert w.init_kernel == [0.5, -0.5] and repr(w).startswith("EdgeLearner(lr 0.03")
    w.init_kernel, w.init_bias, w.bias = [1e300, -1e300], 1e300, True
    assert "loss Infinity → Infinity stopped after step 0" in repr(w)


# Strategies for the legal values of each kind of setting, from the widgets' own tables.
def legal(setting):
    if isinstance(setting, Whole):
        high = setting.high if setting.high is not None else setting.low + 10**6
        values = st.integers(setting.low, high)
        if setting.high is None:
            values |= st.just(10**30)  # a position far past the end stops at the last cell
        return values.flatmap(lambda v: st.sampled_from([v, np.int64(v)] if v < 2**63 else [v]))
    if isinstance(setting, Number):
        values = st.floats(setting.low, setting.high, allow_nan=False, allow_infinity=False)
        return values.flatmap(lambda v: st.sampled_from([v, np.float64(v)]))
    if isinstance(setting, Stop):
        return st.sampled_from(setting.stops)
    if isinstance(setting, Choice):
        return st.sampled_from(setting.choices)
    if isinstance(setting, Flag):
        return st.booleans()
    if isinstance(setting, Row):
        return st.lists(
            legal(setting.item), min_size=len(setting.default), max_size=len(setting.default)
        )
    if isinstance(setting, Grid):
        cell = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-9, 9)
        size = st.integers(1, setting.max_size)
        return st.tuples(size, size).flatmap(
            lambda shape: st.lists(
                st.lists(cell, min_size=shape[1], max_size=shape[1]),
                min_size=shape[0],
                max_size=shape[0],
            )
        )
    if isinstance(setting, Fixed):
        return st.just(setting.default)
    if isinstance(setting, ShippedPhoto):
        return st.just(photo_state())
    if isinstance(setting, NetworkSetting):
        return st.sampled_from([small_network(), network_state(small_network())])
    if isinstance(setting, DigitsSetting):
        return st.sampled_from([None, torch.arange(64.0).reshape(1, 1, 8, 8) % 17 / 16])
    if isinstance(setting, BitmapSetting):
        row = st.text(alphabet="01", min_size=32, max_size=32)
        return st.lists(row, min_size=32, max_size=32)
    raise AssertionError(f"no strategy for {setting!r}")


@pytest.mark.parametrize("cls", WIDGETS, ids=lambda c: c.__name__)
@settings(max_examples=40)
@given(data=st.data())
def test_any_legal_setting_draws(cls, data):
    values = data.draw(st.fixed_dictionaries({n: legal(s) for n, s in cls.SETTINGS.items()}))
    w = make(cls)
    for name, value in values.items():
        setattr(w, name, value)
        assert is_plain_json(getattr(w, name))
    text = repr(w)
    assert "\n" not in text and text == repr(w)
    w.compute()


# --- The widgets' helper functions: same promise as the public surface ----------------

HELPERS = {
    params.size_problem: (8, 3),
    params.count: (8, 1, 10, 4, 3),
    stepper.size_problem: (3, 3, 2, 2),
    separable.valid_groups: (4, 8),
    separable.groups_kind: (4, 2),
    separable.groups_rule: (4, 8),
    separable.groups_problem: (4, 8, 3),
    separable.ratio_text: (64, 3),
    separable.cost: (4, 8, 3, 10),
    channels.channel_input: (2, 3),
    channels.channel_weights: (3, 2, 2),
    channels.channels_problem: (3, 2),
    channels.count_texts: (2, 3, 2, 3),
    im2col.im2col_input: (2, 3),
    im2col.im2col_weights: (3, 2, 2),
    im2col.windows_per_axis: (5, 2, 1),
    im2col.im2col_problem: (3, 2, 1),
    im2col.size_texts: (1, 1, 3, 2, 1),
    explorer.pattern_grid: (3, 3, 10),
    explorer.size_formula: ("height", 3, 2, 1, 1, 1),
    explorer.conv2d_call: ((2, 2), (1, 1), (1, 1), (1, 1)),
    explorer.conv2d_problem: ((3, 3), (2, 2)),
    explorer.unread_cells: ((3, 3), (2, 2), (1, 1), (0, 0), (1, 1)),
    pooling_explorer.square_input: (1,),
    pooling_explorer.pool_problem: ((8, 7), 2, 0),
    pooling_explorer.pool: (torch.ones(8, 7), "max", 2, 2, 0),
    pooling_explorer.pool_call: ("max", 2, 2, 0),
    pooling_explorer.changed: (torch.ones(2, 2), torch.zeros(2, 2)),
    pooling_explorer.window_text: ("max", 0, 0, (1.0, float("-inf")), 1.0),
    first_order.step_problem: (1.0, 1.0, 0.01),
    first_order.respond: (1.0, 1.0, 0.01),
    edge_learner.initial_weights: (0,),
    edge_learner.rate_report: (0.03, [60.0, 12.0]),
    edge_learner.stop_text: (5, 200, 2e7),
}
HELPER_AWKWARD = [
    None,
    True,
    0,
    -1,
    10**30,
    np.int64(2),
    np.float32(0.5),
    2.5,
    float("nan"),
    float("inf"),
    "a",
    [],
    (1, 2, 3),
    torch.tensor(2.0),
    torch.empty(0),
    np.ones((3, 3)),
]


@contextmanager
def time_limit(seconds: int):
    def stop(signum, frame):
        raise TimeoutError(f"ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("fn", HELPERS, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_helpers_answer_or_name_the_argument(fn):
    args = HELPERS[fn]
    names = list(inspect.signature(fn).parameters)
    fn(*args)  # the valid call
    for i, name in enumerate(names[: len(args)]):
        for value in HELPER_AWKWARD:
            changed = (*args[:i], value, *args[i + 1 :])
            try:
                with time_limit(5):
                    fn(*changed)
            except (ValueError, TypeError) as error:
                assert re.match(rf"({'|'.join(names)})\b", str(error)), f"{name}={value!r}: {error}"


def test_a_huge_grid_is_refused_before_it_is_copied():
    cost = cost_of(
        """
        import torch
        from convlab.widgets import CorrelationStepper
        X = torch.empty(30_000, 30_000)  # 3.6 GB, never touched: nothing resident yet
        CorrelationStepper(X=X)
        """
    )
    assert cost.error == "ValueError: X: a grid here has 1 to 8 rows and columns, got 30000×30000"
    assert cost.mib < 50 and cost.seconds < 5
