"""atlasmaps: maps of the Atlas français de la coopération décentralisée.

Kept import-light on purpose: `atlasmaps --help` must not pay for geopandas or cartopy.
"""

__version__ = "0.1.0"
