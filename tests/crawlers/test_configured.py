"""The `configured` spider: sources declared in crawlers/sources.toml, crawled for real over HTTP.

The declarations are the shipped ones (fundsforngos: rss, uk_find_a_grant: json behind a Next.js
buildId, afd: html listing and detail pages); the responses are hand-made in the sites' formats
(tests/files/configured/PROVENANCE.md), served by the loopback mirror.
"""

import os
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

from crawlers.spiders.configured import json_path, tidy
from funding.harvest.sources import FieldSpec
from funding.store.db import get_engine, make_engine
from funding.store.models import Opportunity, Source, SourceRun
from tests.conftest import FILES
from tests.crawlers.mirror import Reply

CONFIGURED = FILES / "configured"
FAST_ENV = {
    "FUNDING_CRAWL_DELAY": "0",
    "FUNDING_CRAWL_AUTOTHROTTLE": "false",
    "FUNDING_HTTPCACHE_ENABLED": "false",
}
AFD_LISTING = "/fr/appels-a-projets/liste"
AFD_CALLS = (
    "facilite-dinnovation-sectorielle-ong-fisong-2026",
    "initiatives-osc-partenariats-entreprises",
    "fonds-climat-biodiversite-societe-civile",
)
UK_DATA = "/_next/data/Lq3vZk8Hf2sX1yT0aBcDe/en/grants.json"


def _stored(source: str) -> dict[str, Opportunity]:
    with Session(get_engine()) as session:
        rows = session.exec(select(Opportunity).where(Opportunity.source == source))
        return {o.title: o for o in rows}


def _runs(source: str) -> list[SourceRun]:
    with Session(get_engine()) as session:
        return list(session.exec(select(SourceRun).where(SourceRun.source == source)))


def funding(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "funding.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **FAST_ENV},
        timeout=120,
        check=False,
    )


@pytest.fixture
def afd_site(mirror):
    def listing(request):
        page = request.query.get("page", ["0"])[0]
        name = "afd_listing_page2.html" if page == "1" else "afd_listing_page1.html"
        return Reply(body=(CONFIGURED / name).read_bytes(), content_type="text/html; charset=utf-8")

    mirror.route("GET", AFD_LISTING, listing)
    for slug in AFD_CALLS:
        mirror.serve_file(f"/fr/appels-a-projets/{slug}", CONFIGURED / f"afd_{slug}.html")
    return mirror


@pytest.fixture
def uk_site(mirror):
    mirror.serve_file("/grants", CONFIGURED / "uk_find_a_grant_grants.html")
    mirror.serve_file(UK_DATA, CONFIGURED / "uk_find_a_grant_grants.json")
    return mirror


# RSS ---------------------------------------------------------------------------------------


def test_rss_feed_items_are_stored_under_the_source_name(mirror, scrapy_crawl):
    mirror.serve_file(
        "/feed/", CONFIGURED / "fundsforngos_feed.xml", content_type="application/rss+xml"
    )
    result = scrapy_crawl("configured", "-a", "source=fundsforngos", "-a", f"base_url={mirror.url}")
    assert result.returncode == 0, result.stderr[-3000:]
    stored = _stored("fundsforngos")
    assert len(stored) == 3
    water = stored[
        "Call for Proposals: Civil Society and Business Partnerships for Clean Water (Kenya)"
    ]
    assert water.id.startswith("fundsforngos:") and len(water.id) == len("fundsforngos:") + 16
    assert water.url.startswith("https://www2.fundsforngos.org/latest-funds-for-ngos/call-for-")
    assert water.deadlines == ["2026-03-27"]
    assert (water.amount_max, water.currency) == (250000.0, "USD")
    assert water.language == "en"
    assert water.themes == ["Latest Funds for NGOs", "Water and Sanitation", "Kenya"]
    assert "jointly with at least one private company" in water.eligibility_text
    assert "How to Apply" not in water.eligibility_text
    west = stored["Social Innovation Fund for NGO–Company Partnerships in West Africa"]
    assert west.deadlines == ["2026-04-15"] and (west.amount_max, west.currency) == (80000.0, "EUR")
    assert stored["Webinar: Writing a Winning Proposal for Corporate Foundations"].deadlines is None
    (run,) = _runs("fundsforngos")
    assert (run.status, run.items_seen, run.inserted, run.errors) == ("ok", 3, 3, 0)
    assert run.fill_rates == {"deadlines": 0.667, "applicant_types": 0.0, "amount": 0.667}
    assert not _runs("configured")
    with Session(get_engine()) as session:
        assert session.get(Source, "fundsforngos").kind == "rss"


