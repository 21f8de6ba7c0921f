"""What goes in each subscriber's digest: new calls that fit, changed calls (before / after) and
watched calls closing soon, ranked by the one matching engine, hidden calls left out."""

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from funding.awards.view import forecast_sentence
from funding.contracts.fields import DIGEST_FIELDS
from funding.contracts.status import next_deadline
from funding.i18n import t
from funding.matching import Match, parse_profile, rank, retrieve
from funding.matching.facts import CallFacts
from funding.matching.query import build_query
from funding.matching.rules import ELIGIBILITY
from funding.normalize import format_amount, format_date, label
from funding.settings import Settings, get_settings
from funding.store.models import (
    AwardProject,
    FieldChange,
    HiddenCall,
    Opportunity,
    Partnership,
    Subscriber,
    WatchedCall,
)

CLOSING_SOON_DAYS = 14
REMINDER_DAYS = (14, 3)
ACTIVE_STAGES = ("interested", "preparing")
# How many ranked calls each profile gets from the engine; the digest shows the first N of them.
MATCH_LIMIT = 60
CHUNK = 500


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class Item:
    """One call in a digest, in one section: new, changed or closing (soon)."""

    opportunity: Opportunity
    section: str
    next_deadline: date | None
    verdict: str | None = None
    score: float | None = None
    reasons: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    days_left: int | None = None
    watched: bool = False
    forecast: str | None = None  # a watched call's next edition, from past awards


@dataclass
class Digest:
    """One e-mail for one subscriber and one period; `items` in order, the first `max_items` shown."""

    subscriber: Subscriber
    partnership: Partnership
    kind: str  # digest | reminder
    period: str
    since: datetime
    today: date
    items: list[Item]
    max_items: int

    @property
    def empty(self) -> bool:
        return not self.items

    @property
    def shown(self) -> list[Item]:
        return self.items[: self.max_items]

    @property
    def more(self) -> int:
        return max(0, len(self.items) - self.max_items)

    @property
    def nearest_deadline(self) -> date | None:
        days = [
            i.next_deadline for i in self.items if i.next_deadline and i.next_deadline >= self.today
        ]
        return min(days, default=None)

    @property
    def item_ids(self) -> list[str]:
        return [i.opportunity.id for i in self.items]


def zone(settings: Settings | None = None) -> ZoneInfo:
    return ZoneInfo((settings or get_settings()).timezone)


def local_day(now: datetime, settings: Settings | None = None) -> date:
    return now.astimezone(zone(settings)).date()


def period_of(frequency: str, day: date) -> str:
    """ISO week "2026-W48" for a weekly digest, the day "2026-11-26" for a daily one."""
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def default_since(subscriber: Subscriber, now: datetime) -> datetime:
    """Since the last digest sent, else one period back."""
    if subscriber.last_digest_at is not None:
        return subscriber.last_digest_at
    return now - (timedelta(days=7) if subscriber.frequency == "weekly" else timedelta(days=1))


