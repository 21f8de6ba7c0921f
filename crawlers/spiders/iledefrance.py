"""Région Île-de-France: the public "guide des aides" API (tenant cridfprd), one list of aids.

Fields are HTML fragments (entete, objectif, modalite...); campaign dates are UTC instants standing
for a French day. Endpoint as Aides-territoires' importer names it, unverified; check with
`funding sources check iledefrance`.
"""

from typing import ClassVar

from crawlers.spiders._json_feed import JsonFeedSpider, day, html_parts, labels, plain

# The public page of an aid, as Aides-territoires builds it from the aid's reference.
PAGE_URL = "https://www.iledefrance.fr/aides-appels-a-projets/"
# Placeholders left in some fields since the Région's data migration.
PLACEHOLDERS = ("A DEFINIR APRES REPRISE", "A DEFINR APRES REPRISE", "Champ non publi")


class IledefranceSpider(JsonFeedSpider):
    """Every published aid; the Région funds them all."""

    name = "iledefrance"
    default_base_url = "https://mesdemarches.iledefrance.fr"
    feed_path: ClassVar[str] = "/guide-des-aides/api/public/tenants/cridfprd/aides?top=2500"
    funder = "Région Île-de-France"

    def parse_record(self, record: dict) -> dict:
        reference = plain(record.get("reference"))
        end = day(record.get("dateFinCampagne"))
        return {
            "id": self.source_id(reference) if reference else None,
            "source": self.name,
            "url": f"{PAGE_URL}{reference}" if reference else None,
            "title": plain(record.get("title")),
            "summary": self._parse_summary(record),
            "eligibility_text": self._parse_eligibility(record),
            "funder": self.funder,
            "language": "fr",
            "opens_on": day(record.get("dateOuvertureCampagne")),
            "deadlines": [end] if end else None,
            "applicant_types": _titles(record.get("publicsBeneficiaire")),
            "themes": labels(
                (_titles(record.get("competences")) or []) + (_titles(record.get("tags")) or [])
            ),
            "next_campaign_on": day(record.get("dateDebutFuturCampagne")),
            "administrative_reference": plain(record.get("referenceAdministrative")),
        }

    def _parse_summary(self, record: dict) -> str | None:
        """The lead, the aim and the Région's notes on how projects are chosen."""
        return html_parts(*(_stated(record.get(f)) for f in ("entete", "objectif", "notes")))

    def _parse_eligibility(self, record: dict) -> str | None:
        """Who precisely may apply, then the terms (eligible costs, rate, ceiling)."""
        return html_parts(
            *(_stated(record.get(f)) for f in ("publicsBeneficiairePrecision", "modalite"))
        )


def _titles(links: list | None) -> list[str] | None:
    """The titles of the API's linked resources ([{href, title}])."""
    return labels([link.get("title") for link in links or () if isinstance(link, dict)])


def _stated(value: str | None) -> str | None:
    """A field's text, unless it is a migration placeholder."""
    if not isinstance(value, str) or any(value.strip().startswith(p) for p in PLACEHOLDERS):
        return None
    return value
