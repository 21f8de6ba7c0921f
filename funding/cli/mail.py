"""E-mail: digests, the scheduler, subscribers, one-click unsubscribe."""

import sys
from pathlib import Path

import click
from sqlmodel import Session

from funding.cli import main, moment_of, refuse_unsafe
from funding.store.db import get_engine, upgrade


@main.command("one-click")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8502, show_default=True, type=int)
def one_click(host: str, port: int) -> None:
    """Answer the one-click unsubscribe POSTs of mail clients (RFC 8058) at /unsubscribe."""
    from funding.digests.oneclick import make_one_click_server

    refuse_unsafe()
    upgrade(get_engine())
    click.echo(f"one-click unsubscribe on http://{host}:{port}/unsubscribe")
    make_one_click_server(host, port).serve_forever()


@main.command()
@click.option("--send", "send_", is_flag=True, help="Send the digests that are due (SMTP).")
@click.option("--dry-run", is_flag=True, help="Write the due digests as .eml files instead.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="With --dry-run.")
@click.option("--frequency", type=click.Choice(["weekly", "daily"]), help="Default: both.")
@click.option("--reminders", is_flag=True, help="Deadline reminders of watched calls instead.")
@click.option("--email", help="Only this subscriber.")
@click.option("--as-of", help="Take this day as today (default: now).")
def digest(
    send_: bool,
    dry_run: bool,
    out: Path | None,
    frequency: str | None,
    reminders: bool,
    email: str | None,
    as_of: str | None,
) -> None:
    """Send what is due: each active subscriber's digest for this period (ISO week, or day), once.

    Running it again, or twice at once, sends nothing twice (the delivery ledger).
    """
    from funding.digests import send_due, write_due

    if send_ == dry_run:
        raise click.UsageError("give either --send or --dry-run --out DIR")
    if dry_run and out is None:
        raise click.UsageError("--dry-run needs --out DIR")
    if send_:
        refuse_unsafe()
    engine = get_engine()
    upgrade(engine)
    kind = "reminder" if reminders else "digest"
    now = moment_of(as_of)
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
        refuse_unsafe()
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


@main.group()
def subscribers() -> None:
    """People who receive digests: add, list, pause, resume, remove, export their data."""


def _subscription_call(function, *args, **kwargs):
    from funding.digests.subscriptions import SubscriptionError

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
@click.option(
    "--profile",
    "profile_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--frequency", type=click.Choice(["weekly", "daily"]), default="weekly", show_default=True
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "--confirmed",
    is_flag=True,
    help="Active at once (staff vouch for the address); else a confirmation is sent.",
)
def subscribers_add(
    email: str, profile_path: Path, frequency: str, lang: str, confirmed: bool
) -> None:
    """Subscribe EMAIL to the digests of a partnership profile (JSON)."""
    import json

    from funding.digests import send_confirmation
    from funding.digests.subscriptions import subscribe
    from funding.matching import ProfileError

    profile = json.loads(profile_path.read_text("utf-8"))
    try:
        engine, subscriber = _subscription_call(
            subscribe,
            email,
            profile=profile,
            frequency=frequency,
            language=lang,
            confirmed=confirmed,
        )
    except ProfileError as exc:
        raise click.ClickException(f"{profile_path}: {exc}") from None
    if subscriber.status == "pending":
        sent = send_confirmation(engine, subscriber.id)
        click.echo(
            f"{subscriber.email}: pending, confirmation "
            f"{'sent' if sent else 'not sent (already sent today or SMTP failed)'}"
        )
    else:
        click.echo(f"{subscriber.email}: {subscriber.status}, {frequency}, {lang}")


@subscribers.command("list")
@click.option("--status", type=click.Choice(["pending", "active", "paused", "unsubscribed"]))
def subscribers_list(status: str | None) -> None:
    """Every subscriber with status, frequency, language, partnership and last digest."""
    from funding.digests.subscriptions import list_subscribers
    from funding.store.models import Partnership

    engine = get_engine()
    upgrade(engine)
    with Session(engine) as session:
        for s in list_subscribers(session, status=status):
            partnership = session.get(Partnership, s.partnership_id)
            last = s.last_digest_at.strftime("%Y-%m-%d") if s.last_digest_at else "-"
            reason = f"  ({s.paused_reason})" if s.paused_reason else ""
            click.echo(
                f"{s.email:<40} {s.status:<12} {s.frequency:<7} {s.language}  {last:<10}  "
                f"{partnership.name if partnership else '-'}{reason}"
            )


@subscribers.command("pause")
@click.argument("email")
@click.option("--reason", default="paused by staff", show_default=True)
def subscribers_pause(email: str, reason: str) -> None:
    """Stop sending to EMAIL until resumed."""
    from funding.digests.subscriptions import pause

    _, s = _subscription_call(pause, email, reason)
    click.echo(f"{s.email}: paused")


@subscribers.command("resume")
@click.argument("email")
def subscribers_resume(email: str) -> None:
    """Send to EMAIL again (active if it was confirmed, else pending)."""
    from funding.digests.subscriptions import resume

    _, s = _subscription_call(resume, email)
    click.echo(f"{s.email}: {s.status}")


@subscribers.command("remove")
@click.argument("email")
def subscribers_remove(email: str) -> None:
    """Delete EMAIL and what is kept about it (its partnership too when no one else uses it)."""
    from funding.digests.subscriptions import delete_subscriber

    _, deleted = _subscription_call(delete_subscriber, email)
    click.echo(f"{email}: {'deleted' if deleted else 'no such subscriber'}")


@subscribers.command("export")
@click.argument("email")
def subscribers_export(email: str) -> None:
    """Everything kept about EMAIL, as JSON (a subscriber's request for their data)."""
    import json

    from funding.digests.subscriptions import export_subscriber_data

    _, data = _subscription_call(export_subscriber_data, email)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@subscribers.command("confirm")
@click.argument("token")
def subscribers_confirm(token: str) -> None:
    """Confirm a subscription from the token of its confirmation link."""
    from funding.digests.subscriptions import confirm

    _, s = _subscription_call(confirm, token)
    click.echo(f"{s.email}: {s.status}")


@subscribers.command("unsubscribe")
@click.argument("token")
def subscribers_unsubscribe(token: str) -> None:
    """Unsubscribe from the token of a link (e.g. a mailto: unsubscribe request)."""
    from funding.digests.subscriptions import unsubscribe

    _, s = _subscription_call(unsubscribe, token)
    click.echo(f"{s.email}: unsubscribed")
