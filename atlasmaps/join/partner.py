"""Partner side of the join: a row's foreign partner -> a `PartnerPlace` with its zone d'intervention.

In order: a partner in France is DOMESTIC (never a foreign country); the zone code (HASC or ISO
3166-2); a lat/lon override (its admin-1 unit found by point-in-polygon); the name among the country's
GeoNames places, own names first, then alternate names and exonyms (München, Monaco di Baviera;
Japanese long vowels folded: Oono/Ohno/Ōno); the admin-1 unit by name; the admin-2 unit by name
(a Bénin commune, a Japanese municipality), placed at its seat or, failing that, in its admin-1 unit.

Homonyms: the given region decides; else the most populous place is taken only when it clearly
dominates (`DOMINANCE` times the next), reported as "largest homonym"; otherwise AMBIGUOUS with
candidates. A name that is both an admin-1 unit and a place, with no partner type, follows the French
side's level (région/département -> admin-1 unit, commune/groupement -> place) and says so.
A close spelling is drawn only when it is the single candidate above `FUZZY_DRAWN` within the given
region; otherwise it is TO_CONFIRM (not drawn) with its candidate, for the corrections file.
Every match carries its precision (point, admin-2, admin-1).
"""

from __future__ import annotations

import difflib
import re
import struct
import threading
from bisect import bisect_left, bisect_right

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

from atlasmaps import boundaries
from atlasmaps.join.homonyms import DOMINANCE, dominant
from atlasmaps.textnorm import collation_key, japanese_variant, normalize_name
from atlasmaps.model import (
    CollectiviteType,
    JoinedPartnership,
    MatchMethod,
    MatchStatus,
    PartnerPlace,
    Partnership,
    Precision,
    SideMatch,
)

FUZZY_CUTOFF = 0.88  # a close name worth proposing
FUZZY_DRAWN = 0.92  # a close name drawn without confirmation (single candidate, region given)
# ISO codes under which a partner is in France: a partnership between two French collectivités.
FRENCH_TERRITORIES = frozenset({"FR", "RE", "GP", "MQ", "GF", "YT", "NC", "PF", "PM", "WF", "BL", "MF", "TF"})
_PAREN = re.compile(r"^(.*?)\s*[(\[]([^()\[\]]+)[)\]]\s*$")
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
    "gouvernement metropolitain", "metropolitan government", "metropole", "metropolis", "collectivite",
    "generalite", "communaute", "communaute autonome",
    # regions as their own languages name them ("Regione Piemonte", "Comunidad Autónoma de Aragón",
    # "Generalitat de Catalunya", "Diputación de Zaragoza")
    "regione", "regione autonoma", "provincia autonoma", "comunidad", "comunidad autonoma", "comunitat",
    "generalitat", "junta de", "diputacion", "diputacion provincial", "region autonoma",
    # second-order units as GeoNames names them ("Regierungsbezirk Gießen", "Provincia di Chieti",
    # "Powiat jaworski", "Commune of Banikoara", "Province des Balé")
    "regierungsbezirk", "landkreis", "kreis", "powiat", "provincia", "province of", "department",
    "commune of", "comuna", "gemeente", "municipality of", "municipio", "county of", "borough of",
    "city and borough of",
)
_ADMIN_TRAILING = ("prefecture", "province", "region", "state", "county", "oblast", "ken", "fu", "to", "do",
                   "metropolis", "governorate", "district", "voivodeship", "department", "borough", "census area",
                   "municipality", "cercle")
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
_LINKS = ("de la", "de l", "des", "du", "de", "d", "of the", "of", "di", "dell", "della", "del")


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
    """A named tuple, not a dataclass: 200,000 of them are made when every country is indexed."""

    name: str
    lon: float
    lat: float
    admin1_id: str | None
    admin1_name: str | None
    place_id: str = ""
    population: int = 0
    section: bool = False  # GeoNames PPLX: a section of a town, never preferred to a town
    admin2: str | None = None  # GeoNames admin-2 code


@dataclass(frozen=True)
class _Admin2:
    code: str
    name: str
    lon: float | None
    lat: float | None
    admin1_id: str | None
    admin1_name: str | None


class _CountryPlaces:
    """One country's places, the rows of `_PlaceTable` from `lo` to `hi` (sorted by name key).
    Their columns become Python values the first time a place is asked for: a file touches few of
    the 235,000 places and few of the countries, so converting them all at start would be most of
    the join's cold time."""

    def __init__(self, table: _PlaceTable, lo: int, hi: int) -> None:
        self.table, self.lo, self.hi = table, lo, hi
        self._columns: dict[str, list] = {}
        self._made: dict[int, _Place] = {}
        self._inverse: list[int] | None = None

    def column(self, name: str) -> list:
        """A column of the country's rows in layer order (the layer is grouped by country, so they
        are the same rows `lo`..`hi`, unsorted), converted the first time it is asked for."""
        values = self._columns.get(name)
        if values is None:
            column = self.table.layer.column(name).slice(self.lo, self.hi - self.lo)  # type: ignore[attr-defined]
            values = self._columns[name] = column.to_pylist()
        return values

    def place(self, i: int) -> _Place:
        """The place at sorted position `i` of the table."""
        made = self._made.get(i)
        if made is None:
            j = self.table.order[i] - self.lo
            name, aid, aname, pid, pop, feature, a2code, wkb = [column[j] for column in self._place_columns()]
            lon, lat = _point_xy(wkb)
            made = self._made[i] = _Place(name, lon, lat, aid, aname, pid, pop or 0, feature == "PPLX", a2code)
        return made

    def _place_columns(self) -> list[list]:
        columns = self._columns.get("_place")
        if columns is None:
            columns = self._columns["_place"] = [self.column(c) for c in _PLACE_FIELDS]
        return columns

    def layer_positions(self) -> list[int]:
        """The sorted positions of the country's rows, in layer order (for columns from `column`)."""
        if self._inverse is None:
            inverse = [0] * (self.hi - self.lo)
            for i in range(self.lo, self.hi):
                inverse[self.table.order[i] - self.lo] = i
            self._inverse = inverse
        return self._inverse


class _PlaceIndex(Mapping):
    """Name key -> a country's places of that name: its own names by bisection in the table's sorted
    keys (nothing to build), and `extra` keys (shorter cores, other names) in a dict. Places of one
    key keep the layer's order."""

    def __init__(self, places: _CountryPlaces, sorted_keys: bool, extra: dict[str, list[int]] | None = None) -> None:
        self.places = places
        self._sorted = sorted_keys
        self.extra: dict[str, list[int]] = defaultdict(list, extra or {})

    def positions(self, key: str) -> list[int]:
        found: list[int] = []
        if self._sorted:
            keys, lo, hi = self.places.table.keys, self.places.lo, self.places.hi
            start = bisect_left(keys, key, lo, hi)
            found = list(range(start, bisect_right(keys, key, start, hi)))
        more = self.extra.get(key)
        if more:
            found = sorted({*found, *more}, key=self.places.table.order.__getitem__)
        return found

    def __getitem__(self, key: str) -> list[_Place]:
        return [self.places.place(i) for i in self.positions(key)]

    def get(self, key: str, default=None):  # noqa: ANN001, ANN201
        found = self.positions(key)
        return [self.places.place(i) for i in found] if found else default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if key in self.extra:
            return True
        keys, lo, hi = self.places.table.keys, self.places.lo, self.places.hi
        at = bisect_left(keys, key, lo, hi)
        return self._sorted and at < hi and keys[at] == key

    def __iter__(self):  # noqa: ANN204
        own = self.places.table.keys[self.places.lo:self.places.hi] if self._sorted else []
        return iter(dict.fromkeys([*own, *self.extra]))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return (self._sorted and self.places.hi > self.places.lo) or bool(self.extra)


