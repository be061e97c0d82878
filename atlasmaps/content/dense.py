"""Dense print panels (issue 13): which places cluster so tightly that an enlarged inset must show
them, and when a panel holds so many symbols that proportional circles per unit replace them.

Why here: these are decisions about what the map shows, taken from the data, the panel's size on
the page and the style (`dense:`); the print renderer only draws the result (insets with their
frame and locator box, circles with their counts, the places still named). The arithmetic is in
the panel's projected metres and in page millimetres; no drawing library.

- Aggregation: past `aggregate_density` symbols per cm² of panel, one circle per unit
  (département on the French side, admin-1 unit on the partner side), its area proportional to
  the unit's partnerships, pushed apart from its neighbours (Dorling) until circles of different
  units no longer cover each other; only the `aggregate_labels` most important places and the
  `aggregate_labels` most populous stay named.
- Insets (mapsf's `mf_inset_on`): places closer than `cluster_mm` on the page chain into a cluster;
  a cluster of `cluster_min_points` or more whose names cannot all fit gets an inset enlarging it
  `zoom_min`..`zoom_max` times, put where it covers no symbol and the least of the panel's own land,
  never on its locator box. A cluster the panel has no room for (or past `insets_max`) gets numbered
  callouts instead: its places other than the most important are named by a number, and a key beside
  the map lists them.
- Numbered places: a place whose label the print renderer could place nowhere on a first layout
  (`numbered`) is named by a number too, after the clusters' numbers, in reading order (top to
  bottom, then left to right) so that the eye finds it from the key.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Collection, Sequence

from atlasmaps.geo import geometry as G
from atlasmaps.geo.projection import Frame

if TYPE_CHECKING:
    import geopandas as gpd

    from atlasmaps.style import Dense, Style

#: Points per millimetre (print sizes in the style are in points).
PT_PER_MM = 72 / 25.4
#: Inset positions tried in the panel, preferred first: (x, y) as shares of the free room.
SLOTS: tuple[tuple[str, float, float], ...] = (
    ("upper left", 0, 1), ("lower left", 0, 0), ("upper right", 1, 1), ("lower right", 1, 0),
    ("left", 0, 0.5), ("right", 1, 0.5), ("top", 0.5, 1), ("bottom", 0.5, 0),
)


@dataclass(frozen=True)
class Circle:
    """One unit's proportional circle on an aggregated panel."""

    unit: str  # département code or admin-1 id
    name: str
    x: float  # projected metres, after being pushed apart
    y: float
    count: int  # partnerships of the unit's places
    places: int  # collectivités it stands for
    size_pt: float  # diameter


@dataclass(frozen=True)
class Inset:
    """An enlarged view of one cluster: what it shows and where it sits in its panel."""

    number: int  # 1, 2…: written on its frame and beside its locator box
    name: str  # its most important place ("Paris", "Tokyo")
    members: tuple  # index labels of the clustered places (their labels go to the inset)
    frame: Frame  # the area it shows, in the panel's projection (also the locator box)
    box: tuple[float, float, float, float]  # x, y, w, h in mm from the panel's lower-left corner
    zoom: float


@dataclass(frozen=True)
class PanelPlan:
    """How one panel copes with its density: circles (empty: one symbol per place), the places
    still named, the insets."""

    circles: tuple[Circle, ...]
    named: frozenset  # index labels of the places drawn and named
    insets: tuple[Inset, ...]
    density: float  # symbols per cm² of the panel
    scale: int = 0  # the count a circle of `circle_max_size_pt` stands for
    callouts: tuple[tuple[Any, int, str], ...] = ()  # (index label, number, name) of numbered places

    def callout(self, index) -> int | None:
        """The number standing for a place's name on the panel (None: its name is written)."""
        return next((n for i, n, _ in self.callouts if i == index), None)

    @property
    def aggregated(self) -> bool:
        return bool(self.circles)

    def inset_only(self, index) -> bool:
        """Whether a place is shown only in its zoom inset: the panel draws, inside the locator
        box, the most important place of the cluster alone (so its symbols do not pile up)."""
        return any(index in i.members[1:] for i in self.insets)

    def keeps_label(self, index) -> bool:
        """Whether the main panel names this place: named, and not left to an inset (its
        most important member is named on both, so the panel still reads without the inset)."""
        return index in self.named and not self.inset_only(index)


