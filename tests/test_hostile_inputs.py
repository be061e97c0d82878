"""Hostile and unlucky inputs (issues 17 and 11): one test per defect found, each checking the exact
message, the exit code, that no traceback is shown and that the valid rows still go through.

Data files are written by the tests (no downloads); boundary files are tiny geoBoundaries/IGN
layers written with geopandas.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from atlasmaps.cli import main
from atlasmaps.sample import sample_path

HEADER = "collectivite;type_collectivite;code_collectivite;partenaire;pays;annee"
ROWS = ["Marseille;Ville;13055;Kobe;Japon;1961", "Nancy;Ville;54395;Kanazawa;Japon;1973",
        "Bordeaux;Ville;33063;Fukuoka;Japon;1982"]
COLUMNS = ["Collectivité", "Type", "Code collectivité", "Partenaire", "Pays", "Année"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real entry point in-process: (exit code, stdout, stderr). An unexpected exception (a
    traceback for the user) fails the test by itself."""
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return int(exit_info.value.code or 0), out, err


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def workbook(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# --- workbooks ---------------------------------------------------------------------------------

def test_xlsx_every_sheet_sharing_the_schema_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Defect: a workbook with two data sheets was read from its first sheet only, silently."""
    path = workbook(tmp_path / "d.xlsx", {
        "Japon": [COLUMNS, ["Marseille", "Ville", 13055, "Kobe", "Japon", 1961]],
        "Bénin": [COLUMNS, ["Cergy", "Ville", 95127, "Porto-Novo", "Bénin", 2004],
                  ["Lyon", "Ville", 69123, "Yokohama", "Atlantide", 1959]],
    })
    report, joined = tmp_path / "r.csv", tmp_path / "j.csv"
    code, out, _ = run(["validate", str(path), "--report", str(report), "--joined", str(joined)], capsys)
    assert code == 1  # one invalid row, the other two mapped
    assert f"{path}: 3 rows, 1 invalid, 2 mapped" in out
    # row numbers repeat across sheets: the CSV outputs say which sheet
    assert [(r["sheet"], r["row"], r["status"]) for r in csv_rows(joined)] == [
        ("Japon", "2", "matched"), ("Bénin", "2", "matched"), ("Bénin", "3", "invalid")]
    assert [(r["sheet"], r["row"], r["status"]) for r in csv_rows(report)][-1] == ("Bénin", "3", "invalid")
    assert (f"{path}, sheet 'Bénin', row 3, column 'pays': unknown country 'Atlantide' "
            "(use an ISO 3166-1 code or the country's French or English name)") in out
    assert (f"{path}: 2 sheets read, all with the partnership columns: 'Japon' (1 row), 'Bénin' (2 rows) "
            "(warning)") in out


def test_xlsx_sheet_without_the_schema_is_skipped_and_named(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Defect: a first sheet of notes made the whole workbook unusable, or another sheet was ignored
    without a word; now the data sheet is read and the command says which sheet was skipped and why."""
    path = workbook(tmp_path / "d.xlsx", {
        "Lisez-moi": [["Notes"], ["Extraction de mars"]],
        "Données": [COLUMNS, ["Marseille", "Ville", 13055, "Kobe", "Japon", 1961]],
    })
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 0
    assert f"{path}: 1 row, 0 invalid, 1 mapped" in out
    assert (f"{path}: sheet 'Lisez-moi' was not read: it has no 'collectivite', 'partenaire' column, "
            "so it is not a partnership table (warning)") in out


def test_xlsx_hidden_sheet_is_skipped_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Defect: the first sheet was read even when hidden (an archive Excel does not show)."""
    path = workbook(tmp_path / "d.xlsx", {
        "Archives": [COLUMNS, ["Nancy", "Ville", 54395, "Kanazawa", "Japon", 1973]],
        "2024": [COLUMNS, ["Marseille", "Ville", 13055, "Kobe", "Japon", 1961]],
    }, hidden=("Archives",))
    code, out, _ = run(["validate", str(path), "--joined", str(tmp_path / "j.csv")], capsys)
    assert code == 0
    assert f"{path}: 1 row, 0 invalid, 1 mapped" in out
    assert f"{path}: sheet 'Archives' is hidden and was not read (warning)" in out
    assert [r["collectivite"] for r in csv_rows(tmp_path / "j.csv")] == ["Marseille"]


def test_xlsx_formula_without_saved_value_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Defect: a formula Excel never computed (a workbook written by a script) was read as a blank
    cell; now it is a problem naming the file, sheet, row and column, and the other rows go on."""
    path = workbook(tmp_path / "d.xlsx", {"Feuil1": [
        COLUMNS,
        ["Marseille", "Ville", 13055, "Kobe", "Japon", 1961],
        ["Lyon", "Ville", 69123, "Yokohama", "=CONCATENATE(\"Ja\",\"pon\")", 1959],
        ["Nancy", "Ville", 54395, "Kanazawa", "=UPPER(\"japon\")", 1973],
    ]})
    # as Excel saves it: the formula of row 4 with its computed value, which is what is read
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'<c r="E4"><f>UPPER("japon")</f><v /></c>',
                                                      b'<c r="E4" t="str"><f>UPPER("japon")</f><v>JAPON</v></c>')
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    code, out, _ = run(["validate", str(path), "--joined", str(tmp_path / "j.csv")], capsys)
    assert code == 1
    assert f"{path}: 3 rows, 1 invalid, 2 mapped" in out
    assert [(r["row"], r["pays"]) for r in csv_rows(tmp_path / "j.csv")] == [("2", "JP"), ("3", ""), ("4", "JP")]
    assert (f"{path}, row 3, column 'pays': formula with no saved value in cell 'Feuil1'!E3 "
            "(open the workbook in Excel and save it, so that its values are computed)") in out
    assert "CONCATENATE" not in out  # the formula itself is not echoed


