"""How well `funding match` ranks, on the tuning set (../shared/eval) and on the older dev set.

    .venv/bin/python -m benchmarks.matching.evaluate [--fresh] [--write-runs DIR] [--unjudged]

Tuning set: its corpus imported and enriched into a database of its own, each profile matched as
of 2022-01-01 (the judgments ignore dates), top 50; the set's own BM25 baseline from the same run.
nDCG@10, P@10, R@50, unj@10 and excl@10 per profile, their mean, and the mean of each half
(nDCG'@10: the same over the judged records only, a development aid while unj@10 is high)
(pd01-pd06, pd07-pd12: tune on one, report the other). Judgments: the set's qrels plus this
project's own judgments of records the set never judged (tuning_judgments.tsv). Also the share of
"to verify" in the top 10, and whether every excluded call that --include-ineligible shows is
ineligible. Dev set (benchmarks/matching/judgments.csv, the snapshot, as of 2026-03-01): nDCG@10 and
P@10 of the engine and of plain FTS5 BM25, as before.
"""

import argparse
import json
from datetime import date
from pathlib import Path

from sqlmodel import Session

from benchmarks.matching import common, tuning
from funding.matching import match

AS_OF = date(2022, 1, 1)
LIMIT = 50
METRICS = ("nDCG@10", "P@10", "R@50", "unj@10", "excl@10", "nDCG'@10")


def metrics(
    runs: dict[str, list[str]], grades: dict[str, dict[str, int]], excluded: set[tuple[str, str]]
) -> dict[str, tuple[float, ...]]:
    """Per profile: nDCG@10, P@10, R@50, unj@10, excl@10 (the set's own functions)."""
    m = tuning.bm25_module()
    found = {}
    for pid in sorted(grades, key=lambda p: (len(p), p)):
        ranking, judged = runs.get(pid, []), grades[pid]
        found[pid] = (
            m.ndcg_at(ranking, judged),
            m.precision_at(ranking, judged),
            m.recall_at(ranking, judged),
            m.unjudged_at(ranking, judged),
            m.excluded_at(pid, ranking, excluded),
            m.ndcg_at([i for i in ranking if i in judged], judged),  # condensed: judged only
        )
    return found


def mean(rows: dict[str, tuple[float, ...]], pids: list[str] | None = None) -> tuple[float, ...]:
    chosen = [rows[p] for p in (pids or list(rows)) if p in rows]
    return tuple(sum(r[i] for r in chosen) / len(chosen) for i in range(len(METRICS)))


def engine_runs(session: Session, *, include_ineligible: bool = False, lang: str = "fr"):
    """profile -> the engine's matches (top LIMIT) as of AS_OF."""
    return {
        pid: match(
            session,
            profile,
            as_of=AS_OF,
            limit=LIMIT,
            include_ineligible=include_ineligible,
            lang=lang,
        )
        for pid, profile in tuning.profiles().items()
    }


def _table(title: str, ours: dict, base: dict) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| profile | "
        + " | ".join(f"engine {m}" for m in METRICS)
        + " | BM25 nDCG@10 | BM25 excl@10 |",
        "|---|" + "---:|" * (len(METRICS) + 2),
    ]
    for pid, values in ours.items():
        lines.append(
            f"| {pid} | "
            + " | ".join(f"{v:.3f}" for v in values)
            + f" | {base[pid][0]:.3f} | {base[pid][4]:.2f} |"
        )
    for name, pids in [("mean", None), *tuning.HALVES.items()]:
        a, b = mean(ours, pids), mean(base, pids)
        lines.append(
            f"| **{name}** | "
            + " | ".join(f"**{v:.3f}**" for v in a)
            + f" | **{b[0]:.3f}** | **{b[4]:.2f}** |"
        )
    return lines


