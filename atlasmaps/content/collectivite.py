"""The collectivité map: one French collectivité and all of its partners in the world.

What a communication team asks for most ("our city in the world"): the collectivité located in
France (locator), its partners on a world or regional frame fitted to their extent, great-circle
arcs from the collectivité to each partner, and the partners listed with years and themes.
Print and web draw this same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from atlasmaps.content import common as K
from atlasmaps.content.types import FullList, Layer, ListEntry, MapContent
from atlasmaps.model import CollectiviteType, FrenchUnit, JoinedPartnership, JoinResult, MapKind, RenderOptions
from atlasmaps.textnorm import collation_key

if TYPE_CHECKING:
    import geopandas as gpd

    from atlasmaps.geo.projection import Frame
    from atlasmaps.style import Style

#: Arcs get a vertex about every this many kilometres.
ARC_STEP_KM = 100.0


@dataclass(frozen=True)
class ListedPartner:
    """One partnership in the list beside the map: partner, country, year, themes."""

    name: str
    country: str  # ISO2
    country_name: str
    zone: str | None
    year: int | None
    themes: tuple[str, ...]
    nature: str
    color: str | None  # its main theme's colour, as on the map

    @property
    def text(self) -> str:
        """Its line in the list: "Kyoto, 1958 – Culture, patrimoine"."""
        return ", ".join(str(x) for x in (self.name, self.year) if x) + (
            f" – {', '.join(self.themes)}" if self.themes else "")


@dataclass
class CollectiviteContent:
    """One French collectivité and its partners, in WGS84."""

    unit: FrenchUnit
    territory: object | None  # the région's or département's polygon; None for a point unit
    anchor: tuple[float, float]  # where the arcs start (lon, lat)
    partners: gpd.GeoDataFrame  # name, country, n, years, admin1, admin1_name, themes, color, geometry
    zones: gpd.GeoDataFrame  # admin1_id, name, n, geometry — the partners' zones d'intervention
    countries: gpd.GeoDataFrame  # the partner countries (iso_a2, name_fr, name_en, geometry)
    arcs: list[list[list[tuple[float, float]]]]  # one per partnership with a placed partner: parts of (lon, lat)
    listing: list[ListedPartner]
    themes: tuple[str, ...]
    n_partnerships: int
    overseas: str | None  # the overseas département the collectivité is in (its locator is that inset)
    french_units: gpd.GeoDataFrame  # the collectivité as the France panel draws it: a filled unit...
    french_points: gpd.GeoDataFrame  # ...or a point symbol (columns as BilateralContent's)
    warnings: list[str] = field(default_factory=list)
    europe: Frame | None = None  # Europe's inset frame, when several partners are in Europe

    @property
    def key(self) -> str:
        return collectivite_key(self.unit.kind, self.unit.code)


def collectivite_key(kind: CollectiviteType, code: str) -> str:
    """"commune-69123": the map's identifier (a région and a département may share a code: 11)."""
    return f"{kind.value}-{code}"


def rows_of(joined: JoinResult, key: str) -> list[JoinedPartnership]:
    """The mapped rows of the collectivité `key`."""
    return [r for r in joined.mapped if r.french is not None and collectivite_key(r.french.kind, r.french.code) == key]


