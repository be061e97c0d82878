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
- Same content as print: what to draw, the legend texts and the choropleth classes come from
  `atlasmaps.content` (shared with the static renderer); this module never reads boundaries.

Modules: `payload` (the payload and its schema), `kinds` (the four map kinds), `encode` (compact
geometry), `page` (the HTML assembly).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from atlasmaps.model import MapKind, RenderedMap
from atlasmaps.render.web import kinds as KD
from atlasmaps.render.web import page as PGE
from atlasmaps.render.web import payload as PL
from atlasmaps.render.web.encode import feature_collection, great_circle, useful_precision
from atlasmaps.render.web.page import embed_snippet, leaflet_assets

if TYPE_CHECKING:
    from atlasmaps.model import JoinResult, RenderOptions
    from atlasmaps.style import Style

__all__ = ["embed_snippet", "feature_collection", "great_circle", "leaflet_assets", "render", "useful_precision"]


def render(joined: JoinResult, style: Style, options: RenderOptions) -> RenderedMap:
    """One interactive map as a self-contained HTML file (and its iframe snippet with `embed`)."""
    from dataclasses import replace

    from atlasmaps import content

    # The web map writes years in popups, not beside the symbols (no year entry in its legend),
    # and draws the world as a choropleth (circles are print only).
    joined = content.in_map_language(joined, style, options)  # popups and tables name places as the map does
    ctx = PL.Ctx(style, options, content.build(joined, style, replace(options, show_years=False, symbols=False)))
    page = KD.BUILDERS[MapKind(options.kind)](joined, ctx)
    if page.payload.get("bounds") is None:
        page.payload["bounds"] = style.web.world_bounds
    texts = ctx.content.texts
    attribution = " · ".join(x for x in (texts.source, texts.attribution) if x)
    text = PGE.make_map(page, style, options, ctx.lang, attribution)
    data = text.encode("utf-8")
    files = {"html": data}
    extra: dict[str, bytes] = {}
    if options.embed:
        extra["embed.html"] = PGE.embed_snippet(f"{options.output_stem()}.html", page.title, style.web.map_height_px).encode()
    warnings = list(page.warnings)
    if options.tiles:
        warnings.append(f"online basemap {options.tiles}: the map makes requests outside its file")
    return RenderedMap(files=files, warnings=tuple(warnings), extra_files=extra)
