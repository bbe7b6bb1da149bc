"""The quiz: questions drawn from a seed, answered by convlab, checked against PyTorch
and hand counts; the browser draws and grades the same (Node); the widget grades in Python."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from jsmath import run_js
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from convlab import questions
from convlab.questions.grading import parse
from convlab.questions.registry import CHAPTERS, KINDS
from convlab.questions.seeds import Draw
from convlab.widgets import Quiz

SEEDS = range(40)  # per kind, against the references (each draw runs convlab's kernels)
JS_SEEDS = [*range(200), *random.Random(16).sample(range(2**32), 20), 2**32 - 1]


def t(rows) -> torch.Tensor:
    return torch.tensor(rows, dtype=torch.float64)


def zeros(*shape: int) -> torch.Tensor:
    return torch.zeros(shape, dtype=torch.float64)


def n_params(*layers: nn.Module) -> int:
    return sum(p.numel() for layer in layers for p in layer.parameters())


def macs(fn) -> int:
    """Multiply-adds PyTorch's FLOP counter counts (2 FLOPs each) while fn runs."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops() // 2


def grad_cells(out_cell, X: torch.Tensor) -> list[int]:
    """The input cells (r·cols + c) that output cell's gradient reaches."""
    X.grad = None
    out_cell.backward()
    return sorted(int(v) for v in torch.nonzero(X.grad.flatten()).flatten())


