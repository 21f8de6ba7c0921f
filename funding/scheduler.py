"""The one scheduler process (APScheduler 3): a crawl per source as its own process, digests,
deadline reminders and staff alerts, its jobs kept in the database. The UI never starts it."""

import logging
import subprocess
import sys
from datetime import datetime
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from funding.settings import Settings, get_settings

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
# A job that could not start on time (the process was down, the pool busy) still runs within an
# hour, once (coalesce), never two at a time; APScheduler's default grace of 1 s skips it silently.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
CRAWL_JITTER = 1800  # seconds: daily, weekly and monthly crawls spread over half an hour
HOURLY_JITTER = 300
REMINDER_CRON = "30 7 * * *"
ALERT_MINUTES = 15
CRAWL_TIMEOUT = 6 * 3600  # seconds before a crawl process is stopped
CRAWL_PREFIX = "crawl:"


def crawl_trigger(schedule: str, settings: Settings | None = None) -> BaseTrigger:
    """A source's `schedule` of sources.toml as a trigger, in FUNDING_TIMEZONE."""
    settings = settings or get_settings()
    tz, hour = settings.timezone, settings.crawl_daily_hour
    if schedule == "hourly":
        return IntervalTrigger(hours=1, jitter=HOURLY_JITTER, timezone=tz)
    if schedule == "daily":
        return CronTrigger(hour=hour, minute=0, jitter=CRAWL_JITTER, timezone=tz)
    if schedule == "weekly":
        return CronTrigger(day_of_week="sun", hour=hour, minute=0, jitter=CRAWL_JITTER, timezone=tz)
    if schedule == "monthly":
        return CronTrigger(day=1, hour=hour, minute=0, jitter=CRAWL_JITTER, timezone=tz)
    return CronTrigger.from_crontab(schedule, timezone=tz)


def build_scheduler(
    *, engine: Engine | None = None, blocking: bool = False, settings: Settings | None = None
) -> BaseScheduler:
    """A scheduler whose jobs live in the radar's database (table apscheduler_jobs)."""
    from funding.store.db import get_engine

    settings = settings or get_settings()
    store = SQLAlchemyJobStore(engine=engine or get_engine(), tablename=JOB_TABLE)
    kind = BlockingScheduler if blocking else BackgroundScheduler
    return kind(
        jobstores={"default": store},
        executors={"default": {"type": "threadpool", "max_workers": 4}},
        job_defaults=JOB_DEFAULTS,
        timezone=settings.timezone,
    )


