"""The typed content a renderer draws: layers, legend sections, texts (format-independent)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import geopandas as gpd

    from atlasmaps.model import MapKind


@dataclass
class Layer:
    """A boundary layer a map draws, like cartopy's `Feature`: its geometry and the style section
    that styles it. Loaded on first use (boundaries are cached per process), so a renderer that
    does not draw a layer does not pay for it."""

    key: str  # stable name, also the cache key of its projected forms ("countries:50m", "admin1:JP")
    style: str  # the style section drawing it ("basemap", "zone_intervention", "choropleth"…)
    load: Callable[[], gpd.GeoDataFrame]

    @cached_property
    def gdf(self) -> gpd.GeoDataFrame:
        """The layer in WGS84 (columns: ARCHITECTURE.md, boundaries table)."""
        return self.load()


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: the text, and what its swatch shows.

    `swatch` names the symbol (the renderer draws it from the style): `type` (a French collectivité
    type, `key` = the type), `zone`, `partner`, `year`, `theme` (`color`), `class`, `no_data`,
    `france` (`color`), `circle` (`value` = the count the circle stands for).
    """

    key: str
    label: str
    swatch: str
    color: str | None = None
    value: float | None = None


@dataclass(frozen=True)
class LegendSection:
    """A titled group of legend entries (`key`: french, cooperation, themes, classes, circles)."""

    key: str
    title: str
    entries: tuple[LegendEntry, ...]


@dataclass(frozen=True)
class MapTexts:
    """Every sentence of the page frame, in the map's language (display case is the renderer's)."""

    title: str
    subtitle: str
    source: str  # the data source with the data's date
    attribution: str  # the boundaries' sources
    credits: str


@dataclass(frozen=True)
class ListEntry:
    """One entry of a list beside the map: a zone and its French partners, a country and its partners."""

    gid: str  # SVG id of the entry beside the map ("zone-list-BJ.ZO"), also the web table row's id
    heading: str  # "1. Zou (3)", "Japon"
    lines: tuple[str, ...]  # its text, one paragraph per line ("Lyon, 2006 – Culture, patrimoine")


@dataclass(frozen=True)
class FullList:
    """A list shown in full where the map's side column can hold only part of it: the PDF's annex
    pages and the table beside the web map."""

    title: str  # "Partenaires français par zone"
    head: tuple[str, str]  # the web table's column headings: the entries', their lines'
    entries: tuple[ListEntry, ...]


@dataclass
class MapContent:
    """One map, ready to draw: `data` is the kind's own content (`BilateralContent`…)."""

    kind: MapKind
    lang: str
    texts: MapTexts
    layers: dict[str, Layer]
    legend: list[LegendSection]
    data: Any
    warnings: list[str] = field(default_factory=list)
    full_list: FullList | None = None  # the kind's list beside the map, in full (country, collectivité)
