"""Print maps (PDF, SVG, PNG) with matplotlib, from the format-independent layout content.

Why this shape:
- Geometries arrive projected, clipped and simplified (`atlasmaps.layout.geometry`) and are drawn
  as matplotlib paths in projected metres on plain axes: no reprojection at draw time.
- The figure is laid out once (labels measured and placed once) and each asked format is written
  from that same figure into memory; PDF and SVG carry fixed metadata and hash salt, so the same
  input gives the same bytes.
- Every colour, font, size and text comes from the resolved style (`atlasmaps.style.Style`).
- Features carry SVG ids (`commune-69123`, `zone-JP.TK`) and classes (`collectivite commune`),
  so cartographers can restyle the SVG in Illustrator/Inkscape and tests can count symbols.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from atlasmaps.layout import content as C
from atlasmaps.layout import geometry as G
from atlasmaps.layout import projection as P
from atlasmaps.layout.labels import LabelLine, LabelRequest, Leaders, place_labels, symbol_box
from atlasmaps.layout.text import counted, format_number, source_line, world_subtitle
from atlasmaps.model import JoinResult, MapKind, RenderedMap, RenderOptions

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from atlasmaps.style import Style

#: Layout resolution (dots per inch) used while placing labels; output dpi is independent.
LAYOUT_DPI = 72
PT_PER_MM = 72 / 25.4
#: Overseas départements -> the key of their inset caption (labels `inset.XX`) and a local CRS.
OVERSEAS_INSETS: dict[str, tuple[str, str]] = {
    "971": ("GP", "EPSG:5490"),  # RGAF09 / UTM 20N
    "972": ("MQ", "EPSG:5490"),
    "973": ("GF", "EPSG:2972"),  # RGFG95 / UTM 22N
    "974": ("RE", "EPSG:2975"),  # RGR92 / UTM 40S
    "976": ("YT", "EPSG:4471"),  # RGM04 / UTM 38S
}
#: Class attribute added to SVG groups by id prefix (matplotlib writes ids, not classes).
SVG_CLASSES: dict[str, str] = {
    "region": "collectivite region",
    "departement": "collectivite departement",
    "groupement": "collectivite groupement",
    "commune": "collectivite commune",
    "zone": "zone-intervention",
    "partner": "partenaire",
    "label": "label",
    "leader": "label leader",
    "years": "label annee",
    "legend-entry": "legend-entry",
    "country": "pays",
    "unit": "unite",
    "circle": "cercle",
}


# ------------------------------------------------------------------------------------ page layout


@dataclass(frozen=True)
class Box:
    """A rectangle on the page in millimetres from the lower-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def top(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w


@dataclass
class Canvas:
    """The figure plus the page geometry, so drawing code thinks in millimetres."""

    fig: Figure
    width_mm: float
    height_mm: float
    style: Style
    lang: str
    obstacles: list = field(default_factory=list)  # display boxes labels must avoid
    requests: list[LabelRequest] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def axes(self, box: Box, gid: str | None = None, frame: bool = True) -> Axes:
        ax = self.fig.add_axes(
            (box.x / self.width_mm, box.y / self.height_mm, box.w / self.width_mm, box.h / self.height_mm)
        )
        ax.set_xticks([])
        ax.set_yticks([])
        if gid:
            ax.set_gid(gid)
        if not frame:
            ax.set_axis_off()
        return ax

    def mm_axes(self, box: Box, gid: str | None = None) -> Axes:
        """An invisible axes whose data units are millimetres from the box's lower-left corner."""
        ax = self.axes(box, gid, frame=False)
        ax.set_xlim(0, box.w)
        ax.set_ylim(0, box.h)
        return ax

    def text(self, key: str, **fields: Any) -> str:
        return self.style.text(key, self.lang, **fields)

    def count_text(self, key: str, n: float, **fields: Any) -> str:
        """The label `key` in the singular or plural form the count `n` asks for ("1 projet")."""
        return counted(self.style, key, n, self.lang, **fields)


def _page_boxes(style: Style, page: str) -> tuple[float, float, Box]:
    pg = style.page(page)
    m = pg.margins_mm
    inner = Box(m.left, m.bottom, pg.width_mm - m.left - m.right, pg.height_mm - m.top - m.bottom)
    return pg.width_mm, pg.height_mm, inner


def _block_height_mm(style: Style, block: str, lines: int = 1) -> float:
    size = getattr(style.blocks, block).size_pt
    return lines * size * 1.25 / PT_PER_MM


def _block_props(style: Style, block: str) -> dict[str, Any]:
    b = getattr(style.blocks, block)
    return {"fontsize": b.size_pt, "color": b.color, "fontweight": b.weight, "fontstyle": b.style}


def _header(cv: Canvas, inner: Box, title: str, subtitle: str) -> float:
    """Title and subtitle at the top; returns the height used (mm)."""
    st = cv.style
    t = st.blocks.title
    title = title.upper() if t.uppercase else title
    subtitle = subtitle.upper() if st.blocks.subtitle.uppercase else subtitle
    th = _block_height_mm(st, "title")
    sh = _block_height_mm(st, "subtitle")
    height = th + sh + 3.0
    ax = cv.mm_axes(Box(inner.x, inner.top - height, inner.w, height), gid="header")
    x = {"left": 0, "center": inner.w / 2, "right": inner.w}
    ax.text(x[t.align], height, title, ha=t.align, va="top", gid="title", **_block_props(st, "title"))
    s = st.blocks.subtitle
    ax.text(x[s.align], height - th - 1.0, subtitle, ha=s.align, va="top", gid="subtitle",
            **_block_props(st, "subtitle"))
    return height + 2.0


def _footer(cv: Canvas, inner: Box, joined: JoinResult) -> float:
    """Source line (with the data's date), boundary attribution, credits; returns height (mm)."""
    from atlasmaps import boundaries

    st = cv.style
    source = source_line(st, joined, cv.lang)
    attribution = boundaries.attribution(cv.lang)
    year = (joined.data_date or "")[:4] or "—"
    credits = cv.text("credits", year=year)
    lh = _block_height_mm(st, "source")
    width_chars = max(40, int(inner.w * 0.72 / (st.blocks.source.size_pt * 0.5 / PT_PER_MM)))
    src_lines = textwrap.wrap(source, width_chars) + textwrap.wrap(attribution, width_chars)
    height = lh * len(src_lines) + 1.0
    ax = cv.mm_axes(Box(inner.x, inner.y, inner.w, height), gid="footer")
    ax.text(0, height, "\n".join(src_lines), ha="left", va="top", gid="source", linespacing=1.15,
            **_block_props(st, "source"))
    c = st.blocks.credits
    ax.text(inner.w if c.align != "left" else 0, height, credits, ha="right" if c.align != "left" else "left",
            va="top", gid="credits", **_block_props(st, "credits"))
    return height + 2.0


# ------------------------------------------------------------------------------------ drawing


def _path_of(geom) -> Any:
    """A matplotlib Path (with holes) from a projected Polygon/MultiPolygon."""
    import numpy as np
    from matplotlib.path import Path

    verts, codes = [], []
    polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    for poly in polys:
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            c = np.full(len(xy), Path.LINETO, dtype=np.uint8)
            c[0] = Path.MOVETO
            c[-1] = Path.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return Path(np.concatenate(verts), np.concatenate(codes))


def _draw_polys(ax: Axes, geoms: Iterable, *, gid: str | None = None, zorder: float = 1, **props) -> Any:
    """One PathCollection for many polygons (fast; one SVG group)."""
    from matplotlib.collections import PathCollection

    paths = [p for p in (_path_of(g) for g in geoms if g is not None) if p is not None]
    if not paths:
        return None
    coll = PathCollection(paths, zorder=zorder, **props)
    if gid:
        coll.set_gid(gid)
    ax.add_collection(coll, autolim=False)
    return coll


def _draw_feature(ax: Axes, geom, gid: str, zorder: float, **props) -> Any:
    """One PathPatch per feature, so the SVG carries the feature's id."""
    from matplotlib.patches import PathPatch

    path = _path_of(geom) if geom is not None else None
    if path is None:
        return None
    patch = PathPatch(path, zorder=zorder, **props)
    patch.set_gid(gid)
    ax.add_patch(patch)
    return patch


def _marker(ax: Axes, x: float, y: float, sym, gid: str, zorder: float = 5, fill: str | None = None) -> Any:
    """A point symbol (one Line2D per feature, for its SVG id)."""
    (line,) = ax.plot(
        [x], [y], linestyle="none", marker=sym.marker, markersize=sym.size_pt,
        markerfacecolor=fill or sym.fill, markeredgecolor=sym.edge, markeredgewidth=sym.edge_width_pt,
        zorder=zorder,
    )
    line.set_gid(gid)
    return line


def _slug(text: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "x"


def _setup_map_axes(ax: Axes, frame: P.Frame, style: Style) -> None:
    ax.set_xlim(frame.xmin, frame.xmax)
    ax.set_ylim(frame.ymin, frame.ymax)
    ax.set_aspect("auto")
    ax.set_facecolor(style.basemap.sea)
    for spine in ax.spines.values():
        spine.set_edgecolor(style.legend.frame_color)
        spine.set_linewidth(style.legend.frame_width_pt)


def _panel_frame(frame: P.Frame, box: Box, pad: float = 0.04) -> P.Frame:
    return frame.fit(box.w / box.h, pad=pad)


def _draw_basemap(ax: Axes, frame: P.Frame, box: Box, style: Style, highlight: dict[str, str]) -> None:
    """Countries of the frame: grey land, white borders; `highlight` iso2 -> fill colour."""
    from atlasmaps import boundaries

    tol = G.tolerance_m(frame, box.w)
    countries = G.project_layer("countries:50m", boundaries.load("countries"), frame, tol)
    bm = style.basemap
    plain = countries[~countries["iso_a2"].isin(list(highlight))]
    _draw_polys(ax, plain.geometry, gid="basemap-countries", zorder=1, facecolor=bm.land, edgecolor=bm.border,
                linewidth=bm.border_width_pt)
    for iso, colour in highlight.items():
        sel = countries[countries["iso_a2"] == iso]
        _draw_polys(ax, sel.geometry, gid=f"country-{iso}", zorder=1.1, facecolor=colour, edgecolor=bm.border,
                    linewidth=bm.border_width_pt)


def _project_points(gdf: gpd.GeoDataFrame, frame: P.Frame):
    if len(gdf) == 0:
        return [], []
    xs, ys = G.project_points(gdf.geometry.x.values, gdf.geometry.y.values, frame)
    return list(xs), list(ys)


def _displace(xs: Sequence[float], ys: Sequence[float], radii_pt: Sequence[float], frame: P.Frame,
              box: Box) -> tuple[list[float], list[float]]:
    """Move symbols that would hide each other (a groupement and its central commune) side by side.

    Cartographic displacement: later symbols slide right until they touch, not cover, the earlier.
    """
    m_per_pt = frame.width / (box.w * PT_PER_MM)
    out_x, out_y = list(xs), list(ys)
    for i in range(len(out_x)):
        ri = radii_pt[i] * m_per_pt
        for _ in range(8):
            hit = None
            for j in range(i):
                rj = radii_pt[j] * m_per_pt
                if math.hypot(out_x[i] - out_x[j], out_y[i] - out_y[j]) < (ri + rj) * 0.9:
                    hit = j
                    break
            if hit is None:
                break
            rj = radii_pt[hit] * m_per_pt
            out_x[i] = out_x[hit] + (ri + rj) * 1.05
    return out_x, out_y


def _in_frame(x: float, y: float, frame: P.Frame) -> bool:
    return frame.xmin <= x <= frame.xmax and frame.ymin <= y <= frame.ymax


def _scale_bar(cv: Canvas, ax: Axes, frame: P.Frame, box: Box) -> None:
    """A scale bar of a round length (1, 2, 5 × 10^n km) in the panel's corner (projected metres)."""
    sb = cv.style.scale_bar
    if not sb.show:
        return
    target = frame.width * sb.length_fraction
    exp = 10 ** math.floor(math.log10(target))
    length = max(m * exp for m in (1, 2, 5) if m * exp <= target)
    km = length / 1000
    label = f"{km:g} {cv.text('scale.unit')}"
    mx, my = frame.width * 0.04, frame.height * 0.035
    right = sb.position.endswith("right")
    upper = sb.position.startswith("upper")
    x1 = frame.xmax - mx if right else frame.xmin + mx + length
    x0 = x1 - length
    y0 = frame.ymax - my * 2 if upper else frame.ymin + my
    bar_h = sb.bar_height_pt / 72 * 25.4 * frame.height / box.h
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x0, y0), length / 2, bar_h, facecolor=sb.color, edgecolor=sb.color, linewidth=0.4,
                           zorder=8, gid=None))
    ax.add_patch(Rectangle((x0 + length / 2, y0), length / 2, bar_h, facecolor="none", edgecolor=sb.color,
                           linewidth=0.4, zorder=8))
    t = ax.text((x0 + x1) / 2, y0 + bar_h * 1.6, label, ha="center", va="bottom", fontsize=sb.size_pt,
                color=sb.color, zorder=8, gid="scale-bar-label")
    _halo(t, cv.style)
    renderer = cv.fig.canvas.get_renderer()
    bb = t.get_window_extent(renderer)
    p0 = ax.transData.transform((x0, y0))
    p1 = ax.transData.transform((x1, y0 + bar_h))
    cv.obstacles.append((min(p0[0], bb.x0) - 2, p0[1] - 2, max(p1[0], bb.x1) + 2, bb.y1 + 2))


