"""What each in-process cache saves: every workload run in a fresh process with all caches on, then
again with one cache switched off (the function called through, the memo dict never keeping).

    .venv/bin/python -m benchmarks.cache_benchmark [--workloads match extract normalize dedup]
        [--size 10000] [--repeat 3] [--only NAME ...]
    .venv/bin/python -m benchmarks.cache_benchmark --call-cost

Workloads, each timed in a fresh process (imports and load-once vocabularies outside the timing):
  match      the 7 dev profiles (benchmarks/matching/profiles) ranked by `match` over SIZE calls
             made from the snapshot (benchmarks.matching.speed builds them), twice: "cold" is the
             first pass (a new process, as a server's first page or a digest run), "warm" the
             second (a rerun of the same profiles)
  extract    funding.enrich.extract.extract over the 590 snapshot records, once each (enrichment)
  normalize  validate_record and to_row over the 590 snapshot records, once each (an import)
  dates      the snapshot's deadlines written out in French ("15 avril 2026": synthetic, as a
             source writing its dates in words would give them), each read by parse_date
  editions   the editions of 300 CORDIS topics (/work/shared/data/cordis-horizon-europe), as the
             call page links them (funding.awards.linking._chained over the topics of its area)
  dedup      the dedup blocks of the 590 snapshot records, every pair in a block scored
             (funding.enrich.dedup.score_pair, what auto_merge does for each candidate pair)

The unbounded ones (`functools.cache`: a vocabulary, a pattern, the model loaded once) are left on
unless --load-once. First a run with every cache on prints, per cache, its hits and misses in each workload; then each
cache a workload hit is switched off in turn and the workload timed again (median of --repeat
fresh processes, next to the median of --repeat runs with every cache on, measured first and
again at the end). Times are the CPU time of the process (time.process_time: SQLite runs in it),
steadier than wall time on a shared machine. Prints markdown.
"""

import argparse
import gzip
import importlib
import json
import pkgutil
import statistics
import subprocess
import sys
import time
from functools import cached_property
from importlib.resources import as_file
from pathlib import Path
from typing import Any

DB = Path("/tmp/funding_cache_benchmark_{size}.db")

# Module-level memo dicts (module, name) and cached properties (module, class, name).
MEMO_DICTS = [
    ("funding.matching.engine", "_FACTS"),
    ("funding.matching.relevance", "_DOCUMENTS"),
    ("funding.store.search", "_COUNTS"),
    ("funding.store.search", "_MATRIX"),
    ("funding.enrich.embeddings", "_QUERIES"),
    ("funding.awards.partners", "_INDEX"),
]
PROPERTIES = [
    ("funding.matching.facts", "CallFacts", "scope"),
    ("funding.matching.facts", "CallFacts", "applicant_places"),
    ("funding.matching.profile", "Partner", "seat"),
]
# Not functools caches (no hit counts): switched off in the match workload, the one that uses them.
UNCOUNTED = [
    *(f"{m}.{a}" for m, a in MEMO_DICTS if a != "_INDEX"),
    *(f"{m}.{c}.{a}" for m, c, a in PROPERTIES),
]
SKIP_MODULES = ("funding.store.migrations", "funding.cli.__main__")


class NoStore(dict):
    """A memo dict that keeps nothing: every lookup misses."""

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def setdefault(self, key: Any, default: Any = None) -> Any:
        return default

    def update(self, *args: Any, **kwargs: Any) -> None:
        pass


def _import_all() -> None:
    import funding

    for info in pkgutil.walk_packages(funding.__path__, "funding."):
        if not info.name.startswith(SKIP_MODULES):
            importlib.import_module(info.name)


def caches() -> dict[str, Any]:
    """Every functools cache defined in funding (name -> wrapper), the memo dicts, the properties."""
    _import_all()
    found: dict[str, Any] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("funding.") or module is None:
            continue
        for attr, value in vars(module).items():
            if hasattr(value, "cache_info") and getattr(value, "__module__", None) == name:
                found[f"{name}.{attr}"] = value
    for module, attr in MEMO_DICTS:
        found[f"{module}.{attr}"] = (module, attr)
    for module, cls, attr in PROPERTIES:
        found[f"{module}.{cls}.{attr}"] = (module, cls, attr)
    return found


def switch_off(name: str, target: Any) -> None:
    if isinstance(target, tuple) and len(target) == 2:
        setattr(sys.modules[target[0]], target[1], NoStore())
        return
    if isinstance(target, tuple):
        cls = getattr(sys.modules[target[0]], target[1])
        prop = cls.__dict__[target[2]]
        assert isinstance(prop, cached_property)
        setattr(cls, target[2], property(prop.func))
        return
    plain = target.__wrapped__
    for module in list(sys.modules.values()):
        if module is None or not getattr(module, "__name__", "").startswith(("funding", "ui")):
            continue
        for attr, value in list(vars(module).items()):
            if value is target:
                setattr(module, attr, plain)