def collectivite_content(joined: JoinResult, key: str, style: Style, lang: str) -> CollectiviteContent:
    """Everything the collectivité map shows, from its mapped rows."""
    import pandas as pd

    import geopandas as gpd
    from shapely.geometry import Point

    from atlasmaps.content.bilateral import partner_layers, partner_side, rank_french, rank_partners
    from atlasmaps.geo.lonwrap import great_circle_parts

    rows = rows_of(joined, key)
    if not rows:
        raise ValueError(f"no mapped partnership for {key}")
    unit = rows[0].french
    warnings: list[str] = []
    territory = None
    if unit.kind in K.UNIT_KINDS:
        layer = K.boundary("fr_regions" if unit.kind is CollectiviteType.REGION else "fr_departements")
        hit = layer[layer["code"].astype(str) == unit.code]
        if hit.empty:
            raise ValueError(f"{unit.kind.value} {unit.code} is not in the boundaries")
        territory = hit.geometry.iloc[0]
        point = territory.representative_point()
        anchor = (point.x, point.y)
    else:
        if unit.lon is None or unit.lat is None:
            raise ValueError(f"{unit.kind.value} {unit.code} ({unit.name}) has no position")
        anchor = (unit.lon, unit.lat)

    zones, points = [], []
    for iso2 in sorted({r.partnership.pays for r in rows}):
        admin1, _ = partner_layers(iso2)
        z, p = partner_side([r for r in rows if r.partnership.pays == iso2], admin1, warnings)
        z["country"] = iso2
        p["country"] = iso2
        rank_partners(p, iso2, style)
        zones.append(z)
        points.append(p)
    zones_gdf = gpd.GeoDataFrame(pd.concat(zones, ignore_index=True), crs=K.WGS84)
    points_gdf = gpd.GeoDataFrame(pd.concat(points, ignore_index=True), crs=K.WGS84)
    points_gdf["color"] = [K.theme_colour(style, t) for t in points_gdf["themes"]] if len(points_gdf) else []

    countries = K.boundary("countries")
    partner_countries = countries[countries["iso_a2"].isin({r.partnership.pays for r in rows})].reset_index(drop=True)
    arcs = [great_circle_parts(anchor, (r.partner.lon, r.partner.lat), step_km=ARC_STEP_KM)
            for r in rows if r.partner is not None and r.partner.lon is not None and r.partner.lat is not None]
    names = {iso2: K.country_name(iso2, lang) for iso2 in {r.partnership.pays for r in rows}}
    listing = sorted(
        (ListedPartner(r.partner.name if r.partner else r.partnership.partenaire, r.partnership.pays,
                       names[r.partnership.pays], r.partner.admin1_name if r.partner else None, r.partnership.annee,
                       r.partnership.thematiques, r.partnership.nature,
                       K.theme_colour(style, r.partnership.thematiques))
         for r in rows),
        key=lambda p: (collation_key(p.country_name), p.year or 0, collation_key(p.name)))
    overseas = K.overseas_code(rows[0])
    record = {"code": unit.code, "name": unit.name, "kind": unit.kind.value, "n": len(rows), "years": (),
              "overseas": overseas, "geometry": territory if territory is not None else Point(*anchor)}
    columns = ["code", "name", "kind", "n", "years", "overseas"]
    empty = K.gdf([], columns)
    units = K.gdf([dict(record)], columns) if territory is not None else empty
    points = K.gdf([dict(record)], columns) if territory is None else empty
    rank_french((units, points), style)
    return CollectiviteContent(unit, territory, anchor, points_gdf, zones_gdf, partner_countries, arcs, listing,
                               K.themes_present(rows), len(rows), overseas, units, points, warnings)


def build(joined: JoinResult, style: Style, options: RenderOptions) -> MapContent:
    """The collectivité map's content: locator, partners, arcs, list, legend and texts."""
    from atlasmaps.content.legend import point_legend
    from atlasmaps.content.text import counted, counted_noun

    lang = K.map_lang(style, options)
    cc = collectivite_content(joined, options.collectivite or "", style, lang)
    west, south, east, north = style.layout.world.europe.extent_deg
    in_europe = sum(1 for g in cc.partners.geometry if west <= g.x <= east and south <= g.y <= north)
    if in_europe >= style.layout.collectivite.europe_min_partners:
        from atlasmaps.content.world import europe_frame

        cc.europe = europe_frame([west, south, east, north])
    title = style.text("title.collectivite", lang, name=cc.unit.name)
    n_countries = len({p.country for p in cc.listing})
    subtitle = counted(style, "subtitle.collectivite", cc.n_partnerships, lang, count=cc.n_partnerships,
                       type=K.unit_type(style, cc.unit.kind.value, cc.unit.code, lang),
                       countries=counted_noun(style, "country", n_countries, lang))
    layers = K.standard_layers()
    layers["zones"] = Layer(f"zones:{cc.key}", "zone_intervention", lambda: cc.zones)
    legend = point_legend(style, lang, [cc.unit.kind], zone=len(cc.zones) > 0, partner=len(cc.partners) > 0,
                          years=False, themes=cc.themes)
    by_country: dict[str, list[str]] = {}
    for p in cc.listing:
        by_country.setdefault(p.country_name, []).append(p.text)
    full = FullList(style.text("partners_of", lang), (style.text("web.table.country", lang),
                                                       style.text("web.table.partner", lang)),
                    tuple(ListEntry(f"list-country-{i + 1}", name, tuple(lines))
                          for i, (name, lines) in enumerate(by_country.items())))
    return MapContent(MapKind.COLLECTIVITE, lang, K.page_texts(style, joined, lang, title, subtitle), layers, legend,
                      cc, list(cc.warnings), full_list=full)