def _chunks(values: list[str], size: int = CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def format_value(name: str, value: Any, lang: str, currency: str | None = None) -> str:
    """A field's value as a reader of that language expects it; 'not stated' for nothing."""
    if value is None or value == []:
        return t("not_stated", lang)
    if name == "deadlines":
        days = [date.fromisoformat(str(v)[:10]) for v in value]
        return ", ".join(format_date(d, lang) for d in days)
    if name in ("amount_min", "amount_max"):
        return format_amount(float(value), currency or "EUR", lang)
    if name == "cofinancing_rate_max":
        rate = float(value) * 100 if float(value) <= 1 else float(value)
        return f"{rate:.0f}\u00a0%"
    if name == "applicant_types":
        return ", ".join(label("applicant_type", v, lang) for v in value)
    if name == "partnership_required":
        return t("yes" if value else "no", lang)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass
class Ranked:
    """What a digest keeps of the engine's answer for one call (small, crosses processes)."""

    id: str
    score: float
    verdict: str
    next_deadline: date | None
    reasons: list[str]
    fits: bool = True


def _rank_jobs(
    calls: list[CallFacts], jobs: list[tuple], today: date, limit: int
) -> dict[tuple[int, str], list[Ranked]]:
    """rank() for some (partnership, language) groups, each over its own candidate calls."""
    by_id = {c.id: c for c in calls}
    found = {}
    for pid, lang, profile, stats, similar, ids in jobs:
        found[(pid, lang)] = [
            Ranked(m.opportunity.id, m.score, m.verdict, m.next_deadline, reasons_of(m), m.fits)
            for m in rank(
                [by_id[i] for i in ids],
                profile,
                as_of=today,
                statistics=stats,
                similarities=similar,
                limit=limit,
                lang=lang,
            )
        ]
    return found


def reasons_of(m: Match, limit: int = 3) -> list[str]:
    """What to check first (unknowns of eligibility), then what fits: the engine's explanations."""
    unknown = [
        c.explanation for c in m.criteria if c.result == "unknown" and c.criterion in ELIGIBILITY
    ]
    passed = [c.explanation for c in m.criteria if c.result == "pass"]
    return (unknown + passed)[:limit]


class DigestBuilder:
    """Builds many digests in one pass: the engine runs once per (partnership, language).

    The calls that are candidates for some digest (new or changed since the oldest 'since', or
    watched) are ranked with the engine's own retrieve() and rank(): a digest offers a new call
    exactly when the Find page lists it as fitting, in the same order, with the same score.
    """

    def __init__(
        self,
        session: Session,
        *,
        now: datetime,
        settings: Settings | None = None,
        max_items: int | None = None,
        match_limit: int = MATCH_LIMIT,
    ) -> None:
        self.session = session
        self.now = now
        self.settings = settings or get_settings()
        self.today = local_day(now, self.settings)
        self.max_items = max_items or self.settings.digest_max_items
        self.match_limit = match_limit
        self._matches: dict[tuple[int, str], list[Ranked]] = {}
        self.match_calls = 0
        self._awards: bool | None = None

    # Loading ---------------------------------------------------------------------------------

    def _partnerships(self, ids: set[int]) -> dict[int, Partnership]:
        query = select(Partnership).where(col(Partnership.id).in_(ids))
        return {p.id: p for p in self.session.exec(query)}  # type: ignore[misc]

    def _hidden(self, ids: set[int]) -> dict[int, set[str]]:
        hidden: dict[int, set[str]] = defaultdict(set)
        query = select(HiddenCall.partnership_id, HiddenCall.opportunity_id).where(
            col(HiddenCall.partnership_id).in_(ids)
        )
        for pid, oid in self.session.exec(query):
            hidden[pid].add(oid)
        return hidden

    def _watched(self, ids: set[int]) -> dict[int, list[WatchedCall]]:
        watched: dict[int, list[WatchedCall]] = defaultdict(list)
        query = select(WatchedCall).where(
            col(WatchedCall.partnership_id).in_(ids), col(WatchedCall.stage).in_(ACTIVE_STAGES)
        )
        for w in self.session.exec(query):
            watched[w.partnership_id].append(w)
        return watched

    def _changes(self, since: datetime) -> dict[str, list[FieldChange]]:
        changes: dict[str, list[FieldChange]] = defaultdict(list)
        query = (
            select(FieldChange)
            .where(FieldChange.changed_at >= since, col(FieldChange.field).in_(list(DIGEST_FIELDS)))
            .order_by(FieldChange.changed_at, FieldChange.id)
        )
        for change in self.session.exec(query):
            changes[change.opportunity_id].append(change)
        return changes

    def _new_ids(self, since: datetime) -> list[str]:
        query = select(Opportunity.id).where(
            Opportunity.first_seen_at >= since, col(Opportunity.merged_into).is_(None)
        )
        return list(self.session.exec(query))

    def _rows(self, ids: list[str]) -> list[Opportunity]:
        rows = []
        for chunk in _chunks(ids):
            rows.extend(
                self.session.exec(select(Opportunity).where(col(Opportunity.id).in_(chunk)))
            )
        return rows

    # Ranking ---------------------------------------------------------------------------------

    def _rank(
        self,
        groups: set[tuple[int, str]],
        partnerships: dict[int, Partnership],
        candidates: list[Opportunity],
    ) -> None:
        """Every (partnership, language) group ranked once: the candidate calls the engine's
        retrieve() finds for its profile, ordered by the engine's own rank(), so a digest offers
        the calls the Find page and `funding match` list, in their order, with their scores."""
        if not candidates:
            self._matches = {g: [] for g in groups}
            return
        wanted = {o.id for o in candidates}
        calls: dict[str, CallFacts] = {}
        jobs = []
        for pid, lang in sorted(groups):
            profile = parse_profile(partnerships[pid].profile)
            found = retrieve(self.session, build_query(profile))
            ids = [f.id for f in found.facts if f.id in wanted]
            calls.update((f.id, f) for f in found.facts if f.id in wanted)
            jobs.append(
                (
                    pid,
                    lang,
                    profile,
                    found.statistics,
                    {i: found.similarities[i] for i in ids if i in found.similarities},
                    ids,
                )
            )
        self.match_calls += len(jobs)
        self._matches = self._run(list(calls.values()), jobs)

    def _run(self, calls: list[CallFacts], jobs: list) -> dict[tuple[int, str], list[Ranked]]:
        """In this process, or spread over FUNDING_DIGEST_WORKERS processes for many groups."""
        workers = min(self.settings.digest_workers or os.cpu_count() or 1, len(jobs) // 20)
        if workers <= 1:
            return _rank_jobs(calls, jobs, self.today, self.match_limit)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        parts = [jobs[k :: workers * 4] for k in range(workers * 4)]
        found: dict[tuple[int, str], list[Ranked]] = {}
        context = multiprocessing.get_context("spawn")  # no fork of a threaded scheduler
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [
                pool.submit(_rank_jobs, calls, part, self.today, self.match_limit)
                for part in parts
                if part
            ]
            for future in futures:
                found.update(future.result())
        return found

    # Building --------------------------------------------------------------------------------

    def build(
        self,
        subscribers: list[Subscriber],
        *,
        period: dict[int, str] | None = None,
        since: dict[int, datetime] | None = None,
    ) -> list[Digest]:
        """One digest per subscriber (empty ones included: the sender decides)."""
        if not subscribers:
            return []
        since = since or {s.id: default_since(s, self.now) for s in subscribers}  # type: ignore[misc]
        period = period or {s.id: period_of(s.frequency, self.today) for s in subscribers}  # type: ignore[misc]
        pids = {s.partnership_id for s in subscribers}
        partnerships = self._partnerships(pids)
        hidden = self._hidden(pids)
        watched = self._watched(pids)
        oldest = min(since.values())
        changes = self._changes(oldest)
        candidate_ids = set(self._new_ids(oldest)) | set(changes)
        candidate_ids |= {w.opportunity_id for ws in watched.values() for w in ws}
        candidates = [o for o in self._rows(sorted(candidate_ids)) if o.merged_into is None]
        by_id = {o.id: o for o in candidates}
        groups = {(s.partnership_id, s.language) for s in subscribers}
        self._rank(groups, partnerships, candidates)
        digests = []
        for s in subscribers:
            p = partnerships[s.partnership_id]
            items = self._items(
                s,
                since[s.id],
                self._matches.get((s.partnership_id, s.language), []),
                hidden[s.partnership_id],
                watched[s.partnership_id],
                changes,
                by_id,
            )
            digests.append(
                Digest(s, p, "digest", period[s.id], since[s.id], self.today, items, self.max_items)
            )
        return digests

    def _items(
        self,
        s: Subscriber,
        since: datetime,
        matches: list[Ranked],
        hidden: set[str],
        watched: list[WatchedCall],
        changes: dict[str, list[FieldChange]],
        by_id: dict[str, Opportunity],
    ) -> list[Item]:
        lang = s.language
        watched_ids = {w.opportunity_id for w in watched}
        new, changed, closing, seen = [], [], [], set()
        for m in matches:
            o = by_id[m.id]
            if (
                o.id in hidden or not m.fits
            ):  # a digest offers the calls that fit, never the nearest
                continue
            item = Item(
                o,
                "new",
                m.next_deadline,
                m.verdict,
                m.score,
                m.reasons,
                watched=o.id in watched_ids,
            )
            if o.first_seen_at >= since:
                new.append(item)
            else:
                item.changes = self._net_changes(changes.get(o.id, ()), since, lang, o.currency)
                if not item.changes:
                    continue
                item.section = "changed"
                changed.append(item)
            seen.add(o.id)
        ranked = {m.id: m for m in matches}
        for w in watched:
            o = by_id.get(w.opportunity_id)
            if o is None or o.id in seen or o.id in hidden:
                continue
            upcoming = next_deadline(o.deadlines, self.today)
            if upcoming is None or (upcoming - self.today).days > CLOSING_SOON_DAYS:
                continue
            m = ranked.get(o.id)
            closing.append(
                Item(
                    o,
                    "closing",
                    upcoming,
                    m.verdict if m else None,
                    m.score if m else None,
                    m.reasons if m else [],
                    days_left=(upcoming - self.today).days,
                    watched=True,
                )
            )
        closing.sort(key=lambda i: (i.next_deadline or date.max, i.opportunity.id))
        items = new + changed + closing
        if self._has_awards():
            for item in items:
                if item.watched:
                    item.forecast = forecast_sentence(
                        self.session, item.opportunity, as_of=self.today, lang=lang
                    )
        return items

    def _has_awards(self) -> bool:
        """Past awards are stored (without them no call has a forecast: no query per item)."""
        if self._awards is None:
            found = self.session.exec(select(AwardProject.id).limit(1)).first()
            self._awards = found is not None
        return self._awards

    @staticmethod
    def _net_changes(
        found: Iterable[FieldChange], since: datetime, lang: str, currency: str | None
    ) -> list[Change]:
        """Per field, the value before the period and the value now; back-and-forth cancels out."""
        first: dict[str, Any] = {}
        last: dict[str, Any] = {}
        for c in found:
            if c.changed_at < since:
                continue
            first.setdefault(c.field, c.old_value)
            last[c.field] = c.new_value
        result = []
        for name, before in first.items():
            after = last[name]
            if before == after:
                continue
            fr, en = DIGEST_FIELDS[name]
            result.append(
                Change(
                    name,
                    fr if lang == "fr" else en,
                    format_value(name, before, lang, currency),
                    format_value(name, after, lang, currency),
                )
            )
        return result

    # Reminders -------------------------------------------------------------------------------

    def reminders(self, subscribers: list[Subscriber]) -> list[Digest]:
        """Watched calls whose next deadline is 14 or 3 days away: one e-mail a day per subscriber."""
        pids = {s.partnership_id for s in subscribers}
        partnerships = self._partnerships(pids)
        watched = self._watched(pids)
        hidden = self._hidden(pids)
        rows = {
            o.id: o
            for o in self._rows(sorted({w.opportunity_id for ws in watched.values() for w in ws}))
        }
        digests = []
        for s in subscribers:
            items = []
            for w in watched[s.partnership_id]:
                o = rows.get(w.opportunity_id)
                if o is None or o.id in hidden[s.partnership_id]:
                    continue
                upcoming = next_deadline(o.deadlines, self.today)
                if upcoming is not None and (upcoming - self.today).days in REMINDER_DAYS:
                    items.append(
                        Item(
                            o,
                            "closing",
                            upcoming,
                            days_left=(upcoming - self.today).days,
                            watched=True,
                        )
                    )
            items.sort(key=lambda i: (i.next_deadline or date.max, i.opportunity.id))
            digests.append(
                Digest(
                    s,
                    partnerships[s.partnership_id],
                    "reminder",
                    self.today.isoformat(),
                    self.now,
                    self.today,
                    items,
                    self.max_items,
                )
            )
        return digests
