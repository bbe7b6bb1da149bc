"""Matplotlib helpers for the course's static figures.

Every figure is a row of small grids with their numbers written in, some cells
highlighted: the way the chapters draw an input, a kernel and an output.
"""

from __future__ import annotations

import statistics
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


# How each method is drawn in ``time_against_size``: label, marker.
METHOD_STYLES = {
    "loop": ("loop (corr2d)", "o"),
    "im2col": ("im2col + one matrix product", "s"),
    "conv2d": ("convlab kernels.conv2d", "^"),
    "torch": ("PyTorch F.conv2d", "D"),
}


def time_against_size(panels, title: str = "") -> Figure:
    """Log-log plots of median time against input size, one panel per ``(label, timings)``.

    ``timings`` is a list of ``convlab.speed.Timing``. Where the loop was not
    timed, a dashed line continues it as windows × its measured time per window.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.6), squeeze=False)
    for ax, (label, timings) in zip(axes[0], panels, strict=True):
        sizes = [t.size for t in timings]
        for method, (name, marker) in METHOD_STYLES.items():
            points = [(t.size, t.seconds[method]) for t in timings if method in t.seconds]
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            (line,) = ax.plot(xs, [1e3 * y for y in ys], marker=marker, label=name)
            missing = [t for t in timings if method not in t.seconds]
            if method == "loop" and missing:
                per_window = statistics.median(
                    t.loop_per_window for t in timings if t.loop_per_window
                )
                ax.plot(
                    [xs[-1]] + [t.size for t in missing],
                    [1e3 * ys[-1]] + [1e3 * t.windows * per_window for t in missing],
                    linestyle="--",
                    color=line.get_color(),
                    label="loop, predicted: windows × time per window",
                )
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(sizes, [str(s) for s in sizes])
        ax.set_xlabel(f"input side n ({label})")
        ax.grid(True, which="major", alpha=0.3)
    axes[0][0].set_ylabel("median time (ms)")
    legend = {}  # one entry per label, from whichever panel drew it
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    fig.legend(legend.values(), legend.keys(), loc="lower center", ncol=3, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.13, 1, 1))
    return fig
