"""The `funding` command: every job of the radar, one sub-command each."""

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from sqlmodel import Session

from funding.db import current_revision, get_engine, upgrade
from funding.errors import NormalizationError
from funding.i18n import t
from funding.normalize import parse_date
from funding.settings import get_settings
from funding.store import changed_by_runs, count_opportunities

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
        _tell_report(path, report, total)
    if len(files) > 1:
        click.echo(f"total: {total.summary()}")
    if total.changed_ids and not no_enrich:
        _enrich(engine, total.changed_ids)
    sys.exit(1 if total.rejected else 0)


def _tell_report(path: Path, report, total) -> None:
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


def _refuse_unsafe() -> None:
    """A program that signs links stops here, in production, without a real secret key."""
    from funding.settings import SettingsError

    try:
        get_settings().require_secret_key()
    except SettingsError as error:
        raise click.ClickException(str(error)) from error


@main.command()
@click.option("--host", default=None, help="Default: FUNDING_HOST (127.0.0.1).")
@click.option("--port", default=None, type=int, help="Default: FUNDING_PORT (8501).")
@click.option(
    "--no-snapshot", is_flag=True, help="Do not load the bundled snapshot into an empty database."
)
def serve(host: str | None, port: int | None, no_snapshot: bool) -> None:
    """Prepare the database (schema, bundled snapshot on first run) and start the web app."""
    from funding.snapshot import prepare_database

    _refuse_unsafe()
    settings = get_settings()
    report = prepare_database(get_engine(), load=settings.load_snapshot and not no_snapshot)
    if report is not None:
        click.echo(f"loaded the bundled snapshot: {report.summary()}")
    app = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    # ui.server imports what the pages need, then runs `streamlit run` in the same process.
    args = [
        sys.executable, "-m", "ui.server", str(app),
        "--server.address", host or settings.host,
        "--server.port", str(port or settings.port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip
    from funding.auth import malformed

    for name in malformed(settings):
        click.echo(f"warning: staff {name!r} has a malformed password hash (FUNDING_STAFF_USERS in "
                   "double quotes? the shell replaces $…: use single quotes, or `funding staff "
                   "add`); that name cannot sign in", err=True)  # fmt: skip
    served = f"http://{host or settings.host}:{port or settings.port}"
    # Links in e-mails sent by this process point to it unless FUNDING_PUBLIC_URL says otherwise.
    os.environ.setdefault("FUNDING_PUBLIC_URL", served)
    click.echo(f"serving on {served}")
    sys.stdout.flush()
    os.execv(sys.executable, args)


@main.command("one-click")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8502, show_default=True, type=int)
def one_click(host: str, port: int) -> None:
    """Answer the one-click unsubscribe POSTs of mail clients (RFC 8058) at /unsubscribe."""
    from funding.oneclick import make_one_click_server

    _refuse_unsafe()
    upgrade(get_engine())
    click.echo(f"one-click unsubscribe on http://{host}:{port}/unsubscribe")
    make_one_click_server(host, port).serve_forever()


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
    "--workers", default=2, show_default=True, type=click.IntRange(min=1),
    help="Worker processes per crawl on this machine, with --distributed.",
)  # fmt: skip
def crawl(
    sources: tuple[str, ...], all_: bool, base_url: str | None, limit: int | None, no_enrich: bool,
    distributed: bool = False, workers: int = 2,
) -> None:  # fmt: skip
    """Harvest sources (default: every enabled source of crawlers/sources.toml), each crawl in its
    own process, then enrich what changed (see `funding enrich`); exit status 1 if any crawl failed."""
    from funding import harvest

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
            from funding import distributed as shared

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
        _enrich(engine, changed)
    if failed:
        click.echo(f"failed: {', '.join(failed)}", err=True)
    sys.exit(1 if failed else 0)


@main.command("crawl-worker")
@click.argument("source")
@click.option("--base-url", help="Crawl this address instead (a mirror, a test server).")
def crawl_worker(source: str, base_url: str | None) -> None:
    """Join a shared crawl of SOURCE that `funding crawl --distributed` opened on any machine
    (same FUNDING_REDIS_URL and FUNDING_DATABASE_URL); exits when the crawl is done."""
    from funding import distributed

    try:
        sys.exit(distributed.join(source, base_url=base_url))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None


