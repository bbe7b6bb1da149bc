"""The digit drawer (chapter 10): draw a digit, watch a trained network read it, layer by layer.

The reader draws on a 32 × 32 pad, as the data set's writers did on their scanned
forms (``convlab.digits``); the page turns the drawing into the data set's 8 × 8
image (each pixel the share of ink in a 4 × 4 block, ``convlab.digits.from_bitmap``),
runs the network's forward pass and shows every layer's feature maps and the ten
class probabilities, recomputed while the pen moves. A row of test digits gives a
start without a mouse (each loaded as a drawing whose blocks hold the digit's counts
of ink, ``digit_bitmap``).

The network travels to the page in the widget's state (``network_state``): its
layers in order, each weight and bias as float64 in base64. The page computes with
the course's JavaScript kernels (``static/src/network.js``); ``read_digit`` is the
same computation in Python with ``convlab.kernels``, in float64.

Networks it can show: an ``nn.Sequential`` of ``Conv2d`` (zero padding, equal on both
sides, no dilation; groups allowed, so a depthwise-separable pair too),
``MaxPool2d`` / ``AvgPool2d`` (floor mode, padding counted in the mean), ``ReLU``,
``Flatten`` and ``Linear`` layers, from ``convlab.layers`` or ``torch.nn``, that maps
a (1, 8, 8) digit to ten scores: LeNet of ``convlab.network.lenet`` and its
separable variant. Anything else is refused with the reason.
"""

from __future__ import annotations

import base64
import functools
import math
from dataclasses import dataclass

import torch
import traitlets
from torch import nn

from convlab import digits as data
from convlab.checks import as_pair, check_tensor, conv_padding, is_int
from convlab.kernels import avg_pool2d, conv2d, max_pool2d
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import Setting, SettingsWidget, Whole

SCAN = data.SIZE * data.BLOCK  # the drawing pad: 32 × 32, like the data set's scans
INK = data.BLOCK * data.BLOCK  # ink pixels a full block holds: 16
# Which pixels of a 4 × 4 block a count of c inks: those whose rank is below c (an
# ordered dither, Bayer's matrix), so that a grey pixel of the digit is drawn as a
# fine, even pattern and from_bitmap counts exactly c.
DITHER = ((0, 8, 2, 10), (12, 4, 14, 6), (3, 11, 1, 9), (15, 7, 13, 5))
MAX_PARAMS = 200_000  # numbers the page receives (8 bytes each: 1.6 MB at most)
MAX_MACS = 2_000_000  # multiply-adds of one forward pass (a few ms in the page)
MAX_LAYERS = 32
MAX_MAPS = 256  # channels of one layer the page draws
MAX_DIGITS = 40  # test digits offered as starting points
NO_LABEL = -1  # the label of an offered digit whose class is not known
KINDS = ("conv", "max", "mean", "relu", "flatten", "linear")
LAYER_TYPES = "Conv2d, MaxPool2d, AvgPool2d, ReLU, Flatten and Linear layers"


# --- The network as the page receives it -------------------------------------------


def _floats(tensor: torch.Tensor) -> str:
    """A tensor's numbers as float64, little-endian, in base64."""
    return base64.b64encode(
        tensor.detach().to(torch.float64).contiguous().numpy().tobytes()
    ).decode()


def _from_floats(text: str, shape: tuple[int, ...], name: str) -> torch.Tensor:
    """The float64 tensor of ``shape`` that ``_floats`` wrote (checked: length, finiteness)."""
    if not isinstance(text, str):
        raise TypeError(f"{name}: expected base64 text, got {type(text).__name__}")
    count = math.prod(shape)
    if len(text) != 4 * math.ceil(8 * count / 3):
        raise ValueError(
            f"{name}: expected {count} float64 numbers in base64, got {len(text)} characters"
        )
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError(f"{name}: is not base64") from None
    values = torch.frombuffer(bytearray(raw), dtype=torch.float64).reshape(shape)
    if not bool(values.isfinite().all()):
        raise ValueError(f"{name}: holds NaN or infinite numbers")
    return values


def _out(n: int, k: int, s: int, p: int) -> int:
    """Output length along one axis, ⌊(n + 2p − k)/s⌋ + 1 (0 or less: the window does not fit)."""
    return (n + 2 * p - k) // s + 1


def _refuse(name: str, layer: nn.Module, why: str) -> ValueError:
    return ValueError(f"network: layer {name!r} ({type(layer).__name__}) {why}")


def _conv_layer(name: str, layer: nn.Conv2d, shape: tuple[int, ...]) -> tuple[dict, tuple]:
    if layer.padding_mode != "zeros":
        raise _refuse(name, layer, f"pads with {layer.padding_mode!r}; the page pads with zeros")
    if as_pair(layer.dilation, "dilation", 1) != (1, 1):
        raise _refuse(name, layer, f"is dilated ({layer.dilation}); the page shows dilation 1")
    kernel = as_pair(layer.kernel_size, "kernel_size", 1)
    stride = as_pair(layer.stride, "stride", 1)
    top, bottom, left, right = conv_padding(layer.padding, kernel, stride, (1, 1))
    if top != bottom or left != right:
        raise _refuse(
            name,
            layer,
            f"pads unevenly ({top}, {bottom}, {left}, {right}: 'same' with an even "
            "kernel); the page pads both sides alike",
        )
    c, h, w = shape
    if layer.in_channels != c:
        raise _refuse(name, layer, f"takes {layer.in_channels} channels but gets {c}")
    size = (_out(h, kernel[0], stride[0], top), _out(w, kernel[1], stride[1], left))
    if min(size) < 1:
        raise _refuse(
            name, layer, f"has a {kernel[0]}×{kernel[1]} kernel that does not fit its {h}×{w} input"
        )
    entry = {
        "kind": "conv",
        "groups": layer.groups,
        "kernel": list(kernel),
        "stride": list(stride),
        "padding": [top, left],
        "weight": _floats(layer.weight),
        **({} if layer.bias is None else {"bias": _floats(layer.bias)}),
    }
    return entry, (layer.out_channels, *size)


def _pool_layer(name: str, layer: nn.Module, shape: tuple[int, ...]) -> tuple[dict, tuple]:
    mean = isinstance(layer, nn.AvgPool2d)
    if layer.ceil_mode:
        raise _refuse(name, layer, "rounds its output size up (ceil_mode); the page rounds down")
    if mean and (not layer.count_include_pad or layer.divisor_override is not None):
        raise _refuse(
            name, layer, "divides by other than its window's size; the page divides by it"
        )
    if not mean and (as_pair(layer.dilation, "dilation", 1) != (1, 1) or layer.return_indices):
        raise _refuse(name, layer, "is dilated or returns indices; the page shows plain windows")
    kernel = as_pair(layer.kernel_size, "kernel_size", 1)
    stride = as_pair(layer.stride if layer.stride is not None else layer.kernel_size, "stride", 1)
    padding = as_pair(layer.padding, "padding", 0)
    c, h, w = shape
    axes = zip((h, w), kernel, stride, padding, strict=True)
    size = tuple(_out(n, k, s, p) for n, k, s, p in axes)
    if min(size) < 1 or any(2 * p > k for p, k in zip(padding, kernel, strict=True)):
        raise _refuse(name, layer, f"does not fit its {h}×{w} input")
    entry = {
        "kind": "mean" if mean else "max",
        "kernel": list(kernel),
        "stride": list(stride),
        "padding": list(padding),
    }
    return entry, (c, *size)


def network_state(network: nn.Module) -> dict:
    """The network as the page receives it: its layers in order, weights in base64.

    ``{"input": [1, 8, 8], "layers": [...]}``; each layer has its ``name`` (the
    ``nn.Sequential``'s), ``kind`` (``conv``, ``max``, ``mean``, ``relu``,
    ``flatten``, ``linear``), its output ``shape`` and, for the kinds that have
    them, its geometry (``kernel``, ``stride``, ``padding`` per side as (rows,
    columns), ``groups``) and its ``weight`` and ``bias`` (no key without one) as
    float64 numbers, little-endian, in base64. A pure function of the network.

    Refused (with the reason): anything but an ``nn.Sequential`` of the layers the
    module docstring lists, layers that do not fit together on a (1, 8, 8) digit,
    an output other than ten scores, weights that are not finite, and networks too
    large to ship and run in a page (more than 200,000 parameters or 2,000,000
    multiply-adds a digit, more than 32 layers or 256 maps in one).
    """
    if not isinstance(network, nn.Sequential):
        raise TypeError(
            f"network: expected an nn.Sequential of {LAYER_TYPES}, got {type(network).__name__}"
        )
    children = list(network.named_children())
    if not 1 <= len(children) <= MAX_LAYERS:
        raise ValueError(f"network: expected 1 to {MAX_LAYERS} layers, got {len(children)}")
    params = sum(p.numel() for p in network.parameters())
    if params > MAX_PARAMS:
        raise ValueError(
            f"network: has {params:,} parameters; the page takes at most {MAX_PARAMS:,}"
        )
    for pname, p in network.named_parameters():
        if not p.is_floating_point():
            raise TypeError(f"network: parameter {pname!r} is {p.dtype}, not floating point")
        if not bool(p.detach().isfinite().all()):
            raise ValueError(f"network: parameter {pname!r} holds NaN or infinite numbers")
    shape: tuple[int, ...] = (1, data.SIZE, data.SIZE)
    layers, macs = [], 0
    for name, layer in children:
        if isinstance(layer, nn.Conv2d | nn.MaxPool2d | nn.AvgPool2d) and len(shape) != 3:
            raise _refuse(name, layer, "comes after Flatten: it needs maps, not a vector")
        if isinstance(layer, nn.Conv2d):
            entry, shape = _conv_layer(name, layer, shape)
            macs += math.prod(shape) * math.prod(layer.weight.shape[1:])
        elif isinstance(layer, nn.MaxPool2d | nn.AvgPool2d):
            entry, shape = _pool_layer(name, layer, shape)
        elif isinstance(layer, nn.ReLU):
            entry = {"kind": "relu"}
        elif isinstance(layer, nn.Flatten):
            if (layer.start_dim, layer.end_dim) != (1, -1):
                raise _refuse(name, layer, "flattens other axes than (C, H, W)")
            entry, shape = {"kind": "flatten"}, (math.prod(shape),)
        elif isinstance(layer, nn.Linear):
            if len(shape) != 1:
                raise _refuse(name, layer, "gets maps: put a Flatten before it")
            if layer.in_features != shape[0]:
                raise _refuse(name, layer, f"takes {layer.in_features} numbers but gets {shape[0]}")
            entry = {
                "kind": "linear",
                "weight": _floats(layer.weight),
                **({} if layer.bias is None else {"bias": _floats(layer.bias)}),
            }
            shape = (layer.out_features,)
            macs += layer.in_features * layer.out_features
        else:
            raise ValueError(
                f"network: layer {name!r} is a {type(layer).__name__}; the page shows {LAYER_TYPES}"
            )
        if shape[0] > MAX_MAPS and len(shape) == 3:
            raise _refuse(name, layer, f"makes {shape[0]} maps; the page draws at most {MAX_MAPS}")
        layers.append({"name": name, **entry, "shape": list(shape)})
    if shape != (data.CLASSES,):
        raise ValueError(
            f"network: ends with shape {shape}; expected {data.CLASSES} scores, one per digit"
        )
    if macs > MAX_MACS:
        raise ValueError(
            f"network: makes {macs:,} multiply-adds a digit; the page computes at most {MAX_MACS:,}"
        )
    return {"input": [1, data.SIZE, data.SIZE], "layers": layers}


@dataclass(frozen=True)
class _Layer:
    """One layer of a network state, its numbers decoded."""

    name: str
    kind: str
    shape: tuple[int, ...]
    geometry: dict
    weight: torch.Tensor | None = None
    bias: torch.Tensor | None = None