def circle_size(style: Style, value: float, vmax: float) -> float:
    """Diameter (pt) of the circle of a unit holding `value` partnerships, the largest (`vmax`) at
    `circle_max_size_pt`: areas proportional to the counts, never below `circle_min_size_pt`."""
    d = style.dense
    return max(d.circle_min_size_pt, d.circle_max_size_pt * math.sqrt(value / vmax)) if vmax > 0 else d.circle_min_size_pt


def largest_unit(points: gpd.GeoDataFrame, unit_col: str) -> int:
    """The most partnerships one unit holds: the circles of both panels of a map share this scale."""
    counts: dict[str, int] = {}
    for unit, n in zip(points[unit_col], points["n"]):
        if isinstance(unit, str) and unit:
            counts[unit] = counts.get(unit, 0) + int(n)
    return max(counts.values(), default=0)


def plan(points: gpd.GeoDataFrame, unit_col: str, units: gpd.GeoDataFrame, id_col: str, frame: Frame,
         size_mm: tuple[float, float], style: Style, land: Sequence = (),
         avoid: Sequence[tuple[float, float, float, float]] = (), vmax: int = 0, first_callout: int = 1,
         numbered: Collection = ()) -> PanelPlan:
    """The plan of one panel of `size_mm` showing `frame`.

    `points` (name, n, importance, population, geometry WGS84, `unit_col`) are the panel's place symbols;
    `units` (`id_col`, name, geometry WGS84) the units circles stand for; `land` the WGS84 polygons
    an inset should rather not cover (the panel's own country); `avoid` mm boxes (x, y, w, h) it
    must not cover (scale bar, north arrow); `vmax` the count of the largest circle (0: this panel's);
    `first_callout` the number of the panel's first numbered place (the panels of a map share one key);
    `numbered` index labels of places to name by a number (their label fitted nowhere).
    """
    import numpy as np

    d = style.dense
    w, h = size_mm
    if len(points) == 0:
        return PanelPlan((), frozenset(), (), 0.0)
    xs, ys = G.project_points(points.geometry.x.values, points.geometry.y.values, frame)
    mx, my = (xs - frame.xmin) / frame.width * w, (ys - frame.ymin) / frame.height * h
    inside = (mx >= 0) & (mx <= w) & (my >= 0) & (my <= h)
    index = list(points.index)
    density = float(inside.sum()) / (w * h / 100.0)
    importance = np.asarray(points["importance"].values, dtype=float)
    order = [i for i in np.argsort(-importance, kind="stable") if inside[i]]
    circles: tuple[Circle, ...] = ()
    named = list(order)
    if density > d.aggregate_density:
        circles = _circles(points, unit_col, units, id_col, frame, (w, h), style, inside, vmax)
        # The most important places and the most populous ones (what a reader looks for first).
        population = np.asarray(points["population"].values, dtype=float)
        by_pop = [i for i in np.argsort(-population, kind="stable") if inside[i]][: d.aggregate_labels]
        keep = set(order[: d.aggregate_labels]) | set(by_pop)
        named = [i for i in order if i in keep]
    drawn = named if circles else [i for i in range(len(mx)) if inside[i]]  # the symbols an inset must not hide
    insets, left = _insets(named, mx, my, importance, points, index, frame, (w, h), style, land,
                           [(mx[i], my[i]) for i in drawn], circles, avoid)
    clustered = [i for members in left for i in members[1:]]
    late = sorted((i for i in order if index[i] in numbered and i not in clustered), key=lambda i: (-my[i], mx[i]))
    numbered = [*clustered, *late]
    callouts = tuple((index[i], first_callout + k, str(points["name"].values[i])) for k, i in enumerate(numbered))
    scale = max(vmax, *(c.count for c in circles)) if circles else 0
    return PanelPlan(circles, frozenset(index[i] for i in named), tuple(insets), round(density, 3), scale, callouts)


