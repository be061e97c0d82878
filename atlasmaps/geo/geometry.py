"""Geometries made ready to draw: projected once, clipped to the frame, simplified for the paper.

Why: reprojecting at draw time (cartopy `add_geometries` with a PlateCarree source) is most of the
cost of a naive render (measured in benchmarks/bench_render.py). Here each layer is projected once
with a vectorised pyproj transform, clipped to what the panel shows, and simplified with
`shapely.coverage_simplify` (topology-preserving: neighbouring units keep a shared border) to a
tolerance of ~0.25 mm on paper. Results are cached per process, so a batch drawing 50 countries
projects France once.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Hashable, Sequence

from atlasmaps.geo.projection import Frame, crs_of, lon0_of, transformer, wrap_lon

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np

#: Simplification tolerance on paper (mm): below what a reader can see at print scale.
TOLERANCE_MM = 0.25

_CACHE: OrderedDict[Hashable, object] = OrderedDict()
_CACHE_SIZE = 64


def _cached(key: Hashable, make):
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    value = make()
    _CACHE[key] = value
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


def clear_cache() -> None:
    """Forget projected layers and transformers (tests, or a long-running process that changes
    boundaries or trims its memory)."""
    _CACHE.clear()
    transformer.cache_clear()


def tolerance_m(frame: Frame, width_mm: float, tolerance_mm: float = TOLERANCE_MM) -> float:
    """Ground distance (projected metres) of `tolerance_mm` on paper for a panel `width_mm` wide."""
    return frame.width / max(width_mm, 1e-6) * tolerance_mm


def project_points(lon: Sequence[float], lat: Sequence[float], frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat arrays to the frame's CRS (vectorised)."""
    import numpy as np

    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if lon.size == 0:
        return lon, lat
    x, y = transformer(frame.crs).transform(wrap_lon(lon, frame.lon0), lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def lonlat_box(frame: Frame, margin_deg: float = 3.0) -> tuple[float, float, float, float]:
    """The lon/lat rectangle covering the frame, longitudes in [lon0-180, lon0+180] (see lonwrap).

    Projecting a whole-world layer into a local conic gives infinities and wrapped polygons far
    away; clipping in degrees first avoids both and saves most of the work.
    """
    import numpy as np

    lo, hi = frame.lon0 - 180.0, frame.lon0 + 180.0
    n = 64
    xs = np.concatenate([np.linspace(frame.xmin, frame.xmax, n), np.full(n, frame.xmax),
                         np.linspace(frame.xmax, frame.xmin, n), np.full(n, frame.xmin)])
    ys = np.concatenate([np.full(n, frame.ymin), np.linspace(frame.ymin, frame.ymax, n),
                         np.full(n, frame.ymax), np.linspace(frame.ymax, frame.ymin, n)])
    inv = transformer(frame.crs)
    lon, lat = inv.transform(xs, ys, direction="INVERSE")
    lon, lat = np.asarray(lon), np.asarray(lat)
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) < 1e3)
    lon, lat = lon[ok], lat[ok]
    if lon.size < 4 * n:  # part of the frame is off the globe (a world or hemisphere frame)
        return (lo, -90.0, hi, 90.0)
    rel = wrap_lon(lon, frame.lon0)
    south, north = max(float(lat.min()) - margin_deg, -90.0), min(float(lat.max()) + margin_deg, 90.0)
    # A pole inside the frame: every longitude is shown, up to the pole.
    for pole in (90.0, -90.0):
        px, py = inv.transform(frame.lon0, pole)
        if np.isfinite(px) and frame.xmin <= px <= frame.xmax and frame.ymin <= py <= frame.ymax:
            return (lo, -90.0 if pole < 0 else south, hi, 90.0 if pole > 0 else north)
    west = max(float(rel.min()) - margin_deg, lo)
    east = min(float(rel.max()) + margin_deg, hi)
    return (west, south, east, north)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """make_valid, then keep only the polygonal parts (coverage_simplify accepts polygons only)."""
    import numpy as np
    import shapely

    geoms = shapely.make_valid(geoms)
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            out[i] = None
        elif g.geom_type in ("Polygon", "MultiPolygon"):
            out[i] = g
        else:
            polys = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
            out[i] = shapely.union_all(polys) if polys else None
    return out


