"""The LeNet of the capstone: built twice, trained briefly, counted and inspected.

References are torch.nn (the same network from PyTorch's layers), numbers
worked by hand (parameters, multiply-adds, receptive fields), and direct
PyTorch computations of what each helper reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from convlab import layers
from convlab.digits import Digits, load_digits
from convlab.network import (
    accuracy,
    confusion_matrix,
    feature_maps,
    first_filters,
    layer_counts,
    lenet,
    misclassified,
    predict,
    receptive_fields,
    shift,
    shift_accuracy,
    train,
)
from convlab.receptive_field import Field


@pytest.fixture(scope="module")
def digits():
    """The digits in float64, the networks' default dtype."""
    d = load_digits()
    return Digits(d.train_images.double(), d.train_labels, d.test_images.double(), d.test_labels)


@pytest.fixture(scope="module")
def trained(digits):
    """Both networks after a short training on part of the data (a few seconds)."""
    part = Digits(
        digits.train_images[:500], digits.train_labels[:500], digits.test_images, digits.test_labels
    )
    networks = {"torch": lenet("torch"), "convlab": lenet("convlab")}
    return networks, train(networks, part, epochs=4, batch_size=25)


# --- The network ---------------------------------------------------------------------


@pytest.mark.parametrize("separable", [False, True])
def test_both_kinds_start_alike_and_compute_alike(digits, separable):
    ours, theirs = lenet("convlab", separable=separable), lenet("torch", separable=separable)
    assert isinstance(ours.conv1, layers.Conv2d) and type(theirs.conv1) is nn.Conv2d
    assert isinstance(ours.pool1, layers.MaxPool2d) and type(theirs.pool1) is nn.MaxPool2d
    for (name, a), (other, b) in zip(
        ours.state_dict().items(), theirs.state_dict().items(), strict=True
    ):
        assert name == other and torch.equal(a, b)
    assert ours.conv1.weight.dtype == theirs.fc.bias.dtype == torch.float64
    X = digits.test_images[:50]
    torch.testing.assert_close(ours(X), theirs(X), rtol=1e-12, atol=1e-12)


def test_the_layers_and_their_sizes():
    network = lenet("torch", channels=(4, 6))
    names = [name for name, _ in network.named_children()]
    assert names == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "fc"]
    assert network.conv2.weight.shape == (6, 4, 3, 3) and network.fc.weight.shape == (10, 24)
    separable = lenet("torch", channels=(4, 6), separable=True)
    assert separable.depthwise2.weight.shape == (4, 1, 3, 3) and separable.depthwise2.groups == 4
    assert separable.pointwise2.weight.shape == (6, 4, 1, 1)


def test_the_seed_decides_the_weights_and_leaves_the_callers_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = lenet(seed=5)
    after = torch.rand(1)
    assert torch.equal(before, after)  # the caller's random state is untouched
    assert torch.equal(a.conv1.weight, lenet(seed=5).conv1.weight)
    assert not torch.equal(a.conv1.weight, lenet(seed=6).conv1.weight)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"kind": "keras"}, ValueError, "kind: expected 'convlab' or 'torch'"),
        ({"channels": 8}, TypeError, "channels: expected a pair"),
        ({"channels": (8, 0)}, ValueError, "channels: must be from 1 to 1024"),
        ({"channels": (8.0, 16)}, TypeError, "channels: expected an int"),
        ({"separable": 1}, TypeError, "separable: expected True or False"),
        ({"seed": -1}, ValueError, "seed: must be from 0"),
        ({"dtype": "float64"}, TypeError, "dtype: expected torch.float64 or torch.float32"),
        ({"dtype": torch.float16}, ValueError, "dtype: expected torch.float64 or torch.float32"),
    ],
)
def test_lenet_refusals(kwargs, error, words):
    with pytest.raises(error, match=words):
        lenet(**kwargs)


# --- Training ------------------------------------------------------------------------


