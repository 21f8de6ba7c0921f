"""One-click unsubscribe (RFC 8058): mail clients POST `List-Unsubscribe=One-Click` to the link of
the List-Unsubscribe header. Streamlit serves pages, not POST requests, so this small WSGI app
(standard library only) answers them; a reverse proxy sends `POST /unsubscribe` here.

Only a POST acts: mail scanners open (GET) every link of an e-mail, so a GET shows a page whose
button sends the same single POST a mail client sends.
"""

import html
import re
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from funding.digests.subscriptions import SubscriptionError, link_subscriber, unsubscribe
from funding.i18n import t
from funding.store.db import get_engine, session_scope

MAX_BODY = 4096
_DIGITS = re.compile(r"[0-9]{1,9}")


def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """GET /unsubscribe?token=...: a page with the button; POST: the subscriber is unsubscribed."""
    method = environ.get("REQUEST_METHOD", "GET")
    if not environ.get("PATH_INFO", "").rstrip("/").endswith("/unsubscribe"):
        return _answer(start_response, "404 Not Found", "not found")
    if method not in ("GET", "HEAD", "POST"):
        return _answer(start_response, "405 Method Not Allowed", "use POST")
    token = parse_qs(environ.get("QUERY_STRING", "")).get("token", [""])[0]
    if method != "POST":
        return _page(start_response, token, head=method == "HEAD")
    length = environ.get("CONTENT_LENGTH") or "0"
    if not _DIGITS.fullmatch(length.strip()):
        return _answer(start_response, "400 Bad Request", "Content-Length is not a number")
    raw = environ["wsgi.input"].read(min(int(length), MAX_BODY))
    body = parse_qs(raw.decode("utf-8", "replace"))
    if body.get("List-Unsubscribe") != ["One-Click"]:
        return _answer(start_response, "400 Bad Request", "expected List-Unsubscribe=One-Click")
    try:
        with session_scope(get_engine()) as session:
            email = unsubscribe(session, token).email
    except SubscriptionError as exc:
        return _answer(start_response, "400 Bad Request", f"this link does not work: {exc}")
    return _answer(start_response, "200 OK", f"{email} is unsubscribed / désabonné")


def _page(start_response: Any, token: str, *, head: bool) -> list[bytes]:
    """The button that sends the one-click POST, in the subscriber's language; nothing changes."""
    try:
        with session_scope(get_engine()) as session:
            subscriber = link_subscriber(session, token, "unsubscribe")
            email, lang = subscriber.email, subscriber.language
    except SubscriptionError as exc:
        return _answer(start_response, "400 Bad Request", f"this link does not work: {exc}")
    lang = lang if lang in ("fr", "en") else "fr"
    title = html.escape(t("subscription_unsubscribe_title", lang))
    page = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><h1>{title}</h1>"
        f"<p>{html.escape(t('subscription_unsubscribe_ask', lang, email=email))}</p>"
        '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">{html.escape(t("subscription_unsubscribe_button", lang))}'
        "</button></form></body></html>"
    ).encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(page))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [] if head else [page]


def _answer(start_response: Any, status: str, text: str) -> list[bytes]:
    body = (text + "\n").encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:  # addresses stay out of the logs
        pass


def make_one_click_server(host: str, port: int) -> WSGIServer:
    return make_server(host, port, application, handler_class=_QuietHandler)