# Workloads ---------------------------------------------------------------------------------


def _snapshot() -> list[dict]:
    from funding.ingest.snapshot import SNAPSHOT

    with as_file(SNAPSHOT) as path, gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _rows() -> list[dict]:
    from funding.contracts.records import to_row, validate_record

    return [to_row(validate_record(r)) for r in _snapshot()]


def _editions() -> list[tuple[str, str, list]]:
    """(topic, title, the editions of its area) for 300 CORDIS topics, as the call page asks."""
    import ast
    import random

    from funding.awards.linking import Edition, topic_area

    path = Path("/work/shared/data/cordis-horizon-europe/horizon_europe_projects.jsonl.gz")
    pairs = set()
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            topics, titles = (
                v if isinstance(v, list) else ast.literal_eval(v)
                for v in (row["topics"], row["topicTitles"])
            )
            pairs.update(zip(topics, titles, strict=False))
    areas: dict[str, list] = {}
    for topic, title in sorted(pairs):
        areas.setdefault(topic_area(topic), []).append(Edition(topic, title, None, 1, None))
    chosen = random.Random(14).sample(sorted(pairs), 300)
    return [(topic, title, areas[topic_area(topic)]) for topic, title in chosen]


def prepare(workload: str, size: int) -> Any:
    """What a workload reads, loaded before the caches are counted or switched off."""
    if workload == "match":
        from sqlmodel import Session

        from benchmarks.matching.common import profiles
        from funding.store.db import make_engine

        engine = make_engine(f"sqlite:///{DB.with_name(DB.name.format(size=size))}")
        return engine, list(profiles().values()), Session
    if workload == "normalize":
        return _snapshot()
    if workload == "dates":
        months = (
            "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
        )
        written = []
        for record in _snapshot():
            for day in record.get("deadlines") or []:
                y, m, d = map(int, day[:10].split("-"))
                written.append(f"{d} {months.split()[m - 1]} {y}")
        return written
    if workload == "editions":
        return _editions()
    rows = _rows()
    if workload == "extract":
        return rows
    from datetime import datetime

    from funding.enrich import dedup

    return [
        dedup._Row(*(r.get(c.key) for c in dedup._COLUMNS[:-1]), datetime(2026, 1, 1)) for r in rows
    ]


def warm_up(workload: str, data: Any) -> None:
    """Load-once vocabularies, patterns and the model, outside the timing."""
    from funding.enrich.extract import extract
    from funding.territory import places

    places._town_pattern(1_000)
    places._text_pattern()
    if workload == "normalize":
        from funding.contracts.records import to_row, validate_record

        to_row(validate_record(data[0]))  # its labels: one record of 590 in the caches
    elif workload == "dates":
        from funding.normalize.dates import parse_date

        parse_date("1er avril 2020")  # dateparser's languages loaded
    else:
        extract(_rows()[0])
    if workload == "match":
        from funding.enrich.embeddings import _model

        _model()


def run(workload: str, data: Any) -> dict[str, float]:
    started = time.process_time()
    if workload == "match":
        from datetime import date

        from funding.matching import match

        engine, chosen, Session = data
        out = {}
        with Session(engine) as session:
            for label in ("cold", "warm"):
                started = time.process_time()
                for profile in chosen:
                    match(session, profile, as_of=date(2026, 3, 1), limit=50)
                out[label] = time.process_time() - started
        return out
    if workload == "extract":
        from funding.enrich.extract import extract

        for row in data:
            extract(row)
    elif workload == "normalize":
        from funding.contracts.records import to_row, validate_record

        for record in data:
            to_row(validate_record(record))
    elif workload == "dedup":
        from funding.enrich import dedup

        for group in dedup._blocks(data):
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    dedup.score_pair(a, b)
    elif workload == "dates":
        from funding.normalize.dates import parse_date

        for text in data:
            parse_date(text)
    elif workload == "editions":
        from funding.awards.linking import _chained

        for topic, title, candidates in data:
            _chained(topic, title, candidates)
    return {"all": time.process_time() - started}


