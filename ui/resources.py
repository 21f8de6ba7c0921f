"""Cached, bounded access to the database for the pages (keyed by database URL).

The engine is a cache_resource; read queries are cache_data with a time-to-live and a bounded
number of entries. Writes go through `write()` and clear the caches they make stale. The domain
modules are imported where they are used, so a page loads only what it needs (icalendar, the
matching engine, dateparser... cost up to a second of imports on a fresh server).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import streamlit as st
from sqlmodel import Session

from funding.access.partnerships import Viewer, check_access, visible_partnerships
from funding.settings import get_settings
from funding.store.db import make_engine, session_scope
from funding.store.models import Partnership


# Load once: one engine, and so one connection pool, per database URL (not a performance cache).
@st.cache_resource(max_entries=4)
def _engine(url: str):
    return make_engine(url)


def _url() -> str:
    return get_settings().resolved_database_url


def engine():
    return _engine(_url())


@contextmanager
def read() -> Iterator[Session]:
    with Session(engine()) as session:
        yield session


@contextmanager
def write(*stale) -> Iterator[Session]:
    """A transaction; the cached functions given are cleared once it commits."""
    with session_scope(engine()) as session:
        yield session
    for cached in stale:
        cached.clear()


# The public list ---------------------------------------------------------------------------


# Kept: `python -m benchmarks.ui_benchmark --records 100000` (docs/benchmarks.md, interface): the
# list page takes 35–61 ms with its query, which a rerun (every click) skips.
@st.cache_data(ttl=60, max_entries=256, show_spinner=False)
def _opportunities(url: str, query: str, status: str | None, as_of: date, lang: str) -> list[dict]:
    from funding.views.presentation import find_opportunities

    with Session(_engine(url)) as session:
        return find_opportunities(session, query=query, status=status, as_of=as_of, lang=lang)


def opportunities(query: str, status: str | None, as_of: date, lang: str) -> list[dict]:
    return _opportunities(_url(), query, status, as_of, lang)


@st.cache_data(ttl=60, max_entries=4, show_spinner=False)
def _total(url: str) -> int:
    from funding.store.opportunities import count_opportunities

    with Session(_engine(url)) as session:
        return count_opportunities(session)


def total() -> int:
    return _total(_url())


# Kept: `python -m benchmarks.ui_benchmark --records 100000` (docs/benchmarks.md, interface): the
# freshness line is 17 ms of every page's first run (issue 12), skipped on a rerun.
@st.cache_data(ttl=300, max_entries=8, show_spinner=False)
def _freshness(url: str, as_of: date) -> dict[str, Any]:
    from funding.views.presentation import freshness

    with Session(_engine(url)) as session:
        return freshness(session, as_of=as_of)


def freshness(as_of: date) -> dict[str, Any]:
    """The last day a call was seen, how many calls, how many closed (the sidebar's line)."""
    return _freshness(_url(), as_of)


# Find funding ------------------------------------------------------------------------------


# Kept: `python -m benchmarks.ui_benchmark --records 100000` (docs/benchmarks.md, interface):
# loading a profile (it is ranked) 320–350 ms, a rerun with the ranking cached 38–205 ms.
@st.cache_data(ttl=300, max_entries=64, show_spinner=False)
def _ranked(
    url: str, key: str, _profile: dict, as_of: date, lang: str, include_ineligible: bool
) -> list[dict[str, Any]]:
    from funding.views import finder

    with Session(_engine(url)) as session:
        return finder.ranked(
            session, _profile, as_of=as_of, lang=lang, include_ineligible=include_ineligible
        )


def ranked(
    profile: dict, as_of: date, lang: str, include_ineligible: bool = False
) -> list[dict[str, Any]]:
    """Ranked calls for a profile, the ineligible ones only when asked for (as `funding match
    --include-ineligible`); equal profiles (by their JSON) share one cache entry."""
    from funding.views import finder

    return _ranked(_url(), finder.profile_key(profile), profile, as_of, lang, include_ineligible)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def _partnerships(url: str, viewer: Viewer) -> list[tuple[int, str]]:
    with Session(_engine(url)) as session:
        return visible_partnerships(session, viewer)


def partnerships(viewer: Viewer) -> list[tuple[int, str]]:
    """The partnerships this viewer may open (staff: all; a lead: theirs; anonymous: none)."""
    return _partnerships(_url(), viewer)


def partnership_profile(partnership_id: int, viewer: Viewer) -> dict | None:
    with read() as session:
        check_access(session, partnership_id, viewer)
        found = session.get(Partnership, partnership_id)
        return dict(found.profile) if found is not None else None


# One call -----------------------------------------------------------------------------------


@st.cache_data(ttl=60, max_entries=256, show_spinner=False)
def _details(url: str, opportunity_id: str, as_of: date, lang: str) -> dict | None:
    from funding.views import details

    with Session(_engine(url)) as session:
        return details.opportunity_details(
            session, opportunity_id, as_of=as_of, lang=lang, similar=0
        )


def opportunity(opportunity_id: str, as_of: date, lang: str) -> dict | None:
    """The call without its similar calls (those come from `similar`, drawn after the rest)."""
    return _details(_url(), opportunity_id, as_of, lang)


# Kept: `python -m benchmarks.ui_benchmark --records 100000` (docs/benchmarks.md, interface): a
# call's similar calls take 28–52 ms (round 2), skipped on every rerun of its page.
@st.cache_data(ttl=300, max_entries=256, show_spinner=False)
def _similar(url: str, opportunity_id: str) -> list[dict]:
    from funding.views import details

    with Session(_engine(url)) as session:
        return details.similar_calls(session, opportunity_id)


def similar(opportunity_id: str) -> list[dict]:
    """Calls like this one: a full-text query over every call (0.5-1 s at 100,000), cached apart."""
    return _similar(_url(), opportunity_id)


@st.cache_data(ttl=300, max_entries=256, show_spinner=False)
def _awards(url: str, opportunity_id: str, as_of: date, lang: str) -> dict | None:
    from funding.awards.view import call_awards

    with Session(_engine(url)) as session:
        return call_awards(session, opportunity_id, as_of=as_of, lang=lang)


def awards(opportunity_id: str, as_of: date, lang: str) -> dict | None:
    """What the call's topic funded before, and its next edition (None: not an EU topic)."""
    return _awards(_url(), opportunity_id, as_of, lang)


# Kept: `python -m benchmarks.awards_benchmark` (full CORDIS data): a partner query takes 61–69 ms
# once the index is loaded, skipped on every rerun.
@st.cache_data(ttl=300, max_entries=64, show_spinner=False)
def _partners(url: str, profile_json: str, call_id: str | None, lang: str) -> tuple[list, str]:
    import json

    from funding.awards.view import partner_rows

    with Session(_engine(url)) as session:
        return partner_rows(session, json.loads(profile_json), call_id=call_id, lang=lang)


def partners(profile: dict, call_id: str | None, lang: str) -> tuple[list[dict], str]:
    """Potential partners for a profile (and a call), as rows and CSV."""
    import json

    return _partners(_url(), json.dumps(profile, sort_keys=True, default=str), call_id, lang)


@st.cache_data(ttl=300, max_entries=4, show_spinner=False)
def _ecosystem(url: str, lang: str) -> list[dict]:
    from funding.awards.view import ecosystem

    with Session(_engine(url)) as session:
        return ecosystem(session, lang=lang)


def ecosystem(lang: str) -> list[dict]:
    """Organisations near the incubator and their funded projects."""
    return _ecosystem(_url(), lang)


@st.cache_data(ttl=300, max_entries=256, show_spinner=False)
def _next_edition(url: str, opportunity_id: str, as_of: date, lang: str) -> str | None:
    from funding.awards.view import next_edition_sentence

    with Session(_engine(url)) as session:
        return next_edition_sentence(session, opportunity_id, as_of=as_of, lang=lang)


def next_edition(opportunity_id: str, as_of: date, lang: str) -> str | None:
    """The forecast of a call's next edition, in words (None without one)."""
    return _next_edition(_url(), opportunity_id, as_of, lang)


# Watchlist (small per-partnership queries on indexed columns: not cached) ------------------


def watched(partnership_id: int, as_of: date, lang: str) -> list[dict[str, Any]]:
    from funding.views import calendar

    with read() as session:
        return calendar.watched_rows(session, partnership_id, as_of=as_of, lang=lang)


# Monitor -------------------------------------------------------------------------------------


# Kept: `python -m benchmarks.ui_benchmark --records 100000` (docs/benchmarks.md, interface): the
# monitor's dashboards 268–292 ms cold, a rerun with them cached 29–43 ms.
@st.cache_data(ttl=60, max_entries=16, show_spinner=False)
def _dashboard(url: str, now: datetime, as_of: date, lang: str) -> dict[str, Any]:
    from funding.views import monitor

    with Session(_engine(url)) as session:
        return {
            "new": monitor.new_calls(session, now=now, as_of=as_of, lang=lang),
            "changed": monitor.changed_calls(session, now=now, as_of=as_of, lang=lang),
            "closing": monitor.closing_calls(session, as_of=as_of, lang=lang),
            "per_week": monitor.new_per_week(session, now=now),
            "health": monitor.source_health(session, lang=lang),
        }


def dashboard(now: datetime, as_of: date, lang: str) -> dict[str, Any]:
    """The staff dashboard; `now` is rounded to the minute by callers so the cache is shared."""
    return _dashboard(_url(), now, as_of, lang)


@st.cache_data(ttl=30, max_entries=16, show_spinner=False)
def _queue(
    url: str, field: str | None, source: str | None, offset: int, size: int
) -> dict[str, Any]:
    from funding.views import monitor

    with Session(_engine(url)) as session:
        return {
            "sizes": monitor.queue_sizes(session),
            "kinds": monitor.proposed_kinds(session),
            "matching": monitor.proposed_count(session, field=field, source=source),
            "extractions": monitor.proposed_extractions(
                session, field=field, source=source, offset=offset, limit=size
            ),
            "duplicates": monitor.suggested_merges(session),
            "reports": monitor.open_reports(session),
        }


def review_queue(
    field: str | None = None, source: str | None = None, offset: int = 0, size: int = 20
) -> dict[str, Any]:
    """The review queue; its values read from text one page at a time, filtered by field and source."""
    return _queue(_url(), field, source, offset, size)


def clear_monitor() -> None:
    for cached in (_queue, _dashboard, _details, _similar, _opportunities, _ranked, _total):
        cached.clear()