def _north_arrow(cv: Canvas, ax: Axes, frame: P.Frame) -> None:
    na = cv.style.north_arrow
    right = na.position.endswith("right")
    upper = na.position.startswith("upper")
    x = 0.95 if right else 0.05
    y = 0.93 if upper else 0.1
    ann = ax.annotate(cv.text("north"), xy=(x, y), xytext=(x, y - 0.07), xycoords="axes fraction",
                      ha="center", va="center", fontsize=na.size_pt * 0.6, color=na.color, fontweight="bold",
                      arrowprops={"arrowstyle": "-|>", "color": na.color, "linewidth": 0.8}, zorder=9)
    ann.set_gid("north-arrow")
    renderer = cv.fig.canvas.get_renderer()
    bb = ann.get_window_extent(renderer)
    top = ax.transAxes.transform((x, y))
    cv.obstacles.append((bb.x0 - 3, bb.y0 - 3, bb.x1 + 3, max(bb.y1, top[1]) + 3))


def _halo(t, style: Style) -> None:
    import matplotlib.patheffects as pe

    pl = style.place_labels
    t.set_path_effects([pe.withStroke(linewidth=pl.halo_width_pt, foreground=pl.halo_color)])


def _label_props(style: Style) -> dict[str, Any]:
    import matplotlib.patheffects as pe

    pl = style.place_labels
    return {"fontsize": pl.size_pt, "color": pl.color, "fontweight": pl.weight, "zorder": 7,
            "path_effects": [pe.withStroke(linewidth=pl.halo_width_pt, foreground=pl.halo_color)]}


def _year_props(style: Style) -> dict[str, Any]:
    import matplotlib.patheffects as pe

    y = style.years
    pl = style.place_labels
    return {"fontsize": y.size_pt, "color": y.color, "fontweight": y.weight, "zorder": 7,
            "path_effects": [pe.withStroke(linewidth=pl.halo_width_pt, foreground=pl.halo_color)]}


