"""Staff accounts from the command line: `funding staff add`, `python -m funding.access.auth`, bad hashes."""

import subprocess
import sys

from click.testing import CliRunner

from funding.access.auth import hash_password, malformed, staff_credentials, verify_password
from funding.cli import main
from funding.settings import Settings


def _auth(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "funding.access.auth", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_does_not_prompt_and_a_piped_password_is_hashed():
    shown = _auth("--help")
    assert shown.returncode == 0 and "usage: python -m funding.access.auth" in shown.stdout
    assert "password:" not in shown.stdout + shown.stderr
    piped = _auth(stdin="s3cret\n")
    assert piped.returncode == 0 and verify_password("s3cret", piped.stdout.strip())
    empty = _auth(stdin="")
    assert empty.returncode == 1 and "no password given" in empty.stderr
    assert "Traceback" not in empty.stderr


def test_staff_add_writes_the_hash_to_the_secrets_file(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[smtp]\npassword = "x"\n\n[staff]\nalice = "old"\n')
    runner = CliRunner()
    for name, password in (("bob", "b0b-pass"), ("alice", "new-alice")):
        result = runner.invoke(
            main, ["staff", "add", name, "--file", str(secrets)], input=f"{password}\n"
        )
        assert result.exit_code == 0, result.output
    users = staff_credentials(Settings(staff_users=None, secrets_file=secrets))
    assert verify_password("b0b-pass", users["bob"]) and verify_password(
        "new-alice", users["alice"]
    )
    assert 'password = "x"' in secrets.read_text() and secrets.stat().st_mode & 0o077 == 0
    refused = runner.invoke(main, ["staff", "add", "a=b", "--file", str(secrets)], input="x\n")
    assert refused.exit_code != 0 and "cannot be a staff name" in refused.output


def test_a_hash_broken_by_double_quotes_is_reported():
    good = hash_password("a")
    # "alice=scrypt$16384$8$1$…" in double quotes: the shell replaced each $N by nothing.
    settings = Settings(staff_users=f"alice=scrypt;bob={good}", secrets_file=None)
    assert malformed(settings) == ["alice"]
