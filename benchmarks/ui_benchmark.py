"""Interface responsiveness with 100,000 opportunities: every page interaction, in milliseconds.

Builds (or reuses, migrated to the newest schema) a SQLite database of N records made from the
bundled snapshot (ids and dates varied, as in import_benchmark.py), then times (1) whole AppTest
runs of each page in this fresh process (first run with empty caches, then a rerun as after a
click), after the same module preload `funding serve` does before it listens (ui/server.py, timed
on its own line), and (2) the domain calls behind each page (median of --repeat, so with the
process's own caches warm). Usage:
python -m benchmarks.ui_benchmark [--records 100000] [--database PATH] [--repeat 3]
"""

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILES = sorted((ROOT / "benchmarks" / "matching" / "profiles").glob("*.json"))
AS_OF = date(2026, 3, 1)


def build(path: Path, records: int) -> None:
    from benchmarks.import_benchmark import make_records
    from funding.ingest.importer import import_file
    from funding.store.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    source = path.with_suffix(".jsonl")
    with source.open("w", encoding="utf-8") as handle:
        for record in make_records(records):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    start = time.perf_counter()
    report = import_file(engine, source)
    print(f"built {path} in {time.perf_counter() - start:.0f} s: {report.summary()}")
    source.unlink()
    engine.dispose()


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def domain(url: str, repeat: int) -> list[tuple[str, float]]:
    from sqlmodel import Session

    from funding.access.partnerships import Viewer, save_partnership, visible_partnerships, watch
    from funding.awards.view import call_awards, ecosystem, next_edition_sentence
    from funding.store.db import make_engine
    from funding.store.models import utcnow
    from funding.store.opportunities import count_opportunities
    from funding.views import calendar, details, finder, monitor
    from funding.views.presentation import find_opportunities, freshness

    engine = make_engine(url)
    rows: list[tuple[str, float]] = []
    now = utcnow()
    with Session(engine) as session:

        def add(name, fn):
            ms, result = timed(fn, repeat)
            rows.append((name, ms))
            return result

        add("sidebar: how many calls (ui.resources._total)", lambda: count_opportunities(session))
        add("sidebar: freshness line", lambda: freshness(session, as_of=AS_OF))
        add("list: first 200 by deadline", lambda: find_opportunities(session, as_of=AS_OF))
        add("list: status open", lambda: find_opportunities(session, status="open", as_of=AS_OF))
        add(
            "list: full-text 'eau potable'",
            lambda: find_opportunities(session, query="eau potable", as_of=AS_OF),
        )
        ranked = {}
        for path in PROFILES:
            profile = json.loads(path.read_text())
            ranked[path.stem] = add(
                f"find: rank profile {path.stem}",
                lambda p=profile: finder.ranked(session, p, as_of=AS_OF),
            )
        results = next(iter(ranked.values()))
        add(
            "find: filters + sort on cached results",
            lambda: finder.apply_filters(
                results,
                finder.Filters(verdicts=["eligible", "to_verify"], within_days=90, sort="deadline"),
                hidden={results[0]["id"]},
            ),
        )
        call_id = results[0]["id"]
        add(
            "opportunity: details (drawn first)",
            lambda: details.opportunity_details(session, call_id, as_of=AS_OF, similar=0),
        )
        add(
            "opportunity: similar calls (drawn after)",
            lambda: details.similar_calls(session, call_id),
        )
        add(
            "opportunity: past awards of its topic (none without awards imported)",
            lambda: call_awards(session, call_id, as_of=AS_OF),
        )
        add(
            "opportunity: next edition sentence",
            lambda: next_edition_sentence(session, call_id, as_of=AS_OF),
        )
        add("ecosystem page (none without awards imported)", lambda: ecosystem(session))
        pid = save_partnership(session, json.loads(PROFILES[0].read_text())).id
        for row in results[:20]:
            watch(session, pid, row["id"])
        session.commit()
        watched = add(
            "watchlist: 20 followed calls", lambda: calendar.watched_rows(session, pid, as_of=AS_OF)
        )
        add(
            "watchlist: iCalendar export",
            lambda: calendar.to_ical(watched, partnership="bench", as_of=AS_OF),
        )
        add(
            "find: partnerships a lead may open",
            lambda: visible_partnerships(session, Viewer(email="lead@example.org")),
        )
        add("monitor: new this week", lambda: monitor.new_calls(session, now=now, as_of=AS_OF))
        add(
            "monitor: changed this week",
            lambda: monitor.changed_calls(session, now=now, as_of=AS_OF),
        )
        add("monitor: closing within 14 days", lambda: monitor.closing_calls(session, as_of=AS_OF))
        add("monitor: new per week per source", lambda: monitor.new_per_week(session, now=now))
        add("monitor: source health", lambda: monitor.source_health(session))
        add(
            "monitor: review queue",
            lambda: (
                monitor.queue_sizes(session),
                monitor.proposed_extractions(session),
                monitor.suggested_merges(session),
                monitor.open_reports(session),
            ),
        )
    engine.dispose()
    return rows


