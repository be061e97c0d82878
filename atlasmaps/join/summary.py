"""The join summary every command prints, so `validate`, the map commands and `batch` all tell the
cartographer the same thing: how many rows reached the map, and exactly which did not and why.

Lines only: printing them is the commands' job (`atlasmaps.commands.summary`), the join prints nothing."""

from __future__ import annotations

from collections import Counter

from atlasmaps.model import JoinedPartnership, JoinResult, MatchMethod, MatchStatus
from atlasmaps.textnorm import collation_key

MAX_LISTED = 50  # problem lines printed before "... and N more (see --report)"
_WORTH_SAYING = (MatchMethod.LARGEST_HOMONYM, MatchMethod.FORMER_COMMUNE, MatchMethod.FORMER_REGION,
                 MatchMethod.ALTERNATE, MatchMethod.ADMIN2, MatchMethod.CORRECTION)


def row_line(result: JoinResult, row: JoinedPartnership) -> str:
    """"file, row N, column 'x': message" for a row that is not cleanly matched."""
    parts = []
    for side, column, match in (
        ("French side", "collectivite", row.french_match),
        ("partner side", "partenaire", row.partner_match),
    ):
        if match.status is MatchStatus.MATCHED and match.method is not MatchMethod.FUZZY:
            continue
        text = f"{side} {match.status.value}"
        if match.reason:
            text += f": {match.reason}"
        if match.candidates:
            text += f" (candidates: {'; '.join(match.candidates)})"
        parts.append((column, text))
    column = parts[0][0] if len(parts) == 1 else None
    sheet = f", sheet '{row.partnership.sheet}'" if row.partnership.sheet else ""
    where = f"{result.source}{sheet}, row {row.partnership.row}" + (f", column '{column}'" if column else "")
    return f"{where}: {' / '.join(t for _, t in parts)}"


def summary_lines(result: JoinResult) -> list[str]:
    """The summary as plain lines (also used by tests)."""
    from atlasmaps.data.schema import country_name

    rows = result.rows
    n_invalid = len({(p.sheet, p.row) for p in result.problems if p.row is not None})
    n_read = len(rows) + n_invalid
    french_ok = sum(r.french_match.status is MatchStatus.MATCHED for r in rows)
    partner_ok = sum(r.partner_match.status is MatchStatus.MATCHED for r in rows)
    mapped = len(result.mapped)
    lines = [
        f"{result.source}: {n_read} {'row' if n_read == 1 else 'rows'}, {n_invalid} invalid, {mapped} mapped",
        f"  French side matched: {french_ok}/{len(rows)}; partner side matched: {partner_ok}/{len(rows)}",
    ]
    statuses = Counter(r.status.value for r in rows)
    fuzzy = sum(MatchMethod.FUZZY in (r.french_match.method, r.partner_match.method) for r in rows if r.mappable)
    if rows:
        detail = ", ".join(f"{statuses[s.value]} {s.value}" for s in MatchStatus if statuses[s.value])
        lines.append(f"  status: {detail}" + (f" ({fuzzy} by fuzzy match)" if fuzzy else ""))
        methods = Counter(m.method.value for r in rows if r.mappable for m in (r.french_match, r.partner_match)
                          if m.method in _WORTH_SAYING)
        inferred = Counter(kind for r in rows if r.mappable
                           for m, kind in ((r.french_match, "types"), (r.partner_match, "countries"))
                           if m.reason and ("no type given" in m.reason or "no country given" in m.reason))
        said = [f"{n} {m}" for m, n in sorted(methods.items())] + [f"{k} inferred for {n} rows" for k, n in sorted(inferred.items())]
        # read one way of two, or without what the row said: listed in the report with the reason
        for phrase, what in (("' is both a", "names both a place and a zone"),
                             ("is not known in", "region not used")):
            n = sum(1 for r in rows if r.mappable and phrase in (r.partner_match.reason or ""))
            if n:
                said.append(f"{what} for {n} rows")
        if said:
            lines.append(f"  drawn, worth a check in the report: {', '.join(said)}")
    per_country: dict[str, list[int]] = {}
    for r in rows:
        counts = per_country.setdefault(r.partnership.pays, [0, 0])
        counts[0] += 1
        counts[1] += r.mappable
    if per_country:
        listed = sorted(per_country.items(), key=lambda kv: (-kv[1][0], collation_key(country_name(kv[0]))))
        shown = ", ".join(f"{country_name(c)} ({c}) {ok}/{n}" if c else f"no country {ok}/{n}"
                          for c, (n, ok) in listed[:15])
        more = f", and {len(listed) - 15} more" if len(listed) > 15 else ""
        lines.append(f"  per country (mapped/rows): {shown}{more}")
    issues = [str(p) for p in result.problems]
    issues += [row_line(result, r) for r in rows if not r.mappable or MatchMethod.FUZZY in
               (r.french_match.method, r.partner_match.method)]
    warnings = [f"{w} (warning)" for w in result.extra.get("warnings", ())]  # type: ignore[union-attr]
    listed_lines = issues + warnings
    for line in listed_lines[:MAX_LISTED]:
        lines.append(line)
    if len(listed_lines) > MAX_LISTED:
        lines.append(f"... and {len(listed_lines) - MAX_LISTED} more (write them all with `atlasmaps validate --report`)")
    return lines