def tuning_report(session: Session) -> tuple[list[str], dict]:
    grades, excluded = tuning.judgments(), tuning.excluded()
    matched = engine_runs(session)
    runs = {pid: [m.opportunity.id for m in found] for pid, found in matched.items()}
    ours, base = metrics(runs, grades, excluded), metrics(tuning.bm25_runs(), grades, excluded)
    lines = _table("Tuning set (../shared/eval), as of 2022-01-01, top 50", ours, base)
    lines.append("")
    for name, pids in [("all", None), *tuning.HALVES.items()]:
        a, b = mean(ours, pids)[0], mean(base, pids)[0]
        lines.append(
            f"- nDCG@10 engine / BM25, {name}: {a:.3f} / {b:.3f} = "
            f"{a / b if b else float('inf'):.2f}x"
        )
    worst = min(ours, key=lambda p: ours[p][0] - base[p][0])
    lines.append(f"- profile furthest below BM25: {worst} ({ours[worst][0] - base[worst][0]:+.3f})")
    top = [m for found in matched.values() for m in found[:10]]
    share = sum(m.verdict == "to_verify" for m in top) / max(1, len(top))
    eligible = sum(m.verdict == "eligible" for m in top) / max(1, len(top))
    lines.append(
        f"- top 10 verdicts: {eligible:.0%} eligible, {share:.0%} to verify ({len(top)} slots)"
    )
    shown = engine_runs(session, include_ineligible=True)
    checked = [
        (pid, m)
        for pid, found in shown.items()
        for m in found
        if (pid, m.opportunity.id) in excluded
    ]
    wrong = [(pid, m.opportunity.id, m.verdict) for pid, m in checked if m.verdict != "ineligible"]
    lines.append(
        f"- excluded calls shown with --include-ineligible: {len(checked)}, "
        f"of which not ineligible: {len(wrong)}"
    )
    for pid, oid, found in wrong:
        lines.append(f"  - {pid} {oid}: {found}")
    unjudged = sorted(
        {(pid, i) for pid, ids in runs.items() for i in ids[:10] if i not in grades.get(pid, {})}
    )
    return lines, {"runs": runs, "unjudged": unjudged}


def dev_report() -> list[str]:
    grades = common.judgments()
    engine = common.dev_engine()
    rows = []
    with Session(engine) as session:
        for name, profile in common.profiles().items():
            ours = [m.opportunity.id for m in match(session, profile, as_of=common.AS_OF, limit=10)]
            base = common.bm25(session, profile, limit=10)
            g = grades[name]
            rows.append(
                (
                    name,
                    common.ndcg(ours, g),
                    common.precision(ours, g),
                    common.ndcg(base, g),
                    common.precision(base, g),
                )
            )
    lines = [
        "### Dev set (benchmarks/matching, the snapshot as of 2026-03-01)",
        "",
        "| profile | engine nDCG@10 | engine P@10 | BM25 nDCG@10 | BM25 P@10 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, a, b, c, d in rows:
        lines.append(f"| {name} | {a:.3f} | {b:.2f} | {c:.3f} | {d:.2f} |")
    m = [sum(r[i] for r in rows) / len(rows) for i in range(1, 5)]
    lines.append(
        f"| **mean** | **{m[0]:.3f}** | **{m[1]:.2f}** | **{m[2]:.3f}** | **{m[3]:.2f}** |"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="import the corpus again")
    parser.add_argument("--write-runs", type=Path, help="write the engine's run (JSON lines) here")
    parser.add_argument(
        "--unjudged",
        action="store_true",
        help="list the top-10 records no judgment covers (to judge them)",
    )
    parser.add_argument("--no-dev", action="store_true", help="skip the dev set")
    args = parser.parse_args()
    engine = tuning.tuning_engine(fresh=args.fresh)
    with Session(engine) as session:
        lines, found = tuning_report(session)
    print("\n".join(lines))
    if args.write_runs:
        args.write_runs.mkdir(parents=True, exist_ok=True)
        with (args.write_runs / "engine.jsonl").open("w", encoding="utf-8") as f:
            for pid, ids in found["runs"].items():
                f.write(json.dumps({"profile": pid, "ranking": ids}) + "\n")
    if args.unjudged:
        print("\nunjudged in a top 10:")
        for pid, oid in found["unjudged"]:
            print(f"{pid}\t{oid}")
    if not args.no_dev:
        print()
        print("\n".join(dev_report()))


if __name__ == "__main__":
    main()
