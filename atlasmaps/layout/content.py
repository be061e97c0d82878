"""What each map kind shows, independent of the output format (print or web).

Both renderers draw the same content: computing it once here, in WGS84 (EPSG:4326), keeps the print
and the interactive maps consistent (same counts, same zones, same top-10) and keeps the renderers
free of data logic. Everything is derived from `JoinResult.mapped` rows and `atlasmaps.boundaries`
layers; nothing is hard-coded.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

from atlasmaps.model import CollectiviteType, JoinedPartnership, JoinResult

if TYPE_CHECKING:  # heavy imports only where used
    import geopandas as gpd

WGS84 = "EPSG:4326"

#: Overseas départements (DROM) drawn in insets, in the Atlas order.
OVERSEAS_DEPARTEMENTS: tuple[str, ...] = ("971", "972", "973", "974", "976")
#: Région code of each overseas département (INSEE: the DROM are also régions).
OVERSEAS_REGIONS: dict[str, str] = {"01": "971", "02": "972", "03": "973", "04": "974", "06": "976"}
#: Types drawn as filled units (their territory) rather than point symbols.
UNIT_KINDS: tuple[CollectiviteType, ...] = (CollectiviteType.REGION, CollectiviteType.DEPARTEMENT)
#: Types drawn as point symbols.
POINT_KINDS: tuple[CollectiviteType, ...] = (CollectiviteType.GROUPEMENT, CollectiviteType.COMMUNE)
#: Legend order of the French collectivité types (as in the France–Bénin reference map).
KIND_ORDER: tuple[CollectiviteType, ...] = (
    CollectiviteType.REGION,
    CollectiviteType.DEPARTEMENT,
    CollectiviteType.GROUPEMENT,
    CollectiviteType.COMMUNE,
)
#: Bounding box (lon/lat) of metropolitan France including Corsica, used to tell it from overseas.
METRO_BBOX: tuple[float, float, float, float] = (-5.5, 41.0, 10.0, 51.5)


@dataclass(frozen=True)
class Link:
    """One mapped partnership as a line between the two collectivités (the web draws these)."""

    french_lon: float
    french_lat: float
    partner_lon: float | None
    partner_lat: float | None
    french_name: str
    french_code: str
    kind: CollectiviteType
    partner_name: str
    partner_admin1: str | None
    year: int | None
    nature: str
    themes: tuple[str, ...]
    overseas: str | None  # overseas département code when the French side is in a DROM


@dataclass
class BilateralContent:
    """France and one partner country: what both panels of a bilateral map show.

    GeoDataFrames are in WGS84. `french_units` holds régions/départements (filled), `french_points`
    groupements/communes (symbols); `zones` the partner's admin-1 units with >= 1 partnership.
    """

    partner: str
    french_units: gpd.GeoDataFrame  # code, name, kind, n, years, overseas, geometry
    french_points: gpd.GeoDataFrame  # code, name, kind, years, n, overseas, geometry (Point)
    zones: gpd.GeoDataFrame  # admin1_id, name, n, geometry
    partner_points: gpd.GeoDataFrame  # name, n, years, admin1, admin1_name, geometry (Point)
    links: list[Link]
    partner_admin1: gpd.GeoDataFrame  # the partner's full admin-1 layer
    partner_outline: gpd.GeoDataFrame  # the partner country polygon(s) (countries layer)
    context_countries: gpd.GeoDataFrame  # countries around France and around the partner
    kinds: tuple[CollectiviteType, ...]  # French types present, legend order
    themes: tuple[str, ...]  # themes present in the data, by frequency then name
    years: tuple[int, ...]  # distinct years present
    overseas: tuple[str, ...]  # overseas départements involved
    n_partnerships: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class ZonePartners:
    """One zone d'intervention and the French collectivités working there (country map side list)."""

    admin1_id: str | None
    name: str
    n: int
    french: list[tuple[str, CollectiviteType, int]]  # (name, kind, partnerships in the zone)


@dataclass
class CountryContent:
    """The partner country alone: zones, partner points, and French partners listed per zone."""

    partner: str
    zones: gpd.GeoDataFrame
    partner_points: gpd.GeoDataFrame
    partner_admin1: gpd.GeoDataFrame
    partner_outline: gpd.GeoDataFrame
    context_countries: gpd.GeoDataFrame
    partners_by_zone: list[ZonePartners]  # biggest zones first; zone None last ("non localisé")
    kinds: tuple[CollectiviteType, ...]
    themes: tuple[str, ...]
    n_partnerships: int
    warnings: list[str] = field(default_factory=list)


