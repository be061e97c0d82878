"""What each map kind shows, independent of the output format (print or web).

Both renderers read a `MapContent` built here and nothing else: the boundary layers they draw
(`Layer`: geometry plus the style section that styles it), the points with their theme colour,
the legend sections with their texts (choropleth class labels included) and every text of the page.
This package is the only place on the rendering side that loads `atlasmaps.boundaries`; renderers
import `content`, `geo` and `style`, never `boundaries` (tests/test_architecture.py checks it).

One module per map kind (`bilateral`, `country`, `world`, `france`, `collectivite`), plus `classes` (choropleth
classes) and `legend` (legend sections). `build(joined, style, options)` picks the kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atlasmaps.content.types import MapContent
    from atlasmaps.model import JoinResult, RenderOptions
    from atlasmaps.style import Style


def build(joined: JoinResult, style: Style, options: RenderOptions) -> MapContent:
    """The content of the map `options` asks for (kind, partner, level, language)."""
    from atlasmaps.model import MapKind

    joined = in_map_language(joined, style, options)
    kind = MapKind(options.kind)
    if kind is MapKind.BILATERAL:
        from atlasmaps.content.bilateral import build as make
    elif kind is MapKind.COUNTRY:
        from atlasmaps.content.country import build as make
    elif kind is MapKind.COLLECTIVITE:
        from atlasmaps.content.collectivite import build as make
    elif kind is MapKind.WORLD:
        from atlasmaps.content.world import build as make
    else:
        from atlasmaps.content.france import build as make
    return make(joined, style, options)


def in_map_language(joined: JoinResult, style: Style, options: RenderOptions) -> JoinResult:
    """The rows with partner places named in the map's language (`common.in_map_language`); the web
    renderer's popups and tables read them too."""
    from atlasmaps.content.common import in_map_language as named, map_lang

    return named(joined, map_lang(style, options))
