"""Past awards on the full CORDIS Horizon Europe extract: import speed, partner-suggestion latency,
leave-one-out quality of the suggestions against a by-project-count baseline, and the back-test
of next-edition forecasts. Numbers go to docs/past-awards.md.

Usage: python -m benchmarks.awards_benchmark [--data DIR] [--database-url URL] [--skip-import]
       [--sample 300] [--seed 15]
"""

import argparse
import random
import statistics
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from funding.awards.forecast import next_date
from funding.awards.importer import import_awards
from funding.awards.linking import Edition, _chained, topic_area, topic_year
from funding.awards.partners import (
    award_index,
    rank_organisations,
    refresh_award_index,
    suggest_partners,
)
from funding.matching import load_profile, parse_profile
from funding.matching.query import build_query
from funding.store.db import make_engine, upgrade
from funding.store.models import AwardProject

DATA = Path("/work/shared/data/cordis-horizon-europe")
PROFILES = Path(__file__).parent.parent / "benchmarks" / "matching" / "profiles"
FILES = ("horizon_europe_projects.jsonl.gz", "horizon_europe_organisations.jsonl.gz")


def bench_import(engine, data: Path) -> None:
    for label in ("first import", "unchanged re-import"):
        rows, started = 0, time.perf_counter()
        for name in FILES:
            report = import_awards(engine, data / name)
            rows += report.total
            print(f"  {label}: {name}: {report.summary()}")
        took = time.perf_counter() - started
        print(f"{label}: {rows} rows in {took:.1f} s = {rows / took:,.0f} rows/s")


def _profile(project: AwardProject) -> object:
    return parse_profile(
        {
            "name": project.title,
            "project": f"{project.title}. {project.objective or ''}",
            "partners": [{"type": "organisation"}],
        }
    )


FIRST_QUERY = """
import sys, time
from sqlmodel import Session
from funding.awards.partners import suggest_partners
from funding.store.db import make_engine
from funding.matching import load_profile
with Session(make_engine(sys.argv[1])) as session:
    started = time.perf_counter()
    suggest_partners(session, load_profile(sys.argv[2]), limit=20)
    print(time.perf_counter() - started)
"""


def bench_first_query(url: str) -> None:
    """The first partner query of a fresh process (the index read from the store), and the whole
    `funding partners` command, for each profile."""
    import os
    import subprocess
    import sys

    firsts, commands = [], []
    for path in sorted(PROFILES.glob("*.json")):
        out = subprocess.run(
            [sys.executable, "-c", FIRST_QUERY, url, str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        firsts.append(float(out.split()[-1]))
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "funding.cli", "partners", "--profile", str(path)],
            check=True,
            capture_output=True,
            env={**os.environ, "FUNDING_DATABASE_URL": url},
        )
        commands.append(time.perf_counter() - started)
    print(
        f"first partner query of a fresh process over {len(firsts)} profiles: median "
        f"{statistics.median(firsts) * 1000:.0f} ms, max {max(firsts) * 1000:.0f} ms "
        f"({', '.join(f'{x * 1000:.0f}' for x in firsts)} ms); the whole `funding partners` "
        f"command (interpreter, imports, query, output): median {statistics.median(commands):.2f} s"
    )


def bench_latency(session) -> None:
    started = time.perf_counter()
    refresh_award_index(session.get_bind())
    print(f"index build (once per awards import): {time.perf_counter() - started:.1f} s")
    bench_first_query(str(session.get_bind().url.render_as_string(hide_password=False)))
    times = []
    for path in sorted(PROFILES.glob("*.json")):  # each profile asked for the first time
        profile = load_profile(path)
        started = time.perf_counter()
        suggest_partners(session, profile, limit=20)
        times.append(time.perf_counter() - started)
    print(
        f"partner suggestions over {len(times)} profiles of benchmarks/matching/profiles (index built): "
        f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
        f"({', '.join(f'{x * 1000:.0f}' for x in times)} ms)"
    )


