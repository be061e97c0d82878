"""Write the export layers into one GeoPackage with pyogrio, atomically.

All layers go into a temporary file beside the target, which is renamed onto it only when every
layer (and the styles table) is written: an interrupted export never leaves half a GeoPackage.
QGIS styles go into the `layer_styles` table, where QGIS looks for a layer's default style.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd

#: GeoPackage geometry type of each layer (collectivités mix points and polygons).
GEOMETRY_TYPES: dict[str, str] = {
    "collectivites_francaises": "Unknown",
    "partenaires": "Point",
    "zones_intervention": "MultiPolygon",
    "liens": "MultiLineString",
    "pays": "MultiPolygon",
}
STYLES_TABLE = "layer_styles"
#: GeoPackage 1.3, not GDAL 3.9's default 1.4: GDAL 3.6 (Debian 12's ogrinfo) and QGIS 3.28 read it fully.
DATASET_OPTIONS = {"VERSION": "1.3"}


def write_gpkg(layers: dict[str, gpd.GeoDataFrame], target: str | Path,
               styles: dict[str, str] | None = None) -> Path:
    """Write `layers` (name -> WGS84 GeoDataFrame) and their QML `styles` to `target`."""
    from atlasmaps.atomic import write_atomic

    def write(tmp: Path) -> None:
        import pyogrio

        tmp.unlink()  # GDAL creates the GeoPackage itself; an empty file is not one
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG",
                                    geometry_type=GEOMETRY_TYPES.get(name, "Unknown"), promote_to_multi=False,
                                    dataset_options=DATASET_OPTIONS)
        if styles:
            pyogrio.write_dataframe(_styles_table(styles), tmp, layer=STYLES_TABLE, driver="GPKG")

    return write_atomic(target, write, suffix=".part.gpkg")


def _styles_table(styles: dict[str, str]):  # noqa: ANN202
    """QGIS's `layer_styles` table: one default QML style per layer (geometry column `geom`)."""
    import pandas as pd

    return pd.DataFrame({
        "f_table_catalog": ["" for _ in styles], "f_table_schema": ["" for _ in styles],
        "f_table_name": list(styles), "f_geometry_column": ["geom" for _ in styles],
        "styleName": list(styles), "styleQML": list(styles.values()), "styleSLD": ["" for _ in styles],
        "useAsDefault": [True for _ in styles], "description": ["atlasmaps" for _ in styles],
        "owner": ["" for _ in styles], "ui": ["" for _ in styles],
    })