@db.command("copy")
@click.option("--from", "source", help="Database URL to copy (default: FUNDING_DATABASE_URL).")
@click.option("--to", "target", required=True, help="Database URL to fill; must be empty.")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(min=1))
def db_copy(source: str | None, target: str, batch_size: int) -> None:
    """Copy every table (history, watchlists, subscribers, delivery ledger...) to another database,
    e.g. a SQLite installation to PostgreSQL; the full-text index is rebuilt on the target."""
    from funding.dbcopy import CopyError, copy_database

    try:
        copied = copy_database(source or get_settings().resolved_database_url, target,
                               batch_size=batch_size, progress=click.echo)  # fmt: skip
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"copied {sum(copied.values())} rows in {len(copied)} tables")


def _declared_sources() -> dict:
    from funding import harvest
    from funding.sources import SourcesError

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
    from funding.health import source_table
    from funding.store import latest_runs

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

    from funding import harvest
    from funding.db import make_engine
    from funding.health import field_report

    known = _declared_sources()
    if name not in known:
        raise click.UsageError(f"unknown source: {name}. Sources: {', '.join(known)}")
    with tempfile.TemporaryDirectory(prefix="funding-check-") as folder:
        url = f"sqlite:///{Path(folder) / 'check.db'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            env = {"FUNDING_DATABASE_URL": url, "FUNDING_HTTPCACHE_ENABLED": "false",
                   "FUNDING_CRAWL_LOG_LEVEL": "WARNING"}  # fmt: skip
            outcome = harvest.crawl(engine, name, base_url=base_url, limit=limit, env=env)
            click.echo(outcome.summary())
            with Session(engine) as session:
                found, lines = field_report(session, name, limit=limit)
        finally:
            engine.dispose()
    for line in lines:
        click.echo(line)
    sys.exit(0 if found else 1)


@main.command("match")
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A partnership profile (JSON, profile.schema.json).",
)
@click.option(
    "--like", "like_id", help="Instead of a profile: the opportunities most like this one."
)
@click.option("--as-of", help="Take this day as today (default: the real date).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--include-ineligible", is_flag=True, help="Also show calls failing a criterion.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--lang", type=click.Choice(["fr", "en"]), default=None, help="Default: FUNDING_LANGUAGE or fr."
)
def match_command(
    profile_path: Path | None, like_id: str | None, as_of: str | None, limit: int,
    include_ineligible: bool, fmt: str, lang: str | None,
) -> None:  # fmt: skip
    """The calls that fit a partnership profile, best first, with why (or --like ID)."""
    import json

    from funding.i18n import language
    from funding.matching import ProfileError, load_profile, match, more_like_this

    if (profile_path is None) == (like_id is None):
        raise click.UsageError("give either --profile FILE or --like ID")
    day = _day(as_of) or date.today()
    lang = language(lang)
    engine = get_engine()
    upgrade(engine)
    with Session(engine) as session:
        if like_id is not None:
            try:
                similar = more_like_this(session, like_id, limit=limit)
            except KeyError as exc:
                raise click.ClickException(str(exc).strip("'\"")) from None
            if fmt == "json":
                click.echo(json.dumps([s.to_dict() for s in similar], ensure_ascii=False, indent=2))
                return
            for s in similar:
                mark = t("same_call", lang) if s.same_call else ""
                click.echo(
                    f"{s.score:5.1f}  {s.opportunity.id:<48}  {s.opportunity.title[:70]}{mark}"
                )
            return
        try:
            profile = load_profile(profile_path)
        except ProfileError as exc:
            raise click.ClickException(f"{profile_path}: {exc}") from None
        found = match(
            session,
            profile,
            as_of=day,
            limit=limit,
            include_ineligible=include_ineligible,
            lang=lang,
        )
        if fmt == "json":
            click.echo(json.dumps([m.to_dict() for m in found], ensure_ascii=False, indent=2))
            return

        if found and not found[0].fits:
            click.echo(t("no_fit_yet", lang))
        for rank, m in enumerate(found, 1):
            if m.fits is False and rank > 1 and found[rank - 2].fits:
                click.echo(t("further_calls", lang))
            when = m.next_deadline.isoformat() if m.next_deadline else "-"
            click.echo(
                f"{rank:>3}. {m.score:5.1f}  {m.verdict:<10} {m.status:<11} {when:<10}  "
                f"{m.opportunity.title[:70]}  [{m.opportunity.id}]"
            )
            for c in m.criteria:
                if c.result != "pass":
                    click.echo(f"       {c.result:<7} {c.criterion}: {c.explanation}")
        if not found:
            click.echo(t("no_call_matches", lang))