@dataclass
class WorldContent:
    """Projects per partner country, for the world choropleth / proportional circles."""

    countries: gpd.GeoDataFrame  # iso_a2, name, n (0 when none), geometry — every country of the layer
    top: list[tuple[str, str, int]]  # (iso2, name, n), the 10 countries with most projects
    total: int
    n_countries: int
    france: gpd.GeoDataFrame  # France's polygon(s), highlighted
    unknown_countries: tuple[str, ...] = ()  # ISO2 in the data that the countries layer lacks


@dataclass
class FranceContent:
    """Projects per French région or département (where the French collectivité is)."""

    level: str  # "region" | "departement"
    units: gpd.GeoDataFrame  # code, name, n, overseas, geometry — every unit of the level
    total: int
    unplaced: int  # mapped rows whose unit could not be found at this level
    overseas: tuple[str, ...]  # overseas départements with >= 1 project


# --------------------------------------------------------------------------------------------------
# helpers


def _overseas_code(row: JoinedPartnership) -> str | None:
    """The overseas département (DROM) of the French side, or None for metropolitan France."""
    unit = row.french
    if unit is None:
        return None
    dep = unit.departement or ""
    if unit.kind is CollectiviteType.DEPARTEMENT:
        dep = unit.code
    if unit.kind is CollectiviteType.REGION:
        return OVERSEAS_REGIONS.get(unit.code)
    if dep[:3] in OVERSEAS_DEPARTEMENTS:
        return dep[:3]
    if unit.code[:3] in OVERSEAS_DEPARTEMENTS and unit.kind is CollectiviteType.COMMUNE:
        return unit.code[:3]
    if unit.region in OVERSEAS_REGIONS:
        return OVERSEAS_REGIONS[unit.region]
    return None


def _themes(rows: Iterable[JoinedPartnership]) -> tuple[str, ...]:
    counts = Counter(t for r in rows for t in r.partnership.thematiques if t)
    return tuple(sorted(counts, key=lambda t: (-counts[t], t)))


def _kinds(rows: Iterable[JoinedPartnership]) -> tuple[CollectiviteType, ...]:
    present = {r.french.kind for r in rows if r.french is not None}
    return tuple(k for k in KIND_ORDER if k in present)


def _gdf(records: list[dict], columns: Sequence[str]) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if not records:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=WGS84)
    geoms = [r.pop("geometry") for r in records]
    return gpd.GeoDataFrame(records, columns=list(columns), geometry=geoms, crs=WGS84)


def _layer(name: str, **kwargs) -> gpd.GeoDataFrame:
    from atlasmaps import boundaries

    return boundaries.load(name, **kwargs)


def _context(bboxes: Sequence[tuple[float, float, float, float]], margin: float = 8.0) -> gpd.GeoDataFrame:
    """Countries whose bounding box meets one of `bboxes` (padded): the grey background of panels."""
    countries = _layer("countries")
    b = countries.geometry.bounds
    keep = None
    for minx, miny, maxx, maxy in bboxes:
        hit = (b.minx <= maxx + margin) & (b.maxx >= minx - margin) & (b.miny <= maxy + margin) & (
            b.maxy >= miny - margin
        )
        keep = hit if keep is None else keep | hit
    return countries[keep].reset_index(drop=True) if keep is not None else countries.iloc[0:0]


