"""The potential-partners section the Find and call pages share."""

import streamlit as st

from funding.i18n import t
from ui import resources


def section(profile: dict, call_id: str | None, lang: str, key: str) -> None:
    """Potential partners for the profile on screen (for the call when given), with a CSV download."""
    st.subheader(t("potential_partners", lang))
    rows, csv_text = resources.partners(profile, call_id, lang)
    if not rows:
        st.caption(t("no_partners", lang))
        return
    st.dataframe(rows, hide_index=True, width="stretch")
    st.download_button(
        t("download_csv", lang),
        csv_text.encode(),
        file_name="partners.csv",
        mime="text/csv",
        key=key,
    )
