"""Bilateral print map: atlasmaps against cartopy used well, and against the physical floor, one run.

Run: `python benchmarks/bench_render.py [--partner JP] [--repeat 3] [--dpi 300] [--with-naive]`
(cartopy comes with the `bench` extra: `pip install -e ".[bench]"`)

Baseline, "cartopy, projected once by the user": what a competent cartopy user writes first after
reading its docs. Two GeoAxes (Lambert-93 for France, a Lambert conformal centred on the partner),
each layer cut to a lon/lat box around the panel (`GeoDataFrame.cx`) and reprojected once with
`GeoDataFrame.to_crs(axes_crs)`, then drawn with `add_geometries(..., crs=axes_crs)` (no reprojection
at draw time), symbols with `scatter`, names with `text`, `savefig(png)`. The same layers as ours.

Why it is fair: cold, both sides start from WGS84 layers in memory (boundaries loaded, imports done)
and pay their projection (baseline: `to_crs` on fresh geometry objects; ours: projection cache
cleared, and the text caches of `render.static.agg`: glyphs, layouts, metrics, text paths). Warm, both keep their caches: the baseline redraws the *same* projected objects, so
cartopy's own path cache works for it, as ours does for us. Ours does more (clipping,
simplification, label placement without overlap, legend, title block), so the ratio understates it.

The floor is what no renderer can avoid at this size: an empty A4 figure saved as PNG at the same
dpi (Agg rasterisation of a blank page + PNG encoding), measured in the same run. `ours/floor`
says how close to it we are. `--with-naive` adds cartopy reprojecting WGS84 at draw time
(`add_geometries(..., crs=PlateCarree())`), the slow way, for reference only.

Machines are noisy (2 shared cores): compare the ratios of one run, not absolute times.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

A4 = (297 / 25.4, 210 / 25.4)
FR_EXTENT = (-5.5, 10, 41, 51.5)  # metropolitan France, lon/lat


def _fixture(name: str):
    import conftest

    fn = getattr(conftest, name)
    return (getattr(fn, "__wrapped__", None) or fn.__pytest_wrapped__.obj)()


def wgs84_layers(joined, partner: str) -> dict:
    """The layers both sides draw, in WGS84, with new geometry objects (no cache can know them)."""
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
        "french_points": copy(bc.french_points),
        "partner_points": copy(bc.partner_points),
    }


def _panels(layers: dict):
    import cartopy.crs as ccrs

    c = layers["outline"].geometry.iloc[0].centroid
    partner_extent = tuple(layers["outline"].total_bounds[[0, 2, 1, 3]])
    return ((ccrs.epsg(2154), FR_EXTENT), (ccrs.LambertConformal(central_longitude=c.x, central_latitude=c.y),
                                           partner_extent))


def project_once(layers: dict) -> list[dict]:
    """The user's one reprojection per panel: cut to the panel's surroundings, then `to_crs`."""
    out = []
    for i, (crs, (x0, x1, y0, y1)) in enumerate(_panels(layers)):
        mx, my = (x1 - x0) * 0.3 + 2, (y1 - y0) * 0.3 + 2

        def near(gdf, mx=mx, my=my, x0=x0, x1=x1, y0=y0, y1=y1):
            return gdf.cx[x0 - mx:x1 + mx, y0 - my:y1 + my].to_crs(crs)

        panel = {"crs": crs, "extent": (x0, x1, y0, y1), "countries": near(layers["countries"])}
        if i == 0:
            panel.update(deps=near(layers["deps"]), units=near(layers["units"]), points=near(layers["french_points"]))
        else:
            panel.update(admin1=near(layers["admin1"]), zones=near(layers["zones"]),
                         points=near(layers["partner_points"]))
        out.append(panel)
    return out


def cartopy_render(panels: list[dict], dpi: int) -> bytes:
    """Draw the panels with cartopy. Projected layers are declared in the axes' own CRS (no
    reprojection at draw time) unless a panel says otherwise (`data_crs`, the naive reference)."""
    import cartopy.crs as ccrs
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=A4)
    for i, p in enumerate(panels):
        ax = fig.add_subplot(1, 2, i + 1, projection=p["crs"])
        crs = p.get("data_crs", p["crs"])
        ax.set_extent(p["extent"], crs=ccrs.PlateCarree())
        ax.add_geometries(p["countries"].geometry, crs=crs, facecolor="#E5E5E5", edgecolor="white", linewidth=0.4)
        if i == 0:
            ax.add_geometries(p["deps"].geometry, crs=crs, facecolor="none", edgecolor="white", linewidth=0.25)
            if len(p["units"]):
                ax.add_geometries(p["units"].geometry, crs=crs, facecolor="#000091", alpha=0.2)
            colour, edge = "#E1000F", "none"
        else:
            ax.add_geometries(p["admin1"].geometry, crs=crs, facecolor="#D2D2D2", edgecolor="white", linewidth=0.25)
            if len(p["zones"]):
                ax.add_geometries(p["zones"].geometry, crs=crs, facecolor="#E1000F", alpha=0.16, edgecolor="#E1000F")
            colour, edge = "white", "black"
        pts = p["points"]
        ax.scatter(pts.geometry.x, pts.geometry.y, transform=crs, color=colour, edgecolor=edge, s=12, zorder=5)
        for name, g in zip(pts["name"], pts.geometry):
            ax.text(g.x, g.y, name, transform=crs, fontsize=6.5)
    fig.suptitle("Les coopérations décentralisées entre la France et …")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def naive_render(layers: dict, dpi: int) -> bytes:
    """For reference: the same map, cartopy reprojecting full-resolution WGS84 at draw time."""
    import cartopy.crs as ccrs

    pc = ccrs.PlateCarree()
    panels = []
    for i, (crs, extent) in enumerate(_panels(layers)):
        panel = {"crs": crs, "data_crs": pc, "extent": extent, "countries": layers["countries"]}
        if i == 0:
            panel.update(deps=layers["deps"], units=layers["units"], points=layers["french_points"])
        else:
            panel.update(admin1=layers["admin1"], zones=layers["zones"], points=layers["partner_points"])
        panels.append(panel)
    return cartopy_render(panels, dpi)


def floor(dpi: int) -> bytes:
    """An empty A4 page saved as PNG at `dpi`: rasterising nothing, encoding everything."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=A4)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def ours(joined, style, partner: str, dpi: int, formats=("png",)) -> dict[str, bytes]:
    from atlasmaps.model import MapKind, RenderOptions
    from atlasmaps.render import static

    opts = RenderOptions(MapKind.BILATERAL, partner=partner, formats=formats, dpi=dpi)
    return static.render(joined, style, opts).files


