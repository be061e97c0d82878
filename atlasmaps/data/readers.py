"""Readers: a CSV, XLSX or JSON file -> a header and raw rows, each with its spreadsheet row number.

Readers only turn bytes into cells; they do not judge the cells (that is `validate`). They do
refuse what cannot be a table at all — empty file, binary garbage, no header — with an
`UnusableInputError` naming the file, because nothing useful can come out of it.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from atlasmaps.errors import UnusableInputError


@dataclass(frozen=True)
class Limits:
    """How much input a command accepts before refusing the file (exit 2, one line).

    The Atlas holds ~12,000 rows (a 3 MB CSV); the defaults leave room for ten times that while
    stopping a mistaken or hostile file early: a 680 KB XLSX can unzip to a million rows, and a
    deeply nested JSON exhausts Python's recursion. Each is raised by an environment variable, so
    the same setting reaches `validate`, the map commands and the batch workers alike.
    """

    input_mb: int = 100  # ATLASMAPS_MAX_INPUT_MB: size of the data file as stored
    xlsx_mb: int = 50  # ATLASMAPS_MAX_XLSX_MB: a workbook's size once unzipped
    rows: int = 200_000  # ATLASMAPS_MAX_ROWS: data rows (all sheets together)
    json_depth: int = 32  # ATLASMAPS_MAX_JSON_DEPTH: nesting of arrays and objects

    ENV = {"input_mb": "ATLASMAPS_MAX_INPUT_MB", "xlsx_mb": "ATLASMAPS_MAX_XLSX_MB",
           "rows": "ATLASMAPS_MAX_ROWS", "json_depth": "ATLASMAPS_MAX_JSON_DEPTH"}

    @classmethod
    def from_env(cls) -> Limits:
        values: dict[str, int] = {}
        for field_name, var in cls.ENV.items():
            raw = os.environ.get(var, "").strip()
            if not raw:
                continue
            if not raw.isdigit() or int(raw) < 1:
                raise UnusableInputError(f"{var} must be a positive whole number, not '{raw[:20]}'")
            values[field_name] = int(raw)
        return cls(**values)

    def over(self, field_name: str) -> str:
        """The end of a limit message: how to raise the limit."""
        return f"set {self.ENV[field_name]} to raise it"


@dataclass(frozen=True)
class RawRow:
    """One data row as read: cells in header order (None = absent). `row` as a spreadsheet shows it
    (header = row 1). `extra` counts non-empty cells beyond the header (a ragged row)."""

    row: int
    cells: tuple[str | None, ...]
    extra: int = 0
    note: str | None = None  # why the record is not a row at all (e.g. a JSON item that is no object)
    formulas: tuple[int, ...] = ()  # XLSX: indexes of cells holding a formula with no saved value


@dataclass(frozen=True)
class RawTable:
    """One table as read. A workbook gives one per visible sheet: the first here, the others in
    `sheets` (validation decides which are partnership tables). `notes` are file-level remarks
    (a hidden sheet skipped, an invalid JSON date) that do not stop the reading."""

    file: str
    headers: tuple[str, ...]
    rows: tuple[RawRow, ...]
    encoding: str | None = None
    delimiter: str | None = None
    data_date: str | None = None  # ISO date of the data when the file states it
    sheet: str | None = None  # XLSX: the worksheet's name
    sheets: tuple[RawTable, ...] = ()  # XLSX: the other visible, non-empty worksheets
    notes: tuple[tuple[str | None, str], ...] = ()  # (field or None, message)
    data_source: str | None = None  # source of the data when the file states it (JSON "source")


def read_table(path: str | Path, limits: Limits | None = None) -> RawTable:
    """Read any supported file, choosing the reader by extension (then by content)."""
    path = Path(path)
    name = str(path)
    limits = limits or Limits.from_env()
    if not path.exists():
        raise UnusableInputError(f"{name}: file not found")
    if path.is_dir():
        raise UnusableInputError(f"{name}: is a directory, not a data file")
    try:
        size = path.stat().st_size
        data = path.read_bytes() if size <= limits.input_mb * 2**20 else None
    except OSError as exc:
        raise UnusableInputError(f"{name}: cannot read the file ({exc.strerror})") from None
    if data is None:
        raise UnusableInputError(f"{name}: file of {size / 2**20:.0f} MB, over the {limits.input_mb} MB limit "
                                 f"for a data file ({limits.over('input_mb')})")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise UnusableInputError(f"{name}: the file is empty")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        table = read_xlsx(data, name, limits)
    elif suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnusableInputError(f"{name}: old Excel .xls format is not supported; save it as .xlsx or CSV")
    elif suffix == ".json" or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        table = read_json(data, name, limits)
    else:
        table = read_csv(data, name, limits)
    n_rows = len(table.rows) + sum(len(t.rows) for t in table.sheets)
    if n_rows > limits.rows:
        raise _too_many_rows(name, limits)
    return table


def _too_many_rows(name: str, limits: Limits) -> UnusableInputError:
    return UnusableInputError(f"{name}: more than {limits.rows} data rows, over the limit ({limits.over('rows')})")


# --- CSV ---------------------------------------------------------------------------------------


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else Windows-1252; binary is refused.

    Try-decode is exact for UTF-8 (a Windows-1252 accent is never valid UTF-8) and Windows-1252 is
    what Excel on a French Windows writes; charset-normalizer would add guesses we cannot explain.
    """
    if _looks_binary(data):
        raise UnusableInputError(f"{name}: binary content, not a CSV, XLSX or JSON table")
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        nul = data.find(b"\x00")
        if nul >= 0:  # beyond the sample: a damaged export (or a hidden payload); never skip it silently
            line = data.count(b"\n", 0, nul) + 1
            raise UnusableInputError(f"{name}: NUL byte at line {line} (byte {nul + 1}): "
                                     "the file is damaged or not a text table")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UnusableInputError(f"{name}: invalid UTF-16 text") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 100):
        raise UnusableInputError(f"{name}: not a text file in UTF-8 or Windows-1252")
    return text, "cp1252"


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters at the start: no text export contains them.
    (`decode` then looks for a NUL anywhere in the file.)"""
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls > max(2, len(sample) // 50)


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: csv.Sniffer on the first lines, else the most frequent in the header."""
    lines = text.splitlines()
    sample = "\n".join(lines[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        counts = {d: header.count(d) for d in (";", ",", "\t")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_csv(data: bytes, name: str, limits: Limits | None = None) -> RawTable:
    """Rows numbered as a spreadsheet shows them (one per record); reading stops past the row limit."""
    limits = limits or Limits()
    text, encoding = decode(data, name)
    delimiter = sniff_delimiter(text)
    numbered: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = next_line = 1  # the line where the last record read starts
    try:
        for i, rec in enumerate(reader, start=1):
            if any(c.strip() for c in rec):
                numbered.append((i, rec))
                line = next_line
                if len(numbered) > limits.rows + 1:  # + the header
                    raise _too_many_rows(name, limits)
            next_line = reader.line_num + 1
    except csv.Error as exc:
        raise UnusableInputError(f"{name}: malformed CSV ({exc})") from None
    _check_closed_quotes(name, text, numbered, line)
    if not numbered:
        raise UnusableInputError(f"{name}: the file is empty")
    (_, header), body = numbered[0], numbered[1:]
    return _table(name, header, body, encoding=encoding, delimiter=delimiter)


def _check_closed_quotes(name: str, text: str, numbered: list[tuple[int, list[str]]], line: int) -> None:
    """A quote opened in a cell and never closed makes the reader take every later line as part of
    that cell: the file's last record then spans lines. Said as unusable rather than read as one row."""
    if not numbered or text.count('"') % 2 == 0:
        return
    row, record = numbered[-1]
    if any("\n" in cell or "\r" in cell for cell in record):
        raise UnusableInputError(f"{name}: row {row} (line {line}): a quote (\") opens a cell and is never closed, so "
                                 "every line after it would be read into that cell: close the quote or remove it")


def _table(
    name: str, header: list, body: list[tuple[int, list]], row_notes: dict[int, str] | None = None,
    formulas: dict[int, tuple[int, ...]] | None = None, **kw: object
) -> RawTable:
    """Cells cut or padded to the header's width. Empty columns after the last header are not
    columns (Excel writes `a;b;c;d;;;` when a formatted column is empty): only a non-empty cell
    beyond the header is counted, in `extra`, and makes the row ragged."""
    headers = tuple("" if h is None else str(h).strip() for h in header)
    while headers and not headers[-1]:
        headers = headers[:-1]
    if not any(headers):
        raise UnusableInputError(f"{name}: no header row")
    width = len(headers)
    rows = []
    for number, record in body:
        cells = [c.strip() if type(c) is str else _cell(c) for c in record]  # CSV cells: all text
        extra_cells = cells[width:]
        extra = sum(1 for c in extra_cells if c not in (None, ""))
        cells = cells[:width] + [None] * (width - len(cells))
        rows.append(RawRow(number, tuple(cells), extra, note=(row_notes or {}).get(number),
                           formulas=(formulas or {}).get(number, ())))
    return RawTable(name, headers, tuple(rows), **kw)  # type: ignore[arg-type]


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 1995 as 1995.0 and INSEE codes as numbers
    return str(value).strip()


# --- XLSX --------------------------------------------------------------------------------------


def read_xlsx(data: bytes, name: str, limits: Limits | None = None) -> RawTable:
    """Every visible worksheet, read-only. Numbers keep their text form (a code 75056 stays "75056").

    Hidden sheets are skipped with a note (they hold lookups and archives, not the data one sees).
    Formulas are read from the value Excel saved with them; a formula without one (a file written
    by a script, never opened in Excel) is marked on its row rather than read as an empty cell.
    The unzipped size is checked before anything is parsed.
    """
    import zipfile
    import zlib

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    limits = limits or Limits()
    errors = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, InvalidFileException, NotImplementedError,
              KeyError, ValueError, OSError, TypeError, EOFError)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # declared sizes bound what zipfile will inflate (a larger stream fails its CRC check)
            expanded = sum(info.file_size for info in archive.infolist())
            if expanded > limits.xlsx_mb * 2**20:
                raise UnusableInputError(
                    f"{name}: the workbook unzips to {expanded / 2**20:.0f} MB, over the {limits.xlsx_mb} MB "
                    f"limit ({limits.over('xlsx_mb')})")
            has_formulas = any(re.search(rb"<(?:\w+:)?f[ >/]", archive.read(i))
                               for i in archive.infolist() if i.filename.startswith("xl/worksheets/"))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = (load_workbook(io.BytesIO(data), read_only=True, data_only=False) if has_formulas else None)
    except errors as exc:
        raise UnusableInputError(f"{name}: not a readable XLSX workbook ({type(exc).__name__})") from None
    tables: list[RawTable] = []
    notes: list[tuple[str | None, str]] = []
    n_rows = 0
    try:
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible":
                notes.append((None, f"sheet '{sheet.title}' is hidden and was not read"))
                continue
            with_formula = _formula_cells(formulas[sheet.title]) if formulas is not None else {}
            numbered = []
            uncached: dict[int, tuple[int, ...]] = {}
            for i, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                empty = tuple(j for j in with_formula.get(i, ()) if j >= len(values) or values[j] in (None, ""))
                if empty:
                    uncached[i] = empty
                if empty or any(v is not None and str(v).strip() for v in values):
                    numbered.append((i, list(values)))
                    n_rows += 1
                    if n_rows > limits.rows + 1 + len(tables):  # + one header per sheet
                        raise _too_many_rows(name, limits)
            if numbered:
                (_, header), body = numbered[0], numbered[1:]
                tables.append(_table(name, header, body, formulas=uncached, sheet=sheet.title))
    except errors as exc:
        raise UnusableInputError(f"{name}: not a readable XLSX workbook ({type(exc).__name__})") from None
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()
    if not tables:
        raise UnusableInputError(f"{name}: every visible sheet of the workbook is empty")
    first, *others = tables
    return replace(first, sheets=tuple(others), notes=tuple(notes))


def _formula_cells(sheet) -> dict[int, tuple[int, ...]]:  # noqa: ANN001 - openpyxl worksheet
    """Row -> column indexes of the cells holding a formula (read without `data_only`)."""
    out: dict[int, tuple[int, ...]] = {}
    for i, cells in enumerate(sheet.iter_rows(), start=1):  # numbered as the values pass numbers them
        hits = tuple(j for j, c in enumerate(cells) if getattr(c, "data_type", None) == "f")
        if hits:
            out[i] = hits
    return out


# --- JSON --------------------------------------------------------------------------------------


def read_json(data: bytes, name: str, limits: Limits | None = None) -> RawTable:
    """A list of objects, or {"partenariats": [...]}. Row n = the n-th object + 1 (as if a header).

    Nesting deeper than the limit is refused (the parser's own RecursionError included), in one line.
    A `date` that is not a real ISO date is reported, and the file's date is used.
    """
    limits = limits or Limits()
    text, encoding = decode(data, name)
    too_deep = UnusableInputError(f"{name}: JSON nested more than {limits.json_depth} levels deep "
                                  f"({limits.over('json_depth')})")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableInputError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:  # the C parser guards its recursion: deeper than Python's limit
        raise too_deep from None
    if _json_too_deep(doc, limits.json_depth):
        raise too_deep
    data_date = None
    data_source = None
    notes: list[tuple[str | None, str]] = []
    if isinstance(doc, dict):
        if isinstance(doc.get("source"), str) and doc["source"].strip():
            data_source = doc["source"].strip()
        for key in ("date_donnees", "data_date", "date"):
            if key not in doc:
                continue
            value = doc[key]
            if isinstance(value, str) and _iso_date(value.strip()):
                data_date = value.strip()
                break
            notes.append((key, f"not a date like 2026-03-15: '{shorten(str(value))}'; the file's own date is used"))
        for key in ("partenariats", "partnerships", "data", "rows"):
            if isinstance(doc.get(key), list):
                doc = doc[key]
                break
        else:
            raise UnusableInputError(f'{name}: JSON must be a list of objects or {{"partenariats": [...]}}')
    if not isinstance(doc, list):
        raise UnusableInputError(f"{name}: JSON must be a list of objects")
    if not doc:
        raise UnusableInputError(f"{name}: no partnership in the JSON list")
    headers: dict[str, None] = {}
    for item in doc:
        if isinstance(item, dict):
            headers.update(dict.fromkeys(str(k) for k in item))
    if not headers:
        raise UnusableInputError(f"{name}: JSON must be a list of objects")
    keys = list(headers)
    if len(doc) > limits.rows:
        raise _too_many_rows(name, limits)
    body: list[tuple[int, list]] = []
    row_notes: dict[int, str] = {}
    for i, item in enumerate(doc, start=2):
        if isinstance(item, dict):
            body.append((i, [_json_cell(item.get(k)) for k in keys]))
        else:
            body.append((i, [None] * len(keys)))
            row_notes[i] = f"item {i - 1} of the JSON list is a {type(item).__name__}, not an object"
    return _table(name, keys, body, row_notes, encoding=encoding, data_date=data_date, notes=tuple(notes),
                  data_source=data_source)


def _json_cell(value: object) -> object:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _json_too_deep(doc: object, limit: int) -> bool:
    """Whether arrays/objects nest deeper than `limit`; iterative, so it cannot recurse itself."""
    stack = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def _iso_date(value: str) -> bool:
    """A real calendar date written YYYY-MM-DD (2024-02-30 is not)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def shorten(value: str, limit: int = 40) -> str:
    """A cell or field as quoted in a message: never more than `limit` characters of the file."""
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
