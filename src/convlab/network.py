"""A whole network on real data: a LeNet for the 8 × 8 digits, built from the course's layers.

LeNet's plan, sized for 8 × 8 images: a 3 × 3 convolution (padding 1, so the
map stays 8 × 8), ReLU, 2 × 2 max pooling (4 × 4), again (2 × 2), then a
linear layer from the last maps to the ten classes. ``lenet`` builds it from
``convlab.layers`` or from ``torch.nn``: from the same seed the two start
with the same weights and compute the same function, so what differs after
training comes from the order in which each adds up its sums.

- ``lenet``: the network (``separable=True``: the second convolution made
  depthwise-separable, chapter 7).
- ``train``: Adam on minibatches, several networks taking turns an epoch at a
  time on the same batches, timed with ``convlab.timing``.
- ``predict``, ``accuracy``, ``confusion_matrix``, ``misclassified``: what it
  gets right and wrong on held-out digits.
- ``layer_counts`` and ``receptive_fields``: the network counted with the
  course's tools (chapters 4, 5 and 8).
- ``first_filters``, ``feature_maps``, ``shift`` and ``shift_accuracy``: what
  it learned, and how it copes with a moved digit (chapter 6's equivariance
  and invariance, measured on a trained network).

The networks compute in float64 by default: on 8 × 8 digits that costs little,
and it keeps what a trained network answers the same on every CPU, whatever
order its vector instructions add the sums in.

The functions that read a network take any ``nn.Sequential`` of these layers
(``Conv2d``, ``MaxPool2d``, ``AvgPool2d`` from ``convlab.layers`` or
``torch.nn``, ``ReLU``, ``Flatten``, ``Linear``) that maps (N, 1, 8, 8)
digits to ten scores.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from convlab import counting, layers
from convlab.checks import (
    as_pair,
    check_bool,
    check_choice,
    check_int,
    check_number,
    check_seed,
    check_tensor,
    is_int,
)
from convlab.digits import CLASSES, SIZE, Digits
from convlab.kernels import output_size
from convlab.kernels.pooling import output_length
from convlab.receptive_field import Field, receptive_field
from convlab.timing import MAX_THREADS, interleaved_medians, torch_threads

__all__ = [
    "LayerCount",
    "Training",
    "accuracy",
    "confusion_matrix",
    "feature_maps",
    "first_filters",
    "layer_counts",
    "lenet",
    "misclassified",
    "predict",
    "receptive_fields",
    "shift",
    "shift_accuracy",
    "train",
]

KINDS = ("convlab", "torch")
CHANNELS = (16, 32)  # maps of the first and the second convolution
EPOCHS = 20
BATCH_SIZE = 32
LR = 0.01  # Adam's first step size; it falls linearly towards 0
MAX_CHANNELS = 1024
MAX_EPOCHS = 1000
DIGIT = (1, SIZE, SIZE)  # one image: (channels, height, width)
DTYPES = (torch.float32, torch.float64)
POOLS = (nn.MaxPool2d, nn.AvgPool2d)  # convlab's layers are subclasses of these
ELEMENTWISE = (nn.ReLU,)


def lenet(
    kind: str = "convlab",
    channels: tuple[int, int] = CHANNELS,
    separable: bool = False,
    seed: int = 0,
    dtype: torch.dtype = torch.float64,
) -> nn.Sequential:
    """LeNet for 8 × 8 digits, from ``convlab.layers`` (``kind='convlab'``) or ``torch.nn``.

    conv1 (1 → c₁, 3 × 3, padding 1), relu1, pool1 (2 × 2 max), conv2 (c₁ → c₂),
    relu2, pool2, flatten, fc (c₂·2·2 → 10). With ``separable``, conv2 becomes
    ``depthwise2`` (c₁ → c₁, one 3 × 3 kernel per map, groups c₁) and
    ``pointwise2`` (c₁ → c₂, 1 × 1). The weights are PyTorch's initialisation
    after ``torch.manual_seed(seed)`` (the caller's random state is left
    alone), so both kinds start from the same numbers. ``channels`` are from 1
    to 1024; ``dtype`` is torch.float64 (the default) or torch.float32.
    """
    check_choice(kind, "kind", KINDS)
    if not isinstance(channels, tuple | list) or len(channels) != 2:
        raise TypeError(f"channels: expected a pair (c1, c2), got {channels!r:.80}")
    c1 = check_int(channels[0], "channels", minimum=1, maximum=MAX_CHANNELS)
    c2 = check_int(channels[1], "channels", minimum=1, maximum=MAX_CHANNELS)
    separable = check_bool(separable, "separable")
    seed = check_seed(seed)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype: expected torch.float64 or torch.float32, got {dtype!r:.80}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype: expected torch.float64 or torch.float32, got {dtype}")
    conv, pool = (
        (layers.Conv2d, layers.MaxPool2d) if kind == "convlab" else (nn.Conv2d, nn.MaxPool2d)
    )
    side = SIZE // 4  # after two 2 × 2 poolings
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        parts = [("conv1", conv(1, c1, 3, padding=1)), ("relu1", nn.ReLU()), ("pool1", pool(2))]
        if separable:
            parts.append(("depthwise2", conv(c1, c1, 3, padding=1, groups=c1)))
            parts.append(("pointwise2", conv(c1, c2, 1)))
        else:
            parts.append(("conv2", conv(c1, c2, 3, padding=1)))
        parts += [
            ("relu2", nn.ReLU()),
            ("pool2", pool(2)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(c2 * side * side, CLASSES)),
        ]
        return nn.Sequential(OrderedDict(parts)).to(dtype)


# --- Checks ----------------------------------------------------------------------


def _check_network(network: object, name: str = "network") -> nn.Module:
    """A ``torch.nn.Module`` with floating-point parameters, all of one dtype."""
    if not isinstance(network, nn.Module):
        raise TypeError(f"{name}: expected a torch.nn.Module, got {type(network).__name__}")
    dtypes = {p.dtype for p in network.parameters()}
    if not dtypes:
        raise ValueError(f"{name}: has no parameters to learn or to classify with")
    if len(dtypes) > 1 or not next(iter(dtypes)).is_floating_point:
        raise TypeError(f"{name}: expected floating-point parameters of one dtype, got {dtypes}")
    return network


def _dtype(network: nn.Module) -> torch.dtype:
    return next(network.parameters()).dtype


def _check_images(images: object, network: nn.Module, name: str = "images") -> torch.Tensor:
    """Digits as the network reads them: (N, 1, 8, 8), converted to the network's dtype."""
    check_tensor(images, name, {4: "(N, 1, 8, 8)"}, empty_batch=True)
    if tuple(images.shape[1:]) != DIGIT:
        raise ValueError(
            f"{name}: expected (N, 1, {SIZE}, {SIZE}) digits, got shape {tuple(images.shape)}"
        )
    if not images.is_floating_point():
        raise TypeError(f"{name}: expected floating-point pixels in [0, 1], got {images.dtype}")
    return images.to(_dtype(network))


