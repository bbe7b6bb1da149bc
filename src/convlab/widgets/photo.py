"""The photograph widget: classic hand-made kernels on a real photo, with stride and padding.

The course's photograph (``convlab.images``), grey and shrunk ``SHRINK`` = 3 times to
100 × 150 pixels (height × width, as everywhere in the course), is cross-correlated
with a kernel chosen by name: a k × k box blur, sharpen, Sobel x or Sobel y, or the
edge magnitude √(G_x² + G_y²) of the two Sobel outputs. Stride and zero padding are
sliders: zero padding darkens a blur's border and draws a frame of false edges around
a Sobel output.

The widget ships the photo to the page in its state, one byte per pixel (its grey level
0–255, base64), so that the page recomputes every move itself, with the browser twin of
``filter_photo`` (``static/src/widgets/photo.js``). ``filter_photo`` computes with
``convlab.kernels.conv2d`` in float64, on the same 8-bit grey levels as the page.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass

import torch
import traitlets

from convlab import images
from convlab.checks import check_choice
from convlab.kernels import conv2d, output_size
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import Choice, Setting, SettingsWidget, Whole, checked
from convlab.widgets.text import format_number

SHRINK = 3  # the 300 × 451 photo, averaged in 3 × 3 blocks: 100 × 150
FILTERS = ("blur", "sharpen", "sobel_x", "sobel_y", "magnitude")
# How the page shades each filter's output: the value drawn black and the value drawn
# white (values beyond are drawn at the end of the scale). Sobel outputs are signed, so
# 0 is mid grey; on this photo 99 % of them lie within ±1.1, and its edge magnitudes
# within 2.3.
SHADES = {
    "blur": (0.0, 1.0),
    "sharpen": (0.0, 1.0),
    "sobel_x": (-2.0, 2.0),
    "sobel_y": (-2.0, 2.0),
    "magnitude": (0.0, 3.0),
}


class ShippedPhoto(Setting):
    """The photo the widget sends to the page (``photo_state``): never changed.

    Its default is filled in when a widget is made (``PhotoFilter._default_photo``),
    not on import: reading the PNG takes matplotlib.
    """

    default = None

    def check(self, value: object, name: str) -> dict[str, object]:
        try:
            same = isinstance(value, dict) and bool(value == photo_state())
        except (TypeError, ValueError):  # values that cannot be compared with a str
            same = False
        if not same:
            raise ValueError(
                f"{name}: cannot be changed: it is the course's photograph, grey and "
                f"shrunk {SHRINK} times; got a different {type(value).__name__}"
            )
        return photo_state()


SETTINGS = {
    "kernel": Choice("blur", FILTERS),
    "size": Whole(3, 1, 9),  # the blur's k; the other kernels are 3 × 3
    "stride": Whole(1, 1, 4),
    "padding": Whole(0, 0, 4),
    "photo": ShippedPhoto(),  # not a slider: the picture the page filters
}


@functools.cache
def _shipped() -> tuple[int, int, bytes]:
    """Height, width and the grey levels of the widget's photo, one byte per pixel."""
    grey = images.photo(gray=True, shrink=SHRINK)[0]
    levels = (grey * 255 + 0.5).floor().to(torch.uint8)
    return *levels.shape, levels.numpy().tobytes()


def photo_levels() -> torch.Tensor:
    """The widget's photo as grey levels 0–255, (100, 150) uint8: what the page receives."""
    height, width, levels = _shipped()
    return torch.frombuffer(bytearray(levels), dtype=torch.uint8).reshape(height, width)


def photo_state() -> dict[str, object]:
    """The photo as the widget sends it: ``{"height", "width", "levels"}``, the levels
    one byte per pixel, row by row, in base64 (20 kB of text for 15,000 pixels)."""
    height, width, levels = _shipped()
    return {"height": height, "width": width, "levels": base64.b64encode(levels).decode()}


def photo_kernels(kernel: str = "blur", size: int = 3) -> torch.Tensor:
    """The kernels a filter correlates the photo with, (n, k, k) float64.

    ``"blur"``: one ``size`` × ``size`` box, every weight 1/size² (``size`` 3 is
    ``images.KERNELS["blur"]``); ``"sharpen"``, ``"sobel_x"``, ``"sobel_y"``: that 3 × 3
    kernel of ``images.KERNELS`` (``size`` is ignored); ``"magnitude"``: Sobel x and y.
    """
    kernel, size = checked(SETTINGS, kernel=kernel, size=size).values()
    if kernel == "blur":
        return torch.full((1, size, size), 1 / size**2, dtype=torch.float64)
    names = ("sobel_x", "sobel_y") if kernel == "magnitude" else (kernel,)
    return torch.stack([images.KERNELS[n] for n in names]).to(torch.float64)