def test_a_short_training_learns_alike_in_both(trained):
    networks, results = trained
    ours, theirs = results["convlab"], results["torch"]
    assert len(ours.losses) == len(theirs.losses) == 4
    assert theirs.losses[-1] < theirs.losses[0] / 4  # it learns
    assert theirs.accuracy > 0.9 and ours.tested == theirs.tested == 360
    # The same sums added in another order: the losses agree to a few digits.
    np.testing.assert_allclose(ours.losses, theirs.losses, rtol=1e-4)
    assert ours.correct == theirs.correct
    assert ours.epoch_seconds > 0 and theirs.epoch_seconds > 0


def test_training_is_adam_with_a_falling_step(digits):
    # The reference: PyTorch's Adam on the same batches, written out here.
    part = Digits(digits.train_images[:64], digits.train_labels[:64], digits.test_images[:10],
                  digits.test_labels[:10])  # fmt: skip
    network, reference = lenet("torch", channels=(2, 3)), lenet("torch", channels=(2, 3))
    result = train({"n": network}, part, epochs=2, batch_size=32, lr=0.01, seed=3)
    optimizer = torch.optim.Adam(reference.parameters(), lr=0.01)
    order = torch.Generator().manual_seed(3)
    losses, step = [], 0
    for _ in range(2):
        total = 0.0
        for batch in torch.randperm(64, generator=order).split(32):
            optimizer.param_groups[0]["lr"] = 0.01 * (1 - step / 4)
            optimizer.zero_grad()
            loss = F.cross_entropy(reference(part.train_images[batch]), part.train_labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * 32
            step += 1
        losses.append(total / 64)
    np.testing.assert_allclose(result["n"].losses, losses, rtol=1e-6)
    for a, b in zip(network.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"networks": {}}, TypeError, "networks: expected a non-empty dict"),
        ({"networks": [lenet()]}, TypeError, "networks: expected a non-empty dict"),
        ({"networks": {"a": "net"}}, TypeError, "networks: the entry 'a': expected a torch"),
        ({"networks": {"a": nn.ReLU()}}, ValueError, "networks: the entry 'a': has no param"),
        ({"networks": {"a": nn.Linear(3, 10)}}, ValueError, "networks: the entry 'a': cannot"),
        (
            {"networks": {"a": nn.Sequential(nn.Flatten(), nn.Linear(64, 3))}},
            ValueError,
            "networks: the entry 'a': expected 10 scores",
        ),  # fmt: skip
        ({"digits": (1, 2)}, TypeError, "digits: expected the Digits"),
        ({"epochs": 1}, ValueError, "epochs: must be from 2 to 1000"),
        ({"epochs": 10**30}, ValueError, "epochs: must be from 2 to 1000"),
        ({"batch_size": 0}, ValueError, "batch_size: must be from 1 to 20"),
        ({"batch_size": 21}, ValueError, "batch_size: must be from 1 to 20"),
        ({"lr": 0}, ValueError, "lr: expected a step size > 0"),
        ({"lr": float("inf")}, ValueError, "lr: expected a step size > 0"),
        ({"seed": 0.5}, TypeError, "seed: expected an int"),
        ({"threads": 0}, ValueError, "threads: must be from 1"),
    ],
)
def test_train_refusals(digits, kwargs, error, words):
    small = Digits(digits.train_images[:20], digits.train_labels[:20], digits.test_images[:5],
                   digits.test_labels[:5])  # fmt: skip
    args = {"networks": {"a": lenet(channels=(1, 1))}, "digits": small, "epochs": 2}
    args = args | {"batch_size": 10} | kwargs
    with pytest.raises(error, match=words):
        train(**args)


def test_each_network_gets_the_digits_in_its_dtype(digits):
    small = Digits(digits.train_images[:20], digits.train_labels[:20], digits.test_images[:5],
                   digits.test_labels[:5])  # fmt: skip
    networks = {"32": lenet(channels=(1, 1), dtype=torch.float32), "64": lenet(channels=(1, 1))}
    result = train(networks, small, epochs=2, batch_size=10)
    assert result["32"].tested == result["64"].tested == 5
    assert networks["32"].fc.weight.dtype == torch.float32
    assert networks["64"].fc.weight.dtype == torch.float64
    # The same start in both precisions: lenet makes float32 weights, then converts.
    np.testing.assert_allclose(result["32"].losses, result["64"].losses, rtol=1e-4)


