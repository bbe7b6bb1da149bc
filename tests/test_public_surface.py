"""Every public function and widget of convlab keeps one promise, whatever it is given.

For each public name (a module's ``__all__``, or every function and class it
defines without a leading underscore) this test takes one valid call from
``VALID_CALLS`` and then replaces one argument at a time with an awkward value:
numpy scalars, bools, huge ints, NaN, inf, empty and oddly typed tensors,
strings, None. Each call must either return, or raise a ``ValueError`` or
``TypeError`` whose message starts with the name of one of the function's
arguments; never another exception, never a hang (each call gets a few seconds).

Whether a returned answer is right is checked elsewhere, against PyTorch or
hand-worked numbers, module by module; this test checks the promise about
errors across the whole surface, so that a new public function cannot skip it:
a public name without an entry in ``VALID_CALLS`` fails the test.
"""

from __future__ import annotations

import importlib
import inspect
import re
import signal
from contextlib import contextmanager

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from convlab import questions  # noqa: E402
from convlab.digits import Digits  # noqa: E402
from convlab.network import lenet  # noqa: E402
from convlab.speed import Timing  # noqa: E402

MODULES = [
    "convlab.kernels",
    "convlab.counting",
    "convlab.receptive_field",
    "convlab.signals",
    "convlab.im2col",
    "convlab.training",
    "convlab.timing",
    "convlab.speed",
    "convlab.plots",
    "convlab.images",
    "convlab.layers",
    "convlab.digits",
    "convlab.network",
    "convlab.widgets",
    "convlab.widgets.text",
    "convlab.questions",
]

# Plain records with no behaviour of their own: constructing one checks nothing.
RECORDS = {
    "convlab.receptive_field.Field",
    "convlab.signals.Simulation",
    "convlab.im2col.Im2colSizes",
    "convlab.training.History",
    "convlab.speed.Timing",
    "convlab.kernels.Conv2dGradients",
    "convlab.digits.Digits",
    "convlab.network.LayerCount",
    "convlab.network.Training",
}

SECONDS_PER_CALL = 10


def _X(*shape: int) -> torch.Tensor:
    return torch.arange(float(np.prod(shape))).reshape(shape) % 7 - 3


def _digits(n: int) -> torch.Tensor:
    """n tiny 8 × 8 'digits' in [0, 1], float64 like the course's networks."""
    return (_X(n, 1, 8, 8).double() + 3) / 6


# A question of the quiz, as convlab.questions.draw builds it.
_QUESTION = questions.draw("strided-size", 5)

# A few digits and a small network for convlab.network (kept tiny: train really trains).
_LABELS = torch.arange(8) % 10
_NET = lenet(channels=(2, 2))
_FEW = Digits(_digits(8), _LABELS, _digits(4), _LABELS[:4])