def _show_years(style: Style, options: RenderOptions) -> bool:
    return style.years.show if options.show_years is None else options.show_years


def _years_text(years: Sequence[int]) -> str:
    return ", ".join(str(y) for y in years)


# ------------------------------------------------------------------------------------ legend


class LegendWriter:
    """Stacks legend sections top-down in a millimetre axes; each entry gets an SVG id.

    With `columns` > 1 the box is split in columns and `column(i)` moves to the top of column i
    (the bilateral map's legend is a band of columns under the two panels).
    """

    def __init__(self, cv: Canvas, box: Box, columns: int = 1) -> None:
        self.cv = cv
        self.box = box
        self.ax = cv.mm_axes(box, gid="legend")
        self.y = box.h
        self.x0 = 0.0
        self.col_w = box.w / columns
        lg = cv.style.legend
        self.entry_h = max(lg.entry_size_pt, 6.0) * 1.45 / PT_PER_MM
        self.sym_w = 6.0
        self.chars = max(12, int((self.col_w - self.sym_w - 3) / (lg.entry_size_pt * 0.5 / PT_PER_MM)))

    def column(self, i: int) -> None:
        self.x0 = i * self.col_w
        self.y = self.box.h

    def title(self, text: str) -> None:
        lg = self.cv.style.legend
        text = text.upper() if lg.title_uppercase else text
        lines = textwrap.wrap(text, max(12, int((self.col_w - 3) / (lg.title_size_pt * 0.55 / PT_PER_MM))))
        if self.y < self.box.h:
            self.y -= 2.0
        self.ax.text(self.x0, self.y, "\n".join(lines), ha="left", va="top", fontsize=lg.title_size_pt,
                     color=lg.title_color, fontweight="bold", linespacing=1.1)
        self.y -= len(lines) * lg.title_size_pt * 1.3 / PT_PER_MM + 1.0

    def entry(self, key: str, text: str, draw) -> None:
        """One entry: `draw(ax, x, y)` draws the symbol centred at (x, y) mm; text beside it."""
        lg = self.cv.style.legend
        lines = textwrap.wrap(text, self.chars) or [""]
        h = max(self.entry_h, len(lines) * lg.entry_size_pt * 1.2 / PT_PER_MM + 0.8)
        cy = self.y - h / 2
        artists = draw(self.ax, self.x0 + self.sym_w / 2, cy) or []
        for a in artists if isinstance(artists, list) else [artists]:
            if a is not None:
                a.set_gid(None)
        t = self.ax.text(self.x0 + self.sym_w + 1, cy, "\n".join(lines), ha="left", va="center", fontsize=lg.entry_size_pt,
                         color=lg.entry_color, linespacing=1.1)
        t.set_gid(f"legend-entry-{key}")
        self.y -= h

    def note(self, text: str) -> None:
        lg = self.cv.style.legend
        lines = textwrap.wrap(text, self.chars + 6)
        self.ax.text(self.x0, self.y - 1, "\n".join(lines), ha="left", va="top", fontsize=lg.entry_size_pt,
                     color=lg.entry_color, linespacing=1.1)
        self.y -= len(lines) * lg.entry_size_pt * 1.25 / PT_PER_MM + 1

    def space_left(self) -> float:
        return self.y


def _legend_marker(sym, fill: str | None = None):
    def draw(ax, x, y):
        (line,) = ax.plot([x], [y], linestyle="none", marker=sym.marker, markersize=sym.size_pt,
                          markerfacecolor=fill or sym.fill, markeredgecolor=sym.edge,
                          markeredgewidth=sym.edge_width_pt)
        return line

    return draw


def _legend_patch(fill, alpha, edge, lw, marker_sym=None):
    def draw(ax, x, y):
        from matplotlib.patches import Rectangle

        out = [ax.add_patch(Rectangle((x - 2.5, y - 1.6), 5, 3.2, facecolor=fill, alpha=alpha, edgecolor="none"))]
        out.append(ax.add_patch(Rectangle((x - 2.5, y - 1.6), 5, 3.2, facecolor="none", edgecolor=edge,
                                          linewidth=lw)))
        if marker_sym is not None:
            out.append(_legend_marker(marker_sym)(ax, x, y))
        return out

    return draw


def _legend_text_symbol(text: str, props: dict[str, Any]):
    def draw(ax, x, y):
        return ax.text(x, y, text, ha="center", va="center", **{k: v for k, v in props.items() if k != "zorder"})

    return draw


def _french_legend(lw: LegendWriter, cv: Canvas, kinds, zone: bool, partner: bool, years: bool,
                   themes: Sequence[str], columns: bool = False) -> None:
    """Legend of the bilateral and country maps; with `columns`, one section per column."""
    st = cv.style
    col = 0
    if kinds:
        lw.title(cv.text("legend.french_title"))
        for kind in kinds:
            sym = st.symbol(kind.value)
            label = cv.text(f"legend.type.{kind.value}")
            if sym.polygon is not None and kind in C.UNIT_KINDS:
                poly = sym.polygon
                lw.entry(kind.value, label, _legend_patch(poly.fill, poly.alpha, poly.edge, poly.edge_width_pt))
            else:
                lw.entry(kind.value, label, _legend_marker(sym))
    if zone or partner or years:
        if columns and kinds:
            col += 1
            lw.column(col)
        lw.title(cv.text("legend.cooperation_title"))
        if zone:
            z = st.zone_intervention
            lw.entry("zone", cv.text("legend.zone"), _legend_patch(z.fill, z.alpha, z.edge, z.edge_width_pt))
        if partner:
            lw.entry("partner", cv.text("legend.partner"), _legend_marker(st.symbol("partner")))
        if years:
            lw.entry("year", cv.text("legend.year"),
                     _legend_text_symbol(cv.text("legend.year_example"), _year_props(st)))
    keys = []
    for t in themes:
        k = st.theme_key(t)
        if k and k not in keys:
            keys.append(k)
    if keys:
        if columns and col < 2:
            lw.column(col + 1)
        lw.title(cv.text("legend.themes_title"))
        partner_sym = st.symbol("partner")
        for k in sorted(keys, key=list(st.themes).index):
            lw.entry(f"theme-{k}", st.theme_label(k, cv.lang), _legend_marker(partner_sym, st.themes[k].color))


# ------------------------------------------------------------------------------------ panels


def _overseas(value: object) -> str | None:
    """The overseas code of a content row (None for metropolitan France, whatever pandas stored)."""
    return value if isinstance(value, str) and value else None