def child(workload: str, size: int, off: list[str]) -> None:
    """One fresh process: the workload timed, with the caches named switched off."""
    found = caches()
    data = prepare(workload, size)
    warm_up(workload, data)
    for name in off:
        switch_off(name, found[name])
    for value in found.values():
        if hasattr(value, "cache_clear") and value.__module__ not in (
            "funding.settings",
            "funding.store.db",
        ):
            info = value.cache_info()
            value._before = (info.hits, info.misses)
    timings = run(workload, data)
    counts = {}
    for name, value in found.items():
        if hasattr(value, "cache_info") and hasattr(value, "_before"):
            info = value.cache_info()
            hits, misses = info.hits - value._before[0], info.misses - value._before[1]
            if hits or misses:
                counts[name] = (hits, misses)
    print(json.dumps({"timings": timings, "counts": counts}))


def spawn(workload: str, size: int, off: list[str]) -> dict:
    command = [sys.executable, "-m", "benchmarks.cache_benchmark", "--child", workload]
    command += ["--size", str(size), *[f"--off={n}" for n in off]]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def call_costs() -> None:
    """What one call costs of the functions whose cache was removed (issue 14): with the hits the
    match workload counted, what a cache could have saved at most."""
    from funding.matching import profile
    from funding.matching.facts import COLUMNS
    from funding.store import search
    from funding.territory import places

    places._town_pattern(1_000)
    places._text_pattern()
    words = ("eau", "potable", "assainissement", "biodiversite", "zone", "humide", "restauration")
    checks = {
        "funding.store.search.fts_query": lambda: search.fts_query(words, "sqlite"),
        "funding.store.search._columns_query": lambda: search._columns_query(
            "sqlite", tuple(COLUMNS)
        ),
        "funding.matching.profile._named_in_name": lambda: profile._named_in_name(
            "Association Nature Aravis – Haute-Savoie"
        ),
        "funding.matching.profile._seat": lambda: profile._seat(
            "FR", "Auvergne-Rhône-Alpes", "Haute-Savoie", "Annecy", "74000", None
        ),
        "funding.territory.places.lookup (a name)": lambda: places.lookup("Haute-Savoie"),
        "funding.territory.places.lookup (a typo)": lambda: places.lookup("Anecy"),
    }
    print("\n| function (no cache) | one call, CPU µs |\n|---|---:|")
    for name, fn in checks.items():
        fn()
        started = time.process_time()
        for _ in range(200):
            fn()
        print(f"| `{name}` | {(time.process_time() - started) / 200 * 1e6:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workloads", nargs="+", default=["match", "extract", "normalize", "dedup"]
    )
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", nargs="+", help="switch off only these caches (full names)")
    parser.add_argument(
        "--load-once", action="store_true", help="switch off the unbounded @cache ones too"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--off", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--call-cost", action="store_true", help="only the per-call costs")
    args = parser.parse_args()
    if args.call_cost:
        call_costs()
        return
    if args.child:
        child(args.child, args.size, args.off)
        return
    if "match" in args.workloads:
        from benchmarks.matching.speed import build

        build(args.size, DB.with_name(DB.name.format(size=args.size)))

    def median(runs: list[dict]) -> dict[str, float]:
        return {
            k: statistics.median(r["timings"][k] for r in runs) * 1000 for k in runs[0]["timings"]
        }

    found = caches()
    for workload in args.workloads:
        base = [spawn(workload, args.size, []) for _ in range(args.repeat)]
        counts = base[0]["counts"]
        on = median(base)
        spread = {
            k: [
                min(r["timings"][k] for r in base) * 1000,
                max(r["timings"][k] for r in base) * 1000,
            ]
            for k in on
        }
        shown = ", ".join(
            f"{k} {v:,.0f} ms ({spread[k][0]:,.0f}–{spread[k][1]:,.0f})" for k, v in on.items()
        )
        print(f"\n### {workload}: every cache on, {shown}")
        heads = " | ".join(f"{k} ms (on → off)" for k in on)
        print(f"\n| cache switched off | hits / misses with it on | {heads} |")
        print("|---|---:|" + "---:|" * len(on))
        counted = sorted(n for n in counts if args.load_once or found[n].cache_info().maxsize)
        names = args.only or counted + (UNCOUNTED if workload == "match" else [])
        for name in names:
            runs = [spawn(workload, args.size, [name]) for _ in range(args.repeat)]
            off = median(runs)
            hits, misses = counts.get(name, (0, 0))
            cells = " | ".join(f"{on[k]:,.0f} → {off[k]:,.0f} ({off[k] - on[k]:+,.0f})" for k in on)
            print(f"| `{name}` | {hits:,} / {misses:,} | {cells} |", flush=True)
        again = median([spawn(workload, args.size, []) for _ in range(args.repeat)])
        print(
            "\nevery cache on again, at the end: "
            + ", ".join(f"{k} {v:,.0f} ms" for k, v in again.items())
        )


if __name__ == "__main__":
    main()