_PLACE_FIELDS = ("name", "admin1_id", "admin1_name", "place_id", "population", "feature", "admin2_code", "geometry")
_WKB_POINT = b"\x01\x01\x00\x00\x00"  # little-endian 2-D point, as the build writes them


def _point_xy(wkb: bytes) -> tuple[float, float]:
    """x, y of a WKB point, read in place for the points the build writes (shapely's decoder costs
    ~15 µs a call, a third of the first join's place lookups); shapely for anything else."""
    if len(wkb) == 21 and wkb[:5] == _WKB_POINT:
        return struct.unpack_from("<dd", wkb, 5)  # type: ignore[return-value]
    import shapely

    point = shapely.from_wkb(wkb)
    return point.x, point.y


@dataclass(frozen=True)
class _PlaceTable:
    """The places layer read once: Arrow columns in layer order, `order` the positions that sort
    them by (country, name key), `keys` the name keys in that order, `spans` each country's
    positions, `cores` the positions whose shorter core name differs ("kobe shi" -> "kobe")."""

    layer: object  # pyarrow.Table
    order: list[int]
    keys: list[str]
    spans: dict[str, tuple[int, int]]
    cores: dict[str, list[tuple[str, int]]]


# The gazetteer is read once per process, possibly by the prefetch thread: whoever comes second waits.
_READING = threading.RLock()


def prefetch_gazetteer() -> Callable[[], None]:
    """Start reading the places and admin-1 units in a thread while the caller reads and validates its
    file; returns the function that waits for it. Arrow reads and sorts without holding the GIL, so on
    two cores most of it comes free. Not with imported layers (their warnings belong to the main thread)."""
    if boundaries.imported_layers():
        return lambda: None

    def read() -> None:
        try:
            _place_table()
            _layers()
            _admin2_layer()
        except Exception:  # noqa: BLE001 - the join's own call meets the same error and reports it
            pass

    thread = threading.Thread(target=read, name="atlasmaps-gazetteer", daemon=True)
    thread.start()
    return thread.join


def clear_cache() -> None:
    """Forget the gazetteer and the country indexes (after an import, in tests)."""
    with _READING:
        _read_place_table.cache_clear()
        _read_layers.cache_clear()
        _read_admin2_layer.cache_clear()
        _admin2_keys.cache_clear()
        _read_regions.cache_clear()
        _world_names.cache_clear()
        _big_places_by_other_name.cache_clear()
        country_index.cache_clear()


boundaries.built_from_layers(clear_cache)


def _place_table() -> _PlaceTable:
    with _READING:
        return _read_place_table()


@lru_cache(maxsize=1)
def _read_place_table() -> _PlaceTable:
    import numpy as np
    import pyarrow.compute as pc

    layer = boundaries.load_columns("places", (*_PLACE_FIELDS, "country", "name_key", "core_key", "alt_keys"))
    layer = layer.filter(pc.is_valid(layer.column("geometry")))  # a place without a point cannot be drawn
    if not _grouped(layer.column("country")):  # the build writes it by country; anything else is sorted once
        layer = layer.take(pc.sort_indices(layer, sort_keys=[("country", "ascending")]))
    layer = layer.combine_chunks()
    order = pc.sort_indices(layer, sort_keys=[("country", "ascending"), ("name_key", "ascending")])
    countries = pc.take(layer.column("country"), order).to_pylist()
    keys = pc.take(layer.column("name_key"), order).to_pylist()
    spans: dict[str, tuple[int, int]] = {}
    starts = [0, *(np.flatnonzero(np.array(countries[1:], dtype=object) != np.array(countries[:-1], dtype=object))
                   + 1).tolist(), len(countries)]
    for lo, hi in zip(starts, starts[1:], strict=False):
        if hi > lo:
            spans[countries[lo]] = (lo, hi)
    core = pc.take(layer.column("core_key"), order)
    with_core = np.flatnonzero(pc.fill_null(pc.not_equal(core, ""), False).to_numpy(zero_copy_only=False))
    cores: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for i, key in zip(with_core.tolist(), pc.take(core, with_core).to_pylist(), strict=True):
        cores[countries[i]].append((key, i))
    return _PlaceTable(layer, order.to_pylist(), keys, spans, dict(cores))


def _grouped(countries) -> bool:  # noqa: ANN001
    """Whether the rows of each country are together and the countries in order."""
    import pyarrow.compute as pc

    values = countries.combine_chunks() if hasattr(countries, "combine_chunks") else countries
    if len(values) < 2:
        return True
    return bool(pc.all(pc.less_equal(values.slice(0, len(values) - 1), values.slice(1))).as_py())


def _admin1_table() -> dict[str, list]:
    """The admin-1 units' attributes and a point inside each (no polygons), as Python lists."""
    table = boundaries.load_columns("admin1", ("admin1_id", "name", "iso_3166_2", "country", "rep_lon", "rep_lat"))
    return {c: table.column(c).to_pylist() for c in table.column_names}


def _layers() -> tuple[dict[str, list], dict[str, list], dict[str, list[int]], dict[str, list[int]]]:
    """The admin-1 units and their other names as plain columns, with each country's rows."""
    with _READING:
        return _read_layers()


@lru_cache(maxsize=1)
def _read_layers() -> tuple[dict[str, list], dict[str, list], dict[str, list[int]], dict[str, list[int]]]:
    admin1 = _admin1_table()
    names = boundaries.load_columns("admin1_names", ("admin1_id", "name", "country"))
    admin1_names = {c: names.column(c).to_pylist() for c in names.column_names}
    return admin1, admin1_names, _groups(admin1["country"]), _groups(admin1_names["country"])


