"""Interactive HTML maps (folium/Leaflet): one self-contained file per map, made to embed.

Why it is built this way:
- Self-contained: communication teams embed these maps on sites and intranets that must make no
  third-party request, so Leaflet's JS/CSS are inlined from the `django-js-lib-leaflet` package
  (folium's CDN links are dropped), there are no tiles unless `options.tiles` asks for them, and the
  basemap is drawn from the embedded boundaries (simplified, coordinates rounded per the style).
- Safe: every text from the data reaches the page either HTML-escaped (the table, the title) or
  through `textContent` in `web_assets/atlas.js` (tooltips, popups, search), never as markup.
- Light: the data travel as one compact JSON payload read by a small script, instead of one
  folium object (and one JS variable) per marker, which keeps France–Japan well under 400 KB.
- Same content as print: what to draw comes from `atlasmaps.layout.content` (shared with the
  static renderer), including the choropleth classes (`classify`, `class_of`).
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from atlasmaps.model import CollectiviteType, JoinedPartnership, JoinResult, MapKind, RenderedMap, RenderOptions

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from atlasmaps.style import Style

#: Leaflet 1.9.4 as shipped by the django-js-lib-leaflet package.
_LEAFLET_PACKAGE = "js_lib_leaflet"
_LEAFLET_DIR = ("static", "js_lib_leaflet")
#: Padding (screen pixels) around the data when the map is fitted to it.
_FIT_PADDING_PX = 24
#: Points per great-circle arc (enough for a smooth curve at world zoom, few bytes).
_ARC_POINTS = 48
#: Below this container width (px) the panels start closed, so the map stays visible on phones.
_NARROW_PX = 600
#: Simplification (degrees) of the coarse world layer: invisible at the zooms where it shows.
_WORLD_TOLERANCE = 0.1


# ------------------------------------------------------------------------------------------------
# assets


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS text, from the installed package (no CDN).

    The CSS rules that point at Leaflet's images (layers control, default marker icon) are removed:
    the map uses neither, and a `url()` left in would be a request outside the file.
    """
    base = resources.files(_LEAFLET_PACKAGE).joinpath(*_LEAFLET_DIR)
    js = base.joinpath("leaflet.js").read_text(encoding="utf-8")
    css = base.joinpath("leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"[^;{}]*url\((?!#)[^)]*\)[^;{}]*;?", "", css)
    js = js.replace("//# sourceMappingURL=leaflet.js.map", "")
    return js, css


@lru_cache(maxsize=1)
def _atlas_assets() -> tuple[str, str]:
    """Our own small script and stylesheet (web_assets/), read once per process."""
    base = resources.files("atlasmaps.render").joinpath("web_assets")
    return base.joinpath("atlas.js").read_text(encoding="utf-8"), base.joinpath("atlas.css").read_text(encoding="utf-8")


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no `</script>`, no HTML-significant character."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


# ------------------------------------------------------------------------------------------------
# geometry helpers


def _encode_ring(ring: Sequence[Sequence[float]], scale: float) -> list[int]:
    """A line as scaled integers, first point absolute then deltas (decoded by atlas.js).

    Deltas between neighbouring vertices are small integers: this halves the size of the
    basemap against decimal GeoJSON at the same precision.
    """
    out: list[int] = []
    px = py = 0
    for x, y, *_ in ring:
        ix, iy = round(x * scale), round(y * scale)
        out.append(ix - px)
        out.append(iy - py)
        px, py = ix, iy
    return out


def _encode(geom: dict[str, Any], scale: float) -> Any:
    kind, coords = geom["type"], geom["coordinates"]
    if kind == "Point":
        return [round(c * scale) for c in coords[:2]]
    if kind == "LineString":
        return _encode_ring(coords, scale)
    if kind in ("Polygon", "MultiLineString"):
        return [_encode_ring(r, scale) for r in coords]
    if kind == "MultiPolygon":
        return [[_encode_ring(r, scale) for r in poly] for poly in coords]
    raise ValueError(f"cannot encode a {kind}")


def useful_precision(precision: int, tolerance: float) -> int:
    """Decimals worth keeping after simplification: one finer than the tolerance, at most the style's."""
    if tolerance <= 0:
        return precision
    return max(0, min(precision, math.ceil(-math.log10(tolerance)) + 1))


def feature_collection(
    gdf: gpd.GeoDataFrame,
    props: Sequence[str],
    precision: int,
    tolerance: float,
    rename: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A compact, delta-encoded GeoJSON-like FeatureCollection (`q` = decimals; see atlas.js).

    Geometries are simplified (topology-preserving per geometry) and quantised to what the
    tolerance leaves meaningful, capped by the style's `web.coordinate_precision`.
    """
    import shapely
    from shapely.geometry import mapping

    rename = rename or {}
    precision = useful_precision(precision, tolerance)
    scale = 10.0**precision
    features = []
    geoms = gdf.geometry.values
    if tolerance > 0 and len(gdf):
        geoms = shapely.simplify(shapely.make_valid(geoms), tolerance, preserve_topology=True)
    for (_, row), geom in zip(gdf.iterrows(), geoms):
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type == "GeometryCollection":
            geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
            if geom.is_empty:
                continue
        gj = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {rename.get(p, p): _plain(row[p]) for p in props},
                "geometry": {"type": gj["type"], "coordinates": _encode(gj, scale)},
            }
        )
    return {"type": "FeatureCollection", "q": precision, "features": features}


def _plain(value: Any) -> Any:
    """Numpy/pandas scalars as JSON-able Python values (NaN -> None)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def great_circle(lon1: float, lat1: float, lon2: float, lat2: float, precision: int, n: int = _ARC_POINTS) -> list[list[list[float]]]:
    """The great-circle arc between two points as Leaflet [lat, lon] segments, split at ±180°.

    Leaflet draws a straight segment between consecutive points, so an arc crossing the
    antimeridian must end at one edge of the map and start again at the other.
    """
    from pyproj import Geod

    pts = [(lon1, lat1), *Geod(ellps="WGS84").npts(lon1, lat1, lon2, lat2, n), (lon2, lat2)]
    segments: list[list[list[float]]] = [[]]
    prev: tuple[float, float] | None = None
    for lon, lat in pts:
        if prev is not None and abs(lon - prev[0]) > 180:
            # crossing: interpolate the latitude where the unwrapped line meets ±180
            edge = 180.0 if prev[0] > 0 else -180.0
            lon_unwrapped = lon + (360.0 if prev[0] > 0 else -360.0)
            t = (edge - prev[0]) / (lon_unwrapped - prev[0]) if lon_unwrapped != prev[0] else 0.0
            lat_cross = prev[1] + t * (lat - prev[1])
            segments[-1].append([round(lat_cross, precision), edge])
            segments.append([[round(lat_cross, precision), -edge]])
        segments[-1].append([round(lat, precision), round(lon, precision)])
        prev = (lon, lat)
    return [s for s in segments if len(s) >= 2]


def _bounds(boxes: Iterable[tuple[float, float, float, float]]) -> list[list[float]] | None:
    """Leaflet bounds [[south, west], [north, east]] of lon/lat boxes."""
    boxes = [b for b in boxes if b and all(map(math.isfinite, b))]
    if not boxes:
        return None
    return [
        [min(b[1] for b in boxes), min(b[0] for b in boxes)],
        [max(b[3] for b in boxes), max(b[2] for b in boxes)],
    ]


def _outline_box(outline: gpd.GeoDataFrame, points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """The partner's extent; across the antimeridian (Fiji, Russia…) only where partners are."""
    pts = list(points)
    if not outline.empty:
        minx, miny, maxx, maxy = (float(v) for v in outline.total_bounds)
        if maxx - minx < 180:
            return minx, miny, maxx, maxy
    if pts:
        xs, ys = zip(*pts)
        return min(xs), min(ys), max(xs), max(ys)
    return None


# ------------------------------------------------------------------------------------------------
# what a page is made of


@dataclass
class _Page:
    """Everything the HTML is assembled from (format-level, not data-level)."""

    title: str
    subtitle: str
    payload: dict[str, Any]
    basemap: list[dict[str, Any]]  # {"fc": FeatureCollection, "style": Leaflet path style}, drawn first
    table_html: str
    warnings: list[str] = field(default_factory=list)


class _Ctx:
    """The style and language of one render, with the look-ups every builder needs."""

    def __init__(self, style: Style, options: RenderOptions) -> None:
        self.style = style
        self.options = options
        self.lang = options.lang if options.lang in style.labels else "fr"
        self.precision = style.web.coordinate_precision
        self.tolerance = float(style.web.simplify_tolerance)

    def t(self, key: str, **fields: object) -> str:
        return self.style.text(key, self.lang, **fields)

    def country_name(self, iso2: str, fallback: str | None = None) -> str:
        from atlasmaps import boundaries

        countries = boundaries.load("countries")
        hit = countries[countries["iso_a2"] == iso2]
        if hit.empty:
            return fallback or iso2
        col = "name_en" if self.lang == "en" else "name_fr"
        value = hit.iloc[0][col] or hit.iloc[0]["name_en"]
        return str(value)

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
        """The style's theme for a data value; unknown values keep their own text as key."""
        key = self.style.theme_key(raw)
        if key is None and "autre" in self.style.themes:
            key = "autre"
        return key or raw

    def theme_entries(self, raws: Iterable[str]) -> list[dict[str, Any]]:
        keys = {self.theme_key(r) for r in raws if r}
        out = []
        for key, theme in self.style.themes.items():  # style order, as in the print legend
            if key in keys:
                out.append({"key": key, "label": self.style.theme_label(key, self.lang), "color": theme.color})
        for key in sorted(keys - set(self.style.themes)):
            out.append({"key": key, "label": key, "color": self.style.links.color})
        return out

    def source_line(self, joined: JoinResult) -> str:
        from atlasmaps.layout.text import source_line

        return source_line(self.style, joined, self.lang)

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
        }

    def ct(self, key: str, n: float, **fields: object) -> str:
        """The label `key` in the singular or plural form the count `n` asks for (as in print)."""
        from atlasmaps.layout.text import counted

        return counted(self.style, key, n, self.lang, **fields)

    def count_label(self, n: int, unit: str = "project") -> str:
        from atlasmaps.layout.text import counted_noun

        return counted_noun(self.style, unit, n, self.lang)

    def base_payload(self, kind: MapKind) -> dict[str, Any]:
        s = self.style
        return {
            "kind": kind.value,
            "lang": self.lang,
            "ui": self.ui(),
            "popup_max_width": s.web.popup_max_width_px,
            "partner_symbol": self.symbol("partner"),
            "fit_padding": _FIT_PADDING_PX,
            "narrow_px": _NARROW_PX,
        }


def _row_payload(ctx: _Ctx, r: JoinedPartnership) -> dict[str, Any]:
    """One partnership as the popups and the search see it (raw text; the JS escapes)."""
    p = r.partnership
    f = r.french
    kind = f.kind.value if f else p.type_collectivite.value
    return {
        "f": f.name if f else p.collectivite,
        "ft": kind,
        "ftl": ctx.t(f"type.{kind}"),
        "p": r.partner.name if r.partner else p.partenaire,
        "z": (r.partner.admin1_name if r.partner else None) or None,
        "c": ctx.country_name(p.pays, p.pays),
        "y": p.annee,
        "na": p.nature,
        "th": list(dict.fromkeys(ctx.theme_key(t) for t in p.thematiques if t)),
    }


def _table(ctx: _Ctx, caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The plain HTML table behind the 'show table' button (escaped; read by screen readers)."""
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc('' if v is None else str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return (
        f'<div id="atlas-table" hidden tabindex="-1" role="region" aria-label="{esc(caption)}">'
        f'<button type="button" class="atlas-button atlas-table-close">{esc(ctx.t("web.hide_table"))}</button>'
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _partnership_table(ctx: _Ctx, caption: str, rows: Sequence[dict[str, Any]], themes: dict[str, str]) -> str:
    keys = ("french", "type", "partner", "zone", "country", "year", "nature", "themes")
    headers = [ctx.t(f"web.table.{k}") for k in keys]
    body = [
        (r["f"], r["ftl"], r["p"], r["z"], r["c"], r["y"], r["na"], ", ".join(themes.get(k, k) for k in r["th"]))
        for r in rows
    ]
    return _table(ctx, caption, headers, body)


def _basemap(ctx: _Ctx, highlight: dict[str, str], near: gpd.GeoDataFrame | None = None) -> list:
    """Grey countries from the embedded boundaries: the world at 110m, the highlighted ones at 50m.

    `highlight` maps ISO2 -> fill colour (France, the partner): those are drawn from the detailed
    layer at the style's precision; `near` (optional) adds neighbours at 50m too. Everything else
    comes from the coarse layer with two decimals, which is what keeps a world-wide basemap at
    about a hundred kilobytes.
    """
    from atlasmaps import boundaries

    b = ctx.style.basemap
    base_style = {"color": b.border, "weight": b.border_width_px, "fillColor": b.land, "fillOpacity": 1, "opacity": 1}
    detailed = boundaries.load("countries")
    near_isos = set(near["iso_a2"]) if near is not None and len(near) else set()
    world = boundaries.load("countries", scale="110m")
    far = world[~world["iso_a2"].isin(set(highlight) | near_isos)]
    layers = [(feature_collection(far, [], min(ctx.precision, 2), max(ctx.tolerance, _WORLD_TOLERANCE)), base_style)]
    if near_isos:
        plain = detailed[detailed["iso_a2"].isin(near_isos - set(highlight))]
        layers.append((feature_collection(plain, [], ctx.precision, ctx.tolerance), base_style))
    for iso, colour in highlight.items():
        hit = detailed[detailed["iso_a2"] == iso]
        layers.append((feature_collection(hit, [], ctx.precision, ctx.tolerance), {**base_style, "fillColor": colour}))
    return [{"fc": fc, "style": st} for fc, st in layers if fc["features"]]


# ------------------------------------------------------------------------------------------------
# map kinds


def _partner_places(ctx: _Ctx, points: gpd.GeoDataFrame, themes_of: dict[str, list[str]],
                    rows_of: dict[tuple[str, float, float], list[int]], country: str, precision: int,
                    ) -> tuple[list[dict[str, Any]], list[tuple[float, float]]]:
    """Partner markers for the page (coloured by their main theme, as in print) and their positions."""
    places: list[dict[str, Any]] = []
    positions: list[tuple[float, float]] = []
    for _, q in points.iterrows():
        x, y = q.geometry.x, q.geometry.y
        places.append({"ll": [round(y, precision), round(x, precision)], "s": "pa", "t": "partner", "n": q["name"],
                       "tl": q["admin1_name"] or country, "r": rows_of.get((q["name"], round(x, 5), round(y, 5)), []),
                       "f": ctx.style.main_theme_color(themes_of.get(q["name"], []))})
        positions.append((x, y))
    return places, positions


def _bilateral(joined: JoinResult, ctx: _Ctx) -> _Page:
    from atlasmaps.layout import content as C

    partner = (ctx.options.partner or "").upper()
    b = C.bilateral_content(joined, partner)
    country = ctx.country_name(partner, partner)
    p = ctx.precision

    rows: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    fr_rows: dict[tuple[str, str], list[int]] = {}
    pa_rows: dict[tuple[str, float, float], list[int]] = {}
    for i, lk in enumerate(b.links):
        kind = lk.kind.value
        rows.append(
            {
                "f": lk.french_name, "ft": kind, "ftl": ctx.t(f"type.{kind}"), "p": lk.partner_name,
                "z": lk.partner_admin1, "c": country, "y": lk.year, "na": lk.nature,
                "th": list(dict.fromkeys(ctx.theme_key(t) for t in lk.themes if t)),
            }
        )
        fr_rows.setdefault((kind, lk.french_code), []).append(i)
        if lk.partner_lon is not None and lk.partner_lat is not None:
            pa_rows.setdefault((lk.partner_name, round(lk.partner_lon, 5), round(lk.partner_lat, 5)), []).append(i)
            links.append({"r": i, "c": great_circle(lk.french_lon, lk.french_lat, lk.partner_lon, lk.partner_lat, p)})

    places: list[dict[str, Any]] = []
    anchors: list[tuple[float, float]] = []
    for gdf in (b.french_units, b.french_points):
        for _, u in gdf.iterrows():
            pt = u.geometry if u.geometry.geom_type == "Point" else u.geometry.representative_point()
            idx = fr_rows.get((u["kind"], str(u["code"])), [])
            places.append({"ll": [round(pt.y, p), round(pt.x, p)], "s": "fr", "t": u["kind"], "n": u["name"],
                           "tl": ctx.t(f"type.{u['kind']}"), "r": idx})
            anchors.append((pt.x, pt.y))
    themes_of: dict[str, list[str]] = {}
    for lk in b.links:
        themes_of.setdefault(lk.partner_name, []).extend(lk.themes)
    partner_places, partner_pts = _partner_places(ctx, b.partner_points, themes_of, pa_rows, country, p)
    places.extend(partner_places)

    themes = ctx.theme_entries(t for lk in b.links for t in lk.themes)
    theme_labels = {t["key"]: t["label"] for t in themes}
    types = [ctx.type_entry(k) for k in b.kinds]
    s = ctx.style
    zone = s.zone_intervention
    layer_labels = {k: ctx.t(f"web.layer.{k}") for k in ("french", "partners", "zones", "links")}

    payload = ctx.base_payload(MapKind.BILATERAL)
    units = C._gdf([], []) if b.french_units.empty else b.french_units
    payload.update(
        rows=rows,
        places=places,
        links=links,
        link_style={"color": s.links.color, "weight": s.links.weight_px, "opacity": s.links.opacity, "dash": s.links.dash},
        zones=feature_collection(b.zones, ["name", "n"], p, ctx.tolerance) if not b.zones.empty else None,
        zone_style={"fill": zone.fill, "alpha": zone.alpha, "edge": zone.edge, "edge_width": zone.edge_width_px},
        units=feature_collection(units, ["name", "kind"], p, ctx.tolerance, rename={"kind": "t"}) if not b.french_units.empty else None,
        types=types,
        themes=themes,
        layers=[{"key": k, "label": v} for k, v in layer_labels.items() if k != "zones" or not b.zones.empty],
        bounds=_bounds([C.METRO_BBOX, _outline_box(b.partner_outline, partner_pts), *[(x, y, x, y) for x, y in anchors],
                        *_links_boxes(links)]),
    )
    for f in (payload["zones"] or {}).get("features", []):
        f["properties"]["label"] = ctx.count_label(int(f["properties"]["n"] or 0), "partnership")
    payload["legend"] = _legend_points(ctx, types, themes, zones=not b.zones.empty)

    title = ctx.t("title.bilateral", partner_phrase=s.country_phrase(country, partner, ctx.lang))
    subtitle = ctx.ct("subtitle.bilateral", b.n_partnerships, count=b.n_partnerships)
    basemap = _basemap(ctx, {"FR": s.basemap.france_land, partner: s.basemap.partner_land})
    table = _partnership_table(ctx, title, rows, theme_labels)
    return _Page(title, subtitle, payload, basemap, table, list(b.warnings))


def _links_boxes(links: list[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """Extent of the arcs: a great circle bulges towards the pole and must stay in view."""
    boxes = []
    for lk in links:
        for seg in lk["c"]:
            lats = [p[0] for p in seg]
            lons = [p[1] for p in seg]
            boxes.append((min(lons), min(lats), max(lons), max(lats)))
    return boxes


def _legend_points(ctx: _Ctx, types: list[dict], themes: list[dict], zones: bool, partners: bool = True) -> list[dict]:
    """Legend sections of the point maps; `bind` ties each one to the layer it explains."""
    s = ctx.style
    out: list[dict[str, Any]] = []
    if types:
        out.append({"title": ctx.t("legend.french_title"), "bind": "layer:french",
                    "entries": [{"symbol": t, "label": t["label"], "bind": f"type:{t['key']}"} for t in types]})
    side: list[dict[str, Any]] = []
    if partners:
        side.append({"symbol": ctx.symbol("partner"), "label": ctx.t("legend.partner"), "bind": "layer:partners"})
    if zones:
        z = s.zone_intervention
        side.append({"fill": _rgba(z.fill, z.alpha), "edge": z.edge, "label": ctx.t("legend.zone"), "bind": "layer:zones"})
    if side:
        out.append({"title": ctx.t("legend.partner_title"), "entries": side})
    if themes:
        out.append({"title": ctx.t("legend.themes_title"), "bind": "layer:links" if types else None,
                    "entries": [{"line": t["color"], "label": t["label"], "bind": f"theme:{t['key']}"} for t in themes]})
    return out


def _rgba(hex_colour: str, alpha: float) -> str:
    """A style colour with the style's alpha, as CSS (for legend swatches of translucent fills)."""
    h = hex_colour.lstrip("#")
    if len(h) in (3, 4):
        h = "".join(c * 2 for c in h)
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _country(joined: JoinResult, ctx: _Ctx) -> _Page:
    from atlasmaps.layout import content as C

    partner = (ctx.options.partner or "").upper()
    c = C.country_content(joined, partner)
    country = ctx.country_name(partner, partner)
    p = ctx.precision
    mapped = [r for r in joined.mapped if r.partnership.pays == partner]
    rows = [_row_payload(ctx, r) for r in mapped]
    pa_rows: dict[tuple[str, float, float], list[int]] = {}
    zone_rows: dict[str, list[int]] = {}
    for i, r in enumerate(mapped):
        q = r.partner
        if q and q.lon is not None and q.lat is not None:
            pa_rows.setdefault((q.name, round(q.lon, 5), round(q.lat, 5)), []).append(i)
        if q and q.admin1_id:
            zone_rows.setdefault(q.admin1_id, []).append(i)
    themes_of: dict[str, list[str]] = {}
    for r in mapped:
        if r.partner:
            themes_of.setdefault(r.partner.name, []).extend(r.partnership.thematiques)
    places, pts = _partner_places(ctx, c.partner_points, themes_of, pa_rows, country, p)
    themes = ctx.theme_entries(t for r in mapped for t in r.partnership.thematiques)
    theme_labels = {t["key"]: t["label"] for t in themes}
    s = ctx.style
    zone = s.zone_intervention
    zones = feature_collection(c.zones, ["admin1_id", "name", "n"], p, ctx.tolerance, rename={"admin1_id": "id"}) if not c.zones.empty else None
    payload = ctx.base_payload(MapKind.COUNTRY)
    if zones:
        for f in zones["features"]:
            f["properties"]["label"] = ctx.count_label(int(f["properties"]["n"] or 0), "partnership")
    payload.update(
        rows=rows,
        places=places,
        zones=zones,
        zone_rows=zone_rows,
        zone_style={"fill": zone.fill, "alpha": zone.alpha, "edge": zone.edge, "edge_width": zone.edge_width_px},
        types=[],
        themes=themes,
        layers=[{"key": k, "label": ctx.t(f"web.layer.{k}")} for k in ("partners", "zones") if k != "zones" or zones],
        bounds=_bounds([_outline_box(c.partner_outline, pts)]),
    )
    payload["legend"] = _legend_points(ctx, [], themes, zones=zones is not None)
    title = ctx.t("title.country", partner_in=s.country_phrase(country, partner, ctx.lang, form="in"))
    subtitle = ctx.ct("subtitle.country", c.n_partnerships, count=c.n_partnerships)
    basemap = _basemap(ctx, {partner: s.basemap.partner_land}, near=c.context_countries)
    return _Page(title, subtitle, payload, basemap, _partnership_table(ctx, title, rows, theme_labels), list(c.warnings))


def _classes(ctx: _Ctx, values: Sequence[int]) -> tuple[list[float], list[dict[str, Any]]]:
    """Choropleth classes shared with print: `content.classify` bins, the style's colours."""
    from atlasmaps.layout.content import classify

    positive = [v for v in values if v and v > 0]
    scheme = ctx.options.scheme or ctx.style.choropleth.scheme
    bins = classify(positive, scheme=scheme, k=ctx.style.choropleth.k)
    colours = ctx.style.choropleth_colors(len(bins)) if bins else []
    classes = []
    low = min(positive) if positive else 0
    for i, (b, colour) in enumerate(zip(bins, colours)):
        lo = int(low) if i == 0 else int(math.floor(bins[i - 1])) + 1
        hi = int(b)
        label = (ctx.ct("legend.class_single", hi, value=hi) if lo >= hi
                 else ctx.ct("legend.class", hi, low=lo, high=hi))
        classes.append({"color": colour, "label": label})
    return bins, classes


def _choropleth_payload(ctx: _Ctx, kind: MapKind, fc: dict[str, Any], values: dict[str, int], highlight: set[str],
                        unit_rows: dict[str, list[int]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    from atlasmaps.layout.content import class_of

    bins, classes = _classes(ctx, list(values.values()))
    s = ctx.style.choropleth
    for f in fc["features"]:
        props = f["properties"]
        n = int(values.get(props["id"], 0))
        props["n"] = n
        props["k"] = class_of(n, bins) if bins else -1
        props["hl"] = props["id"] in highlight
        props["label"] = ctx.count_label(n) if n else ctx.t("legend.no_data")
    payload = ctx.base_payload(kind)
    payload.update(
        rows=rows,
        choropleth={"features": fc, "classes": classes, "no_data": s.no_data, "highlight": s.france, "edge": s.edge,
                    "edge_width": s.edge_width_px, "opacity": s.opacity, "rows": unit_rows},
        types=[],
        themes=[],
        layers=[],
        places=[],
    )
    entries = [{"fill": c["color"], "label": c["label"]} for c in classes]
    entries.append({"fill": s.no_data, "label": ctx.t("legend.no_data")})
    if highlight:
        entries.append({"fill": s.france, "label": ctx.t("legend.france")})
    payload["legend"] = [{"title": ctx.t("legend.classes_title"), "entries": entries}]
    return payload


def _world(joined: JoinResult, ctx: _Ctx) -> _Page:
    from atlasmaps.layout import content as C

    w = C.world_content(joined, ctx.lang)
    mapped = list(joined.mapped)
    rows = [{"f": r.french.name if r.french else r.partnership.collectivite, "p": r.partner.name if r.partner else r.partnership.partenaire,
             "y": r.partnership.annee} for r in mapped]
    by_country: dict[str, list[int]] = {}
    for i, r in enumerate(mapped):
        by_country.setdefault(r.partnership.pays, []).append(i)
    countries = w.countries.rename(columns={"iso_a2": "id"})
    # the world at 110m-like detail: a whole-world layer at the style's tolerance would be too heavy
    fc = feature_collection(countries, ["id", "name"], min(ctx.precision, 2), max(ctx.tolerance, 0.1))
    values = {str(k): int(v) for k, v in zip(w.countries["iso_a2"], w.countries["n"]) if v}
    payload = _choropleth_payload(ctx, MapKind.WORLD, fc, values, {"FR"}, by_country, rows)
    payload["bounds"] = [[-58, -170], [80, 190]]
    title = ctx.t("title.world")
    from atlasmaps.layout.text import world_subtitle

    subtitle = world_subtitle(ctx.style, w.total, w.n_countries, ctx.lang)
    headers = [ctx.t("web.table.country"), ctx.t("legend.classes_title")]
    per_iso = sorted(((nm, n) for _, nm, n in [(i, nm, n) for i, nm, n in _per_country(w)]), key=lambda t: (-t[1], t[0]))
    table = _table(ctx, title, headers, per_iso)
    warnings = [f"{iso}: not in the countries layer" for iso in w.unknown_countries]
    return _Page(title, subtitle, payload, [], table, warnings)


def _per_country(w: Any) -> list[tuple[str, str, int]]:
    seen: dict[str, tuple[str, str, int]] = {}
    for iso, nm, n in zip(w.countries["iso_a2"], w.countries["name"], w.countries["n"]):
        if n and iso not in seen:
            seen[iso] = (iso, str(nm), int(n))
    return list(seen.values())


def _france(joined: JoinResult, ctx: _Ctx) -> _Page:
    from shapely import prepared

    from atlasmaps import boundaries
    from atlasmaps.layout import content as C

    level = ctx.options.level
    fr = C.france_content(joined, level)
    mapped = list(joined.mapped)
    rows = [{"f": r.french.name if r.french else r.partnership.collectivite, "p": r.partner.name if r.partner else r.partnership.partenaire,
             "y": r.partnership.annee} for r in mapped]
    deps = boundaries.load("fr_departements")
    dep_region = dict(zip(deps["code"].astype(str), deps["region"].astype(str)))
    codes = list(fr.units["code"].astype(str))
    shapes = [prepared.prep(g) for g in fr.units.geometry]
    by_unit: dict[str, list[int]] = {}
    for i, r in enumerate(mapped):
        code = C._unit_code(r, level, dep_region)
        if code not in codes and r.french is not None and r.french.lon is not None and r.french.lat is not None:
            from shapely.geometry import Point

            pt = Point(r.french.lon, r.french.lat)
            code = next((c for c, g in zip(codes, shapes) if g.contains(pt)), None)
        if code in codes:
            by_unit.setdefault(code, []).append(i)
    units = fr.units.rename(columns={"code": "id"})
    fc = feature_collection(units, ["id", "name"], ctx.precision, ctx.tolerance)
    values = {str(c): int(n) for c, n in zip(fr.units["code"], fr.units["n"])}
    payload = _choropleth_payload(ctx, MapKind.FRANCE, fc, values, set(), by_unit, rows)
    payload["bounds"] = _bounds([C.METRO_BBOX])
    title = ctx.t("title.france")
    subtitle = ctx.t(f"subtitle.france_{level}")
    basemap = _basemap(ctx, {}, near=C._context([C.METRO_BBOX]))
    headers = [ctx.t(f"legend.type.{level}"),
               ctx.t("legend.classes_title")]
    table = _table(ctx, title, headers, sorted(((nm, int(n)) for nm, n in zip(fr.units["name"], fr.units["n"]) if n),
                                              key=lambda t: (-t[1], t[0])))
    warnings = [f"{fr.unplaced} partnership(s) could not be placed in a {level}"] if fr.unplaced else []
    return _Page(title, subtitle, payload, basemap, table, warnings)


_BUILDERS = {MapKind.BILATERAL: _bilateral, MapKind.COUNTRY: _country, MapKind.WORLD: _world, MapKind.FRANCE: _france}


# ------------------------------------------------------------------------------------------------
# HTML assembly


def _css_variables(style: Style) -> str:
    """The style as CSS custom properties: atlas.css holds layout only, every look comes from here."""
    b = style.blocks
    lg = style.legend
    values = {
        "font": style.css_font_family(),
        "text": lg.entry_color,
        "muted": b.source.color,
        "sea": style.basemap.sea,
        "accent": style.web.accent,
        "accent-text": style.web.accent_text,
        "stripe": style.web.table_stripe,
        "frame": lg.frame_color,
        "panel-bg": _rgba(lg.background, lg.background_alpha),
        "panel-solid": lg.background,
        "title-size": f"{b.title.size_px}px",
        "title-color": b.title.color,
        "title-weight": b.title.weight,
        "title-transform": "uppercase" if b.title.uppercase else "none",
        "subtitle-size": f"{b.subtitle.size_px}px",
        "subtitle-color": b.subtitle.color,
        "source-size": f"{b.source.size_px}px",
        "source-color": b.source.color,
        "legend-title-size": f"{lg.title_size_px}px",
        "legend-title-color": lg.title_color,
        "legend-title-transform": "uppercase" if lg.title_uppercase else "none",
        "entry-size": f"{lg.entry_size_px}px",
    }
    body = "".join(f"--atlas-{k}:{v};" for k, v in values.items())
    return f":root{{{body}}}"


def _make_map(page: _Page, style: Style, options: RenderOptions, lang: str, attribution: str) -> str:
    import folium
    from branca.element import Element, Figure, MacroElement
    from jinja2 import Template

    class AtlasFigure(Figure):
        """branca's Figure with `lang`, an escaped title and the script inside <body>."""

        _template = Template(
            "<!DOCTYPE html>\n<html lang=\"{{ this.lang }}\">\n<head>\n"
            "<title>{{ this.page_title|e }}</title>\n"
            "{{ this.header.render(**kwargs) }}\n</head>\n<body>\n"
            "{{ this.html.render(**kwargs) }}\n<script>\n{{ this.script.render(**kwargs) }}\n</script>\n"
            "</body>\n</html>\n"
        )

    class AtlasMap(folium.Map):
        """folium's Map without its CDN assets and its zoom-blocking viewport meta."""

        _template = Template(
            "{% macro header(this, kwargs) %}{% endmacro %}"
            "{% macro html(this, kwargs) %}"
            "<main class=\"folium-map\" id=\"{{ this.get_name() }}\" aria-label=\"{{ this.aria_label|e }}\"></main>"
            "{% endmacro %}"
            "{% macro script(this, kwargs) %}"
            "var {{ this.get_name() }} = L.map(\"{{ this.get_name() }}\", {{ this.leaflet_options }});"
            "{% endmacro %}"
        )
        default_js: list = []
        default_css: list = []

    class AtlasLayer(MacroElement):
        """Our data layers, drawn by web_assets/atlas.js from one JSON payload."""

        _template = Template(
            "{% macro script(this, kwargs) %}"
            "{{ this.map_name }}.attributionControl.setPrefix(false).addAttribution({{ this.attribution }});"
            "atlasInit({{ this.map_name }}, {{ this.payload }});"
            "{% endmacro %}"
        )

    leaflet_js, leaflet_css = leaflet_assets()
    atlas_js, atlas_css = _atlas_assets()
    m = AtlasMap(tiles=None, location=[20, 10], zoom_start=2, control_scale=True)
    m.aria_label = page.title
    m.leaflet_options = _script_json({"center": [20, 10], "zoom": 2, "minZoom": 1, "maxZoom": 12, "zoomSnap": 0.25,
                                      "worldCopyJump": False, "keyboard": True})
    fig = AtlasFigure()
    fig.lang = lang
    fig.page_title = page.title
    fig.add_child(m)
    esc = html.escape
    fig.header.add_child(Element(
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="description" content="{esc(page.title + " – " + page.subtitle)}">\n'
        f"<style>{leaflet_css}</style>\n<style>{_css_variables(style)}\n{atlas_css}</style>\n"
        f"<script>{leaflet_js}</script>\n<script>{atlas_js}</script>"
    ), name="atlas_head")
    heading = (f'<header class="atlas-heading" id="atlas-heading"><h1>{esc(page.title)}</h1>'
               f"<p>{esc(page.subtitle)}</p></header>")
    fig.html.add_child(Element(page.table_html + heading), name="atlas_body")
    if options.tiles:
        tiles = folium.TileLayer(tiles=options.tiles, attr=esc(options.tiles) if "{" in options.tiles else None,
                                control=False)  # Leaflet inserts the attribution as HTML
        tiles.add_to(m)
    layer = AtlasLayer()
    layer.map_name = m.get_name()
    # an online basemap replaces the drawn one (which would hide it)
    layer.payload = _script_json({**page.payload, "basemap": [] if options.tiles else page.basemap})
    layer.attribution = _script_json(esc(attribution))
    layer.add_to(m)
    return fig.render()


def embed_snippet(html_name: str, title: str, height_px: int) -> str:
    """The iframe to paste in a web page: responsive width, the style's height, a title for AT."""
    esc = html.escape
    return (
        f'<iframe src="{esc(html_name)}" title="{esc(title)}" loading="lazy" '
        f'style="width:100%;height:{int(height_px)}px;border:0" referrerpolicy="no-referrer"></iframe>\n'
    )


def render(joined: JoinResult, style: Style, options: RenderOptions) -> RenderedMap:
    """One interactive map as a self-contained HTML file (and its iframe snippet with `embed`)."""
    from atlasmaps import boundaries

    ctx = _Ctx(style, options)
    page = _BUILDERS[MapKind(options.kind)](joined, ctx)
    if page.payload.get("bounds") is None:
        page.payload["bounds"] = [[-58, -170], [80, 190]]
    attribution = " · ".join(x for x in (ctx.source_line(joined), boundaries.attribution(ctx.lang)) if x)
    text = _make_map(page, style, options, ctx.lang, attribution)
    data = text.encode("utf-8")
    files = {"html": data}
    extra: dict[str, bytes] = {}
    if options.embed:
        extra["embed.html"] = embed_snippet(f"{options.output_stem()}.html", page.title, style.web.map_height_px).encode()
    warnings = list(page.warnings)
    if options.tiles:
        warnings.append(f"online basemap {options.tiles}: the map makes requests outside its file")
    return RenderedMap(files=files, warnings=tuple(warnings), extra_files=extra)
