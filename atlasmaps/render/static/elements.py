"""Map elements, one small function each (as mapsf's mf_title, mf_credits, mf_scale, mf_arrow,
mf_legend, mf_inset_on): title, source, scale bar, north arrow, legend, insets, top list and
partners list. Each takes its look from the style and its texts from the content.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from atlasmaps.content import common as K
from atlasmaps.content.text import format_number
from atlasmaps.geo import projection as P
from atlasmaps.render.static import draw as D
from atlasmaps.render.static import legend as LG
from atlasmaps.render.static import page as PG
from atlasmaps.render.static import panels as PN

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from atlasmaps.content.bilateral import BilateralContent
    from atlasmaps.content.collectivite import CollectiviteContent
    from atlasmaps.content.country import CountryContent
    from atlasmaps.content.types import LegendSection, MapTexts
    from atlasmaps.content.world import WorldContent


def title(cv: PG.Canvas, inner: PG.Box, title: str, subtitle: str) -> float:
    """Title and subtitle at the top; returns the height used (mm)."""
    st = cv.style
    t = st.blocks.title
    title = title.upper() if t.uppercase else title
    subtitle = subtitle.upper() if st.blocks.subtitle.uppercase else subtitle
    th = PG.block_height_mm(st, "title")
    sh = PG.block_height_mm(st, "subtitle")
    height = th + sh + 3.0
    ax = cv.mm_axes(PG.Box(inner.x, inner.top - height, inner.w, height), gid="header")
    x = {"left": 0, "center": inner.w / 2, "right": inner.w}
    ax.text(x[t.align], height, title, ha=t.align, va="top", gid="title", **PG.block_props(st, "title"))
    s = st.blocks.subtitle
    ax.text(x[s.align], height - th - 1.0, subtitle, ha=s.align, va="top", gid="subtitle",
            **PG.block_props(st, "subtitle"))
    return height + 2.0


def source(cv: PG.Canvas, inner: PG.Box, texts: MapTexts) -> float:
    """Source line (with the data's date), boundary attribution, credits; returns height (mm)."""
    st = cv.style
    source, attribution, credits = texts.source, texts.attribution, texts.credits
    lh = PG.block_height_mm(st, "source")
    width_chars = max(40, int(inner.w * 0.72 / (st.blocks.source.size_pt * 0.5 / PG.PT_PER_MM)))
    src_lines = textwrap.wrap(source, width_chars) + textwrap.wrap(attribution, width_chars)
    height = lh * len(src_lines) + 1.0
    ax = cv.mm_axes(PG.Box(inner.x, inner.y, inner.w, height), gid="footer")
    ax.text(0, height, "\n".join(src_lines), ha="left", va="top", gid="source", linespacing=1.15,
            **PG.block_props(st, "source"))
    c = st.blocks.credits
    ax.text(inner.w if c.align != "left" else 0, height, credits, ha="right" if c.align != "left" else "left",
            va="top", gid="credits", **PG.block_props(st, "credits"))
    return height + 2.0


def scale_bar(cv: PG.Canvas, ax: Axes, frame: P.Frame, box: PG.Box) -> None:
    """A scale bar of a round length (1, 2, 5 × 10^n km) in the panel's corner (projected metres)."""
    sb = cv.style.scale_bar
    if not sb.show:
        return
    target = frame.width * sb.length_fraction
    exp = 10 ** math.floor(math.log10(target))
    length = max(m * exp for m in (1, 2, 5) if m * exp <= target)
    km = length / 1000
    label = f"{km:g} {cv.text('scale.unit')}"
    mx, my = frame.width * sb.margin[0], frame.height * sb.margin[1]
    right = sb.position.endswith("right")
    upper = sb.position.startswith("upper")
    x1 = frame.xmax - mx if right else frame.xmin + mx + length
    x0 = x1 - length
    y0 = frame.ymax - my * 2 if upper else frame.ymin + my
    bar_h = sb.bar_height_pt / 72 * 25.4 * frame.height / box.h
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x0, y0), length / 2, bar_h, facecolor=sb.color, edgecolor=sb.color, linewidth=0.4,
                           zorder=cv.style.zorder.scale_bar, gid=None))
    ax.add_patch(Rectangle((x0 + length / 2, y0), length / 2, bar_h, facecolor="none", edgecolor=sb.color,
                           linewidth=0.4, zorder=cv.style.zorder.scale_bar))
    t = ax.text((x0 + x1) / 2, y0 + bar_h * 1.6, label, ha="center", va="bottom", fontsize=sb.size_pt,
                color=sb.color, zorder=cv.style.zorder.scale_bar, gid="scale-bar-label")
    D.halo(t, cv.style)
    renderer = cv.fig.canvas.get_renderer()
    bb = t.get_window_extent(renderer)
    p0 = ax.transData.transform((x0, y0))
    p1 = ax.transData.transform((x1, y0 + bar_h))
    cv.obstacles.append((min(p0[0], bb.x0) - 2, p0[1] - 2, max(p1[0], bb.x1) + 2, bb.y1 + 2))