def _decode(state: object) -> tuple[_Layer, ...]:
    """The layers of a state ``network_state`` wrote, checked and decoded (float64)."""
    if not isinstance(state, dict) or not isinstance(state.get("layers"), list):
        raise TypeError(
            f"network: expected an nn.Sequential or the state network_state makes, "
            f"got {type(state).__name__}"
        )
    if state.get("input") != [1, data.SIZE, data.SIZE]:
        raise ValueError(
            f"network: expected input [1, {data.SIZE}, {data.SIZE}], got {state.get('input')!r:.60}"
        )
    if not 1 <= len(state["layers"]) <= MAX_LAYERS:
        raise ValueError(f"network: expected 1 to {MAX_LAYERS} layers, got {len(state['layers'])}")
    shape: tuple[int, ...] = (1, data.SIZE, data.SIZE)
    layers, params, macs = [], 0, 0

    def pair(entry: dict, key: str, minimum: int, where: str) -> tuple[int, int]:
        value = entry.get(key)
        if not (isinstance(value, list) and len(value) == 2 and all(is_int(v) for v in value)):
            raise ValueError(
                f"network: {where} needs {key} as two whole numbers, got {value!r:.60}"
            )
        if min(value) < minimum or max(value) > 64:
            raise ValueError(f"network: {where} has {key} {value} outside {minimum} to 64")
        return int(value[0]), int(value[1])

    for n, entry in enumerate(state["layers"]):
        if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
            raise ValueError(f"network: layer {n} must be a dict with a kind among {KINDS}")
        kind, where = entry["kind"], f"layer {n} ({entry['kind']})"
        name = entry.get("name")
        if not isinstance(name, str):
            raise TypeError(f"network: {where} needs a name, got {type(name).__name__}")
        geometry, weight, bias = {}, None, None
        if kind in ("conv", "max", "mean"):
            if len(shape) != 3:
                raise ValueError(f"network: {where} comes after flatten")
            c, h, w = shape
            kernel, stride = pair(entry, "kernel", 1, where), pair(entry, "stride", 1, where)
            padding = pair(entry, "padding", 0, where)
            size = tuple(_out(*a) for a in zip((h, w), kernel, stride, padding, strict=True))
            if min(size) < 1 or (
                kind != "conv" and any(2 * p > k for p, k in zip(padding, kernel, strict=True))
            ):
                raise ValueError(f"network: {where} does not fit its {h}×{w} input")
            geometry = {"kernel": kernel, "stride": stride, "padding": padding}
            if kind == "conv":
                groups, out = entry.get("groups"), entry.get("shape", [None])[0]
                if not (
                    is_int(groups)
                    and is_int(out)
                    and 1 <= groups <= c
                    and c % groups == 0
                    and 1 <= out <= MAX_MAPS
                    and out % groups == 0
                ):
                    raise ValueError(
                        f"network: {where} has groups and channels that do not fit {c} input maps"
                    )
                geometry["groups"] = int(groups)
                weight = _from_floats(
                    entry.get("weight"), (out, c // groups, *kernel), f"network: {where} weight"
                )
                if entry.get("bias") is not None:
                    bias = _from_floats(entry["bias"], (out,), f"network: {where} bias")
                shape = (int(out), *size)
                params += weight.numel() + (0 if bias is None else out)
                macs += math.prod(shape) * math.prod(weight.shape[1:])
            else:
                shape = (c, *size)
        elif kind == "flatten":
            shape = (math.prod(shape),)
        elif kind == "linear":
            out = entry.get("shape", [None])[0]
            if len(shape) != 1 or not (is_int(out) and 1 <= out <= MAX_PARAMS):
                raise ValueError(f"network: {where} needs a vector and a whole number of outputs")
            weight = _from_floats(entry.get("weight"), (out, shape[0]), f"network: {where} weight")
            if entry.get("bias") is not None:
                bias = _from_floats(entry["bias"], (out,), f"network: {where} bias")
            params += weight.numel() + (0 if bias is None else out)
            macs += weight.numel()
            shape = (int(out),)
        if entry.get("shape") != list(shape):
            raise ValueError(
                f"network: {where} says shape {entry.get('shape')!r:.60}, computes {list(shape)}"
            )
        if params > MAX_PARAMS or macs > MAX_MACS:
            raise ValueError(
                f"network: too large for the page ({params:,} parameters, {macs:,} multiply-adds)"
            )
        layers.append(_Layer(name, kind, shape, geometry, weight, bias))
    if shape != (data.CLASSES,):
        raise ValueError(f"network: ends with shape {shape}; expected {data.CLASSES} scores")
    return tuple(layers)


# --- Drawings and test digits --------------------------------------------------------


def _check_bitmap(bitmap: object, name: str = "bitmap") -> torch.Tensor:
    """A 32 × 32 drawing as a bool tensor: a tensor or array of 0/1 (bool too), or the
    widget's rows of "0"/"1" characters."""
    if isinstance(bitmap, list) and bitmap and all(isinstance(r, str) for r in bitmap):
        if len(bitmap) != SCAN or any(len(r) != SCAN or set(r) - {"0", "1"} for r in bitmap):
            raise ValueError(f"{name}: expected {SCAN} rows of {SCAN} characters '0' or '1'")
        return torch.tensor([[c == "1" for c in r] for r in bitmap])
    if hasattr(bitmap, "__array__") and not isinstance(bitmap, torch.Tensor):
        bitmap = torch.as_tensor(bitmap.__array__())
    if not isinstance(bitmap, torch.Tensor):
        raise TypeError(
            f"{name}: expected a (32, 32) tensor of 0 and 1 or {SCAN} rows of '0'/'1', "
            f"got {type(bitmap).__name__}"
        )
    if bitmap.dtype == torch.bool:
        bitmap = bitmap.to(torch.uint8)
    check_tensor(bitmap, name, {2: "(32, 32)"})
    if tuple(bitmap.shape) != (SCAN, SCAN):
        raise ValueError(
            f"{name}: expected {SCAN}×{SCAN} pixels, got {bitmap.shape[0]}×{bitmap.shape[1]}"
        )
    if not bool(((bitmap == 0) | (bitmap == 1)).all()):
        raise ValueError(f"{name}: a pixel is ink (1) or paper (0); got other values")
    return bitmap == 1


def bitmap_rows(bitmap: torch.Tensor) -> list[str]:
    """A 32 × 32 drawing (0/1 or bool) as the widget keeps it: 32 rows of '0'/'1'."""
    ink = _check_bitmap(bitmap)
    return ["".join("1" if v else "0" for v in row) for row in ink.tolist()]


def digit_bitmap(image: torch.Tensor) -> torch.Tensor:
    """A drawing (32, 32) bool whose ``from_bitmap`` is ``image`` exactly.

    ``image`` is one 8 × 8 digit ((8, 8) or (1, 8, 8)) as the data set stores it:
    each pixel a count of 16ths, c/16. Each 4 × 4 block gets c ink pixels, placed
    by an ordered dither (``DITHER``) so that grey reads as an even pattern.
    """
    check_tensor(image, "image", {2: "(8, 8)", 3: "(1, 8, 8)"})
    if tuple(image.shape[-2:]) != (data.SIZE, data.SIZE) or image.numel() != data.SIZE**2:
        raise ValueError(
            f"image: expected one {data.SIZE}×{data.SIZE} digit, got shape {tuple(image.shape)}"
        )
    counts = image.reshape(data.SIZE, data.SIZE).to(torch.float64) * INK
    whole = counts.round()
    if not bool(((counts - whole).abs() <= 1e-6).all() & (whole >= 0).all() & (whole <= INK).all()):
        raise ValueError(
            "image: pixels must be counts of 16ths from 0 to 1 (c/16), as the data set stores them"
        )
    ranks = torch.tensor(DITHER).repeat(data.SIZE, data.SIZE)
    return ranks < whole.repeat_interleave(data.BLOCK, 0).repeat_interleave(data.BLOCK, 1)


def _digits_state(images: torch.Tensor, labels: list) -> dict:
    counts = (images.reshape(-1, data.SIZE**2).to(torch.float64) * INK).round().to(torch.uint8)
    return {"counts": base64.b64encode(counts.numpy().tobytes()).decode(), "labels": labels}


@functools.cache
def default_digits() -> dict:
    """The first test digit of each class (``load_digits()``'s held-out set), 0 to 9."""
    test = data.load_digits()
    firsts = [int((test.test_labels == d).nonzero()[0]) for d in range(data.CLASSES)]
    return _digits_state(test.test_images[firsts], list(range(data.CLASSES)))


def digits_state(digits: object = None, labels: object = None) -> dict:
    """The test digits the widget offers as starting points, as the page receives them.

    ``digits``: None (the first test digit of each class), a ``convlab.digits.Digits``
    (the first test digit of each class of its test set) or a tensor (N, 1, 8, 8) or
    (N, 8, 8) of c/16 counts, 1 to 40 of them, with ``labels`` (N ints 0–9, −1 for
    none) or None (none known).
    Returns ``{"counts": base64 of N × 64 bytes 0–16, "labels": [...]}``.
    """
    if digits is None:
        return default_digits()
    if isinstance(digits, data.Digits):
        found = [(digits.test_labels == d).nonzero() for d in range(data.CLASSES)]
        firsts = [int(f[0]) for f in found if len(f)]
        return digits_state(digits.test_images[firsts], digits.test_labels[firsts].tolist())
    if isinstance(digits, dict) and set(digits) == {"counts", "labels"}:
        return _check_digits_state(digits)
    check_tensor(digits, "digits", {3: "(N, 8, 8)", 4: "(N, 1, 8, 8)"})
    if tuple(digits.shape[-2:]) != (data.SIZE, data.SIZE) or (
        digits.dim() == 4 and digits.shape[1] != 1
    ):
        raise ValueError(f"digits: expected (N, 1, 8, 8) digits, got shape {tuple(digits.shape)}")
    if not 1 <= len(digits) <= MAX_DIGITS:
        raise ValueError(f"digits: expected 1 to {MAX_DIGITS} digits, got {len(digits)}")
    for n, image in enumerate(digits):
        try:
            digit_bitmap(image)
        except ValueError as error:
            raise ValueError(f"digits[{n}]: {str(error).removeprefix('image: ')}") from None
    if labels is None:
        labels = [NO_LABEL] * len(digits)
    elif isinstance(labels, torch.Tensor):
        labels = labels.tolist()
    if not isinstance(labels, list | tuple) or len(labels) != len(digits):
        raise ValueError(f"labels: expected one label per digit ({len(digits)}), or None")
    if not all(is_int(v) and NO_LABEL <= v < data.CLASSES for v in labels):
        raise ValueError(f"labels: each label must be a digit 0 to 9, or {NO_LABEL} for none")
    return _digits_state(digits, [int(v) for v in labels])


def _check_digits_state(state: dict) -> dict:
    counts, labels = state["counts"], state["labels"]
    try:
        raw = base64.b64decode(counts, validate=True) if isinstance(counts, str) else None
    except ValueError:
        raw = None
    if raw is None or not raw or len(raw) % 64 or len(raw) > 64 * MAX_DIGITS or max(raw) > INK:
        raise ValueError(
            "digits: counts must be base64 of N × 64 bytes from 0 to 16, N from 1 to 40"
        )
    if (
        not isinstance(labels, list)
        or len(labels) != len(raw) // 64
        or not all(is_int(v) and NO_LABEL <= v < data.CLASSES for v in labels)
    ):
        raise ValueError(f"digits: labels must hold one digit 0 to 9 ({NO_LABEL}: none) per image")
    return {"counts": counts, "labels": [int(v) for v in labels]}


def picked_digits(state: dict) -> torch.Tensor:
    """The test digits of a ``digits_state`` as images (N, 1, 8, 8) float32."""
    raw = base64.b64decode(state["counts"])
    counts = torch.frombuffer(bytearray(raw), dtype=torch.uint8)
    return (counts.to(torch.float32) / INK).reshape(-1, 1, data.SIZE, data.SIZE)


# --- What the page computes -------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What the digit drawer shows for one drawing (all float64)."""

    image: torch.Tensor  # (1, 8, 8): the drawing as the data set stores a digit
    maps: dict[str, torch.Tensor]  # every layer's output, by name, in order
    scores: torch.Tensor  # (10,): the last layer's output
    probabilities: torch.Tensor  # (10,): softmax of the scores

    @property
    def digit(self) -> int:
        """The digit the network reads: the most probable (the first, on a tie)."""
        return int(self.probabilities.argmax())


def read_digit(network: object, bitmap: object) -> Reading:
    """What the page computes for a drawing: the 8 × 8 image, every layer, the probabilities.

    ``network`` is an ``nn.Sequential`` the widget can show or its ``network_state``;
    ``bitmap`` a 32 × 32 drawing (0/1 or bool, or 32 rows of '0'/'1'). The image is
    ``convlab.digits.from_bitmap`` of the drawing; each layer is computed from the
    state's float64 numbers with ``convlab.kernels`` (``conv2d``, ``max_pool2d``,
    ``avg_pool2d``), as the page computes it in JavaScript.
    """
    state = network_state(network) if isinstance(network, nn.Module) else network
    layers = _decode(state)
    ink = _check_bitmap(bitmap)
    image = data.from_bitmap(ink).to(torch.float64)
    out, maps = image, {}
    for layer in layers:
        g = layer.geometry
        if layer.kind == "conv":
            out = conv2d(
                out, layer.weight, layer.bias, g["stride"], g["padding"], groups=g["groups"]
            )
        elif layer.kind == "max":
            out = max_pool2d(out, g["kernel"], g["stride"], g["padding"])
        elif layer.kind == "mean":
            out = avg_pool2d(out, g["kernel"], g["stride"], g["padding"])
        elif layer.kind == "relu":
            out = out.clamp_min(0)
        elif layer.kind == "flatten":
            out = out.reshape(-1)
        else:
            out = layer.weight @ out + (0 if layer.bias is None else layer.bias)
        maps[layer.name] = out
    return Reading(image, maps, out, torch.softmax(out, 0))


# --- The widget -----------------------------------------------------------------------


class NetworkSetting(Setting):
    """The network the page runs: an ``nn.Sequential`` it can show, kept as its state."""

    default = None

    def check(self, value: object, name: str) -> dict:
        if isinstance(value, nn.Module):
            return network_state(value)
        _decode(value)  # refuses a broken state with the reason
        return value


class DigitsSetting(Setting):
    """The test digits offered as starting points (``digits_state``)."""

    default = None

    def check(self, value: object, name: str) -> dict:
        return digits_state(value)


class BitmapSetting(Setting):
    """The drawing: 32 rows of 32 characters, '1' ink and '0' paper."""

    default = ["0" * SCAN] * SCAN

    def check(self, value: object, name: str) -> list[str]:
        return bitmap_rows(_check_bitmap(value, name))


SETTINGS = {
    "network": NetworkSetting(),
    "digits": DigitsSetting(),
    "bitmap": BitmapSetting(),
    # The pen's width in pixels of the 32 × 32 pad. The data set's digits fill their box
    # with about 30 % ink; a digit drawn as large with a 4-pixel pen has about 25 %.
    "pen": Whole(4, 1, 6),
}


class DigitDrawer(SettingsWidget, settings=SETTINGS):
    """Draw a digit and watch ``network`` read it: every layer's feature maps and the ten
    class probabilities, recomputed while you draw (in the page, with the network's
    weights). ``digits`` are test digits to start from (default: the first test digit
    of each class; see ``digits_state``); the drawer opens on the first of them.
    """

    _esm = STATIC / "digits.js"
    _css = STYLESHEET

    def __init__(self, network: nn.Module, digits: object = None, *, pen: int = 4):
        shipped = digits_state(digits)
        first = digit_bitmap(picked_digits(shipped)[0])
        super().__init__(network=network, digits=shipped, bitmap=first, pen=pen)

    @traitlets.default("digits")
    def _default_digits(self) -> dict:
        return default_digits()

    def compute(self) -> Reading:
        """What the view shows for the current drawing."""
        return read_digit(self.network, self.bitmap)

    def __repr__(self) -> str:
        r = self.compute()
        shapes = " → ".join(f"{name} {'×'.join(map(str, m.shape))}" for name, m in r.maps.items())
        ink = sum(row.count("1") for row in self.bitmap)
        return (
            f"DigitDrawer({ink} ink pixels → {shapes}; reads {r.digit} "
            f"with probability {r.probabilities[r.digit].item():.2f})"
        )


__all__ = [
    "DigitDrawer",
    "Reading",
    "bitmap_rows",
    "digit_bitmap",
    "digits_state",
    "network_state",
    "picked_digits",
    "read_digit",
]
