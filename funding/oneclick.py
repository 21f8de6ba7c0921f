"""One-click unsubscribe (RFC 8058): mail clients POST `List-Unsubscribe=One-Click` to the link of
the List-Unsubscribe header. Streamlit serves pages, not POST requests, so this small WSGI app
(standard library only) answers them; a reverse proxy sends `POST /unsubscribe` here."""

from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from funding.db import get_engine, session_scope
from funding.subscriptions import SubscriptionError, unsubscribe

MAX_BODY = 4096


def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """POST (or GET) /unsubscribe?token=...: the subscriber is unsubscribed, nothing more is sent."""
    method = environ.get("REQUEST_METHOD", "GET")
    if not environ.get("PATH_INFO", "").rstrip("/").endswith("/unsubscribe"):
        return _answer(start_response, "404 Not Found", "not found")
    if method not in ("GET", "POST"):
        return _answer(start_response, "405 Method Not Allowed", "use POST")
    token = parse_qs(environ.get("QUERY_STRING", "")).get("token", [""])[0]
    if method == "POST":
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
        body = parse_qs(environ["wsgi.input"].read(length).decode("utf-8", "replace"))
        if body.get("List-Unsubscribe") != ["One-Click"]:
            return _answer(start_response, "400 Bad Request", "expected List-Unsubscribe=One-Click")
    try:
        with session_scope(get_engine()) as session:
            email = unsubscribe(session, token).email
    except SubscriptionError as exc:
        return _answer(start_response, "400 Bad Request", f"this link does not work: {exc}")
    return _answer(start_response, "200 OK", f"{email} is unsubscribed / désabonné")


def _answer(start_response: Any, status: str, text: str) -> list[bytes]:
    body = (text + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body)))])  # fmt: skip
    return [body]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:  # addresses stay out of the logs
        pass


def make_one_click_server(host: str, port: int) -> WSGIServer:
    return make_server(host, port, application, handler_class=_QuietHandler)
