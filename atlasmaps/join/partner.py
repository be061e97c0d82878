"""Partner side of the join: a row's foreign partner -> a `PartnerPlace` with its zone d'intervention.

In order: the zone code (HASC or ISO 3166-2), a lat/lon override (its admin-1 unit found by
point-in-polygon), the name among the country's GeoNames places (preferring the given region), then
the admin-1 unit by name (the partner is drawn at the unit's representative point). A name that reads
like an admin-1 unit ("Préfecture de Hyōgo", type "province") tries the admin-1 units first. A name
found in several admin-1 units is AMBIGUOUS with its candidates unless the region decides.
"""

from __future__ import annotations

import difflib
import re

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from atlasmaps.textnorm import normalize_name
from atlasmaps.model import MatchMethod, MatchStatus, PartnerPlace, Partnership, SideMatch

FUZZY_CUTOFF = 0.88
# Two places of one name closer than this (degrees) in the same admin-1 unit are one place listed
# twice (GeoNames keeps a city and its seat); anything farther apart is a real homonym.
SAME_PLACE_DEGREES = 0.25
# An override point this close to the country's admin-1 units (degrees) counts as inside (coasts).
COAST_TOLERANCE = 0.1

# Words that say what a unit is rather than which one, at the start ("Préfecture de Hyōgo") or the
# end ("Hyogo-ken", "Kobe City") of a name; link words (de, du, d', of...) after a leading one go too.
_ADMIN_LEADING = (
    "prefecture", "province", "region", "departement", "etat", "state", "land", "county", "comte",
    "gouvernorat", "wilaya", "voivodeship", "voivodie", "oblast", "canton", "governorate", "district",
    "conseil regional", "conseil departemental", "conseil de region", "conseil general",
    "gouvernement metropolitain", "metropolitan government", "collectivite", "generalite", "communaute",
)
_ADMIN_TRAILING = ("prefecture", "province", "region", "state", "county", "oblast", "ken", "fu", "to", "do",
                   "governorate", "district", "voivodeship")
_ADMIN_TYPES = {
    normalize_name(w) for w in (
        "prefecture", "préfecture", "province", "région", "region", "département", "department", "état",
        "state", "land", "county", "oblast", "gouvernorat", "governorate", "wilaya", "voïvodie",
        "voivodeship", "canton", "admin1", "admin-1",
    )
}
_PLACE_LEADING = ("ville", "commune", "municipalite", "mairie", "city", "town", "cercle", "commune urbaine",
                  "commune rurale", "municipality")
_PLACE_TRAILING = ("city", "shi", "machi", "cho", "mura", "son", "gun", "ku", "stadt", "gemeinde")
_LINKS = ("de la", "de l", "des", "du", "de", "d", "of the", "of")


def _strip_patterns(leading: tuple[str, ...], trailing: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern]:
    lead = "|".join(sorted(leading, key=len, reverse=True))
    links = "|".join(_LINKS)
    trail = "|".join(sorted(trailing, key=len, reverse=True))
    return re.compile(rf"^(?:{lead}) (?:(?:{links}) )?(?=.)"), re.compile(rf"(?<=.) (?:{trail})$")


_ADMIN_RE = _strip_patterns(_ADMIN_LEADING, _ADMIN_TRAILING)
_PLACE_RE = _strip_patterns(_PLACE_LEADING, _PLACE_TRAILING)


def _strip(key: str, patterns: tuple[re.Pattern, re.Pattern]) -> str:
    """Remove administrative words at either end ("prefecture d osaka" -> "osaka", "kobe shi" -> "kobe")."""
    if " " not in key:
        return key
    lead, trail = patterns
    return trail.sub("", lead.sub("", key, count=1), count=1)


def admin_core(key: str) -> str:
    return _strip(key, _ADMIN_RE)


def place_core(key: str) -> str:
    return _strip(key, _PLACE_RE)


class _Place(NamedTuple):
    """A named tuple, not a dataclass: 170,000 of them are made when every country is indexed."""

    name: str
    lon: float
    lat: float
    admin1_id: str | None
    admin1_name: str | None


