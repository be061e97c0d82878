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
from atlasmaps.data.readers import RawRow, RawTable, shorten, read_table
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
    data_source: str | None = None  # the source the file states (JSON "source")


def read_partnerships(path: str | Path, columns: str | Path | dict[str, str] | None = None) -> Validated:
    """Read and validate a data file; `columns` is a `--columns` YAML path or a ready mapping."""
    mapping = schema.load_column_mapping(columns) if isinstance(columns, str | Path) else columns
    return validate_table(read_table(path), mapping)


def validate_table(table: RawTable, mapping: dict[str, str] | None = None, today: _dt.date | None = None) -> Validated:
    """Check the header, then every row. Raises `UnusableInputError` when the file has no usable
    header or no data row: nothing could be drawn from it.

    A workbook's visible sheets are all read when their headers hold the required columns (one
    sheet per year or per region is a common layout); a sheet that does not is skipped, and a
    warning names it and says why. A column given twice is refused: which one is meant is a guess.
    """
    tables = (table, *table.sheets)
    several = table.sheet is not None and (len(tables) > 1 or bool(table.notes))
    out = Validated(table.file, data_date=table.data_date, data_source=table.data_source)
    out.warnings += [RowProblem(table.file, None, column, message) for column, message in table.notes]
    usable: list[tuple[RawTable, dict[str, int]]] = []
    for t in tables:
        index = _header_index(t, mapping, several)
        missing = [c for c in schema.REQUIRED if c not in index]
        if not missing:
            usable.append((t, index))
            continue
        cols = ", ".join(f"'{m}'" for m in missing)
        if len(tables) == 1 or (t is table and not any(u for u in tables[1:] if _has_required(u, mapping))):
            named = [f"'{shorten(h)}'" for h in t.headers if h]
            found = ", ".join(named[:12]) + (f" and {len(named) - 12} more" if len(named) > 12 else "") or "none"
            plural = "s" if len(missing) > 1 else ""
            where = f", sheet '{t.sheet}'" if several else ""
            others = " (nor does any other sheet)" if len(tables) > 1 else ""
            raise UnusableInputError(
                f"{table.file}{where}: missing required column{plural} {cols} (header has {found}){others}")
        out.warnings.append(RowProblem(table.file, None, None,
                                       f"sheet '{t.sheet}' was not read: it has no {cols} column, "
                                       "so it is not a partnership table"))
    if len(usable) > 1:
        read = ", ".join(f"'{t.sheet}' ({len(t.rows)} {'row' if len(t.rows) == 1 else 'rows'})" for t, _ in usable)
        out.warnings.append(RowProblem(table.file, None, None,
                                       f"{len(usable)} sheets read, all with the partnership columns: {read}"))
    if mapping:
        absent = [f"'{mapping[c]}'" for c in mapping if all(c not in index for _, index in usable)]
        if absent:
            raise UnusableInputError(f"{table.file}: column mapping names headers not in the file: {', '.join(absent)}")
    if not any(t.rows for t, _ in usable):
        raise UnusableInputError(f"{table.file}: no data rows (header only)")
    year_max = (today or _dt.date.today()).year
    for t, index in usable:
        out.n_rows += len(t.rows)
        sheet = t.sheet if several else None
        seen: dict[tuple, int] = {}
        for raw in t.rows:
            first = seen.setdefault(raw.cells, raw.row) if not raw.extra else raw.row  # a ragged row is refused
            if first != raw.row:  # a row pasted twice would count its partnership twice on every map
                out.warnings.append(RowProblem(t.file, raw.row, None, f"repeats row {first} cell for cell: counted once",
                                               sheet))
                continue
            _validate_row(raw, t, index, len(t.headers), year_max, out, sheet)
    return out


def _has_required(table: RawTable, mapping: dict[str, str] | None) -> bool:
    index = schema.map_headers(list(table.headers), mapping)
    return all(c in index for c in schema.REQUIRED)


def _header_index(table: RawTable, mapping: dict[str, str] | None, several: bool) -> dict[str, int]:
    """Canonical column -> index; a schema column given twice makes the file unusable (exit 2)."""
    headers = list(table.headers)
    clashes = schema.header_clashes(headers, mapping)
    if clashes:
        canonical, i, j = clashes[0]
        where = f", sheet '{table.sheet}'" if several else ""
        raise UnusableInputError(
            f"{table.file}{where}: column '{canonical}' is given twice, by '{shorten(headers[i])}' (column "
            f"{_letter(i)}) and '{shorten(headers[j])}' (column {_letter(j)}); rename or delete one")
    return schema.map_headers(headers, mapping)