# --- What it gets right and wrong ------------------------------------------------------


def test_predictions_and_accuracy_against_pytorch(trained, digits):
    networks, results = trained
    network = networks["torch"]
    with torch.no_grad():
        expected = network(digits.test_images).argmax(1)
    assert torch.equal(predict(network, digits.test_images), expected)
    right = int((expected == digits.test_labels).sum())
    assert accuracy(network, digits.test_images, digits.test_labels) == right / 360
    assert results["torch"].correct == right
    assert torch.equal(predict(networks["convlab"], digits.test_images), expected)
    # float32 digits (as load_digits gives them) are read in the network's dtype.
    assert torch.equal(predict(network, digits.test_images.float()), expected)


def test_confusion_matrix_and_mistakes(trained, digits):
    network = trained[0]["convlab"]
    images, labels = digits.test_images, digits.test_labels
    matrix = confusion_matrix(network, images, labels)
    with torch.no_grad():
        answers = network(images).argmax(1)
    expected = torch.zeros(10, 10, dtype=torch.int64)
    for truth, answer in zip(labels.tolist(), answers.tolist(), strict=True):
        expected[truth, answer] += 1
    assert torch.equal(matrix, expected)
    wrong, said = misclassified(network, images, labels)
    assert wrong.tolist() == [i for i in range(360) if answers[i] != labels[i]]
    assert torch.equal(said, answers[wrong])
    assert matrix.trace() == 360 - len(wrong)


def test_a_network_in_training_mode_stays_so(digits):
    network = lenet()
    network.train()
    predict(network, digits.test_images[:3])
    assert network.training


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda n, x, y: predict("n", x), TypeError, "network: expected a torch.nn.Module"),
        (lambda n, x, y: predict(n, x[:, :, :4]), ValueError, "images: expected \\(N, 1, 8, 8\\)"),
        (lambda n, x, y: predict(n, x.long()), TypeError, "images: expected floating-point"),
        (lambda n, x, y: predict(n, x[0]), ValueError, "images: expected a 4-D"),
        (lambda n, x, y: accuracy(n, x, y.int()), TypeError, "labels: expected a 1-D int64"),
        (lambda n, x, y: accuracy(n, x, y[:2]), ValueError, "labels: expected one per image"),
        (lambda n, x, y: accuracy(n, x, y + 10), ValueError, "labels: must be digits 0 to 9"),
        (lambda n, x, y: confusion_matrix(n, x, [1, 2]), TypeError, "labels: "),
        (lambda n, x, y: layer_counts(nn.Linear(64, 10)), TypeError, "network: expected an nn.Seq"),
        (lambda n, x, y: layer_counts(nn.Sequential(nn.Tanh())), ValueError, "network: layer '0'"),
        (lambda n, x, y: first_filters(nn.Sequential(nn.Linear(1, 1))), ValueError, "network: "),
        (lambda n, x, y: shift_accuracy(n, x, y, -1), ValueError, "pixels: must be from 0 to 8"),
        (lambda n, x, y: shift_accuracy(n, x, y, 1.0), TypeError, "pixels: expected an int"),
        (lambda n, x, y: shift(x, 0.5), TypeError, "down: expected an int"),
        (lambda n, x, y: shift(x, 0, True), TypeError, "right: expected an int"),
        (lambda n, x, y: shift([1, 2]), TypeError, "images: expected a torch.Tensor"),
    ],
)
def test_refusals_name_the_argument(digits, call, error, words):
    with pytest.raises(error, match=words):
        call(lenet(), digits.test_images[:4], digits.test_labels[:4])


# --- Counting it -------------------------------------------------------------------------


