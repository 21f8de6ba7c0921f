"""After new or changed records are stored: read what their text says, then merge cross-source duplicates."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from funding.enrich import embeddings
from funding.enrich.dedup import auto_merge
from funding.enrich.extract import apply_extractions, extract
from funding.store.db import TakingTurns, begin_write
from funding.store.models import Extraction as ExtractionRow
from funding.store.models import Opportunity

BATCH = 25  # calls per write transaction: a concurrent writer waits well under a second


@dataclass
class EnrichReport:
    examined: int = 0
    proposed: int = 0
    filled: int = 0
    merged: int = 0
    suggested: int = 0
    embedded: int = 0

    def summary(self) -> str:
        return (
            f"{self.examined} examined, {self.proposed} values read from the text "
            f"({self.filled} filled, the rest for review), {self.merged} duplicates merged, "
            f"{self.suggested} possible duplicates for review, {self.embedded} texts embedded"
        )


def enrich(
    session: Session,
    ids: Iterable[str] | None = None,
    *,
    min_confidence: float = 0.7,
    merge: bool = True,
    by: str = "auto",
    progress: Callable[[int], None] | None = None,
    embed: bool | None = None,
) -> EnrichReport:
    """Extract missing fields from the text of the given opportunities (all when ids is None),
    then merge the cross-source duplicates among them and the rest, then embed their texts (unless
    FUNDING_EMBEDDINGS=false or embed=False; a text already embedded is not embedded again).

    Write transactions stay short, whatever the size of the database: each batch is read and
    extracted (the CPU work) without a lock, then written in one transaction that locks its rows
    and reads them again (another writer may have changed or filled them meanwhile); the merges
    go in bounded batches too (funding.enrich.dedup.auto_merge). Only the given ids are enriched: a
    crawl enriches what its own runs changed, never other writers' records.
    """
    report = EnrichReport()
    turns = TakingTurns(session)
    whole = ids is None
    if ids is None:
        ids = session.exec(
            select(Opportunity.id)
            .where(col(Opportunity.merged_into).is_(None))
            .order_by(Opportunity.id)
        ).all()
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        listed = col(Opportunity.merged_into).is_(None)
        read = session.exec(select(Opportunity).where(col(Opportunity.id).in_(chunk), listed)).all()
        proposals = {o.id: (o.content_hash, extract(o)) for o in read}
        session.commit()  # the read ends: nothing is locked while the text is read
        with turns.turn():
            report.examined += _write_batch(session, proposals, report, min_confidence)
            session.commit()
        if progress:
            progress(len(chunk))
    if merge and ids:
        result = auto_merge(session, by=by, ids=None if whole else ids)
        report.merged, report.suggested = len(result.merged), len(result.suggested)
        session.commit()
    if ids and (embeddings.enabled() if embed is None else embed):
        report.embedded = embeddings.embed_calls(session, ids)
    return report


def _write_batch(
    session: Session,
    proposals: dict[str, tuple[str, list]],
    report: EnrichReport,
    min_confidence: float,
) -> int:
    """Record a batch's extractions in one short transaction, its rows locked and read again."""
    if not proposals:
        return 0
    begin_write(session)
    query = select(Opportunity).where(col(Opportunity.id).in_(list(proposals)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.order_by(Opportunity.id).with_for_update()
    current = session.exec(query.execution_options(populate_existing=True)).all()
    known = defaultdict(list)
    for row in session.exec(
        select(ExtractionRow).where(col(ExtractionRow.opportunity_id).in_(list(proposals)))
    ):
        known[row.opportunity_id].append(row)
    examined = 0
    for opportunity in current:
        if opportunity.merged_into:
            continue
        read_hash, found = proposals[opportunity.id]
        if opportunity.content_hash != read_hash:  # its text changed since it was read
            found = extract(opportunity)
        rows = apply_extractions(
            session,
            opportunity,
            found,
            min_confidence=min_confidence,
            known=known[opportunity.id],
        )
        examined += 1
        report.proposed += len(rows)
        report.filled += sum(1 for row in rows if row.applied)
    return examined
