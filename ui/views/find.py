"""Find funding: a partnership profile (form or JSON), ranked calls with their reasons, filters."""

import streamlit as st

from funding.access.partnerships import (
    PartnershipNameTaken,
    check_access,
    hidden_ids,
    hide,
    restore,
    save_partnership,
    watch,
    watched_call,
    watchlist,
)
from funding.contracts.status import STATUSES
from funding.i18n import json_error_text, problem_text, t, word
from funding.matching import ProfileError, parse_profile
from funding.views import finder
from ui import common, partners, resources

PAGE_SIZE = 20
WINDOWS = (None, 14, 30, 60, 90, 180, 365)

lang = common.lang()
today = common.today()
state = st.session_state
viewer = common.viewer()
st.title(t("find_funding", lang))


def fill_form(profile: dict) -> None:
    """Put a profile into the form's widgets (before they are drawn) and show its results."""
    form = finder.form_from_profile(profile)
    state["f_name"], state["f_project"] = form["name"], form["project"]
    state["f_partner_count"] = max(1, len(form["partners"]))
    for i, partner in enumerate(form["partners"]):
        for key, value in partner.items():
            state[f"f_p{i}_{key}"] = value
    state["f_themes"], state["f_instruments"] = form["themes"], form["instruments"]
    state["f_keywords"] = form["keywords"]
    state["f_countries"] = form["intervention_countries"]
    state["f_stage"] = form["stage"]
    state["f_amount_min"], state["f_amount_max"] = form["amount_min"], form["amount_max"]
    share = form["cofinancing_available"]
    state["f_cofinancing"] = None if share is None else round(float(share) * 100)
    state["f_extra"] = form["extra"]
    state["profile"] = profile
    state["results_page"] = 1


def _load_partnership() -> None:
    pid = state.get("partnership_id")
    profile = resources.partnership_profile(pid, viewer) if pid else None
    if profile is not None:
        fill_form(profile)


def _ensure_partnership() -> int:
    """The saved partnership for the profile on screen (saved now if it was not), owned by the
    signed-in lead (staff save for whoever the partnership already belongs to)."""
    pid = state.get("partnership_id") or None
    with resources.write() as session:
        if pid:
            check_access(session, pid, viewer)
        saved = save_partnership(
            session, state["profile"], partnership_id=pid, owner_email=viewer.email
        )
        pid = saved.id
    resources._partnerships.clear()
    state["pending_partnership"] = pid
    return pid


def _hide(opportunity_id: str) -> None:
    pid = _ensure_partnership()
    with resources.write() as session:
        hide(session, pid, opportunity_id)


def _restore(opportunity_id: str) -> None:
    with resources.write() as session:
        check_access(session, state["partnership_id"], viewer)
        restore(session, state["partnership_id"], opportunity_id)


def _follow(opportunity_id: str) -> None:
    pid = _ensure_partnership()
    with resources.write() as session:
        if watched_call(session, pid, opportunity_id) is None:
            watch(session, pid, opportunity_id)
    st.toast(t("followed_toast", lang))


# A partnership saved earlier (also ?partnership=ID), or a new profile --------------------------

if "pending_partnership" in state:
    state["partnership_id"] = state.pop("pending_partnership")
saved = dict(resources.partnerships(viewer))
if "partnership_id" not in state:
    asked = st.query_params.get("partnership")
    state["partnership_id"] = int(asked) if asked and asked.isdigit() and int(asked) in saved else 0
    if state["partnership_id"]:
        _load_partnership()
if state["partnership_id"] not in saved:  # signed out, or another lead's
    state["partnership_id"] = 0
if saved:
    st.selectbox(
        t("partnership", lang),
        [0, *saved],
        key="partnership_id",
        on_change=_load_partnership,
        format_func=lambda pid: t("new_partnership", lang) if not pid else saved.get(pid, str(pid)),
    )
