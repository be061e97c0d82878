"""The HTML page: Leaflet and our assets inlined, the style as CSS variables, the escaped table,
the heading, and the payload in one script element."""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from atlasmaps.render.web.encode import rgba

if TYPE_CHECKING:
    from atlasmaps.content.types import FullList
    from atlasmaps.model import RenderOptions
    from atlasmaps.render.web.payload import Ctx, Page
    from atlasmaps.style import Style


#: Leaflet 1.9.4 as shipped by the django-js-lib-leaflet package.
LEAFLET_PACKAGE = "js_lib_leaflet"


LEAFLET_DIR = ("static", "js_lib_leaflet")


@lru_cache(maxsize=1)
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS text, from the installed package (no CDN).

    The CSS rules that point at Leaflet's images (layers control, default marker icon) are removed:
    the map uses neither, and a `url()` left in would be a request outside the file.
    """
    base = resources.files(LEAFLET_PACKAGE).joinpath(*LEAFLET_DIR)
    js = base.joinpath("leaflet.js").read_text(encoding="utf-8")
    css = base.joinpath("leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"[^;{}]*url\((?!#)[^)]*\)[^;{}]*;?", "", css)
    js = js.replace("//# sourceMappingURL=leaflet.js.map", "")
    return js, css


@lru_cache(maxsize=1)
def atlas_assets() -> tuple[str, str]:
    """Our own small script and stylesheet (web_assets/), read once per process."""
    base = resources.files("atlasmaps.render").joinpath("web_assets")
    return base.joinpath("atlas.js").read_text(encoding="utf-8"), base.joinpath("atlas.css").read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no `</script>`, no HTML-significant character."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def table(ctx: Ctx, caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], row_ids: bool = False) -> str:
    """The plain HTML table behind the 'show table' button (escaped; read by screen readers).

    It is shown as the page itself when JavaScript is off (`<noscript>` in the head); with
    `row_ids`, each row carries its index in the payload's rows, so the year filter can hide it.
    """
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        (f'<tr data-r="{i}">' if row_ids else "<tr>") + "".join(f"<td>{esc('' if v is None else str(v))}</td>" for v in row) + "</tr>" for i, row in enumerate(rows)
    )
    return (
        f'<div id="atlas-table" hidden tabindex="-1" role="region" aria-label="{esc(caption)}">'
        f'<button type="button" class="atlas-button atlas-table-close">{esc(ctx.t("web.hide_table"))}</button>'
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def partnership_table(ctx: Ctx, caption: str, rows: Sequence[dict[str, Any]], themes: dict[str, str]) -> str:
    keys = ("french", "type", "partner", "zone", "country", "year", "nature", "themes")
    headers = [ctx.t(f"web.table.{k}") for k in keys]
    body = [
        (r["f"], r["ftl"], r["p"], r["z"], r["c"], r["y"], r["na"], ", ".join(themes.get(k, k) for k in r["th"]))
        for r in rows
    ]
    return table(ctx, caption, headers, body, row_ids=True)


def full_list(full: FullList | None) -> str:
    """The map's list in full beside it (country: the zones and their French partners; collectivité:
    its partners by country), where the print map could hold only part of it. Plain HTML: read by
    screen readers, reachable and scrollable from the keyboard, shown without JavaScript."""
    if full is None or not full.entries:
        return ""
    esc = html.escape

    def cell(lines: tuple[str, ...]) -> str:
        if len(lines) == 1:
            return esc(lines[0])
        return "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul>"

    rows = "".join(f'<tr id="atlas-{esc(e.gid)}"><th scope="row">{esc(e.heading)}</th><td>{cell(e.lines)}</td></tr>'
                   for e in full.entries)
    return (
        '<aside id="atlas-list" tabindex="0" aria-labelledby="atlas-list-title">'
        f'<h2 id="atlas-list-title">{esc(full.title)}</h2>'
        f'<table><thead><tr><th scope="col">{esc(full.head[0])}</th><th scope="col">{esc(full.head[1])}</th></tr>'
        f"</thead><tbody>{rows}</tbody></table></aside>"
    )


def css_variables(style: Style) -> str:
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
        "panel-bg": rgba(lg.background, lg.background_alpha),
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
        "highlight": style.web.highlight,
        "dim": str(style.web.dim_opacity),
        "list-width": f"{style.web.list_width_px}px",
    }
    body = "".join(f"--atlas-{k}:{v};" for k, v in values.items())
    return f":root{{{body}}}"


def make_map(page: Page, style: Style, options: RenderOptions, lang: str, attribution: str) -> str:
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
    atlas_js, atlas_css = atlas_assets()
    w = style.web
    m = AtlasMap(tiles=None, location=w.start_center, zoom_start=w.start_zoom, control_scale=True)
    m.aria_label = page.title
    m.leaflet_options = script_json({"center": w.start_center, "zoom": w.start_zoom, "minZoom": w.min_zoom,
                                     "maxZoom": w.max_zoom, "zoomSnap": w.zoom_snap,
                                     "worldCopyJump": False, "keyboard": True})
    fig = AtlasFigure()
    fig.lang = lang
    fig.page_title = page.title
    fig.add_child(m)
    esc = html.escape
    fig.header.add_child(Element(
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="description" content="{esc(page.title + " – " + page.subtitle)}">\n'
        f"<style>{leaflet_css}</style>\n<style>{css_variables(style)}\n{atlas_css}</style>\n"
        f"<script>{leaflet_js}</script>\n<script>{atlas_js}</script>\n"
        # without JavaScript the page is its table of partnerships
        "<noscript><style>#atlas-table[hidden]{display:block}.atlas-table-close{display:none}</style></noscript>"
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
    layer.payload = script_json({**page.payload, "basemap": [] if options.tiles else page.basemap})
    layer.attribution = script_json(esc(attribution))
    layer.add_to(m)
    return fig.render()


def embed_snippet(html_name: str, title: str, height_px: int) -> str:
    """The iframe to paste in a web page: responsive width, the style's height, a title for AT."""
    esc = html.escape
    return (
        f'<iframe src="{esc(html_name)}" title="{esc(title)}" loading="lazy" '
        f'style="width:100%;height:{int(height_px)}px;border:0" referrerpolicy="no-referrer"></iframe>\n'
    )