def pages(url: str) -> list[tuple[str, float]]:
    """Whole-page AppTest runs: cold (caches empty) and a rerun (what a click costs)."""
    from streamlit.testing.v1 import AppTest

    from funding.access.auth import hash_password
    from funding.settings import get_settings
    from ui.server import preload

    os.environ.update(
        FUNDING_DATABASE_URL=url,
        FUNDING_TODAY=AS_OF.isoformat(),
        FUNDING_STAFF_USERS=f"bench={hash_password('bench')}",
    )
    get_settings.cache_clear()
    app = str(ROOT / "ui" / "app.py")
    rows: list[tuple[str, float]] = [
        ("server start: module preload (once per process, before it listens)", preload() * 1000)
    ]

    def run(name, at, action=None):
        start = time.perf_counter()
        (action or at.run)()
        rows.append((name, (time.perf_counter() - start) * 1000))
        assert not at.exception, at.exception
        return at

    at = AppTest.from_file(app, default_timeout=120)
    at.session_state["lead_email"] = "lead@example.org"  # signed in: saves, hides and follows
    run("page find: first run", at)
    data = PROFILES[0].read_bytes()
    at.file_uploader(key="profile_file").set_value(("p.json", data, "application/json"))
    run(f"page find: load profile {PROFILES[0].stem} (cold cache)", at)
    run("page find: rerun (warm cache)", at)
    at.multiselect(key="flt_verdict").set_value(["eligible", "to_verify", "ineligible"])
    run("page find: show ineligible calls too", at)
    at.radio(key="flt_sort").set_value("deadline")
    run("page find: sort by deadline", at)
    hide = next(b for b in at.button if b.key and b.key.startswith("hide_"))
    hide.click()
    run("page find: hide a call (saves the partnership)", at)
    follow = next(b for b in at.button if b.key and b.key.startswith("follow_"))
    follow.click()
    run("page find: follow a call", at)
    at.switch_page("views/watchlist.py")
    run("page watchlist (with iCalendar + CSV exports)", at)
    at.switch_page("views/opportunity.py")
    at.query_params["id"] = follow.key.removeprefix("follow_")
    run("page opportunity (cold)", at)
    at.query_params.clear()
    at.switch_page("views/opportunities.py")
    run("page list of calls", at)
    at.text_input(key="query").input("biodiversité")
    run("page list: full-text search", at)
    at.switch_page("views/monitor.py")
    run("page monitor: sign-in form", at)
    at.text_input(key="sign_in_user").input("bench")
    at.text_input(key="sign_in_password").input("bench")
    submit = next(b for b in at.button if b.label == "Connexion")
    submit.click()
    run("page monitor: sign in + dashboards (cold)", at)
    run("page monitor: rerun (warm)", at)
    at.switch_page("views/subscribers.py")
    run("page subscribers", at)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database", type=Path, help="reuse (or build) this SQLite file")
    parser.add_argument("--repeat", type=int, default=3, help="0: whole pages only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.database or Path(tmp) / "ui-bench.db"
        if not path.exists():
            build(path, args.records)
        url = f"sqlite:///{path}"
        upgrade_schema(url)
        print(f"{platform.python_version()}, {os.cpu_count()} cores, SQLite, {path}")
        print("\nwhole pages (AppTest, one run each, fresh process, Streamlit caches empty):")
        for name, ms in pages(url):
            print(f"  {ms:8.1f} ms  {name}")
        if args.repeat:
            print(f"\ndomain calls behind each page (median of {args.repeat}, no Streamlit cache):")
            for name, ms in domain(url, args.repeat):
                print(f"  {ms:8.1f} ms  {name}")


def upgrade_schema(url: str) -> None:
    """A reused database gets the newest migrations (the indexes the pages rely on)."""
    from funding.store.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


if __name__ == "__main__":
    main()