def _xlsx_bomb(path: Path, rows: int) -> Path:
    """A minimal valid workbook whose one sheet holds `rows` rows: tiny zipped, large unzipped."""
    sheet = io.StringIO()
    sheet.write('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                'spreadsheetml/2006/main"><sheetData>')
    row = '<row><c t="inlineStr"><is><t>Lyon</t></is></c><c t="inlineStr"><is><t>Ville</t></is></c></row>'
    sheet.write(row * rows)  # row and cell references are optional in OOXML
    sheet.write("</sheetData></worksheet>")
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
        f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet.getvalue(),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


def test_xlsx_unzipped_size_is_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect: a small XLSX could unzip to a million rows with no limit. The cap is checked before
    parsing, says how to raise it, and raising it lets the file through to the next check."""
    path = _xlsx_bomb(tmp_path / "bomb.xlsx", 1_000_000)
    assert path.stat().st_size < 680 * 2**10  # a small file...
    code, _, err = run(["validate", str(path)], capsys)  # ...that unzips to 90 MB
    assert code == 2
    assert err == (f"Error: {path}: the workbook unzips to 90 MB, over the 50 MB limit "
                   "(set ATLASMAPS_MAX_XLSX_MB to raise it)\n")
    small = _xlsx_bomb(tmp_path / "small.xlsx", 30_000)  # 3 MB unzipped
    monkeypatch.setenv("ATLASMAPS_MAX_XLSX_MB", "1")
    code, _, err = run(["validate", str(small)], capsys)
    assert (code, err) == (2, f"Error: {small}: the workbook unzips to 3 MB, over the 1 MB limit "
                              "(set ATLASMAPS_MAX_XLSX_MB to raise it)\n")
    monkeypatch.setenv("ATLASMAPS_MAX_XLSX_MB", "5")
    code, _, err = run(["validate", str(small)], capsys)
    assert (code, err) == (2, f"Error: {small}: missing required columns 'collectivite', 'partenaire' "
                              "(header has 'Lyon', 'Ville')\n")


def test_input_rows_are_limited(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect: no limit on input rows. Over the limit: one line, exit 2; the limit is overridable,
    and a nonsense value for it is itself a clear error."""
    data = write(tmp_path / "d.csv", "\n".join([HEADER, *ROWS]) + "\n")
    monkeypatch.setenv("ATLASMAPS_MAX_ROWS", "2")
    code, out, err = run(["validate", str(data)], capsys)
    assert (code, out, err) == (2, "", f"Error: {data}: more than 2 data rows, over the limit "
                                       "(set ATLASMAPS_MAX_ROWS to raise it)\n")
    xlsx = workbook(tmp_path / "d.xlsx", {"A": [COLUMNS, ["Marseille", "Ville", 13055, "Kobe", "Japon", 1961]],
                                          "B": [COLUMNS, ["Lyon", "Ville", 69123, "Yokohama", "Japon", 1959],
                                                ["Bordeaux", "Ville", 33063, "Fukuoka", "Japon", 1982]]})
    code, _, err = run(["validate", str(xlsx)], capsys)  # all sheets together
    assert (code, err) == (2, f"Error: {xlsx}: more than 2 data rows, over the limit "
                              "(set ATLASMAPS_MAX_ROWS to raise it)\n")
    monkeypatch.setenv("ATLASMAPS_MAX_ROWS", "3")
    assert run(["validate", str(data)], capsys)[0] == 0
    monkeypatch.setenv("ATLASMAPS_MAX_ROWS", "lots")
    code, _, err = run(["validate", str(data)], capsys)
    assert (code, err) == (2, "Error: ATLASMAPS_MAX_ROWS must be a positive whole number, not 'lots'\n")


# --- CSV ---------------------------------------------------------------------------------------

def test_excel_semicolon_csv_with_trailing_empty_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Defect: `a;b;c;d;;;` (Excel's export of formatted empty columns) had every row rejected as
    ragged. Trailing empty cells are ignored; a row holding data past the header is still refused."""
    lines = [HEADER + ";;;", *(r + ";;;" for r in ROWS), "Nancy;Ville;54395;Kanazawa;Japon;1973;;oops;",
             "Lyon;Ville;69123;Kobe;Japon"]  # a short row: Excel drops trailing empty cells
    data = write(tmp_path / "excel.csv", ("\r\n".join(lines) + "\r\n").encode("cp1252"))
    code, out, _ = run(["validate", str(data)], capsys)
    assert code == 1
    assert f"{data}: 5 rows, 1 invalid, 4 mapped" in out
    assert (f"{data}, row 5: ragged row: 1 non-empty cell(s) beyond the 6 header columns "
            "(check the ';' separators and quotes)") in out


# --- strict parsing ----------------------------------------------------------------------------

@pytest.mark.parametrize("header, message", [
    ("collectivite;type_collectivite;pays;partenaire;pays",
     "column 'pays' is given twice, by 'pays' (column C) and 'pays' (column E); rename or delete one"),
    ("Collectivité;Type;Pays;Partenaire;Country",
     "column 'pays' is given twice, by 'Pays' (column C) and 'Country' (column E); rename or delete one"),
])
def test_duplicate_headers_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str,
                                       message: str) -> None:
    """Defect: duplicate headers (or two aliases of one column) were accepted, the first winning."""
    data = write(tmp_path / "d.csv", f"{header}\nLyon;Ville;Japon;Yokohama;Bénin\n")
    code, out, err = run(["validate", str(data)], capsys)
    assert (code, out, err) == (2, "", f"Error: {data}: {message}\n")


def test_dates_are_validated_not_truncated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Defect: `1982-13-45` and `99/99/1990` were read as 1982 and 1990. Real dates (ISO, day or month
    first, with a time as spreadsheets write it) and plain years are still accepted."""
    good = ["1982", "1982-03-15", "15/03/1982", "03/15/1982", "15.03.1982", "1982-03-15 00:00:00", "1982-03"]
    bad = ["1982-13-45", "99/99/1990", "1982-02-30", "31/02/1982", "1982-03-15 25:00:00"]
    lines = [HEADER] + [f"Marseille;Ville;13055;Kobe;Japon;{d}" for d in good + bad]
    data = write(tmp_path / "d.csv", "\n".join(lines) + "\n")
    code, out, _ = run(["validate", str(data), "--joined", str(tmp_path / "j.csv")], capsys)
    assert code == 1
    assert f"{data}: 12 rows, 5 invalid, 7 mapped" in out
    for row, value in enumerate(bad, start=2 + len(good)):
        assert (f"{data}, row {row}, column 'annee': not a real date: '{value}' (give a year such as 1982, "
                "or a date such as 1982-03-15 or 15/03/1982)") in out
    assert len(csv_rows(tmp_path / "j.csv")) == 12  # every row accounted for


def test_nul_byte_anywhere_is_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Defect: a NUL byte after the first 8 KB went unnoticed (the row was read with it)."""
    lines = [HEADER] + [ROWS[0]] * 400 + ["Lyon;Ville;69123;Yoko\x00hama;Japon;1959"]
    data = write(tmp_path / "d.csv", "\n".join(lines) + "\n")
    assert data.read_bytes().index(b"\x00") > 8192
    byte = data.read_bytes().index(b"\x00") + 1
    code, out, err = run(["validate", str(data)], capsys)
    assert (code, out) == (2, "")
    assert err == (f"Error: {data}: NUL byte at line 402 (byte {byte}): "
                   "the file is damaged or not a text table\n")


def _sample_json(tmp_path: Path, date: object) -> Path:
    with sample_path().open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["id"].startswith("JP")]
    return write(tmp_path / "d.json", json.dumps({"date": date, "partenariats": rows}, ensure_ascii=False))


def test_invalid_json_date_is_reported_not_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Defect: `"date": "2024-13-45"` was printed on the map's source line. It is now a warning and
    the file's own date is used."""
    import datetime

    from pypdf import PdfReader

    data = _sample_json(tmp_path, "2024-13-45")
    stamp = datetime.datetime(2025, 6, 1, 12).timestamp()
    os.utime(data, (stamp, stamp))
    code, _, err = run(["bilateral", str(data), "-p", "JP", "-f", "pdf", "-o", str(tmp_path)], capsys)
    assert code == 0
    assert (f"{data}, column 'date': not a date like 2026-03-15: '2024-13-45'; "
            "the file's own date is used (warning)") in err
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "bilateral-JP.pdf").pages)
    assert "2024-13-45" not in text
    assert "données du 1er juin 2025" in text