def _draw_french_panel(cv: Canvas, ax: Axes, frame: P.Frame, box: Box, bc: C.BilateralContent | None,
                       inset: str | None = None, label: bool = True) -> None:
    """France (metropolitan or one overseas inset): units filled, points as symbols, labels queued."""
    from atlasmaps import boundaries

    st = cv.style
    _setup_map_axes(ax, frame, st)
    _draw_basemap(ax, frame, box, st, {"FR": st.basemap.france_land})
    tol = G.tolerance_m(frame, box.w)
    deps = G.project_layer("fr_departements", boundaries.load("fr_departements"), frame, tol)
    _draw_polys(ax, deps.geometry, gid="fr-departements", zorder=1.5, facecolor="none",
                edgecolor=st.basemap.admin1_border, linewidth=st.basemap.admin1_border_width_pt)
    if bc is None:
        return
    want = inset  # None = metropolitan
    # Filled units, régions under départements.
    for kind, layer in (("region", "fr_regions"), ("departement", "fr_departements")):
        units = bc.french_units[(bc.french_units["kind"] == kind)]
        units = units.loc[[_overseas(o) == want for o in units["overseas"]]]
        if units.empty:
            continue
        projected = G.project_layer(layer, boundaries.load(layer), frame, tol)
        geoms = dict(zip(projected["code"].astype(str), projected.geometry))
        poly = st.symbol(kind).polygon
        for code, name in zip(units["code"], units["name"]):
            g = geoms.get(str(code))
            if g is None:
                continue
            _draw_feature(ax, g, f"{kind}-{code}", 2 if kind == "region" else 2.1, facecolor=poly.fill,
                          alpha=poly.alpha, edgecolor="none")
            _draw_feature(ax, g, f"{kind}-{code}-outline", 2.2, facecolor="none", edgecolor=poly.edge,
                          linewidth=poly.edge_width_pt)
            if label:
                rp = g.representative_point()
                cv.requests.append(LabelRequest(key=name, ax=ax, x=rp.x, y=rp.y, priority=50,
                                                lines=[LabelLine(name, _label_props(st))],
                                                gid=f"{kind}-{code}"))
    # Point symbols (groupements under communes for the same place).
    pts = bc.french_points.loc[[_overseas(o) == want for o in bc.french_points["overseas"]]]
    xs, ys = _project_points(pts, frame)
    xs, ys = _displace(xs, ys, [st.symbol(k).size_pt / 2 for k in pts["kind"]], frame, box)
    for (code, name, kind, n), x, y in zip(pts[["code", "name", "kind", "n"]].itertuples(index=False), xs, ys):
        if not _in_frame(x, y, frame):
            cv.warnings.append(f"{name} is outside the France panel; not drawn")
            continue
        sym = st.symbol(kind)
        z = 5 if kind == "groupement" else 5.5
        _marker(ax, x, y, sym, f"{kind}-{code}", zorder=z)
        cv.obstacles.append(symbol_box(ax, x, y, sym.size_pt / 2 + sym.edge_width_pt))
        if label:
            cv.requests.append(LabelRequest(key=name, ax=ax, x=x, y=y, radius_pt=sym.size_pt / 2 + 1,
                                            priority=100 + n, lines=[LabelLine(name, _label_props(st))],
                                            gid=f"{kind}-{code}"))


def _draw_partner_panel(cv: Canvas, ax: Axes, frame: P.Frame, box: Box, partner: str, zones, points,
                        admin1, years: bool) -> None:
    """The partner country: zones d'intervention filled, partner collectivités as symbols + labels."""
    st = cv.style
    _setup_map_axes(ax, frame, st)
    _draw_basemap(ax, frame, box, st, {partner: st.basemap.partner_land})
    tol = G.tolerance_m(frame, box.w)
    if len(admin1):
        a1 = G.project_layer(f"admin1:{partner}", admin1, frame, tol)
        z = st.zone_intervention
        geoms = dict(zip(a1["admin1_id"], a1.geometry))
        for zid in zones["admin1_id"]:
            g = geoms.get(zid)
            if g is not None:
                _draw_feature(ax, g, f"zone-{zid}", 2, facecolor=z.fill, alpha=z.alpha, edgecolor="none")
        _draw_polys(ax, a1.geometry, gid=f"admin1-{partner}", zorder=2.5, facecolor="none",
                    edgecolor=st.basemap.admin1_border, linewidth=st.basemap.admin1_border_width_pt)
        zsel = [geoms[zid] for zid in zones["admin1_id"] if zid in geoms]
        _draw_polys(ax, zsel, gid="zones-outline", zorder=2.6, facecolor="none", edgecolor=z.edge,
                    linewidth=z.edge_width_pt)
    shaded = set(zones["admin1_id"])
    sym = st.symbol("partner")
    xs, ys = _project_points(points, frame)
    xs, ys = _displace(xs, ys, [sym.size_pt / 2] * len(xs), frame, box)
    seen: set[str] = set()
    for rec, x, y in zip(points.itertuples(index=False), xs, ys):
        if not _in_frame(x, y, frame):
            cv.warnings.append(f"{rec.name} is outside the partner panel; not drawn")
            continue
        slug = _slug(rec.name)
        while slug in seen:
            slug += "-2"
        seen.add(slug)
        fill = st.main_theme_color(getattr(rec, "themes", ()) or ())
        _marker(ax, x, y, sym, f"partner-{slug}", zorder=6, fill=fill)
        cv.obstacles.append(symbol_box(ax, x, y, sym.size_pt / 2 + sym.edge_width_pt))
        lines = [LabelLine(rec.name, _label_props(st))]
        if years and rec.years:
            lines.append(LabelLine(_years_text(rec.years), _year_props(st), role="years"))
        cv.requests.append(LabelRequest(key=rec.name, ax=ax, x=x, y=y, radius_pt=sym.size_pt / 2 + 1,
                                        priority=100 + rec.n, lines=lines, gid=f"partner-{slug}",
                                        short=_zone_short_name(rec, shaded)))


def _zone_short_name(rec, shaded: set) -> str | None:
    """"Préfecture d'Osaka" -> "Osaka" when the prefecture is shaded as a zone d'intervention: the
    shaded zone already says it is the prefecture, the short form is tried when the full one fits nowhere.
    """
    zone = getattr(rec, "admin1_name", None)
    if not isinstance(zone, str) or not zone or getattr(rec, "admin1", None) not in shaded:
        return None
    name = str(rec.name)
    if name != zone and name.endswith(zone) and len(name) > len(zone) + 2:
        return zone
    return None


def _partner_points_with_themes(bc: C.BilateralContent) -> gpd.GeoDataFrame:
    """Partner points plus the themes of their partnerships (for the symbol colour)."""
    themes: dict[str, list[str]] = {}
    for link in bc.links:
        themes.setdefault(link.partner_name, []).extend(link.themes)
    pts = bc.partner_points.copy()
    pts["themes"] = [tuple(themes.get(n, ())) for n in pts["name"]]
    return pts


def _insets(cv: Canvas, strip: Box, bc: C.BilateralContent | None, fc: C.FranceContent | None = None,
            draw_units=None) -> None:
    """One small map per overseas département, side by side in `strip`, each with its caption."""
    from atlasmaps import boundaries

    deps = boundaries.load("fr_departements")
    n = len(OVERSEAS_INSETS)
    gap = 2.0
    w = (strip.w - gap * (n - 1)) / n
    cap_h = cv.style.legend.entry_size_pt * 1.4 / PT_PER_MM
    for i, (code, (key, crs)) in enumerate(OVERSEAS_INSETS.items()):
        box = Box(strip.x + i * (w + gap), strip.y, w, strip.h - cap_h)
        geom = deps.loc[deps["code"] == code].geometry
        if geom.empty:
            continue
        base = P.frame_of(geom.values, crs).with_min_size(60_000)
        frame = base.fit(box.w / box.h, pad=0.12)
        ax = cv.axes(box, gid=f"inset-{code}")
        if draw_units is not None:
            draw_units(ax, frame, box, code)
        else:
            _draw_french_panel(cv, ax, frame, box, bc, inset=code)
        cap = cv.mm_axes(Box(box.x, box.top, box.w, cap_h))
        cap.text(0, 0.4, cv.text(f"inset.{key}"), ha="left", va="bottom", fontsize=cv.style.legend.entry_size_pt,
                 color=cv.style.legend.entry_color)


def _wants_insets(options: RenderOptions, involved: Sequence[str]) -> bool:
    return bool(involved) if options.insets is None else options.insets


# ------------------------------------------------------------------------------------ map kinds


def _page_body(cv: Canvas, inner: Box, joined: JoinResult, title: str, subtitle: str) -> Box:
    """Draw the title block and the source/credits footer; return the box left for maps and legend."""
    top = inner.top - _header(cv, inner, title, subtitle)
    bottom = inner.y + _footer(cv, inner, joined)
    return Box(inner.x, bottom, inner.w, top - bottom)


