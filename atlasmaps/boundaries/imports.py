"""Register authoritative boundaries a cartographer holds (IGN ADMIN EXPRESS, geoBoundaries, GADM).

An imported file is read, checked (CRS present and plausible, required fields, geometries made
valid, ids unique), reprojected to WGS84, normalised to the schema of the embedded layer of the same
level (see ARCHITECTURE.md) and saved as GeoParquet in the user boundaries directory, where
`atlasmaps.boundaries.load` finds it before the embedded layer. Every user problem raises
`BoundaryFileError` naming the file and what is wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atlasmaps.atomic import write_atomic, write_text_atomic
from atlasmaps.data.readers import shorten
from atlasmaps.errors import BoundaryFileError
from atlasmaps.textnorm import words

if TYPE_CHECKING:
    import geopandas as gpd

FORMATS = ("ign", "geoboundaries", "gadm")

# IGN ADMIN EXPRESS layer (file or GeoPackage layer name) -> atlasmaps layer
IGN_LEVELS = {"COMMUNE": "fr_communes", "EPCI": "fr_epci", "DEPARTEMENT": "fr_departements", "REGION": "fr_regions"}
# required fields per IGN level; a tuple lists alternatives (NOM in recent editions, NOM_COM before)
IGN_FIELDS: dict[str, list[str | tuple[str, ...]]] = {
    "COMMUNE": ["INSEE_COM", ("NOM", "NOM_COM"), "INSEE_DEP", "INSEE_REG"],
    "EPCI": ["CODE_SIREN", ("NOM", "NOM_EPCI")],
    "DEPARTEMENT": ["INSEE_DEP", ("NOM", "NOM_DEP"), "INSEE_REG"],
    "REGION": ["INSEE_REG", ("NOM", "NOM_REG")],
}
EPCI_NATURE = {
    "communaute de communes": "CC",
    "communaute d agglomeration": "CA",
    "communaute urbaine": "CU",
    "metropole": "METRO",
    "etablissement public territorial": "EPT",
}
GEOBOUNDARIES_FIELDS = ["shapeName", "shapeID", "shapeGroup"]
HASC_RE = re.compile(r"^[A-Z]{2}\.[A-Z0-9]{1,3}(\.[A-Z0-9]{1,3})?$")
# France, overseas included (Guadeloupe to Mayotte/Réunion), for the plausibility check of IGN files
FRANCE_BBOX = (-63.5, -21.5, 56.0, 51.5)
# How far outside its country (Natural Earth 1:10m) a feature may lie: coarse coastlines and small
# islands stay well within it; a feature with wrong coordinates is thousands of km away.
TOLERANCE_KM = 100.0


@dataclass(frozen=True)
class ImportedLayer:
    """One layer written by an import; also the record kept in `imported.json`."""

    layer: str
    country: str
    level: str
    format: str
    source_file: str
    file: str
    features: int


def _fail(path: Path, message: str) -> BoundaryFileError:
    return BoundaryFileError(f"{path}: {message}")


def _text(value: Any) -> str | None:
    """A field value as clean text; None for empty, NaN and GADM's 'NA'."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    s = str(value).strip()
    return s if s and s.upper() != "NA" else None


# ---------------------------------------------------------------------------- reading


