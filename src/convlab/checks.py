"""Argument checks shared by every public function and widget of convlab.

Each helper either hands back its argument in a normal form (an int becomes a
``(height, width)`` pair, a padding string becomes four numbers) or raises an
error whose message names the argument, states the rule and shows the numbers
that break it. Wrong types raise ``TypeError``; wrong values raise ``ValueError``.
Nothing else escapes: a caller never meets an ``IndexError`` or a ``RuntimeError``
from deep inside.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from functools import reduce
from numbers import Integral, Real

import torch

Pair = tuple[int, int]
Padding = tuple[int, int, int, int]  # (top, bottom, left, right)

AXES = ("height", "width")


def size_text(shape: Sequence[int]) -> str:
    """Write a shape the way the course does: ``(3, 4)`` -> ``'3×4'``."""
    return "×".join(str(n) for n in shape)


def is_int(value: object) -> bool:
    """True for ints (numpy ints too) but not for bools, which are ints in Python."""
    if type(value) is int:  # the common case, checked first because it is quick
        return True
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_int(value: object, name: str, minimum: int, maximum: int | None = None) -> int:
    """A single int (numpy ints too, never a bool) with ``minimum ≤ value ≤ maximum``."""
    if not is_int(value):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    if maximum is not None and not minimum <= value <= maximum:
        raise ValueError(f"{name}: must be from {minimum} to {maximum}, got {value}")
    if value < minimum:
        raise ValueError(f"{name}: must be ≥ {minimum}, got {value}")
    return int(value)


def check_bool(value: object, name: str) -> bool:
    """``True`` or ``False`` (numpy bools too); a string such as ``'no'`` is refused."""
    if isinstance(value, bool) or (
        type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_")
    ):  # numpy 2 names its bool type ``numpy.bool``, numpy 1 ``numpy.bool_``
        return bool(value)
    raise TypeError(f"{name}: expected True or False, got {type(value).__name__} {value!r}")


def check_number(
    value: object,
    name: str,
    rule: str = "a finite number",
    ok: Callable[[float], bool] = lambda v: True,
) -> float:
    """A finite real number (int, float, numpy scalar; never a bool) for which ``ok`` holds.

    ``rule`` says in words what ``ok`` checks, for the message: ``"a number > 0"``.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        raise ValueError(f"{name}: expected {rule}, got {value!r}") from None
    if not math.isfinite(number) or not ok(number):
        raise ValueError(f"{name}: expected {rule}, got {value!r}")
    return number


