"""After new or changed records are stored: read what their text says, then merge cross-source duplicates."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from funding import embeddings
from funding.dedup import auto_merge
from funding.extract import apply_extractions, extract
from funding.models import Extraction as ExtractionRow
from funding.models import Opportunity

BATCH = 200


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
    committing in batches, run the cross-source auto-merge once, then embed their texts (unless
    FUNDING_EMBEDDINGS=false or embed=False; a text already embedded is not embedded again)."""
    report = EnrichReport()
    if ids is None:
        ids = session.exec(
            select(Opportunity.id)
            .where(col(Opportunity.merged_into).is_(None))
            .order_by(Opportunity.id)
        ).all()
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        known = defaultdict(list)
        for row in session.exec(
            select(ExtractionRow).where(col(ExtractionRow.opportunity_id).in_(chunk))
        ):
            known[row.opportunity_id].append(row)
        for opportunity in session.exec(select(Opportunity).where(col(Opportunity.id).in_(chunk))):
            if opportunity.merged_into:
                continue
            rows = apply_extractions(
                session, opportunity, extract(opportunity), min_confidence=min_confidence,
                known=known[opportunity.id],
            )  # fmt: skip
            report.examined += 1
            report.proposed += len(rows)
            report.filled += sum(1 for row in rows if row.applied)
        session.commit()
        if progress:
            progress(len(chunk))
    if merge and ids:
        result = auto_merge(session, by=by)
        report.merged, report.suggested = len(result.merged), len(result.suggested)
        session.commit()
    if ids and (embeddings.enabled() if embed is None else embed):
        report.embedded = embeddings.embed_calls(session, ids)
    return report
