"""The timing helpers: a median of real calls, threads restored."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from convlab.timing import interleaved_medians, median_seconds, torch_threads


def test_median_seconds_calls_once_more_than_repeats_and_measures_time():
    calls = []
    seconds = median_seconds(lambda: calls.append(sum(range(20_000))), repeats=5)
    assert len(calls) == 6  # one warm-up
    assert 0 < seconds < 1


def test_interleaved_medians_takes_turns_and_keeps_the_names():
    order = []
    medians = interleaved_medians(
        {"a": lambda: order.append("a"), "b": lambda: order.append("b")}, repeats=3
    )
    assert order == ["a", "b"] * 4  # one warm-up each, then turns
    assert set(medians) == {"a", "b"} and all(m >= 0 for m in medians.values())


def test_interleaved_medians_ranks_a_slow_run_above_a_fast_one():
    medians = interleaved_medians(
        {"slow": lambda: sum(range(200_000)), "fast": lambda: None}, repeats=5
    )
    assert medians["slow"] > medians["fast"]


def test_interleaved_medians_needs_runs():
    with pytest.raises(ValueError, match="runs"):
        interleaved_medians({})


def test_torch_threads_restores_the_setting_even_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), torch_threads(1):
        assert torch.get_num_threads() == 1
        raise RuntimeError("inside")
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -1])
def test_bad_arguments(bad):
    with pytest.raises(ValueError, match="repeats"):
        median_seconds(lambda: None, repeats=bad)
    with pytest.raises(ValueError, match="n"), torch_threads(bad):
        pass


AWKWARD = [
    None, True, 0, -1, 10**30, 2**63, np.int64(2), np.float32(0.5), 2.5, math.nan, "a", [],
    {}, object(), torch.tensor(2.0), torch.empty(0), np.ones(3),
]  # fmt: skip


@given(value=st.sampled_from(AWKWARD))
def test_repeats_and_threads_take_ints_in_range_or_name_the_argument(value):
    calls = []
    for call, name in [
        (lambda: median_seconds(lambda: calls.append(1), repeats=value), "repeats"),
        (lambda: interleaved_medians({"a": lambda: calls.append(1)}, repeats=value), "repeats"),
        (lambda: torch_threads(value), "n"),
    ]:
        calls.clear()
        try:
            result = call()
        except (ValueError, TypeError) as error:
            assert str(error).startswith(f"{name}:"), error
            assert not calls  # refused before anything ran
            continue
        assert int(value) == value and not isinstance(value, bool)
        if name == "n":
            before = torch.get_num_threads()
            with result:
                assert torch.get_num_threads() == value
            assert torch.get_num_threads() == before
        else:
            assert len(calls) == value + 1  # the warm-up and the repeats


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: median_seconds(3), TypeError, "run: expected a function to call, got int 3"),
        (lambda: median_seconds(None), TypeError, "run: expected a function to call, got None"),
        (lambda: interleaved_medians([lambda: None]), TypeError, "runs: expected a dict"),
        (
            lambda: interleaved_medians({"a": lambda: None, "b": 2}),
            TypeError,
            "runs: the entry 'b': expected a function to call, got int 2",
        ),
        (lambda: median_seconds(lambda: None, 10**30), ValueError, "repeats: must be from 1 to"),
        (lambda: torch_threads(10**30), ValueError, "n: must be from 1 to 1024"),
        (lambda: torch_threads(2.0), TypeError, "n: expected an int, got float 2.0"),
    ],
)
def test_awkward_arguments_get_clear_errors(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_torch_threads_refuses_when_called_not_when_entered():
    with pytest.raises(ValueError, match="^n: "):
        torch_threads(0)  # no ``with``: the error comes at once
    assert torch_threads(np.int64(1)) is not None
