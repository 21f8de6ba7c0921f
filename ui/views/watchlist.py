"""Calls a partnership follows: stage and notes, a deadline calendar, iCalendar and CSV exports."""

import streamlit as st

from funding.access.partnerships import STAGES, check_access, unwatch, watch
from funding.i18n import t
from funding.views import calendar
from ui import common, resources

lang = common.lang()
today = common.today()
state = st.session_state
st.title(t("watchlist", lang))

viewer = common.viewer()
saved = dict(resources.partnerships(viewer))
if not saved:
    st.info(
        t("choose_partnership", lang)
        if viewer.email or viewer.staff
        else t("sign_in_to_save", lang)
    )
    st.stop()
if state.get("partnership_id") not in saved:
    asked = st.query_params.get("partnership")
    state["partnership_id"] = (
        int(asked) if asked and asked.isdigit() and int(asked) in saved else next(iter(saved))
    )
pid = st.selectbox(t("partnership", lang), list(saved), key="partnership_id", format_func=saved.get)


def _save(opportunity_id: str) -> None:
    with resources.write() as session:
        check_access(session, pid, viewer)
        watch(
            session,
            pid,
            opportunity_id,
            stage=state[f"stage_{opportunity_id}"],
            notes=state[f"notes_{opportunity_id}"],
        )


def _unfollow(opportunity_id: str) -> None:
    with resources.write() as session:
        check_access(session, pid, viewer)
        unwatch(session, pid, opportunity_id)


rows = resources.watched(pid, today, lang)
if not rows:
    st.info(t("nothing_followed", lang))
    st.stop()

c1, c2 = st.columns(2)
name = saved[pid]
c1.download_button(
    t("export_ics", lang),
    calendar.to_ical(rows, partnership=name, as_of=today, lang=lang),
    file_name="funding-radar-deadlines.ics",
    mime="text/calendar",
    key="export_ics",
)
c2.download_button(
    t("export_csv", lang),
    calendar.to_csv(rows, lang),
    file_name="funding-radar-watchlist.csv",
    mime="text/csv",
    key="export_csv",
)

for row in rows:
    with st.container(border=True, key=f"watched_{row['id']}"):
        st.markdown(
            f"**{common.esc(row['title'])}** · {common.esc(row['funder'] or '—')} · "
            f"{common.label('deadline', lang)}{common.esc(row['next_deadline_label'])} "
            f"{common.days_label(row['days_left'], lang)}"
        )
        forecast = resources.next_edition(row["id"], today, lang)
        if forecast:
            st.caption(forecast)
        c1, c2, c3 = st.columns([1, 3, 1])
        c1.selectbox(
            t("stage", lang),
            STAGES,
            index=STAGES.index(row["stage"]),
            key=f"stage_{row['id']}",
            format_func=lambda s: t(s, lang),
        )
        c2.text_area(t("notes", lang), row["notes"], key=f"notes_{row['id']}", height=68)
        c3.button(t("save", lang), key=f"save_{row['id']}", on_click=_save, args=(row["id"],))
        c3.button(
            t("unfollow", lang), key=f"unfollow_{row['id']}", on_click=_unfollow, args=(row["id"],)
        )
        c3.page_link(
            "views/opportunity.py", label=t("details", lang), query_params={"id": row["id"]}
        )

st.subheader(t("calendar", lang))
for month, entries in calendar.deadline_calendar(rows, as_of=today, lang=lang):
    st.markdown(f"**{month.capitalize()}**")
    common.frame(entries, {"deadline": "label", "title": "title", "stage": "stage"}, lang)