@dataclass(frozen=True)
class _Admin1:
    id: str
    name: str
    iso: str | None
    lon: float | None
    lat: float | None


@dataclass
class CountryIndex:
    """Lookups over one country's places and admin-1 units."""

    iso2: str
    places: dict[str, list[_Place]] = field(default_factory=lambda: defaultdict(list))
    admin1_by_name: dict[str, list[_Admin1]] = field(default_factory=lambda: defaultdict(list))
    admin1_by_code: dict[str, _Admin1] = field(default_factory=dict)
    geometries: list = field(default_factory=list)  # shapely geometries, parallel to admin1_list
    admin1_list: list[_Admin1] = field(default_factory=list)
    _tree: object = None

    def add_admin1(self, unit: _Admin1, geometry: object) -> None:
        self.admin1_list.append(unit)
        self.geometries.append(geometry)
        key = normalize_name(unit.name)
        self.admin1_by_name[key].append(unit)
        core = admin_core(key)
        if core != key:
            self.admin1_by_name[core].append(unit)
        for code in (unit.id, unit.iso):
            if code:
                self.admin1_by_code[code.upper()] = unit
        # "JP.HG" is also written "HG" within its country
        if "." in unit.id:
            self.admin1_by_code.setdefault(unit.id.split(".", 1)[1].upper(), unit)

    def admin1_at(self, lon: float, lat: float) -> _Admin1 | None:
        """The admin-1 unit containing the point (or the nearest within COAST_TOLERANCE)."""
        import shapely

        if not self.geometries:
            return None
        if self._tree is None:
            self._tree = shapely.STRtree(self.geometries)
        point = shapely.Point(lon, lat)
        hits = self._tree.query(point, predicate="intersects")  # type: ignore[attr-defined]
        if len(hits):
            return self.admin1_list[int(min(hits))]
        nearest = self._tree.query_nearest(point, max_distance=COAST_TOLERANCE)  # type: ignore[attr-defined]
        return self.admin1_list[int(nearest[0])] if len(nearest) else None


@lru_cache(maxsize=1)
def _layers() -> tuple[dict[str, object], dict[str, object]]:
    """The admin1 and places layers as plain columns grouped by country (row positions), read once."""
    from atlasmaps import boundaries

    out = []
    for layer in ("admin1", "places"):
        gdf = boundaries.load(layer)
        columns = {c: gdf[c].tolist() for c in gdf.columns if c != "geometry"}
        columns["geometry"] = gdf.geometry.values
        columns["groups"] = {k: v.tolist() for k, v in gdf.groupby("country").indices.items()}
        out.append(columns)
    return out[0], out[1]


@lru_cache(maxsize=None)
def country_index(iso2: str) -> CountryIndex | None:
    """One country's index, built on first use (a file rarely involves all 246 countries)."""
    import shapely

    iso2 = iso2.upper()
    admin1, places = _layers()
    rows_a = admin1["groups"].get(iso2, [])  # type: ignore[union-attr]
    rows_p = places["groups"].get(iso2, [])  # type: ignore[union-attr]
    if not rows_a and not rows_p:
        return None
    index = CountryIndex(iso2)
    geoms = admin1["geometry"][rows_a]  # type: ignore[index]
    reps = shapely.point_on_surface(geoms)
    for i, geom, rep in zip(rows_a, geoms, reps, strict=True):
        if geom is None:
            continue
        iso = admin1["iso_3166_2"][i]  # type: ignore[index]
        empty = rep is None or rep.is_empty
        index.add_admin1(
            _Admin1(str(admin1["admin1_id"][i]), str(admin1["name"][i]),  # type: ignore[index]
                    iso if isinstance(iso, str) and iso else None,
                    None if empty else float(rep.x), None if empty else float(rep.y)),
            geom,
        )
    pgeoms = places["geometry"][rows_p]  # type: ignore[index]
    xs, ys = shapely.get_x(pgeoms), shapely.get_y(pgeoms)
    names, aids, anames = places["name"], places["admin1_id"], places["admin1_name"]
    by_key = index.places
    for i, x, y in zip(rows_p, xs.tolist(), ys.tolist(), strict=True):
        name = names[i]  # type: ignore[index]
        if not isinstance(name, str) or x != x:  # NaN: no point
            continue
        aid, aname = aids[i], anames[i]  # type: ignore[index]
        place = _Place(name, x, y, aid if isinstance(aid, str) else None, aname if isinstance(aname, str) else None)
        key = normalize_name(name)
        by_key[key].append(place)
        if " " in key:
            core = place_core(key)
            if core != key:
                by_key[core].append(place)
    return index


