from pathlib import Path

import pytest

from funding.normalize import (
    canonical_values,
    label,
    map_term,
    map_terms,
    parent,
    split_words,
    vocabulary,
    vocabulary_errors,
)

FILES = Path(__file__).parent.parent / "files"
NONPROFIT_501C3 = (
    "Nonprofits having a 501(c)(3) status with the IRS, other than institutions of higher education"
)
INSTRUMENTS = [
    "grant",
    "loan",
    "guarantee",
    "equity",
    "prize",
    "technical_assistance",
    "tender",
    "other",
]
APPLICANT_TYPES = [
    "ngo",
    "foundation",
    "company",
    "sme",
    "startup",
    "social_enterprise",
    "public_body",
    "local_authority",
    "research",
    "education",
    "individual",
    "farmer",
    "other",
]


def fixture_lines(name: str) -> list[str]:
    """Real source words recorded in tests/files, without the provenance line."""
    lines = (FILES / name).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# provenance: ")
    return [line for line in lines[1:] if line.strip()]


@pytest.fixture
def fresh_vocabularies():
    """Reload the CSV files before and after a test that changes them."""
    vocabulary.cache_clear()
    yield
    vocabulary.cache_clear()


def test_vocabulary_files_have_no_errors():
    assert vocabulary_errors() == []


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("applicant_type", APPLICANT_TYPES),
        ("instrument", INSTRUMENTS),
        ("recurrence", ["one_off", "recurring", "permanent"]),
        ("status", ["forthcoming", "open", "closed"]),
    ],
)
def test_canonical_values(kind, expected):
    assert canonical_values(kind) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Associations", "ngo"),
        ("Association", "ngo"),
        ("association", "ngo"),
        ("ASSOCIATIONS", "ngo"),
        ("ONG", "ngo"),
        ("NGO", "ngo"),
        ("NGOs", "ngo"),
        ("Fondation", "foundation"),
        ("Foundations", "foundation"),
        ("Entreprises privées", "company"),
        ("Entreprise privée", "company"),
        ("entreprises privees", "company"),
        ("Entreprise", "company"),
        ("Entreprises", "company"),
        ("PME", "sme"),
        ("TPE", "sme"),
        ("SMEs", "sme"),
        ("ETI", "company"),
        ("Start-up", "startup"),
        ("Startups", "startup"),
        ("Nonprofit 501(c)(3)", "ngo"),
        (NONPROFIT_501C3, "ngo"),
        ("For-profit organizations", "company"),
        ("For-profit organizations other than small businesses", "company"),
        ("Small businesses", "sme"),
        ("Communes", "local_authority"),
        ("Collectivités", "local_authority"),
        ("EPCI", "local_authority"),
        ("Départements", "local_authority"),
        ("Régions", "local_authority"),
        ("State governments", "public_body"),
        ("Établissements publics", "public_body"),
        ("Laboratoire", "research"),
        ("Chercheurs", "research"),
        ("Université", "education"),
        ("Particuliers", "individual"),
        ("Individuals", "individual"),
        ("Agriculteurs", "farmer"),
        ("ESS", "social_enterprise"),
        ("Entreprise de l'économie sociale et solidaire", "social_enterprise"),
        ("Entreprise de l’économie sociale et solidaire", "social_enterprise"),
        ("Social enterprise", "social_enterprise"),
        ("Unrestricted", "other"),
        ("sme", "sme"),
        ("ngo", "ngo"),
        ("social_enterprise", "social_enterprise"),
        ("public_body", "public_body"),
    ],
)
def test_applicant_type_words(word, expected):
    assert map_term("applicant_type", word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Subvention", "grant"),
        ("Subventions", "grant"),
        ("Grant", "grant"),
        ("Prêt", "loan"),
        ("prêts", "loan"),
        ("Loan", "loan"),
        ("Avance récupérable", "loan"),
        ("Garantie", "guarantee"),
        ("Prise de participation", "equity"),
        ("Fonds propres", "equity"),
        ("Prix", "prize"),
        ("Concours", "prize"),
        ("Trophées", "prize"),
        ("Prize", "prize"),
        ("Ingénierie technique", "technical_assistance"),
        ("Ingénierie financière", "technical_assistance"),
        ("Ingénierie Juridique / administrative", "technical_assistance"),
        ("Accompagnement", "technical_assistance"),
        ("Étude", "technical_assistance"),
        ("étude", "technical_assistance"),
        ("Technical assistance", "technical_assistance"),
        ("Appel d'offres", "tender"),
        ("Marché public", "tender"),
        ("Avantage fiscal", "other"),
        ("HORIZON  Research and Innovation Actions", "grant"),
        ("RIA", "grant"),
        ("HORIZON EIC Equity Only", "equity"),
        ("HORIZON Pre-commercial Procurement", "tender"),
        ("technical_assistance", "technical_assistance"),
    ],
)
def test_instrument_words(word, expected):
    assert map_term("instrument", word) == expected


