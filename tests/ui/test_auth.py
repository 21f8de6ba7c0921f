"""Staff credentials: hashed, read from the environment or a secrets file, failures rate-limited."""

from datetime import UTC, datetime, timedelta

from funding.access.auth import hash_password, sign_in, staff_credentials, verify_password
from funding.settings import Settings

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_hashes_are_salted_and_verified():
    first, second = hash_password("s3cret"), hash_password("s3cret")
    assert first != second and first.startswith("scrypt$") and "s3cret" not in first
    assert verify_password("s3cret", first) and not verify_password("S3cret", first)
    assert not verify_password("s3cret", "plain-text") and not verify_password("x", "scrypt$1$2")


def test_credentials_from_environment_and_secrets_file(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[staff]\nbob = "{hash_password("b")}"\n')
    settings = Settings(staff_users=f"alice={hash_password('a')}; ", secrets_file=secrets)
    users = staff_credentials(settings)
    assert set(users) == {"alice", "bob"}
    assert verify_password("b", users["bob"])


def test_lockout_after_repeated_failures_then_release(session):
    settings = Settings(
        staff_users=f"alice={hash_password('a')}",
        sign_in_max_failures=3,
        sign_in_window_seconds=600,
    )
    assert sign_in(session, "alice", "a", now=NOW, settings=settings).ok
    for minute in range(3):
        result = sign_in(
            session, "alice", "nope", now=NOW + timedelta(minutes=minute), settings=settings
        )
        assert result.outcome == "refused"
    locked = sign_in(session, "alice", "a", now=NOW + timedelta(minutes=3), settings=settings)
    assert locked.outcome == "locked" and 0 < locked.retry_after_seconds <= 600
    assert sign_in(session, "alice", "a", now=NOW + timedelta(minutes=11), settings=settings).ok


def test_unknown_names_are_refused_and_counted(session):
    settings = Settings(staff_users=None, sign_in_max_failures=2)
    assert sign_in(session, "mallory", "x", now=NOW, settings=settings).outcome == "refused"
    assert sign_in(session, "mallory", "x", now=NOW, settings=settings).outcome == "refused"
    assert sign_in(session, "mallory", "x", now=NOW, settings=settings).outcome == "locked"
