"""The timing helpers: a median of real calls, threads restored."""

from __future__ import annotations

import pytest
import torch

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
