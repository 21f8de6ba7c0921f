"""Source health: the 0003 migration, fill rates, flags from SourceRun rows, `funding sources`."""

from datetime import UTC, datetime, timedelta

from alembic import command
from click.testing import CliRunner
from sqlalchemy import inspect
from sqlmodel import Session

from funding.cli import main
from funding.harvest import crawl as harvest
from funding.settings import get_settings
from funding.store.db import _head_revision, alembic_config, current_revision, get_engine, upgrade
from funding.store.health import FillCounter, assess, format_day
from funding.store.models import SourceRun
from funding.store.opportunities import finish_run, start_run

HEALTH_COLUMNS = {"duration_seconds", "errors", "fill_rates", "flags"}
GOOD_DAY = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)


def _columns(engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("source_run")}


def test_migration_upgrades_from_empty_and_downgrades(engine):
    assert current_revision(engine) == _head_revision() and HEALTH_COLUMNS <= _columns(engine)
    command.downgrade(alembic_config(engine), "0002")
    assert current_revision(engine) == "0002" and not HEALTH_COLUMNS & _columns(engine)
    upgrade(engine)
    assert HEALTH_COLUMNS <= _columns(engine)


def _good_run(session, source="afd", items=240, fill=None, day=GOOD_DAY) -> SourceRun:
    run = SourceRun(
        source=source,
        started_at=day - timedelta(minutes=2),
        finished_at=day,
        status="ok",
        items_seen=items,
        inserted=items,
        fill_rates=fill,
    )
    session.add(run)
    session.flush()
    return run


def _finish(session, items, *, status="ok", message=None, fill=None, source="afd") -> SourceRun:
    run = start_run(session, source, kind="html")
    return finish_run(
        session,
        run,
        counts={"items_seen": items, "inserted": items},
        status=status,
        message=message,
        errors=2,
        fill_rates=fill,
    )


def test_a_healthy_run_has_no_flags_and_records_duration_and_errors(session):
    _good_run(session, fill={"deadlines": 0.9, "applicant_types": 0.4, "amount": 0.7})
    run = _finish(session, 230, fill={"deadlines": 0.88, "applicant_types": 0.4, "amount": 0.6})
    assert run.flags is None and run.errors == 2
    assert run.duration_seconds is not None and 0 <= run.duration_seconds < 60
    session.commit()
    stored = session.get(SourceRun, run.id)
    assert stored.fill_rates == {"deadlines": 0.88, "applicant_types": 0.4, "amount": 0.6}


def test_item_count_falling_by_more_than_half(session):
    _good_run(session, items=240)
    run = _finish(session, 90)
    assert run.flags == [
        "items fell from 240 to 90 (-62 %) since the last good run on 12 mars 2026"
    ]
    # Compared with the run of 90 items, now the last good one:
    assert _finish(session, 121).flags is None


def test_a_first_run_and_another_source_are_not_compared(session):
    _good_run(session, source="bpifrance", items=500)
    assert _finish(session, 3).flags is None


def test_fill_rate_collapse(session):
    _good_run(session, fill={"deadlines": 0.93, "applicant_types": 0.3, "amount": 0.25})
    run = _finish(session, 230, fill={"deadlines": 0.12, "applicant_types": 0.15, "amount": 0.1})
    assert run.flags == [
        "deadlines filled in 12 % of items, down from 93 % since the last good run on 12 mars 2026"
    ]  # applicant types and amount fell by less than 20 points


def test_a_failed_run_is_flagged_with_its_message_and_skipped_as_reference(session):
    _good_run(session, items=240)
    failed = _finish(session, 0, status="failed", message="HTTP 503 (3x)")
    assert failed.flags == [
        "failed: HTTP 503 (3x)",
        "items fell from 240 to 0 (-100 %) since the last good run on 12 mars 2026",
    ]
    assert _finish(session, 239).flags is None  # still compared with the good run of 240


def test_flags_are_in_english_dates_when_asked(session):
    good = _good_run(session, items=10)
    run = _finish(session, 4)
    assert "since the last good run on 12 March 2026" in assess(session, run, lang="en")[0]
    assert format_day(good.finished_at, "fr") == "12 mars 2026"


def test_fill_counter():
    counter = FillCounter()
    assert counter.rates() is None
    counter.add({"deadlines": ["2026-04-15"], "applicant_types": None, "amount_max": 5.0})
    counter.add({"deadlines": None, "applicant_types_raw": ["Associations"], "total_budget": None})
    counter.add({"deadlines": [], "applicant_types": ["ngo"], "amount_min": 1.0})
    assert counter.rates() == {"deadlines": 0.333, "applicant_types": 0.667, "amount": 0.667}


def test_funding_sources_prints_every_source_with_its_last_run(tmp_path, monkeypatch, database_url):
    path = tmp_path / "sources.toml"
    path.write_text(
        '[eu_sedia]\nkind = "spider"\n[grants_gov]\nkind = "spider"\n'
        '[afd]\nkind = "html"\nunverified = true\nurl = "https://www.afd.fr/fr/appels-a-projets/liste"\n'
        'listing = "a::attr(href)"\nfields.title = "h1 ::text"\n',
        "utf-8",
    )
    monkeypatch.setenv("FUNDING_SOURCES_FILE", str(path))
    monkeypatch.setattr(harvest, "spider_names", lambda: ["eu_sedia", "grants_gov"])
    get_settings.cache_clear()
    engine = get_engine()
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        _good_run(session, source="eu_sedia", items=240)
        run = _finish(
            session,
            90,
            source="eu_sedia",
            fill={"deadlines": 1.0, "applicant_types": 0.0, "amount": 0.5},
        )
        _finish(session, 0, status="failed", message="no items returned", source="afd")
        _finish(session, 5, source="import")
        session.commit()
    result = CliRunner().invoke(main, ["sources"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:6] == ["source", "kind", "enabled", "last", "run", "(UTC)"]
    eu = lines[1].split()
    assert eu[:3] == ["eu_sedia", "spider", "yes"] and eu[5:12] == [
        "ok",
        "90",
        "90",
        "0",
        "0",
        "0",
        "2",
    ]
    assert lines[1].endswith("100 %/0 %/50 %")
    assert run.started_at.strftime("%Y-%m-%d %H:%M") in lines[1]
    assert (
        lines[2]
        == "    ! items fell from 240 to 90 (-62 %) since the last good run on 12 mars 2026"
    )
    assert lines[3].split() == ["grants_gov", "spider", "yes", "never"]
    assert lines[4].split()[:4] == ["afd", "html", "no", "(unverified)"] and " failed " in lines[4]
    assert lines[5] == "    ! failed: no items returned"
    assert lines[6].split()[:3] == ["import", "(not", "declared)"]
    assert lines[-1] == "4 sources, 2 flagged"
