"""Real handwritten digits for the course's network: scikit-learn's bundled 8 × 8 digits.

The images are the test set of "Optical Recognition of Handwritten Digits" by
E. Alpaydin and C. Kaynak (UCI Machine Learning Repository, 1998,
doi:10.24432/C50P49), released under CC BY 4.0 (use with credit), as scikit-learn
ships them (scikit-learn is BSD-3-Clause): 1,797 digits written by 13 people,
about 180 of each class. They come inside the scikit-learn package, so nothing is
downloaded when the book is built.

Each digit was scanned as a 32 × 32 black-and-white bitmap, and each 4 × 4 block
counted: 0 to 16 pixels of ink. ``load_digits`` divides the counts by 16, so a
pixel is the fraction of its block that is ink, in [0, 1]; ``from_bitmap`` makes
the same 8 × 8 image from a 32 × 32 drawing (a 4 × 4 average pooling).

- ``load_digits``: the images as float32 tensors (N, 1, 8, 8) and their labels,
  split into a training and a held-out test set with the same share of each
  digit in both (a stratified split, from a fixed seed).
- ``from_bitmap``: a 32 × 32 drawing (1 = ink) as the data set would store it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from convlab.checks import check_int, check_number, check_tensor
from convlab.kernels import avg_pool2d

CREDIT = (
    "Handwritten digits: the test set of 'Optical Recognition of Handwritten Digits', "
    "E. Alpaydin and C. Kaynak, UCI Machine Learning Repository (1998), "
    "doi:10.24432/C50P49, CC BY 4.0; as bundled with scikit-learn."
)
SIZE = 8  # pixels per side of a digit
BLOCK = 4  # pixels per side of the block of the 32 × 32 scan that one pixel counts
CLASSES = 10
MAX_SEED = 2**32 - 1  # the largest seed numpy's RandomState (behind the split) takes


@dataclass(frozen=True)
class Digits:
    """A training and a test set: images (N, 1, 8, 8) float32 in [0, 1], labels (N,) int64."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor


@lru_cache(maxsize=1)
def _bundled() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 digits (counts 0 to 16) and their labels, read once from scikit-learn."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    return bunch.images, bunch.target


def load_digits(test_size: float = 0.2, seed: int = 0) -> Digits:
    """The digits as tensors, with a held-out test set of ``test_size`` of them.

    The split is scikit-learn's ``train_test_split`` stratified by label, with
    ``random_state=seed``: the same split on every machine (numpy's
    ``RandomState`` never changes its numbers). ``test_size`` is a fraction
    from 0.01 to 0.99 (so both sets hold every digit); the test set has
    ⌈test_size · 1797⌉ images (360 for 0.2). ``seed`` is from 0 to 2³² − 1.
    """
    test_size = check_number(
        test_size, "test_size", "a fraction from 0.01 to 0.99", lambda v: 0.01 <= v <= 0.99
    )
    seed = check_int(seed, "seed", minimum=0, maximum=MAX_SEED)
    from sklearn.model_selection import train_test_split

    counts, labels = _bundled()
    train, test = train_test_split(
        np.arange(len(labels)), test_size=test_size, random_state=seed, stratify=labels
    )
    images = torch.tensor(counts, dtype=torch.float32).div_(BLOCK * BLOCK).unsqueeze(1)
    labels = torch.tensor(labels, dtype=torch.int64)
    train, test = torch.from_numpy(train), torch.from_numpy(test)
    return Digits(images[train], labels[train], images[test], labels[test])


def from_bitmap(bitmap: torch.Tensor) -> torch.Tensor:
    """A 32 × 32 drawing as the data set stores it: the ink in each 4 × 4 block, in [0, 1].

    ``bitmap`` is (32, 32) or a batch (N, 32, 32) of ink values from 0 (paper)
    to 1 (ink); bool works too. The data set counted the ink pixels of each
    block (0 to 16); divided by 16 that is the block's mean, a 4 × 4 average
    pooling (``convlab.kernels.avg_pool2d``). Returns (1, 8, 8) or (N, 1, 8, 8)
    float32, the layout of ``load_digits``'s images.
    """
    if isinstance(bitmap, torch.Tensor) and bitmap.dtype == torch.bool:
        bitmap = bitmap.float()
    check_tensor(bitmap, "bitmap", {2: "(32, 32)", 3: "(N, 32, 32)"}, empty_batch=True)
    scan = SIZE * BLOCK
    if tuple(bitmap.shape[-2:]) != (scan, scan):
        raise ValueError(
            f"bitmap: expected {scan}×{scan} pixels (the data set's scans), "
            f"got {bitmap.shape[-2]}×{bitmap.shape[-1]}"
        )
    ink = bitmap.float()
    if ink.numel() and not bool(((ink >= 0) & (ink <= 1)).all()):
        low, high = ink.min().item(), ink.max().item()  # NaN shows as nan
        raise ValueError(f"bitmap: ink values must be from 0 to 1, got {low} to {high}")
    return avg_pool2d(ink.unsqueeze(-3), BLOCK)
