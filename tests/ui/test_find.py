"""Find funding: profile form and JSON, ranked results with their reasons, filters, hide/restore."""

import json

from sqlmodel import Session

from funding.store.db import make_engine
from funding.store.models import HiddenCall, Partnership
from funding.store.opportunities import store_record
from tests.ui.conftest import LEAD, PROFILES, make_app, tables

BIODIVERSITY = (PROFILES / "biodiversity_local.json").read_bytes()


def load(at, data: bytes = BIODIVERSITY, name: str = "profile.json"):
    at.file_uploader(key="profile_file").set_value((name, data, "application/json"))
    at.run()
    assert not at.exception, at.exception
    return at


def result_titles(at) -> list[str]:
    return [
        m.value.strip("*").replace("\\", "")
        for m in at.markdown
        if m.value.startswith("**") and m.value.endswith("**") and m.value != "**Partenaires**"
    ]


def test_asks_for_a_profile_first(ui_db):
    at = make_app()
    assert at.title[0].value == "Trouver des financements"
    assert at.info[0].value.startswith("Décrivez votre partenariat")


def test_a_loaded_profile_shows_ranked_results_with_their_reasons(ui_db):
    at = load(make_app())
    assert at.success[0].value.startswith("Profil chargé : Nature en Bocage")
    caption = next(c.value for c in at.caption if "classé" in c.value)
    shown, total = int(caption.split()[0]), int(caption.split()[3])
    assert 0 < shown <= total
    facts = [m.value for m in at.markdown if "Score **" in m.value]
    scores = [float(f.split("Score **")[1].split("**")[0]) for f in facts]
    assert scores == sorted(scores, reverse=True)
    assert all(("badge[éligible]" in f or "badge[à vérifier]" in f) for f in facts)
    assert all("Échéance :" in f and "Source :" in f for f in facts)
    reasons = tables(at)[0]
    assert list(reasons[0]) == ["Critère", "Résultat", "Explication", "Texte du financeur"]
    assert "Calendrier" in {r["Critère"] for r in reasons}  # the timing criterion, in words
    assert any(r["Résultat"].startswith("✓") for r in reasons)
    assert max(len(r["Texte du financeur"]) for r in reasons) > 0
    assert not at.get("arrow_data_frame")  # explanation cells wrap: a table, not a dataframe


def test_a_bad_profile_file_names_the_field(ui_db):
    at = load(make_app(), json.dumps({"name": "X", "partners": [{"country": "FR"}]}).encode())
    assert at.error[0].value == (
        "Profil incomplet ou invalide : partenaire 1 (partners[0]), champ type : obligatoire"
    )
    assert at.info[0].value.startswith("Décrivez")


def test_schema_errors_name_the_place_as_the_readme_numbers_it_in_french_or_english(ui_db):
    bad = {
        "name": "X",
        "partners": [
            {"type": "association", "country": "FR"},
            {"type": "sme", "country": "Mars", "role": "boss"},
        ],
        "keywords": [1, {}],
    }
    at = load(make_app(), json.dumps(bad).encode())
    assert at.error[0].value == (
        "Profil incomplet ou invalide : partenaire 2 (partners[1]), champ country : 'Mars' n'est "
        "pas un pays (code ISO 3166-1 alpha-2 comme FR, ou un nom) ; partenaire 2 (partners[1]), "
        "champ role : 'boss' n'est pas un rôle (lead, partner) ; champ keywords : [1, {}] n'est "
        "pas une liste de mots"
    )
    english = load(make_app(lang="en"), json.dumps(bad).encode())
    assert english.error[0].value.startswith(
        "Incomplete or invalid profile: partner 2 (partners[1]), field country: 'Mars' is not a "
        "country"
    )


def test_the_form_builds_a_profile(ui_db):
    at = make_app()
    assert [s.key for s in at.selectbox if s.key and s.key.endswith("_type")] == ["f_p0_type"]
    next(b for b in at.button if b.label == "Ajouter un partenaire").click().run()
    assert at.selectbox(key="f_p1_type").value == ""  # a second row, left blank
    at.text_input(key="f_name").input("Haies et mares")
    at.text_area(key="f_project").input("Restaurer les haies et les mares avec les communes")
    at.selectbox(key="f_p0_type").set_value("association")
    at.text_input(key="f_p0_country").input("FR")
    at.selectbox(key="f_p0_role").set_value("lead")
    at.multiselect(key="f_themes").set_value(["biodiversity"])
    at.text_input(key="f_keywords").input("haies, zones humides")
    at.button[[b.label for b in at.button].index("Chercher les appels")].click().run()
    assert not at.exception
    assert not at.error
    assert at.session_state["profile"]["partners"] == [
        {"type": "association", "country": "FR", "role": "lead"}
    ]
    assert at.session_state["profile"]["keywords"] == ["haies", "zones humides"]
    assert any("Score **" in m.value for m in at.markdown)


