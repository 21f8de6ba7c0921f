"""The docs are the operator's manual: every `funding` command and every FUNDING_... setting is
documented, and everything documented exists (as sqlite-utils and datasette check theirs)."""

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from funding.cli import main
from funding.settings import Settings, SettingsError, markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {
    p: p.read_text(encoding="utf-8")
    for p in [ROOT / "README.md", *ROOT.glob("docs/*.md"), ROOT / "deploy" / "README.md"]
}
TEST_ONLY = {"FUNDING_TEST_DATABASE_URL"}


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> set[str]:
    """Every command a user can run, as `funding a b`; a group that runs by itself counts too."""
    found = set()
    for name, command in group.commands.items():
        here = (*path, name)
        if isinstance(command, click.Group):
            found |= commands(command, here)
            if command.invoke_without_command:
                found.add(" ".join(("funding", *here)))
        else:
            found.add(" ".join(("funding", *here)))
    return found


def documented_commands() -> set[str]:
    """The commands of the README's command table: `funding a b|c ...` gives `funding a b`, `funding a c`."""
    found = set()
    for line in README.splitlines():
        if not line.startswith("| `funding"):
            continue
        first_cell = re.split(r"(?<!\\)\|", line)[1]
        for snippet in re.findall(r"`(funding [^`]*)`", first_cell):
            words = []
            for word in snippet.split():
                if word.startswith(("-", "[")) or not word.islower():
                    break
                words.append(word.split("\\|"))
            paths = [[]]
            for alternatives in words:
                paths = [[*p, a] for p in paths for a in alternatives]
            found |= {" ".join(p) for p in paths}
    return found


def test_every_command_is_in_the_readme_and_every_documented_one_exists():
    assert commands() - documented_commands() == set(), "undocumented commands"
    assert documented_commands() - commands() == set(), "documented commands that do not exist"


def test_the_configuration_page_is_the_settings_table():
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    generated = page.split("<!-- generated: funding settings --markdown -->\n")[1]
    assert generated.split("<!-- end of generated -->")[0] == markdown()


def test_every_documented_setting_exists_and_every_setting_is_documented():
    declared = {f"FUNDING_{name.upper()}" for name in Settings.model_fields}
    for path, text in DOCS.items():
        # `FUNDING_SMTP_*` or `FUNDING_SMTP_HOST` / `_PORT` name a family: only whole names count.
        named = set(re.findall(r"\bFUNDING_[A-Z0-9_]*[A-Z0-9]\b(?![*_])", text))
        assert named - declared - TEST_ONLY == set(), (
            f"{path.name} names settings that do not exist"
        )
    everywhere = "".join(DOCS.values())
    missing = {v for v in declared if not re.search(rf"\b{v}\b", everywhere)}
    assert missing == set()


def test_every_setting_has_help_text():
    assert [name for name, f in Settings.model_fields.items() if not f.description] == []


def test_production_refuses_the_development_key():
    with pytest.raises(SettingsError, match="FUNDING_SECRET_KEY"):
        Settings(production=True, secret_key=None).require_secret_key()
    with pytest.raises(SettingsError):
        _ = Settings(production=True, secret_key="funding-radar-development-key").signing_key
    assert Settings(production=True, secret_key="k" * 64).signing_key == b"k" * 64
    Settings(production=False).require_secret_key()  # development: a warning, not a refusal


@pytest.mark.parametrize("args", [["serve", "--no-snapshot"], ["digest", "--send"], ["schedule"]])
def test_a_server_in_production_without_a_key_does_not_start(args, tmp_path, monkeypatch):
    monkeypatch.setenv("FUNDING_PRODUCTION", "true")
    monkeypatch.delenv("FUNDING_SECRET_KEY", raising=False)
    result = subprocess.run(
        [sys.executable, "-m", "funding.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert "FUNDING_PRODUCTION is true but FUNDING_SECRET_KEY is not set" in result.stderr
    assert "serving on" not in result.stdout and "scheduler running" not in result.stdout