def north_arrow(cv: PG.Canvas, ax: Axes, frame: P.Frame) -> None:
    na = cv.style.north_arrow
    right = na.position.endswith("right")
    upper = na.position.startswith("upper")
    x = 1 - na.margin[0] if right else na.margin[0]
    y = 1 - na.margin[1] if upper else na.margin[1] + na.length
    ann = ax.annotate(cv.text("north"), xy=(x, y), xytext=(x, y - na.length), xycoords="axes fraction",
                      ha="center", va="center", fontsize=na.size_pt * 0.6, color=na.color, fontweight="bold",
                      arrowprops={"arrowstyle": "-|>", "color": na.color, "linewidth": 0.8},
                      zorder=cv.style.zorder.north_arrow)
    ann.set_gid("north-arrow")
    renderer = cv.fig.canvas.get_renderer()
    bb = ann.get_window_extent(renderer)
    top = ax.transAxes.transform((x, y))
    cv.obstacles.append((bb.x0 - 3, bb.y0 - 3, bb.x1 + 3, max(bb.y1, top[1]) + 3))


def inset(cv: PG.Canvas, box: PG.Box, code: str, geoms, draw) -> None:
    """One overseas département in `box` (its own local projection), its caption above it.

    `geoms` are the WGS84 geometries the inset frames; `draw(ax, frame, box)` draws its content.
    """
    key, crs = K.OVERSEAS_INSETS[code]
    lay = cv.style.layout.insets
    frame = P.frame_of(geoms, crs).with_min_size(lay.min_size_m).fit(box.w / box.h, pad=lay.pad)
    ax = cv.axes(box, gid=f"inset-{code}")
    draw(ax, frame, box)
    lg = cv.style.legend
    # The caption 0.4 mm above the inset's frame, set in the inset's own axes (an axes of its own
    # costs as much to make as a small map).
    ax.text(0, 1 + 0.4 / box.h, cv.text(f"inset.{key}"), transform=ax.transAxes, ha="left", va="bottom",
            fontsize=lg.entry_size_pt, color=lg.entry_color)


def caption_height(cv: PG.Canvas) -> float:
    """Height (mm) of an inset's caption line."""
    return cv.style.legend.entry_size_pt * 1.4 / PG.PT_PER_MM


def insets(cv: PG.Canvas, strip: PG.Box, bc: BilateralContent) -> None:
    """One small map per overseas département, side by side in `strip`, each with its caption."""
    deps = cv.content.layers["fr_departements"].gdf
    n = len(K.OVERSEAS_INSETS)
    gap = cv.style.layout.insets.gap_mm
    w = (strip.w - gap * (n - 1)) / n
    cap_h = caption_height(cv)
    for i, code in enumerate(K.OVERSEAS_INSETS):
        box = PG.Box(strip.x + i * (w + gap), strip.y, w, strip.h - cap_h)
        geom = deps.loc[deps["code"] == code].geometry
        if geom.empty:
            continue
        inset(cv, box, code, geom.values,
              lambda ax, frame, box, code=code: PN.french_panel(cv, ax, frame, box, bc, inset=code))


