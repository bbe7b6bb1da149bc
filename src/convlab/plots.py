"""Matplotlib helpers for the course's static figures.

Every figure is a row of small grids with their numbers written in, some cells
highlighted: the way the chapters draw an input, a kernel and an output.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convlab.widgets.text import format_number

HIGHLIGHT = "#ffd54f"
CELL = "#f4f6f8"


def show_grids(
    grids: Sequence[torch.Tensor],
    titles: Sequence[str],
    highlights: Sequence[torch.Tensor | None] | None = None,
    operators: Sequence[str] = (),
    cell_size: float = 0.42,
) -> Figure:
    """Draw 2-D tensors side by side as grids of numbers.

    ``highlights[i]`` is a boolean mask of the cells to colour in grid ``i``;
    ``operators`` are drawn between consecutive grids (e.g. ``"⋆"``, ``"="``).
    """
    if len(titles) != len(grids):
        raise ValueError(f"titles: expected {len(grids)} titles, one per grid, got {len(titles)}")
    highlights = list(highlights) if highlights is not None else [None] * len(grids)
    if len(highlights) != len(grids):
        raise ValueError(
            f"highlights: expected {len(grids)} masks (or None), one per grid, "
            f"got {len(highlights)}"
        )
    gap = 1.4
    width = sum(g.shape[1] for g in grids) + gap * (len(grids) - 1)
    height = max(g.shape[0] for g in grids) + 1
    fig, ax = plt.subplots(figsize=(width * cell_size, height * cell_size))
    x0 = 0.0
    for n, (grid, title, mask) in enumerate(zip(grids, titles, highlights, strict=True)):
        if grid.dim() != 2:
            raise ValueError(f"grids[{n}]: expected a 2-D tensor, got shape {tuple(grid.shape)}")
        rows, cols = grid.shape
        top = (height - 1 + rows) / 2
        for i in range(rows):
            for j in range(cols):
                on = mask is not None and bool(mask[i, j])
                ax.add_patch(
                    Rectangle(
                        (x0 + j, top - i - 1),
                        1,
                        1,
                        facecolor=HIGHLIGHT if on else CELL,
                        edgecolor="#555",
                        linewidth=0.8,
                    )
                )
                ax.text(
                    x0 + j + 0.5,
                    top - i - 0.5,
                    format_number(grid[i, j].item()),
                    ha="center",
                    va="center",
                    fontsize=9,
                    weight="bold" if on else "normal",
                )
        ax.text(x0 + cols / 2, top + 0.35, title, ha="center", va="bottom", fontsize=9)
        if n < len(operators):
            ax.text(
                x0 + cols + gap / 2,
                (height - 1) / 2,
                operators[n],
                ha="center",
                va="center",
                fontsize=14,
            )
        x0 += cols + gap
    ax.set_xlim(-0.1, width + 0.1)
    ax.set_ylim(-0.1, height + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def window_mask(shape: tuple[int, int], top: int, left: int, size: tuple[int, int]) -> torch.Tensor:
    """A boolean mask that is True on the ``size`` window whose corner is (top, left)."""
    mask = torch.zeros(shape, dtype=torch.bool)
    mask[top : top + size[0], left : left + size[1]] = True
    return mask
