"""Build the book and serve it on localhost: ``python book/serve.py [--port 8000]``.

Builds with warnings as errors (executing the chapters, cached between runs),
then serves ``_build/html`` on 127.0.0.1 until you press Ctrl+C, text gzipped as a
static web host sends it (``tools.static_server``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the repository's own tools/, run as a script from anywhere
from tools.static_server import make_server  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    parser.add_argument("--no-build", action="store_true", help="serve the last build as it is")
    args = parser.parse_args()
    if not 0 < args.port < 65536:
        parser.error(f"--port: expected 1 to 65535, got {args.port}")
    if not args.no_build:
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        build = [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"]
        if subprocess.run(build, cwd=ROOT).returncode != 0:
            print("The build failed; see the messages above.", file=sys.stderr)
            return 1
    html = ROOT / "_build" / "html"
    if not (html / "index.html").exists():
        print(f"No built book in {html}: run without --no-build first.", file=sys.stderr)
        return 1
    try:
        server = make_server(html, args.port)
    except OSError as err:
        print(f"Cannot serve on port {args.port}: {err}. Try --port 8001.", file=sys.stderr)
        return 1
    print(
        f"\nThe course is served at http://127.0.0.1:{args.port}/  (Ctrl+C stops it)\n", flush=True
    )
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("\nStopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