def _letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _validate_row(raw: RawRow, table: RawTable, index: dict[str, int], width: int, year_max: int,
                  out: Validated, sheet: str | None = None) -> None:
    file = table.file
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []

    def problem(column: str | None, message: str) -> None:
        problems.append(RowProblem(file, raw.row, column, message, sheet))

    def warn(column: str | None, message: str) -> None:
        warnings.append(RowProblem(file, raw.row, column, message, sheet))

    if raw.note:
        problem(None, raw.note)
        out.problems += problems
        return
    if raw.extra:
        # Data past the header means shifted cells: refuse rather than guess. Empty trailing cells
        # (Excel's `a;b;c;;;`) and short rows (Excel drops trailing empty cells) are read as empty.
        hint = f" (check the '{_show_delim(table.delimiter)}' separators and quotes)" if table.delimiter else ""
        problem(None, f"ragged row: {raw.extra} non-empty cell(s) beyond the {width} header columns{hint}")
        out.problems += problems
        return
    if raw.formulas:
        by_index = {i: c for c, i in index.items()}
        for j in raw.formulas:
            if j in by_index:  # a formula in a column we do not read cannot mislead
                problem(by_index[j], f"formula with no saved value in cell '{table.sheet}'!{_letter(j)}{raw.row} "
                                     "(open the workbook in Excel and save it, so that its values are computed)")
    if problems:
        out.problems += problems
        return

    cells = raw.cells
    values: dict[str, str] = {}
    for column in schema.COLUMN_NAMES:
        i = index.get(column)
        value = (cells[i] or "").strip() if i is not None else ""
        if value and "<" in value and _TAG.search(value):
            stripped = _strip_html(value)
            warn(column, f"HTML markup removed: '{shorten(value)}' read as '{shorten(stripped)}'")
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
                    f"unknown type '{shorten(values['type_collectivite'])}' (expected région, département, groupement "
                    "or commune, or a usual label such as 'Conseil régional', 'Ville', 'Métropole')")
    country = None
    if values["pays"]:
        country = schema.resolve_country_ref(values["pays"])
        if country is None:
            problem("pays", f"unknown country '{shorten(values['pays'])}' "
                            "(use an ISO 3166-1 code or the country's French or English name)")

    annee = None
    if values["annee"]:
        approximate = _approximate_year(values["annee"])
        annee = approximate[0] if approximate else _parse_year(values["annee"])
        if annee == _BAD_DATE:
            annee = None
            problem("annee", f"not a real date: '{shorten(values['annee'])}' (give a year such as 1982, "
                             "or a date such as 1982-03-15 or 15/03/1982)")
        elif annee is None:
            problem("annee", f"not a year: '{shorten(values['annee'])}'")
        elif approximate and MIN_YEAR <= annee <= year_max:
            warn("annee", f"'{shorten(values['annee'])}' read as {annee} ({approximate[1]})")
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
            warn("nature", f"unknown nature '{shorten(values['nature'])}' read as 'autre' "
                           f"(expected {', '.join(schema.NATURES)})")
            nature = "autre"
        else:
            nature = parsed
    statut = "active"
    if values["statut"]:
        parsed = schema.parse_statut(values["statut"])
        if parsed is None:
            problem("statut", f"unknown statut '{shorten(values['statut'])}' (expected {', '.join(schema.STATUTS)})")
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
            id=values["id"] or (f"{sheet}!{raw.row}" if sheet else str(raw.row)),
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
            sheet=sheet,
            source=values["source"] or None,
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


_BAD_DATE = -1  # _parse_year: shaped like a date, but no such day
_ABOUT_YEAR = re.compile(r"(?:(?:vers|env(?:iron|\.)?|circa|ca\.?|c\.|autour de|depuis|d[èe]s|à partir de|en|about|"
                         r"since|around)\s*(\d{4})\s*\??|(\d{4})\s*\?)", re.IGNORECASE)
_YEAR_SPAN = re.compile(r"(?:de\s+|from\s+)?(\d{4})\s*(?:-|–|—|/|à|au|to)\s*(\d{4})", re.IGNORECASE)


def _approximate_year(value: str) -> tuple[int, str] | None:
    """The launch year of what lists write instead of a year: "vers 1960", "1960 ?", "depuis 1995"
    (that year), "1957-1960" or "de 1957 à 1960" (the span's first year). None for anything else,
    a plain year or a date included."""
    v = " ".join(value.split())
    span = _YEAR_SPAN.fullmatch(v)
    if span and int(span.group(1)) <= int(span.group(2)):
        return int(span.group(1)), "the first year of a span"
    about = _ABOUT_YEAR.fullmatch(v)
    if about:
        return int(about.group(1) or about.group(2)), "an approximate year"
    return None


def _parse_year(value: str) -> int | None:
    """The year of "1982", "1982.0", or of a real date: ISO (1982-03-15, with a time or not),
    day first (15/03/1982, 15.03.1982) or month first (03/15/1982). A date that does not exist
    (1982-13-45, 99/99/1990) gives `_BAD_DATE`: it is a typo, and its year cannot be trusted."""
    v = value.strip()
    if re.fullmatch(r"\d{4}(?:\.0+)?", v):
        return int(float(v))
    m = _YEAR_IN_DATE.match(v)
    if not m:
        return None
    parts = [int(x) for x in re.findall(r"\d+", v.split("T")[0].split(" ")[0])]
    if m.group(1):  # year first: 1982-03 or 1982-03-15
        year, month, day = parts[0], parts[1], parts[2] if len(parts) > 2 else 1
        orders = [(year, month, day)]
    else:  # day or month first, year last
        year = parts[2]
        orders = [(year, parts[1], parts[0]), (year, parts[0], parts[1])]
    for y, mo, d in orders:
        try:
            _dt.date(y, mo, d)
        except ValueError:
            continue
        if _time_ok(v):
            return year
    return _BAD_DATE


def _time_ok(value: str) -> bool:
    """The time after a date, if any, is a real time (a spreadsheet writes '1982-03-15 00:00:00')."""
    rest = re.split(r"[ T]", value, maxsplit=1)
    if len(rest) == 1:
        return True
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?", rest[1].strip())
    return bool(m) and int(m.group(1)) < 24 and int(m.group(2)) < 60 and int(m.group(3) or 0) < 60


def _coordinate(value: str, column: str, bound: float, problem) -> float | None:  # noqa: ANN001
    if not value:
        return None
    v = value.replace(" ", "")
    if not _NUMBER.match(v):
        problem(column, f"not a number: '{shorten(value)}'")
        return None
    number = float(v.replace(",", "."))
    if not -bound <= number <= bound:
        problem(column, f"{column} {number:g} out of range (-{bound:g} to {bound:g})")
        return None
    return number
