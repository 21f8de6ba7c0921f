"""Fit the fused score's weights on one half of the tuning set and check them on the other.

    .venv/bin/python -m benchmarks.matching.fit [--tune pd01-pd06] [--grid small]

Every profile's candidates are retrieved once; rank() (pure) then orders them again for each
setting of the weights, so a grid of settings costs seconds. The objective is the mean nDCG@10 of
the tuned half (records never judged count 0) plus the mean over judged records only (nDCG'@10,
which unjudged records do not drag down while they wait to be judged); the table shows both halves,
so a setting that only helps the half it was fitted on is seen for what it is.
"""

import argparse
import itertools
from datetime import date

from sqlmodel import Session

from benchmarks.matching import tuning
from funding.matching import engine, query, relevance, retrieve
from funding.matching.profile import parse_profile

AS_OF = date(2022, 1, 1)
GRIDS = {
    "small": {
        "W_SEMANTIC": [0.25, 0.45, 0.65],
        "PLACE_BONUS": [0.0, 0.15, 0.3],
        "W_FIT": [0.1, 0.2, 0.3],
        "UNKNOWN_PENALTY": [0.0, 0.02],
    },
    "lexical": {
        "LEXICAL_HALF": [0.15, 0.25, 0.4],
        "LEXICAL_TERMS": [8, 12, 20],
        "W_THEMES": [0.0, 0.1, 0.2],
    },
    "coverage": {
        "COVERAGE": [0.0, 0.25, 0.5, 0.75],
        "W_SEMANTIC": [0.35, 0.45, 0.55],
    },
    "agreement": {
        "AGREEMENT": [0.0, 0.2, 0.3, 0.45],
        "W_SEMANTIC": [0.45, 0.6],
    },
    "sources": {
        "SOURCE_SYNONYM": [0.35, 0.5, 0.65],
        "SOURCE_PROJECT": [0.3, 0.45, 0.6],
    },
    "semantic": {
        "SEMANTIC_LOW": [0.74, 0.78, 0.8],
        "SEMANTIC_HIGH": [0.86, 0.9],
        "PLACE_MISMATCH": [0.0, 0.2, 0.4],
    },
}


def _set(name: str, value: float) -> None:
    if name.startswith("SOURCE_"):  # a weight of query.SOURCE_WEIGHTS
        query.SOURCE_WEIGHTS[name.removeprefix("SOURCE_").lower()] = value
        return
    for module in (relevance, engine, query):
        if hasattr(module, name):
            setattr(module, name, value)
    if name == "W_FIT":
        engine.W_RELEVANCE = 1 - value


def scores(pools: dict, profiles: dict, pids: list[str]) -> tuple[float, float]:
    m = tuning.bm25_module()
    grades = tuning.judgments()
    full, judged = [], []
    for pid in pids:
        found = pools[pid]
        ranked = engine.rank(
            found.facts,
            profiles[pid],
            as_of=AS_OF,
            statistics=found.statistics,
            similarities=found.similarities,
            limit=50,
        )
        ids = [x.opportunity.id for x in ranked]
        full.append(m.ndcg_at(ids, grades[pid]))
        judged.append(m.ndcg_at([i for i in ids if i in grades[pid]], grades[pid]))
    return sum(full) / len(full), sum(judged) / len(judged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tune", default="pd01-pd06", choices=list(tuning.HALVES))
    parser.add_argument("--grid", default="small", choices=list(GRIDS))
    args = parser.parse_args()
    profiles = {pid: parse_profile(p) for pid, p in tuning.profiles().items()}
    other = next(h for h in tuning.HALVES if h != args.tune)
    with Session(tuning.tuning_engine()) as session:
        pools = {pid: retrieve(session, query.build_query(p)) for pid, p in profiles.items()}
    grid = GRIDS[args.grid]
    results = []
    for values in itertools.product(*grid.values()):
        for name, value in zip(grid, values, strict=True):
            _set(name, value)
        relevance.clear_documents()
        tuned = scores(pools, profiles, tuning.HALVES[args.tune])
        checked = scores(pools, profiles, tuning.HALVES[other])
        results.append((tuned[0] + tuned[1], values, tuned, checked))
    results.sort(key=lambda r: -r[0])
    print(
        "| "
        + " | ".join(grid)
        + f" | {args.tune} nDCG | {args.tune} nDCG' | {other} nDCG | {other} nDCG' |"
    )
    print("|" + "---:|" * (len(grid) + 4))
    for _, values, tuned, checked in results[:15]:
        print(
            "| "
            + " | ".join(f"{v:g}" for v in values)
            + f" | {tuned[0]:.3f} | {tuned[1]:.3f} | {checked[0]:.3f} | {checked[1]:.3f} |"
        )


if __name__ == "__main__":
    main()
