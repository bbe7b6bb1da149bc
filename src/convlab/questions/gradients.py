# ruff: noqa: E501  (questions are prose: one line per sentence reads better than wrapped strings)
"""Questions on gradients: of the kernel (chapter 3), of the bias, of the input (chapter 9).

∂L/∂K for L = Σ (Ŷ − Y)² is ``convlab.training.kernel_gradient`` (2·corr2d(X, R));
the input's gradient is ``convlab.kernels.conv2d_backward``'s (the full
convolution of the output's gradient with K).
"""

from __future__ import annotations

import torch

from convlab import kernels
from convlab.questions.base import number, question, signed, spelled
from convlab.questions.seeds import Draw
from convlab.training import kernel_gradient


def _t(rows) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float64)


def _plain(value) -> float:
    v = float(value)
    return int(v) if v.is_integer() else v


def kernel_gradient_question(seed: int) -> dict:
    """Chapter 3: one entry of ∂L/∂K for a 1 × 2 kernel, the residual given."""
    r = Draw(seed)
    X = r.grid(2, 4, 0, 3)
    R = r.grid(2, 3, -2, 2)
    b = r.whole(0, 1)
    G = kernel_gradient(_t(X), _t(R))
    terms = [(R[i][j], X[i][j + b]) for i in range(2) for j in range(3)]
    return question(
        "kernel-gradient",
        seed,
        title="The gradient is a cross-correlation",
        prompt=(
            f"A 1 × 2 kernel K = [k₀, k₁] is applied to X by corr2d; R = Ŷ − Y is the residual of "
            f"the summed squared loss L = Σ (ŷ − y)². What is ∂L/∂k_{b}?"
        ),
        grids=[("input X", X), ("residual R = Ŷ − Y", R)],
        answer=_plain(G[0, b]),
        mistakes=[
            ("forgetting the factor 2", _plain(G[0, b]) / 2, "The derivative of r² is 2r."),
            (
                "taking the residual the other way round",
                -_plain(G[0, b]),
                "R is Ŷ − Y; with Y − Ŷ every term changes sign.",
            ),
            (
                "pairing the residual with the other tap's pixels",
                _plain(G[0, 1 - b]),
                f"k_{b} multiplies x[i, j + {b}] in output (i, j): pair r[i, j] with that pixel.",
            ),
        ],
        hint="∂L/∂k_b = Σ 2·r[i, j]·x[i, j + b]: every residual times the pixel k_b multiplied there.",
        solution=[
            f"Σ r[i, j]·x[i, j + {b}] = {spelled(terms)}.",
            f"Times 2: ∂L/∂k_{b} = {number(_plain(G[0, b]))}.",
        ],
        params={"X": X, "R": R, "b": b},
    )


def bias_gradient(seed: int) -> dict:
    """Chapter 3: the bias's gradient under the mean loss."""
    r = Draw(seed)
    while True:
        R = r.grid(2, 4, -3, 3)
        total = sum(sum(row) for row in R)
        if total != 0:
            break
    n = 8
    answer = 2 * total / n
    shown = f"({signed(total)})" if total < 0 else signed(total)
    return question(
        "bias-gradient",
        seed,
        title="A mean loss and a bias",
        prompt=(
            "A layer adds a bias b to every output; the loss is the mean L = (1/N) Σ (ŷ − y)² over "
            "the N outputs. With the residual R = Ŷ − Y below, what is ∂L/∂b? (Two decimals are enough.)"
        ),
        grids=[("residual R = Ŷ − Y", R)],
        answer=answer,
        mistakes=[
            (
                "forgetting to divide by N",
                2 * total,
                f"The mean divides the sum by the N = {n} outputs.",
            ),
            ("forgetting the factor 2", total / n, "The derivative of r² is 2r."),
        ],
        hint="∂ŷ/∂b = 1 for every output, so ∂L/∂b = (2/N) Σ r.",
        solution=[
            f"Σ r = {signed(total)}, over N = {n} outputs.",
            f"∂L/∂b = (2/N)·Σ r = 2·{shown}/{n} = {signed(answer)}.",
        ],
        params={"R": R},
    )