# One valid call per public name: (args, kwargs).
VALID_CALLS: dict[str, tuple[tuple, dict]] = {
    # kernels
    "convlab.kernels.avg_pool2d": ((_X(1, 2, 5, 5), 2), {}),
    "convlab.kernels.conv2d": ((_X(1, 2, 5, 5), _X(3, 2, 2, 2)), {"bias": _X(3)}),
    "convlab.kernels.conv2d_backward": ((_X(1, 2, 5, 5), _X(3, 2, 2, 2), _X(1, 3, 4, 4)), {}),
    "convlab.kernels.conv_transpose2d": ((_X(1, 2, 4, 4), _X(2, 3, 2, 2)), {"stride": 2}),
    "convlab.kernels.convolve1d": ((_X(5), _X(3)), {}),
    "convlab.kernels.convolve2d": ((_X(4, 4), _X(2, 2)), {}),
    "convlab.kernels.corr2d": ((_X(4, 4), _X(2, 2)), {}),
    "convlab.kernels.corr2d_multi_in": ((_X(2, 4, 4), _X(2, 2, 2)), {}),
    "convlab.kernels.corr2d_multi_in_out_1x1": ((_X(2, 4, 4), _X(3, 2, 1, 1)), {}),
    "convlab.kernels.corr2d_multi_out": ((_X(2, 4, 4), _X(3, 2, 2, 2)), {}),
    "convlab.kernels.max_pool2d": ((_X(1, 2, 5, 5), 2), {}),
    "convlab.kernels.output_size": ((8, 3), {}),
    "convlab.kernels.pool2d": ((_X(4, 4), 2), {}),
    # counting
    "convlab.counting.image_inputs": ((32,), {}),
    "convlab.counting.dense_params": ((100, 10), {}),
    "convlab.counting.conv2d_params": ((3, 16, 3), {}),
    "convlab.counting.conv2d_macs": ((3, 16, 3, 30), {}),
    "convlab.counting.param_bytes": ((1000,), {}),
    "convlab.counting.format_bytes": ((14_400_000_000,), {}),
    "convlab.counting.dense_image_weights": ((8,), {}),
    "convlab.counting.shared_weights": ((8,), {}),
    "convlab.counting.local_weights": ((1,), {}),
    "convlab.counting.grouped_params": ((4, 8, 3, 2), {}),
    "convlab.counting.separable_macs": ((4, 8, 3, 10), {}),
    "convlab.counting.separable_params": ((4, 8, 3), {}),
    "convlab.counting.separable_ratio": ((8, 3), {}),
    "convlab.counting.conv2d_output_size": ((8, 3), {}),
    "convlab.counting.conv2d_cost": ((3, 4, 3, 8), {}),
    "convlab.counting.counted_multiply_adds": ((2, 3, 2, 4), {}),
    # receptive fields
    "convlab.receptive_field.Layer": ((3,), {}),
    "convlab.receptive_field.as_layers": (([3, (3, 2, 1)],), {}),
    "convlab.receptive_field.receptive_field": (([3, 3],), {}),
    "convlab.receptive_field.receptive_field_size": (([3, 3],), {}),
    "convlab.receptive_field.layer_lengths": ((9, [3, 3]), {}),
    "convlab.receptive_field.stack_problem": ((9, [3, 3]), {}),
    "convlab.receptive_field.dependencies": (([3, 3], 1, 9), {}),
    "convlab.receptive_field.input_region": (([3, 3], 1, 9), {}),
    "convlab.receptive_field.gradient_region": (([3, 3], 1, 9), {}),
    "convlab.receptive_field.path_counts": (([3, 3], 1, 9), {}),
    "convlab.receptive_field.format_cells": (([0, 1, 2, 5],), {}),
    "convlab.receptive_field.size_formula": (([3, 3],), {}),
    "convlab.receptive_field.jump_formula": (([3, (3, 2)],), {}),
    # signals
    "convlab.signals.impulse_response": (([0.0, 0.5, 1.0], 1.0), {}),
    "convlab.signals.step_response": (([0.0, 0.5, 1.0], 1.0), {}),
    "convlab.signals.rectangle": (([0.0, 0.5, 1.0],), {}),
    "convlab.signals.rectangle_response": (([0.0, 0.5, 1.0], 1.0), {}),
    "convlab.signals.time_grid": ((2.0, 0.5), {}),
    "convlab.signals.numeric_response": ((torch.ones(4), torch.ones(4), 0.5), {}),
    "convlab.signals.pulse_samples": ((5, 1.0, 0.5), {}),
    "convlab.signals.default_t_max": ((1.0, 1.0), {}),
    "convlab.signals.simulate_rectangle": ((1.0,), {"dt": 0.1}),
    # im2col
    "convlab.im2col.im2col": ((_X(2, 4, 4), 2), {}),
    "convlab.im2col.kernel_matrix": ((_X(3, 2, 2, 2),), {}),
    "convlab.im2col.conv2d_im2col": ((_X(2, 4, 4), _X(3, 2, 2, 2)), {}),
    "convlab.im2col.im2col_sizes": ((2, 6, 3), {}),
    # training
    "convlab.training.learn_kernel": (
        (torch.ones(3, 4), torch.zeros(3, 3), (1, 2), 0.03, 3),
        {},
    ),
    "convlab.training.kernel_gradient": ((_X(3, 4), _X(3, 3)), {}),
    "convlab.training.loss_hessian": ((_X(3, 4), (1, 2)), {}),
    "convlab.training.largest_stable_lr": ((torch.tensor([[36.0, 24.0], [24.0, 36.0]]),), {}),
    # timing and speed (kept tiny: these run real timings)
    "convlab.timing.median_seconds": ((lambda: None,), {"repeats": 1}),
    "convlab.timing.interleaved_medians": (({"a": lambda: None},), {"repeats": 1}),
    "convlab.timing.torch_threads": ((1,), {}),
    "convlab.speed.inputs": ((1, 4, 3), {}),
    "convlab.speed.implementations": ((_X(1, 1, 4, 4), _X(1, 1, 2, 2)), {}),
    "convlab.speed.time_case": ((1, 4, 2), {"repeats": 1}),
    "convlab.speed.sweep": (([4],), {"kernel": 2, "repeats": 1}),
    "convlab.speed.loop_call_costs": ((), {"size": 4, "kernel": 2, "calls": 2, "repeats": 1}),
    # plots
    "convlab.plots.show_grids": (([_X(3, 3), _X(2, 2)], ["X", "K"]), {}),
    "convlab.plots.window_mask": (((4, 4), 1, 1, (2, 2)), {}),
    "convlab.plots.time_against_size": (
        (
            [
                (
                    "1 channel",
                    [
                        Timing(1, 8, 3, 36, 324, {"loop": 1e-3, "conv2d": 1e-5}),
                        Timing(1, 16, 3, 196, 1764, {"conv2d": 2e-5}),
                    ],
                )
            ],
        ),
        {},
    ),
    # the photograph and the classic kernels
    "convlab.images.photo": ((), {"gray": True, "shrink": 10}),
    "convlab.images.sobel_magnitude": ((torch.rand(1, 8, 8),), {}),
    # the course's layers, the digits and the network made of them
    "convlab.layers.Conv2d": ((1, 2, 3), {}),
    "convlab.layers.MaxPool2d": ((2,), {}),
    "convlab.layers.AvgPool2d": ((2,), {}),
    "convlab.digits.load_digits": ((), {}),
    "convlab.digits.from_bitmap": ((torch.rand(32, 32),), {}),
    "convlab.network.lenet": ((), {"channels": (2, 3)}),
    "convlab.network.train": (({"a": _NET}, _FEW), {"epochs": 2, "batch_size": 4}),
    "convlab.network.predict": ((_NET, _digits(3)), {}),
    "convlab.network.accuracy": ((_NET, _digits(3), _LABELS[:3]), {}),
    "convlab.network.confusion_matrix": ((_NET, _digits(3), _LABELS[:3]), {}),
    "convlab.network.misclassified": ((_NET, _digits(3), _LABELS[:3]), {}),
    "convlab.network.layer_counts": ((_NET,), {}),
    "convlab.network.receptive_fields": ((_NET,), {}),
    "convlab.network.first_filters": ((_NET,), {}),
    "convlab.network.feature_maps": ((_NET, _digits(2)), {}),
    "convlab.network.shift": ((_digits(2), 1, -2), {}),
    "convlab.network.shift_accuracy": ((_NET, _digits(3), _LABELS[:3], 1), {}),
    # widgets and their compute functions
    "convlab.widgets.ConvolutionExplorer": ((), {}),
    "convlab.widgets.explore": ((4, 3), {}),
    "convlab.widgets.CorrelationStepper": ((), {}),
    "convlab.widgets.step": (([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]]), {}),
    "convlab.widgets.FirstOrderSystem": ((), {}),
    "convlab.widgets.ParameterCounter": ((), {}),
    "convlab.widgets.EdgeLearner": ((), {}),
    "convlab.widgets.learn_edge": ((), {}),
    "convlab.widgets.MultiChannelConv": ((), {}),
    "convlab.widgets.multi_channel": ((), {}),
    "convlab.widgets.SeparableCost": ((), {}),
    "convlab.widgets.ReceptiveFieldExplorer": ((), {}),
    "convlab.widgets.explore_stack": ((9, [3, 3]), {}),
    "convlab.widgets.PoolingExplorer": ((), {}),
    "convlab.widgets.explore_pooling": ((), {}),
    "convlab.widgets.Im2colExplorer": ((), {}),
    "convlab.widgets.explore_im2col": ((), {}),
    "convlab.widgets.PhotoFilter": ((), {}),
    "convlab.widgets.filter_photo": ((), {}),
    "convlab.widgets.TransposedStepper": ((), {}),
    "convlab.widgets.scatter": ((3, 3), {"stride": 2}),
    "convlab.widgets.GradientView": ((), {}),
    "convlab.widgets.pick_gradient": ((5, 3), {"stride": 2, "cell": 6}),
    "convlab.widgets.DigitDrawer": ((lenet(channels=(2, 2)),), {}),
    "convlab.widgets.read_digit": ((lenet(channels=(2, 2)), torch.zeros(32, 32)), {}),
    "convlab.widgets.Quiz": (("ch04",), {}),
    # the quiz's questions
    "convlab.questions.chapter_kinds": (("ch02",), {}),
    "convlab.questions.draw": (("strided-size", 5), {}),
    "convlab.questions.grade": ((_QUESTION, "3"), {}),
    # how widgets write numbers
    "convlab.widgets.text.format_number": ((0.5,), {}),
    "convlab.widgets.text.minus_sign": ((-3,), {}),
    "convlab.widgets.text.spelled_sum": (([(1.0, 2.0), (3.0, -1.0)],), {}),
    "convlab.widgets.text.format_matrix": (([[1.0, 2.0], [3.0, 4.0]],), {}),
    "convlab.widgets.text.format_count": ((3_600_000_100,), {}),
    "convlab.widgets.text.format_ratio": ((10, 3), {}),
    "convlab.widgets.text.format_sig": ((0.004967,), {}),
    "convlab.widgets.text.format_short": ((0.0333,), {}),
}