def _bilateral(cv: Canvas, joined: JoinResult, options: RenderOptions, inner: Box) -> None:
    st = cv.style
    partner = (options.partner or "").upper()
    bc = C.bilateral_content(joined, partner)
    cv.warnings.extend(bc.warnings)
    name = _country_name(partner, cv.lang)
    title = cv.text("title.bilateral", partner_phrase=st.country_phrase(name, partner, cv.lang))
    subtitle = cv.count_text("subtitle.bilateral", bc.n_partnerships, count=bc.n_partnerships)
    body = _page_body(cv, inner, joined, title, subtitle)
    gap = 4.0
    years = _show_years(st, options)
    # Legend: a band of columns under the panels, as high as its longest column.
    lg = st.legend
    entry_h = max(lg.entry_size_pt, 6.0) * 1.45 / PT_PER_MM
    rows = max(len(bc.kinds), 3, len({st.theme_key(t) for t in bc.themes} - {None}))
    band_h = min(body.h * 0.3, lg.title_size_pt * 1.6 / PT_PER_MM + rows * entry_h + 3.0)
    maps = Box(body.x, body.y + band_h + gap, body.w, body.h - band_h - gap)
    # Partner frame first: its aspect decides how the width is shared.
    pframe = P.country_frame(
        bc.partner_outline,
        must_show=[(g.x, g.y) for g in bc.partner_points.geometry],
        zones=list(bc.zones.geometry),
        override=options.projection,
    )
    insets = _wants_insets(options, bc.overseas)
    if maps.w >= maps.h:
        # Landscape page: France left, the partner right, side by side.
        share = 0.5 if pframe.width / pframe.height < 1.3 else 0.56
        wp = (maps.w - gap) * share
        wf = maps.w - gap - wp
        inset_h = min(24.0, maps.h * 0.22) if insets else 0.0
        fbox = Box(maps.x, maps.y + (inset_h + gap if insets else 0), wf, maps.h - (inset_h + gap if insets else 0))
        pbox = Box(maps.x + wf + gap, maps.y, wp, maps.h)
        inset_strip = Box(maps.x, maps.y, wf, inset_h)
    else:
        # Portrait page: France above, the partner below (side by side, both panels would be slivers).
        hp = (maps.h - gap) / 2
        hf = maps.h - gap - hp
        inset_h = min(24.0, hf * 0.22) if insets else 0.0
        pbox = Box(maps.x, maps.y, maps.w, hp)
        top_f = maps.y + hp + gap
        fbox = Box(maps.x, top_f + (inset_h + gap if insets else 0), maps.w, hf - (inset_h + gap if insets else 0))
        inset_strip = Box(maps.x, top_f, maps.w, inset_h)
    france_frame = _panel_frame(P.france_frame() if not options.projection else _france_override(options), fbox)
    ax_f = cv.axes(fbox, gid="panel-france")
    _draw_french_panel(cv, ax_f, france_frame, fbox, bc)
    _scale_bar(cv, ax_f, france_frame, fbox)
    if options.north_arrow:
        _north_arrow(cv, ax_f, france_frame)
    if insets:
        _insets(cv, inset_strip, bc)
    pframe = _panel_frame(pframe, pbox, pad=0.06)
    ax_p = cv.axes(pbox, gid=f"panel-{partner}")
    _draw_partner_panel(cv, ax_p, pframe, pbox, partner, bc.zones, _partner_points_with_themes(bc),
                        bc.partner_admin1, years)
    _scale_bar(cv, ax_p, pframe, pbox)
    if options.north_arrow:
        _north_arrow(cv, ax_p, pframe)
    lw = LegendWriter(cv, Box(body.x, body.y, body.w, band_h), columns=3)
    _french_legend(lw, cv, bc.kinds, zone=len(bc.zones) > 0, partner=len(bc.partner_points) > 0,
                   years=years and bool(bc.years), themes=bc.themes, columns=True)


def _france_override(options: RenderOptions) -> P.Frame:
    from atlasmaps import boundaries

    deps = boundaries.load("fr_departements")
    metro = deps[~deps["code"].isin(list(OVERSEAS_INSETS))]
    return P.frame_of(metro.geometry.values, options.projection)


def _country(cv: Canvas, joined: JoinResult, options: RenderOptions, inner: Box) -> None:
    st = cv.style
    partner = (options.partner or "").upper()
    cc = C.country_content(joined, partner)
    cv.warnings.extend(cc.warnings)
    name = _country_name(partner, cv.lang)
    title = cv.text("title.country", partner_in=st.country_phrase(name, partner, cv.lang, form="in"))
    subtitle = cv.count_text("subtitle.country", cc.n_partnerships, count=cc.n_partnerships)
    body = _page_body(cv, inner, joined, title, subtitle)
    side_w = min(92.0, body.w * 0.34)
    gap = 5.0
    mbox = Box(body.x, body.y, body.w - side_w - gap, body.h)
    frame = P.country_frame(cc.partner_outline, must_show=[(g.x, g.y) for g in cc.partner_points.geometry],
                            zones=list(cc.zones.geometry), override=options.projection)
    frame = _panel_frame(frame, mbox, pad=0.05)
    ax = cv.axes(mbox, gid=f"panel-{partner}")
    years = _show_years(st, options)
    pts = cc.partner_points.copy()
    themes: dict[str, list[str]] = {}
    for r in joined.mapped:
        if r.partnership.pays == partner and r.partner is not None:
            themes.setdefault(r.partner.name, []).extend(r.partnership.thematiques)
    pts["themes"] = [tuple(themes.get(n, ())) for n in pts["name"]]
    _draw_partner_panel(cv, ax, frame, mbox, partner, cc.zones, pts, cc.partner_admin1, years)
    # Zone names at the zones' representative points (lower priority than the places). Each zone
    # has a key number, shared with the list beside the map: where the name fits nowhere on the
    # map, the number is placed instead (the list says which zone it is).
    keys = {zp.admin1_id: i + 1 for i, zp in enumerate(z for z in cc.partners_by_zone if z.admin1_id)}
    tol = G.tolerance_m(frame, mbox.w)
    if len(cc.partner_admin1):
        a1 = G.project_layer(f"admin1:{partner}", cc.partner_admin1, frame, tol)
        geoms = dict(zip(a1["admin1_id"], a1.geometry))
        zprops = dict(_label_props(st))
        zprops.update(fontstyle="italic", color=st.zone_intervention.edge)
        psym = st.symbol("partner")
        zr = psym.size_pt / 2 + psym.edge_width_pt
        for zid, zname, n in cc.zones[["admin1_id", "name", "n"]].itertuples(index=False):
            g = geoms.get(zid)
            if g is not None:
                rp = g.representative_point()
                key = cv.text("partners_zone_key", n=keys[zid]) if zid in keys else None
                # The radius of a partner symbol: a zone's anchor may be under one (a small zone
                # around its city), the label then starts beside it rather than failing.
                cv.requests.append(LabelRequest(key=zname, ax=ax, x=rp.x, y=rp.y, priority=n, radius_pt=zr,
                                                lines=[LabelLine(zname, zprops)], gid=f"zone-{zid}", short=key,
                                                alternates=_interior_points(g, frame)))
    _scale_bar(cv, ax, frame, mbox)
    if options.north_arrow:
        _north_arrow(cv, ax, frame)
    side = Box(body.right - side_w, body.y, side_w, body.h)
    # Legend at the bottom of the side column, as high as what it holds; the partners per zone
    # get all the height above it.
    lw = LegendWriter(cv, Box(side.x, side.y, side.w, side.h))
    kinds_sym = []  # the country map shows no French symbols: legend shows zones, partners, themes
    _french_legend(lw, cv, kinds_sym, zone=len(cc.zones) > 0, partner=len(cc.partner_points) > 0,
                   years=years and any(len(y) for y in cc.partner_points["years"]), themes=cc.themes)
    leg_h = min(side.h, side.h - lw.space_left() + 1.0)
    lw.ax.set_position((side.x / cv.width_mm, side.y / cv.height_mm, side.w / cv.width_mm, leg_h / cv.height_mm))
    lw.ax.set_ylim(side.h - leg_h, side.h)
    gap_list = 4.0
    _partners_list(cv, Box(side.x, side.y + leg_h + gap_list, side.w, side.h - leg_h - gap_list), cc, keys)