def match_partner(p: Partnership) -> tuple[PartnerPlace | None, SideMatch]:
    """Resolve the partner side of one row."""
    from atlasmaps.data.schema import country_name

    index = country_index(p.pays)
    country = country_name(p.pays, "en")
    if index is None or (not index.places and not index.admin1_list):
        return None, SideMatch(MatchStatus.UNMATCHED, reason=f"no boundaries for {country} ({p.pays})")

    zones = _region_hint(p.region_partenaire, index)
    if p.region_partenaire and not zones:
        return None, SideMatch(MatchStatus.UNMATCHED,
                               reason=f"unknown region '{p.region_partenaire}' in {country}")

    if p.code_partenaire:
        unit = index.admin1_by_code.get(p.code_partenaire.strip().upper())
        if unit is None:
            return None, SideMatch(MatchStatus.UNMATCHED,
                                   reason=f"unknown zone code '{p.code_partenaire}' in {country}")
        places = [pl for pl in _places(p.partenaire, index) if pl.admin1_id == unit.id]
        if len(_distinct(places)) == 1:
            return _from_place(p, places[0], SideMatch(MatchStatus.MATCHED, MatchMethod.CODE))
        return _from_admin1(p, unit, SideMatch(MatchStatus.MATCHED, MatchMethod.CODE))

    if p.latitude is not None and p.longitude is not None:
        unit = index.admin1_at(p.longitude, p.latitude)
        if unit is None and index.admin1_list:
            return None, SideMatch(
                MatchStatus.UNMATCHED, MatchMethod.OVERRIDE,
                reason=f"position {p.latitude:g}, {p.longitude:g} (lat, lon) is outside {country}",
            )
        return PartnerPlace(p.partenaire, p.pays, p.longitude, p.latitude,
                            unit.id if unit else None, unit.name if unit else None), \
            SideMatch(MatchStatus.MATCHED, MatchMethod.OVERRIDE)

    key = normalize_name(p.partenaire)
    admin_first = _looks_admin(key, p.type_partenaire)
    steps = (_admin1_step, _place_step) if admin_first else (_place_step, _admin1_step)
    for step in steps:
        result = step(p, key, index, zones)
        if result is not None:
            return result
    result = _fuzzy_step(p, key, index, zones)
    if result is not None:
        return result
    where = f" ({', '.join(sorted(z.name for z in zones))})" if zones else ""
    return None, SideMatch(MatchStatus.UNMATCHED, reason=f"no place named '{p.partenaire}' in {country}{where}")


def _looks_admin(key: str, type_partenaire: str | None) -> bool:
    if type_partenaire and normalize_name(type_partenaire) in _ADMIN_TYPES:
        return True
    return admin_core(key) != key


def _region_hint(value: str | None, index: CountryIndex) -> list[_Admin1]:
    if not value:
        return []
    unit = index.admin1_by_code.get(value.strip().upper())
    if unit is not None:
        return [unit]
    key = normalize_name(value)
    return list(index.admin1_by_name.get(key) or index.admin1_by_name.get(admin_core(key), []))


def _places(name: str, index: CountryIndex) -> list[_Place]:
    key = normalize_name(name)
    return list(index.places.get(key) or index.places.get(place_core(key), []))


def _distinct(places: list[_Place]) -> list[_Place]:
    """Collapse duplicates of one place (same name and admin-1 unit, a few km apart)."""
    kept: list[_Place] = []
    for pl in places:
        if not any(
            k.admin1_id == pl.admin1_id
            and abs(k.lon - pl.lon) < SAME_PLACE_DEGREES and abs(k.lat - pl.lat) < SAME_PLACE_DEGREES
            for k in kept
        ):
            kept.append(pl)
    return kept


