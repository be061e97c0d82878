"""Bilateral print map: naive cartopy rendering vs atlasmaps' project-once renderer, same process.

Naive: two cartopy GeoAxes (Lambert-93 / the partner's projection), every layer added with
`add_geometries(..., crs=PlateCarree())` at full resolution, so cartopy reprojects at draw time,
then `savefig(png, dpi=300)`. Ours: `atlasmaps.render.static.render` (geometries projected once,
clipped to the frame and simplified for the paper, labels placed, legend) writing the PNG at 300 dpi.
Both draw the same layers (countries, départements, the partner's admin-1 units, zones, symbols).

Run: python benchmarks/bench_render.py [--partner JP] [--repeat 3]
Prints the median times and the ratio; machines are noisy, so only the ratio of one run matters.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def _fixture(name: str):
    import conftest

    fn = getattr(conftest, name)
    return (getattr(fn, "__wrapped__", None) or fn.__pytest_wrapped__.obj)()


def fresh_layers(joined, partner: str) -> dict:
    """Layers with new geometry objects: cartopy caches the projected path of each geometry
    object, so reusing the objects of a previous run would hide the cost of reprojection."""
    import shapely

    from atlasmaps import boundaries
    from atlasmaps.content import bilateral as content

    def copy(gdf):
        out = gdf.copy()
        out["geometry"] = shapely.from_wkb(shapely.to_wkb(gdf.geometry.values))
        return out

    bc = content.bilateral_content(joined, partner)
    return {
        "countries": copy(boundaries.load("countries")),
        "deps": copy(boundaries.load("fr_departements")),
        "units": copy(bc.french_units),
        "admin1": copy(bc.partner_admin1),
        "zones": copy(bc.zones),
        "outline": bc.partner_outline,
        "french_points": bc.french_points,
        "partner_points": bc.partner_points,
    }


def naive(layers: dict, dpi: int) -> bytes:
    """What one writes first: cartopy reprojects full-resolution WGS84 geometries at draw time."""
    import cartopy.crs as ccrs
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pc = ccrs.PlateCarree()
    fig = plt.figure(figsize=(297 / 25.4, 210 / 25.4))
    lcc_fr = ccrs.epsg(2154)
    c = layers["outline"].geometry.iloc[0].centroid
    lcc_p = ccrs.LambertConformal(central_longitude=c.x, central_latitude=c.y)
    countries = layers["countries"]
    deps = layers["deps"]
    for i, (crs, extent) in enumerate(((lcc_fr, (-5.5, 10, 41, 51.5)),
                                        (lcc_p, tuple(layers["outline"].total_bounds[[0, 2, 1, 3]])))):
        ax = fig.add_subplot(1, 2, i + 1, projection=crs)
        ax.set_extent(extent, crs=pc)
        ax.add_geometries(countries.geometry, crs=pc, facecolor="#E5E5E5", edgecolor="white", linewidth=0.4)
        if i == 0:
            ax.add_geometries(deps.geometry, crs=pc, facecolor="none", edgecolor="white", linewidth=0.25)
            if len(layers["units"]):
                ax.add_geometries(layers["units"].geometry, crs=pc, facecolor="#000091", alpha=0.2)
            pts = layers["french_points"]
            ax.scatter(pts.geometry.x, pts.geometry.y, transform=pc, color="#E1000F", s=12, zorder=5)
            for name, g in zip(pts["name"], pts.geometry):
                ax.text(g.x, g.y, name, transform=pc, fontsize=6.5)
        else:
            ax.add_geometries(layers["admin1"].geometry, crs=pc, facecolor="#D2D2D2", edgecolor="white",
                              linewidth=0.25)
            ax.add_geometries(layers["zones"].geometry, crs=pc, facecolor="#E1000F", alpha=0.16, edgecolor="#E1000F")
            pts = layers["partner_points"]
            ax.scatter(pts.geometry.x, pts.geometry.y, transform=pc, color="white", edgecolor="black", s=10,
                       zorder=5)
            for name, g in zip(pts["name"], pts.geometry):
                ax.text(g.x, g.y, name, transform=pc, fontsize=6.5)
    fig.suptitle("Les coopérations décentralisées entre la France et …")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def ours(joined, style, partner: str, dpi: int, formats=("png",)) -> dict[str, bytes]:
    from atlasmaps.model import MapKind, RenderOptions
    from atlasmaps.render import static

    opts = RenderOptions(MapKind.BILATERAL, partner=partner, formats=formats, dpi=dpi)
    return static.render(joined, style, opts).files


def timed(fn, repeat: int, setup=lambda: None) -> float:
    """Median wall time of `fn(setup())`; `setup` runs untimed before each repetition."""
    times = []
    for _ in range(repeat):
        arg = setup()
        t = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partner", default="JP", choices=["JP", "BJ"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dpi", type=int, default=300)
    args = ap.parse_args()
    from atlasmaps.geo import geometry
    from atlasmaps.style import load_style

    joined = _fixture("japan_result" if args.partner == "JP" else "benin_result")
    style = load_style()
    p = args.partner
    # Warm-up: imports and boundary loading are paid once per process by both approaches.
    naive(fresh_layers(joined, p), 50)
    ours(joined, style, p, 50)

    t_naive = timed(lambda layers: naive(layers, args.dpi), args.repeat, lambda: fresh_layers(joined, p))
    t_first = timed(lambda _: ours(joined, style, p, args.dpi), args.repeat, geometry.clear_cache)
    t_ours = timed(lambda _: ours(joined, style, p, args.dpi), args.repeat)
    t_all = timed(lambda _: ours(joined, style, p, args.dpi, ("pdf", "svg", "png")), args.repeat)
    print(f"bilateral France–{args.partner}, A4 landscape, PNG {args.dpi} dpi, median of {args.repeat}")
    print(f"  naive (cartopy add_geometries, PlateCarree, reprojected at draw): {t_naive:6.2f} s")
    print(f"  ours, cold projection cache (first map of a process):           {t_first:6.2f} s"
          f"   ratio {t_naive / t_first:5.1f}x")
    print(f"  ours, warm cache (next maps of a batch):                         {t_ours:6.2f} s"
          f"   ratio {t_naive / t_ours:5.1f}x")
    print(f"  ours, pdf+svg+png from one drawing:                              {t_all:6.2f} s")


if __name__ == "__main__":
    main()