def _circles(points, unit_col: str, units, id_col: str, frame: Frame, size_mm, style: Style, inside,
             vmax: int) -> tuple[Circle, ...]:
    """One circle per unit holding places in the panel, pushed apart until they no longer overlap."""
    import numpy as np

    count: dict[str, int] = {}
    places: dict[str, int] = {}
    for unit, n, ok in zip(points[unit_col], points["n"], inside):
        if ok and isinstance(unit, str) and unit:
            count[unit] = count.get(unit, 0) + int(n)
            places[unit] = places.get(unit, 0) + 1
    if not count:
        return ()
    geoms = dict(zip(units[id_col].astype(str), units.geometry))
    names = dict(zip(units[id_col].astype(str), units["name"]))
    keys = sorted(count, key=lambda u: (-count[u], u))
    anchors = []
    for u in keys:
        g = geoms.get(u)
        if g is None:  # a unit missing from the layer: the mean of its places
            sel = points[points[unit_col] == u].geometry
            anchors.append((float(sel.x.mean()), float(sel.y.mean())))
        else:
            rp = g.representative_point()
            anchors.append((rp.x, rp.y))
    xs, ys = G.project_points([a[0] for a in anchors], [a[1] for a in anchors], frame)
    vmax = max(vmax, *count.values())
    sizes = np.array([circle_size(style, count[u], vmax) for u in keys])
    m_per_mm = frame.width / size_mm[0]
    r = sizes / 2 / PT_PER_MM * m_per_mm  # radii in metres
    x, y = _push_apart(np.asarray(xs, float), np.asarray(ys, float), r, style.dense.circle_spacing)
    return tuple(Circle(u, str(names.get(u, u)), float(x[i]), float(y[i]), count[u], places[u], float(sizes[i]))
                 for i, u in enumerate(keys))


def _push_apart(x, y, r, spacing: float, rounds: int = 200):
    """Move overlapping circles apart (larger ones move less) until every two centres are at least
    `spacing` × the sum of their radii apart (Dorling's cartogram, without its attraction: a circle
    moves only as far as its neighbours push it)."""
    import numpy as np

    area = r ** 2
    for _ in range(rounds):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        dist = np.hypot(dx, dy)
        need = (r[:, None] + r[None, :]) * spacing
        np.fill_diagonal(need, 0)
        deficit = np.where(dist < need, need - dist, 0.0)
        if not deficit.any():
            break
        dist = np.where(dist == 0, 1e-6, dist)
        share = area[None, :] / (area[:, None] + area[None, :])  # i moves by the other's share
        push_x = (deficit * share * dx / dist).sum(axis=1)
        push_y = (deficit * share * dy / dist).sum(axis=1)
        x += push_x * 0.6
        y += push_y * 0.6
    return x, y


