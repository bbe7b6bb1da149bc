"""The widgets' JavaScript: ES modules in static/src/, one esbuild bundle per widget.

The committed bundles are what the sources build to; each parses and exports a
view; the import graph runs one way (views → ui and maths, ui → maths, maths →
maths) with no cycle; no maths export is dead; Biome finds nothing; the slider
ranges come from Python (the ``limits`` trait); npm fails fast when offline.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import time
from pathlib import Path

import pytest
import torch
from jsmath import SOURCES, node

from convlab import widgets
from convlab.widgets._assets import STATIC
from tools import npm, widgets_build

WIDGETS = [
    getattr(widgets, name) for name in widgets.__all__ if isinstance(getattr(widgets, name), type)
]
TESTS = Path(__file__).parent
EXPORTS = TESTS / "js" / "exports.mjs"
DEFAULT_RENDER = TESTS / "js" / "default_render.mjs"


def kind(module: str) -> str:
    """ "view", "ui" or "maths", from the module's folder under static/src/."""
    return {"views": "view", "ui": "ui"}.get(module.split("/")[0], "maths")


@pytest.fixture(scope="module")
def graph() -> dict[str, list[str]]:
    return widgets_build.import_graph()


def test_the_committed_bundles_are_built_from_the_sources(tmp_path):
    built = widgets_build.build(tmp_path)
    stale = [p.name for p in built if p.read_bytes() != (STATIC / p.name).read_bytes()]
    assert stale == [], f"{stale} differ from their sources: run python -m tools.widgets_build"
    assert {p.name for p in STATIC.glob("*.js")} == {p.name for p in built}, (
        "static/ holds a bundle no view builds: remove it, or run python -m tools.widgets_build"
    )


def test_every_widget_ships_its_own_bundle_and_the_stylesheet():
    bundles = {Path(str(w._esm._path)).name for w in WIDGETS}
    assert bundles == {p.name for p in widgets_build.views()}  # one view per widget, all used
    for w in WIDGETS:
        assert w._esm._path == STATIC / Path(w._esm._path).name
        assert w._css._path == STATIC / "widgets.css"


