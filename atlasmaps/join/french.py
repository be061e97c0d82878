"""French side of the join: a row's collectivité -> a `FrenchUnit` from the embedded boundaries.

By code first (INSEE code of a commune, département or région, or SIREN of a commune or EPCI),
else by normalised name + type (+ département hint), then by the names that denote a commune
without being one (communes déléguées, associées or merged since 2017, arrondissements municipaux:
"former commune") and the régions of before 2016. Homonyms are never resolved silently: one name in
several départements is AMBIGUOUS with its candidates unless the hint decides or one commune is
far more populous (the shared rule of `homonyms`, reported as "largest homonym"). A close spelling
is drawn only with a département hint and a single candidate; otherwise it is TO_CONFIRM. The indexes are built once per process
(dicts keyed by normalised name), so a 12,000-row file costs dictionary lookups, not scans.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat

from atlasmaps import boundaries
from atlasmaps.join.homonyms import DOMINANCE, dominant
from atlasmaps.textnorm import normalize_name
from atlasmaps.model import (
    CollectiviteType,
    FrenchUnit,
    MatchMethod,
    MatchStatus,
    Partnership,
    Precision,
    SideMatch,
)

FUZZY_CUTOFF = 0.88  # a close name worth proposing
FUZZY_DRAWN = 0.92  # a close name drawn without confirmation (single candidate, département given)
K = CollectiviteType
# Where each kind is placed: communes and groupements at a point of their own (the town hall, or a
# point inside the commune; a groupement at its most populous member), départements and régions
# in their polygon.
PRECISION = {K.COMMUNE: Precision.COMMUNE, K.GROUPEMENT: Precision.COMMUNE,
             K.DEPARTEMENT: Precision.ADMIN2, K.REGION: Precision.ADMIN1}

# The 22 metropolitan régions of before 1 January 2016 (loi n° 2015-29) -> today's INSEE code; their
# old INSEE codes that are not also today's codes are accepted too.
FORMER_REGIONS: dict[str, str] = {
    "Alsace": "44", "Lorraine": "44", "Champagne-Ardenne": "44",
    "Aquitaine": "75", "Limousin": "75", "Poitou-Charentes": "75",
    "Auvergne": "84", "Rhône-Alpes": "84",
    "Bourgogne": "27", "Franche-Comté": "27",
    "Languedoc-Roussillon": "76", "Midi-Pyrénées": "76",
    "Nord-Pas-de-Calais": "32", "Picardie": "32",
    "Basse-Normandie": "28", "Haute-Normandie": "28",
    "Centre": "24", "Provence-Alpes-Côte d'Azur": "93", "PACA": "93",
}
# The names régions go by besides their legal one (their "marque"), as their own documents and the
# lists write them: "Région Sud" is Provence-Alpes-Côte d'Azur; Occitanie was first named with its
# second part.
REGION_USAGE_NAMES: dict[str, str] = {
    "Sud": "93", "Sud Provence-Alpes-Côte d'Azur": "93", "Région Sud Provence-Alpes-Côte d'Azur": "93",
    "Occitanie / Pyrénées-Méditerranée": "76", "Occitanie Pyrénées-Méditerranée": "76",
}
FORMER_REGION_CODES: dict[str, str] = {
    "42": "44", "41": "44", "21": "44", "72": "75", "74": "75", "54": "75", "83": "84", "82": "84",
    "26": "27", "43": "27", "91": "76", "73": "76", "31": "32", "22": "32", "25": "28", "23": "28",
}

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
    population: dict[tuple[CollectiviteType, str], int] = field(default_factory=dict)
    # names and codes that denote a commune without being one: key -> [(what it is, today's unit)]
    former_by_name: dict[str, list[tuple[str, FrenchUnit]]] = field(default_factory=lambda: defaultdict(list))
    former_by_code: dict[str, tuple[str, FrenchUnit]] = field(default_factory=dict)
    alt_names: dict[str, list[FrenchUnit]] = field(default_factory=lambda: defaultdict(list))  # Dunkirk
    region_names: dict[str, str] = field(default_factory=dict)  # normalised name -> code
    _buckets: dict[tuple[CollectiviteType, str], list[str]] = field(default_factory=dict)

    def add(self, unit: FrenchUnit, key: str | None = None) -> None:
        """Index a unit under its codes and names (`key`: its normalised name, when already known)."""
        self.by_code[(unit.kind, unit.code)] = unit
        if unit.siren:
            self.by_siren.setdefault(unit.siren, unit)
        key = key or normalize_name(unit.name)
        self.by_name[unit.kind][key].append(unit)
        core = core_name(key, unit.kind)
        if core != key:
            self.by_core[unit.kind][core].append(unit)

    def names_a_collectivite(self, name: str) -> bool:
        """Whether a French commune, département, région or groupement has this name (or had it)."""
        key = normalize_name(name)
        return (any(key in self.by_name[k] or core_name(key, k) in self.by_name[k] for k in K)
                or key in self.former_by_name or key in self.alt_names)

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


def _column(frame, name: str) -> list:  # noqa: ANN001
    """A column as a list of Python values, None for missing ones (a bulk conversion: iterating an
    Arrow-backed column value by value costs a second on the communes)."""
    return frame[name].astype(object).where(frame[name].notna(), None).tolist()


def _text_column(frame, name: str) -> list[str | None]:  # noqa: ANN001
    """A text column stripped, None for missing or blank values (what `_str` does, in one pass)."""
    text = frame[name].astype("string").str.strip()
    return text.astype(object).where(text.notna() & (text != ""), None).tolist()


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
    index = FrenchIndex()
    regions = boundaries.load("fr_regions")
    lon, lat = _representative(regions)
    for code, name, x, y in zip(regions["code"], regions["name"], lon, lat, strict=True):
        index.add(FrenchUnit(K.REGION, str(code), str(name), region=str(code), lon=x, lat=y))
        index.region_names[normalize_name(str(name))] = str(code)

    deps = boundaries.load("fr_departements")
    lon, lat = _representative(deps)
    for code, name, region, x, y in zip(deps["code"], deps["name"], deps["region"], lon, lat, strict=True):
        unit = FrenchUnit(K.DEPARTEMENT, str(code), str(name), departement=str(code), region=_str(region),
                          lon=x, lat=y)
        index.add(unit)
        index.departement_names[normalize_name(str(name))] = str(code)

    _add_communes(index, boundaries.load("fr_communes"))
    _add_secondary(index, boundaries.load("fr_communes_secondaires"))

    epci = boundaries.load("fr_epci")
    lon, lat = _representative(epci) if len(epci) else ([], [])
    for siren, name, x, y in zip(epci["siren"], epci["name"], lon, lat, strict=True):
        index.add(FrenchUnit(K.GROUPEMENT, str(siren), str(name), siren=str(siren), lon=x, lat=y))
    return index


boundaries.built_from_layers(french_index.cache_clear)

def _add_communes(index: FrenchIndex, communes) -> None:  # noqa: ANN001
    """The 35,000 communes indexed in bulk, as `FrenchIndex.add` would one by one (which was a third
    of the join's French start): a prefix is looked for only in names that start with one."""
    lon, lat = _points(communes)
    codes = [str(c) for c in _column(communes, "code")]
    names, pops, alt_keys, keys = (_column(communes, c) for c in ("name", "population", "alt_keys", "name_key"))
    sirens, deps, regs = (_text_column(communes, c) for c in ("siren", "departement", "region"))
    units = [FrenchUnit(K.COMMUNE, code, str(name), siren=siren, departement=dep, region=reg, lon=x, lat=y)
             for code, name, siren, dep, reg, x, y in zip(codes, names, sirens, deps, regs, lon, lat, strict=True)]
    index.by_code.update(zip(zip(repeat(K.COMMUNE), codes), units))
    index.population.update(zip(zip(repeat(K.COMMUNE), codes), (int(p or 0) for p in pops)))
    by_siren, by_name, by_core = index.by_siren, index.by_name[K.COMMUNE], index.by_core[K.COMMUNE]
    prefixed = tuple(f"{word} " for word in _PREFIXES[K.COMMUNE])
    for unit, siren, key, alts in zip(units, sirens, keys, alt_keys, strict=True):
        if siren:
            by_siren.setdefault(siren, unit)
        key = key or normalize_name(unit.name)
        by_name[key].append(unit)
        if key.startswith(prefixed) and (core := core_name(key, K.COMMUNE)) != key:
            by_core[core].append(unit)
        for alt in alts.split("|") if alts else ():
            index.alt_names[alt].append(unit)


_SECONDARY_KIND = {"deleguee": "commune déléguée", "associee": "commune associée",
                   "ancienne": "former commune", "arrondissement": "arrondissement municipal"}


def _add_secondary(index: FrenchIndex, secondary) -> None:  # noqa: ANN001
    """Communes déléguées, associées, merged communes -> today's commune; an arrondissement
    municipal is a unit of its own (its own code and point) within its commune's département."""
    lon, lat = _points(secondary)
    columns = [_column(secondary, c) for c in ("code", "name", "kind", "parent")]
    for code, name, kind, parent, x, y in zip(*columns, lon, lat, strict=True):
        today = index.by_code.get((K.COMMUNE, str(parent)))
        if today is None:
            continue
        what = f"{_SECONDARY_KIND.get(kind, kind)} {name}"
        if kind == "arrondissement":
            unit = FrenchUnit(K.COMMUNE, str(code), str(name), departement=today.departement, region=today.region,
                              lon=x, lat=y)
            index.by_code[(K.COMMUNE, str(code))] = unit
            index.population[(K.COMMUNE, str(code))] = 0
            index.former_by_name[normalize_name(str(name))].append((what, unit))
            continue
        if str(name) != today.name:
            index.former_by_name[normalize_name(str(name))].append((what, today))
        if str(code) != today.code:
            index.former_by_code.setdefault(str(code), (what, today))


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
    if p.type_collectivite is None:
        return _match_untyped(p, index)
    kind = p.type_collectivite
    hint = _departement_hint(p.departement, index)
    notes: list[str] = []

    if p.code_collectivite:
        unit, note = _by_code(p.code_collectivite, kind, index)
        if unit is not None:
            return _positioned(unit, SideMatch(MatchStatus.MATCHED, MatchMethod.CODE, reason=note or None))
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
        return _decide(units, hint, method, p, notes, index)

    # names of before, qualified names, other names, then close spellings: the first that answers
    for step in (lambda: _former(p, key, kind, hint, index), lambda: _qualified(p, kind, hint, index),
                 lambda: _alternate(p, key, kind, hint, index), lambda: _fuzzy(key, kind, hint, index)):
        found = step()
        if found is not None:
            return found
    reason = f"no {kind.value} named '{p.collectivite}'"
    if hint:
        reason += f" in département {hint}"
    return None, SideMatch(MatchStatus.UNMATCHED, reason="; ".join([*notes, reason]))


def _match_untyped(p: Partnership, index: FrenchIndex) -> tuple[FrenchUnit | None, SideMatch]:
    """No type given: the kind its name says ("Conseil départemental de la Gironde"), else a
    commune, then a département, a région, a groupement of that name — the first kind that has it.
    The report says the type was inferred."""
    from dataclasses import replace

    key = normalize_name(p.collectivite)
    said = [k for k in K if core_name(key, k) != key and k is not K.COMMUNE]
    order = said or [K.COMMUNE, K.DEPARTEMENT, K.REGION, K.GROUPEMENT]
    first: tuple[FrenchUnit | None, SideMatch] | None = None
    for kind in order:
        unit, match = match_french(replace(p, type_collectivite=kind), index)
        if match.status is MatchStatus.UNMATCHED and unit is None:
            first = first or (unit, match)
            continue
        if match.method is MatchMethod.FUZZY and kind is not order[-1]:
            first = first if first and first[1].status is not MatchStatus.UNMATCHED else (unit, match)
            continue
        note = f"no type given: read as a {kind.value}"
        return unit, replace(match, reason="; ".join(r for r in (match.reason, note) if r))
    assert first is not None
    return first


def _former(p: Partnership, key: str, kind: CollectiviteType, hint: str | None,
            index: FrenchIndex) -> tuple[FrenchUnit | None, SideMatch] | None:
    """A name of before: a commune déléguée/associée/merged or an arrondissement -> today's commune,
    a région of before 2016 -> today's région; and the name a région goes by ("Région Sud")."""
    if kind is K.REGION:
        code = _FORMER_REGION_KEYS.get(key) or _FORMER_REGION_KEYS.get(core_name(key, kind))
        usage = _REGION_USAGE_KEYS.get(key) or _REGION_USAGE_KEYS.get(core_name(key, kind))
        if code is None and usage is not None:
            unit = index.by_code[(K.REGION, usage)]
            return _positioned(unit, SideMatch(MatchStatus.MATCHED, MatchMethod.ALTERNATE,
                                               reason=f"'{p.collectivite}' is the name {unit.name} goes by"))
        if code is None:
            return None
        unit = index.by_code[(K.REGION, code)]
        return _positioned(unit, SideMatch(MatchStatus.MATCHED, MatchMethod.FORMER_REGION,
                                           reason=f"'{p.collectivite}' is a région of before 2016, "
                                                  f"now part of {unit.name}"))
    if kind is not K.COMMUNE:
        return None
    found = index.former_by_name.get(key) or index.former_by_name.get(core_name(key, kind), [])
    if hint:
        found = [f for f in found if f[1].departement == hint]
    units = list(dict.fromkeys(u for _, u in found))
    if not units:
        return None
    if len(units) > 1:
        return None, SideMatch(MatchStatus.AMBIGUOUS, MatchMethod.FORMER_COMMUNE, candidates=_labels(units),
                               reason=f"{len(units)} communes were once named '{p.collectivite}': give the "
                                      "code or the département")
    what = next(w for w, u in found if u == units[0])
    return _positioned(units[0], SideMatch(MatchStatus.MATCHED, MatchMethod.FORMER_COMMUNE,
                                           reason=f"'{p.collectivite}' is the {what}, today {units[0].name} "
                                                  f"({units[0].code})"))


_FORMER_REGION_KEYS = {normalize_name(k): v for k, v in FORMER_REGIONS.items()}
_REGION_USAGE_KEYS = {normalize_name(k): v for k, v in REGION_USAGE_NAMES.items()}
_COUNTRY_WORDS = frozenset(normalize_name(w) for w in ("France", "FR", "FRA", "République française"))


def _qualified(p: Partnership, kind: CollectiviteType, hint: str | None,
               index: FrenchIndex) -> tuple[FrenchUnit | None, SideMatch] | None:
    """"Granville, Manche", "Saint-Pierre (Réunion)", "Brest, France": a name with its département,
    région or country added, as encyclopaedias write it. The qualifier narrows the search."""
    from atlasmaps.join.partner import split_qualifier

    qualified = split_qualifier(p.collectivite)
    if qualified is None:
        return None
    stem, qualifier = qualified
    qualifier = qualifier.split(",")[0].strip()  # "Melun (Seine et Marne, 77)"
    qkey = normalize_name(qualifier)
    dep = _departement_hint(qualifier, index) if (K.DEPARTEMENT, normalize_departement(qualifier)) in \
        index.by_code or qkey in index.departement_names else None
    region = index.region_names.get(qkey) or _FORMER_REGION_KEYS.get(qkey)
    if dep is None and region is None and qkey not in _COUNTRY_WORDS:
        return None
    if hint and dep and hint != dep:
        return None
    key = normalize_name(stem)
    sources = [index.by_name[kind].get(key, []), index.by_core[kind].get(core_name(key, kind), [])]
    if kind is K.COMMUNE:
        sources += [[u for _, u in index.former_by_name.get(key, [])], index.alt_names.get(key, [])]
    units: list[FrenchUnit] = []
    for found in sources:  # the first kind of name that has a unit in the qualifier's area
        units = [u for u in found if (not dep or u.departement == dep) and (not region or u.region == region)]
        if units:
            break
    if not units:
        return None
    return _decide(list(dict.fromkeys(units)), dep or hint, MatchMethod.NORMALISED, p, [], index)


def _alternate(p: Partnership, key: str, kind: CollectiviteType, hint: str | None,
               index: FrenchIndex) -> tuple[FrenchUnit | None, SideMatch] | None:
    """Another name of a commune, from GeoNames (Dunkirk for Dunkerque, Lutèce is not one)."""
    if kind is not K.COMMUNE:
        return None
    units = [u for u in index.alt_names.get(key, []) if not hint or u.departement == hint]
    if not units:
        return None
    found, match = _decide(list(dict.fromkeys(units)), hint, MatchMethod.ALTERNATE, p, [], index)
    if found is not None and match.status is MatchStatus.MATCHED and match.method is MatchMethod.ALTERNATE:
        from dataclasses import replace

        match = replace(match, reason=f"'{p.collectivite}' is another name of {found.name} ({found.code})")
    return found, match


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
        if kind is K.COMMUNE and c in index.former_by_code:
            what, unit = index.former_by_code[c]
            return unit, f"code {c} is the {what}, today {unit.name} ({unit.code})"
        if kind is K.REGION and c in FORMER_REGION_CODES:
            unit = index.by_code[(K.REGION, FORMER_REGION_CODES[c])]
            return unit, f"code {c} is a région of before 2016, now part of {unit.name}"
    return None, f"unknown code {code} for a {kind.value}"


def _decide(units: list[FrenchUnit], hint: str | None, method: MatchMethod, p: Partnership,
            notes: list[str], index: FrenchIndex) -> tuple[FrenchUnit | None, SideMatch]:
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
        best = dominant(units, lambda u: index.population.get((u.kind, u.code), 0)) \
            if units[0].kind is K.COMMUNE else None
        if best is not None:
            return _positioned(best, SideMatch(
                MatchStatus.MATCHED, MatchMethod.LARGEST_HOMONYM, candidates=_labels(units),
                reason=f"{len(units)} {kind}s named '{p.collectivite}': the largest, {_label(best)}, has over "
                       f"{DOMINANCE}× the population of any other"))
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
    return unit, match.at(PRECISION[unit.kind])


def _fuzzy(key: str, kind: CollectiviteType, hint: str | None,
           index: FrenchIndex) -> tuple[FrenchUnit | None, SideMatch] | None:
    """A close spelling: drawn only with a département hint, a single candidate and a similarity of
    FUZZY_DRAWN or more; otherwise TO_CONFIRM (not drawn) with its candidates."""
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
    score = difflib.SequenceMatcher(None, key, normalize_name(units[0].name)).ratio()
    if len(units) > 1 or not hint or score < FUZZY_DRAWN:
        guess = f"did you mean {units[0].name}?" if len(units) == 1 else f"{len(units)} close names"
        return None, SideMatch(MatchStatus.TO_CONFIRM, MatchMethod.FUZZY, candidates=_labels(units),
                               reason=f"no exact name; {guess} (confirm it in a corrections file)")
    unit = units[0]
    return _positioned(unit, SideMatch(MatchStatus.MATCHED, MatchMethod.FUZZY, candidates=_labels(units),
                                       reason=f"fuzzy match: read as '{unit.name}'"))
