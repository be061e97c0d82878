"""`atlasmaps export`: the joined data as a GeoPackage for QGIS.

Thin on purpose: join (as the map commands do), keep the rows the maps draw, build the layers
(atlasmaps.export.layers), write them (atlasmaps.export.gpkg). Heavy modules imported inside.
"""

from __future__ import annotations

from pathlib import Path

import click

from atlasmaps.commands.maps import data_date_option, load_style_for_maps


@click.command()
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "target", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("outputs/atlas.gpkg"), show_default=True, help="GeoPackage to write (.gpkg).")
@click.option("--columns", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="YAML mapping of your column names to the schema's.")
@click.option("--corrections", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV or YAML of join corrections (see `atlasmaps validate --report`).")
@click.option("--include-inactive", is_flag=True,
              help="Also export partnerships whose statut is not active (inactive, planned).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="Language of the country names.")
@click.option("--style", "style_name", default=None, help="Style sheet of the QGIS styles (name or YAML path).")
@click.option("--styles/--no-styles", "with_styles", default=True, show_default=True,
              help="Store QGIS styles (QML) in the GeoPackage's layer_styles table.")
@data_date_option
@click.pass_context
def export(ctx: click.Context, data: Path, target: Path, columns: Path | None, corrections: Path | None,
           include_inactive: bool, lang: str, style_name: str | None, with_styles: bool,
           data_date: str | None) -> None:
    """Write the joined data as a GeoPackage (EPSG:4326) for QGIS.

    \b
    Layers, with French field names and the join's status, method and precision on every feature:
      collectivites_francaises  communes and groupements as points, départements and régions as polygons
      partenaires               foreign partners as points
      zones_intervention        the partners' admin-1 units
      liens                     one great-circle line per partnership (cut at 180°)
      pays                      partnerships per partner country, on the country's polygon
    Only the rows the maps draw are exported: matched on both sides, active unless --include-inactive.
    Exit 0 when every row is exported, 1 when some are not, 2 when the input cannot be used.

    \b
    Example:
      atlasmaps export partenariats.csv -o atlas.gpkg
    """
    from atlasmaps.errors import AtlasError
    from atlasmaps.export.gpkg import write_gpkg
    from atlasmaps.export.layers import build_layers
    from atlasmaps.export.qml import layer_styles
    from atlasmaps.atomic import check_writable_dir, refuse_overwrite
    from atlasmaps.commands.maps import input_files
    from atlasmaps.commands.summary import print_join_summary
    from atlasmaps.content.common import in_map_language
    from atlasmaps.pipeline import active_rows, load_joined

    if target.suffix.lower() != ".gpkg":
        raise AtlasError(f"--output: '{target}' must end in .gpkg")
    style = load_style_for_maps(style_name) if with_styles else None
    check_writable_dir(target.parent)
    refuse_overwrite([("output", target)], input_files(data, columns, style_name, corrections))
    joined = load_joined(data, columns=columns, corrections=corrections, data_date=data_date)
    print_join_summary(joined)
    kept, notes = active_rows(joined, include_inactive)
    for note in notes:
        click.echo(f"warning: {note}", err=True)
    built = build_layers(in_map_language(kept, lang).mapped, lang)
    for warning in built.warnings:
        click.echo(f"warning: {warning}", err=True)
    styles = layer_styles(style, list(built.layers["pays"]["nb_partenariats"]), lang) if style else None
    try:
        path = write_gpkg(built.layers, target, styles)
    except OSError as exc:
        raise AtlasError(f"{target}: cannot write the GeoPackage ({exc.strerror or exc})") from exc
    counts = ", ".join(f"{name} {len(frame)}" for name, frame in built.layers.items())
    click.echo(f"wrote {path} ({counts})")
    ctx.exit(1 if joined.problems or len(joined.mapped) < len(joined.rows) or built.warnings else 0)
