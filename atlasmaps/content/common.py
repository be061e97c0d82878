"""What every map kind shares: the French geography constants, the boundary layers, country names,
the themes and types present in rows, and the page texts.

The one home of: a partner's shown name, a row's overseas département, a country's name in the map's
language, the colour of a partner (its main theme), and the loading of boundary layers for maps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Sequence

from atlasmaps.content.types import Layer, MapTexts
from atlasmaps.model import CollectiviteType, JoinedPartnership, JoinResult, RenderOptions
from atlasmaps.textnorm import collation_key

if TYPE_CHECKING:  # heavy imports only where used
    import geopandas as gpd

    from atlasmaps.style import Style

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
#: Overseas départements -> the key of their inset caption (labels `inset.XX`) and a local CRS.
OVERSEAS_INSETS: dict[str, tuple[str, str]] = {
    "971": ("GP", "EPSG:5490"),  # RGAF09 / UTM 20N
    "972": ("MQ", "EPSG:5490"),
    "973": ("GF", "EPSG:2972"),  # RGFG95 / UTM 22N
    "974": ("RE", "EPSG:2975"),  # RGR92 / UTM 40S
    "976": ("YT", "EPSG:4471"),  # RGM04 / UTM 38S
}
#: Bounding box (lon/lat) of each overseas département, where its inset (or web locator) looks.
OVERSEAS_BBOX: dict[str, tuple[float, float, float, float]] = {
    "971": (-61.85, 15.83, -61.0, 16.52),
    "972": (-61.25, 14.38, -60.8, 14.88),
    "973": (-54.6, 2.1, -51.6, 5.8),
    "974": (55.2, -21.4, 55.85, -20.85),
    "976": (44.95, -13.05, 45.32, -12.6),
}
#: How far (degrees) outside those boxes a French collectivité's position still falls in them (a
#: groupement placed at sea by its centroid, an islet).
OVERSEAS_MARGIN_DEG = 0.15
#: Bounding box (lon/lat) of metropolitan France including Corsica, used to tell it from overseas.
METRO_BBOX: tuple[float, float, float, float] = (-5.5, 41.0, 10.0, 51.5)


def map_lang(style: Style, options: RenderOptions) -> str:
    """The language of the map's texts: the asked one when the style has its labels, else French."""
    return options.lang if options.lang in style.labels else "fr"


# ------------------------------------------------------------------------------------ layers


def boundary(name: str, **kwargs) -> gpd.GeoDataFrame:
    """One boundary layer (the only door from map content to `atlasmaps.boundaries`)."""
    from atlasmaps import boundaries

    return boundaries.load(name, **kwargs)


def standard_layers() -> dict[str, Layer]:
    """The layers every map may draw, loaded when first drawn.

    `countries` (50m: panels and neighbours), `countries_110m` (the far world of the web basemap),
    `fr_regions`, `fr_departements`.
    """
    return {
        "countries": Layer("countries:50m", "basemap", lambda: boundary("countries")),
        "countries_110m": Layer("countries:110m", "basemap", lambda: boundary("countries", scale="110m")),
        "fr_regions": Layer("fr_regions", "basemap", lambda: boundary("fr_regions")),
        "fr_departements": Layer("fr_departements", "basemap", lambda: boundary("fr_departements")),
    }


def country_names(countries: gpd.GeoDataFrame, lang: str = "fr"):
    """The name of each row of a countries layer in `lang` (English where the language has none)."""
    col = "name_en" if lang == "en" else "name_fr"
    names = countries[col].where(countries[col].notna() & (countries[col] != ""), countries["name_en"])
    return names.astype(str)


def country_name(iso2: str, lang: str = "fr") -> str:
    """A country's name in `lang` from the countries layer; the ISO code itself when the layer does
    not know the country."""
    countries = boundary("countries")
    row = countries[countries["iso_a2"] == iso2]
    return iso2 if row.empty else str(country_names(row.iloc[:1], lang).iloc[0])


def page_texts(style: Style, joined: JoinResult, lang: str, title: str, subtitle: str) -> MapTexts:
    """The frame's texts: the source line carries the data's source and date ("—" when unknown)."""
    from atlasmaps import boundaries
    from atlasmaps.content.text import source_line

    year = (joined.data_date or "")[:4] or "—"
    return MapTexts(
        title=title,
        subtitle=subtitle,
        source=source_line(style, joined, lang),
        attribution=boundaries.attribution(lang),
        credits=style.text("credits", lang, year=year),
    )


