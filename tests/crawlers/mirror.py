"""A loopback mirror of recorded funder responses: routes to files, faults on demand, every request logged.

Threaded, with a large listen backlog (`python -m http.server` stalls under concurrent requests).
Answers conditional requests like a real server: an ETag and Last-Modified on every 200, and 304
when If-None-Match matches, so re-crawls can be counted.
"""

import hashlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

LAST_MODIFIED = formatdate(1_767_225_600, usegmt=True)  # 2026-01-01, a fixed capture date


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)
    status: int | None = None  # what the mirror answered
    sent: int = 0  # body bytes the mirror sent back


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    reset: bool = False  # drop the connection with a TCP reset instead of answering
    location: str | None = None  # a Location header (redirects)


Responder = Callable[[Request], Reply]


class Mirror(ThreadingHTTPServer):
    """Register replies with `route` (or `serve_file`); unknown paths answer 404."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, port: int = 0) -> None:
        """port: 0 for any free one; a port a stopped mirror had, to answer at the same address."""
        super().__init__(("127.0.0.1", port), _Handler)
        self.routes: dict[tuple[str, str], Responder] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.route(
            "GET",
            "/robots.txt",
            Reply(body=b"User-agent: *\nAllow: /\n", content_type="text/plain"),
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def route(self, method: str, path: str, reply: Reply | Responder) -> None:
        """Answer METHOD path (query string ignored; a responder can read it) with a reply."""
        self.routes[(method.upper(), path)] = (
            reply if callable(reply) else (lambda _r, reply=reply: reply)
        )

    def serve_file(
        self, path: str, file: Path, *, method: str = "GET", content_type: str | None = None
    ) -> None:
        kind = content_type or _content_type(file)
        self.route(method, path, Reply(body=file.read_bytes(), content_type=kind))

    def hits(self, path: str, method: str | None = None) -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if r.path == path and (method is None or r.method == method)
            ]

    def start(self) -> "Mirror":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def _content_type(file: Path) -> str:
    return {
        ".json": "application/json",
        ".xml": "application/xml",
        ".rss": "application/rss+xml",
        ".html": "text/html; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
    }.get(file.suffix, "application/octet-stream")


class _Handler(BaseHTTPRequestHandler):
    server: Mirror
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def _answer(self, method: str) -> None:
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method, url.path, parse_qs(url.query), dict(self.headers), self.rfile.read(length)
        )
        with self.server.lock:
            self.server.requests.append(request)
        responder = self.server.routes.get((method, url.path))
        reply = responder(request) if responder else Reply(404, b"not found", "text/plain")
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:  # SO_LINGER 0: close() sends RST, the client sees "connection reset"
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            request.status = 0
            self.connection.close()
            return
        headers = dict(reply.headers)
        if reply.location:
            headers["Location"] = reply.location
        if reply.status == 200:
            etag = '"' + hashlib.sha1(reply.body).hexdigest()[:16] + '"'
            headers.setdefault("ETag", etag)
            headers.setdefault("Last-Modified", LAST_MODIFIED)
            if self.headers.get("If-None-Match") == headers["ETag"]:
                reply = Reply(304, b"", reply.content_type)
        request.status = reply.status
        request.sent = 0 if method == "HEAD" else len(reply.body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if method != "HEAD" and reply.body:
            try:
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass
