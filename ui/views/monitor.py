"""Staff: what is new, changed or closing; arrivals per source; source health; review queue; hand edits."""

import streamlit as st

from funding.contracts.fields import field_name
from funding.errors import FundingError
from funding.i18n import MESSAGES, t, word
from funding.store.models import utcnow
from funding.views import monitor
from funding.views.details import show_value
from ui import common, resources

lang = common.lang()
st.title(t("monitor", lang))
user = common.require_staff(lang)
today = common.today()
now = utcnow().replace(second=0, microsecond=0)
board = resources.dashboard(now, today, lang)


def _table(rows: list[dict], total: int) -> None:
    st.caption(t("shown_of", lang, shown=len(rows), total=total))
    if rows:
        common.frame(
            rows,
            {
                "title": "title",
                "funder": "funder",
                "source": "source",
                "deadline": "next_deadline",
                "link": "url",
            },
            lang,
        )


c1, c2, c3 = st.columns(3)
c1.metric(t("new_this_week", lang), board["new"][0])
c2.metric(t("changed_this_week", lang), board["changed"][0])
c3.metric(t("closing_soon", lang), board["closing"][0])

tab_new, tab_changed, tab_closing, tab_chart, tab_health, tab_queue, tab_edit = st.tabs(
    [
        t("new_this_week", lang),
        t("changed_this_week", lang),
        t("closing_soon", lang),
        t("new_per_week", lang),
        t("source_health", lang),
        t("review_queue", lang),
        t("edit_call", lang),
    ]
)
with tab_new:
    _table(board["new"][1], board["new"][0])
with tab_changed:
    _table(board["changed"][1], board["changed"][0])
with tab_closing:
    _table(board["closing"][1], board["closing"][0])
with tab_chart:
    if board["per_week"]:
        # A plain Vega-Lite spec (what the Altair chart it replaces produced): importing Altair
        # alone took 0.6-0.9 s of the page's first load.
        st.vega_lite_chart(
            board["per_week"],
            {
                "mark": {"type": "bar"},
                "encoding": {
                    "x": {"field": "week", "type": "ordinal", "title": None},
                    "y": {"field": "count", "type": "quantitative", "title": None},
                    "color": {"field": "source", "type": "nominal", "title": t("source", lang)},
                },
            },
            width="stretch",
        )
    else:
        st.caption(t("empty", lang))
with tab_health:
    import pandas as pd

    health = pd.DataFrame(board["health"])
    if not health.empty:
        failed = health["status"] == "failed"
        health["source"] = [word("source", name, lang) for name in health["source"]]
        health["status"] = [
            t(f"run_{status}", lang) if f"run_{status}" in MESSAGES else status
            for status in health["status"]
        ]
        health = health.rename(columns={c: t(f"health_{c}", lang) for c in health.columns})
        styled = health.style.apply(  # failed runs in red, with their whole reason
            lambda row: ["background-color: #fde2e1" if failed[row.name] else "" for _ in row],
            axis=1,
        )
        st.dataframe(
            styled,
            hide_index=True,
            width="stretch",
            column_config={t("health_flags", lang): st.column_config.TextColumn(width="large")},
        )

QUEUE_PAGE = 20
state = st.session_state
offset = (state.get("queue_page", 1) - 1) * QUEUE_PAGE
queue = resources.review_queue(
    state.get("queue_field"), state.get("queue_source"), offset, QUEUE_PAGE
)


def _decide(kind: str, item_id: int, yes: bool) -> None:
    with resources.write() as session:
        if kind == "extraction":
            monitor.decide_extraction(session, item_id, accept=yes, by=user)
        elif kind == "merge":
            monitor.decide_merge(session, item_id, same_call=yes, by=user)
        else:
            monitor.close_report(session, item_id, resolved=yes, by=user)
    resources.clear_monitor()


def _decide_chosen(yes: bool) -> None:
    """Bulk: accept (or reject) every value ticked on this page of the queue."""
    chosen = [e["id"] for e in queue["extractions"] if state.get(f"pick_{e['id']}")]
    with resources.write() as session:
        for item_id in chosen:
            monitor.decide_extraction(session, item_id, accept=yes, by=user)
    for item_id in chosen:
        state.pop(f"pick_{item_id}", None)
    resources.clear_monitor()


def _decision(kind: str, item_id: int, yes: str, no: str) -> None:
    """The two buttons that settle one item of the review queue."""
    c1, c2 = st.columns(2)
    c1.button(
        t(yes, lang), key=f"{kind}_ok_{item_id}", on_click=_decide, args=(kind, item_id, True)
    )
    c2.button(
        t(no, lang), key=f"{kind}_no_{item_id}", on_click=_decide, args=(kind, item_id, False)
    )


with tab_queue:
    sizes = queue["sizes"]
    st.markdown(f"**{t('extractions', lang)}** ({sizes['extractions']})")
    c1, c2, c3 = st.columns([2, 2, 1])
    first_page = lambda: state.update(queue_page=1)
    c1.selectbox(
        t("queue_field", lang),
        [None, *queue["kinds"]["field"]],
        key="queue_field",
        on_change=first_page,
        format_func=lambda f: t("all", lang) if f is None else field_name(f, lang),
    )
    c2.selectbox(
        t("source", lang),
        [None, *queue["kinds"]["source"]],
        key="queue_source",
        on_change=first_page,
        format_func=lambda so: t("all", lang) if so is None else word("source", so, lang),
    )
    pages = max(1, -(-queue["matching"] // QUEUE_PAGE))
    if state.get("queue_page", 1) > pages:
        state["queue_page"] = pages
    c3.number_input(t("page", lang), 1, pages, key="queue_page")
    st.caption(t("queue_shown", lang, shown=len(queue["extractions"]), total=queue["matching"]))
    for e in queue["extractions"]:
        with st.container(border=True):
            st.checkbox(t("pick", lang), key=f"pick_{e['id']}")
            st.markdown(
                f"{common.esc(e['title'])} · **{common.esc(field_name(e['field'], lang))}**"
                f" = {common.esc(show_value(e['field'], e['value'], lang=lang))} "
                f"({e['confidence']:.2f}) · {common.esc(word('source', e['source'], lang))}"
            )
            st.text(e["snippet"])
            st.page_link(
                "views/opportunity.py",
                label=t("details", lang),
                query_params={"id": e["opportunity_id"]},
            )
            _decision("extraction", e["id"], "accept", "reject")
    if queue["extractions"]:
        c1, c2, _ = st.columns([1, 1, 2])
        c1.button(
            t("accept_chosen", lang), key="accept_chosen", on_click=_decide_chosen, args=(True,)
        )
        c2.button(
            t("reject_chosen", lang), key="reject_chosen", on_click=_decide_chosen, args=(False,)
        )
    st.markdown(f"**{t('duplicates', lang)}** ({sizes['duplicates']})")
    for m in queue["duplicates"]:
        with st.container(border=True):
            st.text(
                f"{m['keep_title']} [{m['keep_source']}]\n{m['duplicate_title']} "
                f"[{m['duplicate_source']}]\n{m['score']:.0f} · {m['reasons']}"
            )
            _decision("merge", m["id"], "merge", "keep_apart")
    st.markdown(f"**{t('reports', lang)}** ({sizes['reports']})")
    for r in queue["reports"]:
        with st.container(border=True):
            st.text(f"{r['title']} ({r['created']}, {r['reporter'] or '—'})\n{r['message']}")
            _decision("report", r["id"], "resolve", "dismiss")
    if not any(sizes.values()):
        st.caption(t("queue_empty", lang))

with tab_edit:
    st.caption(t("edit_hint", lang))
    with st.form("edit_call", clear_on_submit=False):
        call_id = st.text_input(t("call_id_new", lang), key="edit_id")
        title = st.text_input(t("title", lang), key="edit_title")
        url = st.text_input(t("url", lang), key="edit_url")
        funder = st.text_input(t("funder", lang), key="edit_funder")
        deadlines = st.text_input(t("deadlines", lang), key="edit_deadlines")
        amount = st.number_input(
            t("amount_max", lang), min_value=0.0, value=None, key="edit_amount"
        )
        summary = st.text_area(t("summary", lang), key="edit_summary")
        submitted = st.form_submit_button(t("save", lang))
    if submitted:
        values = {
            "title": title.strip(),
            "url": url.strip(),
            "funder": funder.strip(),
            "deadlines": [d.strip() for d in deadlines.split(",") if d.strip()],
            "amount_max": amount,
            "summary": summary.strip(),
        }
        try:
            with resources.write() as session:
                saved_id = monitor.save_call(
                    session, values, by=user, opportunity_id=call_id.strip() or None
                )
        except (FundingError, ValueError, KeyError) as exc:
            st.error(t("edit_refused", lang, reason=str(exc)))
        else:
            resources.clear_monitor()
            st.success(t("edit_saved", lang, id=saved_id))
