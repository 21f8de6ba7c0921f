"""Harvest: crawls (one process per source, or shared through Redis) and source health."""

import sys
from pathlib import Path

import click
from sqlmodel import Session

from funding.cli import enrich_changed, main
from funding.store.db import get_engine, upgrade
from funding.store.opportunities import changed_by_runs


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Crawl every declared source, enabled or not.")
@click.option("--base-url", help="Crawl this address instead (a mirror, a test server).")
@click.option("--limit", type=click.IntRange(min=1), help="Stop each crawl after this many items.")
@click.option(
    "--no-enrich",
    is_flag=True,
    help="Skip reading missing fields from the text and merging duplicates.",
)
@click.option(
    "--distributed",
    is_flag=True,
    help="Share each crawl's queue in Redis (FUNDING_REDIS_URL) between worker processes.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes per crawl on this machine, with --distributed.",
)
def crawl(
    sources: tuple[str, ...],
    all_: bool,
    base_url: str | None,
    limit: int | None,
    no_enrich: bool,
    distributed: bool = False,
    workers: int = 2,
) -> None:
    """Harvest sources (default: every enabled source of crawlers/sources.toml), each crawl in its
    own process, then enrich what changed (see `funding enrich`); exit status 1 if any crawl failed."""
    from funding.harvest import crawl as harvest

    known = _declared_sources()
    unknown = [name for name in sources if name not in known]
    if unknown:
        raise click.UsageError(f"unknown source: {', '.join(unknown)}. Sources: {', '.join(known)}")
    if all_:
        names = list(known)
    elif sources:
        names = list(dict.fromkeys(sources))
    else:
        names = [name for name, source in known.items() if source.enabled]
    engine = get_engine()
    upgrade(engine)
    failed, runs = [], []
    for name in names:
        if distributed:
            from funding.harvest import distributed as shared

            outcome = shared.crawl(engine, name, workers=workers, base_url=base_url, limit=limit)
        else:
            outcome = harvest.crawl(engine, name, base_url=base_url, limit=limit)
        click.echo(outcome.summary())
        for flag in (outcome.run.flags if outcome.run is not None else None) or ():
            click.echo(f"  ! {flag}")
        if not outcome.ok:
            failed.append(name)
        if outcome.run is not None:
            runs.append(outcome.run.id)
    with Session(engine) as session:  # what these crawls changed, not what other writers did
        changed = changed_by_runs(session, runs)
    if changed and not no_enrich:
        enrich_changed(engine, changed)
    if failed:
        click.echo(f"failed: {', '.join(failed)}", err=True)
    sys.exit(1 if failed else 0)


@main.command("crawl-worker")
@click.argument("source")
@click.option("--base-url", help="Crawl this address instead (a mirror, a test server).")
def crawl_worker(source: str, base_url: str | None) -> None:
    """Join a shared crawl of SOURCE that `funding crawl --distributed` opened on any machine
    (same FUNDING_REDIS_URL and FUNDING_DATABASE_URL); exits when the crawl is done."""
    from funding.harvest import distributed

    try:
        sys.exit(distributed.join(source, base_url=base_url))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None


def _declared_sources() -> dict:
    from funding.harvest import crawl as harvest
    from funding.harvest.sources import SourcesError

    try:
        return harvest.available_sources()
    except SourcesError as exc:
        raise click.ClickException(str(exc)) from None


@main.group(invoke_without_command=True)
@click.pass_context
def sources(ctx: click.Context) -> None:
    """Every source (crawlers/sources.toml) with its last run and health flags."""
    if ctx.invoked_subcommand is not None:
        return
    from funding.store.health import source_table
    from funding.store.opportunities import latest_runs

    declared = _declared_sources()
    engine = get_engine()
    upgrade(engine)
    with Session(engine) as session:
        for line in source_table(latest_runs(session), declared):
            click.echo(line)


@sources.command("check")
@click.argument("name")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(min=1))
@click.option("--base-url", help="Crawl this address instead (a mirror, a test server).")
def sources_check(name: str, limit: int, base_url: str | None) -> None:
    """Crawl one source with a small limit into a throw-away database (never the real one) and
    report, field by field, what it found; exit status 1 if it found nothing."""
    import tempfile

    from funding.harvest import crawl as harvest
    from funding.store.db import make_engine
    from funding.store.health import field_report

    known = _declared_sources()
    if name not in known:
        raise click.UsageError(f"unknown source: {name}. Sources: {', '.join(known)}")
    with tempfile.TemporaryDirectory(prefix="funding-check-") as folder:
        url = f"sqlite:///{Path(folder) / 'check.db'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            env = {
                "FUNDING_DATABASE_URL": url,
                "FUNDING_HTTPCACHE_ENABLED": "false",
                "FUNDING_CRAWL_LOG_LEVEL": "WARNING",
            }
            outcome = harvest.crawl(engine, name, base_url=base_url, limit=limit, env=env)
            click.echo(outcome.summary())
            with Session(engine) as session:
                found, lines = field_report(session, name, limit=limit)
        finally:
            engine.dispose()
    for line in lines:
        click.echo(line)
    sys.exit(0 if found else 1)