def shade_levels(Y: torch.Tensor, kernel: str) -> torch.Tensor:
    """The grey level (0–255, uint8) the page draws for each value of ``Y``.

    ``SHADES[kernel]`` gives the values drawn black and white; between them the level
    is ⌊255·(v − black)/(white − black) + ½⌋, as the page computes it (``shadeLevels``).
    """
    if not isinstance(Y, torch.Tensor):
        raise TypeError(f"Y: expected a torch.Tensor, got {type(Y).__name__}")
    if not (Y.is_floating_point() and Y.dtype == torch.float64):
        raise TypeError(f"Y: expected float64 values, got {Y.dtype}")
    kernel = check_choice(kernel, "kernel", FILTERS)
    black, white = SHADES[kernel]
    scaled = ((Y - black) / (white - black)).nan_to_num(0.0).clamp(0, 1)
    return (scaled * 255 + 0.5).floor().to(torch.uint8)


def size_formula(kernel: str = "blur", size: int = 3, stride: int = 1, padding: int = 0) -> str:
    """The output size, worked out: ``"⌊(100 + 2·0 − 3)/1⌋ + 1 = 98 rows, … columns"``."""
    kernel, size, stride, padding = checked(
        SETTINGS, kernel=kernel, size=size, stride=stride, padding=padding
    ).values()
    k = size if kernel == "blur" else 3
    height, width = photo_levels().shape
    parts = []
    for n, axis in ((height, "rows"), (width, "columns")):
        m = output_size(n, k, stride=stride, padding=padding)
        parts.append(f"⌊({n} + 2·{padding} − {k})/{stride}⌋ + 1 = {m} {axis}")
    return ", ".join(parts)


def conv_call(kernel: str = "blur", stride: int = 1, padding: int = 0) -> str:
    """The same output in PyTorch, x being the photo as a (1, 1, 100, 150) tensor."""
    kernel, stride, padding = checked(
        SETTINGS, kernel=kernel, stride=stride, padding=padding
    ).values()
    call = f"F.conv2d(x, K, stride={stride}, padding={padding})"
    if kernel == "magnitude":  # K holds Sobel x and y: two output channels
        return f"{call}.square().sum(1).sqrt()"
    return call


@dataclass(frozen=True)
class Filtered:
    """What the photograph widget shows for one setting."""

    X: torch.Tensor  # the photo, (100, 150) float64 in [0, 1]: grey levels / 255
    kernels: torch.Tensor  # (1, k, k), or (2, 3, 3) for the magnitude
    Y: torch.Tensor  # the output, (m_h, m_w) float64
    levels: torch.Tensor  # how the page shades Y: grey levels 0–255, uint8
    formula: str  # the output size, worked out (size_formula)
    call: str  # the same in PyTorch (conv_call)


def filter_photo(
    kernel: str = "blur", size: int = 3, stride: int = 1, padding: int = 0
) -> Filtered:
    """Correlate the widget's photo with a filter, as the page does (float64).

    Zero padding of ``padding`` on every side, then windows ``stride`` pixels apart:
    ``convlab.kernels.conv2d``, which returns what ``torch.nn.functional.conv2d``
    returns. For ``"magnitude"`` the output is √(G_x² + G_y²) of the two Sobel outputs.
    """
    kernel, size, stride, padding = checked(
        SETTINGS, kernel=kernel, size=size, stride=stride, padding=padding
    ).values()
    X = photo_levels().to(torch.float64) / 255
    K = photo_kernels(kernel, size)
    G = conv2d(X[None], K[:, None], stride=stride, padding=padding)  # (n, m_h, m_w)
    Y = G.square().sum(0).sqrt() if kernel == "magnitude" else G[0]
    return Filtered(
        X,
        K,
        Y,
        shade_levels(Y, kernel),
        size_formula(kernel, size, stride, padding),
        conv_call(kernel, stride, padding),
    )


class PhotoFilter(SettingsWidget, settings=SETTINGS):
    """The course's photograph through a hand-made kernel: blur (its size k on a slider),
    sharpen, Sobel x, Sobel y or the edge magnitude, with sliders for the stride and the
    zero padding. The page draws the padded input and the output, their sizes worked
    out, the kernel's numbers, and the value of the output pixel under the pointer.
    """

    _esm = STATIC / "photo.js"
    _css = STYLESHEET

    def __init__(self, kernel: str = "blur", *, size: int = 3, stride: int = 1, padding: int = 0):
        super().__init__(kernel=kernel, size=size, stride=stride, padding=padding)

    @traitlets.default("photo")
    def _default_photo(self) -> dict[str, object]:
        return photo_state()

    def compute(self) -> Filtered:
        """What the view shows for the current traits."""
        return filter_photo(self.kernel, self.size, self.stride, self.padding)

    def __repr__(self) -> str:
        r = self.compute()
        k = r.kernels.shape[-1]
        name = {"blur": f"{k}×{k} blur", "magnitude": "Sobel edge magnitude"}.get(
            self.kernel, self.kernel.replace("_", " ").replace("sobel", "Sobel")
        )
        (height, width), (m_h, m_w) = r.X.shape, r.Y.shape
        low, high = (format_number(round(v.item(), 2)) for v in r.Y.aminmax())
        return (
            f"PhotoFilter({name}, stride {self.stride}, padding {self.padding} on the "
            f"{height}×{width} photo → Y {m_h}×{m_w}, values {low} to {high})"
        )
