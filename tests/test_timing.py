"""The timing helpers: a median of real calls, threads restored."""

from __future__ import annotations

import pytest
import torch

from convlab.timing import median_seconds, torch_threads


def test_median_seconds_calls_once_more_than_repeats_and_measures_time():
    calls = []
    seconds = median_seconds(lambda: calls.append(sum(range(20_000))), repeats=5)
    assert len(calls) == 6  # one warm-up
    assert 0 < seconds < 1


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