def legend(cv: PG.Canvas, box: PG.Box, sections: Sequence[LegendSection], columns: int = 1) -> LG.LegendWriter:
    """The content's legend sections in `box`; with `columns` > 1, one section per column."""
    lw = LG.LegendWriter(cv, box, columns=columns)
    LG.draw_legend(lw, cv, sections, columns=columns > 1)
    return lw


@dataclass
class _ListEntry:
    """One zone of the partners list, wrapped for a column: heading line and body lines."""

    gid: str
    heading: str
    body: list[str]
    height: float  # mm


#: The page the annex starts on (the map is page 1), named by the line sending the reader there.
ANNEX_FIRST_PAGE = 2


#: Ways to set the partners list, tried in order until every zone fits: (columns, line spacing,
#: space between zones in mm). The last is also the one used when even it cannot hold them all.
LIST_LAYOUTS: tuple[tuple[int, float, float], ...] = ((1, 1.3, 1.2), (2, 1.3, 1.2), (2, 1.12, 0.6), (3, 1.12, 0.6))


def partners_list(cv: PG.Canvas, box: PG.Box, cc: CountryContent) -> Axes:
    """The French partners of each zone, biggest zones first, numbered like the zones on the map (in
    an axes of their own, returned).

    Nothing is cut: the list flows into more columns and tighter lines when crowded. When even the
    tightest layout cannot hold every zone with its partners, the zones are listed without them (their
    key numbers are what the map's labels refer to) and the last line sends to the PDF's annex, which
    lists everything; when even that cannot hold every zone, the last line also counts the zones left
    out ("… et 3 autres zones, listées en annexe du PDF (p. 2)").
    """
    st = cv.style
    lg = st.legend
    ax = cv.mm_axes(box, gid="partners-by-zone")
    head = cc.list_title
    head = head.upper() if lg.title_uppercase else head
    ax.text(0, box.h, head, ha="left", va="top", fontsize=lg.title_size_pt, color=lg.title_color, fontweight="bold")
    top = box.h - lg.title_size_pt * 1.5 / PG.PT_PER_MM
    col_gap = 3.0
    indent = 3.0
    zones = cc.partners_by_zone

    def entries(cols: int, spacing: float, between: float, bodies: bool = True) -> list[_ListEntry]:
        col_w = (box.w - col_gap * (cols - 1)) / cols
        out = []
        for z in cc.listing:
            head_lines = PG.wrap_measured(cv, z.heading, col_w, lg.section_size_pt, "bold")
            body = PG.wrap_measured(cv, z.partners, col_w - indent, lg.entry_size_pt) if bodies else []
            h = (len(head_lines) * lg.section_size_pt + len(body) * lg.entry_size_pt) * spacing / PG.PT_PER_MM + between
            out.append(_ListEntry(z.gid, "\n".join(head_lines), body, h))
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

    more_h = 2 * lg.entry_size_pt * 1.3 / PG.PT_PER_MM  # the "… and N more" line, wrapped on two at most
    keys_only = False
    for cols, spacing, between in LIST_LAYOUTS:
        items = entries(cols, spacing, between)
        pos = flow(items, cols, top)
        if len(pos) == len(items):
            break
    else:
        # Too many partners: the zones alone (their partners in the annex), room kept for the line saying so.
        keys_only = True
        for cols, spacing, between in LIST_LAYOUTS:
            items = entries(cols, spacing, between, bodies=False)
            # above the line at the foot of the list (it set over the last rows of each column)
            pos = [(col, y + more_h) for col, y in flow(items, cols, top - more_h)]
            if len(pos) == len(items):
                break
    col_w = (box.w - col_gap * (cols - 1)) / cols
    for it, (col, y) in zip(items, pos):
        x = col * (col_w + col_gap)
        head_lines = it.heading.count("\n") + 1
        t = ax.text(x, y, it.heading, ha="left", va="top", fontsize=lg.section_size_pt, linespacing=spacing,
                    color=st.zone_intervention.edge, fontweight="bold")
        t.set_gid(it.gid)
        y -= head_lines * lg.section_size_pt * spacing / PG.PT_PER_MM
        ax.text(x + indent, y, "\n".join(it.body), ha="left", va="top", fontsize=lg.entry_size_pt,
                color=lg.entry_color, linespacing=spacing)
    rest = len(items) - len(pos)
    if keys_only:
        note = (cv.count_text("partners_more", rest, count=rest, page=ANNEX_FIRST_PAGE) if rest
                else cv.text("partners_in_annex", page=ANNEX_FIRST_PAGE))
        more = "\n".join(PG.wrap_measured(cv, note, box.w, lg.entry_size_pt))
        t = ax.text(0, 0, more, ha="left", va="bottom", fontsize=lg.entry_size_pt, color=lg.entry_color,
                    fontstyle="italic")
        t.set_gid("zone-list-more" if rest else "zone-list-annex")
        left_out = ", ".join(zp.name or "—" for zp in zones[len(pos):])
        cv.annex = True
        if rest:
            cv.warnings.append(f"partners list: {rest} zone(s) did not fit beside the map (listed in the PDF's "
                               f"annex): {left_out}")
        else:
            cv.warnings.append("partners list: the zones' partners did not fit beside the map (listed in the PDF's "
                               "annex)")
    return ax