def _check_labels(labels: object, images: torch.Tensor) -> torch.Tensor:
    """One int64 label from 0 to 9 per image."""
    if not isinstance(labels, torch.Tensor) or labels.dtype != torch.int64 or labels.dim() != 1:
        kind = labels.dtype if isinstance(labels, torch.Tensor) else type(labels).__name__
        raise TypeError(f"labels: expected a 1-D int64 tensor, got {kind}")
    if len(labels) != len(images):
        raise ValueError(f"labels: expected one per image ({len(images)}), got {len(labels)}")
    if len(labels) and not bool(((labels >= 0) & (labels < CLASSES)).all()):
        raise ValueError(
            f"labels: must be digits 0 to 9, got {labels.min().item()} to {labels.max().item()}"
        )
    return labels


def _scores(network: nn.Module, images: torch.Tensor, name: str = "network") -> torch.Tensor:
    """The network's ten scores per image, without a gradient, in eval mode."""
    was_training = network.training
    network.eval()
    try:
        with torch.no_grad():
            scores = network(images)
    except (RuntimeError, ValueError, TypeError, IndexError) as error:
        raise ValueError(f"{name}: cannot classify (N, 1, 8, 8) digits: {error}") from None
    finally:
        network.train(was_training)
    if not isinstance(scores, torch.Tensor) or tuple(scores.shape) != (len(images), CLASSES):
        got = tuple(scores.shape) if isinstance(scores, torch.Tensor) else type(scores).__name__
        raise ValueError(f"{name}: expected {CLASSES} scores per digit, got {got}")
    return scores


