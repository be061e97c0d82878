"""Readers: a CSV, XLSX or JSON file -> a header and raw rows, each with its spreadsheet row number.

Readers only turn bytes into cells; they do not judge the cells (that is `validate`). They do
refuse what cannot be a table at all — empty file, binary garbage, no header — with an
`UnusableInputError` naming the file, because nothing useful can come out of it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from atlasmaps.errors import UnusableInputError

# A CSV export is never this large in the Atlas (~12,000 rows); refusing early avoids reading a
# mistaken multi-gigabyte file into memory.
MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class RawRow:
    """One data row as read: cells in header order (None = absent). `row` as a spreadsheet shows it
    (header = row 1). `extra` counts cells beyond the header (ragged rows)."""

    row: int
    cells: tuple[str | None, ...]
    extra: int = 0
    n_cells: int | None = None  # cells in the record as read, for ragged CSV rows
    note: str | None = None  # why the record is not a row at all (e.g. a JSON item that is no object)


@dataclass(frozen=True)
class RawTable:
    file: str
    headers: tuple[str, ...]
    rows: tuple[RawRow, ...]
    encoding: str | None = None
    delimiter: str | None = None
    data_date: str | None = None  # ISO date of the data when the file states it
    data_source: str | None = None  # source of the data when the file states it (JSON "source")


def read_table(path: str | Path) -> RawTable:
    """Read any supported file, choosing the reader by extension (then by content)."""
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise UnusableInputError(f"{name}: file not found")
    if path.is_dir():
        raise UnusableInputError(f"{name}: is a directory, not a data file")
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    except OSError as exc:
        raise UnusableInputError(f"{name}: cannot read the file ({exc.strerror})") from None
    if data is None:
        raise UnusableInputError(f"{name}: file larger than {MAX_BYTES // 2**20} MB, not a partnership table")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise UnusableInputError(f"{name}: the file is empty")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        return read_xlsx(data, name)
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnusableInputError(f"{name}: old Excel .xls format is not supported; save it as .xlsx or CSV")
    if suffix == ".json" or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return read_json(data, name)
    return read_csv(data, name)


# --- CSV ---------------------------------------------------------------------------------------


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else Windows-1252; binary is refused.

    Try-decode is exact for UTF-8 (a Windows-1252 accent is never valid UTF-8) and Windows-1252 is
    what Excel on a French Windows writes; charset-normalizer would add guesses we cannot explain.
    """
    if _looks_binary(data):
        raise UnusableInputError(f"{name}: binary content, not a CSV, XLSX or JSON table")
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
    """NUL bytes or many control characters: no text export contains them."""
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


def read_csv(data: bytes, name: str) -> RawTable:
    text, encoding = decode(data, name)
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnusableInputError(f"{name}: malformed CSV ({exc})") from None
    # Row numbers as a spreadsheet shows them: one per physical record.
    numbered = [(i + 1, rec) for i, rec in enumerate(records)]
    numbered = [(n, rec) for n, rec in numbered if any(c.strip() for c in rec)]
    if not numbered:
        raise UnusableInputError(f"{name}: the file is empty")
    (_, header), body = numbered[0], numbered[1:]
    return _table(name, header, body, encoding=encoding, delimiter=delimiter)


def _table(
    name: str, header: list, body: list[tuple[int, list]], notes: dict[int, str] | None = None, **kw: str | None
) -> RawTable:
    headers = tuple("" if h is None else str(h).strip() for h in header)
    while headers and not headers[-1]:
        headers = headers[:-1]
    if not any(headers):
        raise UnusableInputError(f"{name}: no header row")
    width = len(headers)
    rows = []
    for number, record in body:
        cells = [_cell(c) for c in record]
        extra_cells = cells[width:]
        extra = sum(1 for c in extra_cells if c not in (None, ""))
        cells = cells[:width] + [None] * (width - len(cells))
        rows.append(RawRow(number, tuple(cells), extra, len(record), (notes or {}).get(number)))
    return RawTable(name, headers, tuple(rows), **kw)


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores 1995 as 1995.0 and INSEE codes as numbers
    return str(value).strip()


# --- XLSX --------------------------------------------------------------------------------------


def read_xlsx(data: bytes, name: str) -> RawTable:
    """First worksheet, read-only. Numbers keep their text form (a code 75056 stays "75056")."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise UnusableInputError(f"{name}: not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        numbered = [
            (i, list(values))
            for i, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            if any(v is not None and str(v).strip() for v in values)
        ]
    finally:
        workbook.close()
    if not numbered:
        raise UnusableInputError(f"{name}: the workbook's first sheet is empty")
    (_, header), body = numbered[0], numbered[1:]
    return _table(name, header, body)


# --- JSON --------------------------------------------------------------------------------------


def read_json(data: bytes, name: str) -> RawTable:
    """A list of objects, or {"partenariats": [...]}. Row n = the n-th object + 1 (as if a header)."""
    text, encoding = decode(data, name)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableInputError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    data_date = None
    data_source = None
    if isinstance(doc, dict):
        if isinstance(doc.get("source"), str) and doc["source"].strip():
            data_source = doc["source"].strip()
        for key in ("date_donnees", "data_date", "date"):
            if isinstance(doc.get(key), str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc[key].strip()):
                data_date = doc[key].strip()
                break
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
    body: list[tuple[int, list]] = []
    notes: dict[int, str] = {}
    for i, item in enumerate(doc, start=2):
        if isinstance(item, dict):
            body.append((i, [_json_cell(item.get(k)) for k in keys]))
        else:
            body.append((i, [None] * len(keys)))
            notes[i] = f"item {i - 1} of the JSON list is a {type(item).__name__}, not an object"
    return _table(name, keys, body, notes, encoding=encoding, data_date=data_date, data_source=data_source)


def _json_cell(value: object) -> object:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value
