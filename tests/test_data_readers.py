"""Readers and validation: every bad-input case gives its exact message, the right exit code from
`atlasmaps validate`, no traceback, and the valid rows still go through."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from atlasmaps.data.readers import read_table
from atlasmaps.data.schema import map_headers, parse_collectivite_type, resolve_country
from atlasmaps.data.validate import read_partnerships
from atlasmaps.errors import UnusableInputError
from atlasmaps.model import CollectiviteType

HEADER = "collectivite;type_collectivite;code_collectivite;partenaire;pays;annee"
GOOD = "Marseille;Ville;13055;Kobe;Japon;1961"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def run_validate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "atlasmaps", "validate", *args],
                          capture_output=True, text=True, timeout=120)


# --- schema ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, iso2", [
    ("JP", "JP"), ("jpn", "JP"), ("Japon", "JP"), ("japan", "JP"), ("Bénin", "BJ"), ("BENIN", "BJ"),
    ("Royaume-Uni", "GB"), ("Côte d'Ivoire", "CI"), ("Sénégal", "SN"), ("Allemagne", "DE"),
    ("République démocratique du Congo", "CD"), ("Corée du Sud", "KR"), ("Atlantide", None), ("", None),
])
def test_resolve_country(value: str, iso2: str | None) -> None:
    assert resolve_country(value) == iso2


@pytest.mark.parametrize("label, kind", [
    ("Conseil régional", CollectiviteType.REGION), ("Région", CollectiviteType.REGION),
    ("Conseil départemental", CollectiviteType.DEPARTEMENT), ("Département", CollectiviteType.DEPARTEMENT),
    ("Ville", CollectiviteType.COMMUNE), ("commune", CollectiviteType.COMMUNE),
    ("Communauté d'agglomération", CollectiviteType.GROUPEMENT),
    ("Communauté de communes", CollectiviteType.GROUPEMENT), ("Communauté urbaine", CollectiviteType.GROUPEMENT),
    ("Métropole", CollectiviteType.GROUPEMENT), ("Syndicat", CollectiviteType.GROUPEMENT),
    ("EPCI", CollectiviteType.GROUPEMENT), ("City", CollectiviteType.COMMUNE), ("Ambassade", None),
])
def test_collectivite_types(label: str, kind: CollectiviteType | None) -> None:
    assert parse_collectivite_type(label) == kind


def test_headers_ignore_case_accents_and_accept_english() -> None:
    found = map_headers(["Collectivité", "TYPE COLLECTIVITÉ", "Partner", "Country", "Année"])
    assert found == {"collectivite": 0, "type_collectivite": 1, "partenaire": 2, "pays": 3, "annee": 4}


@pytest.mark.parametrize("header", ["State", "Province", "État / Région", "Province / État", "Région du partenaire"])
def test_a_region_column_is_found_under_the_headers_lists_give_it(header: str) -> None:
    assert map_headers(["Collectivité", "Partenaire", "Pays", header])["region_partenaire"] == 3


def test_user_column_mapping(tmp_path: Path) -> None:
    mapping = write(tmp_path, "map.yaml", "collectivite: Nom FR\npartenaire: Ville partenaire\n")
    data = write(tmp_path, "d.csv", "Nom FR,type,Ville partenaire,pays\nLyon,Ville,Yokohama,JP\n")
    v = read_partnerships(data, mapping)
    assert [(p.collectivite, p.partenaire) for p in v.partnerships] == [("Lyon", "Yokohama")]


# --- readers -----------------------------------------------------------------------------------

def test_windows_1252_with_semicolons(tmp_path: Path) -> None:
    text = f"{HEADER}\nSaint-Étienne;Ville;42218;Kobe;Japon;1990\n"
    table = read_table(write(tmp_path, "w.csv", text.encode("cp1252")))
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert table.rows[0].cells[0] == "Saint-Étienne" and table.rows[0].row == 2


def test_utf8_bom_and_tabs(tmp_path: Path) -> None:
    text = HEADER.replace(";", "\t") + "\n" + GOOD.replace(";", "\t") + "\n"
    table = read_table(write(tmp_path, "b.csv", b"\xef\xbb\xbf" + text.encode()))
    assert table.headers[0] == "collectivite" and table.delimiter == "\t" and table.encoding == "utf-8-sig"


def test_json_list_and_wrapped(tmp_path: Path) -> None:
    item = {"collectivite": "Lyon", "type_collectivite": "Ville", "partenaire": "Yokohama", "pays": "JP"}
    a = read_partnerships(write(tmp_path, "a.json", json.dumps([item])))
    b = read_partnerships(write(tmp_path, "b.json", json.dumps({"partenariats": [item, 3], "date": "2024-05-01"})))
    assert len(a.partnerships) == len(b.partnerships) == 1
    assert [str(p) for p in b.problems] == [f"{tmp_path / 'b.json'}, row 3: item 2 of the JSON list is a int, not an object"]
    assert b.data_date == "2024-05-01"


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Collectivité", "Type", "Code collectivité", "Partenaire", "Pays", "Année"])
    ws.append(["Marseille", "Ville", 13055, "Kobe", "Japon", 1961])
    ws.append(["Lyon", "Ville", 69123, "Yokohama", "Japon", 1850])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    v = read_partnerships(path)
    assert [(p.code_collectivite, p.annee) for p in v.partnerships] == [("13055", 1961)]
    assert [str(p) for p in v.problems] == [f"{path}, row 3, column 'annee': impossible year 1850 (expected 1945 to {__import__('datetime').date.today().year})"]


# --- file-level problems: exit 2 ---------------------------------------------------------------

@pytest.mark.parametrize("name, content, message", [
    ("empty.csv", b"", "the file is empty"),
    ("blank.csv", b"\n\n  \n", "the file is empty"),
    ("header.csv", (HEADER + "\n").encode(), "no data rows (header only)"),
    ("binary.csv", bytes(range(256)) * 8, "binary content, not a CSV, XLSX or JSON table"),
    ("missing.csv", b"collectivite;type;pays\nLyon;commune;JP\n",
     "missing required column 'partenaire' (header has 'collectivite', 'type', 'pays')"),
])
def test_unusable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(UnusableInputError) as err:
        read_partnerships(path)
    assert str(err.value) == f"{path}: {message}"


# --- row-level problems ------------------------------------------------------------------------

BAD_ROWS = f"""{HEADER}
{GOOD}
Lyon;Ville;69123;Yokohama;Atlantide;1959
Bordeaux;Ville;33063;Fukuoka;Japon;1850
;Ville;;Kanazawa;Japon;1973
Nancy;Ville;54395;;Japon;1973
Tours;Ville;37261;Takamatsu;Japon;1990;;2001
<b>Chartres</b>;Ville;28085;Sakurai;Japon;1989
"""


@pytest.fixture(scope="module")
def bad_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("bad"), "bad.csv", BAD_ROWS)


def test_row_problems_exact_messages(bad_file: Path) -> None:
    v = read_partnerships(bad_file)
    f = str(bad_file)
    assert [str(p) for p in v.problems] == [
        f"{f}, row 3, column 'pays': unknown country 'Atlantide' "
        "(use an ISO 3166-1 code or the country's French or English name)",
        f"{f}, row 4, column 'annee': impossible year 1850 (expected 1945 to {__import__('datetime').date.today().year})",
        f"{f}, row 5, column 'collectivite': empty name",
        f"{f}, row 6, column 'partenaire': empty name",
        f"{f}, row 7: ragged row: 1 non-empty cell(s) beyond the 6 header columns "
        "(check the ';' separators and quotes)",
    ]
    # valid rows still go through; HTML is removed with a warning
    assert [p.collectivite for p in v.partnerships] == ["Marseille", "Chartres"]
    assert [str(w) for w in v.warnings] == [
        f"{f}, row 8, column 'collectivite': HTML markup removed: '<b>Chartres</b>' read as 'Chartres'"
    ]


def test_validate_exit_1_and_report_without_traceback(bad_file: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    proc = run_validate(str(bad_file), "--report", str(report))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert f"{bad_file}: 7 rows, 5 invalid, 2 mapped" in proc.stdout
    assert f"{bad_file}, row 5, column 'collectivite': empty name" in proc.stdout
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,id,status,side,column,method,precision,reason,candidates"
    assert len(lines) == 1 + 5 + 1  # five invalid rows and one warning


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    ((HEADER + "\n").encode(), "no data rows (header only)"),
    (b"\x00\x01\x02garbage\xff\xfe" * 50, "binary content, not a CSV, XLSX or JSON table"),
])
def test_validate_exit_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path, "in.csv", content)
    proc = run_validate(str(path))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"Error: {path}: {message}"


def test_a_quote_never_closed_is_unusable_input_not_one_long_cell(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", 'collectivite,partenaire,pays\nLyon,Kobe,Japon\n\nNantes,"Seattle\nWA",USA\n'
                                    'Lille,"Cologne,Allemagne\nMetz,Trèves,Allemagne\nNancy,Karlsruhe,Allemagne\n')
    with pytest.raises(UnusableInputError) as err:
        read_table(path)
    assert str(err.value) == (f"{path}: row 5 (line 6): a quote (\") opens a cell and is never closed, so every "
                              "line after it would be read into that cell: close the quote or remove it")
    # a closed quote spanning lines, and doubled quotes, are read as they are
    path = write(tmp_path, "ok.csv",
                 'collectivite,partenaire,pays\nLyon,"Kobe ""port""",Japon\nNantes,"Seattle\nWA",USA\n')
    assert [r.cells[1] for r in read_table(path).rows] == ['Kobe "port"', "Seattle\nWA"]