def one_d_field(layers) -> int:
    """Receptive field of a 1-D stack by autograd: the span of the input cells reached."""
    x = torch.zeros(1, 1, 400, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, d in layers:
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
    y[0, 0, y.shape[-1] // 2].backward()
    cells = torch.nonzero(x.grad.flatten()).flatten()
    return int(cells.max() - cells.min() + 1)


def lenet_shapes(n, c1, c2, k=3, p=1):
    net = nn.Sequential(
        nn.Conv2d(1, c1, k, padding=p),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, k, padding=p),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
    )
    features = net(zeros(1, 1, n, n).float()).shape[-1]
    return net, features


def kernel_gradient(p):
    X, R, b = t(p["X"]), t(p["R"]), p["b"]
    K0 = zeros(1, 1, 1, 2)
    Y = F.conv2d(X[None, None], K0) - R[None, None]  # so that Ŷ − Y = R at K0
    K = K0.clone().requires_grad_()
    ((F.conv2d(X[None, None], K) - Y) ** 2).sum().backward()
    return K.grad[0, 0, 0, b].item()


def bias_gradient(p):
    R = t(p["R"])
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    Y = -R  # ŷ = b = 0, so Ŷ − Y = R
    ((b - Y) ** 2).mean().backward()
    return b.grad.item()


def gd_step(p):
    w = nn.Parameter(torch.tensor([p["k"]], dtype=torch.float64))
    w.grad = torch.tensor([float(p["g"])], dtype=torch.float64)
    torch.optim.SGD([w], lr=p["lr"]).step()
    return w.item()


def window_cells(p):
    n, k, s, d, i, j = (p[key] for key in ("n", "k", "s", "d", "i", "j"))
    X = zeros(1, 1, n, n).requires_grad_()
    Y = F.conv2d(X, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s, dilation=d)
    return grad_cells(Y[0, 0, i, j], X)


def input_gradient(p):
    X = zeros(1, 1, 3, 3).requires_grad_()
    (F.conv2d(X, t(p["K"])[None, None]) * t(p["G"])).sum().backward()
    return X.grad[0, 0, p["i"], p["j"]].item()


def same_padding(p):
    n, k, d = p["n"], p["k"], p["d"]
    for pad in range(0, d * k + 1):  # the first padding that keeps n
        try:
            out = F.conv2d(zeros(1, 1, n, n), zeros(1, 1, k, k), padding=pad, dilation=d)
        except RuntimeError:  # the kernel does not fit yet
            continue
        if out.shape[-1] == n:
            return pad
    raise AssertionError("no padding keeps the size")


def separable_macs(p):
    m, n, k, h = p["m"], p["n"], p["k"], p["h"]
    x = zeros(1, m, h + k - 1, h + k - 1)  # an input whose k × k output is h × h
    dw, pw = zeros(m, 1, k, k), zeros(n, m, 1, 1)
    return macs(lambda: F.conv2d(F.conv2d(x, dw, groups=m), pw))


# Each kind's answer from PyTorch or by counting by hand, from the numbers it drew.
REFERENCES = {
    "dense-params": lambda p: n_params(
        nn.Linear(p["c"] * p["side"] ** 2, p["units"], device="meta")
    ),
    "local-weights": lambda p: len(
        [
            (a, b)
            for a in range(-p["delta"], p["delta"] + 1)
            for b in range(-p["delta"], p["delta"] + 1)
        ]
    ),
    "shared-weights": lambda p: len(
        {
            (i - a, j - b)
            for i in range(p["h"])
            for a in range(p["h"])
            for j in range(p["w"])
            for b in range(p["w"])
        }
    ),
    "corr-size": lambda p: list(F.conv2d(zeros(1, 1, *p["n"]), zeros(1, 1, *p["k"])).shape[-2:]),
    "corr-value": lambda p: F.conv2d(t(p["X"])[None, None], t(p["K"])[None, None])[
        0, 0, p["i"], p["j"]
    ].item(),
    "conv-value": lambda p: F.conv2d(t(p["X"])[None, None], t(p["K"]).flip(0, 1)[None, None])[
        0, 0, p["i"], p["j"]
    ].item(),
    "kernel-gradient": kernel_gradient,
    "bias-gradient": bias_gradient,
    "gd-step": gd_step,
    "padded-size": lambda p: F.conv2d(
        zeros(1, 1, p["n"], p["n"]), zeros(1, 1, p["k"], p["k"]), padding=p["p"]
    ).shape[-1],
    "strided-size": lambda p: F.conv2d(
        zeros(1, 1, p["n"], p["n"]), zeros(1, 1, p["k"], p["k"]), stride=p["s"], padding=p["p"]
    ).shape[-1],
    "same-padding": same_padding,
    "stride-cells": window_cells,
    "multi-in-value": lambda p: F.conv2d(
        t(p["X"])[None], t(p["K"])[None], torch.tensor([float(p["b"])], dtype=torch.float64)
    )[0, 0, p["i"], p["j"]].item(),
    "layer-params": lambda p: n_params(nn.Conv2d(p["ci"], p["co"], p["k"], device="meta")),
    "layer-macs": lambda p: macs(
        lambda: F.conv2d(
            zeros(1, p["ci"], p["n"], p["n"]),
            zeros(p["co"], p["ci"], p["k"], p["k"]),
            padding=p["p"],
        )
    ),
    "pool-size": lambda p: nn.MaxPool2d(p["k"], p["s"], p["p"])(zeros(1, 1, p["n"], p["n"])).shape[
        -1
    ],
    "max-pool-value": lambda p: F.max_pool2d(t(p["X"])[None, None], 2)[0, 0, p["i"], p["j"]].item(),
    "avg-pool-padded": lambda p: F.avg_pool2d(t(p["X"])[None, None], 2, padding=1)[
        0, 0, p["i"], p["j"]
    ].item(),
    "grouped-params": lambda p: n_params(
        nn.Conv2d(p["m"], p["n"], p["k"], groups=p["g"], device="meta")
    ),
    "separable-params": lambda p: n_params(
        nn.Conv2d(p["m"], p["m"], p["k"], groups=p["m"], device="meta"),
        nn.Conv2d(p["m"], p["n"], 1, device="meta"),
    ),
    "separable-macs": separable_macs,
    "dilated-size": lambda p: F.conv2d(
        zeros(1, 1, p["n"], p["n"]), zeros(1, 1, p["k"], p["k"]), padding=p["p"], dilation=p["d"]
    ).shape[-1],
    "dilated-cells": window_cells,
    "stack-field": lambda p: one_d_field(p["layers"]),
    "transposed-size": lambda p: F.conv_transpose2d(
        zeros(1, 1, p["n"], p["n"]), zeros(1, 1, p["k"], p["k"]), stride=p["s"], padding=p["p"]
    ).shape[-1],
    "transposed-value": lambda p: F.conv_transpose2d(
        t(p["X"])[None, None], t(p["K"])[None, None], stride=p["s"]
    )[0, 0, p["i"], p["j"]].item(),
    "input-gradient": input_gradient,
    "lenet-side": lambda p: nn.Sequential(
        nn.Conv2d(1, 1, p["k"], padding=p["p"]),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(1, 1, p["k"], padding=p["p"]),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )(torch.zeros(1, 1, p["n"], p["n"])).shape[-1],
    "lenet-features": lambda p: lenet_shapes(p["n"], p["c1"], p["c2"])[1],
    "lenet-params": lambda p: (
        n_params(lenet_shapes(p["n"], p["c1"], p["c2"])[0])
        + n_params(nn.Linear(lenet_shapes(p["n"], p["c1"], p["c2"])[1], 10))
    ),
    "loop-calls": lambda p: 4 * F.unfold(zeros(1, 1, p["n"], p["n"]), p["k"]).shape[-1],
    "im2col-shape": lambda p: list(
        F.unfold(zeros(1, p["c"], p["n"], p["n"]), p["k"], stride=p["s"]).shape[1:]
    ),
    "im2col-elements": lambda p: F.unfold(zeros(1, p["c"], p["n"], p["n"]), p["k"]).numel(),
}


def as_list(v) -> list:
    return v if isinstance(v, list) else [v]


def test_every_chapter_asks_three_kinds_or_more_and_each_kind_once():
    assert set(CHAPTERS) == {f"ch{n:02}" for n in range(1, 11)} | {"appendix"}
    assert all(len(kinds) >= 3 for kinds in CHAPTERS.values())
    listed = [k for kinds in CHAPTERS.values() for k in kinds]
    assert sorted(listed) == sorted(KINDS) and len(set(listed)) == len(listed)
    assert set(REFERENCES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_answers_match_pytorch_and_hand_counts(kind):
    for seed in SEEDS:
        q = questions.draw(kind, seed)
        want = as_list(REFERENCES[kind](q["params"]))
        assert len(q["answer"]) == len(want), (kind, seed)
        for got, ref in zip(q["answer"], want, strict=True):
            assert math.isclose(got, ref, rel_tol=1e-9, abs_tol=1e-9), (
                kind,
                seed,
                q["answer"],
                want,
            )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_question_is_complete_and_its_mistakes_are_wrong(kind):
    named = set()
    for seed in SEEDS:
        q = questions.draw(kind, seed)
        assert (
            q["kind"] == kind
            and q["seed"] == seed
            and q["title"]
            and q["prompt"].endswith(("?", ".", ")"))
        )
        assert q["hint"] and q["solution"]
        assert bool(q["cells"]) != bool(q["fields"])
        answers = [q["answer"], *(m["answer"] for m in q["mistakes"])]
        assert len({tuple(a) for a in answers}) == len(answers)  # every mistake tells itself apart
        for m in q["mistakes"]:
            assert m["why"] and m["name"]
            named.add(m["name"])
        # The worked solution ends on the answer (numbers questions).
        if q["fields"] and len(q["answer"]) == 1 and float(q["answer"][0]).is_integer():
            assert f"{int(q['answer'][0]):,}".replace("-", "−") in " ".join(q["solution"]), (
                kind,
                seed,
                q["solution"],
            )
    assert named, f"{kind}: no known mistake over {len(SEEDS)} seeds"


def test_the_same_seed_draws_the_same_question_and_seeds_differ():
    assert questions.draw("strided-size", 7) == questions.draw("strided-size", 7)
    prompts = {questions.draw("strided-size", s)["prompt"] for s in range(30)}
    assert len(prompts) > 20


def test_the_generator_draws_whole_numbers_evenly():
    r = Draw(2024)
    draws = [r.whole(1, 6) for _ in range(6000)]
    assert set(draws) == set(range(1, 7))
    assert all(900 < draws.count(v) < 1100 for v in range(1, 7))
    assert Draw(0).unit() != Draw(1).unit()


def test_named_mistakes_of_the_brief():
    names = {m["name"] for k in KINDS for s in SEEDS for m in questions.draw(k, s)["mistakes"]}
    for mistake in (
        "forgetting the + 1",
        "counting the padding on one side only",
        "flipping the kernel",
        "forgetting the floor",
        "ignoring the dilation",
        "leaving out the bias",
        "leaving out the input channels",
        "leaving out the channels",
        "forgetting the stride",
    ):
        assert mistake in names


def test_grading_in_python():
    q = questions.draw("strided-size", 5)  # 6 × 6 input, k 3, p 2, s 3: ⌊7/3⌋ + 1 = 3
    assert q["answer"] == [3]
    assert questions.grade(q, "3")["status"] == "right"
    assert questions.grade(q, 3) == {"status": "right", "message": "Right: 3.", "mistake": ""}
    floor = questions.grade(q, "3.33")
    assert floor["status"] == "mistake" and floor["mistake"] == "forgetting the floor"
    assert floor["message"].startswith("Not quite: that answer comes from forgetting the floor.")
    assert questions.grade(q, "4")["mistake"] == "rounding up instead of down"
    assert questions.grade(q, "2")["mistake"] == "forgetting the + 1"
    assert questions.grade(q, "17")["status"] == "not yet"
    assert questions.grade(q, "17")["message"].startswith("Not yet. Hint: ⌊(n + 2p − k)/s⌋ + 1")
    assert questions.grade(q, "three")["status"] == "invalid"
    assert questions.grade(q, " ")["message"] == "Output side: type a number first."
    cells = questions.draw("stride-cells", 5)
    assert (
        questions.grade(
            cells, [(0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4), (2, 2), (2, 3), (2, 4)]
        )["status"]
        == "right"
    )
    assert (
        questions.grade(cells, [1, 2, 3, 8, 9, 10, 15, 16, 17])["mistake"]
        == "forgetting the stride"
    )
    assert questions.grade(cells, [])["status"] == "invalid"
    shape = questions.draw("corr-size", 3)
    assert questions.grade(shape, [str(v) for v in shape["answer"]])["message"].startswith(
        "Right: output rows"
    )


def test_parse_reads_what_learners_type():
    assert (
        parse("−3") == -3
        and parse("3,600") == 3600
        and parse(" 2.5 ") == 2.5
        and parse(".5") == 0.5
    )
    for text in ("", "abc", "1e3", "inf", "nan", "2/3", "--1"):
        assert parse(text) is None
    texts = ["−3", "3,600", " 2.5 ", ".5", "+4", "1.", "", "abc", "1e3", "inf", "2/3", "0x10"]
    assert run_js("questions/grading.js", [("parse", [text]) for text in texts]) == [
        parse(text) for text in texts
    ]


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="^kind"):
        questions.draw("no-such-kind", 1)
    with pytest.raises(ValueError, match="^seed"):
        questions.draw("corr-size", 2**32)
    with pytest.raises(ValueError, match="^chapter"):
        questions.chapter_kinds("ch99")
    with pytest.raises(ValueError, match="^question"):
        questions.grade({"kind": "corr-size", "seed": 1}, "3")
    q = questions.draw("corr-size", 1)
    with pytest.raises(ValueError, match="^response: this question asks for 2 numbers"):
        questions.grade(q, "3")
    with pytest.raises(ValueError, match="^response cell"):
        questions.grade(questions.draw("stride-cells", 1), [99])


def test_the_browser_draws_the_same_questions():
    calls = [("draw", [kind, seed]) for kind in sorted(KINDS) for seed in JS_SEEDS]
    results = run_js("questions/registry.js", calls)
    for (_, (kind, seed)), js in zip(calls, results, strict=True):
        py = questions.draw(kind, seed)
        # Numbers to the last bit but for a division's rounding; every text exactly.
        assert same(py, js), (kind, seed, py, js)


def same(a, b) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, int | float) and not isinstance(a, bool):
        return isinstance(b, int | float) and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def test_the_browser_grades_the_same_and_knows_the_same_chapters():
    calls, expected = [], []
    for kind in sorted(KINDS):
        for seed in range(25):
            q = questions.draw(kind, seed)
            if q["cells"]:
                n = q["cells"]["cols"]
                tries = [q["answer"], *(m["answer"] for m in q["mistakes"]), [0, n * n - 1], []]
            else:

                def texts(values):
                    return [f"{v:,}" if float(v).is_integer() else f"{v:.2f}" for v in values]

                tries = [texts(q["answer"]), *(texts(m["answer"]) for m in q["mistakes"])]
                tries += [
                    ["123456789"] * len(q["fields"]),
                    ["x"] * len(q["fields"]),
                    [""] * len(q["fields"]),
                ]
            for response in tries:
                calls.append(("gradeResponse", [q, response]))
                expected.append(questions.grade(q, response))
    assert run_js("questions/grading.js", calls) == expected
    statuses = {v["status"] for v in expected}
    assert statuses == {"right", "mistake", "not yet", "invalid"}
    kinds = run_js("questions/registry.js", [("chapterKinds", [c]) for c in CHAPTERS])
    assert kinds == [list(CHAPTERS[c]) for c in CHAPTERS]


