"""Build tests/files/aides_territoires/: real aids put into the Aides-territoires API's envelope.

No raw `/api/aids/` answer is recorded. Two real sources come close: the Département de la Manche
feed (already in Aides-territoires API field names) and the site's CSV export (human labels). This
tool takes the 10 Manche aids and 10 export rows, converts the export rows to API field names, and
writes two result pages in the documented envelope `{count, previous, next, results}`, the token
exchange answer, and a PROVENANCE.md saying which fields were derived and how.

    python tools/build_aides_territoires_fixtures.py [--out tests/files/aides_territoires]
"""

import argparse
import base64
import csv
import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared/data")
MANCHE = SHARED / "fr-funder-feeds-aides-territoires-fixtures" / "departement_manche_data.json"
EXPORT = SHARED / "aides-territoires" / "aides-territoires_periurbain_export.csv"
OUT = ROOT / "tests" / "files" / "aides_territoires"
SITE = "https://aides-territoires.beta.gouv.fr"
ITEMS_PER_PAGE = 100  # what the spider asks for; the recorded pages are trimmed to 10 aids each

# Export rows by slug (the last part of `Lien`) -> why each is in the sample.
EXPORT_SLUGS = {
    "9ded-aide-a-lacquisition-de-materiel-cyclomobile-d": "associations and companies, a deadline",
    "2607-aider-les-municipalites-et-leurs-groupements-": "call for projects, EU funder, a deadline",
    "b4e8-copie-11h34-construire-une-economie-dexcellen": "nine audiences incl. associations",
    "db89-analyses-des-pollutions-et-contaminants-dans-": "call for projects, no deadline",
    "2b07-financer-des-equipements-publics-pour-une-rel": "deadline in 2026",
    "obtenir-financement-pvd-habitat": "slug without the hex prefix",
    "967e-soutenir-le-developpement-rural-programme-lea": "LEADER, recurring",
    "5949-reduire-les-emissions-de-polluants-atmospheri": "companies only",
    "eff7-se-faire-accompagner-dans-les-projets-damenag": "two funders, call for projects",
    "3d9e-accompagner-la-redynamisation-des-centres-via": "long description, no deadline",
}
# The Manche feed states no funder and no perimeter: it is the Département's own guide des aides.
MANCHE_FINANCER = "Département de la Manche"
MANCHE_PERIMETER = "Manche"
API_FIELDS = (
    "id",
    "slug",
    "url",
    "name",
    "financers",
    "description",
    "eligibility",
    "perimeter",
    "categories",
    "targeted_audiences",
    "aid_types",
    "destinations",
    "mobilization_steps",
    "is_call_for_project",
    "start_date",
    "submission_deadline",
    "recurrence",
    "subvention_rate_lower_bound",
    "subvention_rate_upper_bound",
    "loan_amount",
    "origin_url",
    "application_url",
    "date_updated",
)


def _labels(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _slug_of(url: str) -> str:
    return urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]


def manche_aid(aid: dict) -> dict:
    """A Manche aid as the API would give it; slug, url, financers and perimeter are derived."""
    slug = _slug_of(aid["origin_url"])
    record = {field: aid.get(field) for field in API_FIELDS}
    record.update(
        slug=slug,
        url=f"/aides/{slug}/",
        financers=[MANCHE_FINANCER],
        perimeter=MANCHE_PERIMETER,
    )
    return record


def export_aid(row: dict) -> dict:
    """An export row in API field names; fields the export does not hold stay null."""
    slug = _slug_of(row["Lien"])
    closing = row["Date Clôture"].strip()
    record = dict.fromkeys(API_FIELDS)
    record.update(
        slug=slug,
        url=urlparse(row["Lien"]).path,
        name=row["Nom"].strip(),
        financers=_labels(row["Financeurs"]),
        description=row["Descriptif"].strip() or None,
        targeted_audiences=_labels(row["Bénéficiaire"]),
        aid_types=_labels(row["Types d'aides"]),
        is_call_for_project=row["AAP/AMI"].strip() == "Oui",
        recurrence=row["Récurrence"].strip() or None,
        submission_deadline=(
            datetime.strptime(closing, "%d/%m/%Y").date().isoformat() if closing else None
        ),
    )
    return record


def _page_url(page: int) -> str:
    return f"{SITE}/api/aids/?itemsPerPage={ITEMS_PER_PAGE}&page={page}"


