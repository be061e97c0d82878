"""Boxes and segments in display units, for label placement: overlap tests and a uniform grid.

Format-independent (plain tuples, no drawing library): the print renderer's label placement
(`atlasmaps.render.static.labels`) measures with matplotlib and decides with these.
"""

from __future__ import annotations

import functools
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


def overlaps_or_touches(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def reach_of(boxes: list[Box], leaders: list[Segment | None]) -> Box:
    """The box covering all `boxes` and `leaders` (the extent of a label's candidate places)."""
    xs = [v for b in boxes for v in (b[0], b[2])] + [v for s in leaders if s is not None for v in (s[0], s[2])]
    ys = [v for b in boxes for v in (b[1], b[3])] + [v for s in leaders if s is not None for v in (s[1], s[3])]
    return (min(xs), min(ys), max(xs), max(ys))


def first_clear(boxes: list[Box], leaders: list[Segment | None], obstacles: list[Box],
                others: list[tuple[Box, Segment | None]]) -> int | None:
    """The index of the first (box, leader) place that overlaps no obstacle and no other label,
    whose leader crosses no obstacle and no other label or leader, and that no other leader
    crosses; None when there is none. All places are tested at once with numpy: the same tests as
    `overlaps`, `segment_hits_box` and `segments_cross` one by one (the same float operations)."""
    import numpy as np

    hit = np.flatnonzero(clear_mask(boxes, leaders, obstacles, others))
    return int(hit[0]) if len(hit) else None


def clear_mask(boxes: list[Box], leaders: list[Segment | None], obstacles: list[Box],
               others: list[tuple[Box, Segment | None]], leader_obstacles: list[Box] | None = None,
               avoid: list[Box] = ()):
    """For each (box, leader) place, whether it is clear (see `first_clear`), as a numpy array.

    `leader_obstacles` are the obstacles a leader may not cross when they are not all of
    `obstacles` (a label whose leader may cross the symbols over its area); `avoid` boxes the
    extent of the label and its leader must not overlap (zoom insets)."""
    import numpy as np

    nan4 = (math.nan,) * 4
    b = np.array(boxes, dtype=float).reshape(-1, 4)
    ld = np.array([s if s is not None else nan4 for s in leaders], dtype=float).reshape(-1, 4)
    ok = np.ones(len(b), dtype=bool)

    def drop(test, rows=None):
        """Clear the places (of `rows`, default all still clear) for which `test(index)` is true:
        each test looks only at the places that passed the ones before."""
        idx = np.flatnonzero(ok) if rows is None else rows
        if len(idx):
            ok[idx[test(idx)]] = False

    def with_leader():
        return np.flatnonzero(ok & ~np.isnan(ld[:, 0]))

    if obstacles:
        ob = np.array(obstacles, dtype=float)
        drop(lambda i: overlaps_array(b[i, None, :], ob[None, :, :]).any(axis=1))
    crossed = obstacles if leader_obstacles is None else leader_obstacles
    if crossed:
        lob = np.array(crossed, dtype=float)
        drop(lambda i: hits_array(ld[i, None, :], lob[None, :, :]).any(axis=1), with_leader())
    if avoid:
        av = np.array(avoid, dtype=float)

        def region(i):
            return np.column_stack([np.fmin(b[i, 0], np.fmin(ld[i, 0], ld[i, 2])), np.fmin(b[i, 1], np.fmin(ld[i, 1], ld[i, 3])),
                                    np.fmax(b[i, 2], np.fmax(ld[i, 0], ld[i, 2])), np.fmax(b[i, 3], np.fmax(ld[i, 1], ld[i, 3]))])

        drop(lambda i: overlaps_array(region(i)[:, None, :], av[None, :, :]).any(axis=1))
    if others:
        pb = np.array([o[0] for o in others], dtype=float)
        pl = np.array([o[1] if o[1] is not None else nan4 for o in others], dtype=float)
        pl = pl[~np.isnan(pl[:, 0])]  # the other labels' leaders
        drop(lambda i: overlaps_array(b[i, None, :], pb[None, :, :]).any(axis=1))
        if len(pl):
            drop(lambda i: hits_array(pl[None, :, :], b[i, None, :]).any(axis=1))
        drop(lambda i: hits_array(ld[i, None, :], pb[None, :, :]).any(axis=1), with_leader())
        if len(pl):
            drop(lambda i: cross_array(ld[i, None, :], pl[None, :, :]).any(axis=1), with_leader())
    return ok


def overlaps_array(a, b):
    """`overlaps` on numpy arrays of boxes (last axis x0, y0, x1, y1), broadcast."""
    return (a[..., 0] < b[..., 2]) & (b[..., 0] < a[..., 2]) & (a[..., 1] < b[..., 3]) & (b[..., 1] < a[..., 3])


def hits_array(s, b):
    """`segment_hits_box` on numpy arrays (Liang–Barsky, the same steps); NaN segments hit nothing."""
    import numpy as np

    x0, y0, x1, y1 = s[..., 0], s[..., 1], s[..., 2], s[..., 3]
    dx, dy = x1 - x0, y1 - y0
    shape = np.broadcast_shapes(s.shape[:-1], b.shape[:-1])
    t0, t1 = np.zeros(shape), np.ones(shape)
    ok = ~np.isnan(x0 + y0 + x1 + y1) & np.ones(shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x0 - b[..., 0]), (dx, b[..., 2] - x0), (-dy, y0 - b[..., 1]), (dy, b[..., 3] - y0)):
            zero = p == 0
            ok &= ~(zero & (q < 0))
            t = q / p
            t0 = np.where(~zero & (p < 0), np.maximum(t0, t), t0)
            t1 = np.where(~zero & (p > 0), np.minimum(t1, t), t1)
            ok &= ~(t0 > t1)
    return ok & (t1 - t0 > 1e-9)


