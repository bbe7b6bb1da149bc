"""conv2d and the loops stay within a few times what PyTorch needs, or refuse before allocating.

Each snippet runs in a fresh interpreter (``bounded.cost_of``), so its peak memory
is its own and a runaway call ends there. The bounds (200 MiB, 2 s) are far above
what the calls take here (a few MiB, a few ms) and far below what they took when
the padding was copied in full (160 GB), the stride padded every image to a
multiple of it (32 GB), or a 400×400 kernel looped over its 160,000 taps (3 s).
"""

import pytest
from bounded import cost_of

MIB, SECONDS = 200, 2.0

CHECKED = """
import torch
import torch.nn.functional as F
from convlab.kernels import conv2d

torch.manual_seed(0)


def check(ours, theirs):  # (torch.testing's first call alone takes a second)
    assert ours.shape == theirs.shape and torch.allclose(ours, theirs, rtol=1e-4, atol=1e-4)
"""

CASES = {
    # The user's example: PyTorch returns a 3×3 result at once.
    "padding and stride 10⁵": """
X, W = torch.randn(1, 1, 2, 2), torch.randn(1, 1, 1, 1)
Y = conv2d(X, W, padding=10**5, stride=10**5)
check(Y, F.conv2d(X, W, padding=10**5, stride=10**5))
""",
    # Depthwise, stride 1000 on 8000 images of 3×3: one output cell each.
    "stride 1000 on 3×3 images": """
X, W = torch.randn(8000, 1, 3, 3), torch.randn(1, 1, 3, 3)
check(conv2d(X, W, stride=1000), F.conv2d(X, W, stride=1000))
""",
    # A 400×400 kernel on a 400×400 image: one output cell, 160,000 taps (summed in
    # float64, so that the two orders of summation agree to the tolerance).
    "400×400 kernel": """
X = torch.randn(1, 1, 400, 400, dtype=torch.float64)
W = torch.randn(1, 1, 400, 400, dtype=torch.float64)
check(conv2d(X, W), F.conv2d(X, W))
""",
    # The same with 16 channels: a column matrix of 2.5 million numbers, in parts.
    # (PyTorch takes 200 MiB here: the one output cell per channel is checked by hand.)
    "400×400 kernel, 16 channels": """
X, W = torch.randn(1, 16, 400, 400, dtype=torch.float64), torch.randn(2, 16, 400, 400)
check(conv2d(X, W.double()), (X * W).sum((1, 2, 3)).reshape(1, 2, 1, 1))
""",
    # Taps 10⁵ apart, padding 10⁵: each window meets the 2×2 image with one tap.
    "dilation and padding 10⁵": """
X, W = torch.randn(2, 3, 2, 2), torch.randn(4, 3, 2, 2)
args = dict(padding=10**5, dilation=10**5, stride=10**5)
check(conv2d(X, W, **args), F.conv2d(X, W, **args))
""",
    # 'same' padding for a 101×101 kernel on 1000 tiny images.
    "huge kernel, 'same' padding, many small images": """
X, W = torch.randn(1000, 1, 2, 2), torch.randn(1, 1, 101, 101)
check(conv2d(X, W, padding="same"), F.conv2d(X, W, padding="same"))
""",
    # A full-padding 60×60 kernel on a 2×2 image: 61×61 outputs, each reads ≤ 4 inputs.
    "full padding, huge kernel, small image": """
X, W = torch.randn(1, 2, 2, 2), torch.randn(2, 1, 60, 60)
check(conv2d(X, W, padding=59, groups=2), F.conv2d(X, W, padding=59, groups=2))
""",
    # A dilation of 1000 along the width only, padded to match.
    "dilation 1000 on one axis": """
X, W = torch.randn(16, 3, 64, 64), torch.randn(8, 3, 3, 3)
args = dict(dilation=(1, 1000), padding=(1, 1000))
check(conv2d(X, W, **args), F.conv2d(X, W, **args))
""",
    # Gradients through the cut-down convolution: no padded copy there either. Only
    # the middle one of 3×3 windows meets the image, as with padding 100, stride 99
    # (where PyTorch's own backward pass stays small enough to compare with).
    "gradients with padding and stride 10⁵": """
X = torch.randn(4, 3, 5, 5, requires_grad=True)
W = torch.randn(2, 3, 3, 3, requires_grad=True)
conv2d(X, W, padding=10**5, stride=10**5 - 1).sum().backward()
X2, W2 = X.detach().requires_grad_(), W.detach().requires_grad_()
F.conv2d(X2, W2, padding=100, stride=99).sum().backward()
check(X.grad, X2.grad)
check(W.grad, W2.grad)
""",
}


@pytest.mark.parametrize("snippet", CASES.values(), ids=CASES.keys())
def test_large_arguments_cost_little(snippet) -> None:
    cost = cost_of(CHECKED + snippet, timeout=60)
    assert cost.error is None
    assert cost.mib < MIB and cost.seconds < SECONDS, cost


REFUSED = {
    # 2×2 padded by 10⁶ on each side, stride 1: 2,000,002² outputs (16 TB).
    "padding 10⁶": "conv2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 1, 1), padding=10**6)",
    # Astronomical padding: PyTorch cannot even read the number.
    "padding 10³⁰": "conv2d(torch.ones(1, 2, 2), torch.ones(1, 1, 1, 1), padding=10**30)",
    # No image, but one image's result would already be too big.
    "batch of none": "conv2d(torch.ones(0, 1, 2, 2), torch.ones(1, 1, 1, 1), padding=10**6)",
}


@pytest.mark.parametrize("call", REFUSED.values(), ids=REFUSED.keys())
def test_results_too_big_are_refused_before_allocating(call) -> None:
    cost = cost_of(f"import torch\nfrom convlab.kernels import conv2d\n{call}", timeout=60)
    assert cost.error is not None and cost.error.startswith("ValueError")
    assert "refused before allocating" in cost.error
    assert cost.mib < 50 and cost.seconds < 1, cost


LOOPS = {
    # The teaching loops go output cell by output cell: a big kernel on a small
    # image is a few cells, each one product of the kernel's size.
    "corr2d, 1000×1000 kernel": (
        "corr2d(torch.randn(1001, 1002), torch.randn(1000, 1000))",
        "(2, 3)",
    ),
    "corr2d_multi_out, 3 channels": (
        "corr2d_multi_out(torch.randn(3, 300, 300), torch.randn(2, 3, 299, 298))",
        "(2, 2, 3)",
    ),
    "convolve1d, long signals": (
        "convolve1d(torch.randn(2000), torch.randn(10**5))",
        "(101999,)",
    ),
}


@pytest.mark.parametrize(("call", "shape"), LOOPS.values(), ids=LOOPS.keys())
def test_the_loops_cost_what_their_output_cells_cost(call, shape) -> None:
    snippet = f"""
import torch
from convlab.kernels import corr2d, corr2d_multi_out, convolve1d
assert tuple({call}.shape) == {shape}
"""
    cost = cost_of(snippet, timeout=60)
    assert cost.error is None
    assert cost.mib < MIB and cost.seconds < SECONDS, cost
