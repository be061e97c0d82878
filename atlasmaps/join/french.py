"""French side of the join: a row's collectivité -> a `FrenchUnit` from the embedded boundaries.

By code first (INSEE code of a commune, département or région, or SIREN of a commune or EPCI),
else by normalised name + type (+ département hint). Homonyms are never resolved silently: one
name in several départements is AMBIGUOUS with its candidates unless the hint decides. Fuzzy
matching (difflib) is a last resort and reported as FUZZY. The indexes are built once per process
(dicts keyed by normalised name), so a 12,000-row file costs dictionary lookups, not scans.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from atlasmaps.textnorm import normalize_name
from atlasmaps.model import CollectiviteType, FrenchUnit, MatchMethod, MatchStatus, Partnership, SideMatch

FUZZY_CUTOFF = 0.88
K = CollectiviteType

# Words that say what a collectivité is rather than which one: "Conseil départemental de la
# Gironde" -> "gironde", "Ville de Lyon" -> "lyon". Tried only after the full name failed, so that
# "Ville-d'Avray" still matches itself.
_PREFIXES = {
    K.REGION: ("conseil regional", "region", "collectivite territoriale", "collectivite"),
    K.DEPARTEMENT: ("conseil departemental", "conseil general", "departement", "collectivite"),
    K.COMMUNE: ("ville", "commune", "mairie", "municipalite", "cite"),
    K.GROUPEMENT: (
        "communaute d agglomeration", "communaute de communes", "communaute urbaine", "metropole",
        "agglomeration", "agglo", "etablissement public territorial", "syndicat mixte",
        "syndicat intercommunal", "syndicat", "ca", "cc", "cu", "ept",
    ),
}
_LINKS = r"(?:(?:de la|de l|des|du|de|d|l|la|le|les|en)\s+)?"
_PREFIX_RE = {
    kind: re.compile(r"^(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\s+" + _LINKS)
    for kind, words in _PREFIXES.items()
}


def core_name(key: str, kind: CollectiviteType) -> str:
    """A normalised name without its administrative prefix ("ca de cergy pontoise" -> "cergy pontoise")."""
    stripped = _PREFIX_RE[kind].sub("", key, count=1)
    return stripped or key


def normalize_departement(value: str) -> str:
    """INSEE département codes as written by spreadsheets: "1" -> "01", "2a" -> "2A"."""
    v = value.strip().upper()
    return v.zfill(2) if v.isdigit() and len(v) < 2 else v


@dataclass
class FrenchIndex:
    """Lookups over the French layers; build with `french_index()` (cached per process)."""

    by_code: dict[tuple[CollectiviteType, str], FrenchUnit] = field(default_factory=dict)
    by_siren: dict[str, FrenchUnit] = field(default_factory=dict)
    by_name: dict[CollectiviteType, dict[str, list[FrenchUnit]]] = field(
        default_factory=lambda: {k: defaultdict(list) for k in K}
    )
    by_core: dict[CollectiviteType, dict[str, list[FrenchUnit]]] = field(
        default_factory=lambda: {k: defaultdict(list) for k in K}
    )
    departement_names: dict[str, str] = field(default_factory=dict)  # normalised name -> code
    _buckets: dict[tuple[CollectiviteType, str], list[str]] = field(default_factory=dict)

    def add(self, unit: FrenchUnit) -> None:
        self.by_code[(unit.kind, unit.code)] = unit
        if unit.siren:
            self.by_siren.setdefault(unit.siren, unit)
        key = normalize_name(unit.name)
        self.by_name[unit.kind][key].append(unit)
        core = core_name(key, unit.kind)
        if core != key:
            self.by_core[unit.kind][core].append(unit)

    def fuzzy_keys(self, kind: CollectiviteType, key: str) -> list[str]:
        """Names of this kind sharing the first letter: keeps difflib to a few hundred names."""
        bucket = (kind, key[:1])
        if bucket not in self._buckets:
            names = set(self.by_name[kind]) | set(self.by_core[kind])
            self._buckets[bucket] = sorted(n for n in names if n[:1] == key[:1])
        return self._buckets[bucket]


def _points(gdf) -> tuple[list[float | None], list[float | None]]:  # noqa: ANN001
    """lon/lat of point geometries (None for missing ones), vectorised."""
    import shapely

    geoms = gdf.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    xs = shapely.get_x(geoms)
    ys = shapely.get_y(geoms)
    return (
        [None if m else float(x) for x, m in zip(xs, missing, strict=True)],
        [None if m else float(y) for y, m in zip(ys, missing, strict=True)],
    )


def _representative(gdf) -> tuple[list[float | None], list[float | None]]:  # noqa: ANN001
    import shapely

    points = shapely.point_on_surface(gdf.geometry.values)
    return _points(gdf.set_geometry(points))  # type: ignore[no-any-return]


def _str(value: object) -> str | None:
    if value is None:
        return None
    try:
        import math

        if isinstance(value, float) and math.isnan(value):
            return None
    except TypeError:
        pass
    text = str(value).strip()
    return text or None


@lru_cache(maxsize=1)
def french_index() -> FrenchIndex:
    """Build the index from the boundaries layers, once per process."""
    from atlasmaps import boundaries

    index = FrenchIndex()
    regions = boundaries.load("fr_regions")
    lon, lat = _representative(regions)
    for code, name, x, y in zip(regions["code"], regions["name"], lon, lat, strict=True):
        index.add(FrenchUnit(K.REGION, str(code), str(name), region=str(code), lon=x, lat=y))

    deps = boundaries.load("fr_departements")
    lon, lat = _representative(deps)
    for code, name, region, x, y in zip(deps["code"], deps["name"], deps["region"], lon, lat, strict=True):
        unit = FrenchUnit(K.DEPARTEMENT, str(code), str(name), departement=str(code), region=_str(region),
                          lon=x, lat=y)
        index.add(unit)
        index.departement_names[normalize_name(str(name))] = str(code)

    communes = boundaries.load("fr_communes")
    lon, lat = _points(communes)
    for code, siren, name, dep, reg, x, y in zip(
        communes["code"], communes["siren"], communes["name"], communes["departement"], communes["region"],
        lon, lat, strict=True,
    ):
        index.add(FrenchUnit(K.COMMUNE, str(code), str(name), siren=_str(siren), departement=_str(dep),
                             region=_str(reg), lon=x, lat=y))

    epci = boundaries.load("fr_epci")
    lon, lat = _representative(epci) if len(epci) else ([], [])
    for siren, name, x, y in zip(epci["siren"], epci["name"], lon, lat, strict=True):
        index.add(FrenchUnit(K.GROUPEMENT, str(siren), str(name), siren=str(siren), lon=x, lat=y))
    return index


def _label(unit: FrenchUnit, with_code: bool = False) -> str:
    """How a candidate is shown: "Saint-Denis (93)"; communes of one département add their code."""
    if unit.kind is K.COMMUNE and unit.departement:
        return f"{unit.name} ({unit.departement}, {unit.code})" if with_code else f"{unit.name} ({unit.departement})"
    return f"{unit.name} ({unit.code})"


def _labels(units: list[FrenchUnit]) -> tuple[str, ...]:
    plain = [_label(u) for u in units]
    with_code = len(set(plain)) < len(plain)
    return tuple(sorted(_label(u, with_code) for u in units))


def match_french(p: Partnership, index: FrenchIndex | None = None) -> tuple[FrenchUnit | None, SideMatch]:
    """Resolve the French side of one row."""
    index = index or french_index()
    kind = p.type_collectivite
    hint = _departement_hint(p.departement, index)
    notes: list[str] = []

    if p.code_collectivite:
        unit, note = _by_code(p.code_collectivite, kind, index)
        if unit is not None:
            return _positioned(unit, SideMatch(MatchStatus.MATCHED, MatchMethod.CODE))
        notes.append(note)

    key = normalize_name(p.collectivite)
    method = MatchMethod.EXACT
    units = index.by_name[kind].get(key, [])
    if not units:
        core = core_name(key, kind)
        units = index.by_name[kind].get(core, []) or index.by_core[kind].get(core, []) or index.by_core[kind].get(key, [])
        method = MatchMethod.NORMALISED
    elif not any(u.name == p.collectivite.strip() for u in units):
        method = MatchMethod.NORMALISED
    if units:
        return _decide(units, hint, method, p, notes)

    fuzzy = _fuzzy(key, kind, hint, index)
    if fuzzy is not None:
        return fuzzy
    reason = f"no {kind.value} named '{p.collectivite}'"
    if hint:
        reason += f" in département {hint}"
    return None, SideMatch(MatchStatus.UNMATCHED, reason="; ".join([*notes, reason]))


def _departement_hint(value: str | None, index: FrenchIndex) -> str | None:
    if not value:
        return None
    code = normalize_departement(value)
    if (K.DEPARTEMENT, code) in index.by_code:
        return code
    return index.departement_names.get(normalize_name(value), code)


def _by_code(code: str, kind: CollectiviteType, index: FrenchIndex) -> tuple[FrenchUnit | None, str]:
    raw = re.sub(r"\s+", "", code).upper()
    candidates = [raw]
    if raw.isdigit():
        width = {K.COMMUNE: 5, K.DEPARTEMENT: 2, K.REGION: 2, K.GROUPEMENT: 9}[kind]
        if len(raw) < width:
            candidates.append(raw.zfill(width))  # Excel dropped the leading zero
    for c in candidates:
        if (kind, c) in index.by_code:
            return index.by_code[(kind, c)], ""
        unit = index.by_siren.get(c)
        if unit is not None:
            if unit.kind is kind:
                return unit, ""
            return None, f"code {code} is the SIREN of the {unit.kind.value} {unit.name}, not of a {kind.value}"
    return None, f"unknown code {code} for a {kind.value}"


def _decide(units: list[FrenchUnit], hint: str | None, method: MatchMethod, p: Partnership,
            notes: list[str]) -> tuple[FrenchUnit | None, SideMatch]:
    if hint and len(units) > 1 or hint and units[0].kind is K.COMMUNE:
        in_hint = [u for u in units if u.departement == hint]
        if in_hint:
            units = in_hint
        elif units[0].kind is K.COMMUNE:
            return None, SideMatch(
                MatchStatus.UNMATCHED,
                candidates=_labels(units),
                reason=f"no commune named '{p.collectivite}' in département {hint}",
            )
    if len(units) > 1:
        kind = units[0].kind.value
        return None, SideMatch(
            MatchStatus.AMBIGUOUS,
            method=method,
            candidates=_labels(units),
            reason=f"{len(units)} {kind}s named '{p.collectivite}': give the code or the département",
        )
    reason = "; ".join(n for n in notes if n) or None
    return _positioned(units[0], SideMatch(MatchStatus.MATCHED, method, reason=reason))


def _positioned(unit: FrenchUnit, match: SideMatch) -> tuple[FrenchUnit | None, SideMatch]:
    """A commune or groupement without a point is not drawn: never in a wrong place."""
    if unit.lon is None or unit.lat is None:
        return unit, SideMatch(MatchStatus.UNMATCHED, match.method,
                               reason=f"no position for {unit.kind.value} {unit.name} ({unit.code})")
    return unit, match


def _fuzzy(key: str, kind: CollectiviteType, hint: str | None,
           index: FrenchIndex) -> tuple[FrenchUnit | None, SideMatch] | None:
    if len(key) < 4:
        return None
    names = index.fuzzy_keys(kind, key)
    close = difflib.get_close_matches(key, names, n=3, cutoff=FUZZY_CUTOFF)
    if not close:
        return None
    units: list[FrenchUnit] = []
    for name in close:
        for u in index.by_name[kind].get(name, []) + index.by_core[kind].get(name, []):
            if u not in units and (not hint or kind is not K.COMMUNE or u.departement == hint):
                units.append(u)
    if not units:
        return None
    if len(units) > 1:
        return None, SideMatch(MatchStatus.AMBIGUOUS, MatchMethod.FUZZY, candidates=_labels(units),
                               reason=f"no exact name; {len(units)} close names")
    unit = units[0]
    return _positioned(unit, SideMatch(MatchStatus.MATCHED, MatchMethod.FUZZY,
                                       reason=f"fuzzy match: read as '{unit.name}'"))
