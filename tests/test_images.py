"""The course's photograph and the classic kernels, against PyTorch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from convlab import images


def test_photo_in_colour_and_grey():
    rgb = images.photo()
    assert rgb.shape == (3, 300, 451) and rgb.dtype == torch.float32
    assert rgb.min() >= 0 and rgb.max() <= 1
    grey = images.photo(gray=True)
    weights = torch.tensor(images.LUMA).reshape(3, 1, 1)
    torch.testing.assert_close(grey, (weights * rgb).sum(0, keepdim=True))


def test_shrink_averages_blocks_like_pytorch():
    rgb = images.photo()
    torch.testing.assert_close(images.photo(shrink=4), F.avg_pool2d(rgb, 4))
    assert images.photo(gray=True, shrink=3).shape == (1, 100, 150)


def test_sobel_magnitude_against_pytorch():
    grey = images.photo(gray=True, shrink=2)
    gx = F.conv2d(grey[None], images.KERNELS["sobel_x"][None, None], padding=1)
    gy = F.conv2d(grey[None], images.KERNELS["sobel_y"][None, None], padding=1)
    torch.testing.assert_close(images.sobel_magnitude(grey), (gx**2 + gy**2).sqrt()[0])


def test_kernels_do_what_their_names_say():
    step = torch.zeros(1, 1, 5, 5)
    step[..., 3:] = 1.0  # a vertical edge between columns 2 and 3
    gx = F.conv2d(step, images.KERNELS["sobel_x"][None, None])
    gy = F.conv2d(step, images.KERNELS["sobel_y"][None, None])
    assert gx.abs().sum() > 0 and gy.abs().sum() == 0  # only the x detector sees it
    flat = torch.ones(1, 1, 3, 3)
    assert F.conv2d(flat, images.KERNELS["blur"][None, None]).item() == pytest.approx(1)
    assert F.conv2d(flat, images.KERNELS["sharpen"][None, None]).item() == pytest.approx(1)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"gray": "yes"}, TypeError, "gray:"),
        ({"shrink": 0}, ValueError, "shrink:"),
        ({"shrink": 2.5}, TypeError, "shrink:"),
    ],
)
def test_photo_checks_its_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        images.photo(**kwargs)


def test_sobel_needs_one_channel():
    with pytest.raises(ValueError, match="image: expected one"):
        images.sobel_magnitude(images.photo())