#: CPU seconds (this process, all its threads) of each `timed` call, by label, printed beside the wall
#: times: on a shared machine the wall time depends on the others' load, the CPU time much less.
CPU: dict[str, float] = {}


#: The fastest wall time of each `timed` call, by label: on a shared machine other jobs only ever add
#: time, so the minimum is the steadiest estimate of the cost itself (as `timeit` advises).
MIN: dict[str, float] = {}


def timed(fn, repeat: int, setup=lambda: None, label: str = "") -> float:
    """Median wall time of `fn(setup())`; `setup` runs untimed before each repetition. The median
    CPU time goes to `CPU[label]` (the PNG is deflated on two threads: its CPU time counts both),
    the fastest wall time to `MIN[label]`."""
    times, cpu = [], []
    for _ in range(repeat):
        arg = setup()
        c, t = time.process_time(), time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[label] = statistics.median(cpu)
    MIN[label] = min(times)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partner", default="JP", choices=["JP", "BJ"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--with-naive", action="store_true", help="also time draw-time reprojection (slow)")
    args = ap.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    from atlasmaps.geo import geometry
    from atlasmaps.render.static import agg
    from atlasmaps.style import load_style

    def cold_caches() -> None:
        geometry.clear_cache()
        agg.clear_caches()

    joined = _fixture("japan_result" if args.partner == "JP" else "benin_result")
    style = load_style()
    p, dpi, n = args.partner, args.dpi, args.repeat
    # Warm-up of imports, fonts and boundary loading, paid once per process by every side.
    cartopy_render(project_once(wgs84_layers(joined, p)), 50)
    ours(joined, style, p, 50)
    floor(50)

    t_floor = timed(lambda _: floor(dpi), n, label="floor")
    t_base_cold = timed(lambda layers: cartopy_render(project_once(layers), dpi), n, lambda: wgs84_layers(joined, p),
                        label="base_cold")
    projected = project_once(wgs84_layers(joined, p))
    cartopy_render(projected, dpi)  # first draw of these objects fills cartopy's path cache
    t_base_warm = timed(lambda _: cartopy_render(projected, dpi), n, label="base_warm")
    t_ours_cold = timed(lambda _: ours(joined, style, p, dpi), n, cold_caches, label="ours_cold")
    t_ours_warm = timed(lambda _: ours(joined, style, p, dpi), n, label="ours_warm")
    t_ours_text = timed(lambda _: ours(joined, style, p, dpi), n, agg.clear_caches, label="ours_text")
    t_all = timed(lambda _: ours(joined, style, p, dpi, ("pdf", "svg", "png")), n, label="all")

    print(f"bilateral France–{p}, A4 landscape, PNG {dpi} dpi, median of {n}       wall      CPU")
    print(f"  floor: empty A4 page, savefig PNG                              {t_floor:6.2f} s {CPU['floor']:6.2f} s")
    print(f"  cartopy, projected once by the user (to_crs), cold            {t_base_cold:6.2f} s "
          f"{CPU['base_cold']:6.2f} s")
    print(f"  cartopy, same projected objects again (its path cache), warm  {t_base_warm:6.2f} s "
          f"{CPU['base_warm']:6.2f} s")
    print(f"  atlasmaps, projection and text caches cleared, cold           {t_ours_cold:6.2f} s "
          f"{CPU['ours_cold']:6.2f} s")
    print(f"  atlasmaps, caches kept, warm                                  {t_ours_warm:6.2f} s "
          f"{CPU['ours_warm']:6.2f} s")
    print(f"  atlasmaps, projection cache kept, text caches cleared         {t_ours_text:6.2f} s "
          f"{CPU['ours_text']:6.2f} s")
    print(f"  atlasmaps, pdf+svg+png from one drawing, warm                 {t_all:6.2f} s {CPU['all']:6.2f} s")
    print(f"  ratio cartopy/ours (>1: ours faster): cold {t_base_cold / t_ours_cold:.2f}x, "
          f"warm {t_base_warm / t_ours_warm:.2f}x")
    print(f"  ours/floor: cold {t_ours_cold / t_floor:.2f}x, warm {t_ours_warm / t_floor:.2f}x; "
          f"cartopy/floor: cold {t_base_cold / t_floor:.2f}x, warm {t_base_warm / t_floor:.2f}x")
    print(f"  targets: pdf+svg+png warm {t_all:.2f} s (aim <= 1.0 s); PNG alone warm / floor "
          f"{t_ours_warm / t_floor:.2f}x (aim <= 1.6x); in CPU time {CPU['ours_warm'] / CPU['floor']:.2f}x")
    print(f"  fastest of {n}, each side: pdf+svg+png warm {MIN['all']:.2f} s; PNG warm {MIN['ours_warm']:.2f} s, "
          f"floor {MIN['floor']:.2f} s: {MIN['ours_warm'] / MIN['floor']:.2f}x")
    if args.with_naive:
        t_naive = timed(lambda layers: naive_render(layers, dpi), n, lambda: wgs84_layers(joined, p))
        print(f"  (reference) cartopy reprojecting WGS84 at draw time           {t_naive:6.2f} s")


if __name__ == "__main__":
    main()
