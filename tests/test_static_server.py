"""tools.static_server sends text gzipped when asked, and every file byte for byte."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

import pytest

from tools.static_server import accepts_gzip, serving


def fetch(url: str, accept_encoding: str | None = None):
    request = urllib.request.Request(url)
    if accept_encoding is not None:
        request.add_header("Accept-Encoding", accept_encoding)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers, response.read()


@pytest.fixture
def site(tmp_path):
    script = ("export const answer = 42;\n" * 500).encode()
    (tmp_path / "app.js").write_bytes(script)
    (tmp_path / "font.woff2").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "index.html").write_text("<!doctype html><title>home</title>\n" * 50)
    with serving(tmp_path) as url:
        yield url, tmp_path


def test_a_script_is_gzipped_when_the_browser_accepts_it(site):
    url, folder = site
    headers, body = fetch(url + "app.js", "gzip, deflate, br")
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(body)
    assert len(body) < (folder / "app.js").stat().st_size
    assert gzip.decompress(body) == (folder / "app.js").read_bytes()
    assert headers["Content-Type"] == "text/javascript"


@pytest.mark.parametrize("accept", [None, "identity", "br", "gzip;q=0"])
def test_a_script_is_sent_as_it_is_otherwise(site, accept):
    url, folder = site
    headers, body = fetch(url + "app.js", accept)
    assert headers["Content-Encoding"] is None
    assert body == (folder / "app.js").read_bytes()
    assert int(headers["Content-Length"]) == len(body)


def test_woff2_fonts_are_never_gzipped(site):
    url, folder = site
    headers, body = fetch(url + "font.woff2", "gzip")
    assert headers["Content-Encoding"] is None
    assert body == (folder / "font.woff2").read_bytes()


def test_a_folder_serves_its_index_gzipped(site):
    url, folder = site
    headers, body = fetch(url, "gzip")
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (folder / "index.html").read_bytes()


def test_a_missing_file_is_a_404(site):
    url, _ = site
    with pytest.raises(urllib.error.HTTPError) as err:
        fetch(url + "missing.js", "gzip")
    assert err.value.code == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("deflate, gzip;q=0.5", True),
        ("GZIP", True),
        ("*", True),
        ("gzip;q=0", False),
        ("*;q=0", False),
        ("br, *;q=0.1, gzip;q=0", False),
        ("identity", False),
        ("", False),
        (None, False),
    ],
)
def test_accept_encoding(header, expected):
    assert accepts_gzip(header) is expected
