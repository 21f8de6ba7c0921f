"""Calls linked to what their topic funded, partner suggestions and the next-edition forecast, on
real rows of the CORDIS extract and a real call."""

import json
from datetime import date

import pytest
from sqlmodel import Session

from funding.awards.forecast import next_date, next_edition
from funding.awards.importer import import_awards
from funding.awards.linking import editions, funded_summary, topic_area
from funding.awards.partners import suggest_partners, to_csv
from funding.matching import parse_profile
from funding.matching.facts import CallFacts
from funding.store.opportunities import get_opportunity, store_record
from tests.conftest import FILES

AWARDS = FILES / "awards"
BLUE_PARKS = "European Blue Parks – Offshore marine protected areas"  # the 2024 title
AFRICA_CALL = "eu_sedia:HORIZON-CL6-2027-02-FARM2FORK-02-two-stage"


@pytest.fixture
def awards(engine):
    for name in ("projects.jsonl.gz", "organisations.jsonl.gz"):
        import_awards(engine, AWARDS / name)
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.mark.parametrize(
    "code,area",
    [
        ("HORIZON-CL5-2024-D3-01-05", "HORIZON-CL5-D3"),
        ("HORIZON-CL5-2027-01-D3-05", "HORIZON-CL5-D3"),
        ("HORIZON-CL6-2022-CIRCBIO-02-01-two-stage", "HORIZON-CL6-CIRCBIO"),
        ("ERC-2024-STG", "ERC-STG"),
    ],
)
def test_topic_area_drops_year_and_numbers_across_work_programmes(code, area):
    assert topic_area(code) == area


def test_a_topic_finds_its_editions_of_earlier_work_programmes(awards):
    found = editions(awards, "HORIZON-MISS-2024-OCEAN-01-01", BLUE_PARKS)
    assert [(e.topic, e.projects) for e in found] == [
        ("HORIZON-MISS-2022-OCEAN-01-01", 2),
        ("HORIZON-MISS-2023-OCEAN-01-01", 1),
        ("HORIZON-MISS-2024-OCEAN-01-01", 1),
    ]


def test_the_same_code_number_with_another_title_is_not_an_edition(awards):
    found = editions(
        awards, "HORIZON-MISS-2025-OCEAN-01-01", "Digital twin of the ocean for fisheries"
    )
    assert found == []


def test_the_call_summary_says_what_a_winning_consortium_looked_like(awards):
    summary = funded_summary(awards, "eu_sedia:horizon-miss-2024-ocean-01-01", BLUE_PARKS)
    assert len(summary.projects) == 4
    assert all(p["coordinator"] for p in summary.projects)
    assert summary.median_partners > 5 and summary.median_contribution > 1_000_000
    assert (
        0 < summary.shares["company"] < 1
        and abs(
            sum(
                summary.shares[k]
                for k in ("company", "research", "higher_education", "public", "other")
            )
            - 1
        )
        < 1e-9
    )
    assert funded_summary(awards, "iledefrance:x", BLUE_PARKS) is None


def test_a_suggestion_says_which_requirement_it_would_fill(awards):
    call = next(
        json.loads(line)
        for line in (FILES / "matching" / "real_calls.jsonl").open()
        if AFRICA_CALL in line
    )
    store_record(awards, call)
    awards.commit()
    profile = parse_profile(
        {
            "name": "Santé et environnement urbain",
            "project": "urban health, air pollution, "
            "climate change and health of city dwellers in Africa and Europe, exposure of citizens",
            "partners": [
                {"type": "NGO", "country": "FR", "role": "lead"},
                {"type": "company", "country": "CH"},
            ],
        }
    )
    found = suggest_partners(
        awards, profile, call=CallFacts.of(get_opportunity(awards, AFRICA_CALL)), limit=50
    )
    african = [s for s in found if s.organisation.country in ("BF", "SN", "KE", "GH", "ZA", "UG")]
    european = [s for s in found if s.organisation.country in ("FR", "CH", "DE", "ES", "IT")]
    assert african and european
    assert all(s.fills and "African Union" in s.fills[0].words for s in african)
    assert not any(s.fills for s in european)
    geneva = suggest_partners(awards, profile, near=("CH013",), limit=50)
    assert geneva and all(s.organisation.region == "CH013" for s in geneva)
    assert to_csv(found[:2]).splitlines()[0].startswith("name,type,sme,country")