def top_list(cv: PG.Canvas, box: PG.Box, wc: WorldContent) -> None:
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
    line_h = lg.entry_size_pt * 1.45 / PG.PT_PER_MM
    per_col = 5
    gap = 2 * lg.entry_size_pt / PG.PT_PER_MM
    renderer = cv.fig.canvas.get_renderer()
    to_mm = ax.transData.inverted()
    counts = [format_number(count, cv.lang) for _, _, count in wc.top]
    num_w = max((len(c) for c in counts), default=1) * lg.entry_size_pt * 0.62 / PG.PT_PER_MM
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


def collectivite_list(cv: PG.Canvas, box: PG.Box, cc: CollectiviteContent) -> None:
    """The collectivité's partners by country: name, year and themes, each with its theme's colour.
    What does not fit is counted in the last line, which sends to the PDF's annex listing them all."""
    st = cv.style
    lg = st.legend
    size = lg.entry_size_pt
    ax = cv.mm_axes(box, gid="partners-list")
    head = cv.text("partners_of")
    ax.text(0, box.h, head.upper() if lg.title_uppercase else head, ha="left", va="top", fontsize=lg.title_size_pt,
            color=lg.title_color, fontweight="bold")
    y = box.h - lg.title_size_pt * 1.6 / PG.PT_PER_MM
    line_h = size * 1.3 / PG.PT_PER_MM
    country = None
    for i, p in enumerate(cc.listing):
        lines = PG.wrap_measured(cv, p.text, box.w - 3.0, size)
        need = line_h * (len(lines) + (p.country_name != country))
        if y - need < 2 * line_h:  # keep room for the count of the others (two lines)
            rest = len(cc.listing) - i
            more = PG.wrap_measured(cv, cv.count_text("partners_more_places", rest, count=rest, page=ANNEX_FIRST_PAGE),
                                    box.w, size)
            t = ax.text(0, y, "\n".join(more), ha="left", va="top", fontsize=size, color=lg.entry_color,
                        fontstyle="italic")
            t.set_gid("partners-list-more")
            cv.annex = True
            cv.warnings.append(f"{rest} partner(s) did not fit in the list beside the map (listed in the PDF's annex)")
            return
        if p.country_name != country:
            country = p.country_name
            ax.text(0, y, country, ha="left", va="top", fontsize=size, color=lg.entry_color, fontweight="bold")
            y -= line_h
        ax.plot([1.0], [y - line_h / 2], linestyle="none", marker="o", markersize=size * 0.6,
                markerfacecolor=p.color or st.symbol("partner").fill, markeredgecolor=st.symbol("partner").edge,
                markeredgewidth=0.3)
        for k, text in enumerate(lines):
            t = ax.text(3.0, y, text, ha="left", va="top", fontsize=size, color=lg.entry_color)
            if k == 0:
                t.set_gid(f"list-partner-{i + 1}")
            y -= line_h
