"""The kernels are written from scratch: no PyTorch convolution, pooling or (un)fold.

The check reads the source with ``ast``, so docstrings and comments may name
``torch.nn.functional.conv2d`` freely, and the ``Tensor.unfold`` method (a view,
allowed) is told apart from ``F.unfold`` (im2col, forbidden).
"""

import ast
import re
from pathlib import Path

import pytest

import convlab.kernels

KERNELS_DIR = Path(convlab.kernels.__file__).parent
FORBIDDEN_NAME = re.compile(r"conv|pool|fold", re.IGNORECASE)


def torch_aliases(tree: ast.Module) -> dict[str, str]:
    """Local names bound to torch modules/objects: {'F': 'torch.nn.functional'}."""
    aliases = {"torch": "torch"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "torch":
                    local = alias.asname or alias.name.split(".")[0]
                    aliases[local] = alias.name if alias.asname else "torch"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("torch"):
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ['a', 'b', 'c']; None for anything that is not a plain chain."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def forbidden_uses(source: str) -> list[str]:
    """Every PyTorch convolution/pooling/fold function the source refers to."""
    tree = ast.parse(source)
    aliases = torch_aliases(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("torch"):
            found += [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if FORBIDDEN_NAME.search(alias.name)
            ]
        chain = dotted(node) if isinstance(node, (ast.Attribute, ast.Name)) else None
        if not chain or chain[0] not in aliases:
            continue  # e.g. X.unfold(...): a method on a tensor, not a torch function
        full = ".".join([aliases[chain[0]], *chain[1:]])
        if "Tensor" in full.split("."):
            continue  # torch.Tensor.unfold is the allowed view method
        if FORBIDDEN_NAME.search(full.split(".")[-1]):
            found.append(full)
    return found


SOURCES = sorted(KERNELS_DIR.glob("*.py"))


def test_the_kernel_sources_are_found() -> None:
    names = {path.name for path in SOURCES}
    assert {"conv.py", "pooling.py", "correlation.py", "_windows.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_kernels_do_not_call_pytorch_convolution_or_pooling(path: Path) -> None:
    assert forbidden_uses(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import torch.nn.functional as F\nF.conv2d(x, w)",
        "import torch.nn.functional as F\nF.max_pool2d(x, 2)",
        "import torch.nn.functional as F\nF.avg_pool2d(x, 2)",
        "import torch.nn.functional as F\nF.adaptive_avg_pool2d(x, 1)",
        "import torch.nn.functional as F\nF.unfold(x, 3)",
        "import torch.nn.functional as F\nF.fold(x, (4, 4), 3)",
        "import torch.nn.functional as G\nG.conv_transpose2d(x, w)",
        "import torch\ntorch.nn.functional.conv2d(x, w)",
        "import torch\ntorch.conv2d(x, w)",
        "import torch\ntorch.max_pool2d(x, 2)",
        "import torch\ntorch.nn.Conv2d(1, 1, 3)",
        "from torch import nn\nnn.MaxPool2d(2)",
        "from torch import nn\nnn.AvgPool2d(2)",
        "import torch.nn as nn\nnn.Conv2d(1, 1, 3)",
        "from torch.nn.functional import conv2d",
        "from torch.nn import functional\nfunctional.conv2d(x, w)",
        "from torch.nn.functional import pad, max_pool2d",
    ],
)
def test_the_scanner_catches_forbidden_calls(source: str) -> None:
    assert forbidden_uses(source)


@pytest.mark.parametrize(
    "source",
    [
        "import torch\nX.unfold(-2, 3, 1)",
        "import torch\ntorch.Tensor.unfold(X, -2, 3, 1)",
        "import torch.nn.functional as F\nF.pad(X, (1, 1, 1, 1))",
        "import torch\ntorch.einsum('ij,jk->ik', a, b)",
        "from .conv import conv2d\nconv2d(X, W)",
        '"""Same result as torch.nn.functional.conv2d."""',
        "# torch.nn.functional.max_pool2d would be cheating",
    ],
)
def test_the_scanner_allows_what_is_allowed(source: str) -> None:
    assert forbidden_uses(source) == []
