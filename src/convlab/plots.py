"""Matplotlib helpers for the course's static figures.

Every figure is a row of small grids with their numbers written in, some cells
highlighted: the way the chapters draw an input, a kernel and an output.

Every argument is checked before a figure is made, so a wrong one gives a
message that names it instead of a traceback from inside matplotlib. Each cell
is drawn one by one, so a figure holds at most ``MAX_CELLS`` cells.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convlab.checks import as_pair, check_int, check_number, check_result_size, check_tensor
from convlab.speed import Timing
from convlab.widgets.text import format_number

HIGHLIGHT = "#ffd54f"
CELL = "#f4f6f8"
MAX_CELLS = 4096  # cells in one figure of grids: each is a patch and a text (about 1 ms)
MAX_INCHES = 100  # the widest or tallest figure
MAX_PANELS = 8  # panels side by side in time_against_size


def _sequence(value: object, name: str, what: str) -> list:
    """A list or tuple of items (a string is one item, not a sequence of letters)."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise TypeError(f"{name}: expected a list of {what}, got {type(value).__name__}")
    return list(value)


def _strings(value: object, name: str) -> list[str]:
    items = _sequence(value, name, "strings")
    for n, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{n}]: expected a str, got {type(item).__name__} {item!r}")
    return items


def show_grids(
    grids: Sequence[torch.Tensor],
    titles: Sequence[str],
    highlights: Sequence[torch.Tensor | None] | None = None,
    operators: Sequence[str] = (),
    cell_size: float = 0.42,
) -> Figure:
    """Draw 2-D tensors side by side as grids of numbers.

    ``highlights[i]`` is a mask of the cells to colour in grid ``i`` (a tensor of
    the grid's shape; non-zero means coloured), or None; ``operators`` are drawn
    between consecutive grids (e.g. ``"⋆"``, ``"="``). ``cell_size`` is the side
    of a cell in inches.
    """
    grids = _sequence(grids, "grids", "2-D tensors")
    if not grids:
        raise ValueError("grids: give at least one grid to draw")
    for n, grid in enumerate(grids):
        check_tensor(grid, f"grids[{n}]", {2: "(rows, columns)"})
    titles = _strings(titles, "titles")
    if len(titles) != len(grids):
        raise ValueError(f"titles: expected {len(grids)} titles, one per grid, got {len(titles)}")
    highlights = (
        [None] * len(grids) if highlights is None else _sequence(highlights, "highlights", "masks")
    )
    if len(highlights) != len(grids):
        raise ValueError(
            f"highlights: expected {len(grids)} masks (or None), one per grid, "
            f"got {len(highlights)}"
        )
    for n, (mask, grid) in enumerate(zip(highlights, grids, strict=True)):
        if mask is None:
            continue
        if not isinstance(mask, torch.Tensor):
            raise TypeError(
                f"highlights[{n}]: expected a tensor or None, got {type(mask).__name__}"
            )
        if mask.shape != grid.shape or mask.is_complex():
            raise ValueError(
                f"highlights[{n}]: expected a real mask of the grid's shape "
                f"{tuple(grid.shape)}, got {mask.dtype} of shape {tuple(mask.shape)}"
            )
    operators = _strings(operators, "operators")
    if len(operators) > len(grids) - 1:
        raise ValueError(
            f"operators: one goes in each gap between two grids, {len(grids) - 1} here, "
            f"got {len(operators)}"
        )
    cell_size = check_number(cell_size, "cell_size", "a cell side > 0 inches", lambda v: v > 0)
    cells = sum(g.numel() for g in grids)
    if cells > MAX_CELLS:
        raise ValueError(
            f"grids: {cells:,} cells in all; show_grids draws at most {MAX_CELLS:,}, one by one"
        )
    gap = 1.4
    width = sum(g.shape[1] for g in grids) + gap * (len(grids) - 1)
    height = max(g.shape[0] for g in grids) + 1
    if max(width, height) * cell_size > MAX_INCHES:
        raise ValueError(
            f"cell_size: {cell_size:g} inches per cell make the figure {width * cell_size:.3g} "
            f"× {height * cell_size:.3g} inches; at most {MAX_INCHES} a side"
        )
    fig, ax = plt.subplots(figsize=(width * cell_size, height * cell_size))
    x0 = 0.0
    for n, (grid, title, mask) in enumerate(zip(grids, titles, highlights, strict=True)):
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
    """A boolean mask that is True on the ``size`` window whose corner is (top, left).

    The window must lie inside ``shape``: a mask never silently cuts it short.
    """
    rows, columns = as_pair(shape, "shape", minimum=1)
    top = check_int(top, "top", minimum=0)
    left = check_int(left, "left", minimum=0)
    height, width = as_pair(size, "size", minimum=1)
    for name, start, length, extent, axis in (
        ("top", top, height, rows, "rows"),
        ("left", left, width, columns, "columns"),
    ):
        if start + length > extent:
            raise ValueError(
                f"{name}: the {height}×{width} window from {name} {start} ends at "
                f"{start + length}, past the {extent} {axis} of shape {(rows, columns)}"
            )
    check_result_size((rows, columns), "shape")
    mask = torch.zeros((rows, columns), dtype=torch.bool)
    mask[top : top + height, left : left + width] = True
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
    Times must be finite and > 0 (a log scale has no place for 0).
    """
    panels = _sequence(panels, "panels", "(label, timings) pairs")
    if not 1 <= len(panels) <= MAX_PANELS:
        raise ValueError(f"panels: expected 1 to {MAX_PANELS} panels, got {len(panels)}")
    for n, panel in enumerate(panels):
        if not isinstance(panel, tuple | list) or len(panel) != 2:
            raise TypeError(f"panels[{n}]: expected a pair (label, timings), got {panel!r}")
        label, timings = panel
        if not isinstance(label, str):
            raise TypeError(f"panels[{n}]: the label must be a str, got {type(label).__name__}")
        timings = _sequence(timings, f"panels[{n}]", "speed.Timing")
        if not timings:
            raise ValueError(f"panels[{n}]: has no timings to draw")
        for t in timings:
            _check_timing(t, f"panels[{n}]")
    if not isinstance(title, str):
        raise TypeError(f"title: expected a str, got {type(title).__name__} {title!r}")
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
                    t.loop_per_window for t in timings if t.loop_per_window is not None
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


def _check_timing(t: object, name: str) -> None:
    """A ``speed.Timing`` whose size and windows are ints ≥ 1 and times finite and > 0."""
    if not isinstance(t, Timing):
        raise TypeError(f"{name}: expected speed.Timing entries, got {type(t).__name__}")
    check_int(t.size, f"{name}: size", minimum=1)
    check_int(t.windows, f"{name}: windows", minimum=1)
    for method, seconds in t.seconds.items():
        ok = isinstance(seconds, int | float) and math.isfinite(seconds) and seconds > 0
        if not ok:
            raise ValueError(
                f"{name}: the time of {method!r} at size {t.size} is {seconds!r}; a log "
                "scale needs a finite time > 0"
            )
