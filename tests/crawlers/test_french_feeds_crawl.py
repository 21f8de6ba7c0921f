"""Real crawls of the six French funder feeds: `scrapy crawl NAME` in its own process, over a loopback mirror."""

from urllib.parse import urlparse

import pytest
from sqlmodel import Session, select

from crawlers.spiders.ademe_agir import AdemeAgirSpider
from crawlers.spiders.culture import CultureSpider
from crawlers.spiders.drome import DromeSpider
from crawlers.spiders.iledefrance import IledefranceSpider
from crawlers.spiders.manche import MancheSpider
from crawlers.spiders.welcome_europe import WelcomeEuropeSpider
from funding.store.db import get_engine
from funding.store.models import Opportunity, SourceRun
from tests.crawlers.feed_checks import FILES
from tests.crawlers.mirror import Reply

FEEDS = {
    "ademe_agir": (
        AdemeAgirSpider,
        "ademe_agir_data.json",
        ["1ed7d411", "1ed7d40a", "1ec8f1be", "1ed7fb5d", "1ed85d34"],
    ),
    "iledefrance": (
        IledefranceSpider,
        "ile_de_france_data.json",
        ["Sy2cc9WqE", "Skxo55-5N", "S1Xj5qb5N"],
    ),
    "drome": (DromeSpider, None, ["162", "338", "650"]),
    "manche": (
        MancheSpider,
        "departement_manche_data.json",
        [
            "36021",
            "36027",
            "30802",
            "30801",
            "30798",
            "30788",
            "30791",
            "39672",
            "39620",
            "35024",
        ],
    ),
    "culture": (CultureSpider, "ministere_de_la_culture_data.json", ["303980", "315790", "315795"]),
    "welcome_europe": (WelcomeEuropeSpider, "welcom_europe_data.json", ["42534", "42487"]),
}


def _serve(mirror, name: str) -> str:
    """Route the feed's path to its recorded answer (Drôme: two pages by ?page=); return the path."""
    spider, file, _ = FEEDS[name]
    path = urlparse(spider.feed_path).path
    if file:
        mirror.serve_file(path, FILES / name / file)
    else:
        pages = {n: (FILES / name / f"page{n}.json").read_bytes() for n in ("1", "2")}
        mirror.route("GET", path, lambda r: Reply(body=pages[r.query.get("page", ["1"])[0]]))
    return path


def _stored(name: str) -> set[str]:
    with Session(get_engine()) as session:
        return set(session.exec(select(Opportunity.id).where(Opportunity.source == name)))


def _runs(name: str) -> list[SourceRun]:
    with Session(get_engine()) as session:
        return list(
            session.exec(select(SourceRun).where(SourceRun.source == name).order_by(SourceRun.id))
        )


def _counts(run: SourceRun) -> tuple[int, ...]:
    return (run.items_seen, run.inserted, run.updated, run.unchanged, run.rejected)


@pytest.mark.parametrize("name", list(FEEDS))
def test_crawl_stores_every_record(name, mirror, scrapy_crawl):
    path = _serve(mirror, name)
    result = scrapy_crawl(name, "-a", f"base_url={mirror.url}")
    assert result.returncode == 0, result.stderr[-3000:]
    ids = {f"{name}:{source_id}" for source_id in FEEDS[name][2]}
    assert _stored(name) == ids
    (run,) = _runs(name)
    assert (run.status, run.message) == ("ok", None), result.stderr[-3000:]
    assert _counts(run) == (len(ids), len(ids), 0, 0, 0)
    assert len(mirror.hits(path)) == (2 if name == "drome" else 1)
    assert mirror.hits("/robots.txt")


def test_second_crawl_changes_nothing(mirror, scrapy_crawl):
    _serve(mirror, "welcome_europe")
    assert scrapy_crawl("welcome_europe", "-a", f"base_url={mirror.url}").returncode == 0
    second = scrapy_crawl("welcome_europe", "-a", f"base_url={mirror.url}")
    assert second.returncode == 0, second.stderr[-3000:]
    run = _runs("welcome_europe")[-1]
    assert run.status == "ok" and _counts(run) == (2, 0, 0, 2, 0)
