"""A widget's settings, written once as a table: the synced traits, their checks and messages.

Each widget lists its settings as ``{name: setting}``: ``Whole`` (an int slider),
``Number`` (a float slider), ``Stop`` (one of a slider's fixed numbers),
``Choice`` (one of a few words), ``Flag`` (a switch), ``Row`` (one value per
layer) and the few special inputs (``Grid``, ``Fixed``). ``SettingsWidget``
turns the table into synced traits whose validation *is* the setting's check,
so a value passed to the constructor, set from Python or sent by the browser,
and a value passed to the widget's compute function all meet the same rule and
the same message. The same table reaches the browser as the read-only trait
``limits`` (each setting's ``limits()``: min/max/step, stops or choices), from
which the view builds its sliders: the ranges are written once, here.

A check hands back the value in plain form (numpy scalars become ``int`` /
``float``, so the JSON sent to the browser stays plain) or raises a
``TypeError`` (wrong kind) or ``ValueError`` (outside the rule) whose message
starts with the setting's name. traitlets' own ``TraitError`` never escapes:
unlike ``traitlets.Int``, the trait here checks nothing before the setting does.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import anywidget
import traitlets

from convlab.checks import check_bool, check_choice, check_number, is_int
from convlab.widgets._grid import as_grid


class Setting:
    """One setting: a default and a rule. ``check`` returns the value in plain form."""

    default: object

    def check(self, value: object, name: str) -> object:
        raise NotImplementedError

    def trait(self, sync: bool = True) -> Checked:
        """A trait holding this setting, synced to the browser unless ``sync`` is False."""
        return Checked(self).tag(sync=sync)

    def limits(self) -> dict:
        """What the view needs to build this setting's control, as plain JSON."""
        return {}


@dataclass(frozen=True)
class Whole(Setting):
    """An int from ``low`` to ``high``; with no ``high``, any int ≥ ``low``.

    ``owner`` names who sets the range in the message: "the explorer allows 1 to 8".
    ``stops``, when given, are the values the slider steps through (any int in
    the range is still accepted, and shown at the nearest stop).
    """

    default: int
    low: int
    high: int | None = None
    owner: str = "widget"
    stops: tuple[int, ...] = ()

    def check(self, value: object, name: str) -> int:
        if not is_int(value):
            raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
        if self.high is None:
            if value < self.low:
                raise ValueError(f"{name}: expected a whole number ≥ {self.low}, got {value}")
        elif not self.low <= value <= self.high:
            raise ValueError(
                f"{name}: the {self.owner} allows {self.low} to {self.high}, got {value}"
            )
        return int(value)

    def limits(self) -> dict:
        return _slider(self.low, self.high, 1, self.stops)


@dataclass(frozen=True)
class Number(Setting):
    """A finite number from ``low`` to ``high`` (ints and numpy scalars too, never a bool).

    ``step`` is the slider's step; ``stops``, when given, are the values the
    slider steps through instead (any number in the range is still accepted).
    """

    default: float
    low: float = -math.inf
    high: float = math.inf
    step: float | None = None
    stops: tuple[float, ...] = ()

    def check(self, value: object, name: str) -> float:
        if math.isinf(self.low) and math.isinf(self.high):
            return check_number(value, name)
        rule = f"{self.low} to {self.high}"
        return check_number(value, name, rule, lambda v: self.low <= v <= self.high)

    def limits(self) -> dict:
        return _slider(self.low, self.high, self.step, self.stops)


@dataclass(frozen=True)
class Stop(Setting):
    """One of a slider's fixed numbers, such as the time step dt.

    A number within a float32 rounding of a stop is that stop: ``np.float32(0.01)`` is 0.01.
    """

    default: float
    stops: tuple[float, ...]

    def check(self, value: object, name: str) -> float:
        rule = f"one of the slider's steps {self.stops}"
        number = check_number(value, name, rule, lambda v: self._nearest(v) is not None)
        return self._nearest(number)

    def _nearest(self, number: float) -> float | None:
        return next((s for s in self.stops if math.isclose(number, s, rel_tol=1e-6)), None)

    def limits(self) -> dict:
        return {"stops": list(self.stops)}


@dataclass(frozen=True)
class Choice(Setting):
    """One of a few words, such as a mode: ``'max'`` or ``'mean'``."""

    default: str
    choices: tuple[str, ...]

    def check(self, value: object, name: str) -> str:
        return str(check_choice(value, name, self.choices))

    def limits(self) -> dict:
        return {"choices": list(self.choices)}


@dataclass(frozen=True)
class Flag(Setting):
    """A switch: ``True`` or ``False`` (numpy bools too)."""

    default: bool

    def check(self, value: object, name: str) -> bool:
        return check_bool(value, name)


