"""Streamlit entry point: the navigation; each page lives in ui/pages and calls into funding/."""

import streamlit as st

from funding.i18n import language, t

lang = language(st.query_params.get("lang"))
st.set_page_config(page_title=t("app_title", lang), layout="wide")
page = st.navigation([st.Page("pages/opportunities.py", title=t("opportunities", lang), default=True)])
page.run()