def check_real(value: object, name: str) -> float:
    """A real number (int, float, numpy scalar; never a bool) as a float; inf and NaN allowed.

    For numbers that are shown rather than computed with, such as a loss that overflowed.
    An int too large for a float becomes ±inf.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    try:
        return float(value)
    except OverflowError:  # an int too large for a float
        return math.inf if value > 0 else -math.inf


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """One of a few words, such as a pooling mode: ``'max'`` or ``'mean'``."""
    wanted = " or ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected {wanted}, got {type(value).__name__} {value!r}")
    if value not in choices:
        raise ValueError(f"{name}: expected {wanted}, got {value!r}")
    return value


def check_seed(seed: object, name: str = "seed") -> int:
    """A seed for ``torch.manual_seed``: a whole number from 0 to 2⁶⁴ − 1."""
    return check_int(seed, name, minimum=0, maximum=2**64 - 1)


def as_pair(value: object, name: str, minimum: int) -> Pair:
    """Normalise an int or a pair of ints to ``(height, width)``, each ≥ ``minimum``."""
    if type(value) is int and value >= minimum:  # the common case, answered quickly
        return value, value
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"{name}: expected an int or a pair (height, width), "
                f"got {tuple(value)} of length {len(value)}"
            )
        items = tuple(value)
    else:
        items = (value, value)
    if not all(is_int(item) for item in items):
        raise TypeError(
            f"{name}: expected an int or a pair of ints, got {type(value).__name__} {value!r}"
        )
    if min(items) < minimum:
        raise ValueError(f"{name}: must be ≥ {minimum} on each axis, got {value!r}")
    return int(items[0]), int(items[1])


# The dtypes PyTorch multiplies and adds on the CPU: its convolution computes with
# these and refuses bool, float8 and the unsigned types wider than 8 bits.
REAL_DTYPES = frozenset(
    {
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
        torch.uint8,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
    }
)
REAL_DTYPE_NAMES = "float16, bfloat16, float32, float64, uint8, int8, int16, int32 or int64"


def check_tensor(
    tensor: object, name: str, layouts: Mapping[int, str], empty_batch: bool = False
) -> None:
    """A non-empty dense tensor of real numbers whose number of axes is a key of ``layouts``.

    ``layouts`` maps each allowed number of axes to the meaning of the axes,
    e.g. ``{3: "(C, H, W)", 4: "(N, C, H, W)"}``, so the message can say what
    was expected. With ``empty_batch``, a tensor of the largest layout may hold
    no item on its first (batch) axis, as PyTorch's layers allow.
    """
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor, got {type(tensor).__name__}")
    if tensor.layout != torch.strided:
        raise TypeError(f"{name}: expected a dense tensor, got layout {tensor.layout}")
    if tensor.dtype not in REAL_DTYPES:
        raise TypeError(f"{name}: expected real numbers ({REAL_DTYPE_NAMES}), got {tensor.dtype}")
    shape = tuple(tensor.shape)
    if tensor.dim() not in layouts:
        wanted = " or ".join(f"{n}-D {layout}" for n, layout in layouts.items())
        raise ValueError(
            f"{name}: expected a {wanted} tensor, got {tensor.dim()}-D with shape {shape}"
        )
    if tensor.numel() == 0 and not (empty_batch and len(shape) == max(layouts) and all(shape[1:])):
        raise ValueError(f"{name}: is empty (shape {shape}): every axis needs at least one element")


def check_dtype(tensor: object, name: str, layer: str) -> None:
    """A tensor's dtype is one PyTorch's ``layer`` (``'conv2d'``) computes with on the CPU.

    Checked before ``check_tensor`` so that the message can say what PyTorch
    does: it refuses bool, float8 and the unsigned types wider than 8 bits too,
    but it accepts complex numbers, which convlab leaves out. Anything that is
    not a tensor is left for ``check_tensor`` to report.
    """
    if isinstance(tensor, torch.Tensor) and tensor.dtype not in REAL_DTYPES:
        torch_does = "accepts it, but convlab covers real numbers only"
        if not tensor.is_complex():
            torch_does = "refuses it too"
        raise TypeError(
            f"{name}: expected real numbers ({REAL_DTYPE_NAMES}), got {tensor.dtype}: "
            f"PyTorch's {layer} {torch_does}"
        )


def check_same_dtype(layer: str, **tensors: torch.Tensor | None) -> torch.dtype:
    """The tensors (``None`` skipped) share one dtype, as PyTorch's ``layer`` requires.

    PyTorch's layers refuse a float32 input with float64 weights instead of
    promoting; convlab's layers refuse the same calls. Returns the dtype.
    """
    (first, reference), *others = ((n, t) for n, t in tensors.items() if t is not None)
    for name, tensor in others:
        if tensor.dtype != reference.dtype:
            raise TypeError(
                f"{name}: dtype {tensor.dtype} differs from {first}'s {reference.dtype}: "
                f"PyTorch's {layer} refuses mixed dtypes too; convert one, "
                f"e.g. {name}.to({first}.dtype)"
            )
    return reference.dtype


# The dtypes PyTorch's dilated convolution on the CPU computes with: not the
# integer types narrower than 64 bits ("slow_conv_dilated" not implemented).
DILATED_DTYPES = frozenset(
    {torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.int64}
)


def check_dilated_dtype(dtype: torch.dtype, dilation: Pair, layer: str) -> None:
    """A dilation above 1 needs a dtype PyTorch's ``layer`` dilates: floats or int64."""
    if dilation != (1, 1) and dtype not in DILATED_DTYPES:
        raise TypeError(
            f"dilation: {dilation} with {dtype} tensors: PyTorch's {layer} dilates only "
            "float and int64 tensors and refuses this, so convlab does too; "
            "convert with .long() or use dilation 1"
        )


MAX_ELEMENTS = 2**31  # 8 GiB of float32: more than any call of this course needs