def _partner_layers(partner: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    countries = _layer("countries")
    outline = countries[countries["iso_a2"] == partner].reset_index(drop=True)
    from atlasmaps.boundaries import ImportedLayerError

    try:
        admin1 = _layer("admin1", country=partner)
    except ImportedLayerError:
        raise  # the user's own boundaries are broken: say so rather than draw the outline alone
    except Exception:  # noqa: BLE001 - a country without admin-1 units is drawn from its outline
        admin1 = outline.iloc[0:0]
    return admin1, outline


def _partner_side(rows: Sequence[JoinedPartnership], admin1: gpd.GeoDataFrame, warnings: list[str]):
    """Zones d'intervention (admin-1 with >= 1 partnership) and the partner collectivités as points."""
    from shapely.geometry import Point

    zone_n: Counter[str] = Counter()
    zone_names: dict[str, str] = {}
    points: dict[tuple, dict] = {}
    for r in rows:
        p = r.partner
        if p is None:
            continue
        if p.admin1_id:
            zone_n[p.admin1_id] += 1
            zone_names.setdefault(p.admin1_id, p.admin1_name or p.admin1_id)
        if p.lon is None or p.lat is None:
            continue
        key = (p.name, round(p.lon, 5), round(p.lat, 5))
        rec = points.setdefault(
            key,
            {"name": p.name, "n": 0, "years": set(), "admin1": p.admin1_id, "admin1_name": p.admin1_name,
             "geometry": Point(p.lon, p.lat)},
        )
        rec["n"] += 1
        if r.partnership.annee:
            rec["years"].add(r.partnership.annee)
    zone_records = []
    by_id = {} if admin1.empty else dict(zip(admin1["admin1_id"], admin1.geometry))
    layer_names = {} if admin1.empty else dict(zip(admin1["admin1_id"], admin1["name"]))
    for zid, n in sorted(zone_n.items(), key=lambda kv: (-kv[1], kv[0])):
        geom = by_id.get(zid)
        if geom is None:
            warnings.append(f"zone d'intervention {zid} is not in the admin-1 layer; drawn as points only")
            continue
        zone_records.append({"admin1_id": zid, "name": layer_names.get(zid) or zone_names[zid], "n": n,
                             "geometry": geom})
    point_records = []
    for rec in sorted(points.values(), key=lambda r: (-r["n"], r["name"])):
        rec["years"] = tuple(sorted(rec["years"]))
        point_records.append(rec)
    zones = _gdf(zone_records, ["admin1_id", "name", "n"])
    pts = _gdf(point_records, ["name", "n", "years", "admin1", "admin1_name"])
    return zones, pts


def _french_unit_geometries() -> dict[tuple[CollectiviteType, str], tuple[str, object]]:
    regs = _layer("fr_regions")
    deps = _layer("fr_departements")
    out: dict[tuple[CollectiviteType, str], tuple[str, object]] = {}
    for code, name, geom in zip(regs["code"], regs["name"], regs.geometry):
        out[(CollectiviteType.REGION, str(code))] = (name, geom)
    for code, name, geom in zip(deps["code"], deps["name"], deps.geometry):
        out[(CollectiviteType.DEPARTEMENT, str(code))] = (name, geom)
    return out


# --------------------------------------------------------------------------------------------------
# map kinds


def bilateral_content(joined: JoinResult, partner: str) -> BilateralContent:
    """Everything a France–partner map shows, from the mapped rows of that partner."""
    from shapely.geometry import Point

    partner = partner.upper()
    rows = [r for r in joined.mapped if r.partnership.pays == partner]
    warnings: list[str] = []
    unit_geoms = _french_unit_geometries()

    units: dict[tuple, dict] = {}
    points: dict[tuple, dict] = {}
    links: list[Link] = []
    for r in rows:
        f = r.french
        if f is None:
            continue
        overseas = _overseas_code(r)
        year = r.partnership.annee
        if f.kind in UNIT_KINDS:
            found = unit_geoms.get((f.kind, f.code))
            if found is None:
                warnings.append(f"{f.kind.value} {f.code} ({f.name}) is not in the boundaries; not drawn")
                continue
            layer_name, geom = found
            rec = units.setdefault(
                (f.kind, f.code),
                {"code": f.code, "name": f.name or layer_name, "kind": f.kind.value, "n": 0, "years": set(),
                 "overseas": overseas, "geometry": geom},
            )
            anchor = rec.get("anchor")
            if anchor is None:
                anchor = rec["anchor"] = geom.representative_point()
            lon, lat = anchor.x, anchor.y
        else:
            if f.lon is None or f.lat is None:
                warnings.append(f"{f.kind.value} {f.code} ({f.name}) has no position; not drawn")
                continue
            lon, lat = f.lon, f.lat
            rec = points.setdefault(
                (f.kind, f.code),
                {"code": f.code, "name": f.name, "kind": f.kind.value, "n": 0, "years": set(),
                 "overseas": overseas, "geometry": Point(lon, lat)},
            )
        rec["n"] += 1
        if year:
            rec["years"].add(year)
        p = r.partner
        links.append(
            Link(
                french_lon=lon, french_lat=lat,
                partner_lon=p.lon if p else None, partner_lat=p.lat if p else None,
                french_name=f.name, french_code=f.code, kind=f.kind,
                partner_name=p.name if p else r.partnership.partenaire,
                partner_admin1=p.admin1_name if p else None,
                year=year, nature=r.partnership.nature, themes=r.partnership.thematiques, overseas=overseas,
            )
        )

    def finish(recs: dict, extra: list[str]) -> gpd.GeoDataFrame:
        order = {k.value: i for i, k in enumerate(KIND_ORDER)}
        out = []
        for rec in sorted(recs.values(), key=lambda r: (order[r["kind"]], -r["n"], r["name"])):
            rec.pop("anchor", None)
            rec["years"] = tuple(sorted(rec["years"]))
            out.append(rec)
        gdf = _gdf(out, ["code", "name", "kind", "n", "years", "overseas", *extra])
        gdf["overseas"] = [o if isinstance(o, str) else None for o in gdf["overseas"]]  # None, not NaN
        return gdf

    french_units = finish(units, [])
    french_points = finish(points, [])
    admin1, outline = _partner_layers(partner)
    zones, partner_points = _partner_side(rows, admin1, warnings)
    if outline.empty:
        warnings.append(f"country {partner} is not in the countries layer")
    bboxes = [METRO_BBOX]
    if not outline.empty:
        bboxes.append(_lon_bounds(outline))
    return BilateralContent(
        partner=partner,
        french_units=french_units,
        french_points=french_points,
        zones=zones,
        partner_points=partner_points,
        links=links,
        partner_admin1=admin1,
        partner_outline=outline,
        context_countries=_context(bboxes),
        kinds=_kinds(rows),
        themes=_themes(rows),
        years=tuple(sorted({r.partnership.annee for r in rows if r.partnership.annee})),
        overseas=tuple(c for c in OVERSEAS_DEPARTEMENTS if any(_overseas_code(r) == c for r in rows)),
        n_partnerships=len(rows),
        warnings=warnings,
    )


def _lon_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = gdf.total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def country_content(joined: JoinResult, partner: str) -> CountryContent:
    """The partner country alone, with the French partners of each zone listed beside the map."""
    b = bilateral_content(joined, partner)
    rows = [r for r in joined.mapped if r.partnership.pays == b.partner]
    per_zone: dict[str | None, Counter] = defaultdict(Counter)
    kinds: dict[str, CollectiviteType] = {}
    zone_names: dict[str | None, str] = {}
    for r in rows:
        if r.french is None:
            continue
        zid = r.partner.admin1_id if r.partner else None
        if zid is not None and zid not in set(b.zones["admin1_id"]):
            zid = None
        zone_names.setdefault(zid, (r.partner.admin1_name if r.partner else None) or "")
        per_zone[zid][r.french.name] += 1
        kinds[r.french.name] = r.french.kind
    names = dict(zip(b.zones["admin1_id"], b.zones["name"]))
    listing = []
    for zid, counter in per_zone.items():
        french = sorted(((n, kinds[n], c) for n, c in counter.items()), key=lambda t: (KIND_ORDER.index(t[1]), t[0]))
        listing.append(ZonePartners(zid, names.get(zid, zone_names.get(zid, "")), sum(counter.values()), french))
    listing.sort(key=lambda z: (z.admin1_id is None, -z.n, z.name))
    return CountryContent(
        partner=b.partner,
        zones=b.zones,
        partner_points=b.partner_points,
        partner_admin1=b.partner_admin1,
        partner_outline=b.partner_outline,
        context_countries=_context([_lon_bounds(b.partner_outline)]) if not b.partner_outline.empty else b.context_countries,
        partners_by_zone=listing,
        kinds=b.kinds,
        themes=b.themes,
        n_partnerships=b.n_partnerships,
        warnings=b.warnings,
    )


def world_content(joined: JoinResult, lang: str = "fr", top_n: int = 10) -> WorldContent:
    """Projects (mapped partnerships) per partner country, and the top-10 computed from the data."""
    countries = _layer("countries").copy()
    counts = Counter(r.partnership.pays for r in joined.mapped)
    name_col = "name_en" if lang == "en" else "name_fr"
    countries["name"] = countries[name_col].fillna(countries["name_en"])
    countries["n"] = countries["iso_a2"].map(counts).fillna(0).astype(int)
    # A country split in several rows of the layer must not appear twice in the top list.
    per_iso = countries.groupby("iso_a2", sort=False).agg(name=("name", "first"), n=("n", "max"))
    per_iso = per_iso[per_iso["n"] > 0].reset_index()
    per_iso = per_iso.sort_values(["n", "name"], ascending=[False, True], kind="mergesort")
    top = [(str(i), str(nm), int(n)) for i, nm, n in per_iso.head(top_n)[["iso_a2", "name", "n"]].itertuples(index=False)]
    known = set(countries["iso_a2"])
    return WorldContent(
        countries=countries[["iso_a2", "name", "n", "geometry"]].reset_index(drop=True),
        top=top,
        total=sum(counts.values()),
        n_countries=len(counts),
        france=countries[countries["iso_a2"] == "FR"][["iso_a2", "name", "n", "geometry"]].reset_index(drop=True),
        unknown_countries=tuple(sorted(set(counts) - known)),
    )


def france_content(joined: JoinResult, level: str = "region") -> FranceContent:
    """Projects per French région or département, counted where the French collectivité is."""
    if level not in ("region", "departement"):
        raise ValueError(f"level must be 'region' or 'departement', not {level!r}")
    layer = _layer("fr_regions" if level == "region" else "fr_departements").copy()
    layer["code"] = layer["code"].astype(str)
    codes = set(layer["code"])
    deps = _layer("fr_departements")
    dep_region = dict(zip(deps["code"].astype(str), deps["region"].astype(str)))
    counts: Counter[str] = Counter()
    unplaced = 0
    pending = []  # rows only locatable by their point
    for r in joined.mapped:
        code = _unit_code(r, level, dep_region)
        if code in codes:
            counts[code] += 1
        elif r.french is not None and r.french.lon is not None and r.french.lat is not None:
            pending.append((r.french.lon, r.french.lat))
        else:
            unplaced += 1
    if pending:
        import geopandas as gpd
        from shapely.geometry import Point

        pts = gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in pending], crs=WGS84)
        hit = gpd.sjoin(pts, layer[["code", "geometry"]], predicate="within", how="left")
        hit = hit[~hit.index.duplicated()]
        for code in hit["code"]:
            if isinstance(code, str):
                counts[code] += 1
            else:
                unplaced += 1
    layer["n"] = layer["code"].map(counts).fillna(0).astype(int)
    if level == "region":
        layer["overseas"] = layer["code"].map(OVERSEAS_REGIONS)
    else:
        layer["overseas"] = layer["code"].where(layer["code"].isin(OVERSEAS_DEPARTEMENTS))
    layer["overseas"] = layer["overseas"].astype(object).where(layer["overseas"].notna(), None)
    involved = set(layer.loc[layer["n"] > 0, "overseas"].dropna())
    return FranceContent(
        level=level,
        units=layer[["code", "name", "n", "overseas", "geometry"]].reset_index(drop=True),
        total=int(layer["n"].sum()),
        unplaced=unplaced,
        overseas=tuple(c for c in OVERSEAS_DEPARTEMENTS if c in involved),
    )


