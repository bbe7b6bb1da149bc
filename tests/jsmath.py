"""Run functions of the browser's ``convmath.js`` in Node.js from the tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

RUNNER = Path(__file__).parent / "js" / "run_convmath.mjs"


def run_js(calls: list[tuple[str, list]]) -> list:
    """Results of ``convmath.fn(*args)`` for each ``(fn, args)``, in one Node process."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("these tests run convmath.js in Node.js: install `nodejs`", pytrace=False)
    payload = json.dumps([{"fn": fn, "args": args} for fn, args in calls])
    done = subprocess.run([node, str(RUNNER)], input=payload, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