def test_forecast_of_the_next_edition_from_real_editions(awards):
    found = editions(awards, "HORIZON-MISS-2024-OCEAN-01-01", BLUE_PARKS)
    forecast = next_date([e.first_start for e in found])
    assert forecast.expected.year == 2026  # starts 2023-06, 2024-09, 2025-06: about a year apart
    assert len(forecast.evidence) == 3
    sentence = next_edition(date(2027, 3, 4), [2024, 2025, 2026]).sentence("fr")
    assert sentence == (
        "Prévision : prochaine édition attendue vers mars 2028, d'après 2024, 2025, 2026 et 2027"
    )
    assert next_date([date(2024, 3, 1), date(2025, 3, 1)]) is None  # two editions: no forecast


PROFILE = {
    "name": "Marine protected areas",
    "project": "offshore marine protected areas, "
    "restoration of marine habitats and biodiversity of the ocean",
    "partners": [{"type": "NGO", "country": "FR", "role": "lead"}],
}


def test_a_fresh_process_reads_the_stored_index_instead_of_building_it(awards, monkeypatch):
    from funding.awards import partners

    partners.refresh_award_index(awards.get_bind())  # what `funding awards import` does
    built = [
        (s.organisation.source_id, round(s.score, 6))
        for s in suggest_partners(awards, parse_profile(PROFILE), limit=10)
    ]
    partners._INDEX.clear()  # a new process: nothing in memory

    def no_build(session):
        raise AssertionError("the index was built again")

    monkeypatch.setattr(partners, "_build", no_build)
    read = [
        (s.organisation.source_id, round(s.score, 6))
        for s in suggest_partners(awards, parse_profile(PROFILE), limit=10)
    ]
    assert built and read == built


def test_the_stored_index_is_built_again_after_another_awards_import(awards):
    from funding.awards import partners

    first = partners.refresh_award_index(awards.get_bind())
    import_awards(awards.get_bind(), AWARDS / "projects.jsonl.gz")  # a new run, unchanged rows
    partners._INDEX.clear()
    again = partners.award_index(awards)
    assert again is not first and again.ids == first.ids


def test_awards_import_stores_the_partner_index(database_url):
    from click.testing import CliRunner
    from sqlmodel import select

    from funding.cli import main
    from funding.store.db import make_engine
    from funding.store.models import AwardIndexCache

    files = [str(AWARDS / "projects.jsonl.gz"), str(AWARDS / "organisations.jsonl.gz")]
    result = CliRunner().invoke(main, ["awards", "import", *files])
    assert result.exit_code == 0, result.output
    with Session(make_engine(database_url)) as session:
        assert len(session.exec(select(AwardIndexCache.run_id)).all()) == 1


def _real_call(prefix: str) -> dict:
    return next(
        json.loads(line)
        for line in (FILES / "matching" / "real_calls.jsonl").open()
        if json.loads(line)["id"].startswith(prefix)
    )


def _stored(session, record: dict):
    store_record(session, record)
    session.commit()
    return get_opportunity(session, record["id"])


def test_a_call_of_another_source_quoting_an_eu_topic_code_is_linked_to_its_editions(awards):
    # A real Aides-territoires call whose text, as a mirrored EU call would, quotes a real topic code.
    record = _real_call("aides_territoires:") | {
        "summary": "Relais national de l'appel Horizon Europe HORIZON-MISS-2024-OCEAN-01-01 : "
        "parcs bleus européens, aires marines protégées au large."
    }
    call = _stored(awards, record)
    summary = funded_summary(awards, call.id, call.title, call)
    assert [e.topic for e in summary.editions] == [
        "HORIZON-MISS-2022-OCEAN-01-01",
        "HORIZON-MISS-2023-OCEAN-01-01",
        "HORIZON-MISS-2024-OCEAN-01-01",
    ]
    assert len(summary.projects) == 4


def test_a_call_of_another_source_with_a_near_duplicate_title_is_linked(awards):
    from funding.awards.linking import linked_topics

    record = _real_call("iledefrance:") | {"title": f"Horizon Europe - {BLUE_PARKS} (2024)"}
    call = _stored(awards, record)
    assert ("HORIZON-MISS-2024-OCEAN-01-01", BLUE_PARKS) in linked_topics(awards, call)
    assert len(funded_summary(awards, call.id, call.title, call).projects) == 4


def test_a_call_of_another_source_unlike_any_funded_topic_is_linked_to_nothing(awards):
    call = _stored(awards, _real_call("aides_territoires:"))
    assert funded_summary(awards, call.id, call.title, call) is None