def test_deeply_nested_json_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Defect: deeply nested JSON ended in RecursionError. Depth and size are limited, one line, exit 2."""
    deep = write(tmp_path / "deep.json", '{"partenariats": [' + "[" * 100_000 + "]" * 100_000 + "]}")
    code, out, err = run(["validate", str(deep)], capsys)
    assert (code, out, err) == (2, "", f"Error: {deep}: JSON nested more than 32 levels deep "
                                       "(set ATLASMAPS_MAX_JSON_DEPTH to raise it)\n")
    shallow = write(tmp_path / "shallow.json", '{"partenariats": [' + "[" * 40 + "]" * 40 + "]}")
    code, _, err = run(["validate", str(shallow)], capsys)  # under Python's limit, over ours
    assert (code, err) == (2, f"Error: {shallow}: JSON nested more than 32 levels deep "
                              "(set ATLASMAPS_MAX_JSON_DEPTH to raise it)\n")
    # strings holding brackets are not nesting; the limit is overridable
    ok = _sample_json(tmp_path, "2024-05-01")
    ok.write_text(ok.read_text(encoding="utf-8").replace('"Tokyo"', '"Tokyo [[[[{{{{"', 1), encoding="utf-8")
    monkeypatch.setenv("ATLASMAPS_MAX_JSON_DEPTH", "3")
    assert f"{ok}: 14 rows, 0 invalid" in run(["validate", str(ok)], capsys)[1]
    monkeypatch.setenv("ATLASMAPS_MAX_JSON_DEPTH", "2")
    assert run(["validate", str(ok)], capsys)[0] == 2
    big = write(tmp_path / "big.json", "[" + ",".join(['{"collectivite": "Lyon"}'] * 60_000) + "]")
    monkeypatch.setenv("ATLASMAPS_MAX_INPUT_MB", "1")
    code, _, err = run(["validate", str(big)], capsys)
    assert (code, err) == (2, f"Error: {big}: file of 1 MB, over the 1 MB limit for a data file "
                              "(set ATLASMAPS_MAX_INPUT_MB to raise it)\n")


# --- outputs -----------------------------------------------------------------------------------

def test_csv_outputs_neutralise_formulas(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Defect: --joined and --report copied cells starting with = + - @ verbatim into files meant for
    Excel. Text cells get a leading apostrophe; plain numbers (longitudes) stay numbers; --raw-csv
    writes the values unchanged for programs."""
    header = "collectivite;type_collectivite;code_collectivite;partenaire;pays;latitude;longitude"
    lines = [header,
             "Bordeaux;Ville;33063;=HYPERLINK(\"http://x\");Japon;;",
             "@SUM(A1);Ville;;Kobe;Japon;;",
             "Marseille;Ville;13055;Dakar;Sénégal;;",
             "+Lyon;Ville;69123;-Tab;Japon;;"]
    data = write(tmp_path / "d.csv", "\n".join(lines) + "\n")
    joined, report = tmp_path / "j.csv", tmp_path / "r.csv"
    code, _, _ = run(["validate", str(data), "--joined", str(joined), "--report", str(report)], capsys)
    assert code == 1
    rows = {r["row"]: r for r in csv_rows(joined)}
    assert rows["2"]["partenaire"] == "'=HYPERLINK(\"http://x\")"
    assert rows["3"]["collectivite"] == "'@SUM(A1)"
    assert rows["5"]["collectivite"] == "'+Lyon" and rows["5"]["partenaire"] == "'-Tab"
    assert rows["4"]["partner_lon"].startswith("-17.")  # a negative longitude: numeric, untouched
    cells = [c for r in csv_rows(joined) + csv_rows(report) for c in r.values()]
    assert not [c for c in cells if c and c[0] in "=+@\t\r"]
    assert not [c for c in cells if c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit()]
    # the corrections template is a file people open in Excel too; filled in and given back with the
    # apostrophe, the correction still finds its name
    template = tmp_path / "r.corrections.csv"
    lines = template.read_text(encoding="utf-8-sig").splitlines()
    evil = [i for i, line in enumerate(lines) if "HYPERLINK" in line]
    assert len(evil) == 1 and lines[evil[0]].startswith("partenaire,\"'=HYPERLINK(")
    filled = [lines[0], ",".join(lines[evil[0]].split(",")[:6] + ["35.0", "139.0"])]
    fixes = write(tmp_path / "fixes.csv", "\n".join(filled) + "\n")
    code, out, _ = run(["validate", str(data), "--corrections", str(fixes), "--joined", str(joined)], capsys)
    row2 = {r["row"]: r for r in csv_rows(joined)}["2"]
    assert (row2["partner_status"], row2["partner_lat"]) == ("matched", "35.00000")
    code, _, _ = run(["validate", str(data), "--joined", str(joined), "--raw-csv"], capsys)
    assert {r["row"]: r for r in csv_rows(joined)}["2"]["partenaire"] == "=HYPERLINK(\"http://x\")"
    # a tab or carriage return cannot reach a cell through the readers (cells are stripped), but
    # names built from data can: the same rule covers them
    from atlasmaps.csvcells import neutralise

    assert [neutralise(v) for v in ("\tx", "\rx", "-", "-1.5", "+33", 7)] == ["'\tx", "'\rx", "'-", "-1.5", "+33", 7]


