"""Label placement: no label over another label, over a symbol, or across the frame.

Why measured extents: a label's size depends on the font the style resolves to, its size and the
text; guessing from character counts either wastes space or overlaps. Each label is measured once
with the figure's renderer, then tried at 8 positions around its symbol (the cartographic order:
upper right first), greedily by priority (biggest counts first). A label that fits nowhere is
dropped and returned, so the caller reports it (RenderedMap.dropped_labels), never silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.text import Text

# Candidate positions, preferred first (Imhof): NE, SE, NW, SW, E, W, N, S.
# (dx, dy) direction of the label block from the symbol, and the horizontal alignment of lines.
POSITIONS: tuple[tuple[str, float, float, str], ...] = (
    ("NE", 1, 1, "left"),
    ("SE", 1, -1, "left"),
    ("NW", -1, 1, "right"),
    ("SW", -1, -1, "right"),
    ("E", 1, 0, "left"),
    ("W", -1, 0, "right"),
    ("N", 0, 1, "center"),
    ("S", 0, -1, "center"),
)

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display units (pixels at figure dpi)


@dataclass
class LabelLine:
    """One line of a label block (a name, or the years below it) with its Text properties."""

    text: str
    props: dict[str, Any] = field(default_factory=dict)
    role: str = "label"  # SVG id prefix of the line: "label-<gid>", "years-<gid>"


@dataclass
class LabelRequest:
    """A label to place next to a symbol at data coordinates (x, y) of `ax`."""

    key: str  # what is reported when the label is dropped ("Kobe")
    ax: Axes
    x: float
    y: float
    lines: list[LabelLine]
    radius_pt: float = 0.0  # half the symbol size: the gap between symbol centre and label
    priority: float = 0.0
    gid: str | None = None


@dataclass
class Placement:
    key: str
    position: str
    box: Box
    artists: list[Text]


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Box, frame: Box) -> bool:
    return a[0] >= frame[0] and a[1] >= frame[1] and a[2] <= frame[2] and a[3] <= frame[3]


def symbol_box(ax: Axes, x: float, y: float, radius_pt: float) -> Box:
    """Display box of a point symbol of radius `radius_pt` at data (x, y)."""
    px, py = ax.transData.transform((x, y))
    r = radius_pt * ax.figure.dpi / 72.0
    return (px - r, py - r, px + r, py + r)


def place_labels(
    requests: list[LabelRequest],
    obstacles: list[Box],
    *,
    pad_pt: float = 1.0,
    line_gap_pt: float = 0.5,
) -> tuple[list[Placement], list[str]]:
    """Place labels greedily by priority; return the placements and the keys of dropped labels.

    `obstacles` are display boxes no label may cover (symbols, scale bar, legend, insets); each
    placed label becomes an obstacle for the next. Labels stay inside their axes' box.
    """
    if not requests:
        return [], []
    fig = requests[0].ax.figure
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72.0
    pad = pad_pt * px_per_pt
    taken: list[Box] = list(obstacles)
    placed: list[Placement] = []
    dropped: list[str] = []
    order = sorted(range(len(requests)), key=lambda i: (-requests[i].priority, requests[i].key))
    for i in order:
        req = requests[i]
        ax = req.ax
        frame_bb = ax.get_window_extent(renderer)
        frame: Box = (frame_bb.x0, frame_bb.y0, frame_bb.x1, frame_bb.y1)
        ax_px, ax_py = ax.transData.transform((req.x, req.y))
        lines = [ln for ln in req.lines if ln.text]
        texts = [ax.text(0, 0, ln.text, transform=None, **ln.props) for ln in lines]
        if not texts:
            continue
        sizes = []
        for t in texts:
            bb = t.get_window_extent(renderer)
            sizes.append((bb.width, bb.height))
        gap = line_gap_pt * px_per_pt
        w = max(s[0] for s in sizes) + 2 * pad
        h = sum(s[1] for s in sizes) + gap * (len(sizes) - 1) + 2 * pad
        r = req.radius_pt * px_per_pt
        chosen = None
        for name, dx, dy, align in POSITIONS:
            # Diagonal positions sit closer to the symbol (its corner), straight ones touch its side.
            k = 0.75 if dx and dy else 1.0
            if dx > 0:
                x0 = ax_px + k * r
            elif dx < 0:
                x0 = ax_px - k * r - w
            else:
                x0 = ax_px - w / 2
            if dy > 0:
                y0 = ax_py + k * r
            elif dy < 0:
                y0 = ax_py - k * r - h
            else:
                y0 = ax_py - h / 2
            box = (x0, y0, x0 + w, y0 + h)
            if not inside(box, frame):
                continue
            if any(overlaps(box, o) for o in taken):
                continue
            chosen = (name, box, align)
            break
        if chosen is None:
            for t in texts:
                t.remove()
            dropped.append(req.key)
            continue
        name, box, align = chosen
        # Lay the lines top-down inside the box, in figure pixels (transform=None).
        y_top = box[3] - pad
        xs = {"left": box[0] + pad, "right": box[2] - pad, "center": (box[0] + box[2]) / 2}
        for t, (_, th), ln in zip(texts, sizes, lines):
            t.set_horizontalalignment(align)
            t.set_verticalalignment("top")
            t.set_position((xs[align], y_top))
            y_top -= th + gap
            # Fixed pixel positions must follow the data when the figure is saved at another dpi:
            # convert to axes coordinates.
            t.set_transform(ax.transAxes)
            fx, fy = ax.transAxes.inverted().transform(t.get_position())
            t.set_position((fx, fy))
            if req.gid:
                t.set_gid(f"{ln.role}-{req.gid}")
        taken.append(box)
        placed.append(Placement(req.key, name, box, texts))
    return placed, dropped