def check_result_size(shape: Sequence[int], cause: str) -> None:
    """Refuse, before allocating anything, a result of more than ``MAX_ELEMENTS`` numbers.

    ``cause`` names the arguments that make it so large, for the message.
    """
    elements = math.prod(shape)
    if elements > MAX_ELEMENTS:
        raise ValueError(
            f"{cause}: the result would be {size_text(shape)} = {elements} elements, "
            f"more than the {MAX_ELEMENTS} (2**31) convlab computes: refused before allocating"
        )


def check_channels(got: int, expected: int, source: str) -> None:
    """X must have as many channels as the kernel expects (``source`` says why)."""
    if got != expected:
        raise ValueError(f"X: has {got} channels, but the kernel expects {expected} ({source})")


def check_kernel_1x1(K: torch.Tensor) -> None:
    """The 1×1 shortcut only works when the kernel really is 1×1."""
    if tuple(K.shape[2:]) != (1, 1):
        raise ValueError(
            f"K: expected a 1×1 kernel, got {size_text(K.shape[2:])}; "
            "use corr2d_multi_out for larger kernels"
        )


def check_fits(
    name: str,
    kernel: Sequence[int],
    size: Sequence[int],
    padding: Pair = (0, 0),
    dilation: Pair = (1, 1),
) -> None:
    """The (dilated) kernel must fit inside the (padded) input on both axes.

    Otherwise the output would have no rows or no columns. ``padding`` is the
    total padding per axis (both sides together).
    """
    effective = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    padded = [n + p for n, p in zip(size, padding, strict=True)]
    for axis, k_eff, n in zip(AXES, effective, padded, strict=True):
        if k_eff > n:
            plain = padding == (0, 0) and dilation == (1, 1)
            dilated = "" if list(kernel) == effective else f", dilated to {size_text(effective)}"
            where = "input" if padding == (0, 0) else "padded input"
            rule = "k ≤ n" if plain else "k_eff = d·(k−1)+1 ≤ n + 2p"
            raise ValueError(
                f"{name}: the kernel ({size_text(kernel)}{dilated}) is larger than the "
                f"{where} ({size_text(padded)}): each axis needs {rule}, "
                f"but {axis} has {k_eff} > {n}"
            )


def conv_padding(padding: object, kernel: Pair, stride: Pair, dilation: Pair) -> Padding:
    """Turn ``padding`` into pixels per side: (top, bottom, left, right).

    ``padding`` is an int, a pair (height, width), ``'valid'`` or ``'same'``.

    ``'same'`` pads ``d·(k−1)`` per axis in total so the output keeps the input's
    size; like PyTorch, an odd total puts the extra row/column at the bottom/right.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(
                    "padding: 'same' keeps the output the size of the input, "
                    f"so it needs stride 1, got stride {stride}"
                )
            total_h, total_w = (d * (k - 1) for k, d in zip(kernel, dilation, strict=True))
            return (
                total_h // 2,
                total_h - total_h // 2,
                total_w // 2,
                total_w - total_w // 2,
            )
        raise ValueError(
            f"padding: unknown padding {padding!r}: use an int, a pair, 'valid' or 'same'"
        )
    p_h, p_w = as_pair(padding, "padding", minimum=0)
    return p_h, p_h, p_w, p_w


def check_groups(groups: object, c_in: int, c_out: int) -> int:
    """``groups`` must be ≥ 1 and split both the input and output channels evenly."""
    groups = check_int(groups, "groups", minimum=1)
    if c_in % groups:
        raise ValueError(
            f"groups: {groups} does not divide the {c_in} input channels of X "
            f"({c_in} % {groups} = {c_in % groups})"
        )
    if c_out % groups:
        raise ValueError(
            f"groups: {groups} does not divide the {c_out} output channels of W "
            f"({c_out} % {groups} = {c_out % groups})"
        )
    return groups


def check_bias(bias: object, c_out: int) -> None:
    """``bias`` is ``None`` or one number per output channel: shape ``(C_out,)``."""
    if bias is None:
        return
    check_tensor(bias, "bias", {1: "(C_out,)"})
    if bias.shape[0] != c_out:
        raise ValueError(
            f"bias: expected shape ({c_out},), one value per output channel of W, "
            f"got {tuple(bias.shape)}"
        )


def common_dtype(*tensors: torch.Tensor) -> torch.dtype:
    """The dtype PyTorch's type promotion gives when the tensors are combined."""
    return reduce(torch.promote_types, (t.dtype for t in tensors))
