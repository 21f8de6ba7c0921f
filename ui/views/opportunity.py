"""One call: every field, where it was seen, its change history, similar calls, the link to apply."""

import streamlit as st

from funding.access.partnerships import report_call
from funding.i18n import t, word
from funding.views.details import history_sentence
from ui import common, partners, resources

lang = common.lang()
st.title(t("opportunity", lang))

opportunity_id = st.query_params.get("id")
if not opportunity_id:  # reached from the menu: find the call by its words, not by an id
    words = st.text_input(t("find_call", lang), key="call_words")
    if words.strip():
        for row in resources.opportunities(words, None, common.today(), lang)[:20]:
            st.page_link(
                "views/opportunity.py",
                label=common.esc(row["title"]),
                query_params={"id": row["id"]},
            )
    st.stop()
call = resources.opportunity(opportunity_id, common.today(), lang)
if call is None:
    st.warning(t("no_such_call", lang))
    st.stop()

st.header(common.esc(call["title"]), anchor=False)
facts = [
    common.esc(call["funder"] or "—"),
    f"{common.label('status', lang)}{common.esc(call['status'])}",
    (
        f"{common.label('deadline', lang)}{common.esc(call['next_deadline'] or '—')} "
        f"{common.days_label(call['days_left'], lang)}"
    ),
    f"{common.label('amount', lang)}{common.esc(call['amount'] or '—')}",
]
st.markdown(" · ".join(facts))
if common.safe_url(call["url"]):
    st.link_button(t("apply", lang), call["url"], type="primary")
if call["summary"]:
    st.text(call["summary"])

st.subheader(t("fields", lang))
common.table([{t("field", lang): f["field"], t("value", lang): f["value"]} for f in call["fields"]])

st.subheader(t("seen_at", lang))
common.table(
    [
        {
            t("source", lang): word("source", s["source"], lang),
            t("link", lang): common.Link(s["url"] or "", s["url"]),
            t("first_seen", lang): s["first_seen"],
            t("last_seen", lang): s["last_seen"],
        }
        for s in call["sources"]
    ]
)

st.subheader(t("history", lang))
if call["history"]:
    for change in call["history"]:
        st.text(history_sentence(change, lang))
else:
    st.caption(t("no_history", lang))

st.subheader(t("similar", lang))
for other in resources.similar(call["id"]):
    label = common.esc(other["title"]) + (
        f" ({t('same_call', lang)})" if other["same_call"] else ""
    )
    st.page_link("views/opportunity.py", label=label, query_params={"id": other["id"]})

funded = resources.awards(call["id"], common.today(), lang)
if funded is not None:
    st.subheader(t("funded_before", lang))
    if funded["forecast"]:
        st.info(funded["forecast"])
    for line in funded["lines"]:
        st.markdown(common.esc(line))
    if funded["projects"]:
        st.dataframe(
            funded["projects"],
            hide_index=True,
            width="stretch",
            column_config={t("link", lang): st.column_config.LinkColumn(t("link", lang))},
        )
    else:
        st.caption(t("funded_none", lang))

if st.session_state.get("profile"):  # the partnership on the Find page
    partners.section(st.session_state["profile"], call["id"], lang, key="partners_call_csv")

with st.expander(t("report", lang)):
    with st.form("report_form", clear_on_submit=True):
        message = st.text_area(t("report_message", lang), key="report_message")
        sent = st.form_submit_button(t("send", lang))
    if sent and message.strip():
        with resources.write() as session:
            report_call(session, call["id"], message)
        st.success(t("report_sent", lang))
