"""The Aides-territoires spider on recorded API pages (parsed once, one test per field), then real
crawls against the loopback mirror: token exchange, paging, no token, a refused token."""

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from sqlmodel import Session, select

from crawlers.spiders.aides_territoires import (
    AIDS_PATH,
    CONNEXION_PATH,
    SKIPPED,
    TOKEN_VARIABLE,
    AidesTerritoiresSpider,
)
from funding.contracts.records import to_row, validate_record
from funding.store.db import get_engine
from funding.store.models import SourceRun
from funding.store.opportunities import get_opportunity, opportunities_by_source
from tests.crawlers.mirror import Reply

FILES = Path(__file__).resolve().parents[1] / "files" / "aides_territoires"
BASE = "http://127.0.0.1:9"
SITE = "https://aides-territoires.beta.gouv.fr"
TOKEN = "personal-test-token"
JWT = json.loads((FILES / "connexion.json").read_text("utf-8"))["token"]


def _page(number: int) -> dict:
    return json.loads((FILES / f"aids_page{number}.json").read_text("utf-8"))


def _response(number: int) -> TextResponse:
    body = (FILES / f"aids_page{number}.json").read_bytes()
    request = Request(f"{BASE}{AIDS_PATH}?page={number}&itemsPerPage=100", meta={"page": number})
    return TextResponse(url=request.url, request=request, body=body, encoding="utf-8")


spider = AidesTerritoiresSpider(base_url=BASE)
spider.jwt = JWT
page1 = list(spider.parse(_response(1)))
page2 = list(spider.parse(_response(2)))
items = [x for x in page1 + page2 if isinstance(x, dict)]
by_id = {item["id"]: item for item in items}


def aid(slug: str) -> dict:
    return by_id[f"aides_territoires:{slug}"]


CYCLO = "9ded-aide-a-lacquisition-de-materiel-cyclomobile-d"
TEST_JBE = "test-jbe"


def test_every_aid_once():
    assert len(items) == 20 and len(by_id) == 20


def test_id_is_the_slug():
    assert f"aides_territoires:{CYCLO}" in by_id
    assert "aides_territoires:obtenir-financement-pvd-habitat" in by_id


def test_id_falls_back_to_the_numeric_id():
    assert spider.parse_aid({"id": 36021, "name": "x"})["id"] == "aides_territoires:36021"


def test_url_is_the_public_page():
    assert aid(CYCLO)["url"] == f"{SITE}/aides/{CYCLO}/"
    assert spider.parse_aid({"slug": "abc-x", "name": "x"})["url"] == f"{SITE}/aides/abc-x/"


def test_title_unescapes_entities():
    assert aid("echanges-et-cessions-amiables-dimmeubles-ruraux")["title"] == (
        "Echanges et cessions amiables d’immeubles ruraux"
    )


def test_summary_and_eligibility():
    assert aid(CYCLO)["summary"].startswith("Dispositif de certificats d'économies d'énergie")
    assert aid(TEST_JBE)["eligibility_text"].startswith("Lorem ipsum dolor sit amet")
    assert aid(CYCLO)["eligibility_text"] is None
    assert aid("ancienne-aide")["summary"] is None  # an empty description


def test_funder_joins_the_financers():
    assert aid(CYCLO)["funder"] == "Eni Gas & Power France"
    assert aid("eff7-se-faire-accompagner-dans-les-projets-damenag")["funder"] == (
        "Ministère de la Transition écologique et de la Cohésion des territoires, Cerema"
    )
    assert spider.parse_aid({"slug": "s", "financers": [{"name": "ADEME"}]})["funder"] == "ADEME"


def test_deadlines():
    assert aid(CYCLO)["deadlines"] == ["2022-12-31"]
    assert aid(TEST_JBE)["deadlines"] is None


def test_opens_on():
    assert aid(CYCLO)["opens_on"] is None
    assert spider.parse_aid({"slug": "s", "start_date": "2026-01-15"})["opens_on"] == "2026-01-15"


def test_recurrence():
    assert aid(CYCLO)["recurrence"] == "Récurrente"
    assert aid(TEST_JBE)["recurrence"] == "Permanente"


def test_applicant_types_are_the_targeted_audiences():
    assert aid("5949-reduire-les-emissions-de-polluants-atmospheri")["applicant_types"] == [
        "Entreprises privées"
    ]
    assert aid("reglement-departemental-daide-sociale-rdas")["applicant_types"] == [
        "Particulier",
        "Association",
        "Collectivité ou établissement public",
    ]


