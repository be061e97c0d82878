"""A SYNTHETIC dataset the size of the Atlas (12,000 rows, 140 partner countries), for benchmarks.

Every row is a random combination of a real French unit and a real foreign place from the embedded
boundaries: the partnerships themselves are invented (`source` = "synthetic") and must never be
shown as real. The mix follows the Atlas's shape: mostly communes, then groupements, départements
and régions; the ten leading partner countries weighted as in the Atlas (Allemagne 321, Mali 265...).
"""

from __future__ import annotations

import csv
import random
from itertools import accumulate
from pathlib import Path

TOP_COUNTRIES = {"DE": 321, "ML": 265, "BF": 240, "SN": 222, "PL": 211, "GB": 172, "MG": 166, "MA": 160,
                 "IT": 145, "ES": 135}
KIND_MIX = (("commune", 0.70), ("groupement", 0.15), ("departement", 0.10), ("region", 0.05))
LABELS = {"commune": ("Ville", "Commune"), "groupement": ("Communauté d'agglomération", "Métropole", "EPCI"),
          "departement": ("Conseil départemental", "Département"), "region": ("Conseil régional", "Région")}
THEMES = ("culture", "éducation", "eau et assainissement", "santé", "développement économique",
          "gouvernance locale", "agriculture", "environnement", "jeunesse", "tourisme", "patrimoine")
NATURES = ("coopération décentralisée", "jumelage", "pacte d'amitié", "autre")
COLUMNS = ("id", "collectivite", "type_collectivite", "code_collectivite", "departement", "partenaire", "pays",
           "region_partenaire", "annee", "thematiques", "nature", "statut", "source")


def generate(n_rows: int = 12000, n_countries: int = 140, seed: int = 0, only: str | None = None,
             kind_mix: tuple[tuple[str, float], ...] = KIND_MIX) -> list[dict[str, str]]:
    """Rows as dicts of the schema's columns (strings), reproducible for a given seed; `only` an
    ISO2 code: every row with that country (a bilateral list, for dense-map tests); `kind_mix` the
    share of communes, groupements, départements and régions."""
    from atlasmaps import boundaries

    rng = random.Random(seed)
    communes = boundaries.load("fr_communes")
    communes = communes[communes.geometry.notna()]
    commune_rows = list(zip(communes["code"], communes["name"], communes["departement"], communes["population"],
                            strict=True))
    # cumulative weights computed once: `choices(weights=...)` would sum 35,000 weights at every row
    commune_weights = list(accumulate(max(float(p or 0), 100.0) ** 0.5 for *_, p in commune_rows))
    epci = list(zip(*(boundaries.load("fr_epci")[c] for c in ("siren", "name")), strict=True))
    deps = list(zip(*(boundaries.load("fr_departements")[c] for c in ("code", "name")), strict=True))
    regions = list(zip(*(boundaries.load("fr_regions")[c] for c in ("code", "name")), strict=True))

    places = boundaries.load("places")
    places = places[places.geometry.notna() & places["admin1_name"].notna()]
    by_country = {c: list(zip(g["name"], g["admin1_name"], strict=True)) for c, g in places.groupby("country")}
    others = sorted((c for c in by_country if c not in TOP_COUNTRIES and c != "FR"),
                    key=lambda c: (-len(by_country[c]), c))
    countries = [c for c in TOP_COUNTRIES if c in by_country] + others[: max(0, n_countries - len(TOP_COUNTRIES))]
    # after the top ten, weights decline from 130 to 1 like the Atlas's long tail
    weights = list(accumulate(TOP_COUNTRIES.get(c, max(1, 130 - i)) for i, c in enumerate(countries)))

    rows: list[dict[str, str]] = []
    kinds = [k for k, _ in kind_mix]
    kind_weights = [w for _, w in kind_mix]
    for i in range(n_rows):
        kind = rng.choices(kinds, kind_weights)[0]
        dep = ""
        if kind == "commune":
            code, name, dep, _ = rng.choices(commune_rows, cum_weights=commune_weights)[0]
        elif kind == "groupement":
            code, name = rng.choice(epci)
        elif kind == "departement":
            code, name = rng.choice(deps)
        else:
            code, name = rng.choice(regions)
        # every country at least once (the long tail would otherwise miss some), then by weight
        if only:
            country = only
        else:
            country = countries[i] if i < len(countries) else rng.choices(countries, cum_weights=weights)[0]
        pname, admin1 = rng.choice(by_country[country])
        rows.append({
            "id": f"SYN{i + 1:05d}",
            "collectivite": name,
            "type_collectivite": rng.choice(LABELS[kind]),
            "code_collectivite": code if rng.random() < 0.6 else "",
            "departement": dep if kind == "commune" and rng.random() < 0.5 else "",
            "partenaire": pname,
            "pays": country,
            "region_partenaire": admin1 if rng.random() < 0.7 else "",
            "annee": str(rng.randint(1957, 2024)),
            "thematiques": ";".join(rng.sample(THEMES, rng.randint(1, 3))),
            "nature": rng.choice(NATURES),
            "statut": "active",
            "source": "synthetic",
        })
    return rows


def write_csv(rows: list[dict[str, str]], path: str | Path) -> Path:
    """Write the rows as a semicolon-separated UTF-8 CSV (like the ministry's exports), atomically."""
    from atlasmaps.atomic import write_atomic

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter=";")
            writer.writeheader()
            writer.writerows(rows)

    return write_atomic(path, write)