def _list_layers(path: Path) -> list[str]:
    import pyogrio

    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        raise _fail(path, f"cannot read the file as a vector dataset ({_short(exc)})") from exc


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _read(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        gdf = pyogrio.read_dataframe(path, layer=layer) if layer else pyogrio.read_dataframe(path)
    except Exception as exc:
        raise _fail(path, f"cannot read {'layer ' + layer if layer else 'the file'} ({_short(exc)})") from exc
    if len(gdf) == 0:
        raise _fail(path, f"{'layer ' + layer if layer else 'the file'} has no features")
    if "geometry" not in gdf or gdf.geometry.isna().all():
        raise _fail(path, "no geometries")
    return gdf


def _sources(path: Path) -> list[tuple[Path, str | None, str]]:
    """(file, layer or None, layer/file name) of every vector layer in `path` (file or folder)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".shp", ".gpkg", ".geojson", ".json"))
        if not files:
            raise _fail(path, "folder holds no shapefile, GeoPackage or GeoJSON")
        out = []
        for f in files:
            out.extend(_sources(f))
        return out
    if not path.exists():
        raise _fail(path, "no such file")
    if path.suffix.lower() == ".shp":
        _check_shapefile_parts(path)
    layers = _list_layers(path)
    if path.suffix.lower() == ".gpkg" or len(layers) > 1:
        return [(path, name, name) for name in layers]
    return [(path, None, path.stem)]


def _check_shapefile_parts(path: Path) -> None:
    """A shapefile is several files: without its .dbf GDAL reads shapes with no fields, and
    every later message (no format, no field) would point the wrong way."""
    present = {p.suffix.lower() for p in path.parent.glob(path.stem + ".*") if p.stem == path.stem}
    for suffix, what in ((".shx", "shape index"), (".dbf", "attribute table")):
        if suffix not in present:
            raise _fail(path, f"the shapefile's {what} {path.stem}{suffix} is missing beside it "
                              "(copy the .shp, .shx, .dbf and .prj files together)")


def detect_format(path: Path) -> str:
    """Guess ign / geoboundaries / gadm from layer names and fields."""
    import pyogrio

    for file, layer, name in _sources(path):
        upper = name.upper()
        if upper.startswith("ADM_ADM_") or upper.startswith("GADM"):
            return "gadm"
        if upper in IGN_LEVELS:
            return "ign"
        try:
            fields = {str(f) for f in pyogrio.read_info(file, layer=layer)["fields"]}
        except Exception as exc:
            raise _fail(file, f"cannot read the file as a vector dataset ({_short(exc)})") from exc
        if "shapeName" in fields:
            return "geoboundaries"
        if "GID_0" in fields:
            return "gadm"
        if fields & {"INSEE_COM", "INSEE_DEP", "INSEE_REG", "CODE_SIREN"}:
            return "ign"
    raise _fail(path, "cannot detect the format (IGN ADMIN EXPRESS, geoBoundaries or GADM); give --format")


# ---------------------------------------------------------------------------- checks


def _require(path: Path, gdf: gpd.GeoDataFrame, fields: list[str | tuple[str, ...]], what: str) -> dict[str, str]:
    """Map each required field to the column that holds it; fail listing what is missing."""
    found: dict[str, str] = {}
    missing = []
    cols = {c.upper(): c for c in gdf.columns}
    for spec in fields:
        options = spec if isinstance(spec, tuple) else (spec,)
        hit = next((cols[o.upper()] for o in options if o.upper() in cols), None)
        if hit is None:
            missing.append("/".join(options))
        else:
            found[options[0]] = hit
    if missing:
        raise _fail(path, f"missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)} for {what}")
    return found


def _to_wgs84(path: Path, gdf: gpd.GeoDataFrame, expected_bbox: tuple[float, float, float, float] | None,
              where: str) -> gpd.GeoDataFrame:
    """Reproject to WGS84, refusing files without CRS or whose coordinates do not fit it."""
    import numpy as np

    if gdf.crs is None:
        raise _fail(path, "no coordinate reference system (missing .prj or CRS); "
                          "IGN ADMIN EXPRESS is Lambert-93 (EPSG:2154)")
    minx, miny, maxx, maxy = gdf.total_bounds
    if gdf.crs.is_geographic and not (-180.5 <= minx <= maxx <= 180.5 and -90.5 <= miny <= maxy <= 90.5):
        raise _fail(path, f"coordinates do not fit its CRS {gdf.crs.to_string()} "
                          f"(x {minx:.0f}…{maxx:.0f}, y {miny:.0f}…{maxy:.0f}): wrong CRS declared?")
    try:
        out = gdf.to_crs("EPSG:4326")
    except Exception as exc:
        raise _fail(path, f"cannot reproject from {gdf.crs.to_string()} to WGS84 ({_short(exc)})") from exc
    bounds = out.total_bounds
    if not np.all(np.isfinite(bounds)) or not (-180.5 <= bounds[0] <= bounds[2] <= 180.5
                                                and -90.5 <= bounds[1] <= bounds[3] <= 90.5):
        raise _fail(path, f"coordinates do not fit its CRS {gdf.crs.to_string()}: wrong CRS declared?")
    if expected_bbox is not None:
        ex0, ey0, ex1, ey1 = expected_bbox
        if bounds[2] < ex0 or bounds[0] > ex1 or bounds[3] < ey0 or bounds[1] > ey1:
            raise _fail(path, f"features fall outside {where} once read in {gdf.crs.to_string()}: "
                              "wrong CRS declared?")
    return out


def _repair(path: Path, gdf: gpd.GeoDataFrame, id_column: str, field: str) -> gpd.GeoDataFrame:
    """Make every geometry valid, keeping polygonal parts; fail on one that cannot be repaired.

    Errors name the feature by its 1-based position in the file and `field` (the source field
    holding `id_column`), so the cartographer can find it in a GIS."""
    import shapely
    from shapely.geometry import MultiPolygon

    geoms = []
    for i, (geom, ident) in enumerate(zip(gdf.geometry, gdf[id_column])):
        label = f"feature {i + 1} ({field}={ident})"
        if geom is None or geom.is_empty:
            raise _fail(path, f"{label} has no geometry")
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        polys = []
        for part in shapely.get_parts(geom):
            if part.geom_type == "Polygon" and part.area > 0:
                polys.append(part)
            elif part.geom_type == "MultiPolygon":
                polys.extend(p for p in shapely.get_parts(part) if p.area > 0)
            elif part.geom_type == "GeometryCollection":
                polys.extend(p for p in shapely.get_parts(part) if p.geom_type == "Polygon" and p.area > 0)
        if not polys:
            raise _fail(path, f"{label} has an invalid geometry that cannot be repaired (no area left)")
        fixed = MultiPolygon(polys)
        if not fixed.is_valid:
            fixed = shapely.make_valid(shapely.union_all(polys))
            if fixed.geom_type == "Polygon":
                fixed = MultiPolygon([fixed])
        if not fixed.is_valid or fixed.is_empty:
            raise _fail(path, f"{label} has an invalid geometry that cannot be repaired")
        geoms.append(fixed)
    out = gdf.copy()
    out["geometry"] = geoms
    return out


def _unique(path: Path, gdf: gpd.GeoDataFrame, column: str, source_field: str) -> None:
    dup = gdf[column][gdf[column].duplicated()]
    if len(dup):
        raise _fail(path, f"duplicate {source_field} {dup.iloc[0]!r}: ids must be unique")
    if gdf[column].isna().any():
        raise _fail(path, f"feature {int(gdf[column].isna().to_numpy().argmax()) + 1} has an empty {source_field}")


def _check_near_country(path: Path, gdf: gpd.GeoDataFrame, iso2: str, tolerance_km: float) -> None:
    """Every feature within `tolerance_km` of its country (Natural Earth 1:10m): the layer's
    overall extent can hide one province moved across the world by a wrong coordinate.

    Fails naming the features that are not, with their distance."""
    import shapely
    from pyproj import Geod

    from atlasmaps import boundaries

    try:
        country = boundaries.load("countries", iso2, scale="10m")
    except Exception:  # noqa: BLE001 - no reference to check against: the extent check stands alone
        return
    if country.empty:
        return
    shape = shapely.union_all(country.geometry.values)
    shapely.prepare(shape)
    geoms = gdf.geometry.values
    # a degree is at most 111.32 km: within that many degrees is within the tolerance
    near = shapely.dwithin(geoms, shape, tolerance_km / 111.32)
    geod = Geod(ellps="WGS84")
    far: list[tuple[int, float]] = []
    for i in (int(k) for k in (~near).nonzero()[0]):
        (x0, y0), (x1, y1) = shapely.shortest_line(geoms[i], shape).coords
        km = geod.inv(x0, y0, x1, y1)[2] / 1000
        if km > tolerance_km:
            far.append((i, km))
    if not far:
        return
    name_col = "name" if "name" in gdf else gdf.columns[0]
    id_col = next(c for c in ("admin1_id", "admin2_id", "code", "siren", name_col) if c in gdf)
    shown = ", ".join(f"'{shorten(str(gdf[name_col].iloc[i]))}' ({id_col} {shorten(str(gdf[id_col].iloc[i]))}, "
                      f"{km:,.0f} km away)" for i, km in far[:5])
    more = f" and {len(far) - 5} more" if len(far) > 5 else ""
    raise _fail(path, f"{len(far)} feature(s) lie more than {tolerance_km:g} km outside {iso2}: {shown}{more}; "
                      "wrong coordinates or wrong country? (--tolerance-km widens the check)")


# ---------------------------------------------------------------------------- per format


def _ign_level(name: str) -> str | None:
    """COMMUNE, EPCI, DEPARTEMENT or REGION from an ADMIN EXPRESS file/layer name (exact, any case:
    COMMUNE_ASSOCIEE_OU_DELEGUEE and the like are other layers)."""
    upper = name.upper()
    return upper if upper in IGN_LEVELS else None


def _normalise_ign(path: Path, gdf: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    from atlasmaps import boundaries

    what = f"an IGN ADMIN EXPRESS {level} layer"
    f = _require(path, gdf, IGN_FIELDS[level], what)
    gdf = _to_wgs84(path, gdf, FRANCE_BBOX, "France")

    def col(name: str) -> list[str | None]:
        return [_text(v) for v in gdf[f[name]]]

    if level == "COMMUNE":
        embedded = boundaries.load("fr_communes")
        siren_of = dict(zip(embedded.code, embedded.siren))
        cols = {c.upper(): c for c in gdf.columns}
        codes = col("INSEE_COM")
        sirens = ([_text(v) for v in gdf[cols["SIREN"]]] if "SIREN" in cols
                  else [siren_of.get(c) for c in codes])
        pop = gdf[cols["POPULATION"]] if "POPULATION" in cols else [None] * len(gdf)
        data = {"code": codes, "siren": sirens, "name": col("NOM"), "departement": col("INSEE_DEP"),
                "region": col("INSEE_REG"), "population": [int(p) if _text(p) else None for p in pop]}
        key, field = "code", f["INSEE_COM"]
    elif level == "EPCI":
        embedded = boundaries.load("fr_epci")
        known = {s: (t, m, p) for s, t, m, p in zip(embedded.siren, embedded["type"], embedded.members, embedded.population)}
        cols = {c.upper(): c for c in gdf.columns}
        sirens = col("CODE_SIREN")
        natures = [_text(v) for v in gdf[cols["NATURE"]]] if "NATURE" in cols else [None] * len(gdf)
        types = [EPCI_NATURE.get(words(n), n) if n else known.get(s, (None,))[0] for s, n in zip(sirens, natures)]
        data = {"siren": sirens, "name": col("NOM"), "type": types,
                "members": [known.get(s, (None, None))[1] for s in sirens],
                "population": [known.get(s, (None, None, None))[2] for s in sirens]}
        key, field = "siren", f["CODE_SIREN"]
    elif level == "DEPARTEMENT":
        data = {"code": col("INSEE_DEP"), "name": col("NOM"), "region": col("INSEE_REG")}
        key, field = "code", f["INSEE_DEP"]
    else:
        data = {"code": col("INSEE_REG"), "name": col("NOM")}
        key, field = "code", f["INSEE_REG"]
    out = gpd.GeoDataFrame(data, geometry=list(gdf.geometry), crs="EPSG:4326")
    _unique(path, out, key, field)
    return _repair(path, out, key, field).sort_values(key).reset_index(drop=True)


def _iso2(path: Path, value: str | None, country: str | None) -> str:
    import pycountry

    if country:
        return country.upper()
    if value:
        v = value.strip().upper()
        if v in ("XKX", "XK", "KOS"):
            return "XK"
        rec = pycountry.countries.get(alpha_3=v) if len(v) == 3 else pycountry.countries.get(alpha_2=v)
        if rec is not None:
            return rec.alpha_2
    raise _fail(path, f"cannot tell the country (found {value!r}); give --country")


def _country_bbox(iso2: str) -> tuple[float, float, float, float] | None:
    from atlasmaps import boundaries

    try:
        world = boundaries.load("countries", iso2, scale="50m")
    except Exception:
        return None
    if world.empty:
        return None
    x0, y0, x1, y1 = world.total_bounds
    return (x0 - 2, y0 - 2, x1 + 2, y1 + 2)


def _embedded_ids(iso2: str) -> tuple[dict[str, str], dict[str, str]]:
    """Embedded admin-1 ids by normalised name and by ISO 3166-2, to keep ids stable on import."""
    from atlasmaps import boundaries

    try:
        emb = boundaries.load("admin1", iso2)
    except Exception:
        return {}, {}
    by_name = {words(n): i for n, i in zip(emb.name, emb.admin1_id)}
    by_iso = {c: i for c, i in zip(emb.iso_3166_2, emb.admin1_id) if c}
    return by_name, by_iso


def _admin_frame(path: Path, gdf: gpd.GeoDataFrame, iso2: str, level: int, names: list[str | None],
                 hasc: list[str | None], iso: list[str | None], fallback_ids: list[str | None],
                 id_field: str, name_field: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if level == 1:
        by_name, by_iso = _embedded_ids(iso2)
        ids = []
        for n, h, i, fb in zip(names, hasc, iso, fallback_ids):
            if h and HASC_RE.match(h):
                ids.append(h)
            else:
                ids.append(by_iso.get(i or "") or by_name.get(words(n)) or fb)
        if len(set(ids)) != len(ids):  # matches collided: fall back to the source's own ids
            ids = fallback_ids
        data = {"admin1_id": ids, "name": names, "iso_3166_2": iso, "country": [iso2] * len(names)}
        key = "admin1_id"
    else:
        data = {"admin2_id": fallback_ids, "name": names, "iso_3166_2": iso, "country": [iso2] * len(names)}
        key = "admin2_id"
    out = gpd.GeoDataFrame(data, geometry=list(gdf.geometry), crs="EPSG:4326")
    if any(n is None for n in names):
        raise _fail(path, f"feature {names.index(None) + 1} has an empty name")
    _unique(path, out, key, id_field)
    return _repair(path, out, "name", name_field).sort_values(key).reset_index(drop=True)


def _parse_level(text: str | None) -> int | None:
    """1 or 2 from '1', 'ADM1', 'adm2', 'ADM_ADM_1' (GADM layer), 'gadm41_BEN_1' (GADM file)."""
    if not text:
        return None
    upper = str(text).strip().upper()
    m = re.fullmatch(r"[0-9]", upper) or re.search(r"ADM_?([0-9])(?![0-9])", upper) or re.search(r"_([0-9])$", upper)
    if not m:
        return None
    return int(m.group(1) if m.groups() else m.group(0))


def _normalise_geoboundaries(path: Path, gdf: gpd.GeoDataFrame, name: str, country: str | None,
                             level: str | None) -> tuple[gpd.GeoDataFrame, str, int]:
    _require(path, gdf, GEOBOUNDARIES_FIELDS, "a geoBoundaries file")
    lvl = _parse_level(level) or (_parse_level(_text(gdf["shapeType"].iloc[0])) if "shapeType" in gdf else None)
    lvl = lvl or _parse_level(name)
    if lvl not in (1, 2):
        raise _fail(path, "cannot tell the level (ADM1 or ADM2); give --level")
    iso2 = _iso2(path, _text(gdf["shapeGroup"].iloc[0]), country)
    gdf = _to_wgs84(path, gdf, _country_bbox(iso2), f"country {iso2}")
    names = [_text(v) for v in gdf["shapeName"]]
    iso = [_text(v) for v in gdf["shapeISO"]] if "shapeISO" in gdf else [None] * len(gdf)
    iso = [i if i and re.match(r"^[A-Z]{2}-[A-Z0-9]{1,3}$", i) else None for i in iso]
    ids = [_text(v) for v in gdf["shapeID"]]
    return _admin_frame(path, gdf, iso2, lvl, names, [None] * len(gdf), iso, ids, "shapeID", "shapeName"), iso2, lvl


def _normalise_gadm(path: Path, gdf: gpd.GeoDataFrame, name: str, country: str | None,
                    level: int) -> tuple[gpd.GeoDataFrame, str]:
    f = _require(path, gdf, ["GID_0", f"GID_{level}", f"NAME_{level}"], f"a GADM level-{level} layer")
    iso2 = _iso2(path, _text(gdf[f["GID_0"]].iloc[0]), country)
    gdf = _to_wgs84(path, gdf, _country_bbox(iso2), f"country {iso2}")
    cols = {c.upper(): c for c in gdf.columns}
    names = [_text(v) for v in gdf[f[f"NAME_{level}"]]]
    hasc = [_text(v) for v in gdf[cols[f"HASC_{level}"]]] if f"HASC_{level}" in cols else [None] * len(gdf)
    iso = [_text(v) for v in gdf[cols[f"ISO_{level}"]]] if f"ISO_{level}" in cols else [None] * len(gdf)
    ids = [_text(v) for v in gdf[f[f"GID_{level}"]]]
    if level == 2:
        hasc_ids = [h if h and HASC_RE.match(h) else i for h, i in zip(hasc, ids)]
        ids = hasc_ids if len(set(hasc_ids)) == len(hasc_ids) else ids
    return _admin_frame(path, gdf, iso2, level, names, hasc, iso, ids, f"GID_{level}", f[f"NAME_{level}"]), iso2


# ---------------------------------------------------------------------------- entry point


def import_boundaries(path: str | Path, fmt: str | None = None, country: str | None = None,
                      level: str | None = None, dest: str | Path | None = None,
                      tolerance_km: float = TOLERANCE_KM) -> list[ImportedLayer]:
    """Validate, reproject and store the layers of `path`; return what was written.

    `fmt` is ign | geoboundaries | gadm (detected when None); `level` restricts which layer is taken
    (IGN: commune, epci, departement, region; geoBoundaries/GADM: 1 or 2, also ADM1/ADM2).
    Every feature must lie within `tolerance_km` of its country; nothing is written unless all
    layers pass every check.
    """
    from atlasmaps import boundaries

    path = Path(path)
    fmt = (fmt or detect_format(path)).lower()
    if fmt not in FORMATS:
        raise BoundaryFileError(f"unknown boundary format '{fmt}' (choose from {', '.join(FORMATS)})")
    if country is not None:
        country = boundaries.check_country(country)
    dest_dir = Path(dest) if dest else boundaries.user_boundaries_dir()
    results: list[tuple[gpd.GeoDataFrame, str, str, str, Path]] = []  # frame, layer, country, level, file
    for file, layer, name in _sources(path):
        if fmt == "ign":
            lvl = _ign_level(name)
            if lvl is None and level and not path.is_dir() and len(_list_layers(file)) == 1:
                lvl = level.upper()  # a single layer under another name: trust --level
            if level and level.upper() not in IGN_LEVELS:
                raise _fail(path, f"unknown level '{level}' for IGN (use commune, epci, departement or region)")
            if lvl is None or (level and lvl != level.upper()):
                continue
            gdf = _normalise_ign(file, _read(file, layer), lvl)
            results.append((gdf, IGN_LEVELS[lvl], "FR", lvl.lower(), file))
        elif fmt == "geoboundaries":
            gdf, iso2, lvl = _normalise_geoboundaries(file, _read(file, layer), name, country, level)
            results.append((gdf, f"admin{lvl}", iso2, f"ADM{lvl}", file))
        else:
            wanted = _parse_level(level) if level else 1
            if wanted not in (1, 2):
                raise _fail(path, f"unknown level '{level}' for GADM (use 1 or 2)")
            lvl = _parse_level(name)
            if lvl is None and layer is None:
                lvl = wanted  # a single unnamed layer: trust --level
            if lvl != wanted:
                continue
            gdf, iso2 = _normalise_gadm(file, _read(file, layer), name, country, lvl)
            results.append((gdf, f"admin{lvl}", iso2, f"ADM{lvl}", file))
    if not results:
        what = f" at level {level}" if level else ""
        raise _fail(path, f"no {fmt} boundary layer found{what}")

    for gdf, _, iso2, _, file in results:
        _check_near_country(file, gdf, iso2, tolerance_km)
    written = []
    for gdf, layer_name, iso2, lvl, file in results:
        target = dest_dir / layer_name / f"{iso2}.parquet"
        write_atomic(target, lambda p, g=gdf: g.to_parquet(p, compression="zstd", index=False))
        written.append(ImportedLayer(layer=layer_name, country=iso2, level=lvl, format=fmt,
                                     source_file=str(file.resolve()), file=str(target.resolve()),
                                     features=int(len(gdf))))
    _register(dest_dir, written)
    boundaries.clear_cache()
    return written


def _register(dest_dir: Path, written: list[ImportedLayer]) -> None:
    marker = dest_dir / "imported.json"
    try:
        data = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {"layers": []}
        old = [e for e in data["layers"] if isinstance(e, dict) and "layer" in e and "country" in e]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        old = []  # a damaged list is rewritten; the layers it named are still on disk and load() finds them
    keys = {(w.layer, w.country) for w in written}
    entries = [e for e in old if (e.get("layer"), e.get("country")) not in keys]
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    entries += [{**asdict(w), "imported_at": stamp} for w in written]
    entries.sort(key=lambda e: (str(e["layer"]), str(e["country"])))
    write_text_atomic(marker, json.dumps({"layers": entries}, indent=2, ensure_ascii=False) + "\n")