def test_rss_ids_are_stable_across_crawls(mirror, scrapy_crawl):
    mirror.serve_file("/feed/", CONFIGURED / "fundsforngos_feed.xml")
    for _ in range(2):
        result = scrapy_crawl(
            "configured", "-a", "source=fundsforngos", "-a", f"base_url={mirror.url}"
        )
        assert result.returncode == 0, result.stderr[-3000:]
    first, second = _runs("fundsforngos")
    assert (second.inserted, second.unchanged) == (0, 3)
    assert first.flags is None and second.flags is None


# JSON --------------------------------------------------------------------------------------


def test_json_source_reads_the_build_id_then_the_data(uk_site, scrapy_crawl):
    result = scrapy_crawl(
        "configured", "-a", "source=uk_find_a_grant", "-a", f"base_url={uk_site.url}"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(uk_site.hits("/grants")) == 1 and len(uk_site.hits(UK_DATA)) == 1
    stored = _stored("uk_find_a_grant")
    assert len(stored) == 3
    fund = stored["Community Partnerships Fund 2026"]
    assert fund.id == "uk_find_a_grant:community-partnerships-fund-2026"
    assert (
        fund.url
        == "https://www.find-government-grants.service.gov.uk/grants/community-partnerships-fund-2026"
    )
    assert fund.funder == "Department for Culture, Media and Sport"
    assert (fund.amount_min, fund.amount_max, fund.total_budget) == (10000.0, 150000.0, 3000000.0)
    assert fund.currency == "GBP" and fund.opens_on == date(2026, 1, 5)
    assert fund.deadlines == ["2026-03-31"]
    assert fund.applicant_types_raw == ["Non-profit", "Private Sector"]
    assert fund.intervention_zones == ["England"]
    assert stored["Heritage Skills Bursaries"].amount_min is None
    (run,) = _runs("uk_find_a_grant")
    assert run.fill_rates == {"deadlines": 1.0, "applicant_types": 1.0, "amount": 1.0}


def test_json_source_without_a_build_id_fails(mirror, scrapy_crawl):
    mirror.route(
        "GET",
        "/grants",
        Reply(body=b"<html><body>maintenance</body></html>", content_type="text/html"),
    )
    result = scrapy_crawl(
        "configured", "-a", "source=uk_find_a_grant", "-a", f"base_url={mirror.url}"
    )
    assert "no buildId in" in result.stderr
    (run,) = _runs("uk_find_a_grant")
    assert run.status == "failed" and "no items returned" in run.message
    assert run.flags[0].startswith("failed: no items returned")


# HTML --------------------------------------------------------------------------------------


def test_html_listing_pages_lead_to_detail_pages(afd_site, scrapy_crawl):
    result = scrapy_crawl("configured", "-a", "source=afd", "-a", f"base_url={afd_site.url}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert [r.query.get("page") for r in afd_site.hits(AFD_LISTING)] == [None, ["1"]]
    stored = _stored("afd")
    assert len(stored) == 3
    fisong = stored["Facilité d’innovation sectorielle pour les ONG (FISONG) 2026"]
    assert fisong.url == f"{afd_site.url}/fr/appels-a-projets/{AFD_CALLS[0]}"
    assert fisong.deadlines == ["2026-04-15"] and fisong.opens_on == date(2026, 1, 15)
    assert (fisong.amount_max, fisong.currency) == (1_500_000.0, "EUR")
    assert fisong.applicant_types_raw == ["Organisations de la société civile", "ONG"]
    assert fisong.intervention_zones == ["Sénégal", "Madagascar"]
    assert fisong.funder == "Agence française de développement" and fisong.instrument == "grant"
    assert "<p>La FISONG soutient" in fisong.summary
    osc = stored["Initiatives OSC : partenariats ONG – entreprises"]
    assert osc.deadlines == ["2026-06-30"] and osc.amount_max == 300_000.0
    later = stored["Fonds climat et biodiversité pour la société civile"]
    assert later.deadlines is None and later.applicant_types is None
    (run,) = _runs("afd")
    assert run.fill_rates == {"deadlines": 0.667, "applicant_types": 0.667, "amount": 0.667}


def test_html_ids_do_not_depend_on_the_host(afd_site, scrapy_crawl):
    scrapy_crawl("configured", "-a", "source=afd", "-a", f"base_url={afd_site.url}")
    ids = {o.id for o in _stored("afd").values()}
    import hashlib

    path = f"/fr/appels-a-projets/{AFD_CALLS[1]}"
    assert f"afd:{hashlib.sha1(path.encode()).hexdigest()[:16]}" in ids


def test_html_limit_requests_no_more_detail_pages(afd_site, scrapy_crawl):
    result = scrapy_crawl(
        "configured", "-a", "source=afd", "-a", f"base_url={afd_site.url}", "-a", "limit=1"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    details = [
        r
        for r in afd_site.requests
        if r.path.startswith("/fr/appels-a-projets/") and r.path != AFD_LISTING
    ]
    assert len(details) == 1 and len(_stored("afd")) == 1
    assert len(afd_site.hits(AFD_LISTING)) == 1  # the next listing page is not fetched


def test_a_spider_source_is_refused(scrapy_crawl):
    result = scrapy_crawl("configured", "-a", "source=eu_sedia")
    assert (
        result.returncode != 0 and "has a spider of its own: scrapy crawl eu_sedia" in result.stderr
    )


# Through `funding` -------------------------------------------------------------------------


def test_funding_crawl_runs_a_configured_source(afd_site, database_url):
    result = funding("crawl", "afd", "--base-url", afd_site.url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "afd: ok, 3 items: 3 inserted, 0 updated, 0 unchanged, 0 rejected" in result.stdout


def test_sources_check_reports_the_fields_found(mirror, database_url, tmp_path):
    mirror.serve_file("/feed/", CONFIGURED / "fundsforngos_feed.xml")
    result = funding("sources", "check", "fundsforngos", "--limit", "2", "--base-url", mirror.url)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = {
        line.split()[0]: line.split()[1:]
        for line in result.stdout.splitlines()
        if line.startswith("  ")
    }
    assert "2 item(s) stored (limit 2)" in result.stdout
    assert lines["title"][0] == "2/2" and lines["deadlines"][0] == "2/2"
    assert lines["deadlines"][1] in ("2026-03-27", "2026-04-15")
    assert lines["amount_max"][0] == "2/2" and lines["amount_max"][1] in ("250000.0", "80000.0")
    assert lines["applicant_types"] == ["0/2", "-"]
    assert lines["language"][:2] == ["2/2", "en"]
    # A throw-away database: the configured one is never even created.
    if database_url.startswith("sqlite:"):
        assert not (tmp_path / "cli.db").exists()
    else:
        configured = make_engine(database_url)
        assert inspect(configured).get_table_names() == []
        configured.dispose()


def test_sources_check_exits_1_when_nothing_is_found(mirror, database_url):
    mirror.route(
        "GET",
        "/feed/",
        Reply(
            body=b"<?xml version='1.0'?><rss><channel></channel></rss>",
            content_type="application/rss+xml",
        ),
    )
    result = funding("sources", "check", "fundsforngos", "--base-url", mirror.url)
    assert result.returncode == 1
    assert "fundsforngos: failed" in result.stdout and "nothing found" in result.stdout


# Helpers, without a crawl --------------------------------------------------------------------


def test_json_path_walks_objects_lists_and_indexes():
    data = {"a": {"b": [{"c": 1, "d": [{"e": "x"}, {"e": "y"}]}, {"c": 2}]}}
    assert json_path(data, "a.b.0.c") == 1
    assert json_path(data, "a.b.c") == [1, 2]
    assert json_path(data, "a.b.0.d.e") == ["x", "y"]
    assert json_path(data, "a.missing") is None
    assert json_path(data, "") is data


@pytest.mark.parametrize(
    ("name", "spec", "raw", "expected"),
    [
        ("title", FieldSpec("h1"), ["  Appel\n à  projets "], "Appel à projets"),
        ("title", FieldSpec("h1"), ["Appel", "2026"], "Appel 2026"),
        ("themes", FieldSpec("a"), ["Eau", " ", "Climat", "Eau"], ["Eau", "Climat"]),
        ("themes", FieldSpec("a", first=True), ["Eau", "Climat"], "Eau"),
        ("summary", FieldSpec("p", join=" | "), ["a", "b"], "a | b"),
        (
            "deadlines",
            FieldSpec("p", join=" ", regex=r"le (\d+/\d+/\d{4})"),
            ["clôture le", "01/02/2026, ou le 03/04/2026"],
            ["01/02/2026", "03/04/2026"],
        ),
        ("url", FieldSpec("slug", format="https://x.org/{}"), ["abc"], "https://x.org/abc"),
        ("amount_max", FieldSpec("n"), [150000], 150000),
        ("summary", FieldSpec("p", strip_html=True), ["<p>Un <b>appel</b></p>"], "Un appel"),
        ("title", FieldSpec("h1", regex="nothing"), ["Appel"], None),
    ],
)
def test_tidy(name, spec, raw, expected):
    assert tidy(name, spec, raw) == expected
