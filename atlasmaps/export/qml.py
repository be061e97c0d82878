"""QGIS styles (QML) of the exported layers, from the style sheet, so that the layers open in QGIS
looking like the print map: partners as the partner symbol, zones d'intervention in the zone fill,
links in the link colour, countries graduated in the choropleth palette.

`collectivites_francaises` gets none: it mixes points (communes, groupements) and polygons
(départements, régions), and a QGIS renderer holds symbols of one geometry type only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

if TYPE_CHECKING:
    from atlasmaps.style import Fill, Style, Symbol

#: QGIS marker names for the style sheet's web shapes.
QGIS_SHAPES = {"circle": "circle", "square": "square", "diamond": "diamond", "triangle": "triangle", "star": "star"}


def qgis_color(hex_color: str, alpha: float = 1.0) -> str:
    """'#RRGGBB[AA]' (or '#RGB') -> QGIS's 'r,g,b,a'."""
    h = hex_color.lstrip("#")
    if len(h) in (3, 4):
        h = "".join(c * 2 for c in h)
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    a = int(h[6:8], 16) if len(h) == 8 else 255
    return f"{r},{g},{b},{round(a * alpha)}"


def _props(**values: object) -> str:
    return "".join(f"<prop k={quoteattr(k)} v={quoteattr(str(v))}/>" for k, v in values.items())


def _marker(symbol: Symbol, name: str = "0") -> str:
    layer = _props(name=QGIS_SHAPES[symbol.web_shape], color=qgis_color(symbol.fill),
                   outline_color=qgis_color(symbol.edge), outline_width=symbol.edge_width_pt,
                   outline_width_unit="Point", size=symbol.size_pt, size_unit="Point")
    return (f'<symbol type="marker" name="{name}" alpha="1"><layer class="SimpleMarker" enabled="1">{layer}'
            "</layer></symbol>")


def _fill(fill: Fill, name: str = "0") -> str:
    layer = _props(color=qgis_color(fill.fill, fill.alpha), outline_color=qgis_color(fill.edge),
                   outline_width=fill.edge_width_pt, outline_width_unit="Point", style="solid")
    return f'<symbol type="fill" name="{name}" alpha="1"><layer class="SimpleFill" enabled="1">{layer}</layer></symbol>'


def _plain_fill(color: str, edge: str, width: float, alpha: float, name: str) -> str:
    layer = _props(color=qgis_color(color, alpha), outline_color=qgis_color(edge), outline_width=width,
                   outline_width_unit="Point", style="solid")
    return f'<symbol type="fill" name="{name}" alpha="1"><layer class="SimpleFill" enabled="1">{layer}</layer></symbol>'


def _line(style: Style) -> str:
    links = style.links
    layer = _props(line_color=qgis_color(links.color, links.opacity), line_width=links.weight_pt,
                   line_width_unit="Point", capstyle="round")
    return f'<symbol type="line" name="0" alpha="1"><layer class="SimpleLine" enabled="1">{layer}</layer></symbol>'


def _document(renderer: str, label_field: str | None = None) -> str:
    labels = ""
    if label_field:
        labels = (f'<labeling type="simple"><settings><text-style fieldName={quoteattr(label_field)}/>'
                  "</settings></labeling>")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis>{renderer}{labels}</qgis>\n"


def _single(symbol: str) -> str:
    return f'<renderer-v2 type="singleSymbol"><symbols>{symbol}</symbols></renderer-v2>'


def _graduated(style: Style, values: list[int], lang: str) -> str:
    """Countries by number of partnerships, in the world map's classes, palette and labels."""
    from atlasmaps.content.classes import classes_of

    c = style.choropleth
    classes = classes_of(style, lang, values)
    ranges, symbols, lower = [], [], 0.0
    for i, (upper, color, text) in enumerate(zip(classes.bins, classes.colours, classes.labels)):
        ranges.append(f'<range lower="{lower}" upper="{upper}" symbol="{i}" label={quoteattr(text)} render="true"/>')
        symbols.append(_plain_fill(color, c.edge, c.edge_width_pt, c.opacity, str(i)))
        lower = upper
    return (f'<renderer-v2 type="graduatedSymbol" attr="nb_partenariats" graduatedMethod="GraduatedColor">'
            f'<ranges>{"".join(ranges)}</ranges><symbols>{"".join(symbols)}</symbols></renderer-v2>')


def layer_styles(style: Style, country_counts: list[int], lang: str = "fr") -> dict[str, str]:
    """QML text per layer name (not `collectivites_francaises`, see the module's docstring)."""
    return {
        "partenaires": _document(_single(_marker(style.symbol("partner"))), "nom"),
        "zones_intervention": _document(_single(_fill(style.zone_intervention))),
        "liens": _document(_single(_line(style))),
        "pays": _document(_graduated(style, country_counts, lang)),
    }
