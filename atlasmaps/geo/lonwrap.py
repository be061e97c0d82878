"""Longitude wrapping: polygons that cross the antimeridian, in a form every frame can use.

Why: the boundary layers come from TopoJSON in spherical coordinates, where a polygon crossing
180° (Chukotka, Taveuni, the Lau islands) simply jumps from 179.9 to -179.9. Measured in degrees,
such a polygon spans the whole world: extents, lon/lat clipping and PlateCarree drawing all break.
`unwrap` makes every part continuous (shifting its western longitudes by +360), and `to_window`
re-cuts the polygons into the 360° window centred on a frame's central longitude, so clipping in
degrees and projecting both work whatever the frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def _shift(geoms: np.ndarray, dx: float) -> np.ndarray:
    import numpy as np
    import shapely

    if dx == 0 or geoms.size == 0:
        return geoms
    return shapely.transform(geoms, lambda c: c + np.array([dx, 0.0]))


def unwrap(geoms) -> np.ndarray:
    """Each polygon part continuous in longitude: parts spanning > 180° get their negative
    longitudes shifted by +360 (so they lie in 0..360). Rows are kept aligned with the input.
    """
    import numpy as np
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    if geoms.size == 0:
        return geoms
    b = shapely.bounds(geoms)
    wide = np.nan_to_num(b[:, 2] - b[:, 0]) > 180.0
    if not wide.any():
        return geoms
    out = geoms.copy()
    for i in np.flatnonzero(wide):
        parts = shapely.get_parts(geoms[i])
        pb = shapely.bounds(parts)
        fixed = []
        for part, (minx, _, maxx, _) in zip(parts, pb):
            if maxx - minx > 180.0:
                part = shapely.transform(part, lambda c: np.where(c[:, :1] < 0, c + [360.0, 0.0], c))
                part = shapely.make_valid(part)
            fixed.append(part)
        polys = [p for f in fixed for p in shapely.get_parts(f) if p.geom_type == "Polygon"]
        # union, not a bare collection: pieces the source cut at 180° become one island again.
        out[i] = shapely.union_all(polys) if len(polys) > 1 else (polys[0] if polys else geoms[i])
    return out


def to_window(geoms, lon0: float) -> np.ndarray:
    """Geometries (already `unwrap`ped) re-expressed with longitudes in [lon0-180, lon0+180].

    Parts beyond the window's edges are cut there and shifted by ±360, so a frame centred
    anywhere (Fiji at 178°, Kiribati at -171°) sees every polygon whole and in one piece.
    """
    import numpy as np
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    if geoms.size == 0:
        return geoms
    lo = lon0 - 180.0
    b = shapely.bounds(geoms)
    minx, maxx = b[:, 0], b[:, 2]
    valid = np.isfinite(minx)
    out = geoms.copy()
    inside = valid & (minx >= lo) & (maxx <= lo + 360.0)
    todo = np.flatnonzero(valid & ~inside)
    for i in todo:
        pieces = []
        for k in (-1, 0, 1, 2):
            w0, w1 = lo + 360.0 * k, lo + 360.0 * (k + 1)
            if maxx[i] <= w0 or minx[i] >= w1:
                continue
            if minx[i] >= w0 and maxx[i] <= w1:
                piece = geoms[i]
            else:
                piece = shapely.clip_by_rect(geoms[i], w0, -90.0, w1, 90.0)
            if piece is not None and not piece.is_empty:
                pieces.append(_shift(np.array([piece], dtype=object), -360.0 * k)[0])
        out[i] = shapely.union_all(pieces) if len(pieces) > 1 else (pieces[0] if pieces else None)
    return out


#: A great circle gets at least this many vertices, so that a short link still curves smoothly.
MIN_ARC_VERTICES = 8


def great_circle_parts(start: tuple[float, float], end: tuple[float, float], step_km: float = 100.0,
                       ) -> list[list[tuple[float, float]]]:
    """The shortest path on the WGS84 ellipsoid from `start` to `end` (lon, lat), a vertex about
    every `step_km`, cut where it crosses 180° (see `split_at_antimeridian`)."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    _, _, metres = geod.inv(start[0], start[1], end[0], end[1])
    n = max(MIN_ARC_VERTICES, int(metres / 1000.0 / step_km))
    return split_at_antimeridian([tuple(start), *geod.npts(start[0], start[1], end[0], end[1], n), tuple(end)])


def split_at_antimeridian(points) -> list[list[tuple[float, float]]]:  # noqa: ANN001
    """Cut a lon/lat path where consecutive longitudes jump by more than 180°, ending each part
    exactly on ±180 at the interpolated latitude and starting the next on the other edge."""
    parts: list[list[tuple[float, float]]] = [[tuple(points[0])]]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if abs(x1 - x0) > 180.0:
            edge = 180.0 if x0 > 0 else -180.0
            x1c = x1 + 360.0 if x0 > 0 else x1 - 360.0  # x1 continued past the edge
            y = y0 + (edge - x0) / (x1c - x0) * (y1 - y0)
            parts[-1].append((edge, y))
            parts.append([(-edge, y)])
        parts[-1].append((x1, y1))
    return [p for p in parts if len(p) >= 2]
