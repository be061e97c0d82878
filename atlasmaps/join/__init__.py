"""The join: validated partnerships -> `JoinResult` (each row with its French unit, its partner place
and a status per side), plus the rows that could not be read.

`join_file` is reached through `atlasmaps.pipeline.load_joined`, the one entry every command calls,
so `validate`, the map commands and `batch` all see the same statuses. Warnings about rows that
were kept but changed (HTML removed from a name...) are in `JoinResult.extra["warnings"]` as
`RowProblem`s: they do not make a row unusable.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from typing import TYPE_CHECKING

from atlasmaps.model import (
    CollectiviteType,
    JoinedPartnership,
    JoinResult,
    MatchMethod,
    MatchStatus,
    Partnership,
    RowProblem,
    SideMatch,
)

if TYPE_CHECKING:
    from atlasmaps.join.corrections import Corrections


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off while a join runs. Building the indexes makes some 300,000
    acyclic objects (units, places, lists, dicts), which set off four full collections that find
    nothing to free: a quarter of the cold join. Whatever cycles the join leaves are collected
    when the collector resumes."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def join_partnerships(
    partnerships: Iterable[Partnership],
    source: str,
    problems: Iterable[RowProblem] = (),
    data_date: str | None = None,
    warnings: Iterable[RowProblem] = (),
    corrections: Corrections | None = None,
    data_source: str | None = None,
) -> JoinResult:
    """Join already validated rows (tests, and callers that build `Partnership`s themselves)."""
    with _collector_paused():
        return _join(partnerships, source, problems, data_date, warnings, corrections, data_source)


def _join(partnerships: Iterable[Partnership], source: str, problems: Iterable[RowProblem], data_date: str | None,
          warnings: Iterable[RowProblem], corrections: Corrections | None, data_source: str | None) -> JoinResult:
    from atlasmaps.data.schema import country_name
    from atlasmaps.join.french import french_index, match_french
    from atlasmaps.join.partner import infer_country, one_name_per_place

    index = french_index()
    rows = []
    for p in partnerships:
        fix = corrections.find("french", p.collectivite, None, p.departement) if corrections else None
        if fix is None:
            french, french_match = match_french(p, index)
        elif fix.ignore:
            french, french_match = None, SideMatch(MatchStatus.IGNORED, MatchMethod.CORRECTION,
                                                   reason=f"ignored ({fix.where})")
        else:
            french, french_match = match_french(replace(p, code_collectivite=fix.code), index)
            french_match = replace(french_match, method=MatchMethod.CORRECTION if french else french_match.method,
                                   reason="; ".join(r for r in (french_match.reason, f"corrected ({fix.where})") if r))
        if p.type_collectivite is None:  # inferred by the French side: the row takes it from now on
            p = replace(p, type_collectivite=french.kind if french else CollectiviteType.COMMUNE)
        said_france = p.pays == "FR" and not index.names_a_collectivite(p.partenaire)
        if not p.pays or said_france:
            # no country, or "France" for a partner that is no French collectivité (a list whose
            # country column is the French side's): the country the partner's name belongs to
            country, failed = infer_country(p)
            if failed is not None:
                rows.append(JoinedPartnership(p, french, french_match, None, failed))
                continue
            p = replace(p, pays=country)
            partner, partner_match = _partner(p, corrections)
            why = ("pays says France, but no French collectivité has that name" if said_france
                   else "no country given")
            partner_match = replace(partner_match, reason="; ".join(
                r for r in (partner_match.reason, f"{why}: {country_name(country, 'en')} inferred "
                                                  "from the partner's name") if r))
        else:
            partner, partner_match = _partner(p, corrections)
        rows.append(JoinedPartnership(p, french, french_match, partner, partner_match))
    return JoinResult(
        source=source,
        rows=tuple(one_name_per_place(rows)),
        problems=tuple(problems),
        data_date=data_date,
        data_source=data_source,
        extra={"warnings": tuple(warnings)},
    )


def _partner(p: Partnership, corrections: Corrections | None):  # noqa: ANN202
    from atlasmaps.join.partner import corrected_partner, match_partner

    fix = corrections.find("partner", p.partenaire, p.pays, p.region_partenaire) if corrections else None
    return corrected_partner(p, fix) if fix is not None else match_partner(p)


def join_file(path: str | Path, columns: str | Path | None = None,
              corrections: str | Path | None = None, source: str | None = None) -> JoinResult:
    """Read, validate and join a data file, applying a corrections file if given. Raises
    `UnusableInputError` when nothing can be read.

    `source` is the `--source` option, which wins over what the data states (see `stated_source`).
    """
    from atlasmaps.data.validate import read_partnerships
    from atlasmaps.join.corrections import load_corrections
    from atlasmaps.join.partner import prefetch_gazetteer

    path = Path(path)
    fixes = load_corrections(corrections) if corrections else None
    gazetteer_read = prefetch_gazetteer()  # read while the file is read and the French side joined
    try:
        with _collector_paused():  # reading 12,000 rows makes as many acyclic records
            validated = read_partnerships(path, columns)
            return join_partnerships(
                validated.partnerships,
                source=display_path(path),
                problems=validated.problems,
                data_date=validated.data_date or file_date(path),
                warnings=validated.warnings,
                corrections=fixes,
                data_source=stated_source(source, validated.partnerships, validated.data_source),
            )
    finally:
        gazetteer_read()  # nothing left running behind the caller's back, even when the file is unusable


def stated_source(option: str | None, partnerships: Iterable[Partnership], file_source: str | None) -> str | None:
    """The source line's source, decided here only: the `--source` option; else the data's `source`
    column when all its rows agree on one value; else the file's own statement (JSON "source");
    else None, and the maps print the style's default source."""
    if option and option.strip():
        return option.strip()
    values = {p.source for p in partnerships if p.source}
    if len(values) == 1:
        return values.pop()
    return file_source


def display_path(path: Path) -> str:
    """A path as text that can be printed and written as UTF-8, whatever bytes its name holds
    (a non-UTF-8 name shows its odd bytes as \\xNN instead of failing the manifest or the gallery)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def file_date(path: Path) -> str | None:
    """The file's modification date (ISO), used as the data's date on the maps' source line."""
    try:
        return _dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    except OSError:
        return None


__all__ = ["display_path", "file_date", "join_file", "join_partnerships", "stated_source"]