def bench_quality(session, sample: int, seed: int) -> None:
    index = award_index(session)
    year = max(s for s in index.starts if s).year
    while (
        True
    ):  # the last year of the data: from the latest January with `sample` projects after it
        cutoff = date(year, 1, 1)
        recent = [
            i for i, s in enumerate(index.starts) if s and s >= cutoff and len(index.seats[i]) >= 2
        ]
        if len(recent) >= sample:
            break
        year -= 1
    recent.sort(key=lambda i: index.ids[i])  # the sample does not depend on the index's order
    rng = random.Random(seed)
    picked = rng.sample(recent, min(sample, len(recent)))
    earlier_counts: Counter = Counter()
    for i, s in enumerate(index.starts):
        if s and s < cutoff:
            for seat in index.seats[i]:
                earlier_counts[seat.organisation] += 1
    baseline = [o for o, _ in earlier_counts.most_common()]
    projects = {p.id: p for p in session.exec(select(AwardProject))}
    hits = {"engine": [], "baseline": []}
    for i in picked:
        project = projects[index.ids[i]]
        seats = index.seats[i]
        hidden = rng.choice(seats).organisation
        rest = frozenset(s.organisation for s in seats if s.organisation != hidden)
        found = rank_organisations(
            index,
            build_query(_profile(project)),
            before=cutoff,
            exclude_projects=frozenset({project.id}),
            exclude_organisations=rest,
            consortium=rest,
            limit=1000,
        )
        ranked = [s.organisation.id for s in found]
        hits["engine"].append(ranked.index(hidden) + 1 if hidden in ranked else None)
        base = [o for o in baseline if o not in rest]
        hits["baseline"].append(base.index(hidden) + 1 if hidden in base else None)
    print(
        f"leave-one-out on {len(picked)} projects started from {cutoff} (seed {seed}; "
        f"suggestions from projects started before it):"
    )
    for name, ranks in hits.items():
        recall = sum(1 for r in ranks if r and r <= 20) / len(ranks)
        mrr = sum(1 / r for r in ranks if r) / len(ranks)
        print(f"  {name}: recall@20 {recall:.3f}, MRR {mrr:.3f}")


def bench_forecast(session) -> None:
    rows = session.exec(
        select(AwardProject.topic, AwardProject.topic_title, AwardProject.start_date)
    ).all()
    by_topic: dict = defaultdict(list)
    for topic, title, start in rows:
        by_topic[(topic, title or "")].append(start)
    editions = [
        Edition(t, title, topic_year(t), len(s), min(s)) for (t, title), s in by_topic.items()
    ]
    by_area: dict = defaultdict(list)
    for e in editions:
        by_area[topic_area(e.topic)].append(e)
    seen, errors = set(), []
    for e in editions:
        if e.topic in seen:
            continue
        family = _chained(e.topic, e.title, by_area[topic_area(e.topic)])
        seen |= {f.topic for f in family}
        yearly: dict = {}
        for f in family:  # one date per year: the first project's start
            if f.year and f.first_start:
                yearly[f.year] = min(yearly.get(f.year, f.first_start), f.first_start)
        days = [yearly[y] for y in sorted(yearly)]
        if len(days) < 3:
            continue
        forecast = next_date(days[:-1], minimum=2)  # three editions: the gap of the first two
        if forecast is None:  # two editions whose first project started the same day
            continue
        errors.append(abs((forecast.expected - days[-1]).days))
    print(
        f"forecast back-test: {len(errors)} topic families with >= 3 editions, median error "
        f"{statistics.median(errors):.0f} days (mean {statistics.mean(errors):.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--database-url", default="sqlite:////tmp/awards_benchmark.db")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", choices=["import", "latency", "quality", "forecast"])
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    upgrade(engine)
    if not args.skip_import and args.only in (None, "import"):
        bench_import(engine, args.data)
    with Session(engine) as session:
        if args.only in (None, "latency"):
            bench_latency(session)
        if args.only in (None, "quality"):
            bench_quality(session, args.sample, args.seed)
        if args.only in (None, "forecast"):
            bench_forecast(session)


if __name__ == "__main__":
    main()