def project_geometries(geoms_wgs84: Sequence[object], frame: Frame, tolerance: float,
                       windowed: bool = False) -> np.ndarray:
    """Project polygons to the frame: clip in degrees, transform once, clip to the frame, simplify.

    Returns an object array aligned with the input; None where nothing falls in the frame.
    `windowed=True` when the input already went through `lonwrap.unwrap` and `lonwrap.to_window`
    for the frame's central longitude.
    """
    import numpy as np
    import shapely

    from atlasmaps.geo.lonwrap import to_window, unwrap

    geoms = np.asarray(geoms_wgs84, dtype=object)
    if geoms.size == 0:
        return geoms
    west, south, east, north = lonlat_box(frame)
    if not windowed:
        geoms = to_window(unwrap(geoms), frame.lon0)
    clipped = shapely.clip_by_rect(geoms, west, south, east, north)
    clipped = np.where(shapely.is_empty(clipped) | shapely.is_missing(clipped), None, clipped)
    t = transformer(frame.crs)

    def fwd(coords: np.ndarray) -> np.ndarray:
        x, y = t.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    present = np.array([g is not None for g in clipped])
    out = np.full(len(geoms), None, dtype=object)
    if not present.any():
        return out
    projected = shapely.transform(clipped[present], fwd)
    # Clip to the frame plus a small margin, so the outline of the frame hides the cut.
    mx, my = frame.width * 0.01, frame.height * 0.01
    projected = shapely.clip_by_rect(projected, frame.xmin - mx, frame.ymin - my, frame.xmax + mx, frame.ymax + my)
    projected = _polygonal(projected)
    keep = np.array([g is not None and not g.is_empty for g in projected])
    if keep.any() and tolerance > 0:
        simplified = shapely.coverage_simplify(projected[keep], tolerance, simplify_boundary=True)
        simplified = _polygonal(np.asarray(simplified, dtype=object))
        projected[keep] = simplified
    idx = np.flatnonzero(present)
    for j, g in zip(idx, projected):
        out[j] = g if g is not None and not g.is_empty else None
    return out


def project_layer(key: Hashable, gdf: gpd.GeoDataFrame, frame: Frame, tolerance: float) -> gpd.GeoDataFrame:
    """A layer projected for a frame, rows outside the frame dropped; cached per (key, frame, tolerance).

    `key` names the layer ("countries", "admin1:JP", ...): the same layer for the same frame is
    projected once per process.
    """
    import geopandas as gpd

    from atlasmaps.geo.lonwrap import to_window, unwrap

    def windowed():
        # Cut at the window's edges once per central longitude: a partner's frames of different
        # sizes (each layout of a dense map, its zoom insets) share it; the cut costs a union of
        # the pieces of Russia, Antarctica or Fiji.
        raw = _cached(("unwrapped", key, len(gdf)), lambda: unwrap(gdf.geometry.values))
        return to_window(raw, frame.lon0)

    def make():
        geoms = project_geometries(_cached(("windowed", key, len(gdf), frame.lon0), windowed), frame, tolerance,
                                   windowed=True)
        keep = [g is not None for g in geoms]
        out = gpd.GeoDataFrame(gdf.drop(columns=gdf.geometry.name)[keep].reset_index(drop=True),
                               geometry=[g for g in geoms if g is not None], crs=crs_of(frame.crs))
        return out

    return _cached(("layer", key, frame, round(tolerance, 3)), make)


def globe(crs: str):
    """The outline of the world in `crs` (the edge of the map), from a dense lon/lat rectangle."""
    import numpy as np
    from shapely.geometry import Polygon

    n = 181
    lon = np.concatenate([np.full(n, -180.0), np.linspace(-180, 180, n), np.full(n, 180.0), np.linspace(180, -180, n)])
    lat = np.concatenate([np.linspace(-90, 90, n), np.full(n, 90.0), np.linspace(90, -90, n), np.full(n, -90.0)])
    x, y = transformer(crs).transform(lon - 1e-9 * np.sign(lon), lat)
    return Polygon(np.column_stack([x, y])).buffer(0)


def world_frame(crs: str) -> Frame:
    """The frame holding the whole globe in `crs`."""
    x0, y0, x1, y1 = globe(crs).bounds
    return Frame(crs, x0, x1, y0, y1, lon0=lon0_of(crs))


def frame_outline(frame: Frame, target: Frame, n: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """The rectangle an inset's `frame` shows, as a closed line in `target`'s projection: the
    locator box drawn on the main panel (curved there when the projections differ)."""
    import numpy as np

    xs = np.concatenate([np.linspace(frame.xmin, frame.xmax, n), np.full(n, frame.xmax),
                         np.linspace(frame.xmax, frame.xmin, n), np.full(n, frame.xmin)])
    ys = np.concatenate([np.full(n, frame.ymin), np.linspace(frame.ymin, frame.ymax, n),
                         np.full(n, frame.ymax), np.linspace(frame.ymax, frame.ymin, n)])
    lon, lat = transformer(frame.crs).transform(xs, ys, direction="INVERSE")
    x, y = project_points(lon, lat, target)
    return np.append(x, x[:1]), np.append(y, y[:1])
