"""The French interface names every vocabulary value in words, never by its internal code."""

import re

from funding.i18n import CSV_KINDS, VOCABULARY
from funding.normalize.vocabularies import canonical_values
from tests.ui.conftest import LEAD, make_app, tables
from tests.ui.test_find import load

# Codes that are French words too ("design", "culture", "manche", "sport"...): looked for only
# where a code would come from the program (options, criteria, sources), not in funder text.


def vocabulary_codes() -> dict[str, list[str]]:
    """Every code of every vocabulary the interface names, by kind."""
    codes = {kind: list(words) for kind, words in VOCABULARY.items() if kind != "language"}
    for kind in CSV_KINDS:
        codes[kind] = [*canonical_values(kind), *codes.get(kind, [])]
    return codes


CODES = sorted({code for codes in vocabulary_codes().values() for code in codes})


def _interface_text(at) -> list[str]:
    """What the program itself writes: widget labels and options, captions, criteria names,
    the source of each result."""
    texts = []
    for widget in [*at.selectbox, *at.multiselect, *at.radio]:
        texts += [widget.label, *map(str, widget.options)]
    texts += [c.value for c in at.caption]
    for frame in tables(at):
        texts += list(frame[0])
        if "Critère" in frame[0]:
            texts += [row["Critère"] for row in frame]
            # the funder's words, or the value in words: never a bare code
            texts += [e for row in frame if (e := row["Texte du financeur"]) and e.lower() in CODES]
    texts += [m.value.split("Source : ")[1] for m in at.markdown if "Source : " in m.value]
    return texts


def test_no_vocabulary_code_in_the_french_find_page(ui_db):
    at = load(make_app(lead=LEAD))
    at.multiselect(key="flt_verdict").set_value(["eligible", "to_verify", "ineligible"]).run()
    texts = _interface_text(at)
    assert len(texts) > 100
    found = {
        code
        for code in CODES
        for text in texts
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)
    }
    assert not found, found
    evidence = [
        row["Texte du financeur"]
        for frame in tables(at)
        for row in frame
        if "Texte du financeur" in row
    ]
    assert not [e for e in evidence if " – " in e and len(set(e.split(" – "))) == 1]
    everything = " ".join(m.value for m in at.markdown if not m.value.startswith("<table"))
    everything += " ".join(v for frame in tables(at) for row in frame for v in row.values())
    assert not [code for code in CODES if "_" in code and code in everything]