def _unit_code(r: JoinedPartnership, level: str, dep_region: dict[str, str]) -> str | None:
    f = r.french
    if f is None:
        return None
    if level == "region":
        if f.kind is CollectiviteType.REGION:
            return f.code
        if f.region:
            return f.region
        dep = f.code if f.kind is CollectiviteType.DEPARTEMENT else f.departement
        return dep_region.get(dep or "")
    if f.kind is CollectiviteType.DEPARTEMENT:
        return f.code
    if f.kind is CollectiviteType.REGION:
        # An overseas région is a single département; a metropolitan one spans several.
        return OVERSEAS_REGIONS.get(f.code)
    return f.departement


# --------------------------------------------------------------------------------------------------
# classification shared by print and web


def classify(values: Sequence[float], scheme: str = "jenks", k: int = 5) -> list[float]:
    """Upper bounds of the classes of `values` (the last is the maximum), for choropleths.

    Jenks uses mapclassify's FisherJenks (exact and deterministic: two renders give the same
    classes); quantiles on request. Zeros are excluded by callers (they are "no project").
    """
    import warnings

    import numpy as np

    arr = np.asarray([v for v in values if v is not None], dtype=float)
    if arr.size == 0:
        return []
    distinct = np.unique(arr)
    k = max(1, min(k, distinct.size))
    if k == distinct.size:
        return [float(v) for v in distinct]
    scheme = scheme.lower()
    with warnings.catch_warnings():  # "Numba not installed": the pure-Python path is fast enough here
        warnings.simplefilter("ignore", UserWarning)
        import mapclassify

        if scheme in ("jenks", "fisherjenks", "fisher_jenks", "naturalbreaks"):
            bins = mapclassify.FisherJenks(arr, k=k).bins
        elif scheme in ("quantiles", "quantile"):
            bins = mapclassify.Quantiles(arr, k=k).bins
        elif scheme in ("equal_interval", "equalinterval"):
            bins = mapclassify.EqualInterval(arr, k=k).bins
        else:
            raise ValueError(f"unknown classification scheme {scheme!r} (jenks | quantiles | equal_interval)")
    out: list[float] = []
    for b in bins:
        b = float(b)
        if not out or b > out[-1]:
            out.append(b)
    return out


def class_of(value: float, bins: Sequence[float]) -> int:
    """Index of the class of `value` in `bins` (upper bounds, inclusive); -1 for values <= 0."""
    if value is None or value <= 0:
        return -1
    for i, b in enumerate(bins):
        if value <= b:
            return i
    return len(bins) - 1