def _interior_points(geom, frame: P.Frame, n: int = 8, grid: int = 9) -> list[tuple[float, float]]:
    """Up to `n` points well inside an area (farthest from its edge first), within the frame:
    other anchors for the area's label when its representative point is taken."""
    import numpy as np
    import shapely

    x0, y0, x1, y1 = geom.bounds
    x0, y0, x1, y1 = max(x0, frame.xmin), max(y0, frame.ymin), min(x1, frame.xmax), min(y1, frame.ymax)
    if x1 <= x0 or y1 <= y0:
        return []
    gx, gy = np.meshgrid(np.linspace(x0, x1, grid + 2)[1:-1], np.linspace(y0, y1, grid + 2)[1:-1])
    pts = shapely.points(gx.ravel(), gy.ravel())
    inside = pts[shapely.contains(geom, pts)]
    if len(inside) == 0:
        return []
    depth = shapely.distance(geom.boundary, inside)
    order = np.argsort(-depth, kind="stable")[:n]
    return [(float(inside[i].x), float(inside[i].y)) for i in order]


@dataclass
class _ListEntry:
    """One zone of the partners list, wrapped for a column: heading line and body lines."""

    gid: str
    heading: str
    body: list[str]
    height: float  # mm


def _text_width_mm(cv: Canvas, text: str, size_pt: float, weight: str = "normal") -> float:
    """Width of `text` set in the style's font at `size_pt` (measured, not guessed from characters)."""
    from matplotlib.font_manager import FontProperties

    renderer = cv.fig.canvas.get_renderer()
    fp = FontProperties(family=cv.style.font_family(), size=size_pt, weight=weight)
    w, _, _ = renderer.get_text_width_height_descent(text, fp, ismath=False)
    return w * 72.0 / cv.fig.dpi / PT_PER_MM