def _insets(named: list[int], mx, my, importance, points, index, frame: Frame, size_mm, style: Style, land,
            symbols: list[tuple[float, float]], circles, avoid) -> tuple[list[Inset], list[list[int]]]:
    """Clusters of the named places whose names cannot all fit, each given an inset where the panel
    has room; and the clusters left without one (most important place first)."""
    d = style.dense
    w, h = size_mm
    if len(named) < d.cluster_min_points:
        return [], []
    clusters = _clusters(named, mx, my, d.cluster_mm)
    names = [str(n) for n in points["name"].values]
    clusters = [c for c in clusters if len(c) >= d.cluster_min_points
                and not _labels_fit(c, mx, my, names, style)]
    if not clusters:
        return [], []
    clusters.sort(key=lambda c: (-len(c), -max(importance[i] for i in c)))
    m_per_mm = frame.width / w
    land_mm = _land_mm(land, frame, size_mm)
    taken: list[tuple[float, float, float, float]] = [a for a in avoid]
    circle_mm = [((c.x - frame.xmin) / m_per_mm, (c.y - frame.ymin) / m_per_mm) for c in circles]
    out: list[Inset] = []
    left: list[list[int]] = []
    for members in clusters:
        members = sorted(members, key=lambda i: -importance[i])
        if len(out) >= d.insets_max:
            left.append(members)
            continue
        # Room for each place's label: a bigger cluster gets a bigger inset, within the panel's share.
        grow = max(1.0, math.sqrt(len(members) * d.inset_mm2_per_place / (d.inset_width_mm * d.inset_height_mm)))
        found = None
        # Smaller, or wider / taller for the same area, when the panel has no room for the first.
        for scale, aspect in itertools.product((grow, (1 + grow) / 2, 1.0, 0.75), (1.0, 1.4, 1 / 1.4)):
            iw = min(d.inset_width_mm * scale * math.sqrt(aspect), w * d.inset_max_share)
            ih = min(d.inset_height_mm * scale / math.sqrt(aspect), h * d.inset_max_share)
            found = _place(members, mx, my, iw, ih, (w, h), d, taken, symbols, circle_mm, land_mm)
            if found is not None:
                break
        if found is None:
            left.append(members)
            continue
        box, window, kept, zoom = found
        vw, vh = window[2], window[3]
        taken += [box, window]
        f = Frame(frame.crs, frame.xmin + window[0] * m_per_mm, frame.xmin + (window[0] + vw) * m_per_mm,
                  frame.ymin + window[1] * m_per_mm, frame.ymin + (window[1] + vh) * m_per_mm, frame.lon0)
        out.append(Inset(len(out) + 1, str(points["name"].values[kept[0]]), tuple(index[i] for i in kept), f, box,
                         round(zoom, 2)))
    return out, left


def _place(members: list[int], mx, my, iw: float, ih: float, size_mm, d: Dense, taken, symbols, circle_mm, land_mm):
    """An inset of iw × ih mm for the cluster: (its box, the window it shows, the places in it, its
    zoom), or None when the panel has no free place for it."""
    w, h = size_mm
    x0, x1 = min(mx[i] for i in members), max(mx[i] for i in members)
    y0, y1 = min(my[i] for i in members), max(my[i] for i in members)
    inner_w, inner_h = iw * (1 - 2 * d.inset_pad), ih * (1 - 2 * d.inset_pad)
    zoom = min(d.zoom_max, inner_w / max(x1 - x0, 0.1), inner_h / max(y1 - y0, 0.1))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if zoom < d.zoom_min:  # a long chain: enlarge the part around its most important place
        zoom, cx, cy = d.zoom_min, mx[members[0]], my[members[0]]
    vw, vh = iw / zoom, ih / zoom  # what the inset shows, in panel mm
    window = (cx - vw / 2, cy - vh / 2, vw, vh)
    kept = [i for i in members if _in(mx[i], my[i], window)]
    if len(kept) < d.cluster_min_points:
        return None
    box = _slot(w, h, iw, ih, d.margin_mm, [*taken, window], symbols, circle_mm, land_mm)
    return None if box is None else (box, window, kept, zoom)


#: Average width of a character over the font size (an estimate: the print renderer measures).
CHAR_WIDTH = 0.55


