"""What every page shares: the language, text shown as text, badges, and staff sign-in."""

from datetime import date

import streamlit as st

from funding import auth
from funding.db import session_scope
from funding.i18n import language, t
from funding.presentation import markdown_text
from funding.settings import get_settings
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
    """Funder text for a Markdown element, shown as typed (funding.presentation.markdown_text)."""
    return markdown_text(text)


def safe_url(url: str | None) -> str | None:
    """Only web addresses become links (never javascript: or data: from a source)."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def verdict_badge(verdict: str, lang: str) -> str:
    return f":{VERDICT_COLORS.get(verdict, 'gray')}-badge[{t(verdict, lang)}]"


def days_label(days: int | None, lang: str) -> str:
    if days is None:
        return ""
    return t("today", lang) if days == 0 else t("days_left", lang, n=days)


def staff_user() -> str | None:
    return st.session_state.get("staff_user")


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
        st.session_state["staff_user"] = outcome.username
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
