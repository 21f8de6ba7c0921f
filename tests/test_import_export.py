"""`funding import` and `funding export`: validation with file/line/field, summaries, round trips."""

import csv
import io
import json
import shutil

from sqlmodel import Session, select

from funding.ingest.exporter import export
from funding.ingest.importer import import_file
from funding.store.models import FieldChange, Opportunity
from funding.store.opportunities import get_opportunity
from tests.conftest import FILES, rows


def _export(engine, fmt="jsonl"):
    out = io.StringIO()
    with Session(engine) as session:
        export(session, out, fmt=fmt)
    return out.getvalue()


def test_import_stores_every_good_record(engine):
    report = import_file(engine, FILES / "opportunities_good.jsonl")
    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (5, 0, 0, 0)
    with Session(engine) as session:
        at = get_opportunity(
            session, "aides_territoires:05cd-accompagnement-des-politiques-foncieres-en-es"
        )
        assert at.language == "fr" and at.recurrence == "permanent"
        assert "ngo" in at.applicant_types or "local_authority" in at.applicant_types


def test_importing_the_same_file_twice_changes_nothing(engine):
    import_file(engine, FILES / "opportunities_good.jsonl")
    before = _export(engine)
    with Session(engine) as session:
        changes = rows(session, FieldChange)
    report = import_file(engine, FILES / "opportunities_good.jsonl")
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 5)
    assert _export(engine) == before
    with Session(engine) as session:
        assert rows(session, FieldChange) == changes


def test_bad_records_are_reported_with_line_and_field(engine):
    report = import_file(engine, FILES / "opportunities_bad.jsonl")
    assert (report.inserted, report.rejected) == (2, 6)
    messages = [str(r) for r in report.rejections]
    assert messages[0].startswith("opportunities_bad.jsonl: line 2: not valid JSON")
    assert messages[1:] == [
        "opportunities_bad.jsonl: line 3: title: is required",
        "opportunities_bad.jsonl: line 4: deadlines[1]: '31/02/2026' is not a date",
        "opportunities_bad.jsonl: line 6: amount_max: 'beaucoup' is not an amount",
        "opportunities_bad.jsonl: line 7: url: 'not a url' is not an absolute http(s) URL",
        "opportunities_bad.jsonl: line 9: expected an object with id, title and url, got list",
    ]
    with Session(engine) as session:
        french = get_opportunity(session, "x:french")
        assert french.deadlines == ["2026-03-31"]
        assert french.amount_max == 1_500_000
        assert french.recurrence == "one_off" and french.recurrence_raw == "Ponctuelle"
        assert get_opportunity(session, "x:bad-date") is None


def test_a_rejected_record_leaves_the_stored_one_untouched(engine, tmp_path):
    import_file(engine, FILES / "opportunities_good.jsonl")
    first = json.loads((FILES / "opportunities_good.jsonl").read_text().splitlines()[0])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**first, "deadlines": ["soon"], "title": "Changed"}) + "\n")
    report = import_file(engine, bad)
    assert report.rejected == 1
    with Session(engine) as session:
        assert get_opportunity(session, first["id"]).title == first["title"]


def test_export_round_trip_is_all_noop(engine, tmp_path):
    import_file(engine, FILES / "opportunities_good.jsonl")
    import_file(engine, FILES / "opportunities_bad.jsonl")
    for fmt in ("jsonl", "csv"):
        path = tmp_path / f"export.{fmt}"
        path.write_text(_export(engine, fmt), encoding="utf-8")
        report = import_file(engine, path)
        assert (report.inserted, report.updated, report.rejected) == (0, 0, 0), fmt
        assert report.unchanged == 7


def test_export_is_in_the_contract_format(engine):
    import jsonschema

    schema = json.loads(
        (FILES.parent.parent / "funding/contracts/opportunity.schema.json").read_text()
    )
    import_file(engine, FILES / "opportunities_good.jsonl")
    records = [json.loads(line) for line in _export(engine).splitlines()]
    assert len(records) == 5
    for record in records:
        jsonschema.validate(record, schema)


