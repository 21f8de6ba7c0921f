"""The `funding` command: every job of the radar, one sub-command each."""

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from sqlmodel import Session

from funding.errors import NormalizationError
from funding.normalize import parse_date
from funding.settings import get_settings
from funding.store.opportunities import count_opportunities

MAX_SHOWN_REJECTIONS = 50


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except NormalizationError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group()
@click.version_option(package_name="funding-radar")
def main() -> None:
    """Funding Radar: calls for proposals and financing tools for NGO–company partnerships."""


def tell_report(path: Path, report, total) -> None:
    """A file's rejections, notes and counts, added to the total of the run."""
    for rejection in report.rejections[:MAX_SHOWN_REJECTIONS]:
        click.echo(f"rejected: {rejection}", err=True)
    if len(report.rejections) > MAX_SHOWN_REJECTIONS:
        click.echo(f"... and {len(report.rejections) - MAX_SHOWN_REJECTIONS} more", err=True)
    for note in report.notes[:MAX_SHOWN_REJECTIONS]:
        click.echo(f"note: {note}", err=True)
    if len(report.notes) > MAX_SHOWN_REJECTIONS:
        click.echo(f"... and {len(report.notes) - MAX_SHOWN_REJECTIONS} more notes", err=True)
    click.echo(f"{path}: {report.summary()}")
    for name in ("inserted", "updated", "unchanged", "rejected"):
        setattr(total, name, getattr(total, name) + getattr(report, name))
    total.changed_ids.extend(report.changed_ids)


def enrich_changed(engine, ids: list[str] | None) -> None:
    from funding.enrich.enrichment import enrich

    with Session(engine, expire_on_commit=False) as session:
        total = len(ids) if ids is not None else count_opportunities(session)
        with click.progressbar(length=total, label="enriching", file=sys.stderr) as bar:
            report = enrich(session, ids, progress=bar.update)
    click.echo(f"enriched: {report.summary()}")


def refuse_unsafe() -> None:
    """A program that signs links stops here, in production, without a real secret key."""
    from funding.settings import SettingsError

    try:
        get_settings().require_secret_key()
    except SettingsError as error:
        raise click.ClickException(str(error)) from error


def moment_of(as_of: str | None) -> datetime | None:
    """--as-of DAY as 08:00 that day in FUNDING_TIMEZONE (a digest's period follows the day)."""
    from zoneinfo import ZoneInfo

    day = parse_day(as_of)
    if day is None:
        return None
    tz = ZoneInfo(get_settings().timezone)
    return datetime(day.year, day.month, day.day, 8, tzinfo=tz).astimezone(UTC)


# The commands, by job (each module registers its own on `main`).
from funding.cli import app, data, harvest, mail, matching  # noqa: F401
