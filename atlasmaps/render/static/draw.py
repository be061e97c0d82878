"""Drawing primitives for projected geometries (matplotlib paths in projected metres on plain axes)
and the text properties of labels, all from the style."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from atlasmaps.geo import geometry as G
from atlasmaps.geo import projection as P
from atlasmaps.render.static import page as PG

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes

    from atlasmaps.style import Style


def path_of(geom) -> Any:
    """A matplotlib Path (with holes) from a projected Polygon/MultiPolygon."""
    import numpy as np
    from matplotlib.path import Path

    verts, codes = [], []
    polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    for poly in polys:
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            if len(xy) < 3:
                continue
            c = np.full(len(xy), Path.LINETO, dtype=np.uint8)
            c[0] = Path.MOVETO
            c[-1] = Path.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    return Path(np.concatenate(verts), np.concatenate(codes))


def draw_polys(ax: Axes, geoms: Iterable, *, gid: str | None = None, zorder: float = 1, **props) -> Any:
    """One PathCollection for many polygons (fast; one SVG group)."""
    from matplotlib.collections import PathCollection

    paths = [p for p in (path_of(g) for g in geoms if g is not None) if p is not None]
    if not paths:
        return None
    coll = PathCollection(paths, zorder=zorder, **props)
    if gid:
        coll.set_gid(gid)
    ax.add_collection(coll, autolim=False)
    return coll


def draw_feature(ax: Axes, geom, gid: str, zorder: float, **props) -> Any:
    """One PathPatch per feature, so the SVG carries the feature's id."""
    from matplotlib.patches import PathPatch

    path = path_of(geom) if geom is not None else None
    if path is None:
        return None
    patch = PathPatch(path, zorder=zorder, **props)
    patch.set_gid(gid)
    # add_artist, not add_patch: map axes have fixed limits, and add_patch's data-limit update walks
    # every vertex (3 of the world map's 5 s with its Europe inset)
    ax.add_artist(patch)
    return patch


def marker(ax: Axes, x: float, y: float, sym, gid: str, zorder: float, fill: str | None = None) -> Any:
    """A point symbol of the style (one Line2D per feature, for its SVG id)."""
    return point(ax, x, y, gid, zorder, marker=sym.marker, markersize=sym.size_pt, markerfacecolor=fill or sym.fill,
                 markeredgecolor=sym.edge, markeredgewidth=sym.edge_width_pt)


def point(ax: Axes, x: float, y: float, gid: str, zorder: float, **props) -> Any:
    """One marker at (x, y) with its SVG id. Made and added directly, not with `ax.plot`: its
    argument parsing and autoscaling cost more than the line (map axes have fixed limits), hundreds
    of times on a dense map."""
    from matplotlib.lines import Line2D

    line = Line2D([x], [y], linestyle="none", zorder=zorder, gid=gid, **props)
    ax.add_line(line)
    return line


def setup_map_axes(ax: Axes, frame: P.Frame, style: Style) -> None:
    ax.set_xlim(frame.xmin, frame.xmax)
    ax.set_ylim(frame.ymin, frame.ymax)
    ax.set_aspect("auto")
    ax.set_facecolor(style.basemap.sea)
    for spine in ax.spines.values():
        spine.set_edgecolor(style.legend.frame_color)
        spine.set_linewidth(style.legend.frame_width_pt)


def panel_frame(frame: P.Frame, box: PG.Box, pad: float) -> P.Frame:
    """`frame` widened to the box's aspect, with a margin of `pad` (a share of its size)."""
    return frame.fit(box.w / box.h, pad=pad)


def draw_basemap(cv: PG.Canvas, ax: Axes, frame: P.Frame, box: PG.Box, highlight: dict[str, str]) -> None:
    """Countries of the frame: grey land, white borders; `highlight` iso2 -> fill colour."""
    countries = cv.project("countries", frame, box)
    bm = cv.style.basemap
    plain = countries[~countries["iso_a2"].isin(list(highlight))]
    draw_polys(ax, plain.geometry, gid="basemap-countries", zorder=cv.style.zorder.countries, facecolor=bm.land, edgecolor=bm.border,
                linewidth=bm.border_width_pt)
    for iso, colour in highlight.items():
        sel = countries[countries["iso_a2"] == iso]
        draw_polys(ax, sel.geometry, gid=f"country-{iso}", zorder=cv.style.zorder.highlight, facecolor=colour, edgecolor=bm.border,
                    linewidth=bm.border_width_pt)


