"""`funding awards import` on real rows of the CORDIS extract: errors named, any order, idempotent."""

from click.testing import CliRunner
from sqlmodel import Session, func, select

from funding.awards.importer import import_awards
from funding.cli import main
from funding.store.models import AwardOrganisation, AwardParticipation, AwardProject
from tests.conftest import FILES

AWARDS = FILES / "awards"
PROJECTS, PARTICIPATIONS, BAD = (
    AWARDS / n for n in ("projects.jsonl.gz", "organisations.jsonl.gz", "bad.jsonl")
)


def _count(engine, table) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_participations_first_then_projects_then_again_changes_nothing(engine):
    first = import_awards(engine, PARTICIPATIONS)
    assert (first.inserted, first.rejected) == (351, 0)
    assert import_awards(engine, PROJECTS).inserted == 13
    again = [import_awards(engine, path) for path in (PROJECTS, PARTICIPATIONS)]
    assert [(r.inserted, r.updated, r.unchanged) for r in again] == [(0, 0, 13), (0, 0, 351)]
    assert _count(engine, AwardProject) == 13
    assert _count(engine, AwardParticipation) == 351
    with Session(engine) as session:
        project = (
            session.get(AwardProject, "cordis:101112877")
            or session.exec(
                select(AwardProject).where(AwardProject.acronym == "BLUE CONNECT")
            ).one()
        )
        assert project.topic == "HORIZON-MISS-2023-OCEAN-01-01"
        assert project.url.startswith("https://cordis.europa.eu/project/id/")
        greek = session.exec(
            select(func.count())
            .select_from(AwardOrganisation)
            .where(AwardOrganisation.country == "EL")
        ).one()
        assert greek == 0  # CORDIS's EL is stored as ISO GR


def test_organisations_are_one_row_per_source_id(engine):
    import_awards(engine, PARTICIPATIONS)
    with Session(engine) as session:
        ids = session.exec(select(AwardOrganisation.source_id)).all()
        rows = session.exec(select(AwardParticipation.organisation_id)).all()
    assert len(ids) == len(set(ids)) < len(rows)  # some organisations are in several projects


def test_bad_lines_are_named_and_the_good_ones_stored(engine):
    report = import_awards(engine, BAD)
    reasons = [str(r) for r in report.rejections]
    assert reasons[0] == "bad.jsonl: line 1: startDate: '31/02/2023' is not a date"
    assert reasons[1].startswith("bad.jsonl: line 3: not valid JSON")
    assert reasons[2] == "bad.jsonl: line 4: organisationID: is empty"
    assert reasons[3].startswith("bad.jsonl: line 5: country: 'Switzerland'")
    assert (report.inserted, report.rejected) == (2, 4)


def test_a_changed_row_is_an_update(engine, tmp_path):
    import gzip

    import_awards(engine, PROJECTS)
    with gzip.open(PROJECTS, "rt") as handle:
        lines = handle.read().splitlines()
    changed = tmp_path / "projects.jsonl"
    first = lines[0].replace('"ecMaxContribution":', '"ecMaxContribution": 1 , "x":')
    changed.write_text("\n".join([first, *lines[1:]]))
    report = import_awards(engine, changed)
    assert (report.updated, report.unchanged) == (1, 12)


def test_cli_counts_and_exit_status(database_url):
    result = CliRunner().invoke(main, ["awards", "import", str(PROJECTS), str(BAD)])
    assert result.exit_code == 1
    assert "projects.jsonl.gz: 13 inserted, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert "total: 14 inserted, 0 updated, 1 unchanged, 4 rejected" in result.output