def _awkward_values() -> list[tuple[str, object]]:
    return [
        ("None", None),
        ("True", True),
        ("0", 0),
        ("-1", -1),
        ("10**30", 10**30),
        ("2**63", 2**63),
        ("np.int64(2)", np.int64(2)),
        ("np.float32(0.5)", np.float32(0.5)),
        ("2.5", 2.5),
        ("nan", float("nan")),
        ("inf", float("inf")),
        ("-inf", float("-inf")),
        ("'a'", "a"),
        ("''", ""),
        ("[]", []),
        ("[[]]", [[]]),
        ("(1, 2, 3)", (1, 2, 3)),
        ("{}", {}),
        ("object()", object()),
        ("tensor(2.)", torch.tensor(2.0)),
        ("empty(0)", torch.empty(0)),
        ("empty(0, 1, 3, 3)", torch.empty(0, 1, 3, 3)),
        ("nan(1, 1, 3, 3)", torch.full((1, 1, 3, 3), float("nan"))),
        ("half(1, 1, 3, 3)", torch.ones(1, 1, 3, 3, dtype=torch.float16)),
        ("int64(2, 3, 3)", torch.ones(2, 3, 3, dtype=torch.int64)),
        ("bool(3, 3)", torch.ones(3, 3, dtype=torch.bool)),
        ("complex(3, 3)", torch.ones(3, 3, dtype=torch.complex64)),
        ("np.ones((3, 3))", np.ones((3, 3))),
    ]


