import pytest

from funding.normalize import fold, html_to_text, looks_like_html, split_words

NONPROFIT_501C3 = (
    "Nonprofits having a 501(c)(3) status with the IRS, other than institutions of higher education"
)
GRANTS_GOV_LOCAL = (
    "Local (includes State-designated Indian Tribes, excludes institutions of higher education"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<p>Texte</p>", True),
        ("Texte<br/>suite", True),
        ('<a href="https://example.org">lien</a>', True),
        ("Citoyenneté &amp; Droits Humains", True),
        ("Les entreprises de l&rsquo;immobilier", True),
        ("Plain text", False),
        ("Communes de < 2000 hab", False),
        ("Professionnel - GE > 5000", False),
        ("R&D éligibles", False),
        ('">General conditions1. Admissibility', False),
    ],
)
def test_looks_like_html(value, expected):
    assert looks_like_html(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<p>Un</p><p>Deux</p>", "Un\n\nDeux"),
        ("<div>a</div><div>b</div>", "a\nb"),
        ("Ligne<br>suivante", "Ligne\nsuivante"),
        ("<ul><li>un</li><li>deux</li></ul>", "- un\n- deux"),
        (
            "<p>Liste :</p><ul>\n  <li> premier </li>\n  <li>second</li>\n</ul>",
            "Liste :\n\n- premier\n- second",
        ),
        ("<h2>Présentation</h2><p>Texte</p>", "Présentation\n\nTexte"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        (
            "<p>Pr&eacute;sentation du dispositif&nbsp;: 1 &oelig;uvre</p>",
            "Présentation du dispositif : 1 œuvre",
        ),
        ("<p>a   <b>gras</b>\n   suite</p>", "a gras suite"),
        ("<script>alert(1)</script><style>p{}</style><p>visible</p>", "visible"),
        ("<!-- note --><p>texte</p>", "texte"),
        ("<p>Expected outcome:</p><p></p><p></p><p>Scope</p>", "Expected outcome:\n\nScope"),
        ("Plain   text\n\n\n\nnext  ", "Plain text\n\nnext"),
        ("  Texte sans balise  ", "Texte sans balise"),
        ('">General conditions1. Admissibility', "General conditions1. Admissibility"),
        ('">General conditions<br>1. Admissibility', "General conditions\n1. Admissibility"),
        ("<p>unclosed <b>bold", "unclosed bold"),
        ("Citoyenneté &amp; Droits Humains", "Citoyenneté & Droits Humains"),
        ("", ""),
    ],
)
def test_html_to_text(value, expected):
    assert html_to_text(value) == expected


def test_html_to_text_none_is_none():
    assert html_to_text(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Entreprises privées", "entreprises privees"),
        (
            "Établissements publics (écoles, bibliothèques…)",
            "etablissements publics ecoles bibliotheques",
        ),
        ("Collectivités d'outre-mer", "collectivites d outre mer"),
        (
            "Entreprise de l’économie sociale et solidaire",
            "entreprise de l economie sociale et solidaire",
        ),
        ("Nonprofit 501(c)(3)", "nonprofit 501 c 3"),
        ("HORIZON  Research and Innovation Actions", "horizon research and innovation actions"),
        ("Œuvre", "oeuvre"),
        ("social_enterprise", "social enterprise"),
        ("  À VENIR ", "a venir"),
        ("", ""),
    ],
)
def test_fold(value, expected):
    assert fold(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "Communes;Associations;Entreprises privées",
            ["Communes", "Associations", "Entreprises privées"],
        ),
        ("Communes ; Associations ;", ["Communes", "Associations"]),
        ("Intercommunalités / Pays", ["Intercommunalités", "Pays"]),
        (
            "Établissements publics (écoles, bibliothèques…) / Services de l'État",
            ["Établissements publics (écoles, bibliothèques…)", "Services de l'État"],
        ),
        ("Ingénierie Juridique / administrative", ["Ingénierie Juridique / administrative"]),
        ("City/township", ["City/township"]),
        (
            "Association - Fondation|||Association - ONG",
            ["Association - Fondation", "Association - ONG"],
        ),
        ("grant|loan", ["grant", "loan"]),
        ("Associations\nFondations\r\nEntreprises", ["Associations", "Fondations", "Entreprises"]),
        (
            "Associations, Entreprises privées, Particuliers",
            ["Associations", "Entreprises privées", "Particuliers"],
        ),
        ("ngo, sme", ["ngo", "sme"]),
        (NONPROFIT_501C3, [NONPROFIT_501C3]),
        (GRANTS_GOV_LOCAL, [GRANTS_GOV_LOCAL]),
        (
            "Collectivité ou institution - Autre (GIP, copropriété, EPA...)",
            ["Collectivité ou institution - Autre (GIP, copropriété, EPA...)"],
        ),
        (
            "Sale, Exchange, or Donation of Property or Goods",
            ["Sale, Exchange, or Donation of Property or Goods"],
        ),
        ("Associations;Associations; Communes", ["Associations", "Communes"]),
        ("  Entreprises   privées  ", ["Entreprises privées"]),
        (["Associations", "Communes;Régions"], ["Associations", "Communes", "Régions"]),
        (["Particuliers", "Particuliers"], ["Particuliers"]),
        ("", []),
        (" ; | ", []),
        (None, []),
        ([], []),
    ],
)
def test_split_words(value, expected):
    assert split_words(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<p>Appel</p></body><body><p>ouvert</p>", "Appel\n\nouvert"),  # pasted from two pages
        ("<html>", ""),
        ("</body>text <head>\t&nbsp;", "text"),
    ],
)
def test_html_to_text_keeps_the_text_of_broken_markup(value, expected):
    """Stray body tags made lxml.html fail (an AssertionError) or drop what followed them."""
    assert html_to_text(value) == expected


def test_eu_headings_glued_to_their_text_are_repaired():
    from funding.contracts.records import to_row, validate_record

    glued = (
        "Expected Outcome:Project results are expected. Other Eligible ConditionsThe JRC may "
        "participate. General conditions1. Admissibility Conditions. Eligible "
        "countriesdescribed in Annex B; see https://ec.europa.eu and mailto:x@ec.europa.eu"
    )
    row = to_row(
        validate_record(
            {
                "id": "eu_sedia:t",
                "title": "T",
                "url": "https://e.eu/t",
                "source": "eu_sedia",
                "summary": glued,
            }
        )
    )
    assert row["summary_plain"] == (
        "Expected Outcome: Project results are expected. Other Eligible Conditions The JRC may "
        "participate. General conditions 1. Admissibility Conditions. Eligible countries "
        "described in Annex B; see https://ec.europa.eu and mailto:x@ec.europa.eu"
    )
    other = to_row(
        validate_record(
            {
                "id": "at:t",
                "title": "T",
                "url": "https://e.fr/t",
                "source": "aides_territoires",
                "summary": "UrbanVitaliz aide",
            }
        )
    )
    assert other["summary_plain"] == "UrbanVitaliz aide"  # a name, elsewhere: left as written
