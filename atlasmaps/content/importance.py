"""How important a place is to a reader, the one ranking of print labels (issue 13).

Why here: the join results carry no population (PartnerPlace, FrenchUnit stay light for 12,000 rows);
the gazetteer has it. Map content looks it up once per drawn place, by INSEE code / SIREN on the
French side and by the gazetteer point on the partner side, and the style weighs population,
administrative rank and the number of partnerships (`label_priority`). The alphabet is never a
criterion: places of equal importance keep the data's order.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from atlasmaps.content import common as K

if TYPE_CHECKING:
    from atlasmaps.style import Style

#: Same gazetteer point: coordinates rounded to this many decimals (the join copies them verbatim).
_DECIMALS = 4


def score(style: Style, population: float, rank: str | None, n: int) -> float:
    """A place's label importance: weighted log-population + rank bonus + partnerships."""
    w = style.label_priority
    pop = w.population * math.log10(1 + max(population or 0, 0))
    bonus = w.ranks.get(rank, 0.0) if rank else 0.0
    return round(pop + bonus + w.partnerships * n, 6)


@lru_cache(maxsize=1)
def _french_populations() -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    """Population by commune code, EPCI SIREN, département and région code; COG chef-lieu rank by commune."""
    communes = K.boundary("fr_communes")
    epci = K.boundary("fr_epci")
    by_commune = dict(zip(communes["code"].astype(str), (int(p or 0) for p in communes["population"])))
    chef = dict(zip(communes["code"].astype(str), (int(c or 0) for c in communes["chef_lieu"])))
    by_dep: dict[str, int] = {}
    by_reg: dict[str, int] = {}
    for d, r, p in zip(communes["departement"], communes["region"], communes["population"]):
        by_dep[str(d)] = by_dep.get(str(d), 0) + int(p or 0)
        by_reg[str(r)] = by_reg.get(str(r), 0) + int(p or 0)
    by_epci = dict(zip(epci["siren"].astype(str), (int(p or 0) for p in epci["population"])))
    return by_commune, by_epci, by_dep, by_reg, chef


#: COG rangChefLieu -> the style's rank names.
_CHEF_LIEU_RANKS = {4: "capital", 3: "region_seat", 2: "departement_seat", 1: "arrondissement_seat"}


def french(kind: str, code: str) -> tuple[int, str | None]:
    """Population and rank name of a French collectivité (kind: region, departement, groupement, commune)."""
    by_commune, by_epci, by_dep, by_reg, chef = _french_populations()
    if kind == "commune":
        return by_commune.get(code, 0), _CHEF_LIEU_RANKS.get(chef.get(code, 0))
    if kind == "groupement":
        return by_epci.get(code, 0), "groupement"
    if kind == "departement":
        return by_dep.get(code, 0), "departement"
    return by_reg.get(code, 0), "region"


#: GeoNames feature codes -> the style's rank names.
_FEATURE_RANKS = {"PPLC": "capital", "PPLA": "region_seat", "PPLA2": "departement_seat", "PPLA3": "arrondissement_seat"}


def partner_lookup(country: str) -> dict[tuple[float, float], tuple[int, str | None]]:
    """(lon, lat) of each gazetteer place of `country` -> (population, rank name)."""
    try:
        places = K.boundary("places", country=country)
    except Exception:  # noqa: BLE001 - a country without gazetteer ranks its places by partnerships only
        return {}
    out: dict[tuple[float, float], tuple[int, str | None]] = {}
    for g, p, f in zip(places.geometry, places["population"], places["feature"]):
        if g is None:
            continue
        out[(round(g.x, _DECIMALS), round(g.y, _DECIMALS))] = (int(p or 0), _FEATURE_RANKS.get(str(f)))
    return out


def partner(lookup: dict, lon: float, lat: float, zone: bool) -> tuple[int, str | None]:
    """Population and rank of a partner point; an admin-1 partner (a prefecture, a Land) ranks as a zone."""
    pop, rank = lookup.get((round(lon, _DECIMALS), round(lat, _DECIMALS)), (0, None))
    return pop, ("admin1" if zone else rank)

