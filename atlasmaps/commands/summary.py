"""Printing the join summary: the commands' side of `atlasmaps.join.summary` (which only makes lines)."""

from __future__ import annotations

import click

from atlasmaps.join.summary import summary_lines
from atlasmaps.model import JoinResult


def print_join_summary(result: JoinResult, err: bool = True) -> None:
    """Print the summary (to stderr by default, so stdout stays free for data)."""
    for line in summary_lines(result):
        click.echo(line, err=err)
