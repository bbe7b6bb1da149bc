"""The book's maths is rendered at build time by KaTeX (book/_ext/katex_assets.py).

A small Sphinx project with the course's maths settings (read from _config.yml) is
built in a temporary folder: every formula must come out as KaTeX's HTML beside its
MathML with the LaTeX source, with no maths script on the page; a formula KaTeX
cannot parse must fail the build with KaTeX's message and the page's name. The
stylesheet and fonts served must be those of the KaTeX that prerenders.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXTENSIONS = ROOT / "book" / "_ext"
sys.path.insert(0, str(EXTENSIONS))
import katex_assets  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]
MATHS_SETTINGS = ("html_math_renderer", "katex_prerender", "myst_update_mathjax")

MATHS_PAGE = r"""# Maths

Inline $x_{i,j}^2$ in a sentence.

$$
\sum_{a=0}^{k_h-1} k_{a,b} \, x_{i+a,j+b}
$$

\begin{align}
y &= \mathbf{W} x + b \\
z &= \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix} y
\end{align}
"""


def build(tmp_path: Path, pages: dict[str, str]) -> subprocess.CompletedProcess:
    """Build ``pages`` (name -> MyST markdown) with the course's maths settings, -W.

    The build runs in a session of its own, its output going to a file, and no
    process of that session (KaTeX's render server) may outlive it.
    """
    source = tmp_path / "src"
    source.mkdir()
    settings = {key: CONFIG["config"][key] for key in MATHS_SETTINGS}
    (source / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXTENSIONS)!r})\n"
        'extensions = ["myst_parser", "katex_assets"]\n'
        f"myst_enable_extensions = {CONFIG['config']['myst_enable_extensions']!r}\n"
        + "".join(f"{key} = {value!r}\n" for key, value in settings.items()),
        encoding="utf-8",
    )
    toctree = "\n```{toctree}\n" + "\n".join(name for name in pages) + "\n```\n"
    (source / "index.md").write_text("# Book\n" + toctree, encoding="utf-8")
    for name, text in pages.items():
        (source / f"{name}.md").write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "-q"]
    command += [str(source), str(tmp_path / "html")]
    with open(tmp_path / "output.txt", "w+", encoding="utf-8") as output:
        sphinx = subprocess.Popen(command, stdout=output, stderr=output, start_new_session=True)
        try:
            returncode = sphinx.wait(timeout=300)
        finally:
            left = session_processes(sphinx.pid)
            for process in left:
                process.kill()
        assert left == [], f"processes outlived the build: {[p.cmdline() for p in left]}"
        output.seek(0)
        return subprocess.CompletedProcess(command, returncode, "", output.read())


def session_processes(session: int) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getsid(process.pid) == session:
                found.append(process)
    return found


def test_the_book_renders_maths_with_katex_at_build_time():
    assert CONFIG["local_extensions"].get("katex_assets") == "book/_ext"
    assert CONFIG["config"]["html_math_renderer"] == "katex"
    assert CONFIG["config"]["katex_prerender"] is True
    assert not any("mathjax" in key for key in CONFIG["config"] if key != "myst_update_mathjax")


def test_formulas_come_out_as_katex_html_and_mathml_with_no_script(tmp_path):
    done = build(tmp_path, {"maths": MATHS_PAGE, "plain": "# Plain\n\nNo formula here.\n"})
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "html" / "maths.html").read_text(encoding="utf-8")
    # One inline formula, one display formula, one amsmath block: each is KaTeX's
    # HTML beside MathML that keeps the LaTeX source.
    assert page.count('class="katex"') == 3
    assert page.count('<span class="katex-display">') == 2
    assert page.count('<math xmlns="http://www.w3.org/1998/Math/MathML"') == 3
    sources = re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', page, re.S)
    assert [s.strip() for s in sources][:2] == [
        "x_{i,j}^2",
        r"\sum_{a=0}^{k_h-1} k_{a,b} \, x_{i+a,j+b}",
    ]
    assert r"\begin{bmatrix}" in sources[2]
    assert "katex-error" not in page
    assert "$" not in re.sub(r"<[^>]*>", "", page.split('<div class="body"')[-1])
    scripts = re.findall(r'<script[^>]*src="([^"]*)"', page)
    assert not [s for s in scripts if re.search(r"katex|mathjax|auto-render", s, re.I)]
    assert "_static/vendor/katex/katex.min.css" in page
    # A page without maths loads none of KaTeX's stylesheets.
    plain = (tmp_path / "html" / "plain.html").read_text(encoding="utf-8")
    assert "katex" not in plain


def test_a_formula_katex_cannot_parse_fails_the_build_naming_page_and_error(tmp_path):
    done = build(tmp_path, {"broken": "# Broken\n\nA typo: $\\mathbbb{R}$.\n"})
    assert done.returncode != 0
    assert "broken.md:3:" in done.stderr  # the page and the formula's line
    assert "KaTeX parse error" in done.stderr and "\\mathbbb" in done.stderr


def test_the_served_stylesheet_and_fonts_are_those_of_the_katex_that_prerenders():
    config = SimpleNamespace(html_static_path=[])
    katex_assets._serve_katex(None, config)
    script = Path(config.katex_js_path)
    version = re.search(r'version:"([0-9.]+)"', script.read_text(encoding="utf-8"))[1]
    assert config.katex_served_version == version
    static = Path(config.html_static_path[-1])
    css = (static / config.katex_css_path).read_text(encoding="utf-8")
    assert f'katex-version:after{{content:"{version}"}}' in css
    # Every woff2 font the stylesheet names is served beside it (browsers read woff2
    # first and never ask for the woff and ttf fallbacks, which are left out).
    fonts = set(re.findall(r"url\((fonts/[^)]+\.woff2)\)", css))
    assert len(fonts) >= 20
    folder = (static / config.katex_css_path).parent
    assert sorted(p.relative_to(folder).as_posix() for p in (folder / "fonts").iterdir()) == sorted(
        fonts
    )
    # The render server runs as CommonJS whatever package.json says about modules.
    assert katex_assets.sphinx_katex.SCRIPT_PATH.endswith(".cjs")


def test_katex_is_pinned_exactly_and_installed_from_the_lock_file():
    wanted = json.loads((ROOT / "package.json").read_text())["devDependencies"]["katex"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted), f"katex: pin an exact version, got {wanted}"
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/katex"]["version"] == wanted
    katex_assets.katex_dist()
    installed = json.loads((katex_assets.KATEX / "package.json").read_text())["version"]
    assert installed == wanted


def test_requirements_pin_the_sphinx_extension():
    pins = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [p for p in pins if re.fullmatch(r"sphinxcontrib-katex==\d+\.\d+\.\d+", p)]
