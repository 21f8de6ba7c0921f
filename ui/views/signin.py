"""Project leads sign in by e-mail: a link (asked for here, or in every digest) opens a session.

Opening a link changes nothing by itself (mail scanners open links): a button signs in.
"""

import streamlit as st

from funding.access.accounts import AccountError, read_token
from funding.digests import DeliveryError
from funding.digests.send import send_sign_in_link
from funding.digests.subscriptions import SubscriptionError
from funding.i18n import t
from ui import common, resources

lang = common.lang()
state = st.session_state
st.title(t("lead_sign_in", lang))

token = st.query_params.get("token", "")
if token:
    try:
        email = read_token(token, ("signin", "manage"))
    except AccountError as exc:
        st.error(
            t("sign_in_link_expired" if "expired" in str(exc) else "sign_in_link_invalid", lang)
        )
    else:
        st.write(t("sign_in_link_ask", lang, email=email))
        if st.button(t("sign_in_link_button", lang), type="primary", key="sign_in_link"):
            common.start_session("lead_email", email)
            asked = st.query_params.get("partnership", "")
            state.pop("partnership_id", None)  # the Find page picks theirs (or ?partnership=)
            st.switch_page("views/find.py", query_params={"partnership": asked} if asked else None)
    st.stop()

if common.lead_email():
    st.write(t("signed_in_as", lang, name=common.lead_email()))
    if st.button(t("sign_out", lang), key="lead_sign_out_page"):
        common.end_session("lead_email")
        st.rerun()
    st.stop()

st.write(t("sign_in_by_email", lang))
with st.form("lead_sign_in"):
    address = st.text_input(
        t("email", lang), key="lead_email_input", placeholder=t("email_placeholder", lang)
    )
    asked = st.form_submit_button(t("send_sign_in_link", lang), type="primary")
if asked:
    try:
        with resources.write() as session:
            sent = send_sign_in_link(session, address, lang, client=common.client_address())
    except SubscriptionError:
        st.error(t("email_invalid", lang))
    except DeliveryError:
        st.error(t("sign_in_link_failed", lang))
    else:
        if sent:
            st.success(t("sign_in_link_sent", lang, email=address.strip()))
        else:
            st.warning(t("sign_in_link_too_many", lang))