def test_csv_import_with_contract_columns(engine, tmp_path):
    path = tmp_path / "calls.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["id", "title", "url", "deadlines", "amount_max", "applicant_types", "instrument"]
        )
        writer.writerow(
            [
                "manual:1",
                "Fonds eau",
                "https://example.org/1",
                "15/04/2026",
                "EUR 2 million",
                "Associations;Entreprises privées",
                "Prêt",
            ]
        )
        writer.writerow(
            ["manual:2", "Prix", "https://example.org/2", "April 3, 2026", "50 k€", "ONG", "Prix"]
        )
        writer.writerow(["manual:3", "", "https://example.org/3", "", "", "", ""])
    report = import_file(engine, path)
    assert (report.inserted, report.rejected) == (2, 1)
    assert str(report.rejections[0]) == "calls.csv: line 4: title: is required"
    with Session(engine) as session:
        one = get_opportunity(session, "manual:1")
        assert one.deadlines == ["2026-04-15"] and one.amount_max == 2_000_000
        assert one.applicant_types == ["ngo", "company"] and one.instrument == "loan"
        two = get_opportunity(session, "manual:2")
        assert (
            two.deadlines == ["2026-04-03"]
            and two.amount_max == 50_000
            and two.instrument == "prize"
        )


def test_repeated_id_in_one_file_is_an_update(engine, tmp_path):
    first = json.loads((FILES / "opportunities_good.jsonl").read_text().splitlines()[0])
    path = tmp_path / "twice.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps({**first, "title": "Second"}) + "\n")
    report = import_file(engine, path)
    assert (report.inserted, report.updated) == (1, 1)
    with Session(engine) as session:
        assert get_opportunity(session, first["id"]).title == "Second"
        assert rows(session, Opportunity) == 1


def test_gzipped_snapshot_imports(engine, tmp_path):
    snapshot = FILES.parent.parent / "funding/data/snapshot.jsonl.gz"
    copy = tmp_path / "snapshot.jsonl.gz"
    shutil.copy(snapshot, copy)
    report = import_file(engine, copy)
    assert report.rejected == 0, [str(r) for r in report.rejections[:5]]
    assert report.inserted > 300


def test_a_large_file_in_many_batches(engine, tmp_path):
    lines = (FILES / "opportunities_good.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    path = tmp_path / "many.jsonl"
    with path.open("w") as handle:
        for i in range(1200):
            handle.write(json.dumps({**records[i % 5], "id": f"{records[i % 5]['id']}~{i}"}) + "\n")
        handle.write(
            json.dumps({**records[0], "id": "x:late-bad", "deadlines": ["31/02/2026"]}) + "\n"
        )
    stored = import_file(engine, path, batch_size=100)
    assert (stored.inserted, stored.rejected) == (1200, 1)
    assert (
        str(stored.rejections[0])
        == "many.jsonl: line 1201: deadlines[0]: '31/02/2026' is not a date"
    )
    again = import_file(engine, path, batch_size=100)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 1200, 1)


def test_a_batch_the_database_refuses_fails_the_run_and_the_others_are_stored(
    engine, tmp_path, monkeypatch
):
    """One batch refused (here, the second of three) never sinks the rest of the file: the
    other batches are stored, the run is recorded as failed with the reason, and the caller is
    told (ImportFailed, with what was stored)."""
    from funding.ingest import run as ingest_run
    from funding.ingest.importer import ImportFailed
    from funding.store.models import SourceRun

    records = [json.loads(x) for x in (FILES / "opportunities_good.jsonl").read_text().splitlines()]
    path = tmp_path / "three.jsonl"
    path.write_text(
        "".join(json.dumps({**r, "id": f"{r['id']}~{i}"}) + "\n" for i, r in enumerate(records[:3]))
    )
    real, calls = ingest_run.upsert_many, []

    def refuse_the_second(session, rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(session, rows, **kwargs)

    monkeypatch.setattr(ingest_run, "upsert_many", refuse_the_second)
    try:
        import_file(engine, path, batch_size=1)
    except ImportFailed as failed:
        report, message = failed.report, str(failed)
    else:
        raise AssertionError("the import did not say that a batch failed")
    assert message == "three.jsonl: storing a batch of items failed: disk full"
    assert report.inserted == 2
    with Session(engine) as session:
        assert rows(session, Opportunity) == 2
        run = session.exec(select(SourceRun).order_by(SourceRun.id.desc())).first()
        assert (run.status, run.inserted) == ("failed", 2)
        assert run.message == "storing a batch of items failed: disk full"


def test_records_come_in_one_way():
    """Only the IngestRun (funding/ingest/run.py) stores records in bulk: `funding import`, the
    crawl pipeline and the snapshot go through it."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    callers = sorted(
        str(path.relative_to(root))
        for folder in ("funding", "crawlers", "ui")
        for path in (root / folder).rglob("*.py")
        if "upsert_many(" in path.read_text("utf-8") and path.parent.name != "store"
    )
    assert callers == ["funding/ingest/run.py"]
    users = {
        name: "IngestRun" in (root / name).read_text("utf-8")
        for name in ("funding/ingest/importer.py", "crawlers/pipelines.py")
    }
    assert all(users.values()), users