def _labels_fit(members: list[int], mx, my, names: list[str], style: Style) -> bool:
    """Whether every name of a cluster fits beside its symbol at the panel's scale, each at one of
    the four diagonal places, none over another name or symbol: then the cluster needs no inset."""
    size = style.place_labels.size_pt / PT_PER_MM
    r = max(style.symbol("commune").size_pt, style.symbol("partner").size_pt) / 2 / PT_PER_MM
    symbols = [(mx[i] - r, my[i] - r, 2 * r, 2 * r) for i in members]
    placed: list[tuple[float, float, float, float]] = []
    for i in members:
        w, h = len(names[i]) * size * CHAR_WIDTH, size * 1.3
        for dx, dy in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
            box = (mx[i] + (r if dx > 0 else -r - w), my[i] + (r if dy > 0 else -r - h), w, h)
            if not any(_overlap(box, o) for o in (*placed, *symbols)):
                placed.append(box)
                break
        else:
            return False
    return True


def _clusters(named: list[int], mx, my, dist_mm: float) -> list[list[int]]:
    """Single-linkage groups of places closer than `dist_mm` on the page."""
    groups: list[list[int]] = []
    left = list(named)
    while left:
        group = [left.pop(0)]
        k = 0
        while k < len(group):
            a = group[k]
            near = [b for b in left if math.hypot(mx[a] - mx[b], my[a] - my[b]) < dist_mm]
            for b in near:
                left.remove(b)
            group += near
            k += 1
        groups.append(group)
    return groups


def _in(x: float, y: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= x <= box[0] + box[2] and box[1] <= y <= box[1] + box[3]


def _overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _land_mm(land, frame: Frame, size_mm):
    """The panel's own land (WGS84 polygons) in panel millimetres, for measuring what an inset covers."""
    import shapely

    geoms = [g for g in land if g is not None and not g.is_empty]
    if not geoms:
        return None
    projected = G.project_geometries(geoms, frame, G.tolerance_m(frame, size_mm[0], 1.0))
    sx, sy = size_mm[0] / frame.width, size_mm[1] / frame.height
    parts = [shapely.affinity.affine_transform(g, (sx, 0, 0, sy, -frame.xmin * sx, -frame.ymin * sy))
             for g in projected if g is not None and not g.is_empty]
    return shapely.union_all(parts) if parts else None


def _slot(w: float, h: float, iw: float, ih: float, margin: float, taken, symbols, circles, land):
    """Where in the panel an inset covers no symbol, circle, other inset or avoided box, and the
    least land: mapsf's corners and sides first, then anywhere on a grid of `margin` steps, a place
    near the panel's edge preferred; None when every place covers something."""
    import numpy as np
    import shapely

    step = max(margin, 1.0) * 2
    xs = [margin + fx * (w - iw - 2 * margin) for _, fx, _ in SLOTS]
    ys = [margin + fy * (h - ih - 2 * margin) for _, _, fy in SLOTS]
    gx, gy = np.meshgrid(np.arange(margin, w - iw - margin + 1e-9, step), np.arange(margin, h - ih - margin + 1e-9, step))
    x = np.concatenate([xs, gx.ravel()])
    y = np.concatenate([ys, gy.ravel()])
    ok = np.ones(len(x), bool)
    for t in taken:
        ok &= ~((x < t[0] + t[2]) & (t[0] < x + iw) & (y < t[1] + t[3]) & (t[1] < y + ih))
    pts = np.array([*symbols, *circles], float).reshape(-1, 2)
    if len(pts):
        px, py = pts[:, 0][None, :], pts[:, 1][None, :]
        hit = ((px >= x[:, None] - margin) & (px <= x[:, None] + iw + margin)
               & (py >= y[:, None] - margin) & (py <= y[:, None] + ih + margin))
        ok &= ~hit.any(axis=1)
    if not ok.any():
        return None
    x, y = x[ok], y[ok]
    edge = np.minimum.reduce([x, y, w - x - iw, h - y - ih])
    cost = edge / max(w, h)
    if land is not None:
        cost = cost + shapely.area(shapely.intersection(land, shapely.box(x, y, x + iw, y + ih))) / (iw * ih)
    k = int(np.argmin(cost))  # the first of equal costs: mapsf's places come first
    return (float(x[k]), float(y[k]), iw, ih)