@pytest.mark.parametrize(
    ("kind", "word", "expected"),
    [
        ("recurrence", "Permanente", "permanent"),
        ("recurrence", "Ponctuelle", "one_off"),
        ("recurrence", "Récurrente", "recurring"),
        ("recurrence", "Permanent", "permanent"),
        ("recurrence", "Annual", "recurring"),
        ("recurrence", "Annuelle", "recurring"),
        ("recurrence", "ongoing", "permanent"),
        ("recurrence", "oneoff", "one_off"),
        ("recurrence", "one_off", "one_off"),
        ("status", "Ouvert", "open"),
        ("status", "Clôturé", "closed"),
        ("status", "À venir", "forthcoming"),
        ("status", "a venir", "forthcoming"),
        ("status", "Open", "open"),
        ("status", "Closed", "closed"),
        ("status", "Forthcoming", "forthcoming"),
        ("status", "Posted", "open"),
        ("status", "Forecasted", "forthcoming"),
        ("status", "Archived", "closed"),
        ("status", "open", "open"),
    ],
)
def test_recurrence_and_status_words(kind, word, expected):
    assert map_term(kind, word) == expected


@pytest.mark.parametrize(
    ("kind", "word"),
    [
        ("instrument", "Appels à projets & candidatures"),
        ("instrument", "EUBA Type of Action"),
        ("applicant_type", "Martiens"),
        ("status", "PUBLIEE"),
        ("recurrence", "Parfois"),
        ("status", None),
        ("status", ""),
        ("status", "   "),
    ],
)
def test_unknown_words_have_no_canonical_value(kind, word):
    assert map_term(kind, word) is None


def test_map_terms_keeps_raw_words_and_dedupes_canonical_values():
    canonical, raw = map_terms(
        "applicant_type",
        "Communes;Intercommunalités / Pays;Associations;Martiens;Entreprises privées",
    )
    assert canonical == ["local_authority", "ngo", "company"]
    assert raw == [
        "Communes",
        "Intercommunalités",
        "Pays",
        "Associations",
        "Martiens",
        "Entreprises privées",
    ]


def test_map_terms_accepts_lists_and_canonical_values():
    assert map_terms("applicant_type", ["sme", "Association", "ngo"]) == (
        ["sme", "ngo"],
        ["sme", "Association", "ngo"],
    )


def test_map_terms_on_a_comma_list():
    assert map_terms("applicant_type", "Associations, Entreprises privées, Particuliers") == (
        ["ngo", "company", "individual"],
        ["Associations", "Entreprises privées", "Particuliers"],
    )


@pytest.mark.parametrize("value", [None, "", []])
def test_map_terms_empty(value):
    assert map_terms("applicant_type", value) == ([], [])


def test_map_terms_unknown_only():
    assert map_terms("instrument", "Contrat de territoire 2017-2021") == (
        [],
        ["Contrat de territoire 2017-2021"],
    )


@pytest.mark.parametrize("line", fixture_lines("aides_territoires_beneficiaires.txt"))
def test_every_aides_territoires_beneficiary_maps(line):
    canonical, raw = map_terms("applicant_type", line)
    assert canonical
    assert all(map_term("applicant_type", word) for word in raw)


@pytest.mark.parametrize("line", fixture_lines("aides_territoires_types_aides.txt"))
def test_every_aides_territoires_aid_type_maps(line):
    assert all(map_term("instrument", word) for word in split_words(line))


