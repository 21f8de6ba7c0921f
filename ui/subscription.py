"""The e-mails' links: confirm a subscription, or leave it, from a signed token.

Opening a link changes nothing (mail scanners open every link): it shows a button, and only
pressing it confirms or unsubscribes.
"""

import streamlit as st

from funding.digests.subscriptions import SubscriptionError, confirm, link_subscriber, unsubscribe
from funding.i18n import t
from funding.store.db import session_scope
from ui import common, resources

ACTIONS = {"confirm": confirm, "unsubscribe": unsubscribe}


def page(action: str) -> None:
    lang = common.lang()
    st.title(t(f"subscription_{action}_title", lang))
    token = st.query_params.get("token", "")
    if not token:
        st.error(t("subscription_no_token", lang))
        return
    try:
        with session_scope(resources.engine()) as session:
            email = link_subscriber(session, token, action).email
            st.write(t(f"subscription_{action}_ask", lang, email=email))
            if not st.button(t(f"subscription_{action}_button", lang), type="primary"):
                return
            email = ACTIONS[action](session, token).email
    except SubscriptionError as exc:
        st.error(t("subscription_invalid", lang, reason=str(exc)))
    else:
        st.success(t(f"subscription_{action}_done", lang, email=email))
