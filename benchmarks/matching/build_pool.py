"""Print, for each dev profile, the pool to judge: top 20 of BM25 and of the engine, plus random ones."""

import random
import sys

from sqlmodel import Session, select

from benchmarks.matching.common import AS_OF, bm25, dev_engine, profiles
from funding.matching import match
from funding.store.models import Opportunity


def main() -> None:
    engine = dev_engine()
    with Session(engine) as session:
        ids = sorted(session.exec(select(Opportunity.id).where(Opportunity.merged_into.is_(None))))
        for name, profile in profiles().items():
            pool = bm25(session, profile, limit=20)
            pool += [m.opportunity.id for m in match(session, profile, as_of=AS_OF, limit=20)]
            pool += random.Random(name).sample(ids, 8)
            for oid in dict.fromkeys(pool):
                print(f"{name},{oid}")


if __name__ == "__main__":
    sys.exit(main())
