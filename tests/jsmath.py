"""Run functions of the widgets' JavaScript modules (``static/src/``) in Node.js.

Each maths module mirrors a Python module (``widgets/explorer.js`` mirrors
``convlab.widgets.explorer``); the tests call its exports directly and compare
with Python, no bundle in between.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from convlab.widgets._assets import STATIC

SOURCES = STATIC / "src"
RUNNER = Path(__file__).parent / "js" / "run_module.mjs"


def node() -> str:
    """The path of ``node``; the test fails with what to install when there is none."""
    found = shutil.which("node")
    if found is None:
        pytest.fail("these tests run the widgets' JavaScript in Node.js: install `nodejs`")
    return found


def run_js(module: str, calls: list[tuple[str, list]]) -> list:
    """Results of ``fn(*args)`` exported by ``static/src/<module>``, for each ``(fn, args)``,
    in one Node process."""
    path = SOURCES / module
    assert path.is_file(), f"no module {path}"
    payload = json.dumps([{"fn": fn, "args": args} for fn, args in calls])
    done = subprocess.run(
        [node(), str(RUNNER), str(path)], input=payload, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