elif not viewer.email and not viewer.staff:
    st.caption(t("try_without_account", lang))


def _on_upload() -> None:
    """A profile file replaces the form's content (and leaves the saved partnership)."""
    uploaded = state.get("profile_file")
    if uploaded is None:
        return
    try:
        loaded = finder.read_profile(uploaded.getvalue())
    except ProfileError as exc:
        state["upload_message"] = (
            "error",
            t("profile_invalid", lang)
            + " "
            + (
                json_error_text(exc.json_error, lang)
                if exc.json_error
                else (" ; " if lang == "fr" else "; ").join(
                    problem_text(where, why, lang) for where, why in exc.problems
                )
            ),
        )
    else:
        state["partnership_id"] = 0
        fill_form(loaded)
        state["upload_message"] = (
            "success",
            t("profile_loaded", lang, name=loaded.get("name", "")),
        )


st.file_uploader(
    t("load_profile", lang),
    type=["json"],
    key="profile_file",
    on_change=_on_upload,
    help=t("load_profile_help", lang),
)
if "upload_message" in state:
    kind, text = state.pop("upload_message")
    (st.error if kind == "error" else st.success)(text)

# The profile form ---------------------------------------------------------------------------

MAX_PARTNERS = 12


def _add_partner() -> None:
    state["f_partner_count"] = min(MAX_PARTNERS, state.get("f_partner_count", 1) + 1)


with st.expander(t("profile", lang), expanded="profile" not in state):
    state.setdefault("f_partner_count", 1)
    count = state["f_partner_count"]
    with st.form("profile_form"):
        st.text_input(t("profile_name", lang), key="f_name")
        st.text_area(t("project", lang), key="f_project", height=80)
        st.markdown(f"**{t('partners', lang)}**")
        for i in range(int(count)):
            c1, c2, c3, c4, c5 = st.columns([3, 2, 1, 2, 1])
            c1.text_input(t("partner_name", lang), key=f"f_p{i}_name")
            kinds = ["", *finder.PARTNER_TYPES]  # blank: a row left empty is no partner
            current = state.get(f"f_p{i}_type")
            if current and current not in kinds:
                kinds.append(current)
            c2.selectbox(
                t("partner_type", lang),
                kinds,
                key=f"f_p{i}_type",
                format_func=lambda k: word("applicant_type", k, lang),
            )
            c3.text_input(t("partner_country", lang), key=f"f_p{i}_country")
            c4.text_input(t("partner_region", lang), key=f"f_p{i}_region")
            c5.selectbox(
                t("partner_role", lang),
                ["", *finder.ROLES],
                key=f"f_p{i}_role",
                format_func=lambda r: word("role", r, lang),
            )
        st.form_submit_button(
            t("add_partner", lang), on_click=_add_partner, disabled=count >= MAX_PARTNERS
        )
        themes = sorted(set(finder.theme_names()) | set(state.get("f_themes") or ()))
        st.multiselect(
            t("themes", lang),
            themes,
            key="f_themes",
            accept_new_options=True,
            format_func=lambda th: word("theme", th, lang),
            placeholder=t("choose_or_type", lang),
        )
        st.text_input(t("keywords", lang), key="f_keywords")
        st.text_input(t("intervention_countries", lang), key="f_countries")
        c1, c2, c3 = st.columns(3)
        c1.number_input(
            t("amount_wanted_min", lang), min_value=0.0, value=None, step=1000.0, key="f_amount_min"
        )
        c2.number_input(
            t("amount_wanted_max", lang), min_value=0.0, value=None, step=1000.0, key="f_amount_max"
        )
        c3.number_input(
            t("cofinancing", lang), min_value=0, max_value=100, value=None, key="f_cofinancing"
        )
        c1, c2 = st.columns(2)
        c1.selectbox(
            t("stage", lang),
            [None, *finder.STAGES],
            key="f_stage",
            format_func=lambda s: word("stage", s, lang),
        )
        instruments = sorted(set(finder.INSTRUMENTS) | set(state.get("f_instruments") or ()))
        c2.multiselect(
            t("instruments", lang),
            instruments,
            key="f_instruments",
            format_func=lambda i: word("instrument", i, lang),
            placeholder=t("choose", lang),
        )
        submitted = st.form_submit_button(t("find", lang), type="primary")

