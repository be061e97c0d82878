"""`atlasmaps boundaries list|import`: what boundaries are embedded, and registering better ones.

Thin commands: the work is in `atlasmaps.boundaries` (reading) and `atlasmaps.boundaries.imports`
(validation and storage). Heavy libraries are imported inside the functions.
"""

from __future__ import annotations

from pathlib import Path

import click

from atlasmaps.boundaries.imports import TOLERANCE_KM

LAYER_ORDER = ("countries_10m", "countries_50m", "countries_110m", "admin1", "fr_regions",
               "fr_departements", "fr_communes", "fr_communes_secondaires", "fr_epci", "places", "admin2_units",
               "admin1_names")


@click.group("boundaries")
def boundaries() -> None:
    """List and import administrative boundaries.

    \b
    Example:
      atlasmaps boundaries list --country JP --country BJ
      atlasmaps boundaries import ADMIN-EXPRESS/COMMUNE.shp
    """


def _layer_sources(layer: str, srcs: list[dict]) -> str:
    base = "countries_" + layer.split("_")[1] if layer.startswith("countries") else layer
    return ", ".join(s["source"] for s in srcs if base in s.get("layers", []))


@boundaries.command("list")
@click.option("--country", "countries", multiple=True, metavar="ISO2",
              help="Also show the admin-1 units and places of this country (repeatable).")
def list_cmd(countries: tuple[str, ...]) -> None:
    """Show the embedded layers (feature counts, sources), commune coverage and imported layers.

    \b
    Example:
      atlasmaps boundaries list
      atlasmaps boundaries list --country JP --country BJ
    """
    from atlasmaps import boundaries as b

    codes = [b.check_country(c) for c in countries]  # fail before printing anything
    man = b.manifest()
    srcs = b.sources()
    layers = man["layers"]
    click.echo("Embedded boundaries (" + str(b.boundaries_dir()) + ")")
    click.echo(f"  {'layer':<24} {'features':>9}  source")
    for name in [n for n in LAYER_ORDER if n in layers] + [n for n in layers if n not in LAYER_ORDER]:
        click.echo(f"  {name:<24} {layers[name]['features']:>9}  {_layer_sources(name, srcs)}")
    cov = layers.get("fr_communes", {}).get("coverage")
    if cov:
        click.echo(
            f"Commune points: {cov['with_point']} of {cov['communes']} communes ({cov['share']:.1%}), "
            f"holding {cov['population_share']:.1%} of the population"
            + (" (" + ", ".join(f"{k} {v}" for k, v in cov["by_source"].items()) + ")" if cov.get("by_source") else "")
        )
    for iso2 in codes:
        admin1 = b.load("admin1", iso2)
        places = b.load("places", iso2)
        imported = any(e["layer"] == "admin1" and e["country"] == iso2 for e in b.imported_layers())
        origin = "imported" if imported else "embedded"
        click.echo(f"{iso2}: {len(admin1)} admin-1 units ({origin}), {len(places)} places")
        if len(admin1):
            click.echo("  " + ", ".join(f"{n} ({i})" for i, n in zip(admin1.admin1_id, admin1.name)))
    imported = b.imported_layers()
    click.echo(f"Imported layers ({b.user_boundaries_dir()}): {len(imported) or 'none'}")
    for e in imported:
        click.echo(f"  {e['layer']:<16} {e['country']:<3} {e['features']:>7}  {e['format']}  {e['source_file']}")
    click.echo("Sources:")
    for s in srcs:
        click.echo(f"  {s['source']} {s['version']} — {s['licence']}")
    click.echo(f"Attribution: {b.attribution('fr')}")


@boundaries.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["ign", "geoboundaries", "gadm"], case_sensitive=False),
              help="Source format; detected from layer names and fields when omitted.")
@click.option("--country", metavar="ISO2", help="Country of the file (geoBoundaries/GADM; read from the file if omitted).")
@click.option("--level", metavar="LEVEL",
              help="IGN: commune|epci|departement|region; geoBoundaries/GADM: 1 or 2 (default: all IGN layers, level 1).")
@click.option("--boundaries-dir", type=click.Path(path_type=Path), default=None,
              help="Where imported layers are kept (default: the user data directory).")
@click.option("--tolerance-km", type=click.FloatRange(0, 20000), default=TOLERANCE_KM, show_default=True,
              help="How far outside its country (Natural Earth 1:10m) a feature may lie.")
def import_cmd(path: Path, fmt: str | None, country: str | None, level: str | None,
               boundaries_dir: Path | None, tolerance_km: float) -> None:
    """Register authoritative boundaries (IGN ADMIN EXPRESS, geoBoundaries, GADM).

    The file is checked (CRS, required fields, geometries, every feature within --tolerance-km of
    its country), reprojected to WGS84 and stored;
    maps then use it instead of the embedded layer for that country and level.

    \b
    Example:
      atlasmaps boundaries import ADMIN-EXPRESS-COG_3-2.gpkg --format ign
      atlasmaps boundaries import geoBoundaries-BEN-ADM1.geojson
      atlasmaps boundaries import gadm41_JPN.gpkg --format gadm --level 1
    """
    from atlasmaps.boundaries.imports import import_boundaries

    if boundaries_dir is not None:
        import os

        # the command's own process: make load() look where we store
        os.environ["ATLASMAPS_USER_BOUNDARIES_DIR"] = str(boundaries_dir)
    written = import_boundaries(path, fmt=fmt, country=country, level=level, dest=boundaries_dir,
                                tolerance_km=tolerance_km)
    for w in written:
        click.echo(f"imported {w.layer} for {w.country} ({w.level}): {w.features} features -> {w.file}")
