"""Matching: calls for a partnership, past awards, potential partners."""

import sys
from datetime import date
from pathlib import Path

import click
from sqlmodel import Session

from funding.cli import main, parse_day, tell_report
from funding.i18n import t
from funding.store.db import get_engine, upgrade


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
    profile_path: Path | None,
    like_id: str | None,
    as_of: str | None,
    limit: int,
    include_ineligible: bool,
    fmt: str,
    lang: str | None,
) -> None:
    """The calls that fit a partnership profile, best first, with why (or --like ID)."""
    import json

    from funding.i18n import language
    from funding.matching import ProfileError, load_profile, match, more_like_this

    if (profile_path is None) == (like_id is None):
        raise click.UsageError("give either --profile FILE or --like ID")
    day = parse_day(as_of) or date.today()
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
    from funding.ingest.importer import count_records
    from funding.ingest.run import ImportReport

    engine = get_engine()
    upgrade(engine)
    total = ImportReport()
    for path in files:
        with click.progressbar(length=count_records(path), label=path.name, file=sys.stderr) as bar:
            report = import_awards(engine, path, progress=bar.update)
        tell_report(path, report, total)
    if len(files) > 1:
        click.echo(f"total: {total.summary()}")
    from funding.awards.partners import refresh_award_index

    index = refresh_award_index(engine)  # built once here, not by the first partner query
    click.echo(f"partner index: {len(index.ids)} funded projects", err=True)
    sys.exit(1 if total.rejected else 0)


@main.command("partners")
@click.option(
    "--profile",
    "profile_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A partnership profile (JSON, profile.schema.json).",
)
@click.option("--call", "call_id", help="A call whose consortium requirements to fill.")
@click.option("--near", help="NUTS regions the organisation must be in, e.g. CH013,FRK28.")
@click.option("--country", help="Country of the organisation (ISO 3166-1 alpha-2).")
@click.option(
    "--type",
    "kind",
    type=click.Choice(["PRC", "HES", "REC", "PUB", "OTH"]),
    help="PRC company, HES higher education, REC research, PUB public body, OTH other.",
)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--lang", type=click.Choice(["fr", "en"]), default=None, help="Default: FUNDING_LANGUAGE or fr."
)
def partners_command(
    profile_path: Path,
    call_id: str | None,
    near: str | None,
    country: str | None,
    kind: str | None,
    limit: int,
    fmt: str,
    lang: str | None,
) -> None:
    """Organisations that took part in funded projects close to a partnership's project."""
    import json

    from funding.awards.partners import suggest_partners, to_csv
    from funding.i18n import language, t
    from funding.matching import ProfileError, load_profile
    from funding.matching.facts import CallFacts
    from funding.store.opportunities import get_opportunity

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
        found = suggest_partners(
            session,
            profile,
            call=call,
            near=regions,
            country=country.upper() if country else None,
            kind=kind,
            limit=limit,
        )
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in found], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        click.echo(to_csv(found), nl=False)
        return
    for rank, s in enumerate(found, 1):
        o = s.organisation
        kind_words = t(f"type_{o.type}", lang) if o.type else "?"
        click.echo(
            f"{rank:>3}. {s.score:5.3f}  {o.name[:60]}  ({o.country or '?'}"
            f"{' ' + o.region if o.region else ''}, {kind_words})  "
            f"{t('projects_as', lang, n=s.experience, lead=s.coordinated)}"
        )
        for project_id, closeness, role in s.projects:
            click.echo(
                f"       {closeness:4.2f} {project_id} ({t(f'role_{role}', lang) if role else '?'})"
            )
        for requirement in s.fills:
            click.echo(f"       {t('fills_requirement', lang, words=requirement.words[:120])}")
    if not found:
        click.echo(t("no_organisation", lang))


# Digests, the scheduler and subscribers (funding/digests/, funding/scheduler.py) -----------------