if submitted:
    share = state.get("f_cofinancing")
    candidate = finder.profile_from_form(
        {
            "name": state.get("f_name"),
            "project": state.get("f_project"),
            "partners": [
                {key: state.get(f"f_p{i}_{key}") for key in finder.PARTNER_FIELDS}
                for i in range(int(count))
            ],
            "extra": state.get("f_extra"),
            "themes": state.get("f_themes"),
            "keywords": state.get("f_keywords"),
            "intervention_countries": state.get("f_countries"),
            "stage": state.get("f_stage"),
            "amount_min": state.get("f_amount_min"),
            "amount_max": state.get("f_amount_max"),
            "cofinancing_available": None if share is None else share / 100,
            "instruments": state.get("f_instruments"),
        }
    )
    try:
        parse_profile(candidate)
    except ProfileError as exc:
        st.error(t("profile_invalid", lang))
        for where, why in exc.problems:
            st.error(problem_text(where, why, lang))
    else:
        state["profile"], state["results_page"] = candidate, 1

profile = state.get("profile")
if profile is None:
    st.info(t("fill_profile", lang))
    st.stop()

c1, c2 = st.columns(2)
c1.download_button(
    t("download_profile", lang),
    finder.profile_json(profile).encode(),
    key="download_profile",
    file_name=f"{(profile.get('name') or 'profile').replace('/', '-')}.json",
    mime="application/json",
)
can_save = bool(viewer.email or viewer.staff)
if can_save and c2.button(t("save_partnership", lang), key="save_partnership"):
    try:
        _ensure_partnership()
    except PartnershipNameTaken:
        st.error(t("name_taken", lang, name=profile.get("name", "")))
    else:
        st.toast(t("saved", lang))
        st.rerun()

# Results ------------------------------------------------------------------------------------

# Ineligible calls are ranked only when the verdict filter below asks for them (the one list).
rows = resources.ranked(profile, today, lang, "ineligible" in (state.get("flt_verdict") or ()))
pid = state.get("partnership_id")
with resources.read() as session:
    hidden = hidden_ids(session, pid) if pid else set()
    followed = {w.opportunity_id for w in watchlist(session, pid)} if pid else set()
    hidden_titles = finder.hidden_calls(session, hidden)
choices = finder.facets(rows)

with st.expander(t("filters", lang)):
    c1, c2, c3, c4 = st.columns(4)
    statuses = c1.multiselect(
        t("status", lang),
        list(STATUSES),
        key="flt_status",
        format_func=lambda s: t(s, lang),
        placeholder=t("choose", lang),
    )
    verdicts = c2.multiselect(
        t("verdict", lang),
        list(finder.VERDICTS),
        key="flt_verdict",
        default=["eligible", "to_verify"],
        format_func=lambda v: t(v, lang),
    )
    window = c3.selectbox(
        t("deadline_window", lang),
        WINDOWS,
        key="flt_window",
        format_func=lambda d: t("any_time", lang) if d is None else t("days", lang, n=d),
    )
    sort = c4.radio(
        t("sort_by", lang),
        ["score", "deadline"],
        key="flt_sort",
        horizontal=True,
        format_func=lambda s: t(s, lang),
    )
    c1, c2, c3, c4 = st.columns(4)
    instruments = c1.multiselect(
        t("instrument", lang),
        choices["instrument"],
        key="flt_instrument",
        format_func=lambda i: word("instrument", i, lang),
        placeholder=t("choose", lang),
    )
    funders = c2.multiselect(
        t("funder", lang), choices["funder"], key="flt_funder", placeholder=t("choose", lang)
    )
    sources = c3.multiselect(
        t("source", lang),
        choices["source"],
        key="flt_source",
        format_func=lambda so: word("source", so, lang),
        placeholder=t("choose", lang),
    )
    languages = c4.multiselect(
        t("languages", lang),
        choices["language"],
        key="flt_language",
        format_func=lambda la: word("language", la, lang),
        placeholder=t("choose", lang),
    )
    c1, c2, _ = st.columns([1, 1, 2])
    low = c1.number_input(
        t("amount_range", lang) + " ≥",
        min_value=0.0,
        value=None,
        step=10000.0,
        key="flt_amount_min",
    )
    high = c2.number_input(
        t("amount_range", lang) + " ≤",
        min_value=0.0,
        value=None,
        step=10000.0,
        key="flt_amount_max",
    )

