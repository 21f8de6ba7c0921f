"""Public list of calls: a search box, a status filter, a table of whole titles, each leading to its call."""

from urllib.parse import quote, urlsplit

import streamlit as st

from funding.contracts.status import STATUSES
from funding.i18n import t
from ui import common, resources

PAGE_SIZE = 50
COLUMNS = ("funder", "status", "next_deadline", "amount_max", "source")

lang = common.lang()
st.title(t("opportunities", lang))


def _first_page() -> None:
    st.session_state.pop("calls_page", None)


query = st.text_input(t("search", lang), key="query", on_change=_first_page)
choices = [None, *STATUSES]
status = st.selectbox(
    t("status", lang),
    choices,
    key="status",
    format_func=lambda s: t(s or "all", lang),
    on_change=_first_page,
)
rows = resources.opportunities(query, status, common.today(), lang)
st.caption(t("found", lang, count=len(rows), total=resources.total()))
if not rows:
    st.info(t("empty", lang))
    st.stop()
pages = -(-len(rows) // PAGE_SIZE)
page = st.number_input(t("page", lang), 1, pages, key="calls_page") if pages > 1 else 1
common.table(
    [
        {
            t("title", lang): common.Link(
                row["title"], f"opportunity?id={quote(row['id'], safe='')}"
            ),
            **{t(key, lang): row[key] for key in COLUMNS},
            t("link", lang): common.Link(urlsplit(row["link"] or "").netloc, row["link"]),
        }
        for row in rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ]
)
