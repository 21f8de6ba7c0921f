"""Writers at once with enrichment on near-duplicate data: nobody dies, nothing is queued twice.

The first imports raced on the source row; enrichment held SQLite's write lock for its whole
deduplication (a concurrent writer failed with "database is locked"); concurrent enrichments of
the same records queued review rows and history twice.
"""

import multiprocessing
import os
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from funding.contracts.records import to_row, validate_record
from funding.store.db import make_engine, upgrade
from funding.store.models import Extraction, FieldChange, Merge, Opportunity
from funding.store.opportunities import upsert_many

SUMMARY = (
    "Les associations et les PME sont éligibles. Le projet doit réunir au moins 3 "
    "partenaires de deux pays. Taux de cofinancement maximum : 80 %."
)


def near_duplicates(calls: int, sources: list[str], *, start: int = 0) -> list[dict]:
    """The same calls listed by several sources: same title, funder and deadline."""
    return [
        {
            "id": f"{source}:{n}",
            "source": source,
            "url": f"https://{source}.example/{n}",
            "title": f"Édition {n} : appel à projets biodiversité et haies",
            "funder": "Région Sud",
            "summary": SUMMARY,
            "deadlines": [(date(2027, 1, 1) + timedelta(days=n)).isoformat()],
        }
        for n in range(start, start + calls)
        for source in sources
    ]


def _context():
    return multiprocessing.get_context("fork")


def _run(target, args_list: list[tuple]) -> tuple[list[str], list[int]]:
    """Start the processes together; their errors and exit codes."""
    context = _context()
    errors, start = context.Queue(), context.Barrier(len(args_list))
    processes = [context.Process(target=target, args=(*args, start, errors)) for args in args_list]
    for process in processes:
        process.start()
    for process in processes:
        process.join(240)
    found = [errors.get() for _ in range(errors.qsize())]
    return found, [p.exitcode for p in processes]


def _import(url: str, path: str, start, errors) -> None:
    from funding.ingest.importer import import_file

    engine = make_engine(url)
    try:
        start.wait(30)
        report = import_file(engine, __import__("pathlib").Path(path))
        if report.inserted != 3:
            errors.put(f"{path}: {report.summary()}")
    except Exception as exc:
        errors.put(f"{path}: {type(exc).__name__}: {exc}")
        raise
    finally:
        engine.dispose()


def test_first_imports_at_once_all_store_their_records(backend_url, tmp_path, fault_table):
    import json

    upgrade(make_engine(backend_url))
    files = []
    for k in range(10):
        path = tmp_path / f"part{k}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in near_duplicates(3, [f"s{k}"])))
        files.append((backend_url, str(path)))
    errors, codes = _run(_import, files)
    fault_table.concurrent(backend_url, "first imports at once", 10, 1, sum(c != 0 for c in codes))
    assert errors == [] and codes == [0] * 10
    with Session(make_engine(backend_url)) as session:
        assert session.exec(select(func.count()).select_from(Opportunity)).one() == 30


def _store_and_enrich(url: str, source: str, everything: bool, start, errors) -> None:
    from funding.enrich.enrichment import enrich

    engine = make_engine(url)
    try:
        rows = [to_row(validate_record(r)) for r in near_duplicates(40, [source])]
        start.wait(30)
        with Session(engine) as session:
            upsert_many(session, rows, changed_by=source)
            session.commit()
        with Session(engine) as session:
            # everything: as a crawl enriched before, other writers' records too
            ids = None if everything else [row["id"] for row in rows]
            enrich(session, ids)
    except Exception as exc:
        errors.put(f"{source}: {type(exc).__name__}: {exc}")
        raise
    finally:
        engine.dispose()


WRITERS = 4


