"""Sending through SMTP with the ledger: what is due goes out once; temporary failures are retried
with backoff and recorded, a rejected address pauses its subscriber and tells staff."""

import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from funding.access.accounts import may_send_link
from funding.digests import ledger
from funding.digests.build import Digest, DigestBuilder, default_since, local_day, period_of
from funding.digests.render import (
    render_confirmation,
    render_digest,
    render_sign_in,
    render_staff_alert,
)
from funding.settings import Settings, get_settings
from funding.store.models import Partnership, SourceRun, Subscriber, utcnow

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The server did not take the message; `permanent` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool, attempts: int = 1) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.attempts = attempts


def _classify(exc: Exception) -> tuple[bool, str]:
    """(permanent, reason): a 5xx answer to RCPT (or to the message) is permanent, the rest is not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(exc.recipients.values()))
        return code >= 500, f"{code} {answer.decode(errors='replace')}"
    if isinstance(exc, smtplib.SMTPSenderRefused):  # our configuration, not their address
        return False, f"sender refused: {exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False, f"authentication failed: {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= 500, f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return False, f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    return False, f"{type(exc).__name__}: {exc}"


class Mailer:
    """One SMTP connection reused for a run (FUNDING_SMTP_...), reopened after a failure."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        retries: int | None = None,
        backoff: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or get_settings()
        self.retries = max(1, retries if retries is not None else self.settings.smtp_retries)
        self.backoff = backoff if backoff is not None else self.settings.smtp_backoff
        self.sleep = sleep
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            if s.smtp_starttls:
                smtp.starttls()
        if s.smtp_user:
            smtp.login(s.smtp_user, s.smtp_password or "")
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Hand the message to the server; DeliveryError when it did not take it."""
        reason = ""
        for attempt in range(1, self.retries + 1):
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                self._smtp.send_message(message)
                return
            except (TimeoutError, smtplib.SMTPException, OSError) as exc:
                permanent, reason = _classify(exc)
                if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                    self._reset()
                else:
                    self._drop()
                if permanent:
                    raise DeliveryError(reason, permanent=True, attempts=attempt) from exc
                if attempt < self.retries:
                    self.sleep(self.backoff * 2 ** (attempt - 1))
        raise DeliveryError(reason, permanent=False, attempts=self.retries)

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            except OSError:
                pass
        self._smtp = None


@dataclass
class SendReport:
    due: int = 0
    sent: int = 0
    empty: int = 0
    already: int = 0  # sent before, or being sent by another run
    failed: int = 0
    paused: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.due} due: {self.sent} sent, {self.empty} empty (not sent), "
            f"{self.already} already sent or in progress, {self.failed} failed"
        )
        if self.paused:
            text += f", {len(self.paused)} address(es) rejected and paused"
        if self.written:
            text += f", {len(self.written)} written"
        return text


Hook = Callable[[Digest], None]


def due_subscribers(
    session: Session, *, frequency: str | None = None, email: str | None = None
) -> list[Subscriber]:
    query = select(Subscriber).where(Subscriber.status == "active").order_by(Subscriber.id)
    if frequency:
        query = query.where(Subscriber.frequency == frequency)
    if email:
        query = query.where(Subscriber.email == email)
    return list(session.exec(query))


def build_due(
    session: Session,
    *,
    now: datetime,
    kind: str = "digest",
    frequency: str | None = None,
    email: str | None = None,
    settings: Settings | None = None,
) -> tuple[list[Digest], int]:
    """The digests (or reminders) not sent yet for the current period, and how many were."""
    settings = settings or get_settings()
    today = local_day(now, settings)
    subscribers = due_subscribers(session, frequency=frequency, email=email)
    if kind == "reminder":
        periods = {s.id: today.isoformat() for s in subscribers}
    else:
        periods = {s.id: period_of(s.frequency, today) for s in subscribers}
    done = ledger.sent_keys(session, kind, periods)  # type: ignore[arg-type]
    todo = [s for s in subscribers if s.id not in done]
    builder = DigestBuilder(session, now=now, settings=settings)
    if kind == "reminder":
        return builder.reminders(todo), len(done)
    since = {s.id: default_since(s, now) for s in todo}
    return builder.build(todo, period=periods, since=since), len(done)  # type: ignore[arg-type]


def send_due(
    engine: Engine,
    *,
    now: datetime | None = None,
    kind: str = "digest",
    frequency: str | None = None,
    email: str | None = None,
    mailer: Mailer | None = None,
    settings: Settings | None = None,
    on_claimed: Hook | None = None,
) -> SendReport:
    """Send every digest (or reminder) due now that no run sent; safe to run twice, or at once."""
    settings = settings or get_settings()
    now = now or utcnow()
    stale = timedelta(seconds=settings.digest_claim_stale_after)
    report = SendReport()
    with Session(engine, expire_on_commit=False) as session:
        digests, report.already = build_due(
            session, now=now, kind=kind, frequency=frequency, email=email, settings=settings
        )
    report.due = len(digests) + report.already
    own = mailer is None
    mailer = mailer or Mailer(settings)
    try:
        for digest in digests:
            if digest.empty and (kind == "reminder" or not settings.digest_send_empty):
                report.empty += 1
                continue
            s = digest.subscriber
            delivery = ledger.claim(
                engine,
                s.id,
                kind,
                digest.period,
                now=utcnow(),  # type: ignore[arg-type]
                stale_after=stale,
            )
            if delivery is None:
                report.already += 1
                continue
            if on_claimed is not None:
                on_claimed(digest)
            message = render_digest(digest, message_id=delivery.message_id, settings=settings)
            try:
                mailer.send(message)
            except DeliveryError as exc:
                ledger.mark_failed(engine, delivery, str(exc), attempts=exc.attempts)
                report.failed += 1
                if exc.permanent:
                    _rejected(engine, s, digest, str(exc), mailer, settings)
                    report.paused.append(s.email)
                continue
            ledger.mark_sent(engine, delivery, item_ids=digest.item_ids, digest=kind == "digest")
            report.sent += 1
    finally:
        if own:
            mailer.close()
    return report


def write_due(
    engine: Engine,
    out: Path,
    *,
    now: datetime | None = None,
    kind: str = "digest",
    frequency: str | None = None,
    email: str | None = None,
    settings: Settings | None = None,
) -> SendReport:
    """Dry run: the e-mails that are due, as .eml files; the ledger is not touched."""
    settings = settings or get_settings()
    now = now or utcnow()
    out.mkdir(parents=True, exist_ok=True)
    report = SendReport()
    with Session(engine, expire_on_commit=False) as session:
        digests, report.already = build_due(
            session, now=now, kind=kind, frequency=frequency, email=email, settings=settings
        )
    report.due = len(digests) + report.already
    for digest in digests:
        if digest.empty and (kind == "reminder" or not settings.digest_send_empty):
            report.empty += 1
            continue
        message = render_digest(digest, settings=settings)
        safe = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in digest.subscriber.email)
        path = out / f"{kind}-{digest.period}-{safe}.eml"
        path.write_bytes(bytes(message))
        report.written.append(path)
    return report


def _rejected(
    engine: Engine,
    subscriber: Subscriber,
    digest: Digest,
    reason: str,
    mailer: Mailer,
    settings: Settings,
) -> None:
    ledger.pause_subscriber(engine, subscriber.id, f"address rejected: {reason}")  # type: ignore[arg-type]
    alert_staff(
        engine,
        f"subscriber:{subscriber.id}:{digest.kind}:{digest.period}",
        f"address rejected, subscriber paused: {subscriber.email}",
        f"The mail server refused {subscriber.email} ({reason}) when sending the {digest.kind} "
        f"for {digest.period} ({digest.partnership.name}).\n\nThe subscriber is paused: nothing "
        "more is sent to it. Once the address is fixed or confirmed, resume it with\n\n"
        f"    funding subscribers resume {subscriber.email}\n",
        mailer=mailer,
        settings=settings,
    )


def alert_staff(
    engine: Engine,
    key: str,
    subject: str,
    body: str,
    *,
    mailer: Mailer | None = None,
    settings: Settings | None = None,
) -> bool:
    """One e-mail to FUNDING_STAFF_EMAILS per key, ever; True when it went out now."""
    settings = settings or get_settings()
    alert = ledger.claim_alert(
        engine, key, subject, body, stale_after=timedelta(seconds=settings.digest_claim_stale_after)
    )
    if alert is None:
        return False
    recipients = settings.staff_addresses
    if not recipients:
        log.warning("staff alert not sent (FUNDING_STAFF_EMAILS is empty): %s", subject)
        ledger.finish_alert(engine, alert, "no_staff")
        return False
    own = mailer is None
    mailer = mailer or Mailer(settings)
    try:
        mailer.send(render_staff_alert(subject, body, recipients, settings=settings))
    except DeliveryError as exc:
        ledger.finish_alert(engine, alert, "failed", str(exc))
        return False
    finally:
        if own:
            mailer.close()
    ledger.finish_alert(engine, alert, "sent")
    return True


def alert_flagged_sources(
    engine: Engine,
    *,
    within: timedelta = timedelta(days=2),
    mailer: Mailer | None = None,
    settings: Settings | None = None,
) -> int:
    """Tell staff about each source whose latest run (finished lately) was flagged, once per run."""
    since = utcnow() - within
    with Session(engine, expire_on_commit=False) as session:
        runs = list(
            session.exec(
                select(SourceRun)
                .where(SourceRun.finished_at >= since)
                .order_by(col(SourceRun.id).desc())
            )
        )
    latest: dict[str, SourceRun] = {}
    for run in runs:
        latest.setdefault(run.source, run)
    sent = 0
    for run in latest.values():
        if not run.flags and run.status != "failed":
            continue
        flags = list(run.flags or ()) or [run.message or "the run failed"]
        body = (
            f"Source {run.source}, run {run.id} ({run.status}), finished "
            f"{run.finished_at:%Y-%m-%d %H:%M} UTC:\n\n"
            + "\n".join(f"  - {flag}" for flag in flags)
            + f"\n\n{run.items_seen} items: {run.inserted} inserted, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.rejected} rejected.\n\n"
            "See `funding sources` and `funding sources check " + run.source + "`.\n"
        )
        subject = f"source {run.source} flagged: {flags[0][:120]}"
        if alert_staff(
            engine, f"source_run:{run.id}", subject, body, mailer=mailer, settings=settings
        ):
            sent += 1
    return sent


def send_confirmation(
    engine: Engine,
    subscriber_id: int,
    *,
    mailer: Mailer | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> bool:
    """The double opt-in e-mail, at most one a day per address (the ledger's period is the day)."""
    settings = settings or get_settings()
    now = now or utcnow()
    with Session(engine, expire_on_commit=False) as session:
        subscriber = session.get(Subscriber, subscriber_id)
        if subscriber is None or subscriber.status != "pending":
            return False
        partnership = session.get(Partnership, subscriber.partnership_id)
    period = f"confirm:{local_day(now, settings).isoformat()}"
    delivery = ledger.claim(engine, subscriber_id, "confirmation", period, now=now)
    if delivery is None:
        return False
    message = render_confirmation(
        subscriber,
        partnership.name if partnership else "",
        message_id=delivery.message_id,
        settings=settings,
    )
    own = mailer is None
    mailer = mailer or Mailer(settings)
    try:
        mailer.send(message)
    except DeliveryError as exc:
        ledger.mark_failed(engine, delivery, str(exc), attempts=exc.attempts)
        return False
    finally:
        if own:
            mailer.close()
    ledger.mark_sent(engine, delivery)
    return True


def send_sign_in_link(
    session: Session,
    email: str,
    lang: str = "fr",
    *,
    client: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> bool:
    """E-mail a sign-in link; False (nothing sent) when this address or client asked too often
    (funding.access.accounts.may_send_link). SubscriptionError for a malformed address, DeliveryError
    when SMTP fails."""
    settings = settings or get_settings()
    if not may_send_link(session, email, client=client, now=now, settings=settings):
        return False
    with Mailer(settings) as mailer:
        mailer.send(render_sign_in(email, lang, settings=settings))
    return True
