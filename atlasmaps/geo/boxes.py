"""Boxes and segments in display units, for label placement: overlap tests and a uniform grid.

Format-independent (plain tuples, no drawing library): the print renderer's label placement
(`atlasmaps.render.static.labels`) measures with matplotlib and decides with these.
"""

from __future__ import annotations

import math

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display units (pixels at figure dpi)
Segment = tuple[float, float, float, float]  # x0, y0, x1, y1 in display units



def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(a: Box, frame: Box) -> bool:
    return a[0] >= frame[0] and a[1] >= frame[1] and a[2] <= frame[2] and a[3] <= frame[3]


def segment_hits_box(s: Segment, b: Box) -> bool:
    """Whether segment `s` crosses box `b` (Liang–Barsky clipping)."""
    x0, y0, x1, y1 = s
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - b[0]), (dx, b[2] - x0), (-dy, y0 - b[1]), (dy, b[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return t1 - t0 > 1e-9


def segments_cross(a: Segment, b: Segment) -> bool:
    def orient(px, py, qx, qy, rx, ry):
        return (qx - px) * (ry - py) - (qy - py) * (rx - px)

    d1 = orient(b[0], b[1], b[2], b[3], a[0], a[1])
    d2 = orient(b[0], b[1], b[2], b[3], a[2], a[3])
    d3 = orient(a[0], a[1], a[2], a[3], b[0], b[1])
    d4 = orient(a[0], a[1], a[2], a[3], b[2], b[3])
    return d1 * d2 < 0 and d3 * d4 < 0


class Grid:
    """A uniform grid over display pixels, so that a collision test looks only at nearby items.

    Why: a France panel of the full Atlas carries hundreds of labels, each with ~150 candidate
    positions; testing every candidate against every placed label is quadratic and dominated the
    render time of the batch.
    """

    def __init__(self, cell: float) -> None:
        self.cell = max(cell, 1.0)
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.keys_of: dict[int, list[tuple[int, int]]] = {}

    def _span(self, b: Box) -> list[tuple[int, int]]:
        c = self.cell
        return [(i, j) for i in range(math.floor(b[0] / c), math.floor(b[2] / c) + 1)
                for j in range(math.floor(b[1] / c), math.floor(b[3] / c) + 1)]

    def add(self, item: int, b: Box) -> None:
        keys = self._span(b)
        self.keys_of[item] = keys
        for k in keys:
            self.cells.setdefault(k, []).append(item)

    def remove(self, item: int) -> None:
        for k in self.keys_of.pop(item, ()):
            self.cells[k].remove(item)

    def near(self, b: Box) -> list[int]:
        found: set[int] = set()
        for k in self._span(b):
            found.update(self.cells.get(k, ()))
        return sorted(found)


def extent(box: Box, leader: Segment | None) -> Box:
    """The box covering a label and its leader line."""
    if leader is None:
        return box
    return (min(box[0], leader[0], leader[2]), min(box[1], leader[1], leader[3]),
            max(box[2], leader[0], leader[2]), max(box[3], leader[1], leader[3]))
