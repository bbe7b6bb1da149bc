"""The charts' lines cut at the frame (ui/chart.js's framedPath), against Cohen–Sutherland.

A chart cuts each line at its frame itself, so that the browser draws no clip. The
reference here clips each segment by another algorithm (Cohen–Sutherland's, in
Python); the line drawn must cover exactly the visible parts, start again ("M") only
where it comes back into the frame, and be written unchanged when it stays inside.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from jsmath import run_js

BOX = {"left": 58.0, "right": 308.0, "top": 12.0, "bottom": 210.0}
TOLERANCE = 0.006  # the path is written in hundredths of a pixel


def clip_segment(p, q, box):
    """The part of segment p–q inside `box`, or None (Cohen–Sutherland)."""
    left, right, top, bottom = box["left"], box["right"], box["top"], box["bottom"]

    def code(x, y):
        return (x < left) | (x > right) << 1 | (y < top) << 2 | (y > bottom) << 3

    (x0, y0), (x1, y1) = p, q
    c0, c1 = code(x0, y0), code(x1, y1)
    while True:
        if not (c0 | c1):
            return (x0, y0), (x1, y1)
        if c0 & c1:
            return None
        c = c0 or c1
        if c & 8:
            x, y = x0 + (x1 - x0) * (bottom - y0) / (y1 - y0), bottom
        elif c & 4:
            x, y = x0 + (x1 - x0) * (top - y0) / (y1 - y0), top
        elif c & 2:
            x, y = right, y0 + (y1 - y0) * (right - x0) / (x1 - x0)
        else:
            x, y = left, y0 + (y1 - y0) * (left - x0) / (x1 - x0)
        if c == c0:
            x0, y0, c0 = x, y, code(x, y)
        else:
            x1, y1, c1 = x, y, code(x, y)


def expected_runs(points, box):
    """The visible line as runs of points: a run breaks where the line leaves the frame."""
    x, y = points[0]
    at_last = box["left"] <= x <= box["right"] and box["top"] <= y <= box["bottom"]
    runs = [[points[0]]] if at_last else []
    for p, q in itertools.pairwise(points):
        part = clip_segment(p, q, box)
        if part is None:
            at_last = False
            continue
        a, b = part
        if not at_last or a != p:
            runs.append([a])
        runs[-1].append(b)
        at_last = b == q  # the line drawn so far ends at q
    return runs


def drawn_runs(d: str):
    """Path data as runs of points, one per "M"."""
    runs = []
    for command, x, y in re.findall(r"([ML])(-?[\d.]+),(-?[\d.]+)", d):
        if command == "M":
            runs.append([])
        runs[-1].append((float(x), float(y)))
    assert "".join(re.findall(r"[ML]-?[\d.]+,-?[\d.]+", d)) == d, f"stray text in {d!r}"
    return runs


def lines(seed: int, count: int):
    """Random polylines around and across the frame (some wholly inside, some outside)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        n = int(rng.integers(2, 30))
        spread = rng.choice([0.3, 1.0, 2.5])
        centre = np.array([183.0, 111.0]) + rng.normal(0, 80, 2)
        pts = centre + rng.normal(0, 1, (n, 2)) * spread * 100
        out.append([(round(x, 2), round(y, 2)) for x, y in pts.tolist()])
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_line_is_cut_exactly_where_it_leaves_and_enters_the_frame(seed):
    polylines = lines(seed, 80)
    results = run_js("ui/chart.js", [("framedPath", [p, BOX]) for p in polylines])
    cut = 0
    for points, d in zip(polylines, results, strict=True):
        want, got = expected_runs(points, BOX), drawn_runs(d)
        assert len(got) == len(want), (points, d)
        for run_got, run_want in zip(got, want, strict=True):
            assert np.allclose(run_got, run_want, atol=TOLERANCE, rtol=0), (points, d)
        cut += len(want) > 1 or any(p not in sum(want, []) for p in points)
    assert cut > 40  # most lines here do cross the frame


def test_a_line_inside_the_frame_is_written_as_given():
    points = [(60.25, 20.5), (100.0, 200.0), (307.99, 12.0), (58.0, 210.0)]
    (d,) = run_js("ui/chart.js", [("framedPath", [points, BOX])])
    assert d == "M60.25,20.5L100,200L307.99,12L58,210"


def test_a_line_along_an_edge_outside_the_frame_is_not_drawn():
    (d,) = run_js("ui/chart.js", [("framedPath", [[(0, 5), (400, 5), (400, 6)], BOX])])
    assert d == ""
