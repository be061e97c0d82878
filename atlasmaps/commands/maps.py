"""Map commands: bilateral, country, world, france and demo.

Thin on purpose: parse options into a RenderOptions, join the data once, hand over to the pipeline,
print what was written and what was left out. Heavy modules are imported inside the functions.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from atlasmaps.model import ALL_FORMATS, CollectiviteType, MapKind

PAGES = ("A4-landscape", "A4-portrait", "A3-landscape", "A3-portrait")


def parse_formats(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """Accept `--format pdf,png` as well as `--format pdf --format png`."""
    formats: list[str] = []
    for chunk in value:
        for fmt in chunk.split(","):
            fmt = fmt.strip().lower()
            if not fmt:
                continue
            if fmt not in ALL_FORMATS:
                raise click.BadParameter(f"'{fmt}' is not one of {', '.join(ALL_FORMATS)}")
            if fmt not in formats:
                formats.append(fmt)
    return tuple(formats) or ("pdf",)


def parse_data_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD), so that the source line can say it in the map's language."""
    import datetime

    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2026-03-15") from None


def parse_tiles(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A basemap name (letters, digits, spaces, dots, hyphens) or an http(s) URL template without quotes
    or markup: the URL becomes the map's attribution, so nothing else may reach the page."""
    from atlasmaps.pipeline import check_tiles

    if value is None:
        return None
    try:
        return check_tiles(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


data_date_option = click.option(
    "--data-date", callback=parse_data_date, default=None, metavar="YYYY-MM-DD",
    help="Date of the data for the source line (default: the file's date, or the JSON's 'date').")


source_option = click.option(
    "--source", "data_source", default=None, metavar="TEXT",
    help="Source named on the source line (default: the data's 'source' column when it has one value, "
         "a JSON file's 'source', else the style's).")


def map_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every map command."""
    decorators = [
        click.argument("data", type=click.Path(dir_okay=False, path_type=Path)),
        click.option("--style", "style_name", default=None, help="Style name in styles/ or path to a YAML file."),
        click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True, help="Map text language."),
        click.option("--format", "-f", "formats", multiple=True, callback=parse_formats,
                     help="pdf, svg, png, html; several with commas (default pdf)."),
        click.option("--dpi", type=click.IntRange(36, 1200), default=300, show_default=True, help="PNG resolution."),
        click.option("--page", type=click.Choice(PAGES, case_sensitive=False), default="A4-landscape",
                     show_default=True, help="Page format."),
        click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=Path("outputs"), show_default=True, help="Output directory."),
        click.option("--columns", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                     help="YAML mapping of your column names to the schema's."),
        click.option("--corrections", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                     help="CSV or YAML of join corrections (see `atlasmaps validate --report`)."),
        click.option("--projection", default=None, help="EPSG code or PROJ string overriding the automatic choice."),
        click.option("--insets/--no-insets", default=None, help="Overseas insets (default: when one is involved)."),
        click.option("--north-arrow", is_flag=True, help="Draw a north arrow."),
        click.option("--years/--no-years", "show_years", default=None, help="Year labels (default: as the style says)."),
        click.option("--tiles", default=None, callback=parse_tiles,
                     help="HTML only: add an online basemap (name or http(s) URL template)."),
        click.option("--embed", is_flag=True, help="HTML only: also write the iframe snippet."),
        click.option("--include-inactive", is_flag=True,
                     help="Also draw partnerships whose statut is not active (inactive, planned)."),
        data_date_option,
        source_option,
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def partner_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--partner", "-p", required=True,
                        help="Partner country: ISO code (JP, JPN) or name (Japon, Japan).")(func)


def _run(ctx: click.Context, kind: MapKind, data: Path, partner: str | None = None, **kw: Any) -> None:
    from atlasmaps.commands.summary import print_join_summary
    from atlasmaps.geo.projection import checked_override
    from atlasmaps.pipeline import load_joined, preflight

    # Check the cheap things (partner, style, projection, output folder) before paying for the join:
    # usage errors, exit 2, and nothing rendered.
    iso2 = resolve_partner(partner) if partner else None
    style_name = kw.pop("style_name")
    style = load_style_for_maps(style_name)
    kw["projection"] = checked_override(kw["projection"])
    columns, corrections, data_date = kw.pop("columns"), kw.pop("corrections"), kw.pop("data_date")
    data_source, out_dir = kw.pop("data_source"), kw.pop("out_dir")
    options = map_render_options(kind, iso2, **kw)
    preflight(style, [options], out_dir, input_files(data, columns, style_name, corrections))
    joined = load_joined(data, columns=columns, corrections=corrections, data_date=data_date, source=data_source)
    print_join_summary(joined)
    failed = _make(joined, style, options, out_dir)
    ctx.exit(1 if failed or joined.problems or len(joined.mapped) < len(joined.rows) else 0)


def input_files(data: Path | None, columns: Path | None, style_name: str | None,
                corrections: Path | None = None) -> dict[str, Path | None]:
    """What a command reads, so that no output replaces it."""
    from atlasmaps.style import looks_like_path

    style_path = Path(style_name) if style_name and looks_like_path(style_name) else None
    return {"data file": data, "--columns file": columns, "style file": style_path, "--corrections file": corrections}


def map_render_options(kind: MapKind, partner: str | None, **kw: Any) -> Any:
    from atlasmaps.model import RenderOptions

    return RenderOptions(kind=kind, partner=partner, page=page_name(kw.pop("page")), **kw)


def load_style_for_maps(name: str | None) -> Any:
    """A style that cannot be loaded makes the command unusable: exit 2, like any usage error."""
    from atlasmaps.errors import AtlasError, StyleError
    from atlasmaps.style import load_style

    try:
        return load_style(name)
    except StyleError as exc:
        raise AtlasError(f"--style: {exc}") from exc


def _make(joined: Any, style: Any, options: Any, out_dir: Path) -> bool:
    """Make one map and print its outcome; return True when it failed.

    Errors that are the command's, not this map's (`stops_command`: unwritable output, broken
    boundaries/, a projection hiding the data) end the command with exit 2.
    """
    from atlasmaps.errors import AtlasError
    from atlasmaps.pipeline import DROPPED_LABELS, dropped_summary, make_map

    try:
        outcome = make_map(joined, style, options, out_dir)
    except AtlasError as exc:
        if exc.stops_command:
            raise
        click.echo(f"Error: {exc}", err=True)
        return True
    except Exception as exc:  # noqa: BLE001 - a renderer bug still gets one line, and the other maps go on
        if os.environ.get("ATLASMAPS_DEBUG"):
            raise
        click.echo(f"Error: {options.output_stem()} could not be rendered: {type(exc).__name__}: {exc} "
                   "(a bug in atlasmaps: set ATLASMAPS_DEBUG=1 for the traceback and report it)", err=True)
        return True
    for fmt, path in outcome.paths.items():
        click.echo(f"wrote {path} ({_human_size(outcome.sizes[fmt])})")
    if outcome.dropped_labels:
        listed = outcome.paths.get(DROPPED_LABELS)
        click.echo(dropped_summary(outcome.dropped_labels) + (f" (all in {listed})" if listed else ""), err=True)
    if outcome.numbered_labels:
        click.echo(f"{len(outcome.numbered_labels)} place(s) with no room for their name are numbered on the map "
                   f"and named in its key: {', '.join(outcome.numbered_labels)}", err=True)
    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)
    return False


def page_name(value: str) -> str:
    """`a4-LANDSCAPE` -> `A4-landscape`, the style's page key."""
    size, orientation = value.split("-")
    return f"{size.upper()}-{orientation.lower()}"


def resolve_partner(value: str) -> str:
    from atlasmaps.data.schema import resolve_country
    from atlasmaps.errors import AtlasError

    iso2 = resolve_country(value)
    if iso2 is None:
        raise AtlasError(f"--partner: unknown country '{value}' (give an ISO code such as JP or a name such as Japon)")
    from atlasmaps.join.partner import FRENCH_TERRITORIES

    if iso2 in FRENCH_TERRITORIES:
        raise AtlasError(f"--partner: '{value}' is France ({iso2}); the maps show France's partners abroad "
                         "(a partnership between two French collectivités is not drawn)")
    return iso2


def _human_size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


@click.command()
@map_options
@partner_option
@click.pass_context
def bilateral(ctx: click.Context, data: Path, partner: str, **kw: Any) -> None:
    """France and one partner country side by side, as in the Atlas's reference maps.

    \b
    Example:
      atlasmaps bilateral partenariats.csv --partner JP --format pdf,png
    """
    _run(ctx, MapKind.BILATERAL, data, partner=partner, **kw)


@click.command()
@map_options
@partner_option
@click.pass_context
def country(ctx: click.Context, data: Path, partner: str, **kw: Any) -> None:
    """One partner country, larger, with its zones d'intervention and their French partners.

    \b
    Example:
      atlasmaps country partenariats.csv --partner BJ --format png --dpi 200
    """
    _run(ctx, MapKind.COUNTRY, data, partner=partner, **kw)


@click.command()
@map_options
@click.option("--symbols", is_flag=True, help="Proportional circles instead of a choropleth.")
@click.option("--scheme", type=click.Choice(["jenks", "quantiles"]), default=None,
              help="Classification of the choropleth (default: the style's choropleth.scheme, jenks).")
@click.pass_context
def world(ctx: click.Context, data: Path, **kw: Any) -> None:
    """Projects per partner country on an equal-area world map, with the top 10.

    \b
    Example:
      atlasmaps world partenariats.csv --scheme quantiles --format pdf,html
    """
    _run(ctx, MapKind.WORLD, data, **kw)


@click.command()
@map_options
@click.option("--level", type=click.Choice(["region", "departement"]), default="region", show_default=True,
              help="Count projects per région or per département.")
@click.option("--scheme", type=click.Choice(["jenks", "quantiles"]), default=None,
              help="Classification of the choropleth (default: the style's choropleth.scheme, jenks).")
@click.pass_context
def france(ctx: click.Context, data: Path, **kw: Any) -> None:
    """Projects per French région (or département) of the French collectivités, with overseas insets.

    \b
    Example:
      atlasmaps france partenariats.csv --level departement --format png
    """
    _run(ctx, MapKind.FRANCE, data, **kw)


@click.command()
@map_options
@click.option("--name", "-n", default=None, help="Name of the French collectivité (as in the data).")
@click.option("--code", "-c", default=None, help="Its INSEE code (commune, département, région) or SIREN (groupement).")
@click.option("--type", "kind", type=click.Choice([k.value for k in CollectiviteType]), default=None,
              help="Its type, to tell a région from a département of the same name or code.")
@click.pass_context
def collectivite(ctx: click.Context, data: Path, name: str | None, code: str | None, kind: str | None,
                 **kw: Any) -> None:
    """One French collectivité and all its partners: France locating it, its partners on a map fitted
    to them, arcs from the collectivité, and the partners listed with years and themes.

    The collectivité is found as the join finds it: the code first, then the name; homonyms are
    listed with their codes, an unknown name with the closest names of the data (exit 2).

    \b
    Example:
      atlasmaps collectivite partenariats.csv --name Marseille --format pdf,png,html
      atlasmaps collectivite partenariats.csv --code 69123
    """
    from dataclasses import replace

    from atlasmaps.commands.summary import print_join_summary
    from atlasmaps.content.collectivite import collectivite_key
    from atlasmaps.errors import AtlasError
    from atlasmaps.geo.projection import checked_override
    from atlasmaps.join.select import find_collectivite
    from atlasmaps.atomic import check_writable_dir
    from atlasmaps.pipeline import check_pixel_budget, load_joined, preflight

    if not (name or code):
        raise AtlasError("collectivite: give --name or --code")
    style_name = kw.pop("style_name")
    style = load_style_for_maps(style_name)
    kw["projection"] = checked_override(kw["projection"])
    columns, corrections, data_date = kw.pop("columns"), kw.pop("corrections"), kw.pop("data_date")
    data_source, out_dir = kw.pop("data_source"), kw.pop("out_dir")
    options = map_render_options(MapKind.COLLECTIVITE, None, **kw)
    check_pixel_budget(style, options)
    check_writable_dir(out_dir)
    joined = load_joined(data, columns=columns, corrections=corrections, data_date=data_date, source=data_source)
    unit = find_collectivite(joined, name=name, code=code, kind=CollectiviteType(kind) if kind else None)
    # The file names are known once the collectivité is: the same checks as the other map commands.
    options = replace(options, collectivite=collectivite_key(unit.kind, unit.code))
    preflight(style, [options], out_dir, input_files(data, columns, style_name, corrections))
    print_join_summary(joined)
    failed = _make(joined, style, options, out_dir)
    # as the other map commands: rows of the file that could not be read or matched make it exit 1
    ctx.exit(1 if failed or joined.problems or len(joined.mapped) < len(joined.rows) else 0)


DEMO_MAPS: tuple[tuple[MapKind, str | None], ...] = (
    (MapKind.BILATERAL, "JP"),
    (MapKind.BILATERAL, "BJ"),
    (MapKind.COUNTRY, "BJ"),
    (MapKind.WORLD, None),
    (MapKind.FRANCE, None),
)


@click.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("outputs"), show_default=True, help="Output directory.")
@click.option("--format", "-f", "formats", multiple=True, callback=parse_formats,
              help="Formats (default pdf,png,svg,html).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--dpi", type=click.IntRange(36, 1200), default=200, show_default=True)
@click.pass_context
def demo(ctx: click.Context, out_dir: Path, formats: tuple[str, ...], lang: str, dpi: int) -> None:
    """Render the demo maps from the sample data shipped with the package.

    France–Japan and France–Bénin bilateral maps, the Bénin country map, the world map and the
    France map, in every format, into outputs/.

    \b
    Example:
      atlasmaps demo -o outputs
    """
    from atlasmaps.commands.summary import print_join_summary
    from atlasmaps.pipeline import load_joined
    from atlasmaps.sample import SAMPLE_DATE, sample_path

    from atlasmaps.pipeline import preflight

    if ctx.get_parameter_source("formats") is click.core.ParameterSource.DEFAULT:
        formats = ALL_FORMATS
    style = load_style_for_maps(None)
    maps = [map_render_options(kind, partner, formats=formats, lang=lang, dpi=dpi, page="A4-landscape")
            for kind, partner in DEMO_MAPS]
    preflight(style, maps, out_dir, {"sample data": sample_path()})
    joined = load_joined(sample_path(), data_date=SAMPLE_DATE)
    print_join_summary(joined)
    failed = [options for options in maps if _make(joined, style, options, out_dir)]
    ctx.exit(1 if failed else 0)
