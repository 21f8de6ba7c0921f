"""The `funding` command: every job of the radar, one sub-command each."""

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from sqlmodel import Session

from funding.db import current_revision, get_engine, upgrade
from funding.errors import NormalizationError
from funding.normalize import parse_date
from funding.settings import get_settings
from funding.store import count_opportunities

MAX_SHOWN_REJECTIONS = 50


def _day(value: str | None) -> date | None:
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


@main.group()
def db() -> None:
    """The database schema (Alembic)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema of the configured database."""
    upgrade(get_engine(), revision)
    click.echo(f"database at revision {current_revision(get_engine())}")


@main.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--batch-size", default=500, show_default=True, help="Records per transaction.")
@click.option(
    "--no-enrich",
    is_flag=True,
    help="Skip reading missing fields from the text and merging duplicates.",
)
def import_(files: tuple[Path, ...], batch_size: int, no_enrich: bool) -> None:
    """Import JSON Lines or CSV files in the opportunity contract format.

    New and changed records are then enriched (see `funding enrich`) unless --no-enrich.
    Exit status 0 when every record was stored, 1 when some were rejected.
    """
    from funding.importer import ImportReport, count_records, import_file

    engine = get_engine()
    upgrade(engine)
    total = ImportReport()
    for path in files:
        with click.progressbar(length=count_records(path), label=path.name, file=sys.stderr) as bar:
            report = import_file(engine, path, batch_size=batch_size, progress=bar.update)
        for rejection in report.rejections[:MAX_SHOWN_REJECTIONS]:
            click.echo(f"rejected: {rejection}", err=True)
        if len(report.rejections) > MAX_SHOWN_REJECTIONS:
            click.echo(f"... and {len(report.rejections) - MAX_SHOWN_REJECTIONS} more", err=True)
        click.echo(f"{path}: {report.summary()}")
        for name in ("inserted", "updated", "unchanged", "rejected"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.changed_ids.extend(report.changed_ids)
    if len(files) > 1:
        click.echo(f"total: {total.summary()}")
    if total.changed_ids and not no_enrich:
        _enrich(engine, total.changed_ids)
    sys.exit(1 if total.rejected else 0)


def _enrich(engine, ids: list[str] | None) -> None:
    from funding.enrich import enrich

    with Session(engine, expire_on_commit=False) as session:
        total = len(ids) if ids is not None else count_opportunities(session)
        with click.progressbar(length=total, label="enriching", file=sys.stderr) as bar:
            report = enrich(session, ids, progress=bar.update)
    click.echo(f"enriched: {report.summary()}")


@main.command()
def enrich() -> None:
    """Read missing fields (applicants, partners, co-financing, amounts, deadlines, countries) from
    every opportunity's own text, with the snippet as evidence, then merge cross-source duplicates."""
    engine = get_engine()
    upgrade(engine)
    _enrich(engine, None)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option("--changed-since", help="Only opportunities changed on or after this date.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Default: standard output.",
)
def export(fmt: str, changed_since: str | None, output: Path | None) -> None:
    """Export opportunities in the contract format (importing the file again changes nothing)."""
    from funding.exporter import export as write

    since = _day(changed_since)
    since_time = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    engine = get_engine()
    upgrade(engine)
    with Session(engine) as session:
        if output is None:
            count = write(session, sys.stdout, fmt=fmt, changed_since=since_time)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = write(session, handle, fmt=fmt, changed_since=since_time)
    click.echo(f"exported {count} opportunities", err=True)


@main.command()
@click.option("--as-of", help="Compute statuses as of this day (default: today).")
def stats(as_of: str | None) -> None:
    """Counts by source, status and instrument."""
    from funding.store import stats as compute

    day = _day(as_of) or date.today()
    engine = get_engine()
    upgrade(engine)
    with Session(engine) as session:
        click.echo(
            f"{count_opportunities(session)} opportunities (statuses as of {day.isoformat()})"
        )
        for name, counts in compute(session, as_of=day).items():
            click.echo(f"\nby {name}:")
            for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                click.echo(f"  {key:<32} {count:>7}")


@main.command()
@click.option("--host", default=None, help="Default: FUNDING_HOST (127.0.0.1).")
@click.option("--port", default=None, type=int, help="Default: FUNDING_PORT (8501).")
@click.option(
    "--no-snapshot", is_flag=True, help="Do not load the bundled snapshot into an empty database."
)
def serve(host: str | None, port: int | None, no_snapshot: bool) -> None:
    """Prepare the database (schema, bundled snapshot on first run) and start the web app."""
    from funding.snapshot import prepare_database

    settings = get_settings()
    report = prepare_database(get_engine(), load=settings.load_snapshot and not no_snapshot)
    if report is not None:
        click.echo(f"loaded the bundled snapshot: {report.summary()}")
    app = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    args = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", host or settings.host,
        "--server.port", str(port or settings.port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    click.echo(f"serving on http://{host or settings.host}:{port or settings.port}")
    sys.stdout.flush()
    os.execv(sys.executable, args)


@main.group()
def snapshot() -> None:
    """The bundled snapshot of real funder data."""


@snapshot.command("load")
def snapshot_load() -> None:
    """Import the bundled snapshot (again): unchanged records stay as they are."""
    from funding.snapshot import load_snapshot

    engine = get_engine()
    upgrade(engine)
    click.echo(load_snapshot(engine).summary())


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Crawl every source of crawlers/spiders/.")
@click.option("--base-url", help="Crawl this address instead (a mirror, a test server).")
@click.option("--limit", type=click.IntRange(min=1), help="Stop each crawl after this many items.")
def crawl(sources: tuple[str, ...], all_: bool, base_url: str | None, limit: int | None) -> None:
    """Harvest sources, each crawl in its own process; exit status 1 if any crawl failed."""
    from funding.harvest import crawl as run_crawl
    from funding.harvest import spider_names

    known = spider_names()
    unknown = [name for name in sources if name not in known]
    if unknown or not (sources or all_):
        problem = f"unknown source: {', '.join(unknown)}." if unknown else "name a source or --all."
        raise click.UsageError(f"{problem} Sources: {', '.join(known)}")
    engine = get_engine()
    upgrade(engine)
    failed = []
    for name in known if all_ else dict.fromkeys(sources):
        outcome = run_crawl(engine, name, base_url=base_url, limit=limit)
        click.echo(outcome.summary())
        if not outcome.ok:
            failed.append(name)
    if failed:
        click.echo(f"failed: {', '.join(failed)}", err=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
