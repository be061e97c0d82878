"""`atlasmaps styles list | show | validate`: let cartographers inspect and check style sheets."""

from __future__ import annotations

import click

from atlasmaps.errors import StyleError


@click.group("styles")
def styles() -> None:
    """List, show and validate style sheets.

    A style is a YAML file: a name looks in the styles folder (`styles/`, or
    $ATLASMAPS_STYLES_DIR), anything with a slash or a .yaml suffix is a file.

    \b
    Example:
      atlasmaps styles list
      atlasmaps styles show quai-dorsay-gris
      atlasmaps styles validate mon-style.yaml
    """


@styles.command("list")
def list_styles() -> None:
    """List the named styles with their parent and description.

    \b
    Example:
      atlasmaps styles list
    """
    from atlasmaps.style import available_styles, load_style, style_parent, styles_dir

    names = available_styles()
    if not names:
        click.echo(f"No style in {styles_dir()}")
        return
    width = max(len(n) for n in names)
    rows = []
    for name in names:
        try:
            style = load_style(name)
            parent, description = style.extends or "-", style.description
        except StyleError as exc:
            try:
                parent = style_parent(name) or "-"
            except StyleError:
                parent = "?"
            description = f"INVALID: {exc}"
        rows.append((name, parent, description))
    pwidth = max(len("EXTENDS"), *(len(r[1]) for r in rows))
    click.echo(f"{'NAME':<{width}}  {'EXTENDS':<{pwidth}}  DESCRIPTION")
    for name, parent, description in rows:
        click.echo(f"{name:<{width}}  {parent:<{pwidth}}  {description}")


@styles.command("show")
@click.argument("name")
def show(name: str) -> None:
    """Print the resolved style NAME as YAML (inheritance applied, palette references replaced).

    \b
    Example:
      atlasmaps styles show quai-dorsay-gris > resolved.yaml
    """
    from atlasmaps.style import load_style

    click.echo(load_style(name).to_yaml(), nl=False)


@styles.command("validate")
@click.argument("path")
@click.pass_context
def validate(ctx: click.Context, path: str) -> None:
    """Check the style file PATH; exit 0 with an "ok" line, or 1 with one line per problem.

    \b
    Example:
      atlasmaps styles validate styles/mon-style.yaml
    """
    from pathlib import Path

    from atlasmaps.style import StyleValidationError, load_style

    ref: str | Path = Path(path) if Path(path).is_file() else path
    try:
        style = load_style(ref)
    except StyleValidationError as exc:
        for line in exc.problems:
            click.echo(f"Error: {line}", err=True)
        ctx.exit(1)
    except StyleError as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(1)
    parent = f", extends {style.extends}" if style.extends else ""
    click.echo(f"ok: {path} is a valid style ({len(style.labels['fr'])} labels in fr and en{parent})")
