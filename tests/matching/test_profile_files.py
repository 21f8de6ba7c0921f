"""Profile files as people save them: with a BOM, in Latin-1, nested absurdly deep."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from funding.matching import ProfileError, load_profile
from funding.views.finder import read_profile

ROOT = Path(__file__).resolve().parents[2]
PROFILE = {"name": "Eau Sahel écoles", "partners": [{"type": "ngo", "country": "FR"}]}


def test_a_profile_with_a_bom_is_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(PROFILE, ensure_ascii=False).encode())
    assert load_profile(path).name == "Eau Sahel écoles"
    assert read_profile(path.read_bytes())["name"] == "Eau Sahel écoles"


def test_a_latin1_profile_is_refused_naming_the_byte(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes(json.dumps(PROFILE, ensure_ascii=False).encode("latin-1"))
    with pytest.raises(ProfileError, match=r"is not UTF-8 \(byte 0xE9 at position \d+\)"):
        load_profile(path)
    with pytest.raises(ProfileError, match="is not UTF-8"):
        read_profile(path.read_bytes())


@pytest.mark.parametrize("levels", [40, 100_000], ids=["40 levels", "100,000 levels"])
def test_a_deeply_nested_profile_is_refused(tmp_path, levels):
    path = tmp_path / "deep.json"
    body = json.dumps(PROFILE)[:-1] + ', "notes": ' + "[" * levels + "]" * levels + "}"
    path.write_text(body)
    with pytest.raises(ProfileError, match="nested more than 32 levels deep"):
        load_profile(path)
    with pytest.raises(ProfileError, match="nested more than 32 levels deep"):
        read_profile(body.encode())


def test_funding_match_says_what_is_wrong_with_the_file(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes(json.dumps(PROFILE, ensure_ascii=False).encode("latin-1"))
    env = {**os.environ, "FUNDING_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "funding.cli", "match", "--profile", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "is not UTF-8 (byte 0xE9" in result.stderr
