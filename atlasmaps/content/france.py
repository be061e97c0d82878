"""The France map: projects per région or département, counted where the French collectivité is.

The one home of "which French unit is this row in": by its codes first, then by its position.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from atlasmaps.content import common as K
from atlasmaps.content.classes import Classes
from atlasmaps.content.types import MapContent
from atlasmaps.model import CollectiviteType, JoinedPartnership, JoinResult, MapKind, RenderOptions

if TYPE_CHECKING:
    import geopandas as gpd

    from atlasmaps.style import Style

LEVELS = ("region", "departement")


@dataclass
class FranceContent:
    """Projects per French région or département (where the French collectivité is)."""

    level: str  # "region" | "departement"
    units: gpd.GeoDataFrame  # code, name, n, overseas, geometry — every unit of the level
    total: int
    unplaced: int  # mapped rows whose unit could not be found at this level
    overseas: tuple[str, ...]  # overseas départements with >= 1 project
    rows_by_unit: dict[str, list[int]] = field(default_factory=dict)  # unit code -> indices in joined.mapped
    classes: Classes | None = None  # the choropleth's classes (built with a style)
    context_countries: gpd.GeoDataFrame | None = None  # countries around metropolitan France

    @property
    def values(self) -> list[int]:
        """Projects of each unit with at least one."""
        return [int(v) for v in self.units["n"] if v > 0]

    def unit_code_of_overseas(self, departement: str) -> str:
        """The unit of this level that holds an overseas département (the DROM are régions too)."""
        if self.level == "departement":
            return departement
        return {v: k for k, v in K.OVERSEAS_REGIONS.items()}[departement]


def row_unit_code(r: JoinedPartnership, level: str, dep_region: dict[str, str]) -> str | None:
    """The unit of `level` a row's French side belongs to, from its codes (None when they do not say)."""
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
        return K.OVERSEAS_REGIONS.get(f.code)
    return f.departement



def units_of_rows(rows: Sequence[JoinedPartnership], level: str, layer: gpd.GeoDataFrame) -> list[str | None]:
    """The unit code of each row (None when it cannot be placed): by codes, else by its point."""
    codes = set(layer["code"])
    deps = K.boundary("fr_departements")
    dep_region = dict(zip(deps["code"].astype(str), deps["region"].astype(str)))
    out: list[str | None] = []
    pending: list[int] = []  # rows only locatable by their point
    for i, r in enumerate(rows):
        code = row_unit_code(r, level, dep_region)
        if code in codes:
            out.append(code)
            continue
        out.append(None)
        if r.french is not None and r.french.lon is not None and r.french.lat is not None:
            pending.append(i)
    if pending:
        import geopandas as gpd
        from shapely.geometry import Point

        pts = gpd.GeoDataFrame(geometry=[Point(rows[i].french.lon, rows[i].french.lat) for i in pending], crs=K.WGS84)
        hit = gpd.sjoin(pts, layer[["code", "geometry"]], predicate="within", how="left")
        hit = hit[~hit.index.duplicated()]
        for pos, code in zip(hit.index, hit["code"]):
            if isinstance(code, str):
                out[pending[pos]] = code
    return out


def france_content(joined: JoinResult, level: str = "region") -> FranceContent:
    """Projects per French région or département, counted where the French collectivité is."""
    if level not in LEVELS:
        raise ValueError(f"level must be 'region' or 'departement', not {level!r}")
    layer = K.boundary("fr_regions" if level == "region" else "fr_departements").copy()
    layer["code"] = layer["code"].astype(str)
    mapped = list(joined.mapped)
    placed = units_of_rows(mapped, level, layer)
    rows_by_unit: dict[str, list[int]] = {}
    for i, code in enumerate(placed):
        if code is not None:
            rows_by_unit.setdefault(code, []).append(i)
    counts = Counter({code: len(idx) for code, idx in rows_by_unit.items()})
    layer["n"] = layer["code"].map(counts).fillna(0).astype(int)
    if level == "region":
        layer["overseas"] = layer["code"].map(K.OVERSEAS_REGIONS)
    else:
        layer["overseas"] = layer["code"].where(layer["code"].isin(K.OVERSEAS_DEPARTEMENTS))
    layer["overseas"] = layer["overseas"].astype(object).where(layer["overseas"].notna(), None)
    involved = set(layer.loc[layer["n"] > 0, "overseas"].dropna())
    return FranceContent(
        level=level,
        units=layer[["code", "name", "n", "overseas", "geometry"]].reset_index(drop=True),
        total=int(layer["n"].sum()),
        unplaced=sum(1 for c in placed if c is None),
        overseas=tuple(c for c in K.OVERSEAS_DEPARTEMENTS if c in involved),
        rows_by_unit=rows_by_unit,
    )


def build(joined: JoinResult, style: Style, options: RenderOptions) -> MapContent:
    """The France map's content: counts per unit, classes, legend and texts."""
    from atlasmaps.content.classes import classes_of
    from atlasmaps.content.legend import class_legend

    lang = K.map_lang(style, options)
    level = options.level if options.level in LEVELS else "region"
    fc = france_content(joined, level)
    fc.classes = classes_of(style, lang, fc.values, options.scheme)
    fc.context_countries = K.context([K.METRO_BBOX])
    ch = style.choropleth
    legend = class_legend(style, lang, fc.classes, ch.france_no_data or ch.no_data, france=False)
    texts = K.page_texts(style, joined, lang, style.text("title.france", lang), style.text(f"subtitle.france_{level}", lang))
    warnings = [f"{fc.unplaced} partnership(s) could not be placed in a {level}"] if fc.unplaced else []
    return MapContent(MapKind.FRANCE, lang, texts, K.standard_layers(), legend, fc, warnings)
