"""Source health: fill rates of the key fields, and the flags a run earns against the last good one.

A run is flagged when it failed, when its item count fell by more than half since the last good
run (the last "ok" run of the source), or when a key field's fill rate collapsed (below half its
last good value and down by at least 20 points). Flags are plain sentences, stored on the run.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from funding.i18n import MONTHS, language
from funding.store.models import SourceRun

#: Key fields whose fill rate is watched; "amount" is any of amount_min, amount_max, total_budget.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "deadlines": ("deadlines",),
    "applicant_types": ("applicant_types", "applicant_types_raw"),
    "amount": ("amount_min", "amount_max", "total_budget"),
}
COUNT_DROP = 0.5  # flag when items fall below half of the last good run
FILL_DROP_RATIO = 0.5  # a fill rate collapses below half of its last good value...
FILL_DROP_POINTS = 0.20  # ...and by at least 20 points


class FillCounter:
    """Counts, over the rows a run stored, how many have each key field."""

    def __init__(self) -> None:
        self.rows = 0
        self.filled = dict.fromkeys(KEY_FIELDS, 0)

    def add(self, row: Mapping[str, Any]) -> None:
        """A validated, normalised row (records.to_row): a key field is filled when it has a value."""
        self.rows += 1
        for key, columns in KEY_FIELDS.items():
            if any(row.get(c) not in (None, [], "") for c in columns):
                self.filled[key] += 1

    def rates(self) -> dict[str, float] | None:
        """Share of rows with each key field, or None when nothing was stored (nothing to judge)."""
        if not self.rows:
            return None
        return {key: round(count / self.rows, 3) for key, count in self.filled.items()}


def last_good_run(session: Session, run: SourceRun) -> SourceRun | None:
    """The latest earlier run of the same source that ended "ok"."""
    query = select(SourceRun).where(
        SourceRun.source == run.source,
        SourceRun.status == "ok",
        col(SourceRun.finished_at).is_not(None),
    )
    if run.id is not None:
        query = query.where(col(SourceRun.id) < run.id)
    return session.exec(query.order_by(col(SourceRun.id).desc())).first()


def assess(session: Session, run: SourceRun, *, lang: str | None = None) -> list[str]:
    """What looks wrong with a finished run, in words; [] for a healthy one."""
    flags = []
    if run.status == "failed":
        flags.append(f"failed: {run.message or 'no reason recorded'}")
    good = last_good_run(session, run)
    if good is None:
        return flags
    since = f"since the last good run on {format_day(good.finished_at or good.started_at, lang)}"
    before, now = good.items_seen or 0, run.items_seen or 0
    if before > 0 and now < before * COUNT_DROP:
        change = round((now - before) / before * 100)
        flags.append(f"items fell from {before} to {now} ({change} %) {since}")
    previous, current = good.fill_rates or {}, run.fill_rates or {}
    for key in KEY_FIELDS:
        old, new = previous.get(key), current.get(key)
        if old is None or new is None:
            continue
        if new < old * FILL_DROP_RATIO and old - new >= FILL_DROP_POINTS - 1e-9:
            flags.append(
                f"{key.replace('_', ' ')} filled in {_percent(new)} of items, down from "
                f"{_percent(old)} {since}"
            )
    return flags


def format_day(moment: datetime, lang: str | None = None) -> str:
    """'12 mars 2026' (or '12 March 2026' in English)."""
    months = MONTHS[language(lang)]
    return f"{moment.day} {months[moment.month - 1]} {moment.year}"


def _percent(rate: float) -> str:
    return f"{round(rate * 100)} %"


def source_table(latest: Iterable[SourceRun], declared: Mapping[str, Any]) -> list[str]:
    """Every declared source (then any other that has runs) with its last run and its flags.

    `latest` is each source's last run (funding.store.opportunities.latest_runs): health judges runs, the store
    reads them, and neither imports the other's way."""
    runs = {run.source: run for run in latest}
    header = (
        "source",
        "kind",
        "enabled",
        "last run (UTC)",
        "status",
        "items",
        "new",
        "upd",
        "same",
        "rej",
        "err",
        "duration",
        "filled: deadl./appl./amount",
    )
    rows, flags = [], {}
    for name in [*declared, *sorted(set(runs) - set(declared))]:
        source = declared.get(name)
        kind = source.kind if source is not None else "(not declared)"
        enabled = "-" if source is None else ("yes" if source.enabled else "no")
        if source is not None and source.unverified:
            enabled += " (unverified)"
        run = runs.get(name)
        if run is None:
            rows.append((name, kind, enabled, "never", "", "", "", "", "", "", "", "", ""))
            continue
        rows.append(
            (
                name,
                kind,
                enabled,
                run.started_at.strftime("%Y-%m-%d %H:%M"),
                run.status,
                str(run.items_seen),
                str(run.inserted),
                str(run.updated),
                str(run.unchanged),
                str(run.rejected),
                str(run.errors or 0),
                f"{run.duration_seconds:.1f} s" if run.duration_seconds is not None else "",
                "/".join(
                    _percent(r) if (r := (run.fill_rates or {}).get(k)) is not None else "-"
                    for k in KEY_FIELDS
                )
                if run.fill_rates
                else "",
            )
        )
        flags[name] = list(run.flags or ())
        if run.status == "failed" and not run.flags:
            flags[name].append(f"failed: {run.message or 'no reason recorded'}")
    numeric = set(range(5, 12))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    out = [line(header)]
    for row in rows:
        out.append(line(row))
        out.extend(f"    ! {flag}" for flag in flags.get(row[0], ()))
    flagged = sum(1 for name in flags if flags[name])
    out.append(f"{len(rows)} sources, {flagged} flagged")
    return out


def field_report(
    session: Session, source: str, *, limit: int | None = None
) -> tuple[int, list[str]]:
    """How many stored items of a source state each contract field, with one example each.

    Values read from the text by enrichment (inferred_fields) do not count: the question is what
    the source itself gave. Returns (items stored, lines).
    """
    from funding.contracts.fields import CONTRACT_FIELDS
    from funding.contracts.records import to_contract
    from funding.store.models import Opportunity

    query = select(Opportunity).where(Opportunity.source == source).order_by(Opportunity.id)
    items = list(session.exec(query))
    records = [(to_contract(item), set(item.inferred_fields or ())) for item in items]
    if not items:
        return 0, ["nothing found: no item was stored (see the crawl's messages above)"]
    lines = [
        f"{len(items)} item(s) stored"
        + (f" (limit {limit})" if limit else "")
        + "; what the source stated, field by field:",
        f"  {'field':<22} {'found':>7}  example",
    ]
    for field in CONTRACT_FIELDS:
        column = "source_status" if field == "status" else field
        values = [
            value
            for record, inferred in records
            if column not in inferred and (value := record.get(field)) not in (None, [], "")
        ]
        example = _example(values[0]) if values else "-"
        lines.append(f"  {field:<22} {f'{len(values)}/{len(items)}':>7}  {example}")
    return len(items), lines


def _example(value: Any, width: int = 70) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