@dataclass(frozen=True)
class Row(Setting):
    """A list of exactly ``len(default)`` values, each checked by ``item``.

    ``item_name`` says what each entry is, for the message: "dilations[1] dilation: …".
    """

    default: tuple
    item: Setting
    item_name: str = ""

    def check(self, value: object, name: str) -> list:
        if hasattr(value, "tolist") and not isinstance(value, str | bytes):
            value = value.tolist()  # a tensor or an array
        if not isinstance(value, list | tuple):
            raise TypeError(
                f"{name}: expected a list of {len(self.default)} entries, "
                f"got {type(value).__name__} {value!r}"
            )
        if len(value) != len(self.default):
            raise ValueError(f"{name}: expected {len(self.default)} entries, got {len(value)}")
        label = f" {self.item_name}" if self.item_name else ""
        return [self.item.check(v, f"{name}[{i}]{label}") for i, v in enumerate(value)]

    def limits(self) -> dict:
        return {"length": len(self.default), "item": self.item.limits()}


@dataclass(frozen=True)
class Grid(Setting):
    """A small 2-D grid of finite numbers (see ``as_grid``), kept as a list of rows."""

    default: tuple
    max_size: int

    def check(self, value: object, name: str) -> list[list[float]]:
        return as_grid(value, name, self.max_size)

    def limits(self) -> dict:
        return {"maxSize": self.max_size}


@dataclass(frozen=True)
class Fixed(Setting):
    """A value the view needs but nobody may change, such as the image a widget trains on.

    ``what`` describes it for the message.
    """

    default: object
    what: str

    def check(self, value: object, name: str) -> object:
        plain = value.tolist() if hasattr(value, "tolist") else value
        try:
            same = bool(plain == self.default)
        except (TypeError, ValueError):  # things that cannot be compared with a list
            same = False
        if not same:
            raise ValueError(
                f"{name}: cannot be changed: it is {self.what}; "
                f"got a different {type(value).__name__}"
            )
        return copy.deepcopy(self.default)


# A window position: an output cell number, counted row by row. A position past
# the last cell is allowed: the widgets stop at the last one.
POSITION = Whole(0, 0)


def _slider(low: float, high: float | None, step: float | None, stops: tuple) -> dict:
    """A slider's limits as JSON: infinite or missing bounds and steps are left out."""
    found = {"min": low, "max": high, "step": step}
    limits = {k: v for k, v in found.items() if v is not None and math.isfinite(v)}
    return limits | ({"stops": list(stops)} if stops else {})


def limits_table(settings: Mapping[str, Setting]) -> dict[str, dict]:
    """Every setting's ``limits()``, by name: what the ``limits`` trait sends the view."""
    return {name: setting.limits() for name, setting in settings.items()}


def checked(settings: Mapping[str, Setting], **values: object) -> dict[str, object]:
    """Each value checked by the setting of the same name, in plain form."""
    return {name: settings[name].check(value, name) for name, value in values.items()}


class Checked(traitlets.TraitType):
    """A trait whose validation is a ``Setting``'s check: our messages, plain values."""

    def __init__(self, setting: Setting, **kwargs):
        self.setting = setting
        super().__init__(default_value=setting.default, **kwargs)

    def validate(self, obj, value):
        return self.setting.check(value, self.name)


class SettingsWidget(anywidget.AnyWidget):
    """An AnyWidget whose synced traits are the entries of a table of settings.

    ``class Explorer(SettingsWidget, settings={"window": Whole(2, 1, 8), ...})``
    gets one trait per entry and keeps the table as ``Explorer.SETTINGS``; its
    constructor passes the values on to ``__init__`` and the traits check them.
    One more synced trait, ``limits``, holds ``limits_table(SETTINGS)`` for the
    view's sliders; it cannot be changed.
    """

    SETTINGS: ClassVar[Mapping[str, Setting]] = {}

    def __init_subclass__(cls, settings: Mapping[str, Setting] | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if settings is None:
            return
        cls.SETTINGS = dict(settings)
        for name, setting in cls.SETTINGS.items():
            trait = setting.trait()
            setattr(cls, name, trait)
            trait.class_init(cls, name)  # traitlets does this for the traits in a class body
        what = "the ranges of the widget's sliders, written in Python (widgets/_settings.py)"
        limits = Fixed(limits_table(cls.SETTINGS), what).trait()
        cls.limits = limits
        limits.class_init(cls, "limits")

    def settings(self) -> dict[str, object]:
        """The current value of every setting, as the widget's compute function takes them."""
        return {name: getattr(self, name) for name in self.SETTINGS}