def cross_array(a, b):
    """`segments_cross` on numpy arrays of segments, broadcast."""

    def orient(px, py, qx, qy, rx, ry):
        return (qx - px) * (ry - py) - (qy - py) * (rx - px)

    d1 = orient(b[..., 0], b[..., 1], b[..., 2], b[..., 3], a[..., 0], a[..., 1])
    d2 = orient(b[..., 0], b[..., 1], b[..., 2], b[..., 3], a[..., 2], a[..., 3])
    d3 = orient(a[..., 0], a[..., 1], a[..., 2], a[..., 3], b[..., 0], b[..., 1])
    d4 = orient(a[..., 0], a[..., 1], a[..., 2], a[..., 3], b[..., 2], b[..., 3])
    return (d1 * d2 < 0) & (d3 * d4 < 0)


def extent(box: Box, leader: Segment | None) -> Box:
    """The box covering a label and its leader line."""
    if leader is None:
        return box
    return (min(box[0], leader[0], leader[2]), min(box[1], leader[1], leader[3]),
            max(box[2], leader[0], leader[2]), max(box[3], leader[1], leader[3]))


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
#: Directions (degrees, counter-clockwise from east) tried for labels moved away from their symbol,
#: the Imhof preferences first (right before left, above before below).
FAR_DIRECTIONS: tuple[float, ...] = (
    45, 315, 135, 225, 0, 180, 90, 270, 22.5, 337.5, 157.5, 202.5, 67.5, 292.5, 112.5, 247.5,
)



#: cos and sin of FAR_DIRECTIONS, one row per ring of candidates (computed once, with math's own
#: functions: the arithmetic below on numpy floats is then the same as on Python floats).
_FAR_COS = tuple(math.cos(math.radians(deg)) for deg in FAR_DIRECTIONS)
_FAR_SIN = tuple(math.sin(math.radians(deg)) for deg in FAR_DIRECTIONS)


def candidate_places(px: float, py: float, r: float, w: float, h: float, frame: Box, step: float = 0.0,
                     rings: int = 0) -> list[tuple[str, Box, str, Segment | None]]:
    """Where a w × h label may go around a symbol of radius `r` at (px, py), preferred first, inside
    `frame`: (name, box, alignment of its lines, leader or None). The 8 places touching the symbol,
    then `rings` rings `step` apart in FAR_DIRECTIONS, each tied to the symbol by a leader.

    The far places (9 rings of 16 on a print map) are computed with numpy, then kept in Python:
    the same float operations as one by one (IEEE doubles either way; the length of a leader with
    `math.hypot`, as before)."""
    import numpy as np

    out: list[tuple[str, Box, str, Segment | None]] = []
    fx0, fy0, fx1, fy1 = frame
    for name, dx, dy, align in POSITIONS:
        # Diagonal positions sit closer to the symbol (its corner), straight ones touch its side.
        k = 0.75 if dx and dy else 1.0
        x0 = px + k * r if dx > 0 else (px - k * r - w if dx < 0 else px - w / 2)
        y0 = py + k * r if dy > 0 else (py - k * r - h if dy < 0 else py - h / 2)
        box = (x0, y0, x0 + w, y0 + h)
        if inside(box, frame):
            out.append((name, box, align, None))
    if rings <= 0:
        return out
    n = len(FAR_DIRECTIONS)
    ring = np.repeat(np.arange(1, rings + 1), n)
    c, s = np.tile(_FAR_COS, rings), np.tile(_FAR_SIN, rings)
    d = r + ring * step
    ax_, ay_ = px + d * c, py + d * s  # the corner/side of the box nearest the symbol
    x0 = np.where(c > 0.38, ax_, np.where(c < -0.38, ax_ - w, ax_ - w / 2))
    y0 = np.where(s > 0.38, ay_, np.where(s < -0.38, ay_ - h, ay_ - h / 2))
    x1, y1 = x0 + w, y0 + h
    keep = np.flatnonzero((x0 >= fx0) & (y0 >= fy0) & (x1 <= fx1) & (y1 <= fy1))
    # Leader from the symbol's edge to the nearest point of the label box.
    nx = np.minimum(np.maximum(px, x0[keep]), x1[keep])
    ny = np.minimum(np.maximum(py, y0[keep]), y1[keep])
    dx, dy = nx - px, ny - py
    length = np.array(list(map(math.hypot, dx.tolist(), dy.tolist())))  # math's hypot, as one by one
    far = length > r
    keep, nx, ny, dx, dy, length = keep[far], nx[far], ny[far], dx[far], dy[far], length[far]
    names, aligns = _far_names(rings)
    boxes = zip(x0[keep].tolist(), y0[keep].tolist(), x1[keep].tolist(), y1[keep].tolist())
    leaders = zip((px + dx * r / length).tolist(), (py + dy * r / length).tolist(), nx.tolist(), ny.tolist())
    idx = keep.tolist()
    out.extend(zip([names[i] for i in idx], boxes, [aligns[i] for i in idx], leaders))
    return out


@functools.lru_cache(maxsize=8)
def _far_names(rings: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names ("45@1": direction@ring) and line alignments of the far places of `rings` rings."""
    n = len(FAR_DIRECTIONS)
    names = tuple(f"{int(FAR_DIRECTIONS[i % n])}@{i // n + 1}" for i in range(rings * n))
    aligns = tuple("left" if c > 0.38 else ("right" if c < -0.38 else "center") for c in _FAR_COS * rings)
    return names, aligns
