"""Errors that end a command with one clear line on stderr instead of a traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1  # some rows or maps failed, the rest was produced
EXIT_UNUSABLE = 2  # unusable input or usage


class AtlasError(Exception):
    """A problem the user can fix; `cli.main` prints it as one line and exits with `exit_code`.

    `stops_command`: the problem is not one map's but the whole command's (an unwritable folder, a
    broken installation, a usage error found while drawing): commands that make several maps stop
    at once instead of failing every map the same way.
    """

    exit_code = EXIT_UNUSABLE
    stops_command = False


class UnusableInputError(AtlasError):
    """The input file cannot be used at all (unreadable, empty, no required column...)."""


class BoundaryFileError(AtlasError):
    """A boundary file given to `boundaries import` cannot be used."""


class StyleError(AtlasError):
    """A style sheet is invalid; the message gives the YAML path of the problem."""

    exit_code = EXIT_PARTIAL


class OutputError(AtlasError):
    """The machine, not the data: an output that cannot be written (read-only, full disk, no permission),
    or an output that would replace an input. Exit 2, naming the path."""

    stops_command = True


class UsageFault(AtlasError):
    """A usage error only found once the data is known (a projection that hides the data): exit 2."""

    stops_command = True


class AtlasWarning(UserWarning):
    """Something the user should know that does not stop the command; `cli.main` prints it as one
    `warning:` line on stderr."""