def planned_jobs(
    settings: Settings | None = None, sources: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every job: id, function reference, arguments, trigger and a name for people."""
    from funding.harvest.crawl import available_sources

    settings = settings or get_settings()
    tz = settings.timezone
    sources = available_sources() if sources is None else sources
    jobs = [
        {
            "id": f"{CRAWL_PREFIX}{name}",
            "func": "funding.scheduler:crawl_job",
            "args": [name],
            "trigger": crawl_trigger(source.schedule, settings),
            "name": f"crawl {name} ({source.schedule})",
        }
        for name, source in sources.items()
        if source.enabled
    ]
    jobs += [
        {
            "id": "digest:weekly",
            "func": "funding.scheduler:digest_job",
            "args": ["weekly"],
            "trigger": CronTrigger.from_crontab(settings.digest_weekly_cron, timezone=tz),
            "name": "weekly digests",
        },
        {
            "id": "digest:daily",
            "func": "funding.scheduler:digest_job",
            "args": ["daily"],
            "trigger": CronTrigger.from_crontab(settings.digest_daily_cron, timezone=tz),
            "name": "daily digests",
        },
        {
            "id": "reminders",
            "func": "funding.scheduler:reminder_job",
            "args": [],
            "trigger": CronTrigger.from_crontab(REMINDER_CRON, timezone=tz),
            "name": "deadline reminders for watched calls (14 and 3 days before)",
        },
        {
            "id": "source_alerts",
            "func": "funding.scheduler:source_alert_job",
            "args": [],
            "trigger": IntervalTrigger(minutes=ALERT_MINUTES, timezone=tz),
            "name": "staff alert when a source is flagged",
        },
    ]
    return jobs


def register_jobs(
    scheduler: BaseScheduler,
    *,
    settings: Settings | None = None,
    sources: dict[str, Any] | None = None,
) -> list[str]:
    """Bring the stored jobs in line with the configuration: add or replace each, drop crawls of
    sources no longer enabled. Safe to run at every start."""
    jobs = planned_jobs(settings, sources)
    for job in jobs:
        scheduler.add_job(
            job["func"],
            trigger=job["trigger"],
            args=job["args"],
            id=job["id"],
            name=job["name"],
            replace_existing=True,
            **JOB_DEFAULTS,
        )
    wanted = {job["id"] for job in jobs}
    for stored in scheduler.get_jobs():
        if stored.id.startswith(CRAWL_PREFIX) and stored.id not in wanted:
            scheduler.remove_job(stored.id)
    return [job["id"] for job in jobs]


def job_lines(scheduler: BaseScheduler) -> list[str]:
    """Every job and its next run, for `funding schedule --list`."""
    lines = []
    for job in sorted(scheduler.get_jobs(), key=lambda j: j.id):
        when: datetime | None = getattr(job, "next_run_time", None)
        next_run = when.strftime("%Y-%m-%d %H:%M %Z") if when else "paused"
        lines.append(f"{job.id:<32} {next_run:<24} {job.trigger}")
    return lines


# The jobs: importable functions (the job store keeps references, not code) -----------------------


def crawl_job(name: str) -> int:
    """`funding crawl NAME` as its own process (a reactor cannot restart), then staff alerts."""
    from funding.digests.send import alert_flagged_sources
    from funding.harvest.crawl import PROJECT_ROOT, crawl_environment
    from funding.store.db import get_engine

    command = [sys.executable, "-m", "funding.cli", "crawl", name]
    log.info("crawl %s: %s", name, " ".join(command))
    try:
        process = subprocess.run(
            command, cwd=PROJECT_ROOT, env=crawl_environment(), timeout=CRAWL_TIMEOUT, check=False
        )
        code = process.returncode
    except subprocess.TimeoutExpired:
        log.error("crawl %s stopped after %s s", name, CRAWL_TIMEOUT)
        code = -1
    alert_flagged_sources(get_engine())
    return code


def digest_job(frequency: str) -> str:
    from funding.digests.send import send_due
    from funding.store.db import get_engine, upgrade

    engine = get_engine()
    upgrade(engine)
    report = send_due(engine, frequency=frequency)
    log.info("%s digests: %s", frequency, report.summary())
    return report.summary()


def reminder_job() -> str:
    from funding.digests.send import send_due
    from funding.store.db import get_engine

    report = send_due(get_engine(), kind="reminder")
    log.info("reminders: %s", report.summary())
    return report.summary()


def source_alert_job() -> int:
    from funding.digests.send import alert_flagged_sources
    from funding.store.db import get_engine

    return alert_flagged_sources(get_engine())


def synced(*, engine: Engine | None = None, settings: Settings | None = None) -> BaseScheduler:
    """A paused scheduler on the job store with the jobs brought up to date (the caller shuts it
    down): what `funding schedule --list` shows and what `funding schedule` then runs."""
    scheduler = build_scheduler(engine=engine, settings=settings)
    scheduler.start(paused=True)
    register_jobs(scheduler, settings=settings)
    return scheduler


def run() -> None:
    """`funding schedule`: bring the stored jobs up to date, then run them until stopped."""
    from funding.store.db import get_engine, upgrade

    upgrade(get_engine())
    sync = synced()
    for line in job_lines(sync):
        log.info(line)
    sync.shutdown(wait=False)
    scheduler = build_scheduler(blocking=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