# Past awards (funding/awards/) --------------------------------------------------------------------


@main.group()
def awards() -> None:
    """Past awards: funded projects and the organisations behind them."""


@awards.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def awards_import(files: tuple[Path, ...]) -> None:
    """Import funded projects and participations (contracts/award.schema.json, or the CORDIS
    extract's files), in any order. Exit 0 when every record was stored, 1 when some were rejected."""
    from funding.awards.importer import import_awards
    from funding.importer import ImportReport, count_records

    engine = get_engine()
    upgrade(engine)
    total = ImportReport()
    for path in files:
        with click.progressbar(length=count_records(path), label=path.name, file=sys.stderr) as bar:
            report = import_awards(engine, path, progress=bar.update)
        _tell_report(path, report, total)
    if len(files) > 1:
        click.echo(f"total: {total.summary()}")
    from funding.awards.partners import refresh_award_index

    index = refresh_award_index(engine)  # built once here, not by the first partner query
    click.echo(f"partner index: {len(index.ids)} funded projects", err=True)
    sys.exit(1 if total.rejected else 0)


@main.command("partners")
@click.option("--profile", "profile_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A partnership profile (JSON, profile.schema.json).")
@click.option("--call", "call_id", help="A call whose consortium requirements to fill.")
@click.option("--near", help="NUTS regions the organisation must be in, e.g. CH013,FRK28.")
@click.option("--country", help="Country of the organisation (ISO 3166-1 alpha-2).")
@click.option("--type", "kind", type=click.Choice(["PRC", "HES", "REC", "PUB", "OTH"]),
              help="PRC company, HES higher education, REC research, PUB public body, OTH other.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default=None,
              help="Default: FUNDING_LANGUAGE or fr.")
def partners_command(profile_path: Path, call_id: str | None, near: str | None,
                     country: str | None, kind: str | None, limit: int, fmt: str,
                     lang: str | None) -> None:  # fmt: skip
    """Organisations that took part in funded projects close to a partnership's project."""
    import json

    from funding.awards.partners import suggest_partners, to_csv
    from funding.i18n import language, t
    from funding.matching import ProfileError, load_profile
    from funding.matching.facts import CallFacts
    from funding.store import get_opportunity

    lang = language(lang)
    try:
        profile = load_profile(profile_path)
    except ProfileError as exc:
        raise click.ClickException(f"{profile_path}: {exc}") from None
    engine = get_engine()
    upgrade(engine)
    with Session(engine) as session:
        call = None
        if call_id:
            opportunity = get_opportunity(session, call_id)
            if opportunity is None:
                raise click.ClickException(f"no call with id {call_id}")
            call = CallFacts.of(opportunity)
        regions = tuple(r.strip().upper() for r in (near or "").split(",") if r.strip())
        found = suggest_partners(session, profile, call=call, near=regions,
                                 country=country.upper() if country else None, kind=kind,
                                 limit=limit)  # fmt: skip
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in found], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        click.echo(to_csv(found), nl=False)
        return
    for rank, s in enumerate(found, 1):
        o = s.organisation
        kind_words = t(f"type_{o.type}", lang) if o.type else "?"
        click.echo(f"{rank:>3}. {s.score:5.3f}  {o.name[:60]}  ({o.country or '?'}"
                   f"{' ' + o.region if o.region else ''}, {kind_words})  "
                   f"{t('projects_as', lang, n=s.experience, lead=s.coordinated)}")  # fmt: skip
        for project_id, closeness, role in s.projects:
            click.echo(f"       {closeness:4.2f} {project_id} ({t(f'role_{role}', lang) if role else '?'})")
        for requirement in s.fills:
            click.echo(f"       {t('fills_requirement', lang, words=requirement.words[:120])}")
    if not found:
        click.echo(t("no_organisation", lang))

# Digests, the scheduler and subscribers (funding/digests/, funding/scheduler.py) -----------------


def _moment(as_of: str | None) -> datetime | None:
    """--as-of DAY as 08:00 that day in FUNDING_TIMEZONE (a digest's period follows the day)."""
    from zoneinfo import ZoneInfo

    day = _day(as_of)
    if day is None:
        return None
    tz = ZoneInfo(get_settings().timezone)
    return datetime(day.year, day.month, day.day, 8, tzinfo=tz).astimezone(UTC)


