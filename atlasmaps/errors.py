"""Errors that end a command with one clear line on stderr instead of a traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1  # some rows or maps failed, the rest was produced
EXIT_UNUSABLE = 2  # unusable input or usage


class AtlasError(Exception):
    """A problem the user can fix; `cli.main` prints it as one line and exits with `exit_code`."""

    exit_code = EXIT_UNUSABLE


class UnusableInputError(AtlasError):
    """The input file cannot be used at all (unreadable, empty, no required column...)."""


class BoundaryFileError(AtlasError):
    """A boundary file given to `boundaries import` cannot be used."""


class StyleError(AtlasError):
    """A style sheet is invalid; the message gives the YAML path of the problem."""

    exit_code = EXIT_PARTIAL


class AtlasWarning(UserWarning):
    """Something the user should know that does not stop the command; `cli.main` prints it as one
    `warning:` line on stderr."""