def test_layer_counts_by_hand():
    counts = {c.name: c for c in layer_counts(lenet())}
    # conv1: 16 kernels of 3×3 on 1 channel + 16 biases; 16·9 products per cell, 8×8 cells.
    assert (counts["conv1"].params, counts["conv1"].macs) == (16 * 9 + 16, 16 * 9 * 64)
    assert counts["conv1"].output_shape == (16, 8, 8)
    assert counts["pool1"].output_shape == (16, 4, 4) and counts["pool1"].params == 0
    assert (counts["conv2"].params, counts["conv2"].macs) == (32 * 16 * 9 + 32, 32 * 16 * 9 * 16)
    assert counts["pool2"].output_shape == (32, 2, 2)
    assert counts["flatten"].output_shape == (128,)
    assert (counts["fc"].params, counts["fc"].macs) == (128 * 10 + 10, 1280)
    assert sum(c.params for c in counts.values()) == 6090
    separable = {c.name: c for c in layer_counts(lenet(separable=True))}
    assert (separable["depthwise2"].params, separable["depthwise2"].macs) == (
        16 * 9 + 16,
        16 * 9 * 16,
    )
    assert (separable["pointwise2"].params, separable["pointwise2"].macs) == (
        16 * 32 + 32,
        16 * 32 * 16,
    )
    assert sum(c.params for c in separable.values()) == 2154


@pytest.mark.parametrize("separable", [False, True])
def test_layer_counts_against_the_network_itself(digits, separable):
    network = lenet("torch", separable=separable)
    maps = feature_maps(network, digits.test_images[:2])
    for count in layer_counts(network):
        layer = getattr(network, count.name)
        assert count.output_shape == tuple(maps[count.name].shape[1:])
        assert count.params == sum(p.numel() for p in layer.parameters())
        assert count.kind == type(layer).__name__


def test_counts_follow_other_layer_settings():
    network = nn.Sequential(
        nn.Conv2d(1, 2, (3, 1), stride=(2, 1), padding=(1, 0), bias=False),  # (2, 4, 8)
        nn.AvgPool2d(2, stride=1, ceil_mode=True),  # (2, 3, 7)
        layers.Conv2d(2, 2, 3, padding="same", dilation=2, groups=2),  # (2, 3, 7)
        nn.MaxPool2d(3, stride=2, ceil_mode=True),  # (2, 1, 3): ⌈(7 − 3)/2⌉ + 1 = 3
        nn.Flatten(),
        nn.Linear(6, 10, bias=False),
    )
    maps = feature_maps(network, torch.zeros(1, 1, 8, 8))
    counts = layer_counts(network)
    assert [c.output_shape for c in counts] == [tuple(m.shape[1:]) for m in maps.values()]
    assert [c.output_shape for c in counts] == [
        (2, 4, 8),
        (2, 3, 7),
        (2, 3, 7),
        (2, 1, 3),
        (6,),
        (10,),
    ]
    assert [c.params for c in counts] == [6, 0, 2 * 9 + 2, 0, 0, 60]


def test_receptive_fields_by_hand():
    fields = receptive_fields(lenet())
    assert fields["conv1"] == (Field(3, 1, -1),) * 2
    assert fields["pool1"] == (Field(4, 2, -1),) * 2  # 3 + (2 − 1)·1
    assert fields["conv2"] == (Field(8, 2, -3),) * 2  # 4 + (3 − 1)·2: the whole digit
    assert fields["pool2"] == (Field(10, 4, -3),) * 2
    separable = receptive_fields(lenet(separable=True))
    assert separable["pointwise2"] == separable["depthwise2"] == fields["conv2"]


def test_receptive_field_of_a_conv2_cell_is_what_its_gradient_reaches():
    # PyTorch's autograd as the reference: which input cells change conv2's cell (1, 1)?
    network = lenet("torch")
    with torch.no_grad():
        for layer in (network.conv1, network.conv2):
            layer.weight.fill_(1.0)
            layer.bias.fill_(1.0)
    X = torch.rand(1, 1, 8, 8, dtype=torch.float64, requires_grad=True)
    network[:4](X)[0, 0, 1, 1].backward()
    rows = X.grad[0, 0].abs().sum(1).nonzero().flatten()
    field = receptive_fields(network)["conv2"][0]
    first = field.start + 1 * field.jump
    assert rows.tolist() == list(range(max(0, first), min(8, first + field.size)))