def public_names() -> list[str]:
    names = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        exported = getattr(module, "__all__", None)
        if exported is None:
            exported = [
                name
                for name, obj in vars(module).items()
                if not name.startswith("_")
                and (inspect.isfunction(obj) or inspect.isclass(obj))
                and obj.__module__ == module_name
            ]
        names += [f"{module_name}.{name}" for name in exported]
    return [name for name in names if name not in RECORDS]


def resolve(qualified: str):
    module_name, name = qualified.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), name)


def test_every_public_name_has_a_valid_call():
    missing = [name for name in public_names() if name not in VALID_CALLS]
    assert not missing, f"add a valid call to VALID_CALLS for: {missing}"


@contextmanager
def time_limit(seconds: int, what: str):
    def stop(signum, frame):
        raise TimeoutError(f"{what} ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def call(fn, args, kwargs):
    """Call ``fn``; context managers are entered and left, widgets' reprs are taken."""
    result = fn(*args, **kwargs)
    if hasattr(result, "__enter__"):
        with result:
            pass
    if hasattr(result, "compute"):
        repr(result)
        result.compute()
    plt.close("all")
    return result


def argument_names(fn) -> list[str]:
    parameters = inspect.signature(fn).parameters.values()
    return [p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def variants(qualified: str):
    """The valid call, then every argument replaced by every awkward value in turn."""
    fn = resolve(qualified)
    args, kwargs = VALID_CALLS[qualified]
    names = argument_names(fn)
    bound = inspect.signature(fn).bind(*args, **kwargs)
    yield "valid", bound.args, bound.kwargs
    for name in names:
        for label, value in _awkward_values():
            changed = inspect.signature(fn).bind_partial(*args, **kwargs)
            changed.arguments[name] = value
            yield f"{name}={label}", changed.args, changed.kwargs


def _first(error: BaseException) -> str:
    """The first line of an error's message, cut short (PyTorch's can run to pages)."""
    lines = str(error).splitlines() or [""]
    return lines[0][:160]


def check_promise(qualified: str) -> list[str]:
    """Run every variant of one function; return the broken promises, in words."""
    fn = resolve(qualified)
    names = argument_names(fn)
    named = re.compile(rf"^({'|'.join(map(re.escape, names))})\b")
    broken = []
    for label, args, kwargs in variants(qualified):
        try:
            with time_limit(SECONDS_PER_CALL, f"{qualified}({label})"):
                call(fn, args, kwargs)
        except (ValueError, TypeError) as error:
            if label == "valid":
                broken.append(f"{label}: the valid call raised {error!r}")
            elif not named.match(str(error)):
                broken.append(f"{label}: {type(error).__name__} names no argument: {_first(error)}")
        except Exception as error:  # noqa: BLE001 - the point is to catch every other kind
            broken.append(f"{label}: {type(error).__name__}: {_first(error)}")
    return broken


SURFACE = [name for name in public_names() if name in VALID_CALLS]


@pytest.mark.parametrize("qualified", SURFACE)
def test_only_clear_errors(qualified):
    broken = check_promise(qualified)
    assert not broken, f"{qualified}:\n" + "\n".join(broken)
