"""Renderers: `static` (cartopy/matplotlib -> pdf, svg, png) and `web` (folium -> html).

Renderers receive data and a resolved style and return bytes; they never read or write files.
"""
