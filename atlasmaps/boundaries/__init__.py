"""Embedded administrative boundaries, and the authoritative ones a cartographer imports.

`load(layer, country=None, scale="50m")` returns a GeoDataFrame (WGS84) of one layer, reading
only the rows of the asked country from the GeoParquet files in `boundaries/` (built by
`scripts/build_boundaries.py`). A layer imported with `atlasmaps boundaries import` for a country
takes precedence over the embedded one. Results are cached per process; `load` hands out a
shallow copy (geometries are shared, immutable shapely objects), so callers may add columns
without corrupting the cache — but must not mutate geometries in place.

geopandas/pyarrow are imported inside functions so that importing this package stays cheap.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from atlasmaps.errors import AtlasError, AtlasWarning

if TYPE_CHECKING:
    import geopandas as gpd
    import pyarrow as pa

__all__ = [
    "LAYERS",
    "SCALES",
    "BoundaryWarning",
    "ImportedLayerError",
    "attribution",
    "boundaries_dir",
    "clear_cache",
    "imported_layers",
    "load",
    "load_columns",
    "manifest",
    "sources",
    "user_boundaries_dir",
]

SCALES = ("10m", "50m", "110m")

# layer -> (column holding the country filter or None, fixed country for France-only layers)
LAYERS: dict[str, tuple[str | None, str | None]] = {
    "countries": ("iso_a2", None),
    "admin1": ("country", None),
    "admin2": ("country", None),  # only from imports (geoBoundaries ADM2, GADM level 2)
    "places": ("country", None),
    "admin2_units": ("country", None),  # GeoNames admin-2 names with their seat point (no polygons)
    "admin1_names": ("country", None),  # other names of the admin-1 units (no geometry)
    "admin1_regions": ("country", None),  # regions above the admin-1 units: names and a seat (no polygon)
    "fr_regions": (None, "FR"),
    "fr_departements": (None, "FR"),
    "fr_communes": (None, "FR"),
    "fr_communes_secondaires": (None, "FR"),  # arrondissements, communes déléguées/associées/merged
    "fr_epci": (None, "FR"),
}


class BoundaryError(AtlasError):
    """A boundary layer or country that does not exist, or missing embedded data."""


class BoundaryDataError(BoundaryError):
    """A boundary file missing or corrupt: the installation, not the data, is broken (stops the command)."""

    stops_command = True


REBUILD_HINT = "rebuild boundaries/ with `python scripts/build_boundaries.py` (in a source checkout) or reinstall atlasmaps"
REIMPORT_HINT = "import the layer again with `atlasmaps boundaries import`"


def _broken(path: Path, what: str) -> BoundaryDataError:
    """One line naming the broken file and how to get a good one back."""
    user = user_boundaries_dir()
    imported = user in path.parents
    return BoundaryDataError(f"{path}: {what}; {REIMPORT_HINT if imported else REBUILD_HINT}")


def boundaries_dir() -> Path:
    """The embedded data: `$ATLASMAPS_BOUNDARIES_DIR`, else the installed or checked-out `boundaries/`."""
    from atlasmaps.shipped import BOUNDARIES_ENV, shipped_dir

    return shipped_dir("boundaries", BOUNDARIES_ENV)


def user_boundaries_dir() -> Path:
    """Imported layers: `$ATLASMAPS_USER_BOUNDARIES_DIR`, else the platform's user data dir."""
    env = os.environ.get("ATLASMAPS_USER_BOUNDARIES_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("atlasmaps")) / "boundaries"


def check_country(country: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code, upper-cased, or a BoundaryError naming the bad value (None passes)."""
    if country is None:
        return None
    code = str(country).strip().upper()
    if code == "XK":  # Kosovo: user-assigned code, recognised by France
        return code
    import pycountry

    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise BoundaryError(f"unknown country code '{country}' (expected ISO 3166-1 alpha-2, e.g. JP, BJ)")
    return code


def _embedded_path(layer: str, scale: str) -> Path:
    name = f"countries_{scale}" if layer == "countries" else layer
    path = boundaries_dir() / f"{name}.parquet"
    if not path.exists():
        raise _broken(path, "embedded boundary file missing")
    return path


def _imported_path(layer: str, country: str, user_dir: Path) -> Path:
    return user_dir / layer / f"{country}.parquet"


def _imported_countries(layer: str, user_dir: Path) -> tuple[str, ...]:
    folder = user_dir / layer
    if not folder.is_dir():
        return ()
    return tuple(sorted(p.stem for p in folder.glob("*.parquet")))


@lru_cache(maxsize=1)
def _wgs84():
    from pyproj import CRS

    return CRS.from_epsg(4326)


def _read(path: Path, column: str | None = None, value: str | None = None) -> gpd.GeoDataFrame:
    """Read a GeoParquet layer written by atlasmaps (WGS84, WKB column `geometry`).

    pyarrow reads only the row groups holding `column == value` (files are sorted by country);
    decoding the WKB ourselves with a cached CRS object is ~3x faster than geopandas.read_parquet,
    which re-parses the PROJJSON of every file.
    """
    import geopandas as gpd
    import pyarrow.parquet as pq
    import shapely

    try:
        filters = [(column, "==", value)] if column and value else None
        table = pq.read_table(path, filters=filters)
        if "geometry" not in table.column_names:  # a names-only layer
            return table.to_pandas()  # type: ignore[return-value]
        wkb = table.column("geometry").to_numpy(zero_copy_only=False)
        frame = table.drop_columns(["geometry"]).to_pandas()
        return gpd.GeoDataFrame(frame, geometry=shapely.from_wkb(wkb), crs=_wgs84())
    except Exception as exc:  # corrupt or foreign file: say which one
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise _broken(path, f"corrupt boundary layer ({first})") from exc  # the cause: the reader's own words


@lru_cache(maxsize=256)
def _load_cached(layer: str, country: str | None, scale: str, base: str, user: str, stamp: float) -> gpd.GeoDataFrame:
    import pandas as pd

    column, fixed = LAYERS[layer]
    user_dir = Path(user)
    key = fixed or country
    # an imported layer for this country and level wins over the embedded one
    if country and _imported_path(layer, country, user_dir).exists():
        return _read_imported(layer, country, user_dir)  # its own country's maps: a broken file is an error
    if fixed and _imported_path(layer, fixed, user_dir).exists():
        try:  # every map draws France: a broken import falls back to the embedded layer, with a warning
            return _read_imported(layer, fixed, user_dir)
        except BoundaryError as exc:
            _warn_fallback(exc)
    if layer == "admin2":
        if key is None:
            frames = [f for c in _imported_countries(layer, user_dir) if (f := _imported_or_none(layer, c, user_dir))
                      is not None]
            if frames:
                return pd.concat(frames, ignore_index=True)
        raise BoundaryError(
            "no admin-2 boundaries are embedded; import them with `atlasmaps boundaries import` "
            "(geoBoundaries ADM2 or GADM level 2)"
        )
    gdf = _read(_embedded_path(layer, scale), column if country else None, country)
    if country is None and column and layer != "countries":
        # all countries (the join, the world map): a broken import must not stop the others, so
        # that country keeps its embedded rows and a warning says so
        imported = {c: f for c in _imported_countries(layer, user_dir)
                    if (f := _imported_or_none(layer, c, user_dir)) is not None}
        if imported:
            frames = [gdf[~gdf[column].isin(list(imported))], *imported.values()]
            gdf = pd.concat(frames, ignore_index=True)
    return gdf.reset_index(drop=True)


class ImportedLayerError(BoundaryError):
    """A layer imported with `boundaries import` is damaged: its own country's maps stop, with this."""


class BoundaryWarning(AtlasWarning):
    """A boundary problem that does not stop the command (printed as one `warning:` line)."""


def _read_imported(layer: str, country: str, user_dir: Path) -> gpd.GeoDataFrame:
    """An imported layer, checked enough that a damaged file fails here with its name, not later."""
    path = _imported_path(layer, country, user_dir)
    advice = ("import it again with `atlasmaps boundaries import`, or delete the file to use the "
              "embedded boundaries")
    try:
        gdf = _read(path)
    except BoundaryError as exc:
        reason = str(exc.__cause__ or exc).strip().splitlines()[0][:160]
        raise ImportedLayerError(f"{path}: the imported {layer} layer for {country} cannot be read ({reason}); "
                            f"{advice}") from exc
    needed = {"name", "geometry"} | ({LAYERS[layer][0]} if LAYERS[layer][0] else set())
    missing = sorted(needed - set(gdf.columns))
    if missing:
        raise ImportedLayerError(f"{path}: the imported {layer} layer for {country} lacks column(s) "
                            f"{', '.join(missing)}; {advice}")
    return gdf


def _imported_or_none(layer: str, country: str, user_dir: Path) -> gpd.GeoDataFrame | None:
    try:
        return _read_imported(layer, country, user_dir)
    except BoundaryError as exc:
        _warn_fallback(exc)
        return None


def _warn_fallback(exc: BoundaryError) -> None:
    _warn(f"{exc} (the embedded boundaries are used meanwhile)")


def _warn(message: str) -> None:
    import warnings

    warnings.warn(message, BoundaryWarning, stacklevel=3)


def _stamp(user_dir: Path) -> float:
    """Changes when layers are imported, so a long-lived process sees new imports."""
    marker = user_dir / "imported.json"
    return marker.stat().st_mtime if marker.exists() else 0.0


def load(layer: str, country: str | None = None, scale: str = "50m") -> gpd.GeoDataFrame:
    """One boundary layer as a WGS84 GeoDataFrame (columns: see ARCHITECTURE.md).

    `country` (ISO2) keeps the rows of one country (admin1, admin2, places, countries); France-only
    layers (`fr_*`) accept None or "FR". `scale` applies to `countries` only. Cached per process:
    the returned frame is a shallow copy, do not modify its geometries in place.
    """
    if layer not in LAYERS:
        raise BoundaryError(f"unknown boundary layer '{layer}' (choose from {', '.join(LAYERS)})")
    if scale not in SCALES:
        raise BoundaryError(f"unknown scale '{scale}' (choose from {', '.join(SCALES)})")
    code = check_country(country)
    fixed = LAYERS[layer][1]
    if fixed and code not in (None, fixed):
        raise BoundaryError(f"layer '{layer}' only covers {fixed}, not '{country}'")
    if fixed:
        code = None
    user_dir = user_boundaries_dir()
    gdf = _load_cached(layer, code, scale if layer == "countries" else "50m",
                       str(boundaries_dir()), str(user_dir), _stamp(user_dir))
    return gdf.copy(deep=False)


# Columns a layer may lack (an imported file, an older build) that `load_columns` then derives from
# the geometry: a point inside each unit, where the join places a partner known only by its unit.
REPRESENTATIVE_COLUMNS = ("rep_lon", "rep_lat")


def load_columns(layer: str, columns: tuple[str, ...]) -> pa.Table:
    """Some columns of a whole layer (every country) as an Arrow table, geometry left undecoded.

    Why: the join indexes names and points over 235,000 places and 4,500 admin-1 units; decoding
    polygons and going through pandas was most of its cold start. `geometry`, when asked for, comes
    as WKB bytes. Imported layers replace their country's embedded rows, as in `load`; columns in
    REPRESENTATIVE_COLUMNS are computed from the geometry when a layer is imported or lacks them.
    """
    if layer not in LAYERS or layer == "countries":
        raise BoundaryError(f"unknown boundary layer '{layer}' for load_columns")
    user_dir = user_boundaries_dir()
    return _columns_cached(layer, tuple(columns), str(boundaries_dir()), str(user_dir), _stamp(user_dir))


@lru_cache(maxsize=16)
def _columns_cached(layer: str, columns: tuple[str, ...], base: str, user: str, stamp: float) -> pa.Table:
    import pyarrow.parquet as pq

    path = _embedded_path(layer, "50m")
    if not _imported_countries(layer, Path(user)):
        try:
            available = set(pq.read_schema(path).names)
            if set(columns) <= available:
                return pq.read_table(path, columns=list(columns))
        except Exception as exc:  # corrupt or foreign file: say which one
            first = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
            raise _broken(path, f"corrupt boundary layer ({first})") from exc
    return _columns_from_frame(layer, load(layer), columns)


def _columns_from_frame(layer: str, gdf: gpd.GeoDataFrame, columns: tuple[str, ...]) -> pa.Table:
    """The slow path (imports, an older build): the frame `load` gives, derived columns added."""
    import pyarrow as pa
    import shapely

    data: dict[str, object] = {}
    geoms = gdf.geometry.values if "geometry" in gdf.columns else None
    if geoms is not None and any(c in REPRESENTATIVE_COLUMNS for c in columns):  # imported rows lack them
        reps = shapely.point_on_surface(geoms)
        data["rep_lon"], data["rep_lat"] = shapely.get_x(reps), shapely.get_y(reps)
    for c in columns:
        if c == "geometry":
            data[c] = pa.array(shapely.to_wkb(geoms), type=pa.binary())
        elif c in gdf.columns and c not in data:
            data[c] = pa.array(gdf[c].astype(object).where(gdf[c].notna(), None).tolist())
        elif c not in data:
            raise BoundaryError(f"layer '{layer}' has no column '{c}'")
    return pa.table({c: data[c] for c in columns})


_BUILT_FROM_LAYERS: list[Callable[[], None]] = []


def built_from_layers(clear: Callable[[], None]) -> Callable[[], None]:
    """Register the `clear` of a cache built from these layers (the join's indexes), so that
    `clear_cache` forgets it too; boundaries stays below the modules that read it."""
    _BUILT_FROM_LAYERS.append(clear)
    return clear


def clear_cache() -> None:
    """Forget cached layers, and what was built from them (after an import in the same process, or in tests)."""
    _load_cached.cache_clear()
    _columns_cached.cache_clear()
    _manifest_cached.cache_clear()
    _sources_cached.cache_clear()
    for clear in _BUILT_FROM_LAYERS:
        clear()


@lru_cache(maxsize=4)
def _manifest_cached(base: str) -> dict[str, Any]:
    path = Path(base) / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _broken(path, "missing") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _broken(path, f"unreadable ({getattr(exc, 'msg', None) or type(exc).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("layers"), dict | list):
        raise _broken(path, "not a boundaries manifest (no 'layers')")
    return data


def manifest() -> dict[str, Any]:
    """The build manifest: packages (version, integrity) and layers (file, features, sha256, coverage)."""
    return _manifest_cached(str(boundaries_dir()))


@lru_cache(maxsize=4)
def _sources_cached(base: str) -> dict[str, Any]:
    from atlasmaps.yamlsafe import YamlLimitError, load_file

    path = Path(base) / "sources.yaml"
    if not path.exists():
        raise _broken(path, "missing")
    try:
        data = load_file(path, "sources file")
    except YamlLimitError as exc:
        raise _broken(path, str(exc).removeprefix(f"{path}: ")) from None
    attribution = data.get("attribution") if isinstance(data, dict) else None
    if not isinstance(data.get("sources") if isinstance(data, dict) else None, list) or not isinstance(attribution, dict):
        raise _broken(path, "not a boundaries sources file (needs 'sources' and 'attribution')")
    return data


def sources() -> list[dict[str, Any]]:
    """Each embedded source: source, version, origin, licence, layers, attribution {fr, en}."""
    return list(_sources_cached(str(boundaries_dir()))["sources"])


def attribution(lang: str = "fr") -> str:
    """The source line maps must print for the embedded boundaries, in `lang` (fr or en)."""
    lines = _sources_cached(str(boundaries_dir()))["attribution"]
    if lang not in lines:
        raise BoundaryError(f"no attribution in language '{lang}' (choose from {', '.join(lines)})")
    return str(lines[lang])


def imported_layers() -> list[dict[str, Any]]:
    """Layers registered with `boundaries import`: layer, country, source, file, features."""
    marker = user_boundaries_dir() / "imported.json"
    if not marker.exists():
        return []
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        fields = ("layer", "country", "file", "features", "format", "source_file")
        entries = [e for e in data["layers"]
                   if isinstance(e, dict) and all(k in e for k in fields) and Path(str(e["file"])).exists()]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        _warn(f"{marker}: the list of imported layers cannot be read ({type(exc).__name__}); maps still use "
              "the imported files, and the next `atlasmaps boundaries import` rewrites the list")
        return []
    return entries
