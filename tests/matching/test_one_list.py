"""One list everywhere: `funding match`, the Find page's results (funding.views.finder) and a digest give
the same calls in the same order for a profile; a profile no call fits gets the nearest ones,
marked, and a digest of nothing. On the bundled snapshot, with its shipped embeddings."""

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from funding.digests.build import DigestBuilder
from funding.enrich import embeddings
from funding.ingest.snapshot import load_embeddings, load_snapshot
from funding.matching import match
from funding.settings import get_settings
from funding.store.db import make_engine, upgrade
from funding.store.models import Partnership, Subscriber, utcnow
from funding.views import finder

AS_OF = date(2026, 3, 1)
PROFILE = {
    "name": "Eau et assainissement au Sénégal",
    "partners": [
        {"name": "Eau Solidaire", "type": "association", "country": "FR", "role": "lead"},
        {"name": "HydroPME", "type": "PME", "country": "FR"},
    ],
    "project": "Accès à l'eau potable et assainissement dans des villages du Sénégal.",
    "themes": ["eau potable", "assainissement", "santé"],
    "keywords": ["forages", "latrines"],
    "intervention_countries": ["SN"],
}
NOTHING_FITS = {
    "name": "Miroirs de télescopes en Antarctique",
    "partners": [{"type": "research", "country": "FR"}],
    "project": "Polissage cryogénique de miroirs de télescopes pour une station polaire.",
    "themes": ["astrophysique"],
}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """The snapshot with its embeddings, in a SQLite file shared by this module's tests."""
    path = tmp_path_factory.mktemp("one_list") / "snapshot.db"
    previous = os.environ.get("FUNDING_EMBEDDINGS")
    os.environ["FUNDING_EMBEDDINGS"] = "true"
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    report = load_snapshot(engine)
    with Session(engine) as session:
        assert load_embeddings(session) == 590
        assert embeddings.embed_calls(session, report.changed_ids) == 0  # all shipped
    yield engine, f"sqlite:///{path}"
    engine.dispose()
    os.environ["FUNDING_EMBEDDINGS"] = previous or "false"
    get_settings.cache_clear()


@pytest.fixture
def on(snapshot, monkeypatch):
    monkeypatch.setenv("FUNDING_EMBEDDINGS", "true")
    get_settings.cache_clear()
    return snapshot


def _match(url: str, profile: dict, tmp_path, *options: str) -> subprocess.CompletedProcess:
    """`funding match` of the profile as of AS_OF, in a process of its own."""
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    env = {**os.environ, "FUNDING_DATABASE_URL": url, "FUNDING_EMBEDDINGS": "true"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "funding.cli",
            "match",
            "--profile",
            str(path),
            "--as-of",
            AS_OF.isoformat(),
            *options,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _cli(url: str, profile: dict, tmp_path) -> list[dict]:
    result = _match(url, profile, tmp_path, "--limit", "10", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _digest_ids(engine, profile: dict) -> list[str]:
    """The calls a digest offers, in order, when every call of the store is new for it."""
    with Session(engine) as session:
        partnership = Partnership(
            name=profile["name"], profile=profile, created_at=utcnow(), updated_at=utcnow()
        )
        session.add(partnership)
        session.flush()
        subscriber = Subscriber(
            email="lead@example.org",
            partnership_id=partnership.id,
            status="active",
            created_at=utcnow(),
        )
        session.add(subscriber)
        session.flush()
        builder = DigestBuilder(session, now=datetime(2026, 3, 1, 8, tzinfo=UTC), max_items=10)
        [digest] = builder.build(
            [subscriber], since={subscriber.id: datetime(2000, 1, 1, tzinfo=UTC)}
        )
        found = [item.opportunity.id for item in digest.items if item.section == "new"]
        session.rollback()
    return found


def test_the_command_line_the_find_page_and_the_digest_give_the_same_list(on, tmp_path):
    engine, url = on
    with Session(engine) as session:
        engine_ids = [m.opportunity.id for m in match(session, PROFILE, as_of=AS_OF, limit=10)]
        page = finder.ranked(session, PROFILE, as_of=AS_OF, limit=10)
    cli = _cli(url, PROFILE, tmp_path)
    assert len(engine_ids) == 10
    assert [m["id"] for m in cli] == engine_ids
    assert [r["id"] for r in page] == engine_ids
    assert all(r["verdict"] != "ineligible" for r in page)  # the Find page no longer hides any
    fitting = [m["id"] for m in cli if m["fits"]]
    assert fitting and _digest_ids(engine, PROFILE)[: len(fitting)] == fitting


def test_a_profile_no_call_fits_gets_the_nearest_ones_marked_and_no_digest(on, tmp_path):
    engine, url = on
    cli = _cli(url, NOTHING_FITS, tmp_path)
    assert cli and not any(m["fits"] for m in cli)
    table = _match(url, NOTHING_FITS, tmp_path)
    assert table.stdout.startswith(
        "Aucun appel ne correspond encore à ce projet : voici les plus proches."
    )
    assert _digest_ids(engine, NOTHING_FITS) == []