def test_messages_never_echo_file_contents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A cell quoted in a message is cut to 40 characters: a message never echoes a file's contents."""
    secret = "S" * 5000
    data = write(tmp_path / "d.csv", "\n".join([HEADER, ROWS[0], f"Lyon;Ville;69123;Yokohama;{secret};1959",
                                                f"Lyon;{secret};69123;Yokohama;Japon;{secret}"]) + "\n")
    code, out, _ = run(["validate", str(data)], capsys)
    assert code == 1
    shown = "S" * 39 + "…"
    assert f"{data}, row 3, column 'pays': unknown country '{shown}'" in out
    assert f"{data}, row 4, column 'annee': not a year: '{shown}'" in out
    assert "S" * 41 not in out
    header = write(tmp_path / "h.csv", f"collectivite;{secret};pays\nLyon;x;JP\n")
    code, _, err = run(["validate", str(header)], capsys)
    assert code == 2 and "S" * 41 not in err and len(err) < 300


# --- boundary import ---------------------------------------------------------------------------

@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from atlasmaps import boundaries

    folder = tmp_path / "user-boundaries"
    monkeypatch.setenv("ATLASMAPS_USER_BOUNDARIES_DIR", str(folder))
    boundaries.clear_cache()
    yield folder
    boundaries.clear_cache()