def project_points(gdf: gpd.GeoDataFrame, frame: P.Frame):
    if len(gdf) == 0:
        return [], []
    xs, ys = G.project_points(gdf.geometry.x.values, gdf.geometry.y.values, frame)
    return list(xs), list(ys)


def displace(xs: Sequence[float], ys: Sequence[float], radii_pt: Sequence[float], frame: P.Frame,
              box: PG.Box) -> tuple[list[float], list[float]]:
    """Move symbols that would hide each other (a groupement and its central commune) side by side.

    Cartographic displacement: later symbols slide right until they touch, not cover, the earlier.
    """
    m_per_pt = frame.width / (box.w * PG.PT_PER_MM)
    out_x, out_y = list(xs), list(ys)
    for i in range(len(out_x)):
        ri = radii_pt[i] * m_per_pt
        for _ in range(8):
            hit = None
            for j in range(i):
                rj = radii_pt[j] * m_per_pt
                if math.hypot(out_x[i] - out_x[j], out_y[i] - out_y[j]) < (ri + rj) * 0.9:
                    hit = j
                    break
            if hit is None:
                break
            rj = radii_pt[hit] * m_per_pt
            out_x[i] = out_x[hit] + (ri + rj) * 1.05
    return out_x, out_y


def in_frame(x: float, y: float, frame: P.Frame) -> bool:
    return frame.xmin <= x <= frame.xmax and frame.ymin <= y <= frame.ymax


def halo(t, style: Style) -> None:
    import matplotlib.patheffects as pe

    pl = style.place_labels
    t.set_path_effects([pe.withStroke(linewidth=pl.halo_width_pt, foreground=pl.halo_color)])


def label_props(style: Style) -> dict[str, Any]:
    import matplotlib.patheffects as pe

    pl = style.place_labels
    return {"fontsize": pl.size_pt, "color": pl.color, "fontweight": pl.weight, "zorder": style.zorder.labels,
            "path_effects": [pe.withStroke(linewidth=pl.halo_width_pt, foreground=pl.halo_color)]}


def place_name(style: Style, name: str) -> str:
    """A French collectivité's name as print labels set it: the style's abbreviations applied
    ("Communauté d'agglomération du Grand Chalon" -> "CA du Grand Chalon")."""
    import re

    for full, short in style.place_labels.abbreviations.items():
        pattern = r"(?<!\w)" + re.escape(full).replace("'", "['’]") + r"(?!\w)"
        name = re.sub(pattern, short, name, flags=re.IGNORECASE)
    return name


def year_props(style: Style) -> dict[str, Any]:
    import matplotlib.patheffects as pe

    y = style.years
    pl = style.place_labels
    return {"fontsize": y.size_pt, "color": y.color, "fontweight": y.weight, "zorder": style.zorder.labels,
            "path_effects": [pe.withStroke(linewidth=pl.halo_width_pt, foreground=pl.halo_color)]}


def years_text(years: Sequence[int]) -> str:
    return ", ".join(str(y) for y in years)


def interior_points(geom, frame: P.Frame, n: int = 8, grid: int = 9) -> list[tuple[float, float]]:
    """Up to `n` points well inside an area (farthest from its edge first), within the frame:
    other anchors for the area's label when its representative point is taken."""
    import numpy as np
    import shapely

    x0, y0, x1, y1 = geom.bounds
    x0, y0, x1, y1 = max(x0, frame.xmin), max(y0, frame.ymin), min(x1, frame.xmax), min(y1, frame.ymax)
    if x1 <= x0 or y1 <= y0:
        return []
    gx, gy = np.meshgrid(np.linspace(x0, x1, grid + 2)[1:-1], np.linspace(y0, y1, grid + 2)[1:-1])
    pts = shapely.points(gx.ravel(), gy.ravel())
    inside = pts[shapely.contains(geom, pts)]
    if len(inside) == 0:
        return []
    depth = shapely.distance(geom.boundary, inside)
    order = np.argsort(-depth, kind="stable")[:n]
    return [(float(inside[i].x), float(inside[i].y)) for i in order]
