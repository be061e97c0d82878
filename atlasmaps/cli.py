"""The `atlasmaps` command line.

Subcommands live in `atlasmaps.commands.*` and are imported only when invoked, so that
`atlasmaps --help` stays fast (importing cartopy and geopandas costs ~2 s).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import warnings

import click

from atlasmaps import __version__
from atlasmaps.errors import AtlasError, AtlasWarning

# name -> (module, attribute, one-line help shown by `atlasmaps --help` without importing the module)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "boundaries": ("atlasmaps.commands.boundaries", "boundaries", "List and import administrative boundaries."),
    "schema": ("atlasmaps.commands.data", "schema", "Describe the partnership data columns."),
    "validate": ("atlasmaps.commands.data", "validate", "Check a data file and report the join."),
    "styles": ("atlasmaps.commands.styles", "styles", "List, show and validate style sheets."),
    "bilateral": ("atlasmaps.commands.maps", "bilateral", "France and one partner country, side by side."),
    "country": ("atlasmaps.commands.maps", "country", "One partner country with its zones d'intervention."),
    "world": ("atlasmaps.commands.maps", "world", "Projects per partner country on a world map."),
    "france": ("atlasmaps.commands.maps", "france", "Projects per French région or département."),
    "collectivite": ("atlasmaps.commands.maps", "collectivite", "One French collectivité and its partners worldwide."),
    "demo": ("atlasmaps.commands.maps", "demo", "Render the demo maps from the sample data."),
    "batch": ("atlasmaps.commands.batch", "batch", "Render every map for every partner country."),
    "export": ("atlasmaps.commands.export", "export", "Write the joined data as a GeoPackage for QGIS."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name][0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not self._available(cmd_name):
            return None
        module, attr, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="atlasmaps")
def cli() -> None:
    """Maps of the Atlas français de la coopération décentralisée.

    Joins partnership data (CSV, XLSX, JSON) to embedded administrative boundaries and
    renders print maps (PDF, SVG, PNG) and self-contained interactive maps (HTML).

    \b
    Example:
      atlasmaps validate partenariats.csv --report rapport.csv
      atlasmaps bilateral partenariats.csv --partner JP --format pdf,png
    """


def _show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001, ANN202
    """`AtlasWarning`s are for the user: one line, without the source location Python adds."""
    if issubclass(category, AtlasWarning):
        click.echo(f"warning: {message}", err=True)
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


_python_showwarning = warnings.showwarning


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and an exit code, never a traceback.

    `ATLASMAPS_DEBUG=1` lets unexpected exceptions through with their traceback.
    """
    debug = bool(os.environ.get("ATLASMAPS_DEBUG"))
    warnings.showwarning = _show_warning
    try:
        result = cli.main(args=argv, prog_name="atlasmaps", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except AtlasError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        if debug or not _environment_fault(exc):
            raise
        # The machine's fault (no permission, full disk, read-only): blame it, not atlasmaps.
        where = f"{os.fsdecode(exc.filename)}: " if exc.filename else ""
        click.echo(f"Error: {where}{exc.strerror or exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - a bug still ends in one line, unless debugging
        if debug:
            raise
        click.echo(f"Error: {type(exc).__name__}: {str(exc)[:200]} "
                   "(a bug in atlasmaps: set ATLASMAPS_DEBUG=1 for the traceback and report it)", err=True)
        sys.exit(1)
    # Without standalone mode, click returns `ctx.exit(code)` codes instead of raising them.
    sys.exit(result if isinstance(result, int) else 0)


def _environment_fault(exc: OSError) -> bool:
    from atlasmaps.atomic import ENVIRONMENT_ERRNOS

    return exc.errno in ENVIRONMENT_ERRNOS