def gd_step(seed: int) -> dict:
    """Chapter 3: one step of gradient descent on one weight."""
    r = Draw(seed)
    k = r.whole(-8, 8) / 4
    g = r.pick((-6, -4, -3, -2, -1, 1, 2, 3, 4, 6))
    lr = r.pick((0.05, 0.1, 0.25, 0.5))
    answer = k - lr * g
    return question(
        "gd-step",
        seed,
        title="One step downhill",
        prompt=(
            f"A weight is k = {signed(k)} and the loss's gradient there is ∂L/∂k = {signed(g)}. "
            f"What is k after one gradient-descent step with learning rate η = {number(lr)}?"
        ),
        answer=answer,
        mistakes=[
            ("adding the gradient", k + lr * g, "Descent moves against the gradient: k − η·∂L/∂k."),
            ("forgetting the learning rate", k - g, "The step is the gradient times η."),
        ],
        hint="k ← k − η·∂L/∂k.",
        solution=[f"k − η·∂L/∂k = {signed(k)} − {number(lr)}·({signed(g)}) = {signed(answer)}."],
        params={"k": k, "g": g, "lr": lr},
    )


def input_gradient(seed: int) -> dict:
    """Chapter 9: one entry of ∂L/∂X for Y = corr2d(X, K), given ∂L/∂Y."""
    r = Draw(seed)
    K = r.grid(2, 2, -2, 3)
    G = r.grid(2, 2, -2, 2)
    i, j = r.whole(0, 2), r.whole(0, 2)
    x = torch.zeros(1, 1, 3, 3, dtype=torch.float64)
    dX = kernels.conv2d_backward(x, _t(K)[None, None], _t(G)[None, None]).input[0, 0]
    flipped = _t(K).flip(0, 1)[None, None]
    unflipped = kernels.conv2d_backward(x, flipped, _t(G)[None, None]).input[0, 0]
    terms = [
        (G[i - a][j - b], K[a][b])
        for a in range(2)
        for b in range(2)
        if 0 <= i - a < 2 and 0 <= j - b < 2
    ]
    return question(
        "input-gradient",
        seed,
        title="The gradient with respect to the input",
        prompt=(
            "Y = corr2d(X, K) for a 3 × 3 input X and the 2 × 2 kernel K below; G = ∂L/∂Y is "
            f"the gradient arriving from above. What is ∂L/∂X[{i}, {j}]?"
        ),
        grids=[("kernel K", K), ("G = ∂L/∂Y", G)],
        answer=_plain(dX[i, j]),
        mistakes=[
            (
                "not flipping the kernel",
                _plain(unflipped[i, j]),
                "∂L/∂X is G padded and convolved with K: K turned by 180°, or equally each g "
                "scattering a copy of K as it stands.",
            ),
            (
                "keeping only the output cell of the same index",
                _plain(G[i][j] * K[0][0]) if i < 2 and j < 2 else 0,
                f"X[{i}, {j}] is read by every output whose window covers it, through a different tap each time.",
            ),
        ],
        hint="X[i, j] reaches Y[i − a, j − b] through tap K[a, b]: add G[i − a, j − b]·K[a, b] over the outputs that exist.",
        solution=[
            f"The outputs that read X[{i}, {j}]: "
            + ", ".join(
                f"Y[{i - a}, {j - b}] through K[{a}, {b}]"
                for a in range(2)
                for b in range(2)
                if 0 <= i - a < 2 and 0 <= j - b < 2
            )
            + ".",
            f"∂L/∂X[{i}, {j}] = {spelled(terms)}.",
        ],
        params={"K": K, "G": G, "i": i, "j": j},
    )
