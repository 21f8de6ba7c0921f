"""What every page shares: the language, text shown as text, badges, who is signed in."""

import html
import json
from datetime import date
from typing import NamedTuple

import streamlit as st

from funding.access import accounts, auth
from funding.access.partnerships import Viewer
from funding.i18n import language, t
from funding.settings import get_settings
from funding.store.db import session_scope
from funding.views.presentation import markdown_text
from ui import resources

VERDICT_COLORS = {"eligible": "green", "to_verify": "orange", "ineligible": "red"}


def lang() -> str:
    """The reader's language: the sidebar choice, else ?lang=, else FUNDING_LANGUAGE (fr)."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = language(st.query_params.get("lang"))
    return st.session_state["lang"]


def today() -> date:
    """The day results are computed for: FUNDING_TODAY when set (demos, tests), else today."""
    return get_settings().today or date.today()


def esc(text: object) -> str:
    """Funder text for a Markdown element, shown as typed (funding.views.presentation.markdown_text)."""
    return markdown_text(text)


def safe_url(url: str | None) -> str | None:
    """Only web addresses become links (never javascript: or data: from a source)."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


class Link(NamedTuple):
    """A table cell that leads somewhere: a page of the app ('opportunity?id=…') or a web address."""

    text: str
    url: str | None


CELL = "padding:0.25rem 0.5rem;vertical-align:top;white-space:normal;overflow-wrap:anywhere"


def _cell(value: object) -> str:
    if isinstance(value, Link):
        text = html.escape(value.text or "")
        url = value.url or ""
        if safe_url(url) or url.startswith("opportunity?"):
            return f'<a href="{html.escape(url, quote=True)}">{text}</a>'
        return text
    return "<br>".join(
        html.escape(line) for line in str("" if value is None else value).splitlines()
    )


def table(rows: list[dict[str, object]]) -> None:
    """Rows as a table whose cells wrap, titles and the funder's sentences shown whole (a
    dataframe cuts them): every value escaped, shown as text; Link cells become links."""
    if not rows:
        return
    head = "".join(f'<th style="{CELL};text-align:left">{html.escape(k)}</th>' for k in rows[0])
    body = "".join(
        "<tr>" + "".join(f'<td style="{CELL}">{_cell(v)}</td>' for v in row.values()) + "</tr>"
        for row in rows
    )
    st.markdown(
        f'<table style="width:100%;border-collapse:collapse"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>",
        unsafe_allow_html=True,
    )


def frame(rows: list[dict], columns: dict[str, str], lang: str) -> None:
    """Rows as a dataframe, a column per (message key: row field) of `columns`, headed in `lang`;
    a "link" column's addresses open as links."""
    link = t("link", lang)
    st.dataframe(
        [{t(key, lang): row[field] for key, field in columns.items()} for row in rows],
        hide_index=True,
        width="stretch",
        column_config={link: st.column_config.LinkColumn(link)} if "link" in columns else None,
    )


def label(key: str, lang: str) -> str:
    """'Montant : ' in French (a space before the colon), 'Amount: ' in English."""
    return t(key, lang) + (" : " if lang == "fr" else ": ")


def verdict_badge(verdict: str, lang: str) -> str:
    return f":{VERDICT_COLORS.get(verdict, 'gray')}-badge[{t(verdict, lang)}]"


def days_label(days: int | None, lang: str) -> str:
    if days is None:
        return ""
    return t("today", lang) if days == 0 else t("days_left", lang, n=days)


# Sessions: a signed token in a cookie, so that a reload (a new websocket) keeps them ---------

COOKIES = {"staff_user": "funding_staff", "lead_email": "funding_lead"}


def restore_sessions() -> None:
    """Read the session cookies once per browser session (unless signed out since), then write
    the cookies asked for by a sign-in or sign-out (a script in the page: Streamlit cannot set
    cookies from the server; the tokens are signed and expire, see funding/access/accounts.py)."""
    state = st.session_state
    if not state.get("cookies_read"):
        state["cookies_read"] = True
        cookies = st.context.cookies
        if "staff_user" not in state and cookies.get(COOKIES["staff_user"]):
            state["staff_user"] = accounts.staff_session(cookies[COOKIES["staff_user"]])
        if "lead_email" not in state and cookies.get(COOKIES["lead_email"]):
            state["lead_email"] = accounts.lead_session(cookies[COOKIES["lead_email"]])
    writes = state.pop("cookie_writes", [])
    if writes:
        script = "".join(
            f"document.cookie = {json.dumps(f'{name}={value}; path=/; max-age={age}; SameSite=Strict')};"
            for name, value, age in writes
        )
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width=1)


def start_session(key: str, subject: str) -> None:
    """Signed in (`key`: staff_user or lead_email): kept in the session and in a cookie."""
    purpose = "staff" if key == "staff_user" else "lead"
    st.session_state[key] = subject
    age = accounts.TOKEN_DAYS[purpose] * 86400
    token = accounts.make_token(purpose, subject)
    st.session_state.setdefault("cookie_writes", []).append((COOKIES[key], token, age))


def end_session(key: str) -> None:
    st.session_state[key] = None  # None, not absent: the cookie of this page load is not read again
    st.session_state.setdefault("cookie_writes", []).append((COOKIES[key], "", 0))


def staff_user() -> str | None:
    return st.session_state.get("staff_user")


def lead_email() -> str | None:
    return st.session_state.get("lead_email")


def viewer() -> Viewer:
    """Who is looking, for the partnerships they may see: staff see all, a lead their own."""
    return Viewer(email=lead_email(), staff=staff_user() is not None)


def client_address() -> str:
    """Who is signing in, for the per-client limits: the browser's address (as the server sees
    it: behind a reverse proxy, the proxy's), 'local' on the machine itself."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "local"


def sign_in_form(lang: str) -> None:
    """The sign-in form; on success the name is kept in the session and the page reruns."""
    if not auth.staff_credentials():
        st.warning(t("sign_in_unconfigured", lang))
    with st.form("sign_in"):
        username = st.text_input(t("username", lang), key="sign_in_user")
        password = st.text_input(t("password", lang), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("sign_in", lang))
    if not submitted:
        return
    with session_scope(resources.engine()) as session:
        outcome = auth.sign_in(session, username, password, client=client_address())
    if outcome.ok:
        start_session("staff_user", outcome.username)
        st.rerun()
    elif outcome.outcome == "locked":
        st.error(t("sign_in_locked", lang, minutes=max(1, round(outcome.retry_after_seconds / 60))))
    else:
        st.error(t("sign_in_refused", lang))


def require_staff(lang: str) -> str:
    """Stop the page with the sign-in form unless a staff member is signed in."""
    user = staff_user()
    if user is None:
        st.info(t("sign_in_needed", lang))
        sign_in_form(lang)
        st.stop()
    return user