def test_instrument_and_aid_types():
    item = aid("2607-aider-les-municipalites-et-leurs-groupements-")
    assert item["instrument"] == "Subvention"
    assert item["aid_types"] == [
        "Subvention",
        "Ingénierie technique",
        "Ingénierie financière",
        "Ingénierie Juridique / administrative",
    ]
    assert aid(TEST_JBE)["instrument"] == "Contrat de territoire 2017-2021"
    assert aid("ancienne-aide")["instrument"] is None


def test_themes_are_the_categories():
    assert aid(TEST_JBE)["themes"] == ["Tourisme", "Assainissement des eaux", "Biodiversité"]
    assert aid(CYCLO)["themes"] is None


def test_intervention_zones_are_the_perimeter():
    assert aid(TEST_JBE)["intervention_zones"] == ["Manche"]
    assert aid(CYCLO)["intervention_zones"] is None
    zone = spider.parse_aid({"slug": "s", "perimeter": {"name": "Bretagne"}})
    assert zone["intervention_zones"] == ["Bretagne"]


def test_cofinancing_rates():
    item = spider.parse_aid(
        {"slug": "s", "subvention_rate_lower_bound": 20, "subvention_rate_upper_bound": 80}
    )
    assert (item["cofinancing_rate_max"], item["cofinancing_rate_min"]) == (0.8, 0.2)
    assert aid(CYCLO)["cofinancing_rate_max"] is None


def test_extras():
    jbe = aid(TEST_JBE)
    assert jbe["origin_url"] == "https://test.manche.fr/guide-des-aides/test-jbe/"
    assert jbe["application_url"] == "https://www.google.fr"
    assert jbe["date_updated"] == "2023-08-03T10:36:39.000Z"
    assert aid("test-ab-2")["destinations"] == [
        "Dépenses de fonctionnement",
        "Dépenses d’investissement",
    ]
    assert aid("db89-analyses-des-pollutions-et-contaminants-dans-")["is_call_for_project"] is True
    assert aid(CYCLO)["is_call_for_project"] is False
    assert aid(TEST_JBE)["is_call_for_project"] is None
    loan = spider.parse_aid({"slug": "s", "loan_amount": 50000})
    assert loan["loan_amount"] == 50000


def test_language_currency_and_source():
    assert (aid(CYCLO)["language"], aid(CYCLO)["currency"]) == ("fr", "EUR")
    assert aid(CYCLO)["source"] == "aides_territoires"


@pytest.mark.parametrize("item", items, ids=lambda item: item["id"])
def test_invariants(item):
    slug = item["id"].removeprefix("aides_territoires:")
    assert item["id"].startswith("aides_territoires:") and slug
    assert item["url"] == f"{SITE}/aides/{slug}/"
    assert spider.parse_aid(_raw(slug)) == item  # parsing is stable
    if item["opens_on"] and item["deadlines"]:
        assert all(d >= item["opens_on"] for d in item["deadlines"])
    for deadline in item["deadlines"] or ():
        date.fromisoformat(deadline)
    for field in ("cofinancing_rate_max", "cofinancing_rate_min"):
        assert item[field] is None or 0 < item[field] <= 1
    row = to_row(validate_record(item))
    assert row["recurrence"] in ("permanent", "one_off", "recurring")
    assert row["applicant_types"]


def _raw(slug: str) -> dict:
    return next(a for n in (1, 2) for a in _page(n)["results"] if a["slug"] == slug)


def test_paging_follows_next_on_the_crawled_host():
    requests = [x for x in page1 if isinstance(x, Request)]
    assert len(requests) == 1
    url = urlparse(requests[0].url)
    assert f"{url.scheme}://{url.netloc}" == BASE and url.path == AIDS_PATH
    assert parse_qs(url.query) == {"page": ["2"], "itemsPerPage": ["100"]}
    assert requests[0].headers["Authorization"] == f"Bearer {JWT}".encode()
    assert not [x for x in page2 if isinstance(x, Request)]