# --- What it learned ---------------------------------------------------------------------


def test_first_filters_and_feature_maps(trained, digits):
    network = trained[0]["convlab"]
    filters = first_filters(network)
    assert torch.equal(filters, network.conv1.weight.detach())
    assert filters.shape == (16, 1, 3, 3) and not filters.requires_grad
    X = digits.test_images[:3]
    maps = feature_maps(network, X)
    assert list(maps) == [name for name, _ in network.named_children()]
    expected = F.max_pool2d(F.relu(F.conv2d(X, filters, network.conv1.bias, padding=1)), 2)
    torch.testing.assert_close(maps["pool1"], expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(maps["fc"], network(X).detach())


def test_shift_by_hand():
    X = torch.arange(1.0, 10.0).reshape(3, 3)
    assert shift(X, 1, 0).tolist() == [[0, 0, 0], [1, 2, 3], [4, 5, 6]]
    assert shift(X, 0, -1).tolist() == [[2, 3, 0], [5, 6, 0], [8, 9, 0]]
    assert shift(X, -1, 2).tolist() == [[0, 0, 4], [0, 0, 7], [0, 0, 0]]
    assert torch.equal(shift(X, 3, 0), torch.zeros(3, 3))
    assert torch.equal(shift(X, 10**30, -(10**30)), torch.zeros(3, 3))
    assert torch.equal(shift(X, np.int64(0), 0), X)
    batch = torch.rand(2, 1, 8, 8)
    # Against PyTorch: pad with zeros on the far side, crop on the near side.
    torch.testing.assert_close(shift(batch, 2, -1), F.pad(batch, (0, 1, 2, 0))[..., :8, 1:])


def test_shift_accuracy_against_pytorch(trained, digits):
    network = trained[0]["torch"]
    X, y = digits.test_images, digits.test_labels
    assert shift_accuracy(network, X, y, 0) == accuracy(network, X, y)
    right = 0
    for pad in ((0, 0, 1, 0), (0, 0, 0, 1), (1, 0, 0, 0), (0, 1, 0, 0)):  # down, up, right, left
        moved = F.pad(X, pad)
        top, left = pad[3], pad[1]  # crop back to 8×8 from the side the digit moved away from
        moved = moved[..., top : top + 8, left : left + 8]
        with torch.no_grad():
            right += int((network(moved).argmax(1) == y).sum())
    assert shift_accuracy(network, X, y, 1) == right / (4 * 360)


# --- The same answers on any CPU -------------------------------------------------------------


RUN = """
import json, torch
from convlab.digits import Digits, load_digits
from convlab.network import confusion_matrix, lenet, train
d = load_digits()
part = Digits(d.train_images[:600], d.train_labels[:600], d.test_images, d.test_labels)
networks = {"convlab": lenet("convlab"), "torch": lenet("torch")}
results = train(networks, part, epochs=5)
print(json.dumps({name: [results[name].correct, results[name].losses[-1],
    confusion_matrix(n, d.test_images, d.test_labels).tolist()] for name, n in networks.items()}))
"""


def test_the_same_answers_on_another_cpu_path():
    """PyTorch's portable kernels (no AVX) add up in another order: the answers stay."""
    outputs = []
    for extra in ({}, {"ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"}):
        env = os.environ | {"OMP_NUM_THREADS": "1"} | extra
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(RUN)],
            capture_output=True, text=True, env=env, timeout=300, check=True,
        )  # fmt: skip
        outputs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    for name in ("convlab", "torch"):
        (correct, loss, matrix), (correct2, loss2, matrix2) = (o[name] for o in outputs)
        assert correct == correct2 and matrix == matrix2
        assert loss == pytest.approx(loss2, rel=1e-3)
    assert outputs[0]["convlab"][2] == outputs[0]["torch"][2]