def _check_sequential(network: object) -> nn.Sequential:
    """An ``nn.Sequential`` of layers these functions know how to follow."""
    known = (nn.Conv2d, *POOLS, *ELEMENTWISE, nn.Flatten, nn.Linear)
    if not isinstance(network, nn.Sequential):
        raise TypeError(f"network: expected an nn.Sequential, got {type(network).__name__}")
    for name, layer in network.named_children():
        if not isinstance(layer, known):
            raise ValueError(
                f"network: layer {name!r} is a {type(layer).__name__}; these functions follow "
                "Conv2d, MaxPool2d, AvgPool2d, ReLU, Flatten and Linear layers"
            )
    _check_network(network)
    return network


# --- Training --------------------------------------------------------------------


@dataclass(frozen=True)
class Training:
    """What ``train`` reports for one network."""

    losses: tuple[float, ...]  # mean cross-entropy over the training set, epoch by epoch
    correct: int  # test digits classified right after the last epoch
    tested: int  # test digits
    epoch_seconds: float  # median time of an epoch (after the first, a warm-up)

    @property
    def accuracy(self) -> float:
        """The share of test digits classified right."""
        return self.correct / self.tested


def train(
    networks: Mapping[str, nn.Module],
    digits: Digits,
    epochs: int = EPOCHS,
    batch_size: int = BATCH_SIZE,
    lr: float = LR,
    seed: int = 0,
    threads: int | None = 1,
) -> dict[str, Training]:
    """Train each network in place on ``digits``; report its losses, test accuracy and speed.

    Each network gets its own Adam and the same minibatches in the same order
    (a shuffle per epoch from ``seed``), minimising the mean cross-entropy.
    The step size falls linearly from ``lr`` towards 0 over the run, so the
    last epochs settle into a minimum instead of wandering around it: a run
    then ends with the same answers on any CPU, although each CPU rounds its
    sums a little differently. The networks take turns, one epoch each
    (``convlab.timing.interleaved_medians``), so a slow spell of a shared
    machine falls on all of them alike; ``epoch_seconds`` is the median epoch
    after the first. ``epochs`` is from 2 to 1000 (the first is the warm-up).

    ``threads`` is PyTorch's thread count while training (restored after), or
    None for the default. One by default: these tensors are too small to share
    out (on a busy machine the threads wait for each other), and how a sum is
    split between threads depends on the machine.
    """
    if not isinstance(networks, Mapping) or not networks:
        raise TypeError(
            f"networks: expected a non-empty dict of name → network, got {networks!r:.80}"
        )
    if not isinstance(digits, Digits):
        raise TypeError(
            f"digits: expected the Digits of convlab.digits.load_digits(), "
            f"got {type(digits).__name__}"
        )
    data = {}  # each network's digits, in its dtype
    for name, network in networks.items():
        label = f"networks: the entry {name!r}"
        dtype = _dtype(_check_network(network, label))
        data[name] = [t.to(dtype) for t in (digits.train_images, digits.test_images)]
        _scores(network, data[name][0][:1], label)  # reads digits, gives ten scores
    epochs = check_int(epochs, "epochs", minimum=2, maximum=MAX_EPOCHS)
    n = len(digits.train_labels)
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=n)
    lr = check_number(lr, "lr", "a step size > 0", lambda v: v > 0)
    seed = check_seed(seed)
    if threads is not None:
        threads = check_int(threads, "threads", minimum=1, maximum=MAX_THREADS)
    steps = epochs * math.ceil(n / batch_size)
    losses: dict[str, list[float]] = {name: [] for name in networks}

    def epoch_of(name: str, network: nn.Module) -> Callable[[], None]:
        optimizer = torch.optim.Adam(network.parameters(), lr=lr)
        order = torch.Generator().manual_seed(seed)
        train_images = data[name][0]
        done = 0  # steps so far

        def epoch() -> None:
            nonlocal done
            network.train()
            total = torch.zeros((), dtype=torch.float64)
            for batch in torch.randperm(n, generator=order).split(batch_size):
                for group in optimizer.param_groups:
                    group["lr"] = lr * (1 - done / steps)
                optimizer.zero_grad()
                loss = F.cross_entropy(network(train_images[batch]), digits.train_labels[batch])
                loss.backward()
                optimizer.step()
                total += loss.detach() * len(batch)
                done += 1
            losses[name].append(total.item() / n)

        return epoch

    runs = {name: epoch_of(name, network) for name, network in networks.items()}
    with torch_threads(threads) if threads is not None else nullcontext():
        seconds = interleaved_medians(runs, repeats=epochs - 1)
        right = {
            name: int((_scores(network, data[name][1]).argmax(-1) == digits.test_labels).sum())
            for name, network in networks.items()
        }
    tested = len(digits.test_labels)
    return {
        name: Training(tuple(losses[name]), right[name], tested, seconds[name]) for name in networks
    }


