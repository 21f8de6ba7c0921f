"""The staff sign-in limit: counted before the password is checked, per name and client.

Concurrent attempts used to be checked all at once (20 of 20 processes on SQLite, 12 of 20 on
PostgreSQL, with a limit of 5), and 50 failures under random names locked every account.
"""

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from funding.access.auth import hash_password, sign_in
from funding.settings import Settings
from funding.store.db import make_engine, upgrade

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HASH = hash_password("right")
SETTINGS = Settings(
    staff_users=f"alice={HASH}",
    sign_in_max_failures=5,
    sign_in_window_seconds=900,
    sign_in_pause_seconds=60,
)
PROCESSES = 20


def _attempt(url: str, start, results) -> None:
    engine = make_engine(url)
    start.wait(30)
    with Session(engine) as session:
        outcome = sign_in(session, "alice", "wrong", client="203.0.113.9", settings=SETTINGS)
        session.commit()
    results.put(outcome.outcome)
    engine.dispose()


def test_simultaneous_attempts_are_counted_before_any_is_checked(database_url, fault_table):
    upgrade(make_engine(database_url))
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(PROCESSES), context.Queue()
    processes = [
        context.Process(target=_attempt, args=(database_url, start, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    outcomes = [results.get(timeout=5) for _ in range(results.qsize())]
    died = sum(1 for p in processes if p.exitcode != 0)
    fault_table.concurrent(database_url, "sign-in attempts at once", PROCESSES, 1, died)
    assert died == 0 and len(outcomes) == PROCESSES
    assert outcomes.count("refused") <= SETTINGS.sign_in_max_failures, outcomes
    assert outcomes.count("locked") >= PROCESSES - SETTINGS.sign_in_max_failures


def _try(session, password, *, client, at, name="alice"):
    outcome = sign_in(session, name, password, client=client, now=at, settings=SETTINGS)
    session.commit()
    return outcome


def test_failures_from_one_client_do_not_lock_out_another(session):
    for minute in range(5):
        assert (
            _try(session, "guess", client="attacker", at=NOW + timedelta(seconds=minute)).outcome
            == "refused"
        )
    assert (
        _try(session, "right", client="attacker", at=NOW + timedelta(seconds=10)).outcome
        == "locked"
    )
    assert _try(session, "right", client="office", at=NOW + timedelta(seconds=11)).ok


def test_failures_before_a_success_stop_counting(session):
    for second in range(4):
        _try(session, "typo", client="office", at=NOW + timedelta(seconds=second))
    assert _try(session, "right", client="office", at=NOW + timedelta(seconds=5)).ok
    for second in range(4):
        outcome = _try(session, "typo", client="office", at=NOW + timedelta(seconds=10 + second))
        assert outcome.outcome == "refused"


def test_guessing_alice_from_many_clients_pauses_her_then_lets_her_right_password_in(session):
    """Others guessing alice's password cannot lock her out: her own client waits at most one
    pause, then the right password gets in; and a client locked by its own typos is not
    extended by hammering (it waits out the window from its first failure)."""
    for n in range(20):
        _try(session, f"guess{n}", client=f"c{n}", at=NOW + timedelta(seconds=n))
    during = _try(session, "right", client="office", at=NOW + timedelta(seconds=20))
    assert during.outcome == "locked" and 0 < during.retry_after_seconds <= 60
    after = NOW + timedelta(seconds=19 + SETTINGS.sign_in_pause_seconds + 1)
    assert _try(session, "right", client="office", at=after).ok
    for second in range(6):
        _try(session, "typo", client="home", at=after + timedelta(seconds=1 + second))
    for second in range(30):  # hammering while locked
        _try(session, "typo", client="home", at=after + timedelta(seconds=10 + second))
    window = timedelta(seconds=SETTINGS.sign_in_window_seconds)
    assert _try(session, "right", client="home", at=after + window + timedelta(seconds=2)).ok


def test_many_failures_under_random_names_pause_then_let_a_known_user_in(session):
    """50 failures from 50 clients: every sign-in pauses; after the pause alice gets in."""
    for n in range(50):
        _try(
            session,
            "x",
            client=f"198.51.100.{n}",
            name=f"user{n}",
            at=NOW + timedelta(seconds=n / 10),
        )
    during = _try(session, "right", client="office", at=NOW + timedelta(seconds=10))
    assert during.outcome == "locked" and 0 < during.retry_after_seconds <= 60
    after = NOW + timedelta(seconds=5 + SETTINGS.sign_in_pause_seconds + 1)
    assert _try(session, "right", client="office", at=after).ok
    assert _try(session, "wrong", client="office", at=after).outcome == "refused"


@pytest.mark.parametrize("clients", [1, 20], ids=["one client", "twenty clients"])
def test_guessing_one_name_stays_limited(session, clients):
    """However many clients guess alice's password, few are checked: 5 per client, 15 over all
    clients, then one per pause (60 s): 16 in these 100 seconds."""
    checked = 0
    for n in range(100):
        outcome = _try(
            session, f"guess{n}", client=f"c{n % clients}", at=NOW + timedelta(seconds=n)
        )
        checked += outcome.outcome == "refused"
    assert checked == (5 if clients == 1 else 5 * 3 + 1)
