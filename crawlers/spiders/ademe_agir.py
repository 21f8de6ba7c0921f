"""ADEME "Agir pour la transition": financial-aid schemes and calls for projects (`ListeDispositifs`).

The API names audiences and themes by code; the labels below are AGIR's own, as listed in
Aides-territoires' ademe_agir_*_mapping.csv. Endpoint unverified (Aides-territoires' importer also
sends an API client id); check with `funding sources check ademe_agir`.
"""

from typing import Any, ClassVar

from crawlers.spiders._json_feed import JsonFeedSpider, clean_url, day, html_parts, labels, plain

# cible_projet codes -> AGIR's audience labels.
AUDIENCES = {
    "SCA1": "Association",
    "SCA2": "Collectivités et secteur public",
    "SCA3": "Entreprise",
    "SCA4": "Organisme de recherche",
}
# thematiques codes -> AGIR's theme and sub-theme labels.
THEMES = {
    "CCL": "Changement climatique",
    "ECD": "Economie circulaire / Déchets",
    "ALIBIO": "Alimentation et biodéchets",
    "DEMTER": "Démarches territoriales",
    "PRODUR": "Production durable",
    "REEREP": "Réemploi, réparation",
    "TRIREC": "Tri et recyclage",
    "VALENR": "Valorisation énergétique",
    "ECO": "Eco-conception",
    "ENR": "Energie",
    "BOIBIO": "Bois, biomasse énergie",
    "EFFENR": "Efficacité énergétique",
    "GEOTER": "Géothermie",
    "ENRAUT": "Energie (Autres)",
    "RECCHA": "Récupération de chaleur",
    "RESCHF": "Réseaux de chaleur et de froid",
    "SOLAIR": "Solaire",
    "MTR": "Mobilité / Transport",
    "QUA": "Qualité de l'air",
    "SAF": "Sols / Agriculture / Forêt",
    "TOU": "Tourisme",
    "HRBTOU": "Hébergement touristique",
    "RESTAU": "Restauration",
    "SLOTOU": "Slow tourisme",
    "UBA": "Urbanisme / Bâtiment",
}
NATIONAL = "1"  # couverture_geo code of schemes open across France


class AdemeAgirSpider(JsonFeedSpider):
    """Every scheme of the list, open or not (ADEME keeps a scheme listed until its end date)."""

    name = "ademe_agir"
    default_base_url = "https://agirpourlatransition.ademe.fr"
    feed_path: ClassVar[str] = "/api/dispositifs"
    funder = "ADEME"

    def records(self, data: Any) -> list:
        return (data.get("ListeDispositifs") if isinstance(data, dict) else None) or []

    def parse_record(self, record: dict) -> dict:
        end = day(record.get("date_fin"))
        return {
            "id": self.source_id(record["id"]) if record.get("id") else None,
            "source": self.name,
            "url": clean_url(record.get("url_agir")),
            "title": plain(record.get("titre")),
            "summary": html_parts(record.get("description_longue")),
            "funder": self.funder,
            "language": "fr",
            "opens_on": day(record.get("date_debut")),
            "deadlines": [end] if end else None,
            "applicant_types": self._parse_applicant_types(record),
            "intervention_zones": self._parse_intervention_zones(record),
            "themes": self._parse_themes(record),
            "scheme_type": plain(record.get("type")),
            "call_subtype": plain(record.get("sous_type_aap")),
            "vintage": record.get("millesime"),
        }

    def _parse_applicant_types(self, record: dict) -> list[str] | None:
        return labels([AUDIENCES.get(code, code) for code in record.get("cible_projet") or ()])

    def _parse_themes(self, record: dict) -> list[str] | None:
        return labels([THEMES.get(code, code) for code in record.get("thematiques") or ()])

    def _parse_intervention_zones(self, record: dict) -> list[str] | None:
        """The regions a scheme is limited to; a national scheme (code 1) covers France."""
        regions = [
            r.get("libelle") if isinstance(r, dict) else r for r in record.get("regions") or ()
        ]
        if zones := labels(regions):
            return zones
        coverage = record.get("couverture_geo") or {}
        return ["France"] if str(coverage.get("code")) == NATIONAL else None
