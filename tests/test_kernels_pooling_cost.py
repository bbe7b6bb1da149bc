"""Pooling stays within a few times what PyTorch needs, or refuses before allocating.

Each snippet runs in a fresh interpreter (``bounded.cost_of``), so its peak memory
is its own and a runaway call ends there. The bounds (200 MiB, 2 s) are far above
what the calls take here (a few MiB, a few ms) and far below what they took when
the padding was built in full (1.75 GB and 4.5 s for the first case, 4 GB for
the wide one) or a 400×400 window was summed by 160,000 passes.
"""

import pytest
from bounded import cost_of

MIB, SECONDS = 200, 2.0

CHECKED = """
import torch
import torch.nn.functional as F
from convlab.kernels import avg_pool2d, max_pool2d

torch.manual_seed(0)


def check(X, **args):  # values, and gradients, bit for bit like PyTorch's
    for ours, theirs in ((max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)):
        if ours is max_pool2d or "dilation" not in args:
            assert torch.equal(ours(X, **args), theirs(X, **args))
            mine, its = X.clone().requires_grad_(), X.clone().requires_grad_()
            ours(mine, **args).sum().backward()
            theirs(its, **args).sum().backward()
            assert torch.equal(mine.grad, its.grad)
"""

CASES = {
    # The user's example: PyTorch answers at once, the padded copy took 1.75 GB.
    "kernel 20000, padding 10000": (
        "check(torch.randn(1, 1, 2, 2), kernel_size=20000, padding=10000)"
    ),
    # A 400×400 window on a 400×400 image: one window of 160,000 cells.
    "400×400 window": "check(torch.randn(2, 3, 400, 400), kernel_size=400)",
    "400×400 window, padding 200": (
        "check(torch.randn(1, 2, 400, 400), kernel_size=400, padding=200)"
    ),
    # Windows 10⁹ (or 2**62) apart: one window per axis.
    "stride 10⁹": "check(torch.randn(4, 3, 300, 300), kernel_size=3, stride=10**9)",
    "stride 2**62, ceil_mode": (
        "X = torch.randn(2, 3, 50, 50)\n"
        "for pool in (max_pool2d, avg_pool2d):\n"
        "    assert pool(X, 3, stride=2**62, padding=1, ceil_mode=True).shape == (2, 3, 1, 1)"
    ),
    # Padding larger than the axis it pads, on a wide image: padding the height of
    # all 100,000 columns took 4 GB.
    "padding larger than the input, wide image": (
        "check(torch.randn(1, 1, 2, 100_000), kernel_size=(10_000, 1), padding=(5_000, 0))"
    ),
    # Many different overhanging windows along one long thin axis.
    "long thin axis, every window overhangs": (
        "check(torch.randn(1, 1, 3000, 1), kernel_size=(3001, 1), stride=1, padding=(1500, 0))"
    ),
    # Dilated taps far apart, padded: each window meets the input with few taps.
    "dilation 1000": (
        "check(torch.randn(2, 3, 64, 2000), kernel_size=(1, 3), dilation=(1, 900), padding=(0, 1))"
    ),
}


@pytest.mark.parametrize("snippet", CASES.values(), ids=CASES.keys())
def test_large_arguments_cost_little(snippet) -> None:
    cost = cost_of(CHECKED + snippet)
    assert cost.error is None, cost.error
    assert cost.mib < MIB, f"{cost.mib:.0f} MiB"
    assert cost.seconds < SECONDS, f"{cost.seconds:.2f} s"


@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d"])
def test_a_result_too_large_is_refused_before_allocating(pool) -> None:
    # 2**32 cells of input as a view of one number: the result would take 16 GiB.
    cost = cost_of(f"""
import torch
from convlab.kernels import {pool}
{pool}(torch.zeros(1).expand(2**16, 1, 256, 256), 1)
""")
    assert cost.error is not None and cost.error.startswith("ValueError: X and stride")
    assert "2147483648" in cost.error
    assert cost.mib < MIB and cost.seconds < SECONDS
