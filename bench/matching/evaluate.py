"""nDCG@10 and P@10 (grade >= 2) of the matching engine and of plain BM25 on the dev set.

    .venv/bin/python -m bench.matching.evaluate

Judgments (bench/matching/judgments.csv) were made by reading the records, before any tuning;
an opportunity that was not judged counts as grade 0.
"""

import csv
import math
from collections import defaultdict

from sqlmodel import Session

from bench.matching.common import AS_OF, JUDGMENTS, bm25, dev_engine, profiles
from funding.matching import match

K = 10


def judgments() -> dict[str, dict[str, int]]:
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    with JUDGMENTS.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            grades[row["profile"]][row["opportunity_id"]] = int(row["grade"])
    return grades


def ndcg(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    gain = sum((2 ** grades.get(i, 0) - 1) / math.log2(r + 2) for r, i in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(ideal))
    return gain / best if best else 0.0


def precision(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    return sum(grades.get(i, 0) >= 2 for i in ranked[:k]) / k


def main() -> None:
    grades = judgments()
    engine = dev_engine()
    rows = []
    with Session(engine) as session:
        for name, profile in profiles().items():
            ours = [m.opportunity.id for m in match(session, profile, as_of=AS_OF, limit=K)]
            base = bm25(session, profile, limit=K)
            g = grades[name]
            rows.append(
                (name, ndcg(ours, g), precision(ours, g), ndcg(base, g), precision(base, g))
            )
    print(f"| profile | engine nDCG@{K} | engine P@{K} | BM25 nDCG@{K} | BM25 P@{K} |")
    print("|---|---:|---:|---:|---:|")
    for name, a, b, c, d in rows:
        print(f"| {name} | {a:.3f} | {b:.2f} | {c:.3f} | {d:.2f} |")
    mean = [sum(r[i] for r in rows) / len(rows) for i in range(1, 5)]
    print(
        f"| **mean** | **{mean[0]:.3f}** | **{mean[1]:.2f}** | **{mean[2]:.3f}** | **{mean[3]:.2f}** |"
    )
    if mean[2]:
        print(f"\nengine / BM25 nDCG@{K}: {mean[0] / mean[2]:.2f}x")


if __name__ == "__main__":
    main()