@main.command()
@click.option("--send", "send_", is_flag=True, help="Send the digests that are due (SMTP).")
@click.option("--dry-run", is_flag=True, help="Write the due digests as .eml files instead.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="With --dry-run.")
@click.option("--frequency", type=click.Choice(["weekly", "daily"]), help="Default: both.")
@click.option("--reminders", is_flag=True, help="Deadline reminders of watched calls instead.")
@click.option("--email", help="Only this subscriber.")
@click.option("--as-of", help="Take this day as today (default: now).")
def digest(send_: bool, dry_run: bool, out: Path | None, frequency: str | None, reminders: bool,
           email: str | None, as_of: str | None) -> None:  # fmt: skip
    """Send what is due: each active subscriber's digest for this period (ISO week, or day), once.

    Running it again, or twice at once, sends nothing twice (the delivery ledger).
    """
    from funding.digests import send_due, write_due

    if send_ == dry_run:
        raise click.UsageError("give either --send or --dry-run --out DIR")
    if dry_run and out is None:
        raise click.UsageError("--dry-run needs --out DIR")
    if send_:
        _refuse_unsafe()
    engine = get_engine()
    upgrade(engine)
    kind = "reminder" if reminders else "digest"
    now = _moment(as_of)
    if dry_run:
        report = write_due(engine, out, now=now, kind=kind, frequency=frequency, email=email)
        for path in report.written:
            click.echo(path)
    else:
        report = send_due(engine, now=now, kind=kind, frequency=frequency, email=email)
        for address in report.paused:
            click.echo(f"rejected, paused: {address}", err=True)
    click.echo(report.summary())
    sys.exit(1 if report.failed else 0)


@main.command()
@click.option("--list", "list_", is_flag=True, help="Print every job and its next run, then exit.")
def schedule(list_: bool) -> None:
    """Run the scheduler (one process): crawls per sources.toml, digests, reminders, staff alerts.

    Jobs are kept in the database (table apscheduler_jobs); each crawl runs as its own process.
    """
    from funding import scheduler

    if not list_:
        _refuse_unsafe()
        import logging

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        click.echo("scheduler running (Ctrl-C to stop)")
        scheduler.run()
        return
    engine = get_engine()
    upgrade(engine)
    running = scheduler.synced(engine=engine)
    try:
        for line in scheduler.job_lines(running):
            click.echo(line)
    finally:
        running.shutdown(wait=False)


@main.command("settings")
@click.option("--markdown", is_flag=True, help="Print docs/configuration.md's tables instead.")
def settings_command(markdown: bool) -> None:
    """Every FUNDING_... setting: its value here (secrets hidden), its default and what it does."""
    from funding.settings import documented
    from funding.settings import markdown as tables

    if markdown:
        click.echo(tables(), nl=False)
        return
    current = get_settings()
    secret = ("FUNDING_SECRET_KEY", "FUNDING_SMTP_PASSWORD", "FUNDING_STAFF_USERS",
              "FUNDING_AIDES_TERRITOIRES_TOKEN")  # fmt: skip
    for _, variable, shown, help_text in documented():
        value = getattr(current, variable.removeprefix("FUNDING_").lower())
        if value is None:
            value = f"unset (default: {shown})" if shown != "unset" else "unset"
        elif variable in secret:
            value = "set (hidden)"
        elif isinstance(value, bool):
            value = "true" if value else "false"
        click.echo(f"{variable}={value}\n    {help_text}")


@main.group()
def staff() -> None:
    """Staff accounts (password hashes in the secrets file)."""


@staff.command("add")
@click.argument("name")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="The secrets file (default: FUNDING_SECRETS_FILE).")  # fmt: skip
def staff_add(name: str, path: Path | None) -> None:
    """Ask for NAME's password twice and write its hash to the secrets file ([staff])."""
    from funding.auth import hash_password, read_new_password
    from funding.secrets import set_staff_hash

    path = path or get_settings().secrets_file
    if path is None:
        raise click.ClickException("set FUNDING_SECRETS_FILE (or give --file) to say where")
    if not name.strip() or any(c in name for c in "=;\"\n[]"):
        raise click.ClickException(f"{name!r} cannot be a staff name")
    set_staff_hash(Path(path).expanduser(), name.strip(), hash_password(read_new_password()))
    click.echo(f"{name.strip()}: hash written to {path}")


@main.group()
def subscribers() -> None:
    """People who receive digests: add, list, pause, resume, remove, export their data."""


def _subscription_call(function, *args, **kwargs):
    from funding.subscriptions import SubscriptionError

    engine = get_engine()
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        try:
            result = function(session, *args, **kwargs)
        except SubscriptionError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    return engine, result


