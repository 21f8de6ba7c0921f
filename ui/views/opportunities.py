"""Public list of calls: a search box, a status filter, a table whose rows lead to each call."""

from urllib.parse import quote

import streamlit as st

from funding.i18n import t
from funding.status import STATUSES
from ui import common, resources

COLUMNS = ("details", "title", "funder", "status", "next_deadline", "amount_max", "source", "link")

lang = common.lang()
st.title(t("opportunities", lang))

query = st.text_input(t("search", lang), key="query")
choices = [None, *STATUSES]
status = st.selectbox(
    t("status", lang), choices, key="status", format_func=lambda s: t(s or "all", lang)
)
rows = resources.opportunities(query, status, common.today(), lang)
st.caption(t("found", lang, count=len(rows), total=resources.total()))
if rows:
    st.dataframe(
        [{**row, "details": f"opportunity?id={quote(row['id'], safe='')}"} for row in rows],
        hide_index=True,
        width="stretch",
        column_order=COLUMNS,
        column_config={
            key: st.column_config.TextColumn(
                t(key, lang), width="large" if key == "title" else None
            )
            for key in ("title", "funder", "status", "next_deadline", "amount_max", "source")
        }
        | {
            "link": st.column_config.LinkColumn(t("link", lang)),
            "details": st.column_config.LinkColumn(
                t("details", lang), display_text=t("open_call", lang)
            ),
        },
    )
else:
    st.info(t("empty", lang))
