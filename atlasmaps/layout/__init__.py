"""Format-independent map layout: content (what to draw), projections, simplification, labels.

Kept import-light: submodules import geopandas/shapely/matplotlib themselves.
"""
