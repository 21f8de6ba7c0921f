"""Data in and out: the schema, imports, exports, enrichment, counts, the snapshot, copies."""

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from sqlmodel import Session

from funding.cli import enrich_changed, main, parse_day, tell_report
from funding.settings import get_settings
from funding.store.db import current_revision, get_engine, upgrade
from funding.store.opportunities import count_opportunities


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
    Exit status 0 when every record was stored, 1 when some were rejected or could not be stored.
    """
    from funding.ingest.importer import ImportFailed, count_records, import_file
    from funding.ingest.run import ImportReport

    engine = get_engine()
    upgrade(engine)
    total = ImportReport()
    failed = False
    for path in files:
        with click.progressbar(length=count_records(path), label=path.name, file=sys.stderr) as bar:
            try:
                report = import_file(engine, path, batch_size=batch_size, progress=bar.update)
            except ImportFailed as exc:  # the other batches and files are stored all the same
                click.echo(f"error: {exc}", err=True)
                report, failed = exc.report, True
        tell_report(path, report, total)
    if len(files) > 1:
        click.echo(f"total: {total.summary()}")
    if total.changed_ids and not no_enrich:
        enrich_changed(engine, total.changed_ids)
    sys.exit(1 if total.rejected or failed else 0)


@main.command()
def enrich() -> None:
    """Read missing fields (applicants, partners, co-financing, amounts, deadlines, countries) from
    every opportunity's own text, with the snippet as evidence, then merge cross-source duplicates."""
    engine = get_engine()
    upgrade(engine)
    enrich_changed(engine, None)


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
    from funding.ingest.exporter import export as write

    since = parse_day(changed_since)
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
    from funding.store.opportunities import stats as compute

    day = parse_day(as_of) or date.today()
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


@main.group()
def snapshot() -> None:
    """The bundled snapshot of real funder data."""


@snapshot.command("load")
def snapshot_load() -> None:
    """Import the bundled snapshot (again): unchanged records stay as they are."""
    from funding.ingest.snapshot import load_snapshot

    engine = get_engine()
    upgrade(engine)
    click.echo(load_snapshot(engine).summary())


@db.command("copy")
@click.option("--from", "source", help="Database URL to copy (default: FUNDING_DATABASE_URL).")
@click.option("--to", "target", required=True, help="Database URL to fill; must be empty.")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(min=1))
def db_copy(source: str | None, target: str, batch_size: int) -> None:
    """Copy every table (history, watchlists, subscribers, delivery ledger...) to another database,
    e.g. a SQLite installation to PostgreSQL; the full-text index is rebuilt on the target."""
    from funding.store.copy import CopyError, copy_database

    try:
        copied = copy_database(
            source or get_settings().resolved_database_url,
            target,
            batch_size=batch_size,
            progress=click.echo,
        )
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"copied {sum(copied.values())} rows in {len(copied)} tables")