def _place_label(pl: _Place) -> str:
    return f"{pl.name} ({pl.admin1_name or pl.admin1_id or '?'})"


def _place_step(p: Partnership, key: str, index: CountryIndex, zones: list[_Admin1]):  # noqa: ANN202
    places = list(index.places.get(key, []))
    method = MatchMethod.EXACT if any(pl.name == p.partenaire.strip() for pl in places) else MatchMethod.NORMALISED
    if not places:
        places = list(index.places.get(place_core(key), []))
    if not places:
        return None
    return _decide_places(p, places, zones, method)


def _decide_places(p: Partnership, places: list[_Place], zones: list[_Admin1], method: MatchMethod):  # noqa: ANN202
    if zones:
        ids = {z.id for z in zones}
        inside = [pl for pl in places if pl.admin1_id in ids]
        if not inside:
            return None  # not in the given region: the admin-1 step may still match the name
        places = inside
    distinct = _distinct(places)
    if len(distinct) > 1:
        return None, SideMatch(
            MatchStatus.AMBIGUOUS, method, candidates=tuple(sorted(_place_label(pl) for pl in distinct)),
            reason=f"{len(distinct)} places named '{p.partenaire}': give region_partenaire",
        )
    return _from_place(p, distinct[0], SideMatch(MatchStatus.MATCHED, method))


def _admin1_step(p: Partnership, key: str, index: CountryIndex, zones: list[_Admin1]):  # noqa: ANN202
    units = index.admin1_by_name.get(key) or index.admin1_by_name.get(admin_core(key))
    if not units:
        return None
    units = list(dict.fromkeys(units))
    if zones:
        units = [u for u in units if u in zones] or units
    if len(units) > 1:
        return None, SideMatch(
            MatchStatus.AMBIGUOUS, MatchMethod.ADMIN1,
            candidates=tuple(sorted(f"{u.name} ({u.id})" for u in units)),
            reason=f"{len(units)} admin-1 units named '{p.partenaire}'",
        )
    return _from_admin1(p, units[0], SideMatch(MatchStatus.MATCHED, MatchMethod.ADMIN1))


def _fuzzy_step(p: Partnership, key: str, index: CountryIndex, zones: list[_Admin1]):  # noqa: ANN202
    if len(key) < 4:
        return None
    names = list(index.places) + list(index.admin1_by_name)
    close = difflib.get_close_matches(key, names, n=3, cutoff=FUZZY_CUTOFF)
    if not close:
        close = difflib.get_close_matches(place_core(admin_core(key)), names, n=3, cutoff=FUZZY_CUTOFF)
    if not close:
        return None
    best = close[0]
    if best in index.places:
        result = _decide_places(p, index.places[best], zones, MatchMethod.FUZZY)
        if result is None:
            return None
        place, match = result
        if match.status is MatchStatus.MATCHED and place is not None:
            match = SideMatch(MatchStatus.MATCHED, MatchMethod.FUZZY, reason=f"fuzzy match: read as '{place.name}'")
        return place, match
    units = list(dict.fromkeys(index.admin1_by_name[best]))
    if len(units) > 1:
        return None, SideMatch(MatchStatus.AMBIGUOUS, MatchMethod.FUZZY,
                               candidates=tuple(sorted(f"{u.name} ({u.id})" for u in units)))
    return _from_admin1(p, units[0], SideMatch(MatchStatus.MATCHED, MatchMethod.FUZZY,
                                               reason=f"fuzzy match: read as admin-1 unit '{units[0].name}'"))


def _from_place(p: Partnership, pl: _Place, match: SideMatch) -> tuple[PartnerPlace, SideMatch]:
    return PartnerPlace(pl.name, p.pays, pl.lon, pl.lat, pl.admin1_id, pl.admin1_name), match


def _from_admin1(p: Partnership, unit: _Admin1, match: SideMatch) -> tuple[PartnerPlace | None, SideMatch]:
    if unit.lon is None or unit.lat is None:
        return None, SideMatch(MatchStatus.UNMATCHED, match.method, reason=f"no position for {unit.name}")
    return PartnerPlace(p.partenaire, p.pays, unit.lon, unit.lat, unit.id, unit.name), match


