"""`funding match` as a user runs it: JSON and table output, profile errors naming the field."""

import json
import os
import subprocess
import sys

from sqlmodel import Session

from funding.store.db import make_engine, upgrade
from funding.store.opportunities import store_record

PROFILE = {
    "name": "Biodiversité locale",
    "partners": [
        {"name": "Nature en ville", "type": "association", "country": "FR", "role": "lead"},
        {"type": "TPE", "country": "FR"},
    ],
    "themes": ["biodiversité"],
}


def _run(database_url, *args):
    env = {**os.environ, "FUNDING_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "funding.cli", "match", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _database(url):
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        store_record(
            session,
            {
                "id": "t:1",
                "url": "https://example.org/1",
                "title": "Restaurer la biodiversité des haies",
                "applicant_types": ["Associations"],
                "deadlines": ["2026-06-30"],
            },
        )
        store_record(
            session,
            {
                "id": "t:2",
                "url": "https://example.org/2",
                "title": "Biodiversité en entreprise",
                "applicant_types": ["Entreprises"],
                "deadlines": ["2026-06-30"],
            },
        )
        store_record(
            session,
            {
                "id": "t:3",
                "url": "https://example.org/3",
                "title": "Biodiversité communale",
                "applicant_types": ["Communes"],
                "deadlines": ["2026-06-30"],
            },
        )
        session.commit()
    engine.dispose()
    return url


def test_match_json_and_table(database_url, tmp_path):
    url = _database(database_url)
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(PROFILE), encoding="utf-8")
    result = _run(url, "--profile", str(path), "--as-of", "2026-03-01", "--format", "json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [m["id"] for m in found] == ["t:1", "t:2"]  # t:2 carried by the company partner
    assert found[0]["verdict"] in ("eligible", "to_verify") and found[0]["criteria"]
    assert found[1]["fit"]["carried_by"] == "TPE #2" and found[1]["score"] < found[0]["score"]
    result = _run(url, "--profile", str(path), "--as-of", "2026-03-01", "--include-ineligible")
    assert result.returncode == 0, result.stderr
    assert (
        "Restaurer la biodiversité" in result.stdout and "Biodiversité communale" in result.stdout
    )
    assert "fail    applicant_type" in result.stdout


def test_match_profile_error_names_the_field(tmp_path):
    url = _database(f"sqlite:///{tmp_path / 'cli.db'}")  # about the profile, not the store
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"name": "X", "partners": [{"type": "ngo"}, {"country": "FR"}]}))
    result = _run(url, "--profile", str(path))
    assert result.returncode != 0
    assert "partners[1].type: is required" in result.stderr
