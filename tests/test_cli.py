"""The `funding` command as a user runs it: a real process, a real database file."""

import json
import os
import subprocess
import sys

from tests.conftest import FILES


def funding(*args, env=None):
    command = [sys.executable, "-m", "funding.cli", *map(str, args)]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False
    )


def test_import_summary_and_exit_codes(database_url):
    result = funding("import", FILES / "opportunities_good.jsonl")
    assert result.returncode == 0, result.stderr
    assert "5 inserted, 0 updated, 0 unchanged, 0 rejected" in result.stdout
    again = funding("import", FILES / "opportunities_good.jsonl")
    assert "0 inserted, 0 updated, 5 unchanged, 0 rejected" in again.stdout
    bad = funding("import", FILES / "opportunities_bad.jsonl")
    assert bad.returncode == 1
    assert (
        "rejected: opportunities_bad.jsonl: line 4: deadlines[1]: '31/02/2026' is not a date"
        in bad.stderr
    )
    assert "2 inserted, 0 updated, 0 unchanged, 6 rejected" in bad.stdout


def test_export_then_import_is_noop(database_url, tmp_path):
    funding("import", FILES / "opportunities_good.jsonl")
    out = tmp_path / "out.csv"
    result = funding("export", "--format", "csv", "--output", out)
    assert result.returncode == 0 and "exported 5 opportunities" in result.stderr
    again = funding("import", out)
    assert "0 inserted, 0 updated, 5 unchanged, 0 rejected" in again.stdout
    jsonl = funding("export")
    assert len([json.loads(line) for line in jsonl.stdout.splitlines()]) == 5
    assert funding("export", "--changed-since", "2999-01-01").stdout == ""
    wrong = funding("export", "--changed-since", "someday")
    assert wrong.returncode == 2 and "'someday' is not a date" in wrong.stderr


def test_stats(database_url):
    funding("import", FILES / "opportunities_good.jsonl")
    result = funding("stats", "--as-of", "2026-11-26")
    assert result.returncode == 0
    assert "5 opportunities (statuses as of 2026-11-26)" in result.stdout
    lines = [line.split() for line in result.stdout.splitlines()]
    assert ["eu_sedia", "1"] in lines and ["grant", "3"] in lines


def test_db_upgrade_and_snapshot_load(database_url):
    from alembic.script import ScriptDirectory

    from funding.store.db import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    result = funding("db", "upgrade")
    assert result.returncode == 0 and f"database at revision {head}" in result.stdout
    loaded = funding("snapshot", "load")
    assert loaded.returncode == 0 and " 0 rejected" in loaded.stdout
    assert int(loaded.stdout.split()[0]) > 300