def test_filters_are_spider_arguments():
    filtered = AidesTerritoiresSpider(
        base_url=BASE, organization_type_slugs="association,private-sector", keyword="vélo"
    )
    query = parse_qs(urlparse(filtered.first_page_url()).query)
    assert query["organization_type_slugs"] == ["association", "private-sector"]
    assert query["keyword"] == ["vélo"] and query["itemsPerPage"] == ["100"]
    assert "organization_type_slugs" not in parse_qs(urlparse(spider.first_page_url()).query)


# Real crawls ---------------------------------------------------------------------------------


def _serve(mirror, *, refuse: int | None = None) -> None:
    def connexion(request):
        headers = {k.lower(): v for k, v in request.headers.items()}
        if refuse or headers.get("x-auth-token") != TOKEN:
            status = refuse or 401
            return Reply(status, b'{"detail": "Invalid token"}')
        return Reply(body=(FILES / "connexion.json").read_bytes())

    def aids(request):
        headers = {k.lower(): v for k, v in request.headers.items()}
        if headers.get("authorization") != f"Bearer {JWT}":
            return Reply(401, b'{"detail": "Invalid JWT"}')
        number = int(request.query["page"][0])
        return Reply(body=(FILES / f"aids_page{number}.json").read_bytes())

    mirror.route("POST", CONNEXION_PATH, connexion)
    mirror.route("GET", AIDS_PATH, aids)


def _runs() -> list[SourceRun]:
    with Session(get_engine()) as session:
        return list(session.exec(select(SourceRun).order_by(SourceRun.id)))


def _stored() -> dict[str, object]:
    with Session(get_engine()) as session:
        return {o.id: o for o in opportunities_by_source(session, "aides_territoires")}


def _counts(run: SourceRun) -> tuple[int, ...]:
    return (run.items_seen, run.inserted, run.updated, run.unchanged, run.rejected)


def test_crawl_stores_every_aid_then_sees_them_unchanged(mirror, scrapy_crawl, monkeypatch):
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    _serve(mirror)
    first = scrapy_crawl("aides_territoires", "-a", f"base_url={mirror.url}")
    assert first.returncode == 0, first.stderr[-3000:]
    (run,) = _runs()
    assert (run.status, run.message, _counts(run)) == ("ok", None, (20, 20, 0, 0, 0))
    assert set(_stored()) == set(by_id)
    with Session(get_engine()) as session:
        stored = get_opportunity(session, f"aides_territoires:{CYCLO}")
    assert stored.title.startswith("Bénéficier d'un accompagnement")
    assert stored.url == f"{SITE}/aides/{CYCLO}/"
    assert "ngo" in stored.applicant_types and "company" in stored.applicant_types
    assert str(stored.deadline_first) == "2022-12-31"
    (exchange,) = mirror.hits(CONNEXION_PATH, "POST")
    assert {k.lower(): v for k, v in exchange.headers.items()}["x-auth-token"] == TOKEN
    pages = [r.query["page"] for r in mirror.hits(AIDS_PATH, "GET")]
    assert pages == [["1"], ["2"]]

    second = scrapy_crawl("aides_territoires", "-a", f"base_url={mirror.url}")
    assert second.returncode == 0, second.stderr[-3000:]
    run = _runs()[-1]
    assert (run.status, _counts(run)) == ("ok", (20, 0, 0, 20, 0))


def test_no_token_skips_the_source(mirror, scrapy_crawl, monkeypatch):
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)
    _serve(mirror)
    result = scrapy_crawl("aides_territoires", "-a", f"base_url={mirror.url}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert SKIPPED in result.stderr and "Traceback" not in result.stderr
    assert _stored() == {}
    assert not mirror.hits(CONNEXION_PATH) and not mirror.hits(AIDS_PATH)
    (run,) = _runs()
    assert (run.status, run.message, run.items_seen) == ("skipped", SKIPPED, 0)


def test_refused_token_fails_the_run_naming_the_token(mirror, scrapy_crawl, monkeypatch):
    monkeypatch.setenv(TOKEN_VARIABLE, "expired-token")
    _serve(mirror)
    result = scrapy_crawl("aides_territoires", "-a", f"base_url={mirror.url}")
    (run,) = _runs()
    assert run.status == "failed", result.stderr[-3000:]
    assert run.message.startswith("Aides-territoires refused the token exchange (HTTP 401)")
    assert TOKEN_VARIABLE in run.message
    assert len(mirror.hits(CONNEXION_PATH)) == 1 and not mirror.hits(AIDS_PATH)
    assert _stored() == {}
