"""Building the weekly digests of 10,000 subscribers over 100,000 opportunities (sending excluded).

    .venv/bin/python -m benchmarks.digest_benchmark [--subscribers 10000] [--partnerships 200]
        [--new 2000] [--changed 300] [--render]

The database is the 100,000-opportunity database of benchmarks/matching/speed.py (snapshot records with
new ids and shifted dates), copied to /tmp/funding_digest_bench.db and prepared once: every call
first seen on 2026-01-01 but `--new` of them seen three days before the run (2026-03-02, a Monday),
`--changed` older calls whose deadline moved that week, and `--partnerships` partnership profiles
(variations of the seven profiles of benchmarks/matching/profiles: themes, keywords, countries) shared
by `--subscribers` subscribers (50 per partnership: team members and partners of one consortium;
one partnership in six has subscribers in both languages), five hidden and three watched calls
per partnership. Prints the timings: the engine runs once per (partnership, language).
"""

import argparse
import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session, select

from benchmarks.matching.common import profiles
from funding.store.db import make_engine, upgrade
from funding.store.models import (
    FieldChange,
    HiddenCall,
    Opportunity,
    Partnership,
    Subscriber,
    WatchedCall,
)

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
SOURCE = Path("/tmp/funding_match_speed_100000.db")
TARGET = Path("/tmp/funding_digest_bench.db")
EXTRA_WORDS = [
    "climat",
    "énergie",
    "biodiversité",
    "inclusion",
    "formation",
    "santé",
    "agriculture",
    "numérique",
    "eau",
    "déchets",
    "mobilité",
    "jeunesse",
]
COUNTRIES = ["SN", "BF", "ML", "FR", "CH", "BE", "CM", "MA", "TN", "CI"]


def prepare(args: argparse.Namespace) -> None:
    if not SOURCE.exists():
        from benchmarks.matching.speed import build

        build(100_000)
    if TARGET.exists():
        return
    shutil.copyfile(SOURCE, TARGET)
    engine = make_engine(f"sqlite:///{TARGET}")
    upgrade(engine)
    rng = random.Random(7)
    base = list(profiles().values())
    with Session(engine) as session:
        ids = list(session.exec(select(Opportunity.id).where(Opportunity.merged_into.is_(None))))
        session.execute(text("UPDATE opportunity SET first_seen_at = '2026-01-01 00:00:00'"))
        new = rng.sample(ids, args.new)
        for start in range(0, len(new), 500):
            session.execute(
                text("UPDATE opportunity SET first_seen_at = :t WHERE id IN :ids").bindparams(
                    __import__("sqlalchemy").bindparam("ids", expanding=True)
                ),
                {"t": "2026-02-27 10:00:00", "ids": new[start : start + 500]},
            )
        old = [i for i in rng.sample(ids, args.changed * 2) if i not in set(new)][: args.changed]
        session.execute(
            insert(FieldChange.__table__),
            [
                {
                    "opportunity_id": i,
                    "field": "deadlines",
                    "old_value": ["2026-03-31"],
                    "new_value": ["2026-04-30"],
                    "changed_at": NOW - timedelta(days=2),
                    "changed_by": "bench",
                }
                for i in old
            ],
        )
        now = NOW - timedelta(days=60)
        for k in range(args.partnerships):
            profile = dict(base[k % len(base)])
            rng2 = random.Random(k)
            profile["name"] = f"{profile['name']} #{k}"
            profile["themes"] = list(profile.get("themes") or []) + rng2.sample(EXTRA_WORDS, 2)
            profile["keywords"] = list(profile.get("keywords") or [])[:2] + rng2.sample(
                EXTRA_WORDS, 1
            )
            if profile.get("intervention_countries"):
                profile["intervention_countries"] = rng2.sample(COUNTRIES, 2)
            p = Partnership(name=profile["name"], profile=profile, created_at=now, updated_at=now)
            session.add(p)
            session.flush()
            both = k % 6 == 0
            for n in range(args.subscribers // args.partnerships):
                lang = ("en" if n % 2 else "fr") if both else ("fr" if k % 3 else "en")
                session.add(
                    Subscriber(
                        email=f"s{k}.{n}@example.org",
                        partnership_id=p.id,
                        frequency="weekly",
                        language=lang,
                        status="active",
                        created_at=now,
                        confirmed_at=now,
                    )
                )
            for i in rng2.sample(new, 5):
                session.add(HiddenCall(partnership_id=p.id, opportunity_id=i, hidden_at=now))
            for i in rng2.sample(ids, 3):
                session.add(
                    WatchedCall(
                        partnership_id=p.id,
                        opportunity_id=i,
                        stage="preparing",
                        created_at=now,
                        updated_at=now,
                    )
                )
        session.commit()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--partnerships", type=int, default=200)
    parser.add_argument("--new", type=int, default=2_000)
    parser.add_argument("--changed", type=int, default=300)
    parser.add_argument("--render", action="store_true", help="Also render every e-mail (MIME).")
    args = parser.parse_args()
    t = time.perf_counter()
    prepare(args)
    print(f"prepared in {time.perf_counter() - t:.1f} s")
    from funding.digests.build import DigestBuilder
    from funding.digests.send import build_due

    engine = make_engine(f"sqlite:///{TARGET}")
    with Session(engine, expire_on_commit=False) as session:
        started = time.perf_counter()
        original = DigestBuilder.build
        stats = {}

        def build(self, *a, **kw):
            result = original(self, *a, **kw)
            stats["match_calls"] = self.match_calls
            return result

        DigestBuilder.build = build
        digests, _ = build_due(session, now=NOW)
        built = time.perf_counter() - started
    items = [len(d.items) for d in digests]
    nonempty = sum(1 for n in items if n)
    print(
        f"{len(digests)} digests built in {built:.1f} s ({stats['match_calls']} engine runs, "
        f"one per partnership and language); {nonempty} not empty, "
        f"{sum(items) / max(1, len(items)):.1f} calls per digest on average"
    )
    if args.render:
        from funding.digests.render import render_digest

        started = time.perf_counter()
        for digest in digests:
            if not digest.empty:
                bytes(render_digest(digest, message_id="<bench@example.org>"))
        print(
            f"{nonempty} e-mails rendered (HTML + text, MIME) in {time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
