"""The digits data set: what load_digits gives, against scikit-learn's own copy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits as sklearn_digits
from sklearn.model_selection import StratifiedShuffleSplit

from convlab.digits import CREDIT, Digits, from_bitmap, load_digits


@pytest.fixture(scope="module")
def reference():
    bunch = sklearn_digits()
    return torch.tensor(bunch.images, dtype=torch.float64), torch.tensor(bunch.target)


def rows(images: torch.Tensor, labels: torch.Tensor) -> list[tuple]:
    """Each digit as a sortable row: its 64 pixels, then its label."""
    return sorted(
        (*image.flatten().tolist(), int(label)) for image, label in zip(images, labels, strict=True)
    )


def test_shapes_types_and_range():
    digits = load_digits()
    assert isinstance(digits, Digits)
    assert digits.train_images.shape == (1437, 1, 8, 8)
    assert digits.test_images.shape == (360, 1, 8, 8)  # ⌈0.2 · 1797⌉
    for images in (digits.train_images, digits.test_images):
        assert images.dtype == torch.float32
        assert images.min() == 0 and images.max() == 1
    for labels in (digits.train_labels, digits.test_labels):
        assert labels.dtype == torch.int64 and set(labels.tolist()) == set(range(10))


def test_the_two_sets_are_the_whole_data_set_scaled_to_one(reference):
    counts, labels = reference
    digits = load_digits()
    images = torch.cat([digits.train_images, digits.test_images]).double() * 16
    ours = rows(images, torch.cat([digits.train_labels, digits.test_labels]))
    assert ours == rows(counts, labels)  # every digit once, with its label; 16 ink counts = 1


def test_the_split_is_stratified_and_fixed():
    digits = load_digits()
    whole = torch.cat([digits.train_labels, digits.test_labels]).bincount()
    test = digits.test_labels.bincount()
    assert (test - 0.2 * whole).abs().max() <= 1  # each digit's share, to one image
    again = load_digits()
    assert torch.equal(digits.test_images, again.test_images)
    assert torch.equal(digits.train_labels, again.train_labels)
    other = load_digits(seed=1)
    assert not torch.equal(digits.test_labels, other.test_labels)


@pytest.mark.parametrize("seed", [0, 7])
def test_the_split_is_scikit_learns_stratified_shuffle(reference, seed):
    counts, labels = reference
    splitter = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(labels)), labels.numpy()))
    digits = load_digits(seed=seed)
    assert torch.equal(digits.test_images.double() * 16, counts[test, None])
    assert torch.equal(digits.test_labels, labels[test])
    assert torch.equal(digits.train_images.double() * 16, counts[train, None])
    assert torch.equal(digits.train_labels, labels[train])


@pytest.mark.parametrize(("test_size", "tested"), [(0.01, 18), (0.25, 450), (0.99, 1780)])
def test_test_size(test_size, tested):
    digits = load_digits(np.float32(test_size) if test_size == 0.25 else test_size)
    assert len(digits.test_labels) == tested == math.ceil(test_size * 1797)
    assert len(digits.train_labels) == 1797 - tested


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"test_size": 0}, ValueError, "test_size: expected a fraction"),
        ({"test_size": 1}, ValueError, "test_size: expected a fraction"),
        ({"test_size": 0.005}, ValueError, "test_size: expected a fraction"),
        ({"test_size": float("nan")}, ValueError, "test_size: "),
        ({"test_size": True}, TypeError, "test_size: expected a number"),
        ({"test_size": "0.2"}, TypeError, "test_size: expected a number"),
        ({"seed": -1}, ValueError, "seed: must be from 0 to"),
        ({"seed": 2**32}, ValueError, "seed: must be from 0 to"),
        ({"seed": 1.5}, TypeError, "seed: expected an int"),
    ],
)
def test_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        load_digits(**kwargs)


def test_credit_names_the_source_and_licence():
    assert "Alpaydin" in CREDIT and "CC BY 4.0" in CREDIT and "10.24432/C50P49" in CREDIT


# --- from_bitmap -------------------------------------------------------------------


def test_from_bitmap_counts_ink_per_block():
    bitmap = torch.zeros(32, 32)
    bitmap[:4, :4] = 1  # block (0, 0) all ink: 16 of 16
    bitmap[4:6, 8:12] = 1  # block (1, 2) half ink: 8 of 16
    bitmap[31, 31] = 1  # block (7, 7): 1 of 16
    image = from_bitmap(bitmap)
    expected = torch.zeros(1, 8, 8)
    expected[0, 0, 0], expected[0, 1, 2], expected[0, 7, 7] = 1, 0.5, 1 / 16
    assert torch.equal(image, expected)


def test_from_bitmap_is_a_4x4_average_pool(reference):
    generator = torch.Generator().manual_seed(0)
    drawings = torch.rand(5, 32, 32, generator=generator) > 0.6  # bool works
    images = from_bitmap(drawings)
    assert images.shape == (5, 1, 8, 8) and images.dtype == torch.float32
    torch.testing.assert_close(images, F.avg_pool2d(drawings.float()[:, None], 4))
    # Whole numbers of ink pixels out of 16, as the data set stores them.
    assert torch.equal(images * 16, (images * 16).round())
    assert from_bitmap(torch.zeros(0, 32, 32)).shape == (0, 1, 8, 8)


@pytest.mark.parametrize(
    ("bitmap", "error", "words"),
    [
        (torch.zeros(28, 28), ValueError, "bitmap: expected 32×32"),
        (torch.zeros(1, 1, 32, 32), ValueError, "bitmap: expected a 2-D"),
        (torch.full((32, 32), 2.0), ValueError, "bitmap: ink values must be from 0 to 1"),
        (torch.full((32, 32), float("nan")), ValueError, "bitmap: ink values"),
        (torch.zeros(32, 32, dtype=torch.complex64), TypeError, "bitmap: "),
        (np.zeros((32, 32)), TypeError, "bitmap: expected a torch.Tensor"),
    ],
)
def test_from_bitmap_refusals(bitmap, error, words):
    with pytest.raises(error, match=words):
        from_bitmap(bitmap)
