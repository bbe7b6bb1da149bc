"""Run the repository's Node tools (esbuild, Biome) through npm, installed from the lock file.

``ensure_installed()`` runs ``npm ci`` only when ``node_modules`` is missing or
was installed from another ``package.json`` / ``package-lock.json``. npm is
asked to use its local cache first and never to wait on a registry it cannot
reach: offline, with nothing cached, it fails within seconds with npm's own
message. ``tool(name)`` is the path of an installed command.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
STAMP = NODE_MODULES / ".convlab-installed"  # the hash of the files it was installed from
MANIFESTS = (ROOT / "package.json", ROOT / "package-lock.json")
# The local cache first; no retries and a short timeout when the registry is unreachable.
OFFLINE_FIRST = ("--prefer-offline", "--fetch-retries=0", "--fetch-timeout=15000")


class NpmError(RuntimeError):
    """npm is missing or failed; the message says what to do or quotes npm."""


def _manifests_hash() -> str:
    digest = hashlib.sha256()
    for path in MANIFESTS:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_installed() -> bool:
    """True when node_modules was installed from the current package.json and lock file."""
    return STAMP.exists() and STAMP.read_text(encoding="utf-8") == _manifests_hash()


def run(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    """``npm <args>`` in ``cwd``, cache first; NpmError with npm's message if it fails."""
    npm = shutil.which("npm")
    if npm is None:
        raise NpmError(
            "npm is needed to build and check the widgets' JavaScript: install Node.js and npm "
            "(Debian: apt-get install nodejs npm)."
        )
    command = [npm, *args, *OFFLINE_FIRST, "--no-audit", "--no-fund"]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise NpmError(f"`npm {' '.join(args)}` failed:\n{(done.stderr or done.stdout)[-3000:]}")
    return done


def ensure_installed() -> None:
    """``npm ci`` when node_modules is missing or out of date with the lock file."""
    if is_installed():
        return
    run("ci")
    STAMP.write_text(_manifests_hash(), encoding="utf-8")


def tool(name: str) -> Path:
    """The installed command ``name`` (``esbuild``, ``biome``), installing first if needed."""
    ensure_installed()
    path = NODE_MODULES / ".bin" / name
    if not path.exists():
        raise NpmError(f"{name} is not in package.json's devDependencies (no {path})")
    return path
