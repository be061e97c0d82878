"""A projection and a frame (projected extent) per map panel, chosen from the geometry shown.

Why automatic: the ministry maps any of ~190 partner countries; a fixed projection distorts most
of them. France métropolitaine uses Lambert-93 (EPSG:2154, the national standard). Others get a
conformal projection fitted to their extent: a transverse Mercator for countries taller than wide
(Chile), a Mercator for wide countries across the equator (Indonesia), a Lambert conformal conic
with standard parallels at 1/6 and 5/6 of the latitude range otherwise (Japan). Longitudes are
measured around the country's centre so that countries across the antimeridian (Fiji, Russia,
Kiribati) are centred and drawn in one piece; tiny countries get a minimum frame size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import geopandas as gpd
    from pyproj import CRS

LAMBERT_93 = "EPSG:2154"
#: Metropolitan France incl. Corsica, Lambert-93 metres (xmin, xmax, ymin, ymax), from the IGN extent.
FRANCE_METRO_EXTENT: tuple[float, float, float, float] = (99_000.0, 1_243_000.0, 6_030_000.0, 7_120_000.0)
#: Smallest side of a country frame (metres): Comoros or Cabo Verde must not fill the page.
MIN_FRAME_M = 450_000.0
#: The world map's projection unless overridden: Equal Earth, equal-area (a choropleth compares areas).
EQUAL_EARTH = "+proj=eqearth +lon_0=0 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


@dataclass(frozen=True)
class Frame:
    """A projection and the projected rectangle a panel shows (metres)."""

    crs: str  # PROJ string or "EPSG:nnnn"; hashable, so frames can key caches
    xmin: float
    xmax: float
    ymin: float
    ymax: float
    lon0: float = 0.0  # central longitude, to tell which side of the antimeridian a point is

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """matplotlib/cartopy order: (xmin, xmax, ymin, ymax)."""
        return (self.xmin, self.xmax, self.ymin, self.ymax)

    def fit(self, aspect: float, pad: float = 0.04) -> Frame:
        """The smallest frame with width/height = `aspect` containing this one plus `pad` margins."""
        w, h = self.width * (1 + 2 * pad), self.height * (1 + 2 * pad)
        if w / h < aspect:
            w = h * aspect
        else:
            h = w / aspect
        cx, cy = (self.xmin + self.xmax) / 2, (self.ymin + self.ymax) / 2
        return Frame(self.crs, cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2, self.lon0)

    def with_min_size(self, min_side: float) -> Frame:
        """Grow the frame around its centre so that neither side is shorter than `min_side`."""
        w, h = max(self.width, min_side), max(self.height, min_side)
        cx, cy = (self.xmin + self.xmax) / 2, (self.ymin + self.ymax) / 2
        return Frame(self.crs, cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2, self.lon0)


@lru_cache(maxsize=64)
def transformer(crs: str):
    """The WGS84 → `crs` transformer (lon/lat order), made once per CRS: pyproj takes about 10 ms
    to make one, and a map frames and projects with the same few CRSs tens of times."""
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", crs_of(crs), always_xy=True)


@lru_cache(maxsize=64)
def crs_of(spec: str) -> CRS:
    """A pyproj CRS from an EPSG code ("2154", "EPSG:2154") or a PROJ string, cached."""
    from pyproj import CRS

    spec = spec.strip()
    if spec.isdigit():
        spec = f"EPSG:{spec}"
    return CRS.from_user_input(spec)


def normalise_override(spec: str) -> str:
    """Validate a user `--projection` and return it in the form `crs_of` accepts.

    Raises ValueError with a one-line reason for an unknown code or an invalid PROJ string.
    """
    from pyproj.exceptions import CRSError

    try:
        crs = crs_of(spec)
    except CRSError as exc:
        raise ValueError(f"invalid projection {spec!r}: {str(exc).splitlines()[0]}") from None
    if crs.is_geographic:
        raise ValueError(f"projection {spec!r} is geographic (degrees); give a projected CRS")
    return spec.strip() if not spec.strip().isdigit() else f"EPSG:{spec.strip()}"


def checked_override(spec: str | None) -> str | None:
    """A user `--projection` ready for the renderers, or an AtlasError naming the option, on one line."""
    if spec is None or not str(spec).strip():
        return None
    from atlasmaps.errors import AtlasError

    try:
        return normalise_override(str(spec))
    except ValueError as exc:
        raise AtlasError(f"--projection: {exc}") from None


def hidden_points(spec: str, lonlats: Sequence[tuple[float, float]]) -> int:
    """How many (lon, lat) points the projection `spec` cannot draw (not finite once projected)."""
    if not lonlats:
        return 0
    import numpy as np

    lon, lat = np.array(lonlats, dtype=float).T
    with np.errstate(all="ignore"):
        x, y = transformer(spec).transform(lon, lat, errcheck=False)
    return int((~(np.isfinite(x) & np.isfinite(y))).sum())


def wrap_lon(lon, lon0: float):
    """Longitudes expressed within ±180° of `lon0` (works on floats and numpy arrays)."""
    return (lon - lon0 + 180.0) % 360.0 - 180.0 + lon0


def lon_extent(bounds: Sequence[tuple[float, float, float, float]]) -> tuple[float, float]:
    """(west, east) longitudes covering the parts, choosing -180..180 or 0..360 by the narrower span.

    Parts are given by their bounds; a country split at the antimeridian (Fiji) spans ~360° in
    -180..180 and a few degrees in 0..360.
    """
    west = min(b[0] for b in bounds)
    east = max(b[2] for b in bounds)
    span = east - west
    shifted = [((b[0] + 360.0) if b[2] < 0 else b[0], (b[2] + 360.0) if b[2] < 0 else b[2]) for b in bounds]
    w2, e2 = min(s[0] for s in shifted), max(s[1] for s in shifted)
    if e2 - w2 < span:
        return w2, e2
    return west, east


def main_parts(geometries, share: float = 0.9):
    """The largest polygon parts making `share` of the area, plus every part close to them.

    Why: the extent of a country should follow its main territory, not a remote islet (but
    archipelagos keep their islands, which are each a small share of the area).
    """
    import numpy as np
    import shapely

    parts = shapely.get_parts(shapely.get_parts(np.asarray(geometries, dtype=object)))
    parts = parts[~shapely.is_empty(parts)]
    if parts.size == 0:
        return parts
    # Areas in degrees², weighted by cos(lat): enough to rank the parts of one country.
    cy = shapely.get_y(shapely.centroid(parts))
    area = shapely.area(parts) * np.cos(np.radians(cy))
    order = np.argsort(-area, kind="stable")
    cum = np.cumsum(area[order]) / max(area.sum(), 1e-12)
    n = int(np.searchsorted(cum, share) + 1)
    return parts[order[:n]]


def choose_projection(lon_w: float, lon_e: float, lat_s: float, lat_n: float) -> str:
    """A conformal projection (PROJ string) fitted to an extent given in degrees.

    lon_w/lon_e may exceed 180 (antimeridian-crossing extent expressed in 0..360).
    """
    lon0 = (lon_w + lon_e) / 2.0
    lon0 = wrap_lon(lon0, 0.0)
    lat0 = (lat_s + lat_n) / 2.0
    dlat = max(lat_n - lat_s, 0.1)
    width_deg = (lon_e - lon_w) * math.cos(math.radians(min(abs(lat_s), abs(lat_n)) if lat_s * lat_n > 0 else 0.0))
    width_deg = max(width_deg, 0.1)
    base = "+ellps=WGS84 +units=m +no_defs"
    if dlat > 1.3 * width_deg:
        return f"+proj=tmerc +lat_0={lat0:.4f} +lon_0={lon0:.4f} +k=1 +x_0=0 +y_0=0 {base}"
    crosses_equator = lat_s < 0 < lat_n
    if (crosses_equator and min(abs(lat_s), abs(lat_n)) > 0.2 * dlat) or abs(lat0) < 12:
        return f"+proj=merc +lon_0={lon0:.4f} +lat_ts={lat0:.4f} +x_0=0 +y_0=0 {base}"
    lat1 = lat_s + dlat / 6.0
    lat2 = lat_n - dlat / 6.0
    if abs(lat2 - lat1) < 0.5:  # short countries: a one-parallel conic (tangent)
        lat1 = lat2 = lat0
    return (
        f"+proj=lcc +lat_1={lat1:.4f} +lat_2={lat2:.4f} +lat_0={lat0:.4f} +lon_0={lon0:.4f} "
        f"+x_0=0 +y_0=0 {base}"
    )


def frame_of(geometries_wgs84, crs: str, extra_points: Sequence[tuple[float, float]] = ()) -> Frame:
    """The projected bounding rectangle of geometries (and points) in `crs`, tight (no padding)."""
    import numpy as np
    import shapely

    t = transformer(crs)
    geoms = np.asarray(geometries_wgs84, dtype=object)
    coords = shapely.get_coordinates(geoms) if geoms.size else np.empty((0, 2))
    if extra_points:
        coords = np.vstack([coords, np.asarray(extra_points, dtype=float)])
    if coords.size == 0:
        raise ValueError("nothing to frame")
    x, y = t.transform(coords[:, 0], coords[:, 1])
    x, y = np.asarray(x), np.asarray(y)
    ok = np.isfinite(x) & np.isfinite(y)
    lon0 = lon0_of(crs)
    return Frame(crs, float(x[ok].min()), float(x[ok].max()), float(y[ok].min()), float(y[ok].max()), lon0)


def lon0_of(crs: str) -> float:
    for token in crs.split():
        if token.startswith("+lon_0="):
            return float(token.split("=", 1)[1])
    try:
        c = crs_of(crs)
        for p in c.coordinate_operation.params if c.coordinate_operation else ():
            if "longitude" in p.name.lower() and ("origin" in p.name.lower() or "central" in p.name.lower()):
                return float(p.value)
    except Exception:  # noqa: BLE001 - only used to wrap longitudes; 0 is a safe default
        pass
    return 0.0


def france_frame() -> Frame:
    """Metropolitan France including Corsica in Lambert-93."""
    return Frame(LAMBERT_93, *FRANCE_METRO_EXTENT, lon0=3.0)


def country_frame(
    outline: gpd.GeoDataFrame,
    must_show: Sequence[tuple[float, float]] = (),
    zones: Sequence[object] = (),
    override: str | None = None,
) -> Frame:
    """Projection and tight frame of a partner country: its main territory plus every point and zone
    that carries data (a partner in a remote island is never left out of the frame).
    """
    import numpy as np
    import shapely

    from atlasmaps.geo.lonwrap import unwrap

    parts = main_parts(unwrap(outline.geometry.values)) if len(outline) else np.empty(0, dtype=object)
    # Each zone by its main territory too (Tokyo prefecture reaches the Ogasawara islands).
    zone_parts = (np.concatenate([main_parts([z]) for z in unwrap(zones) if z is not None] or [np.empty(0, dtype=object)])
                  if len(zones) else np.empty(0, dtype=object))
    every = np.concatenate([parts, zone_parts]) if zone_parts.size else parts
    bounds = [tuple(b) for b in shapely.bounds(every)] if every.size else []
    bounds += [(x, y, x, y) for x, y in must_show]
    if not bounds:
        raise ValueError("the country has neither geometry nor data points")
    west, east = lon_extent(bounds)
    south = min(b[1] for b in bounds)
    north = max(b[3] for b in bounds)
    crs = override or choose_projection(west, east, south, north)
    frame = frame_of(every, crs, must_show)
    return frame.with_min_size(MIN_FRAME_M)