# --- What it gets right and wrong --------------------------------------------------


def predict(network: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The digit the network scores highest for each image: (N,) int64."""
    network = _check_network(network)
    images = _check_images(images, network)
    return _scores(network, images).argmax(-1)


def accuracy(network: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """The share of ``images`` the network classifies as ``labels`` (NaN for no images)."""
    predicted = predict(network, images)
    labels = _check_labels(labels, images)
    return (predicted == labels).double().mean().item()


def confusion_matrix(
    network: nn.Module, images: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    """(10, 10) int64 counts: row = the true digit, column = the network's answer."""
    predicted = predict(network, images)
    labels = _check_labels(labels, images)
    pairs = labels * CLASSES + predicted
    return torch.bincount(pairs, minlength=CLASSES * CLASSES).view(CLASSES, CLASSES)


def misclassified(
    network: nn.Module, images: torch.Tensor, labels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The images it gets wrong: their indices (in order) and what it answered."""
    predicted = predict(network, images)
    labels = _check_labels(labels, images)
    wrong = (predicted != labels).nonzero().flatten()
    return wrong, predicted[wrong]


# --- Counting it with the course's tools -------------------------------------------


@dataclass(frozen=True)
class LayerCount:
    """One layer of a network on one image (see ``layer_counts``)."""

    name: str
    kind: str  # the layer's class: "Conv2d", "MaxPool2d", "ReLU", ...
    output_shape: tuple[int, ...]  # (C, H, W), or (features,) after flattening
    params: int
    macs: int  # multiply-adds on one image (pooling and ReLU make none)


def _conv_padding(layer: nn.Conv2d) -> tuple[int, int]:
    """The padding per side of a convolution; 'same' pads d·(k−1)/2 before (PyTorch)."""
    if layer.padding == "valid":
        return 0, 0
    if layer.padding == "same":
        return tuple(
            d * (k - 1) // 2 for k, d in zip(layer.kernel_size, layer.dilation, strict=True)
        )
    return as_pair(layer.padding, "padding", minimum=0)


def _geometry(layer: nn.Module) -> tuple[tuple[int, int], ...]:
    """A convolution's or pooling's (kernel, stride, padding, dilation), each (height, width)."""
    stride = layer.kernel_size if layer.stride is None else layer.stride
    padding = _conv_padding(layer) if isinstance(layer, nn.Conv2d) else layer.padding
    dilation = getattr(layer, "dilation", 1)  # average pooling has none
    return tuple(
        as_pair(value, name, minimum=0)
        for value, name in (
            (layer.kernel_size, "kernel_size"),
            (stride, "stride"),
            (padding, "padding"),
            (dilation, "dilation"),
        )
    )


def _out_size(layer: nn.Module, size: tuple[int, int]) -> tuple[int, int]:
    """The (height, width) a convolution or pooling layer makes of ``size``."""
    kernel, stride, padding, dilation = _geometry(layer)
    if isinstance(layer, POOLS) and layer.ceil_mode:
        return tuple(
            output_length(*axis, True)
            for axis in zip(size, kernel, stride, padding, dilation, strict=True)
        )
    if isinstance(layer, nn.Conv2d) and layer.padding == "same":
        return size
    return output_size(size, kernel, stride, padding, dilation)


def layer_counts(network: nn.Sequential) -> list[LayerCount]:
    """Each layer's output shape, parameters and multiply-adds on one 8 × 8 digit.

    Output sizes come from ``convlab.kernels.output_size`` (chapter 4),
    parameters and multiply-adds from ``convlab.counting`` (chapters 5 and 7):
    a convolution's c_out·(c_in/groups)·k_h·k_w weights (+ c_out biases) and as
    many multiply-adds per output cell; a linear layer's in·out weights (+
    out biases) and in·out multiply-adds.
    """
    network = _check_sequential(network)
    shape: tuple[int, ...] = DIGIT
    counts = []
    for name, layer in network.named_children():
        params = macs = 0
        if isinstance(layer, nn.Conv2d):
            size = _out_size(layer, shape[1:])
            c_in, c_out, kernel = layer.in_channels, layer.out_channels, layer.kernel_size
            params = counting.grouped_params(
                c_in, c_out, kernel, layer.groups, layer.bias is not None
            )
            macs = counting.conv2d_macs(c_in, c_out, kernel, size, layer.groups)
            shape = (c_out, *size)
        elif isinstance(layer, POOLS):
            shape = (shape[0], *_out_size(layer, shape[1:]))
        elif isinstance(layer, nn.Flatten):
            shape = (math.prod(shape),)
        elif isinstance(layer, nn.Linear):
            params = counting.dense_params(
                layer.in_features, layer.out_features, layer.bias is not None
            )
            macs = layer.in_features * layer.out_features
            shape = (layer.out_features,)
        counts.append(LayerCount(name, type(layer).__name__, shape, params, macs))
    return counts


def receptive_fields(network: nn.Sequential) -> dict[str, tuple[Field, Field]]:
    """The receptive field of the cells of each convolution and pooling layer (chapter 8).

    For each such layer, ``convlab.receptive_field.receptive_field`` of the
    stack up to it, per axis: (height, width) ``Field``s, each with the size
    (input cells one cell sees, from first to last), the jump (input cells
    between neighbouring cells) and the start (a negative one is padding). The
    layers before a Flatten only; ReLU changes no field.
    """
    network = _check_sequential(network)
    stacks: tuple[list, list] = ([], [])
    fields = {}
    for name, layer in network.named_children():
        if isinstance(layer, nn.Flatten | nn.Linear):
            break
        if isinstance(layer, (nn.Conv2d, *POOLS)):
            kernel, stride, padding, dilation = _geometry(layer)
            for axis, stack in enumerate(stacks):
                stack.append((kernel[axis], stride[axis], dilation[axis], padding[axis]))
            fields[name] = (receptive_field(stacks[0])[-1], receptive_field(stacks[1])[-1])
    return fields


# --- What it learned ----------------------------------------------------------------


def first_filters(network: nn.Module) -> torch.Tensor:
    """The first convolution's kernels, (C_out, C_in/groups, k_h, k_w): what it looks for."""
    network = _check_network(network)
    for layer in network.modules():
        if isinstance(layer, nn.Conv2d):
            return layer.weight.detach().clone()
    raise ValueError("network: has no Conv2d layer")


def feature_maps(network: nn.Sequential, images: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every layer's output for ``images`` (N, 1, 8, 8), by layer name, in order.

    Computed without a gradient, in eval mode; the last entry is the ten scores.
    """
    network = _check_sequential(network)
    images = _check_images(images, network)
    _scores(network, images[:1])  # the network reads digits and gives ten scores
    maps = {}
    with torch.no_grad():
        out = images
        for name, layer in network.named_children():
            out = maps[name] = layer(out)
    return maps


def shift(images: torch.Tensor, down: int = 0, right: int = 0) -> torch.Tensor:
    """The images moved ``down`` rows and ``right`` columns (negative: up, left).

    Cells moved in from outside are 0 (blank paper); cells moved out are lost.
    Works on any (..., H, W) tensor.
    """
    check_tensor(
        images, "images", {2: "(H, W)", 3: "(C, H, W)", 4: "(N, C, H, W)"}, empty_batch=True
    )
    height, width = images.shape[-2:]
    for value, name in ((down, "down"), (right, "right")):
        if not is_int(value):
            raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    down, right = max(-height, min(height, down)), max(-width, min(width, right))  # the rest is 0
    moved = torch.zeros_like(images)
    rows, columns = (
        slice(max(0, down), height + min(0, down)),
        slice(max(0, right), width + min(0, right)),
    )
    source = images[
        ..., max(0, -down) : height - max(0, down), max(0, -right) : width - max(0, right)
    ]
    moved[..., rows, columns] = source
    return moved


DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # down, up, right, left


def shift_accuracy(
    network: nn.Module, images: torch.Tensor, labels: torch.Tensor, pixels: int
) -> float:
    """Accuracy on the images moved ``pixels`` down, up, right and left (all four pooled).

    ``pixels`` 0 is the plain accuracy. A network that were invariant to
    shifts would keep its accuracy; one trained on centred digits loses some.
    """
    network = _check_network(network)
    images = _check_images(images, network)
    labels = _check_labels(labels, images)
    pixels = check_int(pixels, "pixels", minimum=0, maximum=SIZE)
    moves = DIRECTIONS if pixels else ((0, 0),)
    right = sum(
        int((_scores(network, shift(images, pixels * dy, pixels * dx)).argmax(-1) == labels).sum())
        for dy, dx in moves
    )
    return right / (len(moves) * len(images)) if len(images) else math.nan
