"""Running spiders, each in its own process (Twisted's reactor cannot restart); no Scrapy import."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from funding.harvest.sources import CONFIGURED_SPIDER, SourceDeclaration, load_sources
from funding.settings import Settings, get_settings
from funding.store.models import SourceRun

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds crawlers/
SPIDERS = PROJECT_ROOT / "crawlers" / "spiders"


def spider_names(folder: Path = SPIDERS) -> list[str]:
    """Every source spider by file stem, crawlers/spiders/<name>.py (modules starting with _ are
    helpers; `configured` crawls the sources declared in crawlers/sources.toml, it is no source)."""
    return sorted(
        p.stem
        for p in folder.glob("*.py")
        if not p.stem.startswith("_") and p.stem not in ("base", CONFIGURED_SPIDER)
    )


def available_sources() -> dict[str, SourceDeclaration]:
    """Every source: those declared in sources.toml, then any spider file not declared (enabled)."""
    sources = load_sources()
    for name in spider_names():
        sources.setdefault(name, SourceDeclaration(name=name, kind="spider"))
    return sources


def crawl_command(name: str, *, base_url: str | None = None, limit: int | None = None) -> list[str]:
    """`scrapy crawl NAME`, or `scrapy crawl configured -a source=NAME` for a configured source."""
    declared = load_sources().get(name) if name not in spider_names() else None
    if declared is not None and declared.configured:
        command = [sys.executable, "-m", "scrapy", "crawl", CONFIGURED_SPIDER]
        command += ["-a", f"source={name}"]
    else:
        command = [sys.executable, "-m", "scrapy", "crawl", name]
    if base_url:
        command += ["-a", f"base_url={base_url}"]
    if limit:
        command += ["-a", f"limit={limit}"]
    return command


def crawl_environment(settings: Settings | None = None) -> dict[str, str]:
    """This process's settings for the crawl, which runs from the project folder (another .env)."""
    settings = settings or get_settings()
    env = dict(os.environ)
    for field, value in settings.model_dump(exclude_unset=True).items():
        if value is not None:
            env[f"FUNDING_{field.upper()}"] = _env_value(value)
    env["FUNDING_DATA_DIR"] = str(settings.data_dir)
    env["FUNDING_DATABASE_URL"] = settings.resolved_database_url
    # Scrapy finds its project by this, not by a scrapy.cfg beside the code: an installed package
    # (a wheel, the Docker image) has none.
    env["SCRAPY_SETTINGS_MODULE"] = "crawlers.settings"
    return env


def _env_value(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class CrawlOutcome:
    source: str
    status: str  # "ok", "failed", or "not started" when the process stored no run
    message: str | None = None
    run: SourceRun | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "skipped")

    def summary(self) -> str:
        if self.run is None:
            return f"{self.source}: {self.status}" + (f" ({self.message})" if self.message else "")
        run = self.run
        counts = (
            f"{run.items_seen} items: {run.inserted} inserted, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.rejected} rejected"
        )
        detail = f" ({self.message})" if self.message else ""
        return f"{self.source}: {self.status}, {counts}{detail}"


def _last_run_id(engine: Engine, source: str) -> int:
    with Session(engine) as session:
        query = select(func.max(SourceRun.id)).where(SourceRun.source == source)
        return session.exec(query).one() or 0


def crawl(
    engine: Engine,
    name: str,
    *,
    base_url: str | None = None,
    limit: int | None = None,
    env: dict[str, str] | None = None,
    quiet: bool = False,
) -> CrawlOutcome:
    """Run one spider to the end; its SourceRun, stored by the crawl itself, says how it went.

    `env` overrides the crawl's environment (`funding sources check` points it at a throw-away
    database); `quiet` keeps Scrapy's log out of the terminal.
    """
    before = _last_run_id(engine, name)
    process = subprocess.run(
        crawl_command(name, base_url=base_url, limit=limit),
        cwd=PROJECT_ROOT,
        env={**crawl_environment(), **(env or {})},
        check=False,
        capture_output=quiet,
    )
    with Session(engine, expire_on_commit=False) as session:
        run = session.exec(
            select(SourceRun)
            .where(SourceRun.source == name, SourceRun.id > before)
            .order_by(SourceRun.id.desc())  # type: ignore[union-attr]
        ).first()
    if run is None:
        return CrawlOutcome(name, "not started", f"scrapy exited with status {process.returncode}")
    if run.status not in ("ok", "failed", "skipped"):
        message = f"the crawl stopped before recording its end (exit status {process.returncode})"
        return CrawlOutcome(name, "failed", message, _record_failure(engine, run.id, message))
    if process.returncode != 0 and run.status == "ok":
        return CrawlOutcome(name, "failed", f"scrapy exited with status {process.returncode}", run)
    return CrawlOutcome(name, run.status, run.message, run)


def _record_failure(engine: Engine, run_id: int | None, message: str) -> SourceRun | None:
    """A run its process never finished is recorded as failed, with its health flags."""
    from funding.store.opportunities import finish_run

    with Session(engine, expire_on_commit=False) as session:
        run = session.get(SourceRun, run_id)
        if run is None or run.status in ("ok", "failed"):
            return run
        counted = ("items_seen", "inserted", "updated", "unchanged", "rejected")
        counts = {key: getattr(run, key) for key in counted}
        finish_run(session, run, counts=counts, status="failed", message=message)
        session.commit()
        return run