filters = finder.Filters(
    statuses=statuses,
    verdicts=verdicts,
    within_days=window,
    instruments=instruments,
    funders=funders,
    sources=sources,
    amount_min=low,
    amount_max=high,
    languages=languages,
    sort=sort,
)
shown = finder.apply_filters(rows, filters, hidden=hidden)
st.subheader(t("results", lang))
st.caption(t("results_count", lang, count=len(shown), total=len(rows)))

if not shown:
    st.info(t("no_results", lang))
pages = max(1, -(-len(shown) // PAGE_SIZE))
if pages > 1:
    page = st.number_input("Page", 1, pages, key="results_page")
else:
    page = 1
for row in shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
    with st.container(border=True, key=f"result_{row['id']}"):
        st.markdown(f"**{common.esc(row['title'])}**")
        deadline = row["deadline_label"] or (t("permanent", lang) if row["permanent"] else "—")
        facts = [
            common.verdict_badge(row["verdict"], lang),
            f"{t('score', lang)} **{row['score']:.0f}**",
            common.esc(row["funder"] or "—"),
            f"{common.label('amount', lang)}{common.esc(row['amount_label'] or '—')}",
            f"{common.label('deadline', lang)}{common.esc(deadline)} {common.days_label(row['days_left'], lang)}",
            f"{common.label('source', lang)}{common.esc(word('source', row['source'], lang) or '—')}",
        ]
        st.markdown(" · ".join(facts))
        with st.expander(t("explanation", lang)):
            common.table(
                [
                    {
                        t("criterion", lang): word("criterion", c["criterion"], lang),
                        t("result", lang): t(c["result"], lang)
                        if c["result"] != "unknown"
                        else "? " + t("unknown", lang),
                        t("explanation", lang): c["explanation"],
                        t("evidence", lang): c["evidence"] or "",
                    }
                    for c in row["criteria"]
                ]
            )
        c1, c2, c3, c4 = st.columns(4)
        if can_save:
            c1.button(t("hide", lang), key=f"hide_{row['id']}", on_click=_hide, args=(row["id"],))
            if row["id"] in followed:
                c2.button(t("following", lang), key=f"followed_{row['id']}", disabled=True)
            else:
                c2.button(
                    t("follow", lang),
                    key=f"follow_{row['id']}",
                    on_click=_follow,
                    args=(row["id"],),
                )
        c3.page_link(
            "views/opportunity.py", label=t("details", lang), query_params={"id": row["id"]}
        )
        if common.safe_url(row["url"]):
            c4.link_button(t("apply", lang), row["url"])

if hidden_titles:
    with st.expander(t("hidden_calls", lang, n=len(hidden_titles))):
        for opportunity_id, title in hidden_titles:
            c1, c2 = st.columns([4, 1])
            c1.text(title)
            c2.button(
                t("restore", lang),
                key=f"restore_{opportunity_id}",
                on_click=_restore,
                args=(opportunity_id,),
            )

partners.section(profile, None, lang, key="partners_find_csv")
