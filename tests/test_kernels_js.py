"""The browser's kernels (static/src/kernels/, run in Node) agree with convlab.kernels, and the
stepper's texts with Python's."""

from __future__ import annotations

import random

import torch
from jsmath import run_js

from convlab import kernels
from convlab.widgets.stepper import size_problem
from convlab.widgets.text import format_number, spelled_sum


def random_conv_case(rng: random.Random) -> dict:
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    dh, dw = rng.randint(1, 3), rng.randint(1, 3)
    ph, pw = rng.randint(0, 2), rng.randint(0, 2)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    # Big enough for the dilated kernel to fit in the padded input.
    low_h, low_w = max(1, dh * (kh - 1) + 1 - 2 * ph), max(1, dw * (kw - 1) + 1 - 2 * pw)
    nh, nw = rng.randint(low_h, low_h + 6), rng.randint(low_w, low_w + 6)
    X = [[rng.randint(-9, 9) / rng.choice([1, 2, 4]) for _ in range(nw)] for _ in range(nh)]
    K = [[rng.randint(-5, 5) / rng.choice([1, 2]) for _ in range(kw)] for _ in range(kh)]
    options = {"stride": [sh, sw], "padding": [ph, pw], "dilation": [dh, dw]}
    return ("correlate2d", [X, K, options])


def test_correlate2d_matches_conv2d_on_random_cases():
    rng = random.Random(0)
    cases = [random_conv_case(rng) for _ in range(300)]
    results = run_js("kernels/correlation.js", cases)
    for (_, (X, K, options)), got in zip(cases, results, strict=True):
        X = torch.tensor(X, dtype=torch.float64)
        W = torch.tensor(K, dtype=torch.float64)[None, None]
        expected = kernels.conv2d(X[None], W, **options)[0]
        torch.testing.assert_close(torch.tensor(got, dtype=torch.float64), expected)


def test_convolve2d_matches_python():
    rng = random.Random(1)
    cases = []
    for _ in range(50):
        n, k = rng.randint(1, 8), rng.randint(1, 5)
        k = min(k, n)
        X = [[rng.randint(-9, 9) for _ in range(n)] for _ in range(n)]
        K = [[rng.randint(-3, 3) for _ in range(k)] for _ in range(k)]
        cases.append(("convolve2d", [X, K]))
    for (_, (X, K)), got in zip(cases, run_js("kernels/correlation.js", cases), strict=True):
        X, K = torch.tensor(X, dtype=torch.float64), torch.tensor(K, dtype=torch.float64)
        torch.testing.assert_close(torch.tensor(got, dtype=torch.float64), kernels.convolve2d(X, K))


def test_output_size_matches_python():
    rng = random.Random(2)
    cases = []
    for _ in range(200):
        k, d, p, s = rng.randint(1, 5), rng.randint(1, 3), rng.randint(0, 3), rng.randint(1, 4)
        n = rng.randint(max(1, d * (k - 1) + 1 - 2 * p), 20)
        cases.append(("outputSize", [n, k, s, p, d]))
    for (_, (n, k, s, p, d)), got in zip(cases, run_js("kernels/shapes.js", cases), strict=True):
        assert got == kernels.output_size(n, k, stride=s, padding=p, dilation=d)


def test_messages_and_number_format_match_python():
    sizes = [(3, 3, 2, 2), (3, 3, 5, 2), (2, 8, 2, 5), (8, 1, 1, 2), (1, 1, 1, 1)]
    numbers = [0, 19, -3, 0.5, -1.2345, 2 / 3, 1e-4, -0.0004, 123.4567, 7.0]
    sums = [[(0, 0), (1, 1), (3, 2), (4, 3)], [(-1.5, 2), (3, -0.25)], [(2 / 3, 3)]]
    problems = run_js("widgets/stepper.js", [("sizeProblem", list(s)) for s in sizes])
    assert problems == [size_problem(*s) for s in sizes]
    cases = [("formatNumber", [v]) for v in numbers]
    cases += [("spelledSum", [[{"x": x, "k": k} for x, k in t]]) for t in sums]
    expected = [format_number(v) for v in numbers] + [spelled_sum(t) for t in sums]
    assert run_js("widgets/text.js", cases) == expected


def test_resizing_a_grid_keeps_its_numbers():
    M = [[1.5, 2.0], [3.0, -4.0]]
    cases = [("resized", [M, 3, 3]), ("resized", [M, 1, 1]), ("resized", [M, 2, 4])]
    expected = [
        [[1.5, 2.0, 2], [3.0, -4.0, 5], [6, 7, 8]],  # new cells count on from 0, row by row
        [[1.5]],
        [[1.5, 2.0, 2, 3], [3.0, -4.0, 6, 7]],
    ]
    assert run_js("widgets/stepper.js", cases) == expected
