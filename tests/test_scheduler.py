"""The scheduler: jobs and triggers from the configuration, kept in the database across a restart,
a crawl job that really crawls (its own process), staff alerted once when a source is flagged."""

import os
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlmodel import Session, select

from funding import scheduler
from funding.cli import main
from funding.harvest.sources import SourceDeclaration
from funding.settings import get_settings
from funding.store.db import get_engine, make_engine, upgrade
from funding.store.models import SourceRun
from tests.crawlers.conftest import SediaServer
from tests.digests.conftest import SMTPServer

SOURCES = {
    "eu_sedia": SourceDeclaration(name="eu_sedia", kind="spider", schedule="daily"),
    "grants_gov": SourceDeclaration(name="grants_gov", kind="spider", schedule="0 3 * * 1-5"),
    "feed": SourceDeclaration(name="feed", kind="rss", schedule="hourly"),
    "off": SourceDeclaration(name="off", kind="spider", enabled=False),
}
PARIS_MONDAY = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # a Sunday


def _started(engine):
    s = scheduler.build_scheduler(engine=engine)
    s.start(paused=True)
    return s


def test_jobs_and_their_triggers(engine):
    s = _started(engine)
    try:
        ids = scheduler.register_jobs(s, sources=SOURCES)
        assert set(ids) == {
            "crawl:eu_sedia",
            "crawl:grants_gov",
            "crawl:feed",
            "digest:weekly",
            "digest:daily",
            "reminders",
            "source_alerts",
        }
        jobs = {j.id: j for j in s.get_jobs()}
        for job in jobs.values():  # a real grace time, one at a time, missed runs coalesced
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)
        assert jobs["crawl:eu_sedia"].func_ref == "funding.scheduler:crawl_job"
        assert jobs["crawl:eu_sedia"].args == ("eu_sedia",)
        daily = jobs["crawl:eu_sedia"].trigger
        assert "hour='5'" in str(daily) and daily.jitter == 1800
        assert str(daily.timezone) == "Europe/Paris"
        weekdays = jobs["crawl:grants_gov"].trigger
        assert "day_of_week='1-5'" in str(weekdays) and "hour='3'" in str(weekdays)
        assert jobs["crawl:feed"].trigger.interval == timedelta(hours=1)
        weekly = jobs["digest:weekly"].trigger
        fire = weekly.get_next_fire_time(None, PARIS_MONDAY)
        assert (fire.weekday(), fire.hour, fire.minute, str(fire.tzinfo)) == (
            0,
            7,
            0,
            "Europe/Paris",
        )
        assert fire.date().isoformat() == "2026-03-02"
        assert jobs["reminders"].func_ref == "funding.scheduler:reminder_job"
        assert jobs["source_alerts"].func_ref == "funding.scheduler:source_alert_job"
        # a source no longer enabled loses its job
        scheduler.register_jobs(s, sources={"eu_sedia": SOURCES["eu_sedia"]})
        assert "crawl:grants_gov" not in {j.id for j in s.get_jobs()}
    finally:
        s.shutdown(wait=False)


def test_jobs_persist_across_a_restart(database_url):
    url = database_url
    engine = make_engine(url)
    upgrade(engine)
    first = _started(engine)
    scheduler.register_jobs(first, sources=SOURCES)
    before = {j.id: (j.next_run_time, str(j.trigger)) for j in first.get_jobs()}
    first.shutdown(wait=False)
    engine.dispose()
    second = _started(make_engine(url))  # another process, same database, nothing registered
    try:
        after = {j.id: (j.next_run_time, str(j.trigger)) for j in second.get_jobs()}
        assert after == before and len(after) == 7
    finally:
        second.shutdown(wait=False)


def test_schedule_list_prints_every_job_and_its_next_run(database_url):
    result = CliRunner().invoke(main, ["schedule", "--list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("crawl:eu_sedia") and "cron[" in line for line in lines)
    weekly = next(line for line in lines if line.startswith("digest:weekly"))
    assert "07:00" in weekly and "day_of_week='mon'" in weekly
    assert {line.split()[0] for line in lines} >= {"reminders", "source_alerts", "digest:daily"}


def test_a_crawl_job_spawns_its_crawl(database_url, monkeypatch):
    server = SediaServer()
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for name, value in {
            "FUNDING_CRAWL_BASE_URLS": f'{{"eu_sedia": "{server.url}"}}',
            "FUNDING_CRAWL_DELAY": "0",
            "FUNDING_CRAWL_AUTOTHROTTLE": "false",
            "FUNDING_HTTPCACHE_ENABLED": "false",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        upgrade(get_engine())
        assert scheduler.crawl_job("eu_sedia") == 0
        with Session(get_engine()) as session:
            run = session.exec(select(SourceRun).where(SourceRun.source == "eu_sedia")).one()
        assert run.status == "ok" and run.inserted == 12
        assert server.searches()  # the crawl process really asked the (mirror) funder
        assert run.source == "eu_sedia" and os.getpid()  # it ran in another process
    finally:
        server.shutdown()
        server.server_close()


def test_staff_are_alerted_once_when_a_source_is_flagged(database_url, monkeypatch):
    smtp = SMTPServer().start()
    try:
        monkeypatch.setenv("FUNDING_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("FUNDING_STAFF_EMAILS", "staff@example.org, lead@example.org")
        get_settings.cache_clear()
        engine = get_engine()
        upgrade(engine)
        now = datetime.now(UTC)
        with Session(engine) as session:
            session.add(
                SourceRun(
                    source="eu_sedia",
                    started_at=now,
                    finished_at=now,
                    status="ok",
                    items_seen=90,
                    flags=["items fell from 240 to 90 (-62 %)"],
                )
            )
            session.add(
                SourceRun(
                    source="grants_gov", started_at=now, finished_at=now, status="ok", items_seen=12
                )
            )
            session.commit()
        assert scheduler.source_alert_job() == 1
        assert scheduler.source_alert_job() == 0
        [alert] = smtp.inbox.messages
        assert "eu_sedia" in alert["Subject"] and "items fell from 240 to 90" in alert.get_content()
        assert "staff@example.org" in alert["To"] and "lead@example.org" in alert["To"]
    finally:
        smtp.stop()