@pytest.mark.parametrize("everything", [False, True], ids=["own records", "every record"])
def test_concurrent_enrichments_queue_nothing_twice(backend_url, everything, fault_table):
    upgrade(make_engine(backend_url))
    sources = [f"w{k}" for k in range(WRITERS)]
    errors, codes = _run(_store_and_enrich, [(backend_url, s, everything) for s in sources])
    scenario = f"store + enrich ({'every record' if everything else 'own records'})"
    fault_table.concurrent(backend_url, scenario, WRITERS, 1, sum(c != 0 for c in codes))
    assert errors == [] and codes == [0] * WRITERS
    with Session(make_engine(backend_url)) as session:
        twice = session.exec(
            select(Extraction.opportunity_id, Extraction.field, Extraction.value_key)
            .group_by(Extraction.opportunity_id, Extraction.field, Extraction.value_key)
            .having(func.count() > 1)
        ).all()
        assert twice == []
        history = session.exec(
            select(FieldChange.opportunity_id, FieldChange.field, FieldChange.changed_by)
            .where(FieldChange.changed_by.in_(["extract", "merge:auto"]))  # type: ignore[attr-defined]
            .group_by(FieldChange.opportunity_id, FieldChange.field, FieldChange.changed_by)
            .having(func.count() > 1)
        ).all()
        assert history == []
        pairs = session.exec(
            select(Merge.keep_id, Merge.duplicate_id)
            .group_by(Merge.keep_id, Merge.duplicate_id)
            .having(func.count() > 1)
        ).all()
        assert pairs == []
        merged = session.exec(
            select(func.count())
            .select_from(Opportunity)
            .where(Opportunity.merged_into.is_not(None))  # type: ignore[union-attr]
        ).one()
        assert merged == 40 * (WRITERS - 1)  # every listing but one per call merged, once


def _enrich_everything(url: str, done, start, errors) -> None:
    from funding.enrich.enrichment import enrich

    engine = make_engine(url)
    try:
        start.wait(30)
        with Session(engine) as session:
            enrich(session)  # the whole database, as `funding enrich`
    except Exception as exc:
        errors.put(f"enrich: {type(exc).__name__}: {exc}")
        raise
    finally:
        done.set()
        engine.dispose()


def _keep_writing(url: str, done, start, errors) -> None:
    """A crawl's writer meanwhile: one small batch after another, each waiting at most 2 s."""
    os.environ["FUNDING_SQLITE_BUSY_TIMEOUT_MS"] = "2000"
    from funding.settings import get_settings

    get_settings.cache_clear()
    engine = make_engine(url)
    try:
        start.wait(30)
        n = 10_000
        while not done.is_set() and n < 10_400:
            rows = [to_row(validate_record(r)) for r in near_duplicates(1, ["late"], start=n)]
            with Session(engine) as session:
                upsert_many(session, rows, changed_by="late")
                session.commit()
            n += 1
            done.wait(0.05)
    except Exception as exc:
        errors.put(f"writer: {type(exc).__name__}: {exc}")
        raise
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)  # SQLite's single write lock
def test_deduplication_never_holds_the_database_past_a_writers_patience(backend_url, fault_table):
    engine = make_engine(backend_url)
    upgrade(engine)
    rows = [to_row(validate_record(r)) for r in near_duplicates(150, ["a", "b", "c"])]
    with Session(engine) as session:
        upsert_many(session, rows, changed_by="seed")
        session.commit()
    context = _context()
    done, start, errors = context.Event(), context.Barrier(2), context.Queue()
    processes = [
        context.Process(target=target, args=(backend_url, done, start, errors))
        for target in (_enrich_everything, _keep_writing)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(240)
    found = [errors.get() for _ in range(errors.qsize())]
    died = sum(p.exitcode != 0 for p in processes)
    fault_table.concurrent(
        backend_url, "whole-database enrich + a writer (2 s patience)", 2, 1, died
    )
    assert found == [] and died == 0
    with Session(engine) as session:
        merged = session.exec(
            select(func.count())
            .select_from(Opportunity)
            .where(Opportunity.merged_into.is_not(None))  # type: ignore[union-attr]
        ).one()
        assert merged == 300  # the enrichment did its whole work meanwhile