def test_the_form_refuses_a_profile_without_a_name(ui_db):
    at = make_app()
    at.button[[b.label for b in at.button].index("Chercher les appels")].click().run()
    assert any(e.value == "champ name : obligatoire" for e in at.error)


def test_filters_and_sort(ui_db):
    at = load(make_app())
    count = lambda: int(next(c.value for c in at.caption if "classé" in c.value).split()[0])
    default = count()
    at.multiselect(key="flt_verdict").set_value(["eligible", "to_verify", "ineligible"]).run()
    everything = count()
    assert everything > default
    at.radio(key="flt_sort").set_value("deadline").run()
    days = [
        int(m.value.split(" J-")[1].split(" ")[0])
        for m in at.markdown
        if "Score **" in m.value and " J-" in m.value
    ]
    assert days == sorted(days)
    at.selectbox(key="flt_window").set_value(60).run()
    assert count() < everything
    at.selectbox(key="flt_window").set_value(None).run()
    funder = at.multiselect(key="flt_funder").options[0]
    at.multiselect(key="flt_funder").set_value([funder]).run()
    facts = [m.value for m in at.markdown if "Score **" in m.value]
    assert facts and all(funder.replace(".", "\\.").split()[0] in f for f in facts)


def test_hide_then_restore(ui_db):
    at = load(make_app(lead=LEAD))
    first = result_titles(at)[0]
    hide = next(b for b in at.button if b.key and b.key.startswith("hide_"))
    hidden_id = hide.key.removeprefix("hide_")
    hide.click().run()
    assert not at.exception
    assert first not in result_titles(at)
    with Session(make_engine(ui_db)) as session:
        assert session.get(HiddenCall, 1).opportunity_id == hidden_id
        assert session.get(Partnership, 1).name.startswith("Nature en Bocage")
    assert at.expander[-1].label == "Appels écartés (1)"
    at.button(key=f"restore_{hidden_id}").click().run()
    assert first == result_titles(at)[0]


def test_english_on_request(ui_db):
    at = load(make_app(lang="en"))
    assert at.title[0].value == "Find funding"
    assert any("badge[to verify]" in m.value or "badge[eligible]" in m.value for m in at.markdown)
    assert "Criterion" in tables(at)[0][0]


def test_the_language_selector_switches_to_english(ui_db):
    at = make_app()
    at.sidebar.selectbox[0].set_value("en").run()
    assert at.title[0].value == "Find funding"


def test_funder_text_is_shown_as_text_not_html(ui_db):
    with Session(make_engine(ui_db)) as session:
        store_record(
            session,
            {
                "id": "evil:1",
                "url": "https://evil.example/call",
                "source": "evil",
                "title": "<img src=x onerror=alert(1)> haies **bocage** [clic](http://x)",
                "funder": "<script>alert(2)</script>",
                "summary": "haies et mares, biodiversité",
                "deadlines": ["2026-06-01"],
            },
        )
        session.commit()
    at = load(make_app())
    at.multiselect(key="flt_verdict").set_value(["eligible", "to_verify", "ineligible"]).run()
    titles = [m.value for m in at.markdown if "onerror" in m.value]
    expected = (
        "**\\<img src=x onerror=alert\\(1\\)\\> haies \\*\\*bocage\\*\\* "
        "\\[clic\\]\\(http\u2060\\://x\\)**"  # a word joiner: no bare address is a link
    )
    assert titles == [expected]
    assert any("\\<script\\>alert\\(2\\)\\</script\\>" in m.value for m in at.markdown)
    html = [m.value for m in at.markdown if m.proto.allow_html]
    assert all(h.startswith("<table") for h in html)  # only ui.common.table, which escapes
    assert not [h for h in html if "<script" in h or "<img" in h]


def test_a_file_that_is_not_json_names_its_line_in_french(ui_db):
    broken = (
        b'{\n  "name": "Haies",\n  "partners": [\n    {"type": "association"}\n'
        b'    {"type": "sme"}\n  ]\n}\n'
    )
    at = load(make_app(), broken)
    assert at.error[0].value == (
        "Profil incomplet ou invalide : le fichier n'est pas du JSON "
        "valide, ligne 5, colonne 5 : une virgule manque."
    )


def test_english_typography_has_no_space_before_a_colon(ui_db):
    at = load(make_app(lang="en"))
    facts = [m.value for m in at.markdown if "Score **" in m.value]
    assert facts and all("Amount: " in f and "Deadline: " in f and " : " not in f for f in facts)
