"""The JSON payload an interactive map is drawn from, and its schema.

Why written down: the keys are short (`f`, `ft`, `p`…) because they repeat once per partnership,
and `web_assets/atlas.js` reads them by name; the `TypedDict`s below are the contract between the
two sides, each short key with its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence, TypedDict

from atlasmaps.content import common as K
from atlasmaps.content.legend import theme_key
from atlasmaps.model import CollectiviteType, JoinedPartnership, MapKind
from atlasmaps.render.web import encode as EN

if TYPE_CHECKING:
    import geopandas as gpd

    from atlasmaps.content.types import LegendSection as ContentSection
    from atlasmaps.content.types import MapContent
    from atlasmaps.model import RenderOptions
    from atlasmaps.style import Style


# ------------------------------------------------------------------------------------------------
# the payload schema: what web_assets/atlas.js reads (keys are short: they repeat once per row)


class Row(TypedDict, total=False):
    """One mapped partnership, as popups, the search and the table see it (raw text: the JS escapes)."""

    f: str
    """The French collectivité's name."""
    ft: str
    """Its type key (`region`, `departement`, `groupement`, `commune`): the symbol and the type filter."""
    ftl: str
    """Its type, as the map's language writes it (the table's; the payload has `type_labels`)."""
    p: str
    """The partner collectivité's name."""
    z: str | None
    """The partner's zone d'intervention (admin-1 name), or None."""
    c: str
    """The partner country's name (the table's; the payload has it once, as `country`)."""
    y: int | None
    """The year the partnership started."""
    na: str
    """Its nature (jumelage, convention…), as in the data."""
    th: list[str]
    """Its theme keys (the style's, `autre`, or the data's text for unknown ones): link colour and filter."""


class Place(TypedDict):
    """One marker: a French collectivité (`s` = "fr") or a partner collectivité (`s` = "pa")."""

    ll: list[float]
    """[lat, lon], rounded to the style's `web.coordinate_precision`."""
    s: str
    """The side: "fr" or "pa"."""
    t: str
    """The symbol key (a French type, or "partner")."""
    n: str
    """The name (tooltip, search)."""
    tl: str
    """The second tooltip line: the type (French side) or the zone or country (partner side)."""
    r: list[int]
    """Indices in `rows` of the partnerships of this place (its popup)."""


class PartnerPlace(Place, total=False):
    f: str | None
    """The fill: the colour of the partner's main theme (the same as in print), None for the symbol's own."""


class FeatureCollection(TypedDict):
    """GeoJSON-like features with delta-encoded integer coordinates (decoded by atlas.js)."""

    type: str
    """Always "FeatureCollection"."""
    q: int
    """Decimals kept: coordinates are integers = degrees × 10^q, first point absolute, then deltas."""
    features: list[dict[str, Any]]
    """Features; their `properties` hold `id`, `name`, `n` (count), `label`, and on choropleths `k`
    (class index, -1 for none) and `hl` (highlighted: France on the world map); on French units `t` (type)."""


class LegendEntry(TypedDict, total=False):
    """One legend line: a `symbol` (marker), a `fill` (+ `edge`) swatch or a `line` colour, and its text."""

    symbol: dict[str, Any]
    fill: str
    edge: str
    line: str
    label: str
    bind: str
    """What clicking the entry toggles: `layer:<key>`, `type:<type>` or `theme:<key>`."""


class LegendSection(TypedDict, total=False):
    """A titled legend group (texts from `atlasmaps.content`: the same as the print legend's)."""

    title: str
    bind: str | None
    entries: list[LegendEntry]


class Choropleth(TypedDict):
    """The world and France maps' units and classes."""

    features: FeatureCollection
    classes: list[dict[str, str]]
    """One {"color", "label"} per class, light to dark (the print legend's classes)."""
    no_data: str
    highlight: str
    edge: str
    edge_width: float
    opacity: float
    rows: dict[str, list[int]]
    """Unit id -> indices in `rows` of the partnerships placed in that unit (its popup)."""


