"""The sources page, and the conventions every chapter follows (issue 13).

The course grew from five sets of study notes the learner never sees: one page,
``book/sources.md``, credits them and lists the slips the course corrects, and no
chapter narrates them. Every chapter ends with its exercises in one format, their
solutions folded away on the page (``hide-cell``) and in JupyterLab (the cell's
``jupyter`` metadata), and keeps its Colab install cell out of the reader's way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from convlab.images import PHOTO_CREDIT

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "book" / "sources.md"
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
# The slips the notes' summary lists (/work/shared/seeds/README.md), as the page writes them.
SLIPS = ["torch.nn.Paramter", "< 1e6", r"x_{i+a,\, i+b}", r"n_h - k_h - p_h + 1"]
FIRST_LINE = "Try each exercise before you open its solution."


def words(text: str) -> str:
    """The text with every run of white space made one space (markdown wraps lines)."""
    return " ".join(text.split())


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_sources_page_is_in_the_reference_part_before_the_glossary():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    reference = next(p for p in toc["parts"] if p["caption"] == "Reference")
    files = [c["file"] for c in reference["chapters"]]
    assert files.index("book/sources") < files.index("book/glossary")


def test_sources_page_credits_the_notes_d2l_and_the_photograph():
    text = SOURCES.read_text(encoding="utf-8")
    assert "https://d2l.ai" in text and "Dive into Deep Learning" in text
    assert "five sets of study notes" in words(text)
    assert words(PHOTO_CREDIT) in words(text)
    for slip in SLIPS:
        assert slip in text, slip


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_chapter_narrates_the_notes(path):
    for cell in cells(path):
        found = re.search(r"\b(the|these|their|our) notes\b|\bnotes'", source(cell), re.I)
        assert found is None, f"{found.group()!r} in\n{source(cell)[:300]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_in_the_common_format(path):
    all_cells = cells(path)
    heading = [i for i, c in enumerate(all_cells) if "## Exercises" in source(c)]
    assert len(heading) == 1, "one '## Exercises' section"
    after = source(all_cells[heading[0]]).split("## Exercises", 1)[1].strip()
    assert after.splitlines()[0] == FIRST_LINE
    number = 0
    for cell in all_cells[heading[0] + 1 :]:
        text = source(cell)
        if cell["cell_type"] == "markdown" and text.startswith("**Exercise"):
            number += 1
            assert text.startswith(f"**Exercise {number}.**"), text[:40]
        elif cell["cell_type"] == "code" and text.startswith("# Solution"):
            assert text.startswith(f"# Solution {number}"), text[:40]
            assert "hide-cell" in cell["metadata"].get("tags", [])
            folded = cell["metadata"].get("jupyter", {})
            assert folded.get("source_hidden") and folded.get("outputs_hidden"), text[:40]
    assert number >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_install_cell_is_out_of_the_way(path):
    first = next(c for c in cells(path) if c["cell_type"] == "code")
    assert "remove-cell" in first["metadata"].get("tags", [])
    assert first["metadata"].get("jupyter", {}).get("source_hidden") is True
