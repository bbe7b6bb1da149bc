"""The chapters as committed: executed, in the table of contents, in step with convlab.

nbval (run by the test command) re-executes every notebook and compares its
outputs; these tests check what nbval does not: that the saved notebooks are
complete and agree with the library, and that the comparison hides nothing (only
timing cells are left out, the sanitizer rewrites memory addresses alone, and no
output prints a float to digits that another CPU would round differently).
"""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import pytest
import torch
import yaml

from convlab import kernels

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
# A cell whose output nbval does not compare must time code or describe the machine.
MEASURES = ("median_seconds", "speed.", "time_against_size", "torch.__config__", "measured")
# A float printed to 8 or more decimals (a full repr such as 0.03333333333333333 or
# 6.705522248573459e-10): its last digits depend on the CPU's order of the sums.
LONG_DECIMALS = re.compile(r"\d\.\d{8,}")


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_every_notebook_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = {toc["root"]} | {c["file"] for p in toc["parts"] for c in p["chapters"]}
    on_disk = {p.relative_to(ROOT).with_suffix("").as_posix() for p in NOTEBOOKS}
    assert on_disk <= listed, f"notebooks missing from _toc.yml: {on_disk - listed}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_saved_executed_in_order(path):
    cells = code_cells(load(path))
    assert all(c.get("execution_count") for c in cells), "a code cell was saved unexecuted"
    counts = [c["execution_count"] for c in cells]
    assert counts == sorted(counts), "cells were executed out of order"
    for cell in cells:
        tags = cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error" or "raises-exception" in tags, source(cell)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_saved_without_widget_state(path):
    """Widget state is not committed: the book's pages take it from the build's own run.

    Saved state would copy every widget's whole JavaScript into the notebook and go
    stale with any edit to it. Save with ``--ExecutePreprocessor.store_widget_state=False``
    (see README.md), or turn off "Save Widget State Automatically" in JupyterLab.
    """
    assert "widgets" not in load(path)["metadata"], (
        f"{path.name} carries saved widget state: re-execute it as README.md says"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_install_cell_uses_the_configured_repository(path):
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    first_code = source(code_cells(load(path))[0])
    assert 'find_spec("convlab")' in first_code
    assert f"git+{url}" in first_code


def chapter_function(path: Path, name: str):
    """The function ``name`` as the chapter defines it (executed from its cell)."""
    for cell in code_cells(load(path)):
        if re.search(rf"^def {name}\(", source(cell), re.M):
            namespace: dict = {}
            exec(compile(source(cell), f"{path.name}:{name}", "exec"), namespace)  # noqa: S102
            return namespace[name]
    raise AssertionError(f"{path.name} defines no {name}()")


def test_chapter_corr2d_is_the_library_corr2d():
    corr2d = chapter_function(ROOT / "book" / "ch02_cross_correlation.ipynb", "corr2d")
    g = torch.Generator().manual_seed(0)
    for _ in range(50):
        nh, nw = torch.randint(1, 9, (2,), generator=g).tolist()
        kh, kw = (
            torch.randint(1, nh + 1, (1,), generator=g).item(),
            torch.randint(1, nw + 1, (1,), generator=g).item(),
        )
        X, K = torch.randn(nh, nw, generator=g), torch.randn(kh, kw, generator=g)
        torch.testing.assert_close(corr2d(X, K), kernels.corr2d(X, K))


def compared_texts(cell: dict) -> list[str]:
    """The text outputs of a cell that nbval compares (none for an ignored cell)."""
    if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
        return []
    texts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            texts.append("".join(out["text"]))
        elif "text/plain" in out.get("data", {}):
            texts.append("".join(out["data"]["text/plain"]))
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_only_measurements_escape_the_comparison(path):
    """nbval compares every output except those of cells that time code or read the machine."""
    for cell in code_cells(load(path)):
        tags, text = cell.get("metadata", {}).get("tags", []), source(cell)
        assert "nbval-skip" not in tags and "NBVAL_SKIP" not in text, text
        if "nbval-ignore-output" in tags or "NBVAL_IGNORE_OUTPUT" in text:
            assert any(word in text for word in MEASURES), f"ignored, yet measures nothing:\n{text}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_print_no_float_noise(path):
    """Printed floats are rounded to what the chapter needs, never shown to their last digit."""
    for cell in code_cells(load(path)):
        for text in compared_texts(cell):
            noise = LONG_DECIMALS.search(text)
            assert noise is None, f"{noise.group()} in the output of\n{source(cell)}"


def test_sanitizer_hides_only_memory_addresses():
    """nbval may rewrite memory addresses before comparing, and nothing else: never a number."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg")
    assert {config[name]["regex"] for name in config.sections()} == {"0x[0-9a-fA-F]+"}
