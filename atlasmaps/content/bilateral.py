"""The France–partner map: both panels, the links, the legend, from the partner's mapped rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from atlasmaps.content import common as K
from atlasmaps.content.types import Layer, MapContent
from atlasmaps.model import CollectiviteType, JoinedPartnership, JoinResult, MapKind, Precision, RenderOptions

if TYPE_CHECKING:
    import geopandas as gpd

    from atlasmaps.style import Style


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
    french_points: gpd.GeoDataFrame  # code, name, kind, years, n, overseas, unit (département), geometry (Point)
    zones: gpd.GeoDataFrame  # admin1_id, name, n, geometry
    # name, n, years, admin1, admin1_name, themes (as in the data), color (main theme; None), geometry (Point)
    partner_points: gpd.GeoDataFrame
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
    country_name: str = ""  # the partner's name in the map's language


def partner_layers(partner: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The partner's admin-1 layer (empty when it has none) and its outline (countries layer)."""
    countries = K.boundary("countries")
    outline = countries[countries["iso_a2"] == partner].reset_index(drop=True)
    from atlasmaps.boundaries import ImportedLayerError

    try:
        admin1 = K.boundary("admin1", country=partner)
    except ImportedLayerError:
        raise  # the user's own boundaries are broken: say so rather than draw the outline alone
    except Exception:  # noqa: BLE001 - a country without admin-1 units is drawn from its outline
        admin1 = outline.iloc[0:0]
    return admin1, outline


def partner_side(rows: Sequence[JoinedPartnership], admin1: gpd.GeoDataFrame, warnings: list[str]):
    """Zones d'intervention (admin-1 with >= 1 partnership) and the partner collectivités as points,
    each point with the themes of its partnerships."""
    from shapely.geometry import Point

    zone_n: Counter[str] = Counter()
    zone_names: dict[str, str] = {}
    renamed: dict[str, str] = {}
    points: dict[tuple, dict] = {}
    themes: dict[str, list[str]] = {}
    for r in rows:
        p = r.partner
        if p is None:
            continue
        themes.setdefault(p.name, []).extend(r.partnership.thematiques)
        if p.admin1_id:
            zone_n[p.admin1_id] += 1
            zone_names.setdefault(p.admin1_id, p.admin1_name or p.admin1_id)
            if p.written_admin1_name and p.admin1_name == p.written_admin1_name:  # named in the map's language
                renamed[p.admin1_id] = p.admin1_name
        if p.lon is None or p.lat is None:
            continue
        key = (p.name, round(p.lon, 5), round(p.lat, 5))
        rec = points.setdefault(
            key,
            {"name": p.name, "n": 0, "years": set(), "admin1": p.admin1_id, "admin1_name": p.admin1_name,
             "zone": r.partner_match.precision == Precision.ADMIN1, "geometry": Point(p.lon, p.lat)},
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
        zone_records.append({"admin1_id": zid, "name": renamed.get(zid) or layer_names.get(zid) or zone_names[zid],
                             "n": n,
                             "geometry": geom})
    point_records = []
    for rec in sorted(points.values(), key=lambda r: (-r["n"], r["name"])):
        rec["years"] = tuple(sorted(rec["years"]))
        rec["themes"] = tuple(themes.get(rec["name"], ()))
        point_records.append(rec)
    zones = K.gdf(zone_records, ["admin1_id", "name", "n"])
    pts = K.gdf(point_records, ["name", "n", "years", "admin1", "admin1_name", "zone", "themes"])
    return zones, pts


def _french_unit_geometries() -> dict[tuple[CollectiviteType, str], tuple[str, object]]:
    regs = K.boundary("fr_regions")
    deps = K.boundary("fr_departements")
    out: dict[tuple[CollectiviteType, str], tuple[str, object]] = {}
    for code, name, geom in zip(regs["code"], regs["name"], regs.geometry):
        out[(CollectiviteType.REGION, str(code))] = (name, geom)
    for code, name, geom in zip(deps["code"], deps["name"], deps.geometry):
        out[(CollectiviteType.DEPARTEMENT, str(code))] = (name, geom)
    return out


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
        overseas = K.overseas_code(r)
        year = r.partnership.annee
        if f.kind in K.UNIT_KINDS:
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
                 "overseas": overseas, "unit": f.departement or None, "geometry": Point(lon, lat)},
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
        order = {k.value: i for i, k in enumerate(K.KIND_ORDER)}
        out = []
        for rec in sorted(recs.values(), key=lambda r: (order[r["kind"]], -r["n"], r["name"])):
            rec.pop("anchor", None)
            rec["years"] = tuple(sorted(rec["years"]))
            out.append(rec)
        frame = K.gdf(out, ["code", "name", "kind", "n", "years", "overseas", *extra])
        frame["overseas"] = [o if isinstance(o, str) else None for o in frame["overseas"]]  # None, not NaN
        return frame

    french_units = finish(units, [])
    french_points = finish(points, ["unit"])
    french_points["unit"] = departement_of(french_points)
    admin1, outline = partner_layers(partner)
    zones, partner_points = partner_side(rows, admin1, warnings)
    if outline.empty:
        warnings.append(f"country {partner} is not in the countries layer")
    bboxes = [K.METRO_BBOX]
    if not outline.empty:
        bboxes.append(K.lon_bounds(outline))
    return BilateralContent(
        partner=partner,
        french_units=french_units,
        french_points=french_points,
        zones=zones,
        partner_points=partner_points,
        links=links,
        partner_admin1=admin1,
        partner_outline=outline,
        context_countries=K.context(bboxes),
        kinds=K.kinds_present(rows),
        themes=K.themes_present(rows),
        years=tuple(sorted({r.partnership.annee for r in rows if r.partnership.annee})),
        overseas=tuple(c for c in K.OVERSEAS_DEPARTEMENTS if any(K.overseas_code(r) == c for r in rows)),
        n_partnerships=len(rows),
        warnings=warnings,
    )


