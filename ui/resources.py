"""Cached, bounded access to the database for the pages (keyed by database URL)."""

from datetime import date

import streamlit as st
from sqlmodel import Session

from funding.db import make_engine
from funding.presentation import find_opportunities
from funding.settings import get_settings
from funding.store import count_opportunities


@st.cache_resource(max_entries=4)
def _engine(url: str):
    return make_engine(url)


def engine():
    return _engine(get_settings().resolved_database_url)


@st.cache_data(ttl=60, max_entries=256)
def _opportunities(url: str, query: str, status: str | None, as_of: date, lang: str) -> list[dict]:
    with Session(_engine(url)) as session:
        return find_opportunities(session, query=query, status=status, as_of=as_of, lang=lang)


def opportunities(query: str, status: str | None, as_of: date, lang: str) -> list[dict]:
    return _opportunities(get_settings().resolved_database_url, query, status, as_of, lang)


@st.cache_data(ttl=60, max_entries=4)
def _total(url: str) -> int:
    with Session(_engine(url)) as session:
        return count_opportunities(session)


def total() -> int:
    return _total(get_settings().resolved_database_url)
