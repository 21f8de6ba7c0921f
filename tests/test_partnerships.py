"""Saved partnerships, hidden calls, watched calls and reports."""

import pytest

from funding.access.partnerships import (
    hidden_ids,
    hide,
    open_reports,
    report_call,
    restore,
    save_partnership,
    unwatch,
    watch,
    watchlist,
)
from funding.matching import ProfileError

PROFILE = {"name": "Eau Sahel", "partners": [{"type": "ONG", "country": "FR", "role": "lead"}]}


def test_save_then_update_a_partnership(session):
    saved = save_partnership(session, PROFILE)
    again = save_partnership(session, {**PROFILE, "name": "Eau Sahel 2"}, partnership_id=saved.id)
    assert again.id == saved.id and again.name == "Eau Sahel 2"
    with pytest.raises(ProfileError, match=r"partners\[0\]\.type"):
        save_partnership(session, {"name": "x", "partners": [{"country": "FR"}]})


def test_hide_restore_watch_and_report(session):
    partnership = save_partnership(session, PROFILE)
    hide(session, partnership.id, "eu_sedia:a")
    hide(session, partnership.id, "eu_sedia:a")
    assert hidden_ids(session, partnership.id) == {"eu_sedia:a"}
    restore(session, partnership.id, "eu_sedia:a")
    assert hidden_ids(session, partnership.id) == set()
    watch(session, partnership.id, "eu_sedia:b")
    watch(session, partnership.id, "eu_sedia:b", stage="submitted", notes="sent on time")
    (watched,) = watchlist(session, partnership.id)
    assert (watched.stage, watched.notes) == ("submitted", "sent on time")
    with pytest.raises(ValueError, match="stage must be one of"):
        watch(session, partnership.id, "eu_sedia:b", stage="dreaming")
    unwatch(session, partnership.id, "eu_sedia:b")
    assert watchlist(session, partnership.id) == []
    report_call(session, "eu_sedia:b", "La date limite a changé")
    assert [r.message for r in open_reports(session)] == ["La date limite a changé"]
