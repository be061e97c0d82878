"""Geometry for maps, independent of the output format: projections and frames, projecting once,
clipping and simplifying layers, and the antimeridian.

Kept import-light: submodules import pyproj/shapely/geopandas themselves.
"""