def test_a_row_repeated_cell_for_cell_is_counted_once_and_said(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "collectivite,partenaire,pays,annee\nLyon,Francfort,Allemagne,1960\n"
                                    "Lyon,Francfort,Allemagne,1960\nLyon,Francfort,Allemagne,1961\n"
                                    "Nantes,Seattle,USA,1980\nLyon,Francfort,Allemagne,1960\n")
    out = read_partnerships(path)
    assert [(p.row, p.annee) for p in out.partnerships] == [(2, 1960), (4, 1961), (5, 1980)]
    assert [(w.row, w.message) for w in out.warnings] == [(3, "repeats row 2 cell for cell: counted once"),
                                                          (6, "repeats row 2 cell for cell: counted once")]


def test_approximate_years_and_spans_are_read_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "y.csv", "collectivite,partenaire,pays,annee\nLyon,Francfort,Allemagne,vers 1960\n"
                                    "Lyon,Kobe,Japon,1957-1960\nLyon,Porto,Portugal,1982-03\nLyon,Turin,Italie,1960 ?\n"
                                    "Lyon,Leipzig,Allemagne,années 1980\nLyon,Gênes,Italie,vers 1850\n")
    out = read_partnerships(path)
    assert [(p.row, p.annee) for p in out.partnerships] == [(2, 1960), (3, 1957), (4, 1982), (5, 1960)]
    assert [(w.row, w.message) for w in out.warnings] == [
        (2, "'vers 1960' read as 1960 (an approximate year)"),
        (3, "'1957-1960' read as 1957 (the first year of a span)"),
        (5, "'1960 ?' read as 1960 (an approximate year)")]
    assert [(p.row, p.message.split(" (")[0]) for p in out.problems] == [(6, "not a year: 'années 1980'"),
                                                                          (7, "impossible year 1850")]
