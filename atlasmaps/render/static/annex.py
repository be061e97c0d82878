"""The PDF's annex: pages after the map listing in full what did not fit beside it.

Why: a partner country with 40 zones, or a city with 60 partners, cannot list them all in the
map's side column; the map ends its list with "… et 36 autres zones, listées en annexe du PDF
(p. 2)" and these pages hold the whole list, in the style's columns, as many pages as it takes.
PNG and SVG are single images: they carry the map page only (its last line sends to the PDF).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from atlasmaps.render.static import elements as E
from atlasmaps.render.static import page as PG

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from atlasmaps.content.types import FullList


@dataclass(frozen=True)
class _Line:
    """One line of the annex as set: its text, whether it is an entry's heading, its entry's gid."""

    text: str
    heading: bool
    gid: str | None  # on the first line of an entry (SVG id; the PDF keeps the text)


#: One placed line: (page index, column, y from the column's top in mm, line).
_Placed = tuple[int, int, float, _Line]


def pages(cv: PG.Canvas, full: FullList, inner: PG.Box) -> list[Figure]:
    """The annex pages for `full`, each a figure of the map's page size (header, columns, footer)."""
    st = cv.style
    ax_lay = st.layout.annex
    # Measure the header and footer once on a scratch page, so the columns know their height.
    first = _page(cv, inner, full, 1)
    body = first.body
    cols = ax_lay.columns
    col_w = (body.w - ax_lay.column_gap_mm * (cols - 1)) / cols
    placed, n_pages = _flow(cv, full, col_w, body.h)
    figs: list[Figure] = []
    for page_i in range(n_pages):
        pc = first if page_i == 0 else _page(cv, inner, full, page_i + 1)
        _page_number(pc.cv, inner, page_i + 1, n_pages)
        ax = pc.cv.mm_axes(body, gid=f"annex-page-{page_i + 1}")
        for p, col, y, line in placed:
            if p == page_i:
                _draw_line(pc.cv, ax, col * (col_w + ax_lay.column_gap_mm), body.h - y, line)
        figs.append(pc.cv.fig)
    return figs


@dataclass
class _Page:
    cv: PG.Canvas
    body: PG.Box


def _page(cv: PG.Canvas, inner: PG.Box, full: FullList, number: int) -> _Page:
    """A new annex page with its title ("Annexe – Partenaires français par zone"; "(suite)" after
    the first), the map's title as subtitle and the source footer."""
    from atlasmaps.render.static import agg

    fig = agg.Figure(figsize=(cv.width_mm / 25.4, cv.height_mm / 25.4), dpi=PG.LAYOUT_DPI)
    agg.Canvas(fig)
    pcv = PG.Canvas(fig, cv.width_mm, cv.height_mm, cv.style, cv.lang, cv.content)
    texts = cv.content.texts
    title = pcv.text("annex.title", list=full.title)
    if number > 1:
        title = pcv.text("annex.continued", list=title)
    top = inner.top - E.title(pcv, inner, title, texts.title)
    bottom = inner.y + E.source(pcv, inner, texts)
    return _Page(pcv, PG.Box(inner.x, bottom, inner.w, top - bottom))


def _page_number(cv: PG.Canvas, inner: PG.Box, number: int, total: int) -> None:
    """"Page 2/3" at the top right, counting the map as page 1."""
    h = PG.block_height_mm(cv.style, "source")
    ax = cv.mm_axes(PG.Box(inner.x, inner.top - h, inner.w, h), gid="annex-page-number")
    ax.text(inner.w, h, cv.text("annex.page", page=number + 1, pages=total + 1), ha="right", va="top",
            **PG.block_props(cv.style, "source"))


def _sizes(cv: PG.Canvas) -> tuple[float, float, float]:
    """Heights (mm) of a heading line, a body line, and the gap between two entries."""
    st = cv.style
    lg, lay = st.legend, st.layout.annex
    return (lg.section_size_pt * lay.line_spacing / PG.PT_PER_MM, lg.entry_size_pt * lay.line_spacing / PG.PT_PER_MM,
            lay.entry_gap_mm)


def _flow(cv: PG.Canvas, full: FullList, col_w: float, height: float) -> tuple[list[_Placed], int]:
    """Place every line, column after column and page after page. A heading never ends a column
    (it moves on with its first line); an entry cut by a column's end starts the next column
    with its heading again, marked as continued."""
    st = cv.style
    lg = st.legend
    head_h, line_h, gap = _sizes(cv)
    indent = INDENT_MM
    cols = st.layout.annex.columns
    placed: list[_Placed] = []
    page, col, y = 0, 0, 0.0

    def next_column() -> None:
        nonlocal page, col, y
        col, y = col + 1, 0.0
        if col >= cols:
            page, col = page + 1, 0

    for entry in full.entries:
        heads = PG.wrap_measured(cv, entry.heading, col_w, lg.section_size_pt, "bold")
        body = [w for text in entry.lines for w in PG.wrap_measured(cv, text, col_w - indent, lg.entry_size_pt)]
        if y > 0:
            y += gap
        # A heading starts a column when it would end one with fewer than two of its lines.
        if y + len(heads) * head_h + line_h * min(2, len(body)) > height and y > 0:
            next_column()
        for k, h in enumerate(heads):
            placed.append((page, col, y, _Line(h, True, entry.gid if k == 0 else None)))
            y += head_h
        for text in body:
            if y + line_h > height:
                next_column()
                again = cv.text("annex.continued", list=entry.heading)
                for h in PG.wrap_measured(cv, again, col_w, lg.section_size_pt, "bold"):
                    placed.append((page, col, y, _Line(h, True, None)))
                    y += head_h
            placed.append((page, col, y, _Line(text, False, None)))
            y += line_h
    return placed, page + 1


#: Indent (mm) of an entry's lines under its heading, as in the list beside the map.
INDENT_MM = 3.0


def _draw_line(cv: PG.Canvas, ax, x: float, y: float, line: _Line) -> None:
    st = cv.style
    lg = st.legend
    if line.heading:
        t = ax.text(x, y, line.text, ha="left", va="top", fontsize=lg.section_size_pt, fontweight="bold",
                    color=st.zone_intervention.edge)
    else:
        t = ax.text(x + INDENT_MM, y, line.text, ha="left", va="top", fontsize=lg.entry_size_pt,
                    color=lg.entry_color)
    if line.gid:
        t.set_gid(f"annex-{line.gid}")
