"""The joined data as GIS layers, for cartographers who finish special maps in QGIS.

`layers.build_layers(joined)` turns joined rows into five WGS84 GeoDataFrames with French field
names (the join's status, method and precision on every feature); `qml.layer_styles(style)` makes
a QGIS style per layer from the style sheet; `gpkg.write_gpkg` writes them with pyogrio into one
GeoPackage, atomically. Nothing here draws: the same rows give the same layers whatever the style.
"""

from __future__ import annotations

LAYERS: tuple[str, ...] = ("collectivites_francaises", "partenaires", "zones_intervention", "liens", "pays")