def test_every_bundle_parses_and_exports_a_view():
    bundles = sorted(str(p) for p in STATIC.glob("*.js"))
    for bundle in bundles:
        done = subprocess.run([node(), "--check", bundle], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    done = subprocess.run([node(), str(DEFAULT_RENDER), *bundles], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "", done.stderr + done.stdout


def test_the_bundles_keep_their_names_readable():
    source = (STATIC / "explorer.js").read_text(encoding="utf-8")
    for name in ("function correlate2d(", "function windowStepper(", "function render("):
        assert name in source


def test_the_import_graph_runs_one_way_without_cycles(graph):
    allowed = {"view": {"ui", "maths"}, "ui": {"ui", "maths"}, "maths": {"maths"}}
    wrong = [
        f"{a} → {b}"
        for a, imports in graph.items()
        for b in imports
        if kind(b) not in allowed[kind(a)]
    ]
    assert wrong == [], "maths modules import only maths; ui imports no view; views no view"

    done, path = set(), []

    def visit(module: str) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            pytest.fail(f"import cycle: {' → '.join(cycle)}")
        if module in done:
            return
        path.append(module)
        for imported in graph.get(module, []):
            visit(imported)
        path.pop()
        done.add(module)

    for module in graph:
        visit(module)


def imported_names(module_path: Path) -> dict[str, set[str]]:
    """What a source module imports: {imported module under static/src/: {names}}."""
    text = module_path.read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for names, target in re.findall(r'import\s*\{([^}]*)\}\s*from\s*"([^"]+)"', text):
        resolved = (module_path.parent / target).resolve().relative_to(SOURCES).as_posix()
        found.setdefault(resolved, set()).update(n.strip() for n in names.split(",") if n.strip())
    assert "import *" not in text, f"{module_path}: import names, not a namespace"
    return found


def names_tests_call() -> dict[str, set[str]]:
    """{module: names} for every test function that calls run_js("<module>", ...): the
    function's string constants are the names it may call."""
    found: dict[str, set[str]] = {}
    for path in TESTS.glob("test_*.py"):
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(fn, ast.FunctionDef):
                continue
            calls = [
                n
                for n in ast.walk(fn)
                if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "run_js" and n.args
            ]
            modules = [c.args[0].value for c in calls if isinstance(c.args[0], ast.Constant)]
            words = {n.value for n in ast.walk(fn) if isinstance(n, ast.Constant)}
            for module in modules:
                found.setdefault(module, set()).update(w for w in words if isinstance(w, str))
    return found


def test_no_maths_export_is_dead(graph):
    maths = sorted(m for m in graph if kind(m) == "maths")
    paths = [str(SOURCES / m) for m in maths]
    done = subprocess.run([node(), str(EXPORTS), *paths], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    exports = {
        Path(p).relative_to(SOURCES).as_posix(): set(v) for p, v in json.loads(done.stdout).items()
    }
    used: dict[str, set[str]] = {}
    for module in graph:
        for target, names in imported_names(SOURCES / module).items():
            used.setdefault(target, set()).update(names)
    for module, names in names_tests_call().items():
        used.setdefault(module, set()).update(names)
    dead = {m: sorted(names - used.get(m, set())) for m, names in exports.items()}
    assert {m: d for m, d in dead.items() if d} == {}, "exports no view, module or test uses"


def biome_paths() -> list[str]:
    """biome.json and the folders its ``files.includes`` globs start from: Biome is
    given these, so it never walks a virtual environment that .gitignore does not
    name (one whose ``bin/python`` links outside the repository crashes Biome)."""
    config = json.loads((npm.ROOT / "biome.json").read_text())
    return ["biome.json"] + [glob.split("*")[0].rstrip("/") for glob in config["files"]["includes"]]


def test_biome_finds_nothing_to_fix():
    done = subprocess.run(
        [str(npm.tool("biome")), "ci", "--colors=off", *biome_paths()],
        cwd=npm.ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, (
        "Biome (biome.json) found problems: run `npx biome check --write`, then fix the rest\n"
        + done.stdout[-6000:]
        + done.stderr[-6000:]
    )


def test_the_views_get_their_ranges_from_python():
    counter = widgets.ParameterCounter()
    assert counter.limits["channels"] == {"min": 1, "max": 4, "step": 1}
    assert counter.limits["side"]["stops"][:3] == [8, 16, 28]
    system = widgets.FirstOrderSystem()
    assert system.limits["T"] == {"min": 0.1, "max": 3.0, "step": 0.1}
    assert system.limits["dt"] == {"stops": [0.2, 0.1, 0.05, 0.02, 0.01, 0.005]}
    stack = widgets.ReceptiveFieldExplorer()
    assert stack.limits["dilations"] == {"length": 5, "item": {"min": 1, "max": 8, "step": 1}}
    assert widgets.CorrelationStepper().limits["K"] == {"maxSize": 5}
    assert widgets.PoolingExplorer().limits["mode"] == {"choices": ["max", "mean"]}
    for w in WIDGETS:
        # The digit drawer shows a network it is given; any small one will do here.
        made = (
            w(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10)))
            if w is widgets.DigitDrawer
            else w()
        )
        table = made.limits
        assert set(table) == set(w.SETTINGS)
        json.dumps(table, allow_nan=False)  # plain JSON: no infinite bounds
    with pytest.raises(ValueError, match="^limits: cannot be changed"):
        counter.limits = {"channels": {"min": 1, "max": 99}}
    # No view keeps a copy of a range: every slider reads limitsOf(model, ...).
    for view in widgets_build.views():
        text = view.read_text(encoding="utf-8")
        assert not re.search(r"MAX_|_RANGE|LIMITS|SIDES|UNITS|CHANNELS\b|STEPS\b", text), view.name


def test_npm_fails_within_seconds_without_a_registry(tmp_path):
    for manifest in npm.MANIFESTS:
        (tmp_path / manifest.name).write_bytes(manifest.read_bytes())
    unreachable = {"npm_config_registry": "http://127.0.0.1:9/", "npm_config_cache": str(tmp_path)}
    start = time.monotonic()
    with pytest.MonkeyPatch.context() as env:
        for key, value in unreachable.items():
            env.setenv(key, value)
        with pytest.raises(npm.NpmError, match="npm ci.* failed"):
            npm.run("ci", cwd=tmp_path, timeout=60)
    assert time.monotonic() - start < 30
    assert not (tmp_path / "node_modules" / "esbuild").exists()