def departement_of(points: gpd.GeoDataFrame) -> list[str | None]:
    """The département of each point (the unit an aggregated France panel counts it in): the
    collectivité's own (`unit`, from the join), else the one containing or nearest its position."""
    import shapely

    out: list[str | None] = [u if isinstance(u, str) and u else None for u in points["unit"]]
    missing = [i for i, c in enumerate(out) if c is None]
    if not missing:
        return out
    deps = K.boundary("fr_departements")
    tree = shapely.STRtree(deps.geometry.values)
    codes = deps["code"].astype(str).values
    pts, found = tree.query(points.geometry.values[missing], predicate="within")
    for p, d in zip(pts, found):
        out[missing[p]] = out[missing[p]] or str(codes[d])
    missing = [i for i, c in enumerate(out) if c is None]  # on a coast the simplified outline missed
    if missing:
        which, near = tree.query_nearest(points.geometry.values[missing])
        for i, d in zip(which, near):
            out[missing[i]] = str(codes[d])
    return out


def colour_points(points: gpd.GeoDataFrame, style: Style) -> None:
    """Give each partner point its theme colour (`color`), the one print and web both draw."""
    points["color"] = [K.theme_colour(style, t) for t in points["themes"]] if len(points) else []


def rank_places(bc: BilateralContent, style: Style) -> None:
    """Give each drawn place its `population` and label `importance` (content.importance), the
    order in which print labels are placed and dropped labels reported."""
    rank_french((bc.french_units, bc.french_points), style)
    rank_partners(bc.partner_points, bc.partner, style)


def rank_french(frames, style: Style) -> None:
    """The French side of `rank_places` (units and points: code, kind, n columns)."""
    from atlasmaps.content import importance as I

    for frame in frames:
        found = [I.french(k, str(c)) for k, c in zip(frame["kind"], frame["code"])]
        frame["population"] = [p for p, _ in found]
        frame["importance"] = [I.score(style, p, r, n) for (p, r), n in zip(found, frame["n"])]


def rank_partners(pts: gpd.GeoDataFrame, partner: str, style: Style) -> None:
    """The partner side of `rank_places` (the country map has only this side)."""
    from atlasmaps.content import importance as I

    lookup = I.partner_lookup(partner) if len(pts) else {}
    found = [I.partner(lookup, g.x, g.y, bool(z)) for g, z in zip(pts.geometry, pts["zone"])]
    pts["population"] = [p for p, _ in found]
    pts["importance"] = [I.score(style, p, r, n) for (p, r), n in zip(found, pts["n"])]


def partner_layer(partner: str, admin1: gpd.GeoDataFrame) -> Layer:
    """The partner's admin-1 units as a drawable layer (already loaded with the content)."""
    return Layer(f"admin1:{partner}", "basemap", lambda: admin1)


def show_years(style: Style, options: RenderOptions) -> bool:
    """Years beside partner names: the option when given, else the style's choice."""
    return style.years.show if options.show_years is None else options.show_years


def build(joined: JoinResult, style: Style, options: RenderOptions) -> MapContent:
    """The bilateral map's content: both panels' data, layers, legend and texts."""
    from atlasmaps.content.legend import point_legend
    from atlasmaps.content.text import counted

    lang = K.map_lang(style, options)
    partner = (options.partner or "").upper()
    bc = bilateral_content(joined, partner)
    colour_points(bc.partner_points, style)
    rank_places(bc, style)
    bc.country_name = K.country_name(partner, lang)
    title = style.text("title.bilateral", lang, partner_phrase=style.country_phrase(bc.country_name, partner, lang))
    subtitle = counted(style, "subtitle.bilateral", bc.n_partnerships, lang, count=bc.n_partnerships)
    layers = K.standard_layers()
    layers["admin1"] = partner_layer(partner, bc.partner_admin1)
    legend = point_legend(style, lang, bc.kinds, zone=len(bc.zones) > 0, partner=len(bc.partner_points) > 0,
                          years=show_years(style, options) and bool(bc.years), themes=bc.themes)
    return MapContent(MapKind.BILATERAL, lang, K.page_texts(style, joined, lang, title, subtitle), layers, legend, bc,
                      list(bc.warnings))
