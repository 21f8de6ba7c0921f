"""Interface words in French (the default) and English."""

from funding.settings import get_settings

MESSAGES: dict[str, dict[str, str]] = {
    "app_title": {"fr": "Funding Radar", "en": "Funding Radar"},
    "opportunities": {"fr": "Appels et financements", "en": "Calls and funding"},
    "search": {
        "fr": "Rechercher (titre, résumé, éligibilité)",
        "en": "Search (title, summary, eligibility)",
    },
    "status": {"fr": "Statut", "en": "Status"},
    "all": {"fr": "Tous", "en": "All"},
    "title": {"fr": "Titre", "en": "Title"},
    "funder": {"fr": "Financeur", "en": "Funder"},
    "next_deadline": {"fr": "Prochaine échéance", "en": "Next deadline"},
    "amount_max": {"fr": "Montant max.", "en": "Max. amount"},
    "source": {"fr": "Source", "en": "Source"},
    "link": {"fr": "Lien", "en": "Link"},
    "found": {
        "fr": "{count} résultat(s) sur {total} appels",
        "en": "{count} result(s) out of {total} calls",
    },
    "empty": {"fr": "Aucun appel ne correspond.", "en": "No call matches."},
    "forthcoming": {"fr": "à venir", "en": "forthcoming"},
    "open": {"fr": "ouvert", "en": "open"},
    "closed": {"fr": "clôturé", "en": "closed"},
    "unknown": {"fr": "à vérifier", "en": "to verify"},
    "permanent": {"fr": "permanent", "en": "permanent"},
}


def language(requested: str | None = None) -> str:
    """fr unless English is asked for (by the caller or FUNDING_LANGUAGE)."""
    lang = (requested or get_settings().language or "fr").lower()[:2]
    return lang if lang in ("fr", "en") else "fr"


def t(key: str, lang: str = "fr", **values: object) -> str:
    text = MESSAGES[key].get(lang) or MESSAGES[key]["fr"]
    return text.format(**values) if values else text
