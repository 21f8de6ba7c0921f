"""Crawler fixtures: recorded SEDIA pages, a loopback server answering like the API, a crawl runner."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEDIA_FILES = ROOT / "tests" / "files" / "eu_sedia"
SEARCH_PATH = "/search-api/prod/rest/search"
# Tests switch the polite delays and the cache off; production keeps them.
FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "HTTPCACHE_ENABLED=0",
    "-s",
    "RETRY_BACKOFF_BASE=0",
]


def load_pages() -> list[dict]:
    return [json.loads((SEDIA_FILES / f"search_page{n}.json").read_text("utf-8")) for n in (1, 2)]


class SediaHandler(BaseHTTPRequestHandler):
    """robots.txt allows all; POST search answers page N of the recorded pages (by pageNumber)."""

    server: "SediaServer"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.server.requests.append(("GET", self.path, dict(self.headers), b""))
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        else:
            self._send(404, b"not found", "text/plain")

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append(("POST", self.path, dict(self.headers), body))
        url = urlparse(self.path)
        if url.path != SEARCH_PATH:
            return self._send(404, b"not found", "text/plain")
        if self.server.fail:
            return self._send(500, b'{"error": "internal"}', "application/json")
        number = int(parse_qs(url.query)["pageNumber"][0])
        pages = self.server.pages
        page = pages[number - 1] if number <= len(pages) else {**pages[0], "results": []}
        payload = json.dumps(page).encode()
        etag = f'"page-{number}"'
        if self.server.etags and self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", "application/json", {"ETag": etag})
        self._send(200, payload, "application/json", {"ETag": etag} if self.server.etags else {})

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        # Said out loud (HTTP/1.0 implies it): a client must not send its next request, or a retry,
        # on this connection after the server closed it (under load, "connection closed before the
        # whole answer arrived" and a lost attempt).
        self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(body)


class SediaServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SediaHandler)
        self.pages = load_pages()
        self.requests: list[tuple[str, str, dict, bytes]] = []
        self.fail = False
        self.etags = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def searches(self) -> list[tuple[str, str, dict, bytes]]:
        return [r for r in self.requests if r[0] == "POST"]


@pytest.fixture
def sedia_server():
    server = SediaServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def scrapy_crawl(database_url):
    """Run `python -m scrapy crawl NAME` from the project folder, as the scheduler would."""

    def run(name: str, *args: str, fast: bool = True) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "scrapy", "crawl", name, *args, *(FAST if fast else [])]
        return subprocess.run(
            command,
            cwd=ROOT,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture
def mirror():
    """A started loopback mirror (tests/crawlers/mirror.py); register routes, then crawl its url."""
    from tests.crawlers.mirror import Mirror

    server = Mirror().start()
    yield server
    server.stop()
