"""Streamlit entry point: the navigation, the language selector and staff sign-in; pages live in
ui/pages and call into funding/."""

import streamlit as st

from funding.i18n import t
from funding.settings import get_settings
from ui import common

lang = common.lang()
st.set_page_config(page_title=t("app_title", lang), layout="wide")

st.sidebar.selectbox(
    t("language", lang),
    ["fr", "en"],
    key="lang",
    format_func={"fr": "Français", "en": "English"}.get,
)
user = common.staff_user()
if user:
    st.sidebar.caption(t("signed_in_as", lang, name=user))
    if st.sidebar.button(t("sign_out", lang), key="sign_out"):
        del st.session_state["staff_user"]
        st.rerun()

if get_settings().require_sign_in and not user:
    st.title(t("sign_in", lang))
    common.sign_in_form(lang)
    st.stop()

pages = {
    t("public_section", lang): [
        st.Page("pages/find.py", title=t("find_funding", lang), url_path="find", default=True),
        st.Page("pages/opportunities.py", title=t("opportunities", lang), url_path="calls"),
        st.Page("pages/opportunity.py", title=t("opportunity", lang), url_path="opportunity"),
        st.Page("pages/watchlist.py", title=t("watchlist", lang), url_path="watchlist"),
    ],
    t("staff_section", lang): [
        st.Page("pages/monitor.py", title=t("monitor", lang), url_path="monitor"),
        st.Page("pages/subscribers.py", title=t("subscribers", lang), url_path="subscribers"),
        st.Page("pages/ecosystem.py", title=t("ecosystem", lang), url_path="ecosystem"),
    ],
    t("subscription_section", lang): [
        st.Page("pages/confirm.py", title=t("subscription_confirm_title", lang), url_path="confirm"),
        st.Page("pages/unsubscribe.py", title=t("subscription_unsubscribe_title", lang), url_path="unsubscribe"),
    ],
}
st.navigation(pages).run()