# ------------------------------------------------------------------------------------ rows

#: The language the Atlas data is written in: maps in it name partner places as the data does.
DATA_LANG = "fr"


def in_map_language(joined: JoinResult, lang: str) -> JoinResult:
    """The rows with each partner place named as the map's readers name it: on a French map the
    data's own name where it is a known other name of the place (Érevan, Anvers, Pékin) or its French
    spelling (Hué), and a zone by the name rows give it (Alexandrie for Al Iskandariyah, Bavière for
    Bayern); on any other map the gazetteer's (Yerevan, Antwerp, Beijing). The one place a partner's
    shown name is decided."""
    if lang != DATA_LANG:
        return joined
    rows = list(joined.rows)
    renamed = False
    for i, r in enumerate(rows):
        p = r.partner
        if p is not None and (p.written_name or p.written_admin1_name):
            rows[i] = replace(r, partner=replace(p, name=p.written_name or p.name,
                                                 admin1_name=p.written_admin1_name or p.admin1_name))
            renamed = True
    return replace(joined, rows=tuple(rows)) if renamed else joined


def overseas_code(row: JoinedPartnership) -> str | None:
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
    # A groupement's registry row gives no département: where it lies tells (CAP Excellence, 971).
    if unit.lon is not None and unit.lat is not None:
        for code, (west, south, east, north) in OVERSEAS_BBOX.items():
            if west - OVERSEAS_MARGIN_DEG <= unit.lon <= east + OVERSEAS_MARGIN_DEG \
                    and south - OVERSEAS_MARGIN_DEG <= unit.lat <= north + OVERSEAS_MARGIN_DEG:
                return code
    return None


def unit_type(style: Style, kind: str, code: object, lang: str) -> str:
    """What a French collectivité is ("Conseil régional"), or its own council where it has no conseil
    régional or départemental: Corse, Martinique, Guyane, Mayotte, Paris (`labels.type.<kind>_<code>`)."""
    special = f"type.{kind}_{code}"
    return style.text(special if style.has_text(special, lang) else f"type.{kind}", lang)


def themes_present(rows: Iterable[JoinedPartnership]) -> tuple[str, ...]:
    """Themes of `rows` as written in the data, by frequency then name."""
    counts = Counter(t for r in rows for t in r.partnership.thematiques if t)
    return tuple(sorted(counts, key=lambda t: (-counts[t], collation_key(t))))


def kinds_present(rows: Iterable[JoinedPartnership]) -> tuple[CollectiviteType, ...]:
    """French collectivité types of `rows`, in legend order."""
    present = {r.french.kind for r in rows if r.french is not None}
    return tuple(k for k in KIND_ORDER if k in present)


def theme_colour(style: Style, themes: Sequence[str]) -> str | None:
    """The fill of a partner symbol, in print and on the web: its main theme's colour (or None)."""
    return style.main_theme_color(themes)


def gdf(records: list[dict], columns: Sequence[str]) -> gpd.GeoDataFrame:
    """A WGS84 GeoDataFrame from records holding a `geometry` (an empty one with `columns`)."""
    import geopandas as gpd

    if not records:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=WGS84)
    geoms = [r.pop("geometry") for r in records]
    return gpd.GeoDataFrame(records, columns=list(columns), geometry=geoms, crs=WGS84)


def context(bboxes: Sequence[tuple[float, float, float, float]], margin: float = 8.0) -> gpd.GeoDataFrame:
    """Countries whose bounding box meets one of `bboxes` (padded): the grey background of panels."""
    countries = boundary("countries")
    b = countries.geometry.bounds
    keep = None
    for minx, miny, maxx, maxy in bboxes:
        hit = (b.minx <= maxx + margin) & (b.maxx >= minx - margin) & (b.miny <= maxy + margin) & (
            b.maxy >= miny - margin
        )
        keep = hit if keep is None else keep | hit
    return countries[keep].reset_index(drop=True) if keep is not None else countries.iloc[0:0]


def lon_bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """The lon/lat bounds of a layer, as plain floats."""
    minx, miny, maxx, maxy = frame.total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)
