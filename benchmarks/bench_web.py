"""File size and load time of our bilateral HTML map vs geopandas' `GeoDataFrame.explore()`.

Both maps show the same layers (France–Japan test data: basemap countries, zones d'intervention,
French and partner collectivités, links). explore() links Leaflet, jQuery, Bootstrap… from CDNs
and loads OpenStreetMap tiles: for an offline comparison its external requests are counted and
answered locally (Leaflet from our local copy, everything else an empty 404), so its time is a
lower bound of what a reader would wait online.

Why it is fair: `explore()` is what a geopandas user writes first for an interactive map, it draws
the same layers from the same joined data, both pages are loaded the same way (fresh page, same
browser, median of several loads), and the baseline's network is answered instantly, which can only
make it look faster than it would be.

Run: python benchmarks/bench_web.py  (needs /usr/bin/chromium). Prints sizes, times and ratios,
both measured in the same run; nothing is asserted.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
RUNS = 5


def _fixtures():
    spec = importlib.util.spec_from_file_location("atlas_conftest", ROOT / "tests" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "tests"))
    spec.loader.exec_module(mod)
    fn = mod.japan_result
    return getattr(fn, "__wrapped__", fn)()


def ours(joined) -> tuple[bytes, float]:
    from atlasmaps.model import MapKind, RenderOptions
    from atlasmaps.render import web
    from atlasmaps.style import load_style

    style = load_style()
    start = time.perf_counter()
    html = web.render(joined, style, RenderOptions(MapKind.BILATERAL, partner="JP", formats=("html",))).files["html"]
    return html, time.perf_counter() - start


def explore(joined) -> tuple[bytes, float]:
    """The same layers drawn the geopandas way: one explore() call per layer on one folium map."""
    import geopandas as gpd
    from shapely.geometry import LineString

    from atlasmaps.content.bilateral import bilateral_content

    start = time.perf_counter()
    b = bilateral_content(joined, "JP")
    m = b.context_countries.explore(color="grey", name="countries")
    if not b.zones.empty:
        b.zones.explore(m=m, color="red", name="zones")
    french = gpd.GeoDataFrame(
        b.french_points[["name", "kind"]].copy(), geometry=b.french_points.geometry, crs=4326
    )
    units = b.french_units.copy()
    units["geometry"] = units.geometry.representative_point()
    gpd.GeoDataFrame(
        [*french[["name", "kind"]].values.tolist(), *units[["name", "kind"]].values.tolist()],
        columns=["name", "kind"],
        geometry=[*french.geometry, *units.geometry], crs=4326,
    ).explore(m=m, column="kind", name="french")
    b.partner_points[["name", "geometry"]].explore(m=m, color="black", name="partners")
    lines = [LineString([(lk.french_lon, lk.french_lat), (lk.partner_lon, lk.partner_lat)])
             for lk in b.links if lk.partner_lon is not None]
    gpd.GeoDataFrame({"n": range(len(lines))}, geometry=lines, crs=4326).explore(m=m, name="links")
    html = m.get_root().render().encode()
    return html, time.perf_counter() - start


def load_times(html: bytes, browser, workdir: Path, name: str) -> tuple[float, int, bool]:
    """Median time to the window load event over RUNS fresh pages, the external requests seen, and
    whether a Leaflet map was drawn at all without them."""
    from atlasmaps.render.web import leaflet_assets

    path = workdir / f"{name}.html"
    path.write_bytes(html)
    own = path.as_uri()
    times, external = [], 0
    for _ in range(RUNS):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        blocked: list[str] = []

        def route(r):  # (one parameter: playwright passes the request as a second one)
            url = r.request.url
            if url == own or url.startswith("data:"):
                r.continue_()
            elif url.endswith("/leaflet.js") or url.endswith("/leaflet.css"):
                # explore()'s Leaflet from our local copy, so that it can draw offline at all
                blocked.append(url)
                js, css = leaflet_assets()
                r.fulfill(status=200, body=js if url.endswith(".js") else css,
                          content_type="text/javascript" if url.endswith(".js") else "text/css")
            else:
                blocked.append(r.request.url)
                r.fulfill(status=404, body="")  # an immediate answer: nothing leaves the machine

        page.route("**/*", route)
        start = time.perf_counter()
        page.goto(own, wait_until="domcontentloaded")
        page.wait_for_function("document.readyState === 'complete'")
        times.append(time.perf_counter() - start)
        drawn = page.locator(".leaflet-container path, .leaflet-marker-icon").count() > 0
        external = len(blocked)
        page.close()
    return statistics.median(times), external, drawn


def main() -> None:
    from playwright.sync_api import sync_playwright

    joined = _fixtures()
    our_html, our_render = ours(joined)
    exp_html, exp_render = explore(joined)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        our_load, our_ext, our_drawn = load_times(our_html, browser, Path(tmp), "ours")
        exp_load, exp_ext, exp_drawn = load_times(exp_html, browser, Path(tmp), "explore")
        browser.close()
    print("France–Japan bilateral map, same layers")
    print(f"{'':24}{'atlasmaps':>12}{'explore()':>12}{'ratio':>8}")
    print(f"{'file size (KB)':24}{len(our_html) / 1024:12.1f}{len(exp_html) / 1024:12.1f}{len(our_html) / len(exp_html):8.2f}")
    print(f"{'external requests':24}{our_ext:12d}{exp_ext:12d}")
    print(f"{'map drawn offline':24}{str(our_drawn):>12}{str(exp_drawn):>12}")
    print(f"{'render (s)':24}{our_render:12.3f}{exp_render:12.3f}{our_render / exp_render:8.2f}")
    print(f"{'load, median of ' + str(RUNS) + ' (s)':24}{our_load:12.3f}{exp_load:12.3f}{our_load / exp_load:8.2f}")
    print("explore(): its external requests were answered locally (Leaflet) or with 404 (jQuery, Bootstrap, "
          "fonts, tiles); online it would download them too. Its file is not self-contained.")


if __name__ == "__main__":
    main()