class Sent(list):
    """What the widget sends the view (its custom messages)."""


def test_the_widget_grades_in_python():
    quiz = Quiz("ch04", question=1, seed=5)
    sent = Sent()
    quiz.send = sent.append  # no front end here: keep the messages
    assert repr(quiz) == (
        "Quiz(ch04: 4 kinds of question; question 2, 'Stride', seed 5: answer 3, 4 known mistakes)"
    )
    assert quiz.check("3.33").startswith("Not quite: that answer comes from forgetting the floor.")
    assert quiz.verdict["mistake"] == "forgetting the floor"
    assert sent[-1]["verdict"] == quiz.verdict and sent[-1]["kind"] == "strided-size"
    # As the view sends a response: graded here, the verdict sent back.
    quiz._on_message(quiz, {"response": ["3"], "kind": "strided-size", "seed": 5}, [])
    assert sent[-1] == {
        "verdict": {"status": "right", "message": "Right: 3.", "mistake": ""},
        "seed": 5,
        "kind": "strided-size",
    }
    quiz.seed = 6  # another one
    assert quiz.verdict == {}
    quiz._on_message(quiz, {"response": ["3"], "kind": "strided-size", "seed": 5}, [])
    assert sent[-1]["verdict"]["status"] == "invalid"  # an answer to the old question
    quiz._on_message(quiz, {"response": ["x", "y"], "kind": "strided-size", "seed": 6}, [])
    assert sent[-1]["verdict"]["message"].startswith("response:")  # explained, never raised
    assert Quiz("ch02", question=3).compute()["kind"] == "conv-value"  # past the last: the last
    with pytest.raises(ValueError, match="^chapter"):
        Quiz("ch99")


