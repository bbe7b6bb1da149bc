"""Run functions of the browser's ``convmath.js`` (or of a widget's whole module) in Node.js."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

RUNNER = Path(__file__).parent / "js" / "run_convmath.mjs"
MODULE_RUNNER = Path(__file__).parent / "js" / "run_module.mjs"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("these tests run convmath.js in Node.js: install `nodejs`", pytrace=False)
    return node


def run_js(calls: list[tuple[str, list]]) -> list:
    """Results of ``convmath.fn(*args)`` for each ``(fn, args)``, in one Node process."""
    payload = json.dumps([{"fn": fn, "args": args} for fn, args in calls])
    done = subprocess.run([_node(), str(RUNNER)], input=payload, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def run_module_js(source: str, calls: list[tuple[str, list]]) -> list:
    """Results of ``fn(*args)`` exported by the ES module ``source`` (a widget's ``_esm``:
    the shared code and its view), for each ``(fn, args)``, in one Node process."""
    payload = json.dumps([{"fn": fn, "args": args} for fn, args in calls])
    with tempfile.TemporaryDirectory() as folder:
        module = Path(folder) / "widget.mjs"
        module.write_text(source, encoding="utf-8")
        done = subprocess.run(
            [_node(), str(MODULE_RUNNER), str(module)],
            input=payload,
            capture_output=True,
            text=True,
        )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
