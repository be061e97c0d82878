"""The legend: the content's sections stacked in a millimetre axes, each swatch drawn from the style."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from atlasmaps.content import common as K
from atlasmaps.render.static import draw as D
from atlasmaps.render.static import page as PG

if TYPE_CHECKING:
    from matplotlib.text import Text

    from atlasmaps.content.types import LegendEntry, LegendSection


def entry_height(style) -> float:
    """Height (mm) of a one-line legend entry: its symbol or its text, whichever is taller."""
    return max(style.legend.entry_size_pt, 6.0) * 1.45 / PG.PT_PER_MM


def lines_height(style, lines: int, symbol_h: float = 0.0) -> float:
    """Height (mm) of an entry of `lines` lines of text beside a symbol `symbol_h` mm high."""
    return max(entry_height(style), symbol_h + 0.6, lines * style.legend.entry_size_pt * 1.2 / PG.PT_PER_MM + 0.8)


class LegendWriter:
    """Stacks legend sections top-down in a millimetre axes; each entry gets an SVG id.

    With `columns` > 1 the box is split in columns and `column(i)` moves to the top of column i
    (the bilateral map's legend is a band of columns under the two panels).
    """

    def __init__(self, cv: PG.Canvas, box: PG.Box, columns: int = 1) -> None:
        self.cv = cv
        self.box = box
        self.ax = cv.mm_axes(box, gid="legend")
        self.y = box.h
        self.x0 = 0.0
        self.col_w = box.w / columns
        lg = cv.style.legend
        self.entry_h = entry_height(cv.style)
        self.sym_w = 6.0
        self.chars = max(12, int((self.col_w - self.sym_w - 3) / (lg.entry_size_pt * 0.5 / PG.PT_PER_MM)))

    def column(self, i: int) -> None:
        self.x0 = i * self.col_w
        self.y = self.box.h

    def title(self, text: str) -> None:
        lg = self.cv.style.legend
        text = text.upper() if lg.title_uppercase else text
        lines = textwrap.wrap(text, max(12, int((self.col_w - 3) / (lg.title_size_pt * 0.55 / PG.PT_PER_MM))))
        if self.y < self.box.h:
            self.y -= 2.0
        self.ax.text(self.x0, self.y, "\n".join(lines), ha="left", va="top", fontsize=lg.title_size_pt,
                     color=lg.title_color, fontweight="bold", linespacing=1.1)
        self.y -= len(lines) * lg.title_size_pt * 1.3 / PG.PT_PER_MM + 1.0

    def entry(self, key: str, text: str, draw, symbol_h: float = 0.0) -> None:
        """One entry: `draw(ax, x, y)` draws the symbol (`symbol_h` mm high) centred at (x, y) mm; text beside it."""
        lg = self.cv.style.legend
        lines = textwrap.wrap(text, self.chars) or [""]
        h = lines_height(self.cv.style, len(lines), symbol_h)
        cy = self.y - h / 2
        sym_w = max(self.sym_w, symbol_h)
        artists = draw(self.ax, self.x0 + sym_w / 2, cy) or []
        for a in artists if isinstance(artists, list) else [artists]:
            if a is not None:
                a.set_gid(None)
        t = self.ax.text(self.x0 + sym_w + 1, cy, "\n".join(lines), ha="left", va="center", fontsize=lg.entry_size_pt,
                         color=lg.entry_color, linespacing=1.1)
        t.set_gid(f"legend-entry-{key}")
        if key == "callouts":
            self.cv.key = KeyEntry(t, text, self.chars, self.y)
        self.y -= h

    def note(self, text: str) -> None:
        lg = self.cv.style.legend
        lines = textwrap.wrap(text, self.chars + 6)
        self.ax.text(self.x0, self.y - 1, "\n".join(lines), ha="left", va="top", fontsize=lg.entry_size_pt,
                     color=lg.entry_color, linespacing=1.1)
        self.y -= len(lines) * lg.entry_size_pt * 1.25 / PG.PT_PER_MM + 1

    def space_left(self) -> float:
        return self.y


@dataclass
class KeyEntry:
    """The key of the numbered places as drawn: its text artist, running text, wrap width (characters)
    and top (mm in the legend's axes), so that `rewrite_key` can set it again in place."""

    artist: Text
    text: str
    chars: int
    top: float


def rewrite_key(cv: PG.Canvas, text: str) -> None:
    """Set the key's running text again, its first line where it was (a key that lost places is
    shorter: its entry only shrinks, nothing below it moves)."""
    entry = cv.key
    lines = textwrap.wrap(text, entry.chars) or [""]
    h = lines_height(cv.style, len(lines))
    x, _ = entry.artist.get_position()
    entry.artist.set_text("\n".join(lines))
    entry.artist.set_position((x, entry.top - h / 2))
    entry.text = text


def legend_marker(sym, fill: str | None = None):
    def draw(ax, x, y):
        (line,) = ax.plot([x], [y], linestyle="none", marker=sym.marker, markersize=sym.size_pt,
                          markerfacecolor=fill or sym.fill, markeredgecolor=sym.edge,
                          markeredgewidth=sym.edge_width_pt)
        return line

    return draw


def legend_patch(fill, alpha, edge, lw, marker_sym=None):
    def draw(ax, x, y):
        from matplotlib.patches import Rectangle

        out = [ax.add_patch(Rectangle((x - 2.5, y - 1.6), 5, 3.2, facecolor=fill, alpha=alpha, edgecolor="none"))]
        out.append(ax.add_patch(Rectangle((x - 2.5, y - 1.6), 5, 3.2, facecolor="none", edgecolor=edge,
                                          linewidth=lw)))
        if marker_sym is not None:
            out.append(legend_marker(marker_sym)(ax, x, y))
        return out

    return draw


def legend_text_symbol(text: str, props: dict[str, Any]):
    def draw(ax, x, y):
        return ax.text(x, y, text, ha="center", va="center", **{k: v for k, v in props.items() if k != "zorder"})

    return draw


def swatch(cv: PG.Canvas, entry: LegendEntry, vmax: float = 1.0):
    """The drawer of a legend entry's symbol, from the style (the content says what it stands for)."""
    st = cv.style
    ch = st.choropleth
    if entry.swatch == "type":
        sym = st.symbol(entry.key)
        if sym.polygon is not None and entry.key in {k.value for k in K.UNIT_KINDS}:
            poly = sym.polygon
            return legend_patch(poly.fill, poly.alpha, poly.edge, poly.edge_width_pt)
        return legend_marker(sym)
    if entry.swatch == "zone":
        z = st.zone_intervention
        return legend_patch(z.fill, z.alpha, z.edge, z.edge_width_pt)
    if entry.swatch == "partner":
        return legend_marker(st.symbol("partner"))
    if entry.swatch == "year":
        return legend_text_symbol(cv.text("legend.year_example"), D.year_props(st))
    if entry.swatch == "theme":
        return legend_marker(st.symbol("partner"), entry.color)
    if entry.swatch == "circle":
        pr = st.proportional
        d = max(pr.min_size_pt, pr.max_size_pt * math.sqrt((entry.value or 0) / vmax))

        def draw(a, x, y):
            (m,) = a.plot([x], [y], linestyle="none", marker="o", markersize=min(d, 16), markerfacecolor=pr.color,
                          alpha=pr.alpha, markeredgecolor=pr.edge)
            return m

        return draw
    if entry.swatch == "aggregate":
        from atlasmaps.content.dense import circle_size

        d = st.dense
        size = circle_size(st, entry.value or 0, vmax)

        def draw(a, x, y):
            (m,) = a.plot([x], [y], linestyle="none", marker="o", markersize=size, markerfacecolor=d.circle_color,
                          alpha=d.circle_alpha, markeredgecolor=d.circle_edge, markeredgewidth=d.circle_edge_width_pt)
            return m

        return draw
    if entry.swatch == "place":
        return legend_marker(st.symbol("place"))
    if entry.swatch == "none":
        return lambda a, x, y: None
    return legend_patch(entry.color, 1.0, ch.edge, 0.3)  # class, no_data, france


def symbol_height(style, entry: LegendEntry, vmax: float) -> float:
    """Height (mm) of an entry's symbol when taller than a line: circles in the legend are at scale."""
    from atlasmaps.content.dense import circle_size

    return circle_size(style, entry.value or 0, vmax) / PG.PT_PER_MM if entry.swatch == "aggregate" else 0.0


def section_height(style, section: LegendSection, col_w: float) -> float:
    """Height (mm) a section takes in a column `col_w` mm wide, as `LegendWriter` sets it."""
    lg = style.legend
    chars = max(12, int((col_w - 9.0) / (lg.entry_size_pt * 0.5 / PG.PT_PER_MM)))
    title_chars = max(12, int((col_w - 3) / (lg.title_size_pt * 0.55 / PG.PT_PER_MM)))
    h = len(textwrap.wrap(section.title, title_chars)) * lg.title_size_pt * 1.3 / PG.PT_PER_MM + 1.0
    vmax = max((e.value or 0 for e in section.entries), default=1) or 1
    for e in section.entries:
        lines = len(textwrap.wrap(e.label, chars)) or 1
        h += lines_height(style, lines, symbol_height(style, e, vmax))
    return h


def draw_legend(lw: LegendWriter, cv: PG.Canvas, sections: Sequence[LegendSection], columns: bool = False) -> None:
    """The content's legend sections top-down; with `columns`, one section per column."""
    for i, section in enumerate(sections):
        if columns and i:
            lw.column(i)
        lw.title(section.title)
        vmax = max((e.value or 0 for e in section.entries), default=1) or 1
        for e in section.entries:
            lw.entry(e.key, e.label, swatch(cv, e, vmax), symbol_height(cv.style, e, vmax))
