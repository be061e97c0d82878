"""The page and its boxes: a figure whose drawing code thinks in millimetres from the lower-left corner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from atlasmaps.content.text import counted
from atlasmaps.geo import geometry as G
from atlasmaps.geo import projection as P

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from atlasmaps.content.types import MapContent
    from atlasmaps.render.static.labels import LabelRequest
    from atlasmaps.style import Style


#: Layout resolution (dots per inch) used while placing labels; output dpi is independent.
LAYOUT_DPI = 72


PT_PER_MM = 72 / 25.4


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
    content: MapContent
    obstacles: list = field(default_factory=list)  # display boxes labels must avoid
    requests: list[LabelRequest] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    annex: bool = False  # a list did not fit beside the map: the PDF lists it in full on annex pages
    #: Places to name by a number, ("france" | "partner", index label), most important first: their
    #: label fitted nowhere on a first layout (render's second pass; content.dense numbers them, the
    #: legend keys them; a composition keeps only as many as its key has room for).
    numbered: tuple[tuple[str, object], ...] = ()

    key: Any = None  # the key of the numbered places as drawn (legend.KeyEntry), None without one

    def numbered_on(self, side: str) -> frozenset:
        """The index labels of the places numbered on the panel of `side` ("france" | "partner")."""
        return frozenset(i for s, i in self.numbered if s == side)

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

    def project(self, layer: str, frame: P.Frame, box: Box):
        """The content's layer `layer` projected into `frame`, simplified for the box's width."""
        lay = self.content.layers[layer]
        return G.project_layer(lay.key, lay.gdf, frame, G.tolerance_m(frame, box.w))

    def text(self, key: str, **fields: Any) -> str:
        return self.style.text(key, self.lang, **fields)

    def count_text(self, key: str, n: float, **fields: Any) -> str:
        """The label `key` in the singular or plural form the count `n` asks for ("1 projet")."""
        return counted(self.style, key, n, self.lang, **fields)


def page_boxes(style: Style, page: str) -> tuple[float, float, Box]:
    pg = style.page(page)
    m = pg.margins_mm
    inner = Box(m.left, m.bottom, pg.width_mm - m.left - m.right, pg.height_mm - m.top - m.bottom)
    return pg.width_mm, pg.height_mm, inner


def block_height_mm(style: Style, block: str, lines: int = 1) -> float:
    size = getattr(style.blocks, block).size_pt
    return lines * size * 1.25 / PT_PER_MM


def block_props(style: Style, block: str) -> dict[str, Any]:
    b = getattr(style.blocks, block)
    return {"fontsize": b.size_pt, "color": b.color, "fontweight": b.weight, "fontstyle": b.style}


#: Measured widths (mm) by (font family, text, size, weight): a word is measured once per process.
_WIDTHS: dict[tuple[tuple[str, ...], str, float, str], float] = {}


def text_width_mm(cv: Canvas, text: str, size_pt: float, weight: str = "normal") -> float:
    """Width of `text` set in the style's font at `size_pt` (measured, not guessed from characters)."""
    family = tuple(cv.style.font_family())
    key = (family, text, size_pt, weight)
    width = _WIDTHS.get(key)
    if width is None:
        from matplotlib.font_manager import FontProperties

        renderer = cv.fig.canvas.get_renderer()
        fp = FontProperties(family=list(family), size=size_pt, weight=weight)
        w, _, _ = renderer.get_text_width_height_descent(text, fp, ismath=False)
        width = w * 72.0 / cv.fig.dpi / PT_PER_MM
        if len(_WIDTHS) > 200_000:
            _WIDTHS.clear()
        _WIDTHS[key] = width
    return width


def wrap_measured(cv: Canvas, text: str, width_mm: float, size_pt: float, weight: str = "normal") -> list[str]:
    """Greedy word wrap by measured width (a single word longer than the width gets its own line).

    A line's width is the sum of its words' widths and spaces (each word measured once): long lists
    (an annex of 600 partners) wrap in linear time."""
    words = text.split(" ")
    space = text_width_mm(cv, "n n", size_pt, weight) - 2 * text_width_mm(cv, "n", size_pt, weight)
    lines: list[str] = []
    current: list[str] = []
    current_w = 0.0
    for word in words:
        w = text_width_mm(cv, word, size_pt, weight)
        trial = current_w + space + w if current else w
        if current and trial > width_mm:
            lines.append(" ".join(current))
            current, current_w = [word], w
        else:
            current.append(word)
            current_w = trial
    if current:
        lines.append(" ".join(current))
    return lines