def _benin(path: Path, moved: bool = False) -> Path:
    import geopandas as gpd
    from shapely.affinity import translate
    from shapely.geometry import box

    borgou = box(2.5, 8.5, 4.0, 10.5)
    gpd.GeoDataFrame(
        {"shapeName": ["Alibori", "Borgou"], "shapeISO": ["BJ-AL", "BJ-BO"],
         "shapeID": ["BEN-ADM1-1", "BEN-ADM1-2"], "shapeGroup": ["BEN", "BEN"], "shapeType": ["ADM1", "ADM1"]},
        geometry=[box(2.5, 10.5, 3.8, 12.4), translate(borgou, 110, -20) if moved else borgou], crs="EPSG:4326",
    ).to_file(path, driver="GeoJSON")
    return path


def test_boundary_import_checks_every_feature(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              user_dir: Path) -> None:
    """Defect: only the layer's overall extent was checked, so a province moved 12,000 km was accepted."""
    path = _benin(tmp_path / "geoBoundaries-BEN-ADM1.geojson", moved=True)
    code, out, err = run(["boundaries", "import", str(path)], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: {path}: 1 feature(s) lie more than 100 km outside BJ: 'Borgou' "
                          "(admin1_id BJ.BO, 1")
    assert err.endswith(" km away); wrong coordinates or wrong country? (--tolerance-km widens the check)\n")
    km = int(err.split("(admin1_id BJ.BO, ")[1].split(" km")[0].replace(",", ""))
    assert 11_000 < km < 13_500
    assert not user_dir.exists()  # nothing written
    code, out, _ = run(["boundaries", "import", str(path), "--tolerance-km", "20000"], capsys)
    assert code == 0 and "imported admin1 for BJ (ADM1): 2 features" in out


