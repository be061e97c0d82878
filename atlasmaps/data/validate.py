"""Validation: raw rows -> `Partnership`s, or `RowProblem`s naming file, row and column.

A bad row never stops the others: each row is judged on its own, and every problem in it is
reported (not only the first), so a cartographer can fix a spreadsheet in one pass.

HTML in names: tags are removed and entities decoded ("<b>Lyon</b>" -> "Lyon"), the row is kept and
a warning says so. Keeping markup verbatim would make the name unmatchable and put markup in print
maps; removing it silently would hide a data-entry problem.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from atlasmaps.data import schema
from atlasmaps.data.readers import RawRow, RawTable, read_table
from atlasmaps.errors import UnusableInputError
from atlasmaps.model import Partnership, RowProblem

MIN_YEAR = 1945  # the first twinnings date from after the war (Montbéliard–Ludwigsburg, 1950)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>|<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.S | re.I)
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_YEAR_IN_DATE = re.compile(r"^(?:(\d{4})[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:[ T].*)?|\d{1,2}[-/.]\d{1,2}[-/.](\d{4}))$")
_NAME_COLUMNS = ("collectivite", "partenaire")


@dataclass
class Validated:
    """The outcome of validating one file: usable rows, rejected rows' problems, and warnings
    about rows that were kept but changed (HTML removed, unknown nature...)."""

    file: str
    partnerships: list[Partnership] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    n_rows: int = 0
    data_date: str | None = None  # when the file says when its data was extracted (JSON "date")


def read_partnerships(path: str | Path, columns: str | Path | dict[str, str] | None = None) -> Validated:
    """Read and validate a data file; `columns` is a `--columns` YAML path or a ready mapping."""
    mapping = schema.load_column_mapping(columns) if isinstance(columns, str | Path) else columns
    return validate_table(read_table(path), mapping)


def validate_table(table: RawTable, mapping: dict[str, str] | None = None, today: _dt.date | None = None) -> Validated:
    """Check the header, then every row. Raises `UnusableInputError` when the file has no usable
    header or no data row: nothing could be drawn from it."""
    index = schema.map_headers(list(table.headers), mapping)
    missing = [c for c in schema.REQUIRED if c not in index]
    if missing:
        found = ", ".join(f"'{h}'" for h in table.headers if h) or "none"
        cols = ", ".join(f"'{m}'" for m in missing)
        plural = "s" if len(missing) > 1 else ""
        raise UnusableInputError(f"{table.file}: missing required column{plural} {cols} (header has {found})")
    if mapping:
        absent = [f"'{mapping[c]}'" for c in mapping if c not in index]
        if absent:
            raise UnusableInputError(f"{table.file}: column mapping names headers not in the file: {', '.join(absent)}")
    if not table.rows:
        raise UnusableInputError(f"{table.file}: no data rows (header only)")
    year_max = (today or _dt.date.today()).year
    out = Validated(table.file, n_rows=len(table.rows), data_date=table.data_date)
    width = len(table.headers)
    for raw in table.rows:
        _validate_row(raw, table, index, width, year_max, out)
    return out


def _validate_row(raw: RawRow, table: RawTable, index: dict[str, int], width: int, year_max: int,
                  out: Validated) -> None:
    file = table.file
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []

    def problem(column: str | None, message: str) -> None:
        problems.append(RowProblem(file, raw.row, column, message))

    def warn(column: str | None, message: str) -> None:
        warnings.append(RowProblem(file, raw.row, column, message))

    if raw.note:
        problem(None, raw.note)
        out.problems += problems
        return
    if table.delimiter is not None and raw.n_cells is not None and raw.n_cells != width:
        # Shifted cells would put values in the wrong columns: refuse rather than guess.
        problem(None, f"ragged row: {raw.n_cells} cells, the header has {width} "
                      f"(check the '{_show_delim(table.delimiter)}' separators and quotes)")
        out.problems += problems
        return
    if raw.extra:
        problem(None, f"ragged row: {raw.extra} non-empty cell(s) beyond the {width} header columns")
        out.problems += problems
        return

    def get(column: str) -> str:
        i = index.get(column)
        value = raw.cells[i] if i is not None else None
        return (value or "").strip()

    values: dict[str, str] = {}
    for column in schema.COLUMN_NAMES:
        value = get(column)
        if value and _TAG.search(value):
            stripped = _strip_html(value)
            warn(column, f"HTML markup removed: '{value}' read as '{stripped}'")
            value = stripped
        values[column] = value

    for column in schema.REQUIRED:
        if not values[column]:
            if column in _NAME_COLUMNS:
                problem(column, "empty name")
            else:
                problem(column, "required value missing")

    kind = None
    if values["type_collectivite"]:
        kind = schema.parse_collectivite_type(values["type_collectivite"])
        if kind is None:
            problem("type_collectivite",
                    f"unknown type '{values['type_collectivite']}' (expected région, département, groupement "
                    "or commune, or a usual label such as 'Conseil régional', 'Ville', 'Métropole')")
    country = None
    if values["pays"]:
        country = schema.resolve_country_ref(values["pays"])
        if country is None:
            problem("pays", f"unknown country '{values['pays']}' "
                            "(use an ISO 3166-1 code or the country's French or English name)")

    annee = None
    if values["annee"]:
        annee = _parse_year(values["annee"])
        if annee is None:
            problem("annee", f"not a year: '{values['annee']}'")
        elif not MIN_YEAR <= annee <= year_max:
            problem("annee", f"impossible year {annee} (expected {MIN_YEAR} to {year_max})")

    lat = _coordinate(values["latitude"], "latitude", 90.0, problem)
    lon = _coordinate(values["longitude"], "longitude", 180.0, problem)
    if (values["latitude"] == "") != (values["longitude"] == ""):
        given, absent = ("latitude", "longitude") if values["latitude"] else ("longitude", "latitude")
        problem(absent, f"{given} given without {absent}")

    nature = "coopération décentralisée"
    if values["nature"]:
        parsed = schema.parse_nature(values["nature"])
        if parsed is None:
            warn("nature", f"unknown nature '{values['nature']}' read as 'autre' "
                           f"(expected {', '.join(schema.NATURES)})")
            nature = "autre"
        else:
            nature = parsed
    statut = "active"
    if values["statut"]:
        parsed = schema.parse_statut(values["statut"])
        if parsed is None:
            problem("statut", f"unknown statut '{values['statut']}' (expected {', '.join(schema.STATUTS)})")
        else:
            statut = parsed

    if problems:
        out.problems += problems
        return
    out.warnings += warnings
    themes = tuple(t.strip() for t in re.split(r"[;|]", values["thematiques"]) if t.strip())
    out.partnerships.append(
        Partnership(
            row=raw.row,
            id=values["id"] or str(raw.row),
            collectivite=values["collectivite"],
            type_collectivite=kind,  # None: the join infers it from the name
            partenaire=values["partenaire"],
            pays=country.iso2 if country else "",  # "": the join infers it from the partner's name
            pays_saisi=_as_written(values["pays"], country),
            code_collectivite=values["code_collectivite"] or None,
            departement=values["departement"] or None,
            type_partenaire=values["type_partenaire"] or None,
            region_partenaire=values["region_partenaire"] or (country.region if country else None),
            code_partenaire=values["code_partenaire"] or None,
            latitude=lat,
            longitude=lon,
            annee=annee,
            thematiques=themes,
            nature=nature,
            statut=statut,
        )
    )


def _as_written(value: str, country: schema.CountryRef | None) -> str | None:
    """The country as the file writes it, kept when it says more than the code (a nation of the
    United Kingdom: "Écosse") or is not a code ("Turquie")."""
    if not value or country is None or value.upper() in (country.iso2, ):
        return None
    return country.nation or value


def _show_delim(d: str) -> str:
    return "\\t" if d == "\t" else d


def _strip_html(value: str) -> str:
    text = _SCRIPT.sub(" ", value)
    text = _TAG.sub(" ", text)
    return " ".join(html.unescape(text).split())


def _parse_year(value: str) -> int | None:
    v = value.strip()
    if re.fullmatch(r"\d{4}(?:\.0+)?", v):
        return int(float(v))
    m = _YEAR_IN_DATE.match(v)
    if m:
        return int(m.group(1) or m.group(2))
    return None


def _coordinate(value: str, column: str, bound: float, problem) -> float | None:  # noqa: ANN001
    if not value:
        return None
    v = value.replace(" ", "")
    if not _NUMBER.match(v):
        problem(column, f"not a number: '{value}'")
        return None
    number = float(v.replace(",", "."))
    if not -bound <= number <= bound:
        problem(column, f"{column} {number:g} out of range (-{bound:g} to {bound:g})")
        return None
    return number
