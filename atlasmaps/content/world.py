"""The world map: projects per partner country, the top ten, the classes or circles."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from atlasmaps.content import common as K
from atlasmaps.content.classes import Classes
from atlasmaps.content.types import MapContent
from atlasmaps.model import JoinResult, MapKind, RenderOptions
from atlasmaps.textnorm import collation_key

if TYPE_CHECKING:
    import geopandas as gpd

    from atlasmaps.geo.projection import Frame
    from atlasmaps.style import Style

#: The Europe inset's projection: ETRS89 Lambert azimuthal equal-area (EPSG:3035), Europe's
#: statistical projection; equal-area like the world map, so the choropleth compares areas alike.
EUROPE_CRS = "EPSG:3035"


@dataclass
class WorldContent:
    """Projects per partner country, for the world choropleth / proportional circles."""

    countries: gpd.GeoDataFrame  # iso_a2, name, n (0 when none), geometry — every country of the layer
    top: list[tuple[str, str, int]]  # (iso2, name, n), the 10 countries with most projects
    total: int
    n_countries: int
    france: gpd.GeoDataFrame  # France's polygon(s), highlighted
    unknown_countries: tuple[str, ...] = ()  # ISO2 in the data that the countries layer lacks
    classes: Classes | None = None  # the choropleth's classes (built with a style)
    europe: Frame | None = None  # what the Europe inset frames (tight; the renderer fits it to its box)

    @property
    def values(self) -> list[int]:
        """Projects of each country with at least one (one value per country)."""
        return [int(v) for v in self.countries.drop_duplicates("iso_a2")["n"] if v > 0]

    def per_country(self) -> list[tuple[str, str, int]]:
        """(iso2, name, projects) of each country with at least one, in layer order."""
        seen: dict[str, tuple[str, str, int]] = {}
        for iso, nm, n in zip(self.countries["iso_a2"], self.countries["name"], self.countries["n"]):
            if n and iso not in seen:
                seen[iso] = (iso, str(nm), int(n))
        return list(seen.values())


def world_content(joined: JoinResult, lang: str = "fr", top_n: int = 10) -> WorldContent:
    """Projects (mapped partnerships) per partner country, and the top-10 computed from the data."""
    countries = K.boundary("countries").copy()
    counts = Counter(r.partnership.pays for r in joined.mapped)
    countries["name"] = K.country_names(countries, lang)
    countries["n"] = countries["iso_a2"].map(counts).fillna(0).astype(int)
    # A country split in several rows of the layer must not appear twice in the top list.
    per_iso = countries.groupby("iso_a2", sort=False).agg(name=("name", "first"), n=("n", "max"))
    per_iso = per_iso[per_iso["n"] > 0].reset_index()
    ranked = sorted(per_iso[["iso_a2", "name", "n"]].itertuples(index=False),
                    key=lambda r: (-r.n, collation_key(r.name)))  # ties: États-Unis among the E
    top = [(str(i), str(nm), int(n)) for i, nm, n in ranked[:top_n]]
    known = set(countries["iso_a2"])
    return WorldContent(
        countries=countries[["iso_a2", "name", "n", "geometry"]].reset_index(drop=True),
        top=top,
        total=sum(counts.values()),
        n_countries=len(counts),
        france=countries[countries["iso_a2"] == "FR"][["iso_a2", "name", "n", "geometry"]].reset_index(drop=True),
        unknown_countries=tuple(sorted(set(counts) - known)),
    )


def europe_frame(extent_deg: list[float]) -> Frame:
    """The Europe inset's frame: the lon/lat rectangle [west, south, east, north] in EPSG:3035
    (its edges sampled, as they curve in an azimuthal projection)."""
    import numpy as np

    from atlasmaps.geo.projection import frame_of

    west, south, east, north = extent_deg
    n = 16
    lon = np.concatenate([np.linspace(west, east, n), np.full(n, east), np.linspace(east, west, n), np.full(n, west)])
    lat = np.concatenate([np.full(n, south), np.linspace(south, north, n), np.full(n, north), np.linspace(north, south, n)])
    return frame_of([], EUROPE_CRS, extra_points=list(zip(lon, lat)))


def build(joined: JoinResult, style: Style, options: RenderOptions) -> MapContent:
    """The world map's content: counts per country, classes (or circles), legend and texts."""
    from atlasmaps.content.classes import classes_of
    from atlasmaps.content.legend import circle_legend, class_legend
    from atlasmaps.content.text import world_subtitle

    lang = K.map_lang(style, options)
    wc = world_content(joined, lang)
    values = wc.values
    wc.classes = classes_of(style, lang, values, options.scheme)
    wc.europe = europe_frame(style.layout.world.europe.extent_deg)
    if options.symbols:
        legend = circle_legend(style, lang, max(values) if values else 1)
    else:
        legend = class_legend(style, lang, wc.classes, style.choropleth.no_data, france=True)
    texts = K.page_texts(style, joined, lang, style.text("title.world", lang),
                         world_subtitle(style, wc.total, wc.n_countries, lang))
    warnings = [f"{iso}: not in the countries layer" for iso in wc.unknown_countries]
    return MapContent(MapKind.WORLD, lang, texts, K.standard_layers(), legend, wc, warnings)