@pytest.mark.parametrize("line", fixture_lines("aides_territoires_recurrence.txt"))
def test_every_aides_territoires_recurrence_maps(line):
    assert map_term("recurrence", line) in {"one_off", "recurring", "permanent"}


@pytest.mark.parametrize("line", fixture_lines("iledefrance_public_cible.txt"))
def test_every_ile_de_france_audience_maps(line):
    assert all(map_term("applicant_type", word) for word in split_words(line))


@pytest.mark.parametrize("line", fixture_lines("us_fpi_applicant_types.txt"))
def test_every_us_federal_applicant_type_maps(line):
    assert map_term("applicant_type", line)


@pytest.mark.parametrize(
    ("kind", "canonical", "lang", "expected"),
    [
        ("applicant_type", "sme", "fr", "PME"),
        ("applicant_type", "sme", "en", "SME"),
        ("applicant_type", "local_authority", "fr", "Collectivité territoriale"),
        ("applicant_type", "local_authority", "en", "Local authority"),
        ("instrument", "grant", "fr", "Subvention"),
        ("instrument", "grant", "en", "Grant"),
        ("status", "forthcoming", "fr", "À venir"),
        ("recurrence", "permanent", "en", "Permanent"),
        ("instrument", "Contrat de territoire", "fr", "Contrat de territoire"),
    ],
)
def test_label(kind, canonical, lang, expected):
    assert label(kind, canonical, lang) == expected


def test_label_defaults_to_french():
    assert label("instrument", "loan") == "Prêt"


@pytest.mark.parametrize(
    ("canonical", "expected"),
    [
        ("startup", "sme"),
        ("sme", "company"),
        ("social_enterprise", "company"),
        ("company", None),
        ("foundation", None),
        ("ngo", None),
        ("unknown", None),
    ],
)
def test_parent(canonical, expected):
    assert parent("applicant_type", canonical) == expected


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(KeyError):
        map_term("colour", "red")


def test_staff_overrides_add_and_replace_words(tmp_path, monkeypatch, fresh_vocabularies):
    (tmp_path / "instruments.csv").write_text(
        "word,canonical,language,note\n"
        "Bourse d'amorçage,grant,fr,added by staff\n"
        "Concours,grant,fr,this funder's concours is a grant\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FUNDING_VOCABULARY_DIR", str(tmp_path))
    vocabulary.cache_clear()
    assert map_term("instrument", "Bourse d'amorçage") == "grant"
    assert map_term("instrument", "Concours") == "grant"
    assert map_term("instrument", "Prêt") == "loan"
    assert vocabulary_errors() == []


def test_staff_overrides_are_checked(tmp_path, monkeypatch, fresh_vocabularies):
    override = tmp_path / "applicant_types.csv"
    override.write_text(
        "word,canonical,language,note\n"
        "Coopératives,cooperative,fr,\n"
        "Mutuelles,company,fr,\n"
        "mutuelles,ngo,fr,\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FUNDING_VOCABULARY_DIR", str(tmp_path))
    assert vocabulary_errors() == [
        f"{override} line 2: 'cooperative' is not a canonical applicant_type",
        f"{override} line 4: 'mutuelles' is already mapped to company on line 3",
    ]


def test_unknown_canonical_in_an_override_is_ignored_by_lookups(
    tmp_path, monkeypatch, fresh_vocabularies
):
    (tmp_path / "status.csv").write_text("word,canonical,language,note\nPubliée,published,fr,\n")
    monkeypatch.setenv("FUNDING_VOCABULARY_DIR", str(tmp_path))
    vocabulary.cache_clear()
    assert map_term("status", "Publiée") is None


def test_labels_override_renames_a_canonical_value(tmp_path, monkeypatch, fresh_vocabularies):
    (tmp_path / "labels.csv").write_text(
        "kind,canonical,label_fr,label_en,parent\napplicant_type,ngo,Association,Non-profit,\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("FUNDING_VOCABULARY_DIR", str(tmp_path))
    vocabulary.cache_clear()
    assert label("applicant_type", "ngo") == "Association"
    assert label("applicant_type", "ngo", "en") == "Non-profit"
    assert canonical_values("applicant_type") == APPLICANT_TYPES