@subscribers.command("add")
@click.argument("email")
@click.option("--profile", "profile_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))  # fmt: skip
@click.option("--frequency", type=click.Choice(["weekly", "daily"]), default="weekly",
              show_default=True)  # fmt: skip
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--confirmed", is_flag=True,
              help="Active at once (staff vouch for the address); else a confirmation is sent.")  # fmt: skip
def subscribers_add(email: str, profile_path: Path, frequency: str, lang: str,
                    confirmed: bool) -> None:  # fmt: skip
    """Subscribe EMAIL to the digests of a partnership profile (JSON)."""
    import json

    from funding.digests import send_confirmation
    from funding.matching import ProfileError
    from funding.subscriptions import subscribe

    profile = json.loads(profile_path.read_text("utf-8"))
    try:
        engine, subscriber = _subscription_call(subscribe, email, profile=profile,
                                                frequency=frequency, language=lang,
                                                confirmed=confirmed)  # fmt: skip
    except ProfileError as exc:
        raise click.ClickException(f"{profile_path}: {exc}") from None
    if subscriber.status == "pending":
        sent = send_confirmation(engine, subscriber.id)
        click.echo(f"{subscriber.email}: pending, confirmation "
                   f"{'sent' if sent else 'not sent (already sent today or SMTP failed)'}")  # fmt: skip
    else:
        click.echo(f"{subscriber.email}: {subscriber.status}, {frequency}, {lang}")


@subscribers.command("list")
@click.option("--status", type=click.Choice(["pending", "active", "paused", "unsubscribed"]))
def subscribers_list(status: str | None) -> None:
    """Every subscriber with status, frequency, language, partnership and last digest."""
    from funding.models import Partnership
    from funding.subscriptions import list_subscribers

    engine = get_engine()
    upgrade(engine)
    with Session(engine) as session:
        for s in list_subscribers(session, status=status):
            partnership = session.get(Partnership, s.partnership_id)
            last = s.last_digest_at.strftime("%Y-%m-%d") if s.last_digest_at else "-"
            reason = f"  ({s.paused_reason})" if s.paused_reason else ""
            click.echo(f"{s.email:<40} {s.status:<12} {s.frequency:<7} {s.language}  {last:<10}  "
                       f"{partnership.name if partnership else '-'}{reason}")  # fmt: skip


@subscribers.command("pause")
@click.argument("email")
@click.option("--reason", default="paused by staff", show_default=True)
def subscribers_pause(email: str, reason: str) -> None:
    """Stop sending to EMAIL until resumed."""
    from funding.subscriptions import pause

    _, s = _subscription_call(pause, email, reason)
    click.echo(f"{s.email}: paused")


@subscribers.command("resume")
@click.argument("email")
def subscribers_resume(email: str) -> None:
    """Send to EMAIL again (active if it was confirmed, else pending)."""
    from funding.subscriptions import resume

    _, s = _subscription_call(resume, email)
    click.echo(f"{s.email}: {s.status}")


@subscribers.command("remove")
@click.argument("email")
def subscribers_remove(email: str) -> None:
    """Delete EMAIL and what is kept about it (its partnership too when no one else uses it)."""
    from funding.subscriptions import delete_subscriber

    _, deleted = _subscription_call(delete_subscriber, email)
    click.echo(f"{email}: {'deleted' if deleted else 'no such subscriber'}")


@subscribers.command("export")
@click.argument("email")
def subscribers_export(email: str) -> None:
    """Everything kept about EMAIL, as JSON (a subscriber's request for their data)."""
    import json

    from funding.subscriptions import export_subscriber_data

    _, data = _subscription_call(export_subscriber_data, email)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@subscribers.command("confirm")
@click.argument("token")
def subscribers_confirm(token: str) -> None:
    """Confirm a subscription from the token of its confirmation link."""
    from funding.subscriptions import confirm

    _, s = _subscription_call(confirm, token)
    click.echo(f"{s.email}: {s.status}")


@subscribers.command("unsubscribe")
@click.argument("token")
def subscribers_unsubscribe(token: str) -> None:
    """Unsubscribe from the token of a link (e.g. a mailto: unsubscribe request)."""
    from funding.subscriptions import unsubscribe

    _, s = _subscription_call(unsubscribe, token)
    click.echo(f"{s.email}: unsubscribed")

if __name__ == "__main__":
    main()