def test_shapefile_without_dbf_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str], user_dir: Path) -> None:
    """Defect: a shapefile without its .dbf was reported as "cannot detect the format"."""
    import geopandas as gpd
    from shapely.geometry import box

    shp = tmp_path / "ign" / "DEPARTEMENT.shp"
    shp.parent.mkdir()
    gpd.GeoDataFrame({"NOM": ["Paris"], "INSEE_DEP": ["75"], "INSEE_REG": ["11"]},
                     geometry=[box(645000, 6855000, 660000, 6870000)], crs="EPSG:2154").to_file(shp)
    shp.with_suffix(".dbf").unlink()
    for args in (["boundaries", "import", str(shp)], ["boundaries", "import", str(shp), "--format", "ign"]):
        code, out, err = run(args, capsys)
        assert (code, out, err) == (2, "", f"Error: {shp}: the shapefile's attribute table DEPARTEMENT.dbf is "
                                           "missing beside it (copy the .shp, .shx, .dbf and .prj files together)\n")


def test_corrupt_imported_layer_affects_only_its_country(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         user_dir: Path) -> None:
    """Defect: one corrupt imported country layer stopped unrelated maps (other countries, the world
    map). Now its own country's maps fail with a clear message; the others are made, with a warning."""
    code, _, _ = run(["boundaries", "import", str(_benin(tmp_path / "geoBoundaries-BEN-ADM1.geojson"))], capsys)
    assert code == 0
    layer = user_dir / "admin1" / "BJ.parquet"
    layer.write_bytes(layer.read_bytes()[:200])  # truncated, as by a full disk or an interrupted copy
    out = tmp_path / "maps"

    def cli(*args: str) -> tuple[int, str]:
        # in-process (`user_dir` points the environment at the imported layers and empties the caches
        # of boundaries): each map is the whole command, as a user runs it
        code, _, err = run([*args, "-f", "svg", "-o", str(out)], capsys)
        return code, err

    warning = (f"warning: {layer}: the imported admin1 layer for BJ cannot be read (")
    code, err = cli("country", str(sample_path()), "-p", "JP")
    assert code == 0 and (out / "country-JP.svg").exists()
    assert warning in err and "(the embedded boundaries are used meanwhile)" in err
    code, err = cli("world", str(sample_path()))
    assert code == 0 and (out / "world.svg").exists()
    code, err = cli("country", str(sample_path()), "-p", "BJ")
    assert code == 1 and not (out / "country-BJ.svg").exists()
    assert f"Error: {layer}: the imported admin1 layer for BJ cannot be read (" in err
    assert ("; import it again with `atlasmaps boundaries import`, or delete the file to use the embedded "
            "boundaries\n") in err


def test_damaged_list_of_imported_layers_is_rewritten(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      user_dir: Path) -> None:
    """A damaged `imported.json` (the list of imports) gave a JSONDecodeError traceback in
    `boundaries list` and `boundaries import`: now a warning, and the next import rewrites it."""
    user_dir.mkdir()
    marker = user_dir / "imported.json"
    marker.write_text('{"layers": [{"layer": 3', encoding="utf-8")
    code, out, err = run(["boundaries", "list"], capsys)
    assert code == 0 and "Imported layers" in out
    assert (f"warning: {marker}: the list of imported layers cannot be read (JSONDecodeError); maps still use "
            "the imported files, and the next `atlasmaps boundaries import` rewrites the list\n") in err
    code, _, _ = run(["boundaries", "import", str(_benin(tmp_path / "geoBoundaries-BEN-ADM1.geojson"))], capsys)
    assert code == 0
    assert [e["country"] for e in json.loads(marker.read_text(encoding="utf-8"))["layers"]] == ["BJ"]
