"""Streamlit entry point: the navigation, the language selector and who is signed in (staff, or a
project lead); pages live in ui/views and call into funding/."""

import streamlit as st

from funding.i18n import format_count, t
from funding.normalize import format_date
from funding.settings import get_settings
from ui import common, resources

lang = common.lang()
st.set_page_config(page_title=t("app_title", lang), layout="wide")

st.sidebar.selectbox(
    t("language", lang),
    ["fr", "en"],
    key="lang",
    format_func={"fr": "Français", "en": "English"}.get,
)
fresh = resources.freshness(common.today())
if fresh["last_seen"]:
    st.sidebar.caption(
        t(
            "data_freshness",
            lang,
            day=format_date(fresh["last_seen"], lang),
            total=format_count(fresh["total"], lang),
            closed=format_count(fresh["closed"], lang),
        )
    )
common.restore_sessions()
user = common.staff_user()
for name, session_key, button in (
    (user, "staff_user", "sign_out"),
    (common.lead_email(), "lead_email", "lead_sign_out"),
):
    if name:
        st.sidebar.caption(t("signed_in_as", lang, name=name))
        if st.sidebar.button(t("sign_out", lang), key=button):
            common.end_session(session_key)
            st.rerun()

if get_settings().require_sign_in and not user:
    st.title(t("sign_in", lang))
    common.sign_in_form(lang)
    st.stop()

pages = {
    t("public_section", lang): [
        st.Page("views/find.py", title=t("find_funding", lang), url_path="find", default=True),
        st.Page("views/opportunities.py", title=t("opportunities", lang), url_path="calls"),
        st.Page("views/opportunity.py", title=t("opportunity", lang), url_path="opportunity"),
        st.Page("views/watchlist.py", title=t("watchlist", lang), url_path="watchlist"),
        st.Page("views/signin.py", title=t("lead_sign_in", lang), url_path="signin"),
    ],
    t("staff_section", lang): [
        st.Page("views/monitor.py", title=t("monitor", lang), url_path="monitor"),
        st.Page("views/subscribers.py", title=t("subscribers", lang), url_path="subscribers"),
        st.Page("views/ecosystem.py", title=t("ecosystem", lang), url_path="ecosystem"),
    ],
    # Reached from e-mails only: not menu entries.
    t("subscription_section", lang): [
        st.Page(
            "views/confirm.py",
            title=t("subscription_confirm_title", lang),
            url_path="confirm",
            visibility="hidden",
        ),
        st.Page(
            "views/unsubscribe.py",
            title=t("subscription_unsubscribe_title", lang),
            url_path="unsubscribe",
            visibility="hidden",
        ),
    ],
}
st.navigation(pages).run()
