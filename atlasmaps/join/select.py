"""Which French collectivité a user means (`--name Lyon`, `--code 69123`), among a file's joined rows.

Why here: the same question as the join's French side, answered the same way (a code first, then
the name, homonyms told apart by code). The data's own collectivités are tried first, so that
"Saint-Denis" means the Saint-Denis the file has; a name the data does not have goes through the
join's matcher (former names, "Dunkirk", "Granville, Manche"); an unknown one gets the closest names.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from atlasmaps.errors import AtlasError
from atlasmaps.model import CollectiviteType, FrenchUnit, JoinResult, MatchStatus, Partnership

MAX_SUGGESTIONS = 5


class UnknownCollectivite(AtlasError):
    """The asked collectivité is not in the data (or is ambiguous): a usage error, exit 2."""


def label(unit: FrenchUnit) -> str:
    """"Lyon (commune 69123)": enough to tell homonyms apart and to pass back as --code."""
    return f"{unit.name} ({unit.kind.value} {unit.code})"


def data_units(joined: JoinResult) -> list[FrenchUnit]:
    """The distinct French collectivités of the joined rows, by type then name."""
    seen: dict[tuple[CollectiviteType, str], FrenchUnit] = {}
    for r in joined.rows:
        if r.french is not None:
            seen.setdefault((r.french.kind, r.french.code), r.french)
    return sorted(seen.values(), key=lambda u: (u.kind.value, u.name, u.code))


def find_collectivite(joined: JoinResult, name: str | None = None, code: str | None = None,
                      kind: CollectiviteType | None = None) -> FrenchUnit:
    """The French unit meant by `code` (INSEE or SIREN) or `name`, among the data's collectivités.

    Raises UnknownCollectivite (one line, exit 2) for a name or code the data does not have, listing
    the closest names, and for homonyms, listing them with their codes.
    """
    from atlasmaps.textnorm import normalize_name

    units = [u for u in data_units(joined) if kind is None or u.kind is kind]
    if code:
        code = code.strip()
        found = [u for u in units if code in (u.code, u.siren)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:  # a commune's INSEE code equal to another unit's SIREN cannot happen; be safe
            raise UnknownCollectivite(f"--code {code}: several collectivités ({_listed(found)}); give --type")
    asked = name or code or ""
    if name:
        key = normalize_name(name)
        found = [u for u in units if normalize_name(u.name) == key]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UnknownCollectivite(f"--name '{name}': {len(found)} collectivités of {joined.source} have this "
                                      f"name: {_listed(found)}; give --code")
    unit = _as_the_join_reads_it(name or "", code, kind)
    if unit is not None:
        for u in units:
            if (u.kind, u.code) == (unit.kind, unit.code):
                return u
        raise UnknownCollectivite(f"{'--code' if code else '--name'} '{asked}': {label(unit)} has no partnership "
                                  f"in {joined.source}{_closest(asked, units)}")
    raise UnknownCollectivite(f"{'--code' if code and not name else '--name'} '{asked}': no such collectivité "
                              f"in {joined.source}{_closest(asked, units)}")


def _as_the_join_reads_it(name: str, code: str | None, kind: CollectiviteType | None) -> FrenchUnit | None:
    """The join's own answer for a row naming this collectivité (None unless matched)."""
    from atlasmaps.join.french import match_french

    query = Partnership(row=0, id="", collectivite=name or code or "", type_collectivite=kind, partenaire="",
                        pays="", code_collectivite=code or None)
    unit, match = match_french(query)
    return unit if match.status is MatchStatus.MATCHED else None


def _listed(units: Sequence[FrenchUnit]) -> str:
    return ", ".join(label(u) for u in units)


def _closest(asked: str, units: Sequence[FrenchUnit]) -> str:
    """"; closest: Lyon (commune 69123), ..." from the data's collectivités, by spelling."""
    from atlasmaps.textnorm import normalize_name

    by_key: dict[str, list[FrenchUnit]] = {}
    for u in units:
        by_key.setdefault(normalize_name(u.name), []).append(u)
    keys = difflib.get_close_matches(normalize_name(asked), list(by_key), n=MAX_SUGGESTIONS, cutoff=0.6)
    if not keys:
        keys = [k for k in by_key if normalize_name(asked) in k][:MAX_SUGGESTIONS]
    close = [u for k in keys for u in by_key[k]][:MAX_SUGGESTIONS]
    return f"; closest: {_listed(close)}" if close else ""