def _wrap_measured(cv: Canvas, text: str, width_mm: float, size_pt: float, weight: str = "normal") -> list[str]:
    """Greedy word wrap by measured width (a single word longer than the width gets its own line)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if current and _text_width_mm(cv, trial, size_pt, weight) > width_mm:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


#: Ways to set the partners list, tried in order until every zone fits: (columns, line spacing,
#: space between zones in mm). The last is also the one used when even it cannot hold them all.
_LIST_LAYOUTS: tuple[tuple[int, float, float], ...] = ((1, 1.3, 1.2), (2, 1.3, 1.2), (2, 1.12, 0.6), (3, 1.12, 0.6))


def _partners_list(cv: Canvas, box: Box, cc: C.CountryContent, keys: dict[str | None, int] | None = None) -> None:
    """The French partners of each zone, biggest zones first, numbered like the zones on the map.

    Nothing is cut: the list flows into more columns and tighter lines when crowded; when even the
    tightest layout cannot hold every zone, the last line says how many zones are left out
    ("… et 3 autres zones") and the count is reported in the warnings.
    """
    st = cv.style
    lg = st.legend
    keys = keys or {}
    ax = cv.mm_axes(box, gid="partners-by-zone")
    head = cv.text("partners_by_zone")
    head = head.upper() if lg.title_uppercase else head
    ax.text(0, box.h, head, ha="left", va="top", fontsize=lg.title_size_pt, color=lg.title_color, fontweight="bold")
    top = box.h - lg.title_size_pt * 1.5 / PT_PER_MM
    col_gap = 3.0
    indent = 3.0
    zones = cc.partners_by_zone

    def entries(cols: int, spacing: float, between: float) -> list[_ListEntry]:
        col_w = (box.w - col_gap * (cols - 1)) / cols
        out = []
        for zp in zones:
            zname = zp.name or "—"
            heading = (cv.text("partners_zone", n=keys[zp.admin1_id], zone=zname, count=zp.n)
                       if zp.admin1_id in keys else f"{zname} ({zp.n})")
            names = [f"{n} ({cv.text(f'type.{k.value}').lower()})" if k in C.UNIT_KINDS else n
                     for n, k, _ in zp.french]
            head_lines = _wrap_measured(cv, heading, col_w, lg.section_size_pt, "bold")
            body = _wrap_measured(cv, ", ".join(names), col_w - indent, lg.entry_size_pt)
            h = (len(head_lines) * lg.section_size_pt + len(body) * lg.entry_size_pt) * spacing / PT_PER_MM + between
            out.append(_ListEntry(f"zone-list-{zp.admin1_id or 'none'}", "\n".join(head_lines), body, h))
        return out

    def flow(items: list[_ListEntry], cols: int, height: float) -> list[tuple[int, float]]:
        """(column, top y) of the first items that fit, column after column, none split."""
        pos: list[tuple[int, float]] = []
        col, y = 0, height
        for it in items:
            if y - it.height < -1e-6:
                col, y = col + 1, height
                if col >= cols or it.height > height:
                    break
            pos.append((col, y))
            y -= it.height
        return pos

    more_h = lg.entry_size_pt * 1.3 / PT_PER_MM
    for cols, spacing, between in _LIST_LAYOUTS:
        items = entries(cols, spacing, between)
        pos = flow(items, cols, top)
        if len(pos) == len(items):
            break
    else:
        # Even the tightest layout cannot hold them all: keep room for the "… and N more" line.
        pos = flow(items, cols, top - more_h)
    col_w = (box.w - col_gap * (cols - 1)) / cols
    for it, (col, y) in zip(items, pos):
        x = col * (col_w + col_gap)
        head_lines = it.heading.count("\n") + 1
        t = ax.text(x, y, it.heading, ha="left", va="top", fontsize=lg.section_size_pt, linespacing=spacing,
                    color=st.zone_intervention.edge, fontweight="bold")
        t.set_gid(it.gid)
        y -= head_lines * lg.section_size_pt * spacing / PT_PER_MM
        ax.text(x + indent, y, "\n".join(it.body), ha="left", va="top", fontsize=lg.entry_size_pt,
                color=lg.entry_color, linespacing=spacing)
    rest = len(items) - len(pos)
    if rest:
        more = cv.count_text("partners_more", rest, count=rest)
        t = ax.text(0, 0, more, ha="left", va="bottom", fontsize=lg.entry_size_pt, color=lg.entry_color,
                    fontstyle="italic")
        t.set_gid("zone-list-more")
        left_out = ", ".join(zp.name or "—" for zp in zones[len(pos):])
        cv.warnings.append(f"partners list: {rest} zone(s) did not fit beside the map: {left_out}")


def _country_name(iso2: str, lang: str) -> str:
    from atlasmaps import boundaries

    c = boundaries.load("countries")
    row = c[c["iso_a2"] == iso2]
    if row.empty:
        return iso2
    col = "name_en" if lang == "en" else "name_fr"
    return str(row.iloc[0][col] or row.iloc[0]["name_en"])


def _class_labels(cv: Canvas, bins: Sequence[float], values: Sequence[float]) -> list[str]:
    lows = [min(v for v in values if v > 0)] + [int(b) + 1 for b in bins[:-1]]
    out = []
    for lo, hi in zip(lows, bins):
        lo, hi = int(lo), int(hi)
        out.append(cv.count_text("legend.class_single", hi, value=hi) if lo >= hi
                   else cv.count_text("legend.class", hi, low=lo, high=hi))
    return out


def _world(cv: Canvas, joined: JoinResult, options: RenderOptions, inner: Box) -> None:
    import numpy as np
    import shapely

    st = cv.style
    wc = C.world_content(joined, cv.lang)
    title = cv.text("title.world")
    subtitle = world_subtitle(st, wc.total, wc.n_countries, cv.lang)
    body = _page_body(cv, inner, joined, title, subtitle)
    band_h = 30.0
    crs = options.projection or _equal_earth()
    mbox_h = body.h - band_h - 3
    world_frame = _world_frame(crs)
    aspect = world_frame.width / world_frame.height
    mw = min(body.w, mbox_h * aspect)
    mbox = Box(body.x + (body.w - mw) / 2, body.y + band_h + 3, mw, mbox_h)
    frame = world_frame.fit(mbox.w / mbox.h, pad=0.01)
    ax = cv.axes(mbox, gid="panel-world", frame=False)
    ax.set_xlim(frame.xmin, frame.xmax)
    ax.set_ylim(frame.ymin, frame.ymax)
    # The globe's outline (sea), then the countries.
    globe = _globe(crs)
    _draw_polys(ax, [globe], gid="sea", zorder=0, facecolor=st.basemap.sea, edgecolor=st.basemap.coastline,
                linewidth=st.basemap.coastline_width_pt)
    tol = G.tolerance_m(frame, mbox.w)
    projected = G.project_layer("countries:50m", _countries(), frame, tol)
    counts = dict(zip(wc.countries["iso_a2"], wc.countries["n"]))
    ch = st.choropleth
    values = [v for v in wc.countries.drop_duplicates("iso_a2")["n"] if v > 0]
    scheme = options.scheme or ch.scheme
    lw = LegendWriter(cv, Box(body.x, body.y, 70, band_h))
    if not options.symbols:
        bins = C.classify(values, scheme, ch.k)
        colours = st.choropleth_colors(len(bins))
        fills = []
        for iso in projected["iso_a2"]:
            n = counts.get(iso, 0)
            fills.append(ch.france if iso == "FR" else (colours[C.class_of(n, bins)] if n > 0 else ch.no_data))
        for iso, g, fc in zip(projected["iso_a2"], projected.geometry, fills):
            _draw_feature(ax, g, f"country-{iso}", 1, facecolor=fc, edgecolor=ch.edge, linewidth=ch.edge_width_pt)
        lw.title(cv.text("legend.classes_title"))
        for i, (lab, col) in enumerate(zip(_class_labels(cv, bins, values), colours)):
            lw.entry(f"class-{i}", lab, _legend_patch(col, 1.0, ch.edge, 0.3))
        lw.entry("no-data", cv.text("legend.no_data"), _legend_patch(ch.no_data, 1.0, ch.edge, 0.3))
        lw.entry("france", cv.text("legend.france"), _legend_patch(ch.france, 1.0, ch.edge, 0.3))
    else:
        pr = st.proportional
        for iso, g in zip(projected["iso_a2"], projected.geometry):
            fc = ch.france if iso == "FR" else ch.no_data
            _draw_feature(ax, g, f"country-{iso}", 1, facecolor=fc, edgecolor=ch.edge, linewidth=ch.edge_width_pt)
        vmax = max(values) if values else 1
        # Circles at the main part of each country, areas proportional to the count.
        pts = wc.countries[wc.countries["n"] > 0].drop_duplicates("iso_a2")
        anchors = []
        for geom in pts.geometry:
            parts = P.main_parts([geom], share=0.5)
            anchors.append(shapely.point_on_surface(parts[0]) if len(parts) else geom.representative_point())
        xs, ys = G.project_points([a.x for a in anchors], [a.y for a in anchors], frame)
        order = np.argsort(-pts["n"].values, kind="stable")  # big circles under small ones
        for i in order:
            n = int(pts["n"].values[i])
            d = max(pr.min_size_pt, pr.max_size_pt * math.sqrt(n / vmax))
            (c,) = ax.plot([xs[i]], [ys[i]], linestyle="none", marker="o", markersize=d, markerfacecolor=pr.color,
                           alpha=pr.alpha, markeredgecolor=pr.edge, markeredgewidth=pr.edge_width_pt, zorder=5)
            c.set_gid(f"circle-{pts['iso_a2'].values[i]}")
        lw.title(cv.text("legend.proportional_title"))
        for v in sorted({vmax, max(1, round(vmax / 4)), max(1, round(vmax / 16))}, reverse=True):
            d = max(pr.min_size_pt, pr.max_size_pt * math.sqrt(v / vmax))

            def draw(a, x, y, d=d):
                (m,) = a.plot([x], [y], linestyle="none", marker="o", markersize=min(d, 16), markerfacecolor=pr.color,
                              alpha=pr.alpha, markeredgecolor=pr.edge)
                return m

            lw.entry(f"circle-{v}", cv.count_text("legend.circle", v, value=v), draw)
    _top_list(cv, Box(body.x + 80, body.y, body.w - 80, band_h), wc)


def _top_list(cv: Canvas, box: Box, wc: C.WorldContent) -> None:
    """"Les 10 pays où sont menés le plus de projets": computed from the data, in two columns.

    The second column starts just after the widest entry of the first (measured), not at mid-page.
    """
    st = cv.style
    lg = st.legend
    ax = cv.mm_axes(box, gid="top-list")
    n = len(wc.top)
    head = cv.text("legend.top_heading", n=n)
    head = head.upper() if lg.title_uppercase else head
    ax.text(0, box.h, head, ha="left", va="top", fontsize=lg.title_size_pt, color=lg.title_color, fontweight="bold")
    line_h = lg.entry_size_pt * 1.45 / PT_PER_MM
    per_col = 5
    gap = 2 * lg.entry_size_pt / PT_PER_MM
    renderer = cv.fig.canvas.get_renderer()
    to_mm = ax.transData.inverted()
    counts = [format_number(count, cv.lang) for _, _, count in wc.top]
    num_w = max((len(c) for c in counts), default=1) * lg.entry_size_pt * 0.62 / PT_PER_MM
    x = 0.0
    for start in range(0, n, per_col):
        right = x
        for row, i in enumerate(range(start, min(start + per_col, n))):
            iso, name, _ = wc.top[i]
            y = box.h - 5.5 - row * line_h
            ax.text(x + num_w, y, counts[i], ha="right", va="top", fontsize=lg.entry_size_pt, color=lg.title_color,
                    fontweight="bold")
            t = ax.text(x + num_w + gap / 2, y, name, ha="left", va="top", fontsize=lg.entry_size_pt,
                        color=lg.entry_color)
            t.set_gid(f"top-{i + 1}-{iso}")
            right = max(right, to_mm.transform((t.get_window_extent(renderer).x1, 0))[0])
        x = right + 2 * gap


def _equal_earth() -> str:
    return "+proj=eqearth +lon_0=0 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def _globe(crs: str):
    """The outline of the world in `crs` (the edge of the map), from a dense lon/lat rectangle."""
    import numpy as np
    from shapely.geometry import Polygon

    n = 181
    lon = np.concatenate([np.full(n, -180.0), np.linspace(-180, 180, n), np.full(n, 180.0), np.linspace(180, -180, n)])
    lat = np.concatenate([np.linspace(-90, 90, n), np.full(n, 90.0), np.linspace(90, -90, n), np.full(n, -90.0)])
    t = G.transformer(crs)
    x, y = t.transform(lon - 1e-9 * np.sign(lon), lat)
    return Polygon(np.column_stack([x, y])).buffer(0)


def _world_frame(crs: str) -> P.Frame:
    g = _globe(crs)
    x0, y0, x1, y1 = g.bounds
    return P.Frame(crs, x0, x1, y0, y1, lon0=P._lon0_of(crs))


def _countries():
    from atlasmaps import boundaries

    return boundaries.load("countries")


def _france(cv: Canvas, joined: JoinResult, options: RenderOptions, inner: Box) -> None:
    from atlasmaps import boundaries

    st = cv.style
    level = options.level if options.level in ("region", "departement") else "region"
    fc = C.france_content(joined, level)
    title = cv.text("title.france")
    subtitle = cv.text(f"subtitle.france_{level}")
    body = _page_body(cv, inner, joined, title, subtitle)
    legend_w = 60.0
    gap = 4.0
    inset_w = 30.0
    mbox = Box(body.x + inset_w + gap, body.y, body.w - legend_w - inset_w - 2 * gap, body.h)
    frame = _panel_frame(P.france_frame() if not options.projection else _france_override(options), mbox)
    ch = st.choropleth
    no_project = ch.france_no_data or ch.no_data
    values = [v for v in fc.units["n"] if v > 0]
    bins = C.classify(values, options.scheme or ch.scheme, ch.k)
    colours = st.choropleth_colors(len(bins)) if bins else []
    layer_name = "fr_regions" if level == "region" else "fr_departements"
    layer = boundaries.load(layer_name)
    counts = dict(zip(fc.units["code"], fc.units["n"]))
    names = dict(zip(fc.units["code"], fc.units["name"]))

    def draw_units(ax, frame, box, overseas: str | None) -> None:
        _setup_map_axes(ax, frame, st)
        _draw_basemap(ax, frame, box, st, {})
        tol = G.tolerance_m(frame, box.w)
        projected = G.project_layer(layer_name, layer, frame, tol)
        for code, g in zip(projected["code"].astype(str), projected.geometry):
            n = counts.get(code, 0)
            col = colours[C.class_of(n, bins)] if n > 0 and bins else no_project
            _draw_feature(ax, g, f"unit-{code}", 2, facecolor=col, edgecolor=ch.edge, linewidth=ch.edge_width_pt)
            if n > 0:
                rp = g.representative_point()
                if _in_frame(rp.x, rp.y, frame):
                    props = dict(_label_props(st))
                    props["fontweight"] = "bold"
                    cv.requests.append(LabelRequest(key=f"{names.get(code, code)} ({n})", ax=ax, x=rp.x, y=rp.y,
                                                    priority=n, lines=[LabelLine(str(n), props)],
                                                    gid=f"unit-{code}"))

    ax = cv.axes(mbox, gid="panel-france")
    draw_units(ax, frame, mbox, None)
    _scale_bar(cv, ax, frame, mbox)
    if options.north_arrow:
        _north_arrow(cv, ax, frame)
    # Overseas insets stacked in a column left of metropolitan France (always: they are France).
    n = len(OVERSEAS_INSETS)
    cap_h = st.legend.entry_size_pt * 1.4 / PT_PER_MM
    slot = body.h / n
    for i, (code, (key, crs)) in enumerate(OVERSEAS_INSETS.items()):
        box = Box(body.x, body.top - (i + 1) * slot + 1.5, inset_w, slot - cap_h - 2.5)
        geom = layer.loc[layer["code"].astype(str) == (code if level == "departement" else
                                                       {v: k for k, v in C.OVERSEAS_REGIONS.items()}[code])].geometry
        if geom.empty:
            continue
        ifr = P.frame_of(geom.values, crs).with_min_size(60_000).fit(box.w / box.h, pad=0.12)
        iax = cv.axes(box, gid=f"inset-{code}")
        draw_units(iax, ifr, box, code)
        cap = cv.mm_axes(Box(box.x, box.top, box.w, cap_h))
        cap.text(0, 0.4, cv.text(f"inset.{key}"), ha="left", va="bottom", fontsize=st.legend.entry_size_pt,
                 color=st.legend.entry_color)
    lw = LegendWriter(cv, Box(body.right - legend_w, body.y, legend_w, body.h))
    lw.title(cv.text("legend.classes_title"))
    for i, (lab, col) in enumerate(zip(_class_labels(cv, bins, values) if bins else [], colours)):
        lw.entry(f"class-{i}", lab, _legend_patch(col, 1.0, ch.edge, 0.3))
    lw.entry("no-data", cv.text("legend.no_data"), _legend_patch(no_project, 1.0, ch.edge, 0.3))
    if fc.unplaced:
        cv.warnings.append(f"{fc.unplaced} partnership(s) could not be placed in a {level}")


# ------------------------------------------------------------------------------------ output


def _rc(style: Style) -> dict[str, Any]:
    return {
        "font.family": style.font_family(),
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "none",
        "svg.hashsalt": "atlasmaps",
        "path.simplify": True,
        "axes.unicode_minus": False,
        "figure.dpi": LAYOUT_DPI,
        "savefig.dpi": LAYOUT_DPI,
        "savefig.pad_inches": 0,
    }


def _svg_classes(svg: str) -> str:
    """Add `class` attributes to the groups matplotlib gave ids (`<g id="commune-69123">`)."""

    def repl(m: re.Match) -> str:
        gid = m.group(1)
        for prefix in sorted(SVG_CLASSES, key=len, reverse=True):
            if gid.startswith(prefix + "-"):
                return f'<g id="{gid}" class="{SVG_CLASSES[prefix]}"'
        return m.group(0)

    return re.sub(r'<g id="([^"]+)"', repl, svg)


def _write(fig: Figure, formats: Sequence[str], dpi: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for fmt in formats:
        buf = io.BytesIO()
        if fmt == "pdf":
            fig.savefig(buf, format="pdf", metadata={"CreationDate": None, "ModDate": None, "Producer": "atlasmaps",
                                                     "Creator": "atlasmaps"})
            files["pdf"] = buf.getvalue()
        elif fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "atlasmaps"})
            files["svg"] = _svg_classes(buf.getvalue().decode("utf-8")).encode("utf-8")
        elif fmt == "png":
            # Whole pixels, rounded (A4 at 300 dpi is 3508 x 2480): matplotlib truncates, so size
            # the figure a hair above the rounded count for this write only.
            w_in, h_in = fig.get_size_inches()
            px_w, px_h = round(w_in * dpi), round(h_in * dpi)
            fig.set_size_inches((px_w + 0.01) / dpi, (px_h + 0.01) / dpi)
            try:
                fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": "atlasmaps"},
                            pil_kwargs={"compress_level": 1})
            finally:
                fig.set_size_inches(w_in, h_in)
            files["png"] = buf.getvalue()
        else:
            raise ValueError(f"the static renderer writes pdf, svg and png, not {fmt!r}")
    return files


def render(joined: JoinResult, style: Style, options: RenderOptions) -> RenderedMap:
    """Draw the map once and return the bytes of each asked print format (pdf, svg, png)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    kind = MapKind(options.kind)
    if kind in (MapKind.BILATERAL, MapKind.COUNTRY) and not options.partner:
        raise ValueError(f"a {kind.value} map needs a partner country")
    if options.projection:
        # A bad override is the user's to fix: one clear line (AtlasError), not a pyproj traceback.
        options = replace(options, projection=P.checked_override(options.projection))
    width_mm, height_mm, inner = _page_boxes(style, options.page)
    with matplotlib.rc_context(_rc(style)):
        fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=LAYOUT_DPI)
        FigureCanvasAgg(fig)
        cv = Canvas(fig, width_mm, height_mm, style, options.lang)
        {
            MapKind.BILATERAL: _bilateral,
            MapKind.COUNTRY: _country,
            MapKind.WORLD: _world,
            MapKind.FRANCE: _france,
        }[kind](cv, joined, options, inner)
        limit = style.place_labels.max_labels
        requests = sorted(cv.requests, key=lambda r: -r.priority)
        extra = requests[limit:] if limit else []
        pl = style.place_labels
        leaders = Leaders(color=pl.leader_color, width_pt=pl.leader_width_pt, step_pt=pl.leader_step_pt,
                          max_distance_pt=pl.leader_max_distance_pt)
        _, dropped = place_labels(requests[:limit] if limit else requests, cv.obstacles, leaders=leaders)
        dropped = [*dropped, *(r.key for r in extra)]
        files = _write(fig, [f for f in options.formats], options.dpi)
    return RenderedMap(files=files, dropped_labels=tuple(dropped), warnings=tuple(dict.fromkeys(cv.warnings)))
