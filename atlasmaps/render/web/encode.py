"""Compact geometry for the web payload: delta-encoded integer coordinates, great-circle arcs, bounds."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:
    import geopandas as gpd


#: Points per great-circle arc (enough for a smooth curve at world zoom, few bytes).
ARC_POINTS = 48


def encode_ring(ring: Sequence[Sequence[float]], scale: float) -> list[int]:
    """A line as scaled integers, first point absolute then deltas (decoded by atlas.js).

    Deltas between neighbouring vertices are small integers: this halves the size of the
    basemap against decimal GeoJSON at the same precision.
    """
    out: list[int] = []
    px = py = 0
    for x, y, *_ in ring:
        ix, iy = round(x * scale), round(y * scale)
        out.append(ix - px)
        out.append(iy - py)
        px, py = ix, iy
    return out


def encode(geom: dict[str, Any], scale: float) -> Any:
    kind, coords = geom["type"], geom["coordinates"]
    if kind == "Point":
        return [round(c * scale) for c in coords[:2]]
    if kind == "LineString":
        return encode_ring(coords, scale)
    if kind in ("Polygon", "MultiLineString"):
        return [encode_ring(r, scale) for r in coords]
    if kind == "MultiPolygon":
        return [[encode_ring(r, scale) for r in poly] for poly in coords]
    raise ValueError(f"cannot encode a {kind}")


def useful_precision(precision: int, tolerance: float) -> int:
    """Decimals worth keeping after simplification: one finer than the tolerance, at most the style's."""
    if tolerance <= 0:
        return precision
    return max(0, min(precision, math.ceil(-math.log10(tolerance)) + 1))


def feature_collection(
    gdf: gpd.GeoDataFrame,
    props: Sequence[str],
    precision: int,
    tolerance: float,
    rename: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A compact, delta-encoded GeoJSON-like FeatureCollection (`q` = decimals; see atlas.js).

    Geometries are simplified (topology-preserving per geometry) and quantised to what the
    tolerance leaves meaningful, capped by the style's `web.coordinate_precision`.
    """
    import shapely
    from shapely.geometry import mapping

    rename = rename or {}
    precision = useful_precision(precision, tolerance)
    scale = 10.0**precision
    features = []
    geoms = gdf.geometry.values
    if tolerance > 0 and len(gdf):
        geoms = shapely.simplify(shapely.make_valid(geoms), tolerance, preserve_topology=True)
    for (_, row), geom in zip(gdf.iterrows(), geoms):
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type == "GeometryCollection":
            geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
            if geom.is_empty:
                continue
        gj = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {rename.get(p, p): plain(row[p]) for p in props},
                "geometry": {"type": gj["type"], "coordinates": encode(gj, scale)},
            }
        )
    return {"type": "FeatureCollection", "q": precision, "features": features}


def plain(value: Any) -> Any:
    """Numpy/pandas scalars as JSON-able Python values (NaN -> None)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def great_circle(lon1: float, lat1: float, lon2: float, lat2: float, precision: int, n: int = ARC_POINTS) -> list[list[list[float]]]:
    """The great-circle arc between two points as Leaflet [lat, lon] segments, split at ±180°.

    Leaflet draws a straight segment between consecutive points, so an arc crossing the
    antimeridian must end at one edge of the map and start again at the other.
    """
    from pyproj import Geod

    from atlasmaps.geo.lonwrap import split_at_antimeridian

    pts = [(lon1, lat1), *Geod(ellps="WGS84").npts(lon1, lat1, lon2, lat2, n), (lon2, lat2)]
    return [[[round(lat, precision), round(lon, precision)] for lon, lat in part]
            for part in split_at_antimeridian(pts)]


def bounds(boxes: Iterable[tuple[float, float, float, float]]) -> list[list[float]] | None:
    """Leaflet bounds [[south, west], [north, east]] of lon/lat boxes."""
    boxes = [b for b in boxes if b and all(map(math.isfinite, b))]
    if not boxes:
        return None
    return [
        [min(b[1] for b in boxes), min(b[0] for b in boxes)],
        [max(b[3] for b in boxes), max(b[2] for b in boxes)],
    ]


def outline_box(outline: gpd.GeoDataFrame, points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float] | None:
    """The partner's extent; across the antimeridian (Fiji, Russia…) only where partners are."""
    pts = list(points)
    if not outline.empty:
        minx, miny, maxx, maxy = (float(v) for v in outline.total_bounds)
        if maxx - minx < 180:
            return minx, miny, maxx, maxy
    if pts:
        xs, ys = zip(*pts)
        return min(xs), min(ys), max(xs), max(ys)
    return None


def links_boxes(links: list[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """Extent of the arcs: a great circle bulges towards the pole and must stay in view."""
    boxes = []
    for lk in links:
        for seg in lk["c"]:
            lats = [p[0] for p in seg]
            lons = [p[1] for p in seg]
            boxes.append((min(lons), min(lats), max(lons), max(lats)))
    return boxes


def rgba(hex_colour: str, alpha: float) -> str:
    """A style colour with the style's alpha, as CSS (for legend swatches of translucent fills)."""
    h = hex_colour.lstrip("#")
    if len(h) in (3, 4):
        h = "".join(c * 2 for c in h)
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