class Payload(TypedDict, total=False):
    """Everything `atlasInit(map, payload)` draws; one JSON object in the page."""

    kind: str
    """The map kind (bilateral, country, world, france)."""
    lang: str
    ui: dict[str, Any]
    """Interface texts (buttons, popups, table) in the map's language."""
    popup_max_width: int
    partner_symbol: dict[str, Any]
    fit_padding: int
    """Padding (px) around the data when the map is fitted to it."""
    narrow_px: int
    """Below this container width (px) the panels start closed."""
    search_zoom: float
    """The zoom a search result is shown at, at least."""
    search_results: int
    """How many names the search box lists."""
    year_floor: int
    """The year slider's low end: "before <year_floor>" keeps every partnership."""
    popup_top_n: int
    """Partnerships listed in a world map popup; the rest are in the table (its button)."""
    panels: dict[str, dict[str, Any]]
    """Bilateral only: "fr" and "pa" -> {"label", "bounds"}: two linked maps, each on its own country."""
    type_labels: dict[str, str]
    """French type key -> its label (popups), once rather than on every row."""
    country: str
    """The partner country's name (popups), once rather than on every row."""
    insets: list[dict[str, Any]]
    """Overseas départements to jump to: {"key" (INSEE code), "label", "bounds"}, in print order."""
    rows: list[Row]
    places: list[Place]
    link_style: dict[str, Any]
    """Arcs: {"color", "weight", "opacity", "dash"}; drawn on hover (bilateral) or always (`links`)."""
    links: list[dict[str, Any]]
    """Collectivité maps only: permanent arcs, {"r": index in `rows`, "c": great-circle [[lat, lon], …]}."""
    zones: FeatureCollection | None
    zone_rows: dict[str, list[int]]
    """Zone id (country maps) or zone name (bilateral maps) -> indices in `rows` (popups, year filter)."""
    zone_style: dict[str, Any]
    units: FeatureCollection | None
    types: list[dict[str, Any]]
    themes: list[dict[str, Any]]
    """The themes a map can filter by: {"key", "label", "color"}."""
    layers: list[dict[str, str]]
    """The toggleable layers: {"key", "label"}."""
    choropleth: Choropleth
    legend: list[LegendSection]
    bounds: list[list[float]] | None
    """[[south, west], [north, east]] the map opens on."""
    basemap: list[dict[str, Any]]
    """Grey countries drawn first: {"fc": FeatureCollection, "style": Leaflet path style}."""


#: Simplification (degrees) of the coarse world layer: invisible at the zooms where it shows.
WORLD_TOLERANCE = 0.2


@dataclass
class Page:
    """Everything the HTML is assembled from (format-level, not data-level)."""

    title: str
    subtitle: str
    payload: dict[str, Any]
    basemap: list[dict[str, Any]]  # {"fc": FeatureCollection, "style": Leaflet path style}, drawn first
    table_html: str
    warnings: list[str] = field(default_factory=list)


class Ctx:
    """The style and language of one render, with the look-ups every builder needs."""

    def __init__(self, style: Style, options: RenderOptions, content: MapContent) -> None:
        self.style = style
        self.options = options
        self.content = content
        self.lang = content.lang
        self.precision = style.web.coordinate_precision
        self.tolerance = float(style.web.simplify_tolerance)

    def t(self, key: str, **fields: object) -> str:
        return self.style.text(key, self.lang, **fields)

    def country_name(self, iso2: str) -> str:
        return K.country_name(iso2, self.lang)

    def symbol(self, kind: str) -> dict[str, Any]:
        s = self.style.symbol(kind)
        out = {"shape": s.web_shape, "size": s.size_px, "fill": s.fill, "edge": s.edge, "edge_width": s.edge_width_px}
        if s.polygon is not None:
            p = s.polygon
            out["polygon"] = {"fill": p.fill, "alpha": p.alpha, "edge": p.edge, "edge_width": p.edge_width_px}
        return out

    def type_entry(self, kind: CollectiviteType) -> dict[str, Any]:
        return {"key": kind.value, "label": self.t(f"legend.type.{kind.value}"), **self.symbol(kind.value)}

    def theme_key(self, raw: str) -> str:
        return theme_key(self.style, raw)

    def theme_entries(self, raws: Iterable[str]) -> list[dict[str, Any]]:
        """The themes the map can filter by: the legend's (content), then unknown values as written."""
        keys = {self.theme_key(r) for r in raws if r}
        out = [{"key": e.key.removeprefix("theme-"), "label": e.label, "color": e.color}
               for s in self.content.legend if s.key == "themes" for e in s.entries]
        for key in sorted(keys - set(self.style.themes)):
            out.append({"key": key, "label": key, "color": self.style.links.color})
        return out

    def ui(self) -> dict[str, Any]:
        t = self.t
        keys = ("french", "partner", "type", "year", "nature", "themes", "zone", "projects", "partners")
        return {
            "search_placeholder": t("web.search_placeholder"),
            "no_results": t("web.no_results"),
            "reset_view": t("web.reset_view"),
            "show_table": t("web.show_table"),
            "hide_table": t("web.hide_table"),
            "legend_title": t("web.legend"),
            "layers_title": t("web.layers"),
            "types_title": t("legend.french_title"),
            "themes_title": t("legend.themes_title"),
            "close": t("web.close"),
            "zoom_in": t("web.zoom_in"),
            "zoom_out": t("web.zoom_out"),
            "popup": {k: t(f"web.popup.{k}") for k in keys},
            "table": {"country": t("web.table.country")},
            "year_filter": t("web.year_filter"),
            "year_before": t("web.year_before", year=self.style.web.year_floor),
            "year_since": t("web.year_since", year="{year}"),
            "table_country": t("web.table_country"),
            "show_all": t("web.show_all"),
            "overseas": t("web.overseas"),
            "metropole": t("web.metropole"),
            # "{n} partenariats" for 0, 1 and 2+ (each language's plural rule, as in print)
            "count": [self.ct("count.partnership", n, count="{n}") for n in (0, 1, 2)],
        }

    def ct(self, key: str, n: float, **fields: object) -> str:
        """The label `key` in the singular or plural form the count `n` asks for (as in print)."""
        from atlasmaps.content.text import counted

        return counted(self.style, key, n, self.lang, **fields)

    def count_label(self, n: int, unit: str = "project") -> str:
        from atlasmaps.content.text import counted_noun

        return counted_noun(self.style, unit, n, self.lang)

    def base_payload(self, kind: MapKind) -> dict[str, Any]:
        s = self.style
        return {
            "kind": kind.value,
            "lang": self.lang,
            "ui": self.ui(),
            "popup_max_width": s.web.popup_max_width_px,
            "partner_symbol": self.symbol("partner"),
            "fit_padding": s.web.fit_padding_px,
            "narrow_px": s.web.narrow_px,
            "search_zoom": s.web.search_zoom,
            "search_results": s.web.search_results,
            "year_floor": s.web.year_floor,
            "popup_top_n": s.web.popup_top_n,
        }


