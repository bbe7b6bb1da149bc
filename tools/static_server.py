"""Serve a built book on 127.0.0.1 the way a static web host does: text gzip-compressed.

GitHub Pages, Netlify and Read the Docs send HTML, JavaScript, CSS and fonts
other than WOFF compressed whenever the browser accepts it, so the bytes a
reader downloads are the gzipped ones. ``python -m http.server`` sends every
file as it is on disk, which makes the pages look several times heavier than
they are once published. This server compresses what a host would compress
(each file once, cached until it changes on disk) and sends everything else
as it is.

It lives in ``convlab`` because its three users, ``book/serve.py``, the browser
tests and ``benchmarks/browser.py``, all run where ``convlab`` is installed,
so they import this one module without editing ``sys.path``. It uses only the
standard library. (Being in ``src/convlab``, a change to it re-executes the
chapters on the next build, as ``book/_ext/rebuild_on_change.py`` intends for
the package.)
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

#: File types a static host compresses; WOFF fonts and images are compressed already.
COMPRESSIBLE = frozenset(
    {
        ".html",
        ".js",
        ".mjs",
        ".css",
        ".json",
        ".svg",
        ".map",
        ".txt",
        ".xml",
        ".ttf",
        ".eot",
        ".otf",
    }
)


@functools.lru_cache(maxsize=512)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """The gzip of a file, cached per (path, modification time, size)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip;q=0`` refuses it)."""
    allowed = {}
    for part in (accept_encoding or "").split(","):
        coding, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        allowed[coding.strip().lower()] = q
    return allowed.get("gzip", allowed.get("*", 0.0)) > 0


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Files from ``directory``, gzipped when compressible and accepted; no request log."""

    protocol_version = "HTTP/1.1"  # keep-alive connections, as a real host offers

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.partition("?")[0].endswith("/"):
            path = path / "index.html"
        if not (
            path.is_file()
            and path.suffix.lower() in COMPRESSIBLE
            and accepts_gzip(self.headers.get("Accept-Encoding"))
        ):
            return super().send_head()  # directories, other types, no gzip: as on disk
        stat = path.stat()
        body = _gzipped(str(path), stat.st_mtime_ns, stat.st_size)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A browser that closes a connection mid-response is no error; report the rest."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def make_server(directory: Path | str, port: int = 0) -> http.server.ThreadingHTTPServer:
    """A server for ``directory`` bound to 127.0.0.1:``port`` (0: any free port), not started.

    Raises OSError when the port is taken.
    """
    handler = functools.partial(GzipHandler, directory=str(directory))
    return _Server(("127.0.0.1", port), handler)


@contextlib.contextmanager
def serving(directory: Path | str, port: int = 0) -> Iterator[str]:
    """Serve ``directory`` in a background thread; yields the base URL (ends with ``/``)."""
    server = make_server(directory, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