def _token() -> str:
    """An obviously fake JWT for the loopback token exchange."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return ".".join(
        [part({"alg": "HS256", "typ": "JWT"}), part({"sub": "funding-radar-tests"}), "not-signed"]
    )


def build(out: Path) -> None:
    manche = [manche_aid(aid) for aid in json.loads(MANCHE.read_text("utf-8"))["aides"]]
    rows = {_slug_of(r["Lien"]): r for r in csv.DictReader(EXPORT.open(encoding="utf-8"))}
    missing = set(EXPORT_SLUGS) - set(rows)
    if missing:
        raise SystemExit(f"not in the export: {sorted(missing)}")
    exported = [export_aid(rows[slug]) for slug in EXPORT_SLUGS]
    pages = [manche, exported]
    out.mkdir(parents=True, exist_ok=True)
    total = sum(len(p) for p in pages)
    for number, results in enumerate(pages, 1):
        envelope = {
            "count": total,
            "previous": _page_url(number - 1) if number > 1 else None,
            "next": _page_url(number + 1) if number < len(pages) else None,
            "results": results,
        }
        text = json.dumps(envelope, ensure_ascii=False, indent=1) + "\n"
        (out / f"aids_page{number}.json").write_text(text, "utf-8")
    (out / "connexion.json").write_text(json.dumps({"token": _token()}) + "\n", "utf-8")
    (out / "PROVENANCE.md").write_text(_provenance(), "utf-8")


def _provenance() -> str:
    reasons = "\n".join(f"| `{slug}` | {why} |" for slug, why in EXPORT_SLUGS.items())
    return f"""# Aides-territoires API pages — provenance

Built by `tools/build_aides_territoires_fixtures.py` from real data; no raw `/api/aids/` answer
was recorded (the host is not reachable from the development machines). Every aid is real; the
envelope `{{count, previous, next, results}}` and the field names follow shared/sources.md.

| file | what |
|---|---|
| `aids_page1.json` | the 10 aids of the Département de la Manche feed (`{MANCHE.relative_to(SHARED)}`, repo MTES-MCT/aides-territoires, `src/dataproviders/tests/`, commit `c8482dca4da6cbe76393985ae87708a5462fd943`), already in Aides-territoires API field names |
| `aids_page2.json` | 10 rows of the Aides-territoires CSV export (`{EXPORT.relative_to(SHARED)}`, same repo, commit `eae9cab6581d465f89e36d318db1b584bac2e123`) converted to API field names |
| `connexion.json` | the token exchange answer `{{"token": JWT}}`; the JWT is a fake, unsigned test value |

Pages hold 10 aids each although the spider asks for `itemsPerPage={ITEMS_PER_PAGE}`; `count` is
20; `next`/`previous` are absolute URLs on the real host, as Django REST framework writes them.

## Manche aids (page 1): fields kept as recorded, except
- `slug`: the last path segment of the aid's `origin_url` on the Manche site (the feed has none).
- `url`: `/aides/<slug>/`, the relative form the API uses (not a real Aides-territoires page).
- `financers`: `["{MANCHE_FINANCER}"]`, `perimeter`: `"{MANCHE_PERIMETER}"` — the feed is the
  Département's own guide des aides and names neither.
- Fields the feed lacks (`subvention_rate_*`, `loan_amount`, `mobilization_steps`, ...) are null.
- Kept as recorded: HTML entities in names (`&rsquo;`), the odd spacing in one `date_updated`
  (`2023-08-03T16: 08: 40.000Z`), lorem ipsum texts of the feed's test aids, the singular
  audience labels (`Association`, `Particulier`).

## Export rows (page 2): derived fields
| API field | from the export column |
|---|---|
| `slug` | last path segment of `Lien` |
| `url` | path of `Lien` (`/aides/<slug>/`) |
| `name` | `Nom` |
| `financers` | `Financeurs`, split on `;` |
| `description` | `Descriptif` (plain text in the export, HTML in the API) |
| `targeted_audiences` | `Bénéficiaire` labels, split on `;` (labels, not API slugs) |
| `aid_types` | `Types d'aides`, split on `;` |
| `is_call_for_project` | `AAP/AMI` == `Oui` |
| `recurrence` | `Récurrence` |
| `submission_deadline` | `Date Clôture` DD/MM/YYYY -> YYYY-MM-DD |

`id` and every field the export lacks (`eligibility`, `perimeter`, `categories`, `start_date`,
`subvention_rate_*`, `loan_amount`, `origin_url`, `application_url`, `date_updated`, ...) are null.

| export row (slug) | why it is in the sample |
|---|---|
{reasons}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    build(parser.parse_args().out)


if __name__ == "__main__":
    main()