NOTEBOOKS = {
    "ch01": "ch01_dense_to_convolution",
    "ch02": "ch02_cross_correlation",
    "ch03": "ch03_learning_an_edge_detector",
    "ch04": "ch04_padding_and_stride",
    "ch05": "ch05_channels",
    "ch06": "ch06_pooling",
    "ch07": "ch07_depthwise_separable",
    "ch08": "ch08_dilation_and_receptive_fields",
    "ch09": "ch09_backward_and_transposed",
    "ch10": "ch10_a_whole_network",
    "appendix": "appendix_loops_im2col",
}


@pytest.mark.parametrize("chapter", sorted(NOTEBOOKS))
def test_each_chapter_ends_with_its_quiz_before_the_exercises(chapter):
    book = Path(__file__).resolve().parents[1] / "book"
    cells = json.loads((book / f"{NOTEBOOKS[chapter]}.ipynb").read_text(encoding="utf-8"))["cells"]
    texts = ["".join(c["source"]) for c in cells]
    heading = next(i for i, t in enumerate(texts) if t.startswith("## Check yourself"))
    assert cells[heading + 1]["cell_type"] == "code"
    assert texts[heading + 1].endswith(f'Quiz("{chapter}")')
    assert texts[heading + 2].startswith("## Exercises")
    shown = "".join(cells[heading + 1]["outputs"][0]["data"]["text/plain"])
    assert shown == repr(Quiz(chapter))