def insets(ctx: Ctx, overseas: Iterable[str]) -> list[dict[str, Any]]:
    """The overseas locator: one entry per overseas département shown, in the print insets' order."""
    shown = set(overseas)
    return [{"key": code, "label": ctx.t(f"inset.{K.OVERSEAS_INSETS[code][0]}"), "bounds": EN.bounds([K.OVERSEAS_BBOX[code]])}
            for code in K.OVERSEAS_DEPARTEMENTS if code in shown]


def compact_rows(payload: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    """The payload's rows without what repeats on every row of one country's map (its name, the
    type labels): those travel once, as `country` and `type_labels` (the table keeps them per row)."""
    payload["rows"] = [{k: v for k, v in r.items() if k not in ("ftl", "c")} for r in rows]
    payload["type_labels"] = {r["ft"]: r["ftl"] for r in rows}
    payload["country"] = rows[0]["c"] if rows else ""


def row_payload(ctx: Ctx, r: JoinedPartnership) -> dict[str, Any]:
    """One partnership as the popups and the search see it (raw text; the JS escapes)."""
    p = r.partnership
    f = r.french
    kind = f.kind.value if f else p.type_collectivite.value
    return {
        "f": f.name if f else p.collectivite,
        "ft": kind,
        "ftl": K.unit_type(ctx.style, kind, f.code if f else p.code_collectivite, ctx.lang),
        "p": r.partner.name if r.partner else p.partenaire,
        "z": (r.partner.admin1_name if r.partner else None) or None,
        "c": ctx.country_name(p.pays),
        "y": p.annee,
        "na": p.nature,
        "th": list(dict.fromkeys(ctx.theme_key(t) for t in p.thematiques if t)),
    }


def basemap(ctx: Ctx, highlight: dict[str, str], near: gpd.GeoDataFrame | None = None) -> list:
    """Grey countries from the embedded boundaries: the world at 110m, the highlighted ones at 50m.

    `highlight` maps ISO2 -> fill colour (France, the partner): those are drawn from the detailed
    layer at the style's precision; `near` (optional) adds neighbours at 50m too. Everything else
    comes from the coarse layer with two decimals, which is what keeps a world-wide basemap at
    about a hundred kilobytes.
    """
    b = ctx.style.basemap
    base_style = {"color": b.border, "weight": b.border_width_px, "fillColor": b.land, "fillOpacity": 1, "opacity": 1}
    detailed = ctx.content.layers["countries"].gdf
    near_isos = set(near["iso_a2"]) if near is not None and len(near) else set()
    world = ctx.content.layers["countries_110m"].gdf
    far = world[~world["iso_a2"].isin(set(highlight) | near_isos)]
    layers = [(EN.feature_collection(far, [], min(ctx.precision, 2), max(ctx.tolerance, WORLD_TOLERANCE)), base_style)]
    if near_isos:
        plain = detailed[detailed["iso_a2"].isin(near_isos - set(highlight))]
        layers.append((EN.feature_collection(plain, [], ctx.precision, ctx.tolerance), base_style))
    for iso, colour in highlight.items():
        hit = detailed[detailed["iso_a2"] == iso]
        layers.append((EN.feature_collection(hit, [], ctx.precision, ctx.tolerance), {**base_style, "fillColor": colour}))
    return [{"fc": fc, "style": st} for fc, st in layers if fc["features"]]


def partner_places(ctx: Ctx, points: gpd.GeoDataFrame, rows_of: dict[tuple[str, float, float], list[int]],
                    country: str, precision: int) -> tuple[list[dict[str, Any]], list[tuple[float, float]]]:
    """Partner markers for the page (coloured by their main theme, as in print) and their positions."""
    places: list[dict[str, Any]] = []
    positions: list[tuple[float, float]] = []
    for _, q in points.iterrows():
        x, y = q.geometry.x, q.geometry.y
        places.append({"ll": [round(y, precision), round(x, precision)], "s": "pa", "t": "partner", "n": q["name"],
                       "tl": q["admin1_name"] or country, "r": rows_of.get((q["name"], round(x, 5), round(y, 5)), []),
                       "f": q["color"] if isinstance(q["color"], str) else None})
        positions.append((x, y))
    return places, positions


def legend(ctx: Ctx, sections: Sequence[ContentSection]) -> list[LegendSection]:
    """The content's legend sections as the page draws them; `bind` ties each to the layer it explains."""
    s = ctx.style
    has_types = any(sec.key == "french" for sec in sections)
    out: list[dict[str, Any]] = []
    for sec in sections:
        entries: list[dict[str, Any]] = []
        for e in sec.entries:
            if e.swatch == "type":
                entries.append({"symbol": ctx.type_entry(CollectiviteType(e.key)), "label": e.label, "bind": f"type:{e.key}"})
            elif e.swatch == "partner":
                entries.append({"symbol": ctx.symbol("partner"), "label": e.label, "bind": "layer:partners"})
            elif e.swatch == "zone":
                z = s.zone_intervention
                entries.append({"fill": EN.rgba(z.fill, z.alpha), "edge": z.edge, "label": e.label, "bind": "layer:zones"})
            elif e.swatch == "theme":
                entries.append({"line": e.color, "label": e.label, "bind": f"theme:{e.key.removeprefix('theme-')}"})
            elif e.swatch in ("class", "no_data", "france"):
                entries.append({"fill": e.color, "label": e.label})
            # "year" (print only: the web writes years in popups) and "circle" (print only) have no swatch here
        bind = {"french": "layer:french", "themes": "layer:links" if has_types else None}.get(sec.key)
        section: dict[str, Any] = {"title": sec.title}
        if sec.key in ("french", "themes"):
            section["bind"] = bind
        section["entries"] = entries
        out.append(section)
    return out


def choropleth_payload(ctx: Ctx, kind: MapKind, fc: dict[str, Any], values: dict[str, int], highlight: set[str],
                        unit_rows: dict[str, list[int]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    classes = ctx.content.data.classes
    s = ctx.style.choropleth
    entries = ctx.content.legend[0].entries
    no_data = next(e.color for e in entries if e.swatch == "no_data")
    for f in fc["features"]:
        props = f["properties"]
        n = int(values.get(props["id"], 0))
        props["n"] = n
        props["k"] = classes.index_of(n)
        props["hl"] = props["id"] in highlight
        props["label"] = ctx.count_label(n) if n else ctx.t("legend.no_data")
    payload = ctx.base_payload(kind)
    payload.update(
        rows=rows,
        choropleth={"features": fc,
                    "classes": [{"color": c, "label": lab} for c, lab in zip(classes.colours, classes.labels)],
                    "no_data": no_data, "highlight": s.france, "edge": s.edge,
                    "edge_width": s.edge_width_px, "opacity": s.opacity, "rows": unit_rows},
        types=[],
        themes=[],
        layers=[],
        places=[],
    )
    payload["legend"] = legend(ctx, ctx.content.legend)
    return payload
