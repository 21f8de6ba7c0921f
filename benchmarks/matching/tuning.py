"""The tuning set of ../shared/eval: its corpus in a database of its own, its profiles, judgments and
BM25 baseline (the set's own bm25.py), plus the judgments this project added for records the set
never judged (tuning_judgments.tsv, same scale, made before looking at any score)."""

import hashlib
import importlib.util
import json
import os
from functools import cache
from pathlib import Path
from types import ModuleType

from sqlmodel import Session

from funding.enrich.enrichment import enrich
from funding.ingest.importer import import_file
from funding.store.db import current_revision, make_engine, upgrade

HERE = Path(__file__).parent
EVAL = Path(
    os.environ.get("FUNDING_EVAL_DIR", HERE.parents[1] / ".." / "shared" / "eval")
).resolve()
EXTRA_JUDGMENTS = HERE / "tuning_judgments.tsv"
HALVES = {
    "pd01-pd06": [f"pd{n:02d}" for n in range(1, 7)],
    "pd07-pd12": [f"pd{n:02d}" for n in range(7, 13)],
}


@cache
def bm25_module() -> ModuleType:
    """../shared/eval/bm25.py, imported as it is (the baseline and the metrics)."""
    spec = importlib.util.spec_from_file_location("shared_eval_bm25", EVAL / "bm25.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def corpus_path() -> Path:
    return EVAL / "corpus.jsonl.gz"


def profiles() -> dict[str, dict]:
    return bm25_module().load_profiles(str(EVAL / "profiles"))


def corpus() -> list[dict]:
    return bm25_module().load_corpus(str(corpus_path()))


def judgments() -> dict[str, dict[str, int]]:
    """The set's qrels, completed by this project's own judgments of records it never judged."""
    grades = bm25_module().load_qrels(str(EVAL / "qrels.tsv"))
    for profile, opportunity_id, grade in extra_judgments():
        grades.setdefault(profile, {}).setdefault(opportunity_id, grade)
    return grades


def extra_judgments(*, with_exclusion: bool = False) -> list[tuple]:
    """(profile, id, grade) of tuning_judgments.tsv (profile, opportunity_id, grade, excludes,
    reason); with_exclusion: whether the call excludes the partnership by territory or applicant."""
    if not EXTRA_JUDGMENTS.exists():
        return []
    found = []
    with EXTRA_JUDGMENTS.open(encoding="utf-8") as f:
        next(f)
        for line in f:
            if line.strip():
                profile, opportunity_id, grade, excludes, *_ = line.rstrip("\n").split("\t")
                row = (profile, opportunity_id, int(grade))
                found.append((*row, excludes.strip().lower() == "yes") if with_exclusion else row)
    return found


def excluded() -> set[tuple[str, str]]:
    """The set's excluded pairs, and those this project's judgments say exclude the partnership."""
    found = bm25_module().load_excluded(str(EVAL / "excluded.tsv"))
    return found | {
        (p, i) for p, i, _, excludes in extra_judgments(with_exclusion=True) if excludes
    }


def bm25_runs(k: int = 50) -> dict[str, list[str]]:
    """The set's own BM25 baseline (title + summary + themes; query = project + themes + keywords)."""
    return bm25_module().bm25_rankings(corpus(), profiles(), k=k)


def tuning_engine(*, fresh: bool = False):
    """The corpus imported and enriched into /tmp (or FUNDING_TUNING_DB), as `funding import` does;
    made again when the corpus, the schema or the code that reads it changed, or when fresh."""
    path = Path(os.environ.get("FUNDING_TUNING_DB", "/tmp/funding_tuning.db"))
    stamp = path.with_suffix(".stamp")
    key = _stamp()
    if fresh or not path.exists() or not stamp.exists() or stamp.read_text() != key:
        for old in (path, path.with_suffix(".db-wal"), path.with_suffix(".db-shm")):
            old.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        report = import_file(engine, corpus_path())
        with Session(engine, expire_on_commit=False) as session:
            enrich(session, report.changed_ids)
        stamp.write_text(key)
        return engine
    engine = make_engine(f"sqlite:///{path}")
    assert current_revision(engine) is not None
    return engine


def _stamp() -> str:
    """What the imported database depends on: the corpus and the code that normalises and enriches."""
    digest = hashlib.sha256(corpus_path().read_bytes())
    root = HERE.parents[1] / "funding"
    for folder in (
        "records.py",
        "normalize",
        "extract",
        "enrich.py",
        "store.py",
        "embeddings.py",
        "migrations/versions",
        "vocabularies",
    ):
        target = root / folder
        for file in sorted(target.rglob("*") if target.is_dir() else [target]):
            if file.is_file() and file.suffix in (".py", ".csv"):
                digest.update(file.read_bytes())
    digest.update(json.dumps(os.environ.get("FUNDING_EMBEDDINGS", "")).encode())
    return digest.hexdigest()
