"""Staff: subscribers to the digests; add, pause, resume, remove; preview anyone's next digest."""

from datetime import UTC, datetime, time

import streamlit as st

from funding.digests import send_confirmation, subscriptions
from funding.digests.build import DigestBuilder
from funding.i18n import t
from funding.normalize import format_date
from ui import common, resources

lang = common.lang()
st.title(t("subscribers", lang))
common.require_staff(lang)
saved = dict(resources.partnerships(common.viewer()))


def _act(action, email: str) -> None:
    with resources.write() as session:
        action(session, email)


with st.expander(t("add_subscriber", lang), expanded=False):
    if not saved:
        st.info(t("choose_partnership", lang))
    else:
        with st.form("add_subscriber", clear_on_submit=True):
            email = st.text_input(t("email", lang), key="sub_email")
            pid = st.selectbox(
                t("partnership", lang), list(saved), format_func=saved.get, key="sub_partnership"
            )
            c1, c2 = st.columns(2)
            frequency = c1.selectbox(
                t("frequency", lang),
                subscriptions.FREQUENCIES,
                format_func=lambda f: t(f, lang),
                key="sub_frequency",
            )
            language = c2.selectbox(t("language", lang), ["fr", "en"], key="sub_language")
            added = st.form_submit_button(t("add", lang))
        if added:
            try:  # the same double opt-in as `funding subscribers add`: a confirmation goes out
                with resources.write() as session:
                    subscriber = subscriptions.subscribe(
                        session, email, partnership_id=pid, frequency=frequency, language=language
                    )
                    address, sid, status = subscriber.email, subscriber.id, subscriber.status
            except (ValueError, subscriptions.SubscriptionError) as exc:
                st.error(str(exc))
            else:
                if status != "pending":
                    st.success(t("subscriber_updated", lang, email=address))
                elif send_confirmation(resources.engine(), sid):
                    st.success(t("confirmation_sent", lang, email=address))
                else:
                    st.warning(t("confirmation_not_sent", lang, email=address))

with resources.read() as session:
    rows = [
        {
            "id": s.id,
            "email": s.email,
            "partnership": saved.get(s.partnership_id, ""),
            "frequency": s.frequency,
            "language": s.language,
            "status": s.status,
            "last_digest": s.last_digest_at.strftime("%Y-%m-%d") if s.last_digest_at else "",
        }
        for s in subscriptions.list_subscribers(session)
        if s.status != "unsubscribed"
    ]
if not rows:
    st.info(t("no_subscribers", lang))
    st.stop()

st.dataframe(
    [
        {
            t("email", lang): r["email"],
            t("partnership", lang): r["partnership"],
            t("frequency", lang): t(r["frequency"], lang),
            t("language", lang): r["language"],
            t("status", lang): t(r["status"], lang),
            "digest": r["last_digest"],
        }
        for r in rows
    ],
    hide_index=True,
    width="stretch",
)

for r in rows:
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    c1.text(f"{r['email']} ({t(r['status'], lang)})")
    if r["status"] == "paused":
        c2.button(
            t("resume", lang),
            key=f"resume_{r['id']}",
            on_click=_act,
            args=(subscriptions.resume, r["email"]),
        )
    else:
        c2.button(
            t("pause", lang),
            key=f"pause_{r['id']}",
            on_click=_act,
            args=(subscriptions.pause, r["email"]),
        )
    c3.button(
        t("remove", lang),
        key=f"remove_{r['id']}",
        on_click=_act,
        args=(subscriptions.delete_subscriber, r["email"]),
    )
    c4.button(
        t("preview", lang),
        key=f"preview_{r['id']}",
        on_click=lambda i=r["id"]: st.session_state.update(preview_id=i),
    )

chosen = st.session_state.get("preview_id")
if chosen in {r["id"] for r in rows}:
    email = next(r["email"] for r in rows if r["id"] == chosen)
    st.subheader(f"{common.label('preview', lang)}{common.esc(email)}")
    with resources.read() as session:
        subscriber = subscriptions.get_subscriber(session, email)
        now = datetime.combine(common.today(), time(7), tzinfo=UTC)
        (digest,) = DigestBuilder(session, now=now).build([subscriber])  # what it would get now
        items = [
            (
                i.opportunity.title,
                i.opportunity.funder or "",
                i.score,
                i.verdict,
                format_date(i.next_deadline, lang),
            )
            for i in digest.shown
        ]
    if items:
        st.dataframe(
            [
                {
                    t("title", lang): title,
                    t("funder", lang): funder,
                    t("score", lang): score,
                    t("verdict", lang): t(verdict, lang) if verdict else "",
                    t("deadline", lang): deadline,
                }
                for title, funder, score, verdict, deadline in items
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption(t("digest_empty", lang))