def _groups(countries: list[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(countries):
        groups[c].append(i)
    return groups


def _admin2_layer() -> dict[str, object]:
    """The admin-2 units with their seat, read the first time a name needs them (or by the prefetch)."""
    with _READING:
        return _read_admin2_layer()


@lru_cache(maxsize=None)
def _admin2_keys(iso2: str) -> frozenset[str]:
    """The name keys of a country's admin-2 units: whether a name is one, without indexing them."""
    admin2 = _admin2_layer()
    names = admin2["name"]
    rows = admin2["groups"].get(iso2, ())  # type: ignore[attr-defined]
    return frozenset(normalize_name(names[i]) for i in rows)  # type: ignore[index]


@lru_cache(maxsize=1)
def _read_admin2_layer() -> dict[str, object]:
    table = boundaries.load_columns("admin2_units", ("admin2_code", "name", "country", "admin1_id", "admin1_name",
                                                     "geometry"))
    columns: dict[str, object] = {c: table.column(c).to_pylist() for c in table.column_names if c != "geometry"}
    columns["wkb"] = table.column("geometry").to_numpy(zero_copy_only=False)
    columns["groups"] = _groups(columns["country"])  # type: ignore[arg-type]
    return columns


@dataclass(frozen=True)
class _Region:
    """A region above the stored admin-1 units (Piemonte over its provinces, Souss-Massa across
    Morocco's older regions): it has names and a seat, but no polygon."""

    id: str
    name: str
    seat: str
    lon: float
    lat: float


def _regions(iso2: str) -> dict[str, list[_Region]]:
    """One country's regions above its admin-1 units, by name key."""
    with _READING:
        return _read_regions().get(iso2, {})


@lru_cache(maxsize=1)
def _read_regions() -> dict[str, dict[str, list[_Region]]]:
    import shapely

    table = boundaries.load_columns("admin1_regions", ("region_id", "country", "name", "other_names", "seat",
                                                       "geometry"))
    cols = {c: table.column(c).to_pylist() for c in table.column_names if c != "geometry"}
    seats = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    by_country: dict[str, dict[str, list[_Region]]] = defaultdict(lambda: defaultdict(list))
    for i, (x, y) in enumerate(zip(shapely.get_x(seats).tolist(), shapely.get_y(seats).tolist(), strict=True)):
        region = _Region(cols["region_id"][i], cols["name"][i], cols["seat"][i], x, y)
        for name in [region.name, *(cols["other_names"][i] or "").split("|")]:
            key = normalize_name(name) if name else ""
            for k in dict.fromkeys((key, admin_core(key))) if key else ():
                if region not in by_country[cols["country"][i]][k]:
                    by_country[cols["country"][i]][k].append(region)
    return by_country


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
    places: _PlaceIndex
    _alt_places: _PlaceIndex | None = None
    _ids: dict[str, int] | None = None  # GeoNames id -> position, for corrections
    _admin2_by_name: dict[str, list[_Admin2]] | None = None
    admin1_by_name: dict[str, list[_Admin1]] = field(default_factory=lambda: defaultdict(list))
    admin1_by_code: dict[str, _Admin1] = field(default_factory=dict)
    admin1_list: list[_Admin1] = field(default_factory=list)
    _geometries: list | None = None  # shapely polygons parallel to admin1_list, read for point-in-polygon
    _tree: object = None
    _names_by_length: dict[int, list[str]] | None = None  # for close spellings, made on first use
    regions: dict[str, list[_Admin1]] = field(default_factory=dict)  # a row's region as written -> its units

    def names_that_may_reach(self, key: str, cutoff: float) -> list[str]:
        """Place and admin-1 names long enough, and short enough, to be `cutoff` close to `key`:
        difflib's first test (`real_quick_ratio`, a bound from the two lengths alone) applied to
        whole groups of one length, so a close spelling does not try each of a country's names.
        `difflib.get_close_matches` returns the same names from these as from all of them."""
        if self._names_by_length is None:
            groups: dict[int, list[str]] = defaultdict(list)
            for name in [*self.places, *self.admin1_by_name]:
                groups[len(name)].append(name)
            self._names_by_length = groups
        n = len(key)
        return [name for length, names in self._names_by_length.items()
                if 2.0 * min(length, n) / (length + n) >= cutoff for name in names]

    def add_admin1(self, unit: _Admin1) -> None:
        self.admin1_list.append(unit)
        key = normalize_name(unit.name)
        self.admin1_by_name[key].append(unit)
        core = admin_core(key)
        if core != key:
            self.admin1_by_name[core].append(unit)
        for code in (unit.id, unit.iso):
            if code:
                self.admin1_by_code[code.upper()] = unit
        # "JP.HG" is also written "HG" within its country, and "US-OR" "OR" (the postal codes of states)
        if "." in unit.id:
            self.admin1_by_code.setdefault(unit.id.split(".", 1)[1].upper(), unit)
        if unit.iso and "-" in unit.iso:
            self.admin1_by_code.setdefault(unit.iso.split("-", 1)[1].upper(), unit)

    @property
    def admin2_by_name(self) -> dict[str, list[_Admin2]]:
        """Second-order units by name, built the first time a name is neither a place nor an
        admin-1 unit (47,000 names worldwide: not worth normalising at every start)."""
        if self._admin2_by_name is None:
            import shapely

            admin2 = _admin2_layer()
            by_name: dict[str, list[_Admin2]] = defaultdict(list)
            rows = admin2["groups"].get(self.iso2, [])  # type: ignore[attr-defined]
            geoms = shapely.from_wkb(admin2["wkb"][rows])  # type: ignore[index]
            missing = shapely.is_missing(geoms).tolist()
            xs, ys = shapely.get_x(geoms).tolist(), shapely.get_y(geoms).tolist()
            for i, miss, x, y in zip(rows, missing, xs, ys, strict=True):
                unit = _Admin2(str(admin2["admin2_code"][i]), str(admin2["name"][i]),  # type: ignore[index]
                               None if miss else x, None if miss else y,
                               admin2["admin1_id"][i], admin2["admin1_name"][i])  # type: ignore[index]
                key = normalize_name(unit.name)
                for k in dict.fromkeys((key, admin_core(key), place_core(key))):
                    by_name[k].append(unit)
            self._admin2_by_name = by_name
        return self._admin2_by_name

    @property
    def alt_places(self) -> _PlaceIndex:
        """Places by their other names (exonyms, spellings, Japanese long vowels folded), built the
        first time a name is not found among the places' own names: most rows never need it."""
        if self._alt_places is None:
            places = self.places.places
            extra: dict[str, list[int]] = defaultdict(list)
            for i, keys in zip(places.layer_positions(), places.column("alt_keys"), strict=True):
                for key in keys.split("|") if keys else ():
                    extra[key].append(i)
            if self.iso2 == "JP":
                found = [(key, self.places.positions(key)) for key in self.places]
                for key, rows in [*found, *[(k, list(v)) for k, v in extra.items()]]:
                    variant = japanese_variant(key)
                    if variant != key:
                        extra[variant].extend(rows)
            self._alt_places = _PlaceIndex(places, False, extra)
        return self._alt_places

    def _position(self, place_id: str) -> int | None:
        if self._ids is None:
            places = self.places.places
            self._ids = dict(zip(places.column("place_id"), places.layer_positions(), strict=True))
        return self._ids.get(place_id)

    def by_id(self, place_id: str) -> _Place | None:
        i = self._position(place_id)
        return None if i is None else self.places.places.place(i)

    def other_names(self, place_id: str) -> frozenset[str]:
        """The name keys of a place's other names (exonyms, spellings), as GeoNames lists them."""
        i = self._position(place_id)
        if i is None:
            return frozenset()
        places = self.places.places
        keys = places.column("alt_keys")[places.table.order[i] - places.lo]
        return frozenset(keys.split("|")) if keys else frozenset()

    def admin1_at(self, lon: float, lat: float) -> _Admin1 | None:
        """The admin-1 unit containing the point (or the nearest within COAST_TOLERANCE)."""
        import shapely

        if not self.admin1_list:
            return None
        if self._tree is None:
            units = boundaries.load("admin1", self.iso2)
            by_id = dict(zip(units["admin1_id"].astype(str), units.geometry.values, strict=True))
            self._geometries = [by_id.get(u.id) for u in self.admin1_list]
            self._tree = shapely.STRtree(self._geometries)
        point = shapely.Point(lon, lat)
        hits = self._tree.query(point, predicate="intersects")  # type: ignore[attr-defined]
        if len(hits):
            return self.admin1_list[int(min(hits))]
        nearest = self._tree.query_nearest(point, max_distance=COAST_TOLERANCE)  # type: ignore[attr-defined]
        return self.admin1_list[int(nearest[0])] if len(nearest) else None


@lru_cache(maxsize=None)
def country_index(iso2: str) -> CountryIndex | None:
    """One country's index, built on first use (a file rarely involves all 246 countries)."""
    iso2 = iso2.upper()
    admin1, admin1_names, groups1, groups_names = _layers()
    table = _place_table()
    rows_a = groups1.get(iso2, [])
    span = table.spans.get(iso2)
    if not rows_a and span is None:
        return None
    lo, hi = span or (0, 0)
    cores: dict[str, list[int]] = defaultdict(list)
    for key, i in table.cores.get(iso2, ()):
        cores[key].append(i)
    index = CountryIndex(iso2, _PlaceIndex(_CountryPlaces(table, lo, hi), True, cores))
    for i in rows_a:
        x, y = admin1["rep_lon"][i], admin1["rep_lat"][i]
        if x is None or y is None or x != x:  # no polygon, no point: nothing to place a partner on
            continue
        iso = admin1["iso_3166_2"][i]
        index.add_admin1(_Admin1(str(admin1["admin1_id"][i]), str(admin1["name"][i]),
                                 iso if isinstance(iso, str) and iso else None, x, y))
    by_id = {u.id: u for u in index.admin1_list}
    for i in groups_names.get(iso2, []):
        unit = by_id.get(str(admin1_names["admin1_id"][i]))
        if unit is not None:
            key = normalize_name(str(admin1_names["name"][i]))
            for k in dict.fromkeys((key, admin_core(key))):
                if unit not in index.admin1_by_name[k]:
                    index.admin1_by_name[k].append(unit)
    return index


@lru_cache(maxsize=1)
def _world_names() -> dict[str, dict[str, int]]:
    """Place name key -> {country: population of its largest place of that name}, for rows that
    give no country. Built only when such a row comes."""
    admin1, admin1_names, _, _ = _layers()
    layer = _place_table().layer
    own: dict[str, dict[str, int]] = defaultdict(dict)
    other: dict[str, dict[str, int]] = defaultdict(dict)
    columns = (layer.column(c).to_pylist() for c in ("name_key", "country", "population", "alt_keys"))  # type: ignore[attr-defined]
    for key, country, pop, alts in zip(*columns, strict=True):
        pop = pop or 0
        if pop >= own[key].get(country, -1):
            own[key][country] = pop
        for alt in alts.split("|") if alts else ():
            if pop >= other[alt].get(country, -1):
                other[alt][country] = pop
    # admin-1 units by any of their names ("Rhénanie-Palatinat"), as one big place of their country
    for name, country in [*zip(admin1["name"], admin1["country"]), *zip(admin1_names["name"], admin1_names["country"])]:
        key = admin_core(normalize_name(name))
        other[key].setdefault(country, 0)
    # A place's own name wins over another place's alternate name ("Rome" is also an old name of Lomé),
    # unless that other place clearly dominates: "Londres" is a village of Argentina and London in
    # French, "Pékin" a town of Illinois and Beijing.
    names = other
    for key, countries in own.items():
        largest = max(countries.values())
        bigger = {c: pop for c, pop in other.get(key, {}).items()
                  if c not in countries and pop > DOMINANCE * largest}
        names[key] = {**countries, **bigger}
    return names


def infer_country(p: Partnership) -> tuple[str | None, SideMatch | None]:
    """The partner's country when the row gives none: the one country that has a place of that
    name, or the one whose place of that name is far more populous (the homonym rule), a French
    territory only when no foreign country has it. ("Burgess Hill" -> GB, "Argos" -> GR.)"""
    from atlasmaps.data.schema import country_name, resolve_country_ref

    name = p.partenaire
    qualified = split_qualifier(name)
    qualifier = None
    if qualified is not None:  # "Brest, Belarus" / "Milena, Sicily"
        ref = resolve_country_ref(qualified[1])
        if ref is not None:
            return ref.iso2, None
        name, qualifier = qualified
    found = _world_names().get(normalize_name(name), {})
    foreign = {c: pop for c, pop in found.items() if c not in FRENCH_TERRITORIES} or found
    if qualifier and len(foreign) > 1:  # the qualifier names a region of one of the countries
        qkey = normalize_name(qualifier)
        having = {c: pop for c, pop in foreign.items() if (ix := country_index(c)) is not None
                  and (qkey in ix.admin1_by_name or admin_core(qkey) in ix.admin1_by_name or qkey in ix.admin2_by_name)}
        if len(having) == 1:
            return next(iter(having)), None
    if not foreign:
        return None, SideMatch(MatchStatus.UNMATCHED, reason=f"no country given, and no place named '{name}' "
                                                             "is known: give the country (pays)")
    best = dominant(sorted(foreign), lambda c: foreign[c])
    if best is None:
        listed = tuple(f"{country_name(c, 'en')} ({c})" for c in sorted(foreign, key=lambda c: -foreign[c])[:8])
        return None, SideMatch(MatchStatus.AMBIGUOUS, candidates=listed,
                               reason=f"no country given, and places named '{name}' exist in {len(foreign)} "
                                      "countries: give the country (pays)")
    return best, None


def corrected_partner(p: Partnership, c) -> tuple[PartnerPlace | None, SideMatch]:  # noqa: ANN001
    """The partner side as a corrections-file line says: a GeoNames place, an admin-1 code, a
    position, or left off on purpose."""
    if c.ignore:
        return None, SideMatch(MatchStatus.IGNORED, MatchMethod.CORRECTION, reason=f"ignored ({c.where})")
    index = country_index(p.pays)
    why = f"corrected ({c.where})"
    if index is None:
        return None, SideMatch(MatchStatus.UNMATCHED, MatchMethod.CORRECTION, reason=f"no boundaries for {p.pays}")
    if c.place_id:
        place = index.by_id(str(c.place_id))
        if place is None:
            return None, SideMatch(MatchStatus.UNMATCHED, MatchMethod.CORRECTION,
                                   reason=f"no place with id {c.place_id} in {p.pays} ({c.where})")
        return _from_place(p, place, SideMatch(MatchStatus.MATCHED, MatchMethod.CORRECTION, reason=why))
    if c.code:
        unit = index.admin1_by_code.get(c.code.strip().upper())
        if unit is None:
            return None, SideMatch(MatchStatus.UNMATCHED, MatchMethod.CORRECTION,
                                   reason=f"unknown zone code '{c.code}' in {p.pays} ({c.where})")
        return _from_admin1(p, unit, SideMatch(MatchStatus.MATCHED, MatchMethod.CORRECTION, reason=why))
    unit = index.admin1_at(c.lon, c.lat)
    if unit is None and index.admin1_list:
        return None, SideMatch(MatchStatus.UNMATCHED, MatchMethod.CORRECTION,
                               reason=f"position {c.lat:g}, {c.lon:g} is outside {p.pays} ({c.where})")
    return PartnerPlace(p.partenaire, p.pays, c.lon, c.lat, unit.id if unit else None, unit.name if unit else None), \
        SideMatch(MatchStatus.MATCHED, MatchMethod.CORRECTION, reason=why, precision=Precision.POINT)


def match_partner(p: Partnership) -> tuple[PartnerPlace | None, SideMatch]:
    """Resolve the partner side of one row; the region it gives names the zone on French maps when
    it is one of the zone's names ("Bavière" for Bayern)."""
    place, match = _match_partner(p)
    if place is not None and p.region_partenaire and not place.written_admin1_name:
        region = _region_written(p.region_partenaire, place)
        if region is not None:
            place = replace(place, written_admin1_name=region)
    return place, match


def _region_written(region: str, place: PartnerPlace) -> str | None:
    """`region` as written when it names the place's admin-1 unit otherwise than the gazetteer does
    ("Bavière", "Rhénanie-du-Nord-Westphalie"), else None (the unit's own name however spelt, a code,
    capitals)."""
    typed = region.strip()
    index = country_index(place.country)
    if index is None or not place.admin1_id or typed.isupper() or typed == place.admin1_name:
        return None
    units = [u for u in _region_units(region, index) if u.id == place.admin1_id]
    key = normalize_name(typed)
    if not units or units[0].id.split(".", 1)[-1] == typed.upper() or (
            key == normalize_name(units[0].name) and _accents(typed) <= _accents(units[0].name)):
        return None
    return typed


def _match_partner(p: Partnership) -> tuple[PartnerPlace | None, SideMatch]:
    from atlasmaps.data.schema import country_name

    def country() -> str:  # CLDR (a quarter of a second to read) only when a reason is written
        return country_name(p.pays, "en")
    if p.pays in FRENCH_TERRITORIES:
        return None, SideMatch(MatchStatus.DOMESTIC,
                               reason=f"partner in France ({country()}): a partnership between two French "
                                      "collectivités, not drawn on maps of foreign partners")
    index = country_index(p.pays)
    if index is None or (not index.places and not index.admin1_list):
        return None, SideMatch(MatchStatus.UNMATCHED, reason=f"no boundaries for {country()} ({p.pays})")

    name, region = p.partenaire, p.region_partenaire
    zones = _region_units(region, index)
    if region and not zones:  # a region the gazetteer does not know ("NRW") narrows nothing, and is said
        place, match = _match_partner(replace(p, region_partenaire=None))
        return place, _with_reason(match, f"region '{region}' is not known in {country()}: not used")

    if p.code_partenaire:
        unit = index.admin1_by_code.get(p.code_partenaire.strip().upper())
        if unit is None:
            return None, SideMatch(MatchStatus.UNMATCHED,
                                   reason=f"unknown zone code '{p.code_partenaire}' in {country()}")
        places = [pl for pl in _places(name, index) if pl.admin1_id == unit.id]
        if len(_distinct(places)) == 1:
            return _from_place(p, places[0], SideMatch(MatchStatus.MATCHED, MatchMethod.CODE))
        return _from_admin1(p, unit, SideMatch(MatchStatus.MATCHED, MatchMethod.CODE))

    if p.latitude is not None and p.longitude is not None:
        unit = index.admin1_at(p.longitude, p.latitude)
        if unit is None and index.admin1_list:
            return None, SideMatch(
                MatchStatus.UNMATCHED, MatchMethod.OVERRIDE,
                reason=f"position {p.latitude:g}, {p.longitude:g} (lat, lon) is outside {country()}",
            )
        return PartnerPlace(name, p.pays, p.longitude, p.latitude,
                            unit.id if unit else None, unit.name if unit else None), \
            SideMatch(MatchStatus.MATCHED, MatchMethod.OVERRIDE, precision=Precision.POINT)

    key = normalize_name(name)
    # A region is meant rather than villages of its name: "Wales" is not the Wales of 6,000 near Rotherham.
    result = _region_step(p, key, index) if not zones and all(
        pl.population < BIG_PLACE for pl in index.places.get(key, [])) else None
    if result is None or result[1].status is not MatchStatus.MATCHED:
        result = _by_name(p, key, index, zones)
    if result is None or result[1].status is MatchStatus.UNMATCHED:
        qualified = split_qualifier(name)
        if qualified is not None:
            # "Neustadt (Bayern)", "Herne, North Rhine-Westphalia", "Allendorf, Giessen", "Laval,
            # Quebec": the qualifier is an admin-1 or admin-2 unit that narrows the search, or the
            # country itself (noise)
            stem, qualifier = qualified
            hint = zones or _region_hint(qualifier, index)
            result = (_in_admin2(p, stem, qualifier, index) if not hint else None) \
                or _by_name(p, normalize_name(stem), index, hint)
    if result is None:
        result = _by_stem(p, key, index, zones) or _region_step(p, key, index) or _fuzzy_step(p, key, index, zones)
    if result is not None:
        return result
    where = f" ({', '.join(sorted(z.name for z in zones))})" if zones else ""
    return None, SideMatch(MatchStatus.UNMATCHED, reason=f"no place named '{name}' in {country()}{where}")


def split_qualifier(name: str) -> tuple[str, str] | None:
    """("Herne", "North Rhine-Westphalia") for "Herne, North Rhine-Westphalia" or "Herne (NRW)":
    the disambiguation that encyclopaedias and lists add to a name, or None."""
    m = _PAREN.match(name)
    if m and m.group(1).strip():
        return m.group(1).strip(), m.group(2).strip()
    if ", " in name:
        stem, _, qualifier = name.rpartition(", ")
        if stem.strip() and qualifier.strip():
            return stem.strip(), qualifier.strip()
    return None


def _in_admin2(p: Partnership, stem: str, qualifier: str, index: CountryIndex):  # noqa: ANN202
    """Homonyms told apart by the admin-2 unit named in the qualifier ("Allendorf, Giessen")."""
    codes = {u.code for u in index.admin2_by_name.get(normalize_name(qualifier), [])}
    if not codes:
        return None
    key = normalize_name(stem)
    places = [pl for pl in [*index.places.get(key, []), *index.alt_places.get(key, [])] if pl.admin2 in codes]
    distinct = _distinct(places)
    if len(distinct) != 1:
        return None
    return _from_place(p, distinct[0], SideMatch(MatchStatus.MATCHED, MatchMethod.NORMALISED,
                                                 reason=f"'{qualifier}' read as the admin-2 unit of {distinct[0].name}"))


# Words after which a German, Dutch or English place name adds a river, a hill or a region
# ("Endingen am Kaiserstuhl", "Frankfurt an der Oder", "Stratford-upon-Avon"): GeoNames may list the
# town without them.
_STEM_SUFFIX = re.compile(r"^(?P<stem>.+?) (?:am|an der|an|im|in der|ob der|bei|vor der|aan de|aan den|upon|on|"
                          r"on the)(?: \S+){1,2}$")
_STEM_PREFIX = re.compile(r"^(?:bad|markt|stadt|hansestadt|lutherstadt) (?P<stem>.+)$")
# "Halle-sur-Saale", "Frankfurt an der Oder": GeoNames names the town with its river in brackets,
# "Halle (Saale)", "Frankfurt (Oder)".
_ON_RIVER = re.compile(r"^(?P<town>.+?) (?:sur|sur la|sur le|sur l|an der|an|am|on|on the) (?P<river>\S+)$")


def _by_stem(p: Partnership, key: str, index: CountryIndex,
             zones: list[_Admin1]) -> tuple[PartnerPlace | None, SideMatch] | None:
    """A town listed without its spa prefix or river suffix ("Bad Kötzting" -> "Kötzting"): drawn only
    when the stem names exactly one place, and reported as a normalised read."""
    river = _ON_RIVER.match(key)
    stems = [m.group("stem") for m in (pattern.match(key) for pattern in (_STEM_SUFFIX, _STEM_PREFIX)) if m]
    if river:
        stems.insert(0, f"{river.group('town')} {river.group('river')}")
    words = key.split()
    # "Worms-Heppenheim", "Ulm Wiblingen": a district named after its town; only a town of some size
    # (DISTRICT_TOWN_MIN) is read that way, the longest leading words first
    towns = [" ".join(words[:n]) for n in range(len(words) - 1, 0, -1)]
    for stem, min_population in [*((s, 0) for s in stems), *((t, DISTRICT_TOWN_MIN) for t in towns)]:
        places = [pl for pl in index.places.get(stem, []) if pl.population >= min_population]
        places += _far_larger_by_other_name(stem, index, places) if places else []
        if zones:
            places = [pl for pl in places if pl.admin1_id in {z.id for z in zones}]
        distinct = _distinct(places)
        if len(distinct) == 1:
            what = "read as" if min_population == 0 else "read as a district of"
            return _from_place(p, distinct[0], SideMatch(MatchStatus.MATCHED, MatchMethod.NORMALISED,
                                                         reason=f"{what} '{distinct[0].name}'"), as_written=True)
    return None


DISTRICT_TOWN_MIN = 5_000


def _by_name(p: Partnership, key: str, index: CountryIndex,
             zones: list[_Admin1]) -> tuple[PartnerPlace | None, SideMatch] | None:
    """Places, admin-1 units and admin-2 units by name, in the order the name and type suggest."""
    if _looks_admin(key, p.type_partenaire):
        for step in (_admin1_step, _place_step, _admin2_step):
            result = step(p, key, index, zones)
            if result is not None:
                return result
    else:
        as_place = _place_step(p, key, index, zones)
        as_unit = _admin1_step(p, key, index, zones) if not p.type_partenaire else None
        if as_place is not None and as_unit is not None and as_unit[1].status is MatchStatus.MATCHED:
            if as_place[1].method is MatchMethod.ALTERNATE and as_unit[0] is not None and as_place[0] is not None \
                    and normalize_name(as_unit[0].admin1_name or "") == key \
                    and as_place[0].admin1_id != as_unit[0].admin1_id:
                # the unit's own name beats a town elsewhere known by it as another name ("Quảng Ninh"
                # is the province, not Quán Hàu in Quảng Bình; "Firenze" is still Florence)
                return as_unit[0], _with_reason(as_unit[1], f"the admin-1 unit's own name, rather than "
                                                            f"{as_place[0].name}, a place with it among its "
                                                            "other names")
            return _by_level(p, as_place, as_unit)
        result = as_place or as_unit or _admin2_step(p, key, index, zones)
        if result is not None:
            return result
    return None


def _by_level(p: Partnership, as_place: tuple, as_unit: tuple) -> tuple[PartnerPlace | None, SideMatch]:
    """A name that is both a place and an admin-1 unit, with no partner type: a région or a
    département partners an admin-1 unit, a commune or a groupement partners a town."""
    unit_level = p.type_collectivite in (CollectiviteType.REGION, CollectiviteType.DEPARTEMENT)
    place, place_match = as_place
    zone, zone_match = as_unit
    place_label = place.name if place is not None else p.partenaire
    if place is not None and zone is not None and place.admin1_id == zone.admin1_id:
        # the town and its own unit (Osaka, Tokyo, Timbuktu): the unit is drawn at its town (`_from_admin1`)
        if not unit_level:
            return place, place_match
        note = (f"'{p.partenaire}' is both an admin-1 unit and its town; the admin-1 unit was chosen, at the "
                f"level of the French {p.type_collectivite.value}, and drawn at {place.name}")
        return zone, _with_reason(zone_match, note)
    if unit_level:
        note = (f"'{p.partenaire}' is both an admin-1 unit and a place ({place_label}); the admin-1 unit was "
                f"chosen, at the level of the French {p.type_collectivite.value}")
        return zone, _with_reason(zone_match, note)
    note = (f"'{p.partenaire}' is both a place and an admin-1 unit ({zone.admin1_name if zone else '?'}); the place "
            f"was chosen, at the level of the French {p.type_collectivite.value}")
    return place, _with_reason(place_match, note)


def _with_reason(match: SideMatch, note: str) -> SideMatch:
    return replace(match, reason="; ".join(r for r in (match.reason, note) if r))


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


#: How close a region's spelling must be to a known name of an admin-1 unit to be read as it.
REGION_CLOSE = 0.85


def _region_units(value: str | None, index: CountryIndex) -> list[_Admin1]:
    """The admin-1 units a row's region names: by code or name (`_region_hint`), else by a close
    spelling of a name ("Rhénanie-du-Nord-Westphalie" for "Rhénanie du Nord-Westfalie"). Kept per
    country: a file writes the same regions on many rows."""
    if not value:
        return []
    found = index.regions.get(value)
    if found is None:
        found = _region_hint(value, index)
        if not found:
            close = difflib.get_close_matches(normalize_name(value), list(index.admin1_by_name), n=1,
                                              cutoff=REGION_CLOSE)
            found = list(index.admin1_by_name[close[0]]) if close else []
        index.regions[value] = found
    return found


def _places(name: str, index: CountryIndex) -> list[_Place]:
    key = normalize_name(name)
    return list(index.places.get(key) or index.places.get(place_core(key), []))


def _distinct(places: list[_Place]) -> list[_Place]:
    """Collapse duplicates of one place (same admin-1 unit, a few km apart), keeping the most
    populous (GeoNames lists a city and its seat, or a town and its section)."""
    kept: list[_Place] = []
    for pl in sorted(places, key=lambda q: (q.section, -q.population, q.place_id)):
        if not any(
            k.admin1_id == pl.admin1_id
            and abs(k.lon - pl.lon) < SAME_PLACE_DEGREES and abs(k.lat - pl.lat) < SAME_PLACE_DEGREES
            for k in kept
        ):
            kept.append(pl)
    return kept


def _place_label(pl: _Place) -> str:
    """How a candidate is listed: with its region, population and GeoNames id (for corrections)."""
    pop = f", pop. {pl.population:,}".replace(",", " ") if pl.population else ""
    return f"{pl.name} ({pl.admin1_name or pl.admin1_id or '?'}{pop}) [{pl.place_id}]"


def _japanese(key: str, index: CountryIndex) -> str | None:
    return japanese_variant(key) if index.iso2 == "JP" else None


def _place_step(p: Partnership, key: str, index: CountryIndex, zones: list[_Admin1]):  # noqa: ANN202
    places = list(index.places.get(key, []))
    method = MatchMethod.EXACT if any(pl.name == p.partenaire.strip() for pl in places) else MatchMethod.NORMALISED
    if not places:
        places = list(index.places.get(place_core(key), []))
    if places:  # a far larger town known by that name too: "Halle" is Halle (Saale), not the Halles of 21,000
        places += _far_larger_by_other_name(key, index, places)
    if not places or (zones and not any(pl.admin1_id in {z.id for z in zones} for pl in places)):
        alt = [*index.alt_places.get(key, []), *index.alt_places.get(place_core(key), [])]
        jp = _japanese(key, index)
        if jp:
            alt += [*index.places.get(jp, []), *index.alt_places.get(jp, [])]
        if alt:
            places, method = list(dict.fromkeys(alt)), MatchMethod.ALTERNATE
    if not places:
        return None
    elsewhere = _admin2_elsewhere(p, key, index, zones, places)
    return elsewhere if elsewhere is not None else _decide_places(p, places, zones, method)


def _admin2_elsewhere(p: Partnership, key: str, index: CountryIndex, zones: list[_Admin1],  # noqa: ANN202
                      places: list[_Place]):
    """The admin-2 unit of that name, at its seat, when the one place of that name is filed by GeoNames
    with no admin-2 unit and in another admin-1 unit: Kouandé, a commune of the Atakora, has a place
    record on the coast of the Atlantique. A partner of a French commune is a commune."""
    distinct = _distinct(places)
    if len(distinct) != 1 or distinct[0].admin2 is not None or key not in _admin2_keys(index.iso2):
        return None
    units = [u for u in index.admin2_by_name.get(key, []) if u.lon is not None and u.lat is not None
             and u.admin1_id and u.admin1_id != distinct[0].admin1_id
             and (not zones or u.admin1_id in {z.id for z in zones})]
    if len(units) != 1:
        return None
    unit = units[0]
    return PartnerPlace(p.partenaire, p.pays, unit.lon, unit.lat, unit.admin1_id, unit.admin1_name), \
        SideMatch(MatchStatus.MATCHED, MatchMethod.ADMIN2, precision=Precision.ADMIN2,
                  candidates=(_place_label(distinct[0]),),
                  reason=f"placed at the seat of the admin-2 unit {unit.name} ({unit.admin1_name}); GeoNames' place "
                         f"of that name, in {distinct[0].admin1_name}, has no admin-2 unit")


#: Places this populous are also looked up by their other names when smaller places bear the name as
#: their own (few enough to index once for the world).
BIG_PLACE = 50_000


@lru_cache(maxsize=1)
def _big_places_by_other_name() -> dict[tuple[str, str], list[tuple[str, int]]]:
    """(country, other name key) -> [(GeoNames id, population)] of the places of BIG_PLACE or more."""
    import pyarrow.compute as pc

    layer = _place_table().layer
    population = pc.fill_null(layer.column("population"), 0)  # type: ignore[attr-defined]
    big = layer.filter(pc.greater_equal(population, BIG_PLACE))  # type: ignore[attr-defined]
    out: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    columns = (big.column(c).to_pylist() for c in ("country", "population", "alt_keys", "place_id"))
    for country, population, alts, place_id in zip(*columns, strict=True):
        for alt in alts.split("|") if alts else ():
            out[(country, alt)].append((place_id, population))
    return out


def _far_larger_by_other_name(key: str, index: CountryIndex, places: list[_Place]) -> list[_Place]:
    """Places over DOMINANCE times as populous as any of `places` whose other names include `key` as the
    short form of their own ("Halle" of "Halle (Saale)", "Frankfurt" of "Frankfurt am Main"); not a
    former name ("Waterloo" of Austin, Texas) nor another language's spelling ("Reka" of Rijeka)."""
    found = _big_places_by_other_name().get((index.iso2, key))
    if not found:
        return []
    largest = max(pl.population for pl in places)
    bigger = [index.by_id(place_id) for place_id, population in found if population > DOMINANCE * largest]
    return [pl for pl in bigger if pl is not None and pl not in places
            and normalize_name(pl.name).startswith(key + " ")]


def _decide_places(p: Partnership, places: list[_Place], zones: list[_Admin1], method: MatchMethod):  # noqa: ANN202
    if zones:
        ids = {z.id for z in zones}
        inside = [pl for pl in places if pl.admin1_id in ids]
        if not inside:
            return None  # not in the given region: the admin-1 step may still match the name
        places = inside
    distinct = _distinct(places)
    if len(distinct) > 1:
        towns = [pl for pl in distinct if not pl.section] or distinct
        best = dominant(towns, lambda pl: pl.population)
        labels = tuple(_place_label(pl) for pl in distinct)
        if best is not None:
            return _from_place(p, best, SideMatch(
                MatchStatus.MATCHED, MatchMethod.LARGEST_HOMONYM, candidates=labels,
                reason=f"{len(distinct)} places named '{p.partenaire}': the largest, {best.name} "
                       f"({best.admin1_name or best.admin1_id}), has over {DOMINANCE}× the population of any other",
            ))
        return None, SideMatch(
            MatchStatus.AMBIGUOUS, method, candidates=labels,
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


def _region_step(p: Partnership, key: str, index: CountryIndex):  # noqa: ANN202
    """A region above the admin-1 units ("Piémont", "Région Souss-Massa"): drawn at its seat, with no
    zone (the boundaries have none of its outline), at precision admin-1; the reason says so."""
    found = list(dict.fromkeys(_regions(index.iso2).get(key) or _regions(index.iso2).get(admin_core(key)) or []))
    if not found:
        return None
    if len(found) > 1:
        return None, SideMatch(MatchStatus.AMBIGUOUS, MatchMethod.ADMIN1,
                               candidates=tuple(sorted(f"{r.name} ({r.id})" for r in found)),
                               reason=f"{len(found)} regions named '{p.partenaire}'")
    region = found[0]
    place = PartnerPlace(region.name, p.pays, region.lon, region.lat, None, None,
                         _written_unit_name(p.partenaire, region.name))
    return place, SideMatch(MatchStatus.MATCHED, MatchMethod.ADMIN1, precision=Precision.ADMIN1,
                            reason=f"a region of several admin-1 units ({region.name}): drawn at its seat, "
                                   f"{region.seat}, without its zone")


def _admin2_step(p: Partnership, key: str, index: CountryIndex, zones: list[_Admin1]):  # noqa: ANN202
    """A second-order unit by name (a Bénin commune, a Japanese municipality): drawn at its seat
    (precision admin-2) or, when GeoNames has no place in it, in its admin-1 unit (precision admin-1)."""
    units = [*index.admin2_by_name.get(key, [])]
    if not units:
        units = [*index.admin2_by_name.get(admin_core(place_core(key)), [])]
    units = list(dict.fromkeys(units))
    if zones:
        units = [u for u in units if u.admin1_id in {z.id for z in zones}]
    if not units:
        return None
    if len(units) > 1:
        return None, SideMatch(
            MatchStatus.AMBIGUOUS, MatchMethod.ADMIN2,
            candidates=tuple(sorted(f"{u.name} ({u.admin1_name or '?'}) [{u.code}]" for u in units)),
            reason=f"{len(units)} admin-2 units named '{p.partenaire}'",
        )
    unit = units[0]
    if unit.lon is not None and unit.lat is not None:
        return PartnerPlace(p.partenaire, p.pays, unit.lon, unit.lat, unit.admin1_id, unit.admin1_name), \
            SideMatch(MatchStatus.MATCHED, MatchMethod.ADMIN2, precision=Precision.ADMIN2,
                      reason=f"placed at the seat of the admin-2 unit {unit.name}")
    # a unit named after its seat town ("Département de Podor": Podor), which GeoNames files elsewhere
    seats = _distinct([pl for pl in index.places.get(admin_core(normalize_name(unit.name)), [])
                       if not unit.admin1_id or pl.admin1_id == unit.admin1_id])
    if len(seats) == 1:
        seat = seats[0]
        return PartnerPlace(p.partenaire, p.pays, seat.lon, seat.lat, seat.admin1_id, seat.admin1_name), \
            SideMatch(MatchStatus.MATCHED, MatchMethod.ADMIN2, precision=Precision.ADMIN2,
                      reason=f"placed at {seat.name}, the town the admin-2 unit {unit.name} is named after")
    zone = next((u for u in index.admin1_list if u.id == unit.admin1_id), None)
    if zone is None:
        return None, SideMatch(MatchStatus.UNMATCHED, MatchMethod.ADMIN2,
                               reason=f"admin-2 unit {unit.name} has no position")
    return _from_admin1(p, zone, SideMatch(
        MatchStatus.MATCHED, MatchMethod.ADMIN2,
        reason=f"admin-2 unit {unit.name} has no point: placed in its admin-1 unit {zone.name}"))


def _fuzzy_step(p: Partnership, key: str, index: CountryIndex, zones: list[_Admin1]):  # noqa: ANN202
    """A close spelling: drawn only when it is the single candidate, within the given region, above
    FUZZY_DRAWN; otherwise proposed (TO_CONFIRM) and left off the map."""
    if len(key) < 4:
        return None
    close = difflib.get_close_matches(key, index.names_that_may_reach(key, FUZZY_CUTOFF), n=3, cutoff=FUZZY_CUTOFF)
    if not close:
        core = place_core(admin_core(key))
        close = difflib.get_close_matches(core, index.names_that_may_reach(core, FUZZY_CUTOFF), n=3,
                                          cutoff=FUZZY_CUTOFF)
    if not close:
        return None
    best = close[0]
    score = difflib.SequenceMatcher(None, key, best).ratio()
    if best in index.places:
        result = _decide_places(p, index.places[best], zones, MatchMethod.FUZZY)
        if result is None:
            return None
        place, match = result
        if match.status is not MatchStatus.MATCHED or place is None:
            return None, SideMatch(MatchStatus.TO_CONFIRM, MatchMethod.FUZZY, candidates=match.candidates,
                                   reason=f"no place named '{p.partenaire}'; close names")
        label = _place_label(next(pl for pl in index.places[best] if pl.name == place.name))
        read_as = f"fuzzy match: read as '{place.name}'"
        if best.replace(" ", "") == key.replace(" ", ""):  # "Pétion-Ville" for Pétionville: the same letters
            typed = p.partenaire.strip()
            place = place if typed.isupper() else replace(place, written_name=typed)  # its own spelling
            return place, SideMatch(MatchStatus.MATCHED, MatchMethod.NORMALISED, candidates=(label,),
                                    reason=f"read as '{place.name}' (the same letters, joined otherwise)",
                                    precision=match.precision)
        if zones and len(close) == 1 and score >= FUZZY_DRAWN:
            return place, SideMatch(MatchStatus.MATCHED, MatchMethod.FUZZY, candidates=(label,), reason=read_as,
                                    precision=match.precision)
        return None, SideMatch(MatchStatus.TO_CONFIRM, MatchMethod.FUZZY, candidates=(label,),
                               reason=f"no place named '{p.partenaire}'; did you mean {place.name}? "
                                      "(confirm it in a corrections file)")
    units = list(dict.fromkeys(index.admin1_by_name[best]))
    labels = tuple(sorted(f"{u.name} ({u.id})" for u in units))
    if len(units) == 1 and len(close) == 1 and score >= FUZZY_DRAWN and zones:
        return _from_admin1(p, units[0], SideMatch(MatchStatus.MATCHED, MatchMethod.FUZZY, candidates=labels,
                                                   reason=f"fuzzy match: read as admin-1 unit '{units[0].name}'"))
    return None, SideMatch(MatchStatus.TO_CONFIRM, MatchMethod.FUZZY, candidates=labels,
                           reason=f"no place named '{p.partenaire}'; did you mean the admin-1 unit "
                                  f"{units[0].name}? (confirm it in a corrections file)")


# Titles GeoNames keeps in front of some German towns' names ("Universitäts- und Hansestadt
# Greifswald", "Hansestadt Stade"): not said, and too long for a label.
_TOWN_TITLE = re.compile(r"^(?:Universitäts- und Hansestadt|Hansestadt|Universitätsstadt) (?=\S)")


def _from_place(p: Partnership, pl: _Place, match: SideMatch,
                as_written: bool = False) -> tuple[PartnerPlace, SideMatch]:
    """`as_written`: the data's name is the place's fuller one ("Joal-Fadiouth" read as Joal, "Bad
    Kötzting" as Kötzting), kept as its written name."""
    written = p.partenaire.strip() if as_written and not p.partenaire.isupper() else \
        _written_name(p.partenaire, p.pays, pl)
    zone = written if written and _zone_named_after(pl, p.pays) else None
    return PartnerPlace(_TOWN_TITLE.sub("", pl.name), p.pays, pl.lon, pl.lat, pl.admin1_id, pl.admin1_name, written,
                        zone), match.at(Precision.POINT)


def _written_name(written: str, iso2: str, pl: _Place) -> str | None:
    """The data's name for a place when it is another of the place's known names (Érevan, Anvers,
    Abou Dabi), with a qualifier set aside ("Anvers (Belgique)"). None when it is the gazetteer's own
    name spelt with fewer accents (Kyoto for Kyōto: the fuller spelling is shown), a name with
    administrative words ("Ville d'Érevan"), a close spelling, or written in capitals."""
    own = normalize_name(pl.name)
    qualified = split_qualifier(written)
    for name in (written.strip(), *(qualified[:1] if qualified else ())):
        key = normalize_name(name)
        if not name or (name.isupper() and len(name) > 3):
            return None
        if key == own:  # the gazetteer's name as French writes it: accents (Hanoï, Hué, Comè), hyphens and
            # capitals (Fort-Liberté, Fada N'Gourma); not with fewer accents (Kyoto for Kyōto, Sao Paulo),
            # abridged (St Louis) or in lower case: then the gazetteer's is kept
            fuller = _accents(name) > _accents(pl.name) or (
                _accents(name) == _accents(pl.name) and len(name) >= len(pl.name) and not name.islower())
            return name if name != pl.name and fuller else None
        index = country_index(iso2)
        if index is not None and key in index.other_names(pl.place_id):
            return name
    return None


def _zone_named_after(pl: _Place, iso2: str) -> bool:
    """Whether the place's admin-1 unit bears one of its names (Antwerp, Al Iskandariyah for
    Alexandria): then the zone takes the name the data gives the place."""
    if not pl.admin1_name:
        return False
    key = normalize_name(pl.admin1_name)
    index = country_index(iso2)
    return key == normalize_name(pl.name) or (index is not None and key in index.other_names(pl.place_id))


def _accents(name: str) -> int:
    """How many letters of `name` are not plain ASCII (accented, ligatures, other scripts)."""
    return len(name) - len(name.encode("ascii", "ignore"))


def _most_written(written: Counter[str]) -> str:
    """The name most rows use, spellings of one name counted together ("Erevan" and "Érevan"); of
    those, the one with the most accents (the fuller spelling: Érevan, Hanoï), then the most used,
    then the first in collation order."""
    by_key: Counter[str] = Counter()
    for name, n in written.items():
        by_key[normalize_name(name)] += n
    key = min(by_key, key=lambda k: (-by_key[k], collation_key(k)))
    spellings = [name for name in written if normalize_name(name) == key]
    return min(spellings, key=lambda name: (-_accents(name), -written[name], collation_key(name)))


def one_name_per_place(rows: list[JoinedPartnership]) -> list[JoinedPartnership]:
    """One written name for each place across the rows: the one most rows use (ties: the first in
    collation order), also for rows that wrote the gazetteer's own name. A map shows one place
    under one name, whichever row it reads the name from. A zone takes, on every row in it, the
    name rows write it by most: the written name of a place it is named after (Anvers), or the
    region a row gives (`region_partenaire` "Bavière")."""
    by_place: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        q = r.partner
        if q is not None and r.partner_match.precision in (Precision.POINT, Precision.ADMIN1):
            by_place[(q.country, q.name, q.lon, q.lat)].append(i)
    for at in by_place.values():
        written = Counter(q.written_name for i in at if (q := rows[i].partner) and q.written_name)
        if not written:
            continue
        best = _most_written(written)
        for i in at:
            r = rows[i]
            if r.partner.written_name != best:  # type: ignore[union-attr]
                rows[i] = replace(r, partner=replace(r.partner, written_name=best))  # type: ignore[arg-type]
    votes: dict[str, Counter[str]] = defaultdict(Counter)  # admin-1 id -> the names rows write it by
    for r in rows:
        q = r.partner
        if q is not None and q.admin1_id and q.written_admin1_name:
            votes[q.admin1_id][q.written_admin1_name] += 1
    zones = {zone: _most_written(names) for zone, names in votes.items()}
    for i, r in enumerate(rows):  # every place of that zone, and the zone itself as a partner
        q = r.partner
        if q is not None and q.admin1_id in zones and q.written_admin1_name != zones[q.admin1_id]:
            rows[i] = replace(r, partner=replace(q, written_admin1_name=zones[q.admin1_id]))
    return rows


def _from_admin1(p: Partnership, unit: _Admin1, match: SideMatch) -> tuple[PartnerPlace | None, SideMatch]:
    if unit.lon is None or unit.lat is None:
        return None, SideMatch(MatchStatus.UNMATCHED, match.method, reason=f"no position for {unit.name}")
    # The unit's name is the gazetteer's ("Shandong", "Bayern"); the data's is written on French maps
    # for the partner ("Province du Shandong", "Bavière"), not for its zone: the other names a unit is
    # found by include those of units inside it ("Akkar" finds North Lebanon, which holds Tripoli).
    written = _written_unit_name(p.partenaire, unit.name)
    index = country_index(p.pays)
    # A unit named after its town is drawn at the town (Préfecture d'Osaka at Osaka, Timbuktu's region
    # at Timbuktu, not at a point of the Sahara 370 km away), else at a point inside it.
    towns = _distinct([pl for pl in index.places.get(normalize_name(unit.name), []) if pl.admin1_id == unit.id]) \
        if index is not None else []
    lon, lat = (towns[0].lon, towns[0].lat) if len(towns) == 1 else (unit.lon, unit.lat)
    return PartnerPlace(unit.name, p.pays, lon, lat, unit.id, unit.name, written), match.at(Precision.ADMIN1)


def _written_unit_name(typed: str, name: str) -> str | None:
    """The data's name for a unit or region, when French maps should write it rather than the
    gazetteer's: not when it is the same name with no more accents, nor in capitals."""
    typed = typed.strip()
    same = normalize_name(typed) == normalize_name(name) and _accents(typed) <= _accents(name)
    return None if typed.isupper() or same else typed
