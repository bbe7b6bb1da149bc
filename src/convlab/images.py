"""A real photograph for the course, and the classic hand-made kernels applied to it.

The photograph is "Chelsea the cat" from scikit-image's sample data, photographed by
Stefan van der Walt and released under CC0 (no copyright restrictions). It ships
with the package (``convlab/data/chelsea.png``, 451 × 300 pixels, 240 kB), so
nothing is downloaded when the book is built.

- ``photo``: the picture as a tensor, in colour (3, H, W) or grey (1, H, W), values
  in [0, 1], optionally shrunk by an integer factor (each block of pixels averaged).
- ``KERNELS``: blur, sharpen and the Sobel edge detectors, as 3 × 3 tensors.
- ``sobel_magnitude``: the strength of the edges, √(G_x² + G_y²).
"""

from __future__ import annotations

from pathlib import Path

import torch

from convlab.checks import check_bool, check_int, check_tensor
from convlab.kernels import avg_pool2d, conv2d

PHOTO = Path(__file__).parent / "data" / "chelsea.png"
PHOTO_CREDIT = (
    "Chelsea the cat, photographed by Stefan van der Walt; CC0 (no copyright "
    "restrictions); from scikit-image's sample data."
)
# How much each colour counts in a grey level (ITU-R BT.601, as most image libraries).
LUMA = (0.299, 0.587, 0.114)

KERNELS: dict[str, torch.Tensor] = {
    # Each output is the mean of the 3 × 3 pixels around it: fine detail is smoothed away.
    "blur": torch.full((3, 3), 1 / 9),
    # The pixel, plus how much it differs from its four neighbours: edges stand out.
    "sharpen": torch.tensor([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]),
    # Right minus left, weighted towards the centre row: responds to vertical edges.
    "sobel_x": torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
    # Below minus above: responds to horizontal edges.
    "sobel_y": torch.tensor([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]),
}


def photo(gray: bool = False, shrink: int = 1) -> torch.Tensor:
    """The photograph as float32 in [0, 1]: (3, H, W) in colour or (1, H, W) in grey.

    ``shrink`` = s averages each s × s block of pixels into one (an average pool
    with stride s), so the picture is s times smaller on each side.
    """
    gray = check_bool(gray, "gray")
    shrink = check_int(shrink, "shrink", minimum=1, maximum=100)
    from matplotlib.image import imread  # matplotlib reads PNG with Pillow

    rgb = torch.from_numpy(imread(PHOTO)[..., :3].copy()).permute(2, 0, 1).contiguous()
    image = (torch.tensor(LUMA).reshape(3, 1, 1) * rgb).sum(0, keepdim=True) if gray else rgb
    return image if shrink == 1 else avg_pool2d(image, shrink)


def sobel_magnitude(image: torch.Tensor, padding: int = 1) -> torch.Tensor:
    """Edge strength √(G_x² + G_y²) of a grey image (1, H, W) or a batch (N, 1, H, W).

    G_x and G_y are the image correlated with the Sobel kernels (``KERNELS``);
    ``padding`` 1 keeps the size of the image.
    """
    check_tensor(image, "image", {3: "(1, H, W)", 4: "(N, 1, H, W)"})
    if image.shape[-3] != 1:
        raise ValueError(f"image: expected one (grey) channel, got {image.shape[-3]}")
    padding = check_int(padding, "padding", minimum=0, maximum=1)
    sobel = torch.stack([KERNELS["sobel_x"], KERNELS["sobel_y"]]).unsqueeze(1).to(image.dtype)
    gradients = conv2d(image, sobel, padding=padding)  # (…, 2, H', W'): G_x and G_y
    return gradients.square().sum(-3, keepdim=True).sqrt()
