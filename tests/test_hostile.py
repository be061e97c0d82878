"""Hostile and unlucky inputs: each answered in one line, with the right exit code, and nothing half-written.

One test per case of the release-grade issue (11) and of the hostile run (17, outside the data readers).
Each asserts the message, the exit code, and that no output (or temporary file) was left behind.
Most run the CLI in-process; the ones about processes (kill -9, two batches, file names) run it as a user would.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atlasmaps.cli import main
from atlasmaps.sample import sample_path

FIELDS_EXTRA = ("source",)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def one_error_line(err: str) -> str:
    """The command's only error line (no traceback, nothing else starting with Error)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, err
    return lines[0]


def files_in(folder: Path) -> list[str]:
    """Every file under `folder`, hidden ones (temporary .part files) included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def small_csv(path: Path, countries: tuple[str, ...] = ("KR",), **columns: str) -> Path:
    """The sample rows of a few partner countries (fast maps), with extra columns set on every row."""
    from atlasmaps.data.schema import resolve_country

    with open(sample_path(), encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = [*(reader.fieldnames or []), *(c for c in columns if c not in (reader.fieldnames or []))]
        rows = [{**r, **columns} for r in reader if resolve_country(r["pays"]) in countries]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def atlasmaps_cli(*args: str, **kw) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "atlasmaps", *args], capture_output=True, text=True,
                          timeout=kw.pop("timeout", 300), **kw)


@pytest.fixture
def no_render(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fails loudly if a map is rendered: for the errors that must come before any drawing."""
    from atlasmaps import pipeline

    calls: list[object] = []

    def render(*args, **kw):  # type: ignore[no-untyped-def]
        calls.append(args)
        raise AssertionError("a map was rendered before the error was found")

    monkeypatch.setattr(pipeline, "render", render)
    return calls


def deny_writes_under(monkeypatch: pytest.MonkeyPatch, folder: Path, code: int = errno.EACCES) -> None:
    """Make `folder` unwritable for this process, as chmod 555 would for a user (tests may run as root)."""
    real_open = os.open
    root = str(folder)

    def guarded_open(path, flags, *args, **kw):  # type: ignore[no-untyped-def]
        if os.fsdecode(path).startswith(root) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(os, "open", guarded_open)


# ------------------------------------------------------------------------------------------------ packaging


def test_cli_imports_importlib_util_itself() -> None:
    """A wheel install has no editable finder importing importlib.util for us: --help crashed."""
    code = (
        "import sys, importlib\n"
        "sys.modules.pop('importlib.util', None)\n"
        "importlib.__dict__.pop('util', None)\n"
        "from atlasmaps.cli import main\n"
        "main(['--help'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "bilateral" in result.stdout and "Traceback" not in result.stderr


def test_shipped_folders_come_from_the_installed_package_when_present(tmp_path: Path, monkeypatch) -> None:
    """The wheel's atlasmaps/_data/<name> wins over the checkout's folder; the environment wins over both."""
    import atlasmaps
    from atlasmaps import shipped

    fake_pkg = tmp_path / "site" / "atlasmaps"
    (fake_pkg / "_data" / "styles").mkdir(parents=True)
    monkeypatch.setattr(shipped.resources, "files", lambda name: fake_pkg)
    monkeypatch.delenv("ATLASMAPS_STYLES_DIR", raising=False)
    assert shipped.shipped_dir("styles", "ATLASMAPS_STYLES_DIR") == fake_pkg / "_data" / "styles"
    # no installed copy (editable install, checkout): the top-level folder of the repository
    assert shipped.shipped_dir("boundaries", "X") == Path(atlasmaps.__file__).resolve().parent.parent / "boundaries"
    monkeypatch.setenv("ATLASMAPS_STYLES_DIR", str(tmp_path))
    assert shipped.shipped_dir("styles", "ATLASMAPS_STYLES_DIR") == tmp_path


def test_runtime_dependencies_hold_no_test_tool() -> None:
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {d.split(">")[0].split("[")[0].strip() for d in project["dependencies"]}
    assert not names & {"pytest", "hypothesis", "playwright", "pypdf", "cartopy"}


# ------------------------------------------------------------------------------------------------ permissions


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_files_are_written_with_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    from atlasmaps.atomic import write_bytes_atomic

    previous = os.umask(umask)
    try:
        path = write_bytes_atomic(tmp_path / "map.svg", b"<svg/>")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == mode
    assert files_in(tmp_path) == ["map.svg"]


def test_maps_and_reports_are_readable_by_others_under_umask_022(tmp_path: Path, capsys) -> None:
    data = small_csv(tmp_path / "d.csv")
    previous = os.umask(0o022)
    try:
        code, _, err = run_cli(["bilateral", str(data), "-p", "KR", "-f", "svg,html", "-o", str(tmp_path / "o")], capsys)
        code2, _, _ = run_cli(["validate", str(data), "--report", str(tmp_path / "r.csv")], capsys)
    finally:
        os.umask(previous)
    assert code == 0, err
    written = [tmp_path / "o" / "bilateral-KR.svg", tmp_path / "o" / "bilateral-KR.html", tmp_path / "r.csv"]
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {"0o644"}


# ------------------------------------------------------------------------------------------------ YAML limits

ALIAS_BOMB = "".join(
    f"{a}: &{a} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
    for p, a in zip(["", "a", "b", "c", "d", "e", "f", "g"], ["a", "b", "c", "d", "e", "f", "g", "h"], strict=True)
)


def test_style_alias_bomb_is_refused_quickly(tmp_path: Path, capsys) -> None:
    style = tmp_path / "bomb.yaml"
    style.write_text("extends: quai-dorsay\n" + ALIAS_BOMB + "themes:\n  bomb:\n    aliases: *h\n", encoding="utf-8")
    start = time.perf_counter()
    code, _, err = run_cli(["styles", "validate", str(style)], capsys)
    assert time.perf_counter() - start < 5
    assert code != 0
    assert "YAML expands to more than 200,000 values" in one_error_line(err)


def test_style_nested_too_deep_is_refused(tmp_path: Path, capsys) -> None:
    style = tmp_path / "deep.yaml"
    style.write_text("name: x\nfonts: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    code, _, err = run_cli(["styles", "validate", str(style)], capsys)
    assert code != 0
    assert f"{style}: YAML nested deeper than 50 levels at line 2" in one_error_line(err)


def test_columns_mapping_alias_bomb_and_size(tmp_path: Path, capsys, no_render) -> None:
    data = small_csv(tmp_path / "d.csv")
    mapping = tmp_path / "cols.yaml"
    mapping.write_text(ALIAS_BOMB, encoding="utf-8")
    code, _, err = run_cli(["validate", str(data), "--columns", str(mapping)], capsys)
    assert code == 2
    assert f"{mapping}: YAML expands to more than" in one_error_line(err)
    mapping.write_text("collectivite: x\n" + "#" * (1024 * 1024 + 10) + "\n", encoding="utf-8")
    code, _, err = run_cli(["bilateral", str(data), "-p", "KR", "--columns", str(mapping), "-o", str(tmp_path / "o")],
                           capsys)
    assert code == 2
    assert f"{mapping}: column mapping larger than 1 MB" in one_error_line(err)
    assert files_in(tmp_path / "o") == []


def test_manifest_alias_bomb(tmp_path: Path, capsys, no_render) -> None:
    manifest = tmp_path / "set.yaml"
    manifest.write_text(ALIAS_BOMB + f"data: {sample_path()}\n", encoding="utf-8")
    code, _, err = run_cli(["batch", str(manifest)], capsys)
    assert code == 2
    assert "YAML expands to more than 200,000 values" in one_error_line(err)


# ------------------------------------------------------------------------------------------------ manifests


@pytest.mark.parametrize("setting, message", [
    ("kinds: 3", "kinds: input should be a valid list, got 3"),
    ("partners: 5", "partners: input should be a valid list, got 5"),
    ("style: 7", "style: input should be a valid string, got 7"),
    ("partners: [[JP, BJ]]", "partners[0]: input should be a valid string, got a list"),
    ("kinds: [bilateral, [world]]", "kinds[1]: input should be 'bilateral', 'country', 'world', 'france' or 'collectivite', got a list"),
    ("dpi: 2000", "dpi: input should be less than or equal to 1200, got 2000"),
    ("dpi: '300'", "dpi: input should be a valid integer, got '300'"),
    ("jobs: true", "jobs: input should be a valid integer, got true"),
    ("formats: [pdf, gif]", "formats[1]: input should be 'pdf', 'svg', 'png' or 'html', got 'gif'"),
])
def test_manifest_fields_are_validated_with_their_yaml_path(tmp_path: Path, capsys, no_render, setting, message) -> None:
    manifest = tmp_path / "set.yaml"
    manifest.write_text(f"data: {sample_path()}\n{setting}\n", encoding="utf-8")
    code, _, err = run_cli(["batch", str(manifest), "-o", str(tmp_path / "out")], capsys)
    assert code == 2
    assert one_error_line(err).startswith(f"Error: {manifest}: {message}")
    assert files_in(tmp_path / "out") == []


def test_manifest_output_naming_a_file(tmp_path: Path, capsys, no_render) -> None:
    taken = tmp_path / "taken.txt"
    taken.write_text("keep me", encoding="utf-8")
    manifest = tmp_path / "set.yaml"
    manifest.write_text(f"data: {sample_path()}\npartners: [JP]\noutput: taken.txt\n", encoding="utf-8")
    code, _, err = run_cli(["batch", str(manifest)], capsys)
    assert code == 2
    assert one_error_line(err) == f"Error: --output {taken}: is a file, not a folder"
    assert taken.read_text(encoding="utf-8") == "keep me"


# ------------------------------------------------------------------------------------------------ pixel budget


def test_dpi_beyond_the_pixel_budget_says_the_largest_dpi(tmp_path: Path, capsys, no_render) -> None:
    data = small_csv(tmp_path / "d.csv")
    code, _, err = run_cli(["bilateral", str(data), "-p", "KR", "--dpi", "1000", "--page", "A3-landscape", "-f", "png",
                            "-o", str(tmp_path / "o")], capsys)
    assert code == 2
    assert one_error_line(err) == (
        "Error: --dpi 1000: a A3-landscape PNG would be 16,535 x 11,693 pixels, over the budget of 89,478,485 "
        "pixels per page; the largest dpi for A3-landscape is 680")
    assert files_in(tmp_path / "o") == []


def test_manifest_dpi_beyond_the_budget(tmp_path: Path, capsys, no_render) -> None:
    manifest = tmp_path / "set.yaml"
    manifest.write_text(f"data: {sample_path()}\npartners: [KR]\ndpi: 1200\nformats: [png]\noutput: out\n",
                        encoding="utf-8")
    code, _, err = run_cli(["batch", str(manifest)], capsys)
    assert code == 2
    assert "the largest dpi for A4-landscape is 962" in one_error_line(err)
    assert files_in(tmp_path / "out") == []


def test_largest_dpi_said_is_accepted() -> None:
    from atlasmaps.model import MapKind, RenderOptions
    from atlasmaps.pipeline import check_pixel_budget
    from atlasmaps.style import load_style

    style = load_style(None)
    check_pixel_budget(style, RenderOptions(MapKind.WORLD, formats=("png",), dpi=680, page="A3-landscape"))
    check_pixel_budget(style, RenderOptions(MapKind.WORLD, formats=("pdf",), dpi=1200, page="A3-landscape"))


# ------------------------------------------------------------------------------------------------ output faults


def test_read_only_output_folder_fails_before_rendering(tmp_path: Path, capsys, monkeypatch, no_render) -> None:
    data = small_csv(tmp_path / "d.csv")
    out = tmp_path / "ro"
    out.mkdir()
    deny_writes_under(monkeypatch, out)
    code, _, err = run_cli(["bilateral", str(data), "-p", "KR", "-f", "svg", "-o", str(out)], capsys)
    assert code == 2
    assert one_error_line(err) == f"Error: --output: cannot write in {out}: Permission denied"
    assert files_in(out) == [] and no_render == []


def test_read_only_folder_for_batch_and_validate(tmp_path: Path, capsys, monkeypatch, no_render) -> None:
    data = small_csv(tmp_path / "d.csv")
    out = tmp_path / "ro"
    out.mkdir()
    deny_writes_under(monkeypatch, out, errno.EROFS)
    code, _, err = run_cli(["batch", str(data), "--partners", "KR", "-o", str(out)], capsys)
    assert code == 2
    assert one_error_line(err) == f"Error: --output: cannot write in {out}: Read-only file system"
    code, _, err = run_cli(["validate", str(data), "--report", str(out / "r.csv")], capsys)
    assert code == 2
    assert one_error_line(err) == f"Error: --report: cannot write in {out}: Read-only file system"
    assert files_in(out) == []


def test_disk_full_while_writing_joined_leaves_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    data = small_csv(tmp_path / "d.csv", countries=("JP", "BJ"))
    real_writerow = csv.DictWriter.writerow
    calls = {"n": 0}

    def writerow(self, row):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 5:  # some rows reached the disk, then it is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_writerow(self, row)

    monkeypatch.setattr(csv.DictWriter, "writerow", writerow)
    out = tmp_path / "reports"
    code, _, err = run_cli(["validate", str(data), "--joined", str(out / "joint.csv")], capsys)
    assert code == 2
    assert one_error_line(err) == f"Error: cannot write {out / 'joint.csv'}: No space left on device"
    assert files_in(out) == [], "the temporary file must be removed and no partial file left"


@pytest.mark.parametrize("code_, words", [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system"),
                                          (errno.EACCES, "Permission denied")])
def test_environment_faults_while_writing_a_map_are_not_blamed_on_atlasmaps(
    tmp_path: Path, capsys, monkeypatch, code_: int, words: str
) -> None:
    data = small_csv(tmp_path / "d.csv")
    out = tmp_path / "o"

    def full(self, data):  # type: ignore[no-untyped-def]
        raise OSError(code_, words)

    monkeypatch.setattr(Path, "write_bytes", full)
    code, _, err = run_cli(["demo", "-o", str(out), "-f", "svg"] if code_ == errno.EACCES else
                           ["bilateral", str(data), "-p", "KR", "-f", "svg", "-o", str(out)], capsys)
    assert code == 2
    line = one_error_line(err)
    assert line.startswith(f"Error: cannot write {out}/") and line.endswith(f".svg: {words}")
    assert "bug" not in err
    assert files_in(out) == []
    if code_ == errno.EACCES:
        assert err.count("cannot write") == 1, "the demo stops at the first map instead of failing each one"


def test_disk_full_stops_a_batch_with_exit_2(tmp_path: Path, capsys, monkeypatch) -> None:
    """A full disk is the batch's problem, not each map's: it stops at the first, says why, exit 2."""
    def full(self, data):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    out = tmp_path / "out"
    code, _, err = run_cli(["batch", str(sample_path()), "--all-partners", "--kinds", "country", "-f", "svg",
                            "-o", str(out), "--jobs", "1"], capsys)
    assert code == 2
    assert one_error_line(err).startswith(f"Error: batch stopped: cannot write {out}/country-")
    assert err.count("failed: country-") == 1, "the batch goes no further than the first map"
    assert "bug" not in err
    assert [f for f in files_in(out) if f.endswith(".svg") or f.endswith(".part")] == []


def test_an_oserror_anywhere_else_is_one_line_naming_the_path(tmp_path: Path, capsys, monkeypatch) -> None:
    from atlasmaps.commands import data as data_command

    def denied(*args, **kw):  # type: ignore[no-untyped-def]
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/atlas/partenariats.csv")

    monkeypatch.setattr("atlasmaps.join.join_file", denied)
    code, _, err = run_cli(["validate", str(small_csv(tmp_path / "d.csv"))], capsys)
    assert data_command is not None
    assert code == 2
    assert one_error_line(err) == "Error: /srv/atlas/partenariats.csv: Permission denied"


# ------------------------------------------------------------------------------------------------ file names


def test_non_utf8_file_name_in_batch(tmp_path: Path) -> None:
    name = os.fsdecode(b"donn\xe9es-cor\xe9e.csv")  # Latin-1 bytes, as a Windows share may give
    data = small_csv(tmp_path / name)
    out = tmp_path / "out"
    result = atlasmaps_cli("batch", str(data), "--partners", "KR", "--kinds", "country", "-f", "svg", "-o", str(out),
                           "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert document["data"].endswith("donn\\xe9es-cor\\xe9e.csv")
    assert [m["status"] for m in document["maps"]] == ["done"]
    assert "donn\\xe9es" in (out / "index.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------ boundaries/


def broken_boundaries(tmp_path: Path, name: str, content: bytes | None) -> Path:
    """A boundaries/ folder linking to the real files, with `name` replaced by `content` (None: missing)."""
    from atlasmaps import boundaries

    real = boundaries.boundaries_dir()
    folder = tmp_path / "boundaries"
    folder.mkdir()
    for path in real.iterdir():
        if path.name != name:
            (folder / path.name).symlink_to(path)
    if content is not None:
        (folder / name).write_bytes(content)
    return folder


@pytest.mark.parametrize("name, content, problem", [
    ("manifest.json", None, "missing"),
    ("manifest.json", b'{"layers": {"admin1": ', "unreadable (Expecting value)"),
    ("sources.yaml", None, "missing"),
    ("sources.yaml", b"sources: [a\nattribution: {", "invalid YAML at line 2"),
    ("sources.yaml", b"just text\n", "not a boundaries sources file"),
    ("admin1.parquet", b"PAR1\x15\x04\x15", "corrupt boundary layer"),
    ("countries_50m.parquet", None, "embedded boundary file missing"),
])
def test_broken_boundaries_name_the_file_and_how_to_rebuild(tmp_path: Path, name, content, problem) -> None:
    from atlasmaps import boundaries

    folder = broken_boundaries(tmp_path, name, content)
    if name.endswith(".parquet") and content is not None:  # a truncated copy of the real file
        (folder / name).write_bytes((boundaries.boundaries_dir() / name).read_bytes()[:4096])
    out = tmp_path / "o"
    data = small_csv(tmp_path / "d.csv")
    # a fresh process: no layer cached from other tests
    args = (["world", str(data)] if name == "countries_50m.parquet" else ["bilateral", str(data), "-p", "KR"])
    result = atlasmaps_cli(*args, "-f", "svg", "-o", str(out), env={**os.environ, "ATLASMAPS_BOUNDARIES_DIR": str(folder)})
    assert result.returncode == 2, result.stderr
    line = one_error_line(result.stderr)
    assert line.startswith(f"Error: {folder / name}: {problem}"), line
    assert line.endswith("rebuild boundaries/ with `python scripts/build_boundaries.py` (in a source checkout) "
                         "or reinstall atlasmaps")
    assert files_in(out) == []


def test_broken_imported_layer_says_to_import_it_again(tmp_path: Path, monkeypatch) -> None:
    from atlasmaps import boundaries

    user = tmp_path / "user"
    (user / "admin1").mkdir(parents=True)
    (user / "admin1" / "KR.parquet").write_bytes(b"PAR1 truncated")
    monkeypatch.setenv("ATLASMAPS_USER_BOUNDARIES_DIR", str(user))
    boundaries.clear_cache()
    try:
        with pytest.raises(boundaries.BoundaryError) as info:
            boundaries.load("admin1", country="KR")
    finally:
        boundaries.clear_cache()
    message = str(info.value)
    assert message.startswith(f"{user / 'admin1' / 'KR.parquet'}: the imported admin1 layer for KR cannot be read")
    assert "import it again with `atlasmaps boundaries import`" in message


# ------------------------------------------------------------------------------------------------ debugging


def test_a_bug_is_one_line_and_atlasmaps_debug_shows_the_traceback(tmp_path: Path, capsys, monkeypatch) -> None:
    from atlasmaps import pipeline

    def broken(*args, **kw):  # type: ignore[no-untyped-def]
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(pipeline, "render", broken)
    data = small_csv(tmp_path / "d.csv")
    args = ["bilateral", str(data), "-p", "KR", "-f", "svg", "-o", str(tmp_path / "o")]
    monkeypatch.delenv("ATLASMAPS_DEBUG", raising=False)
    code, _, err = run_cli(args, capsys)
    assert code == 1
    assert "RuntimeError: renderer bug (a bug in atlasmaps: set ATLASMAPS_DEBUG=1" in one_error_line(err)
    monkeypatch.setenv("ATLASMAPS_DEBUG", "1")
    with pytest.raises(RuntimeError, match="renderer bug"):
        main(args)
    # and outside the map loop too (the safety net in cli.main)
    monkeypatch.setattr("atlasmaps.join.join_file", broken)
    with pytest.raises(RuntimeError, match="renderer bug"):
        main(args)
    monkeypatch.delenv("ATLASMAPS_DEBUG")
    code, _, err = run_cli(args, capsys)
    assert code == 1 and "a bug in atlasmaps" in one_error_line(err)


# ------------------------------------------------------------------------------------------------ the source line


def test_source_is_decided_in_one_place() -> None:
    from atlasmaps.join import stated_source
    from atlasmaps.model import CollectiviteType, Partnership

    def rows(*sources: str | None) -> list[Partnership]:
        return [Partnership(i, str(i), "Paris", CollectiviteType.COMMUNE, "Kyoto", "JP", source=s)
                for i, s in enumerate(sources)]

    assert stated_source("Option", rows("Col"), "Json") == "Option"
    assert stated_source(None, rows("Col", "Col", None), "Json") == "Col"
    assert stated_source(None, rows("Col", "Other"), "Json") == "Json"
    assert stated_source(None, rows(None), "Json") == "Json"
    assert stated_source(None, rows("A", "B"), None) is None
    assert stated_source("  ", rows(), None) is None


def test_source_line_text(japan_result) -> None:
    from dataclasses import replace

    from atlasmaps.content.text import source_line
    from atlasmaps.style import load_style

    style = load_style(None)
    stated = replace(japan_result, data_source="Cités Unies France")
    assert source_line(style, stated, "fr") == "Source : Cités Unies France, données du 15 mars 2024"
    assert source_line(style, japan_result, "en") == (
        "Source: French Atlas of Decentralised Cooperation (MEAE/DAECT), data as of 15 March 2024")
    older = style.model_copy(update={"labels": {k: {n: t for n, t in v.items() if n != "source_data"}
                                                for k, v in style.labels.items()}})
    assert source_line(older, stated, "fr").startswith("Source : Atlas français")


def test_source_line_shows_the_data_source_in_pdf_and_html(tmp_path: Path, capsys) -> None:
    pypdf = pytest.importorskip("pypdf")
    data = small_csv(tmp_path / "d.csv", source="Région Bretagne, inventaire 2025")
    out = tmp_path / "o"
    code, _, err = run_cli(["bilateral", str(data), "-p", "KR", "-f", "pdf,html", "-o", str(out),
                            "--data-date", "2025-06-30"], capsys)
    assert code == 0, err
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(out / "bilateral-KR.pdf").pages)
    assert "Source : Région Bretagne, inventaire 2025, données du 30 juin 2025" in " ".join(text.split())
    assert "Atlas français de la coopération" not in text
    page = (out / "bilateral-KR.html").read_text(encoding="utf-8")
    assert "Source : Région Bretagne, inventaire 2025, données du 30 juin 2025" in page

    code, _, err = run_cli(["bilateral", str(data), "-p", "KR", "-f", "html", "-o", str(out), "--lang", "en",
                            "--source", "Ministry survey", "--data-date", "2025-06-30"], capsys)
    assert code == 0, err
    assert "Source: Ministry survey, data as of 30 June 2025" in (out / "bilateral-KR.html").read_text(encoding="utf-8")


def test_json_source_field_and_style_default(tmp_path: Path, capsys) -> None:
    from atlasmaps.join import join_file

    rows = list(csv.DictReader(small_csv(tmp_path / "d.csv", source="").open(encoding="utf-8")))
    doc = tmp_path / "d.json"
    doc.write_text(json.dumps({"source": "Cités Unies France", "date": "2024-01-01", "partenariats": rows}),
                   encoding="utf-8")
    assert join_file(doc).data_source == "Cités Unies France"
    assert join_file(doc, source="CLI").data_source == "CLI"
    several = small_csv(tmp_path / "two.csv", countries=("KR", "ML"))  # each row cites its own article
    assert len({r["source"] for r in csv.DictReader(several.open(encoding="utf-8"))}) == 2
    assert join_file(several).data_source is None  # two different sources: the style's default line


def test_batch_uses_the_data_source(tmp_path: Path, capsys) -> None:
    data = small_csv(tmp_path / "d.csv", source="Région Bretagne")
    out = tmp_path / "out"
    code, _, err = run_cli(["batch", str(data), "--partners", "KR", "--kinds", "country", "-f", "html",
                            "-o", str(out), "--jobs", "1"], capsys)
    assert code == 0, err
    assert "Source : Région Bretagne, données du" in (out / "country-KR.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------ overwrite


def test_validate_report_onto_its_data_is_refused(tmp_path: Path, capsys, no_render) -> None:
    data = small_csv(tmp_path / "d.csv")
    before = data.read_bytes()
    for option in ("--report", "--joined"):
        code, _, err = run_cli(["validate", str(data), option, str(tmp_path / "." / "d.csv")], capsys)
        assert code == 2
        assert one_error_line(err) == (f"Error: {option} {tmp_path / '.' / 'd.csv'} is the data file: "
                                       "refusing to overwrite it (choose another path)")
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    code, _, err = run_cli(["validate", str(data), "--report", str(link)], capsys)
    assert code == 2
    code, _, err = run_cli(["validate", str(data), "--report", str(tmp_path / "r.csv"), "--joined",
                            str(tmp_path / "r.csv")], capsys)
    assert code == 2 and "is the --report file" in one_error_line(err)
    assert data.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "link.csv"]


def test_the_corrections_template_never_replaces_an_input(tmp_path: Path, capsys) -> None:
    """`--report r.csv` also writes r.corrections.csv: it must not replace the data or the corrections."""
    data = small_csv(tmp_path / "r.corrections.csv")
    before = data.read_bytes()
    code, _, err = run_cli(["validate", str(data), "--report", str(tmp_path / "r.csv")], capsys)
    assert code == 2
    assert one_error_line(err) == (f"Error: --report template {data} is the data file: refusing to overwrite it "
                                   "(choose another path)")
    assert data.read_bytes() == before and not (tmp_path / "r.csv").exists()


def test_a_map_onto_its_data_is_refused(tmp_path: Path, capsys, no_render) -> None:
    out = tmp_path / "o"
    out.mkdir()
    data = small_csv(out / "bilateral-KR.html")  # a CSV with an unlucky name, in the output folder
    before = data.read_bytes()
    code, _, err = run_cli(["bilateral", str(data), "-p", "KR", "-f", "svg,html", "-o", str(out)], capsys)
    assert code == 2
    assert one_error_line(err) == (f"Error: output {out / 'bilateral-KR.html'} is the data file: "
                                   "refusing to overwrite it (choose another path)")
    assert data.read_bytes() == before and files_in(out) == ["bilateral-KR.html"]


def test_batch_outputs_onto_inputs_are_refused(tmp_path: Path, capsys, no_render) -> None:
    out = tmp_path / "out"
    out.mkdir()
    data = small_csv(out / "index.html")
    code, _, err = run_cli(["batch", str(data), "--partners", "KR", "-o", str(out)], capsys)
    assert code == 2
    assert one_error_line(err).startswith(f"Error: output {out / 'index.html'} is the data file")
    columns = out / "manifest.json"  # a column mapping with an unlucky name, in the output folder
    columns.write_text("collectivite: collectivite\n", encoding="utf-8")
    spec = tmp_path / "set.yaml"
    spec.write_text(f"data: {sample_path()}\ncolumns: out/manifest.json\npartners: [KR]\noutput: out\n",
                    encoding="utf-8")
    code, _, err = run_cli(["batch", str(spec)], capsys)
    assert code == 2
    assert one_error_line(err) == (f"Error: output {out / 'manifest.json'} is the --columns file: "
                                   "refusing to overwrite it (choose another path)")
    assert files_in(out) == ["index.html", "manifest.json"]
    assert columns.read_text(encoding="utf-8") == "collectivite: collectivite\n"


def test_batch_refuses_a_folder_it_did_not_write(tmp_path: Path, capsys) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<h1>the team's own page</h1>", encoding="utf-8")
    (out / "manifest.json").write_text('{"name": "a web app manifest"}', encoding="utf-8")
    data = small_csv(tmp_path / "d.csv")
    args = ["batch", str(data), "--partners", "KR", "--kinds", "country", "-f", "svg", "-o", str(out), "--jobs", "1"]
    code, _, err = run_cli(args, capsys)
    assert code == 2
    assert one_error_line(err) == (f"Error: {out} is not empty (index.html, manifest.json) and holds no manifest "
                                   "of an atlasmaps batch: choose an empty folder, or --force to write into it anyway")
    assert (out / "index.html").read_text(encoding="utf-8") == "<h1>the team's own page</h1>"
    assert not (out / "country-KR.svg").exists()
    # its own folder is fine on a rerun; --force overrides for a foreign one
    code, _, err = run_cli([*args, "--force"], capsys)
    assert code == 0, err
    assert (out / "country-KR.svg").is_file()
    code, _, err = run_cli(args, capsys)
    assert code == 0, err


# ------------------------------------------------------------------------------------------------ batch processes


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _done(out: Path) -> set[str]:
    try:
        maps = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["maps"]
    except (OSError, ValueError):
        return set()
    return {m["stem"] for m in maps if m["status"] == "done"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_a_batch_kills_its_workers_and_the_rerun_resumes(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    partners = ["BJ", "DE", "KR", "SN"]  # 8 maps: enough to kill the batch midway
    args = ["batch", str(sample_path()), "--partners", ",".join(partners), "--kinds", "bilateral,country",
            "--format", "svg", "-o", str(out), "--jobs", "2"]
    # The batch that is killed is a real process with its two workers, as a user's would be.
    process = subprocess.Popen([sys.executable, "-m", "atlasmaps", *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(_done(out)) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    workers = _children(process.pid)
    assert process.poll() is None and len(workers) >= 2, "the batch should be midway, with its two workers"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    done_before = _done(out)  # the manifest as the kill left it (written atomically after each map)
    gone_by = time.monotonic() + 2
    while any(_alive(w) for w in workers) and time.monotonic() < gone_by:
        time.sleep(0.1)
    assert [w for w in workers if _alive(w)] == [], "workers outlived their parent by more than 2 s"
    assert 2 <= len(done_before) < 2 * len(partners)
    # The same command again, in this process and on one core (the job count is not part of what a
    # map is made from: the manifest's maps done are skipped all the same, without two workers to start).
    code, _, err = run_cli([*args[:-1], "1"], capsys)
    assert code == 0, err
    statuses = {m["stem"]: m["status"] for m in json.loads((out / "manifest.json").read_text("utf-8"))["maps"]}
    assert len(statuses) == 2 * len(partners)  # bilateral and country maps of each
    assert {s for s in done_before if statuses[s] != "skipped"} == set(), "maps done before the kill were redone"


def test_two_batches_on_one_folder(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    partners = ("BJ", "KR", "MA")
    first = subprocess.Popen(
        [sys.executable, "-m", "atlasmaps", "batch", str(sample_path()), "--partners", ",".join(partners), "--kinds",
         "country", "--format", "svg", "-o", str(out), "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    assert first.stderr is not None
    for line in first.stderr:  # the first batch holds the folder once it plans its maps
        if "maps planned" in line:
            break
    # the second batch, started meanwhile (in this process: the first is the other process)
    code, _, err = run_cli(["batch", str(sample_path()), "--partners", "JP", "--kinds", "bilateral", "--format", "svg",
                            "-o", str(out), "--jobs", "1"], capsys)
    rest = first.stderr.read()
    assert first.wait(timeout=300) == 0, rest
    assert code == 2
    assert one_error_line(err) == (
        f"Error: {out}: another atlasmaps batch (pid {first.pid}) is writing into this folder; "
        "wait for it to finish or choose another --output")
    maps = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["maps"]
    assert sorted(m["stem"] for m in maps) == [f"country-{c}" for c in partners]
    assert not (out / "bilateral-JP.svg").exists()


# ------------------------------------------------------------------------------------------------ injection


def user_style(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text("extends: quai-dorsay\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("body, message", [
    ("fonts:\n  family: [\"Marianne</style><script>alert(1)</script>\"]\n",
     "fonts.family[0]: invalid font name 'Marianne</style><script>alert(1)</script…' "
     "(letters, digits, spaces, dots and hyphens only)"),
    ("fonts:\n  family: [Marianne]\n  generic: \"sans-serif}body{background:url(x)\"\n",
     "fonts.generic: expected 'serif', 'sans-serif', 'monospace', 'cursive', 'fantasy', 'system-ui', 'ui-serif', "
     "'ui-sans-serif', 'ui-monospace', 'ui-rounded', 'math', 'emoji' or 'fangsong', got "),
    ("fonts:\n  family: [\"Ari'al\"]\n", "fonts.family[0]: invalid font name \"Ari'al\""),
    ("links: {dash: \"4 4'});alert(1);//\"}\n", "links.dash: invalid dash pattern"),
    ("basemap: {sea: \"red;}</style>\"}\n", "basemap.sea: invalid colour"),
    ("labels:\n  fr: {source: \"{date.nope}\"}\n  en: {source: \"{date.nope}\"}\n",
     "labels.fr.source: placeholder {date.nope} is not a plain name (write {date})"),
    ("labels:\n  fr: {source: \"{date[0]}\"}\n  en: {source: \"{date[0]}\"}\n",
     "labels.fr.source: placeholder {date[0]} is not a plain name (write {date})"),
])
def test_styles_validate_refuses_values_that_would_inject_or_crash(tmp_path: Path, capsys, body, message) -> None:
    style = user_style(tmp_path, body)
    code, _, err = run_cli(["styles", "validate", str(style)], capsys)
    assert code == 1
    assert "Traceback" not in err
    assert f"{style}: {message}" in err


def test_maps_refuse_a_style_with_injected_css(tmp_path: Path, capsys, no_render) -> None:
    style = user_style(tmp_path, "fonts:\n  family: [\"x</style><script>alert(1)</script>\"]\n")
    code, _, err = run_cli(["bilateral", str(small_csv(tmp_path / "d.csv")), "-p", "KR", "-f", "html",
                            "--style", str(style), "-o", str(tmp_path / "o")], capsys)
    assert code == 2
    assert "invalid font name" in one_error_line(err)
    assert files_in(tmp_path / "o") == []


@pytest.mark.parametrize("tiles", [
    'https://t.example.org/{z}/{x}/{y}.png"><img src=x onerror=alert(1)>',
    "javascript:alert(1)//{z}",
    "https://t.example.org/{z}/{x}/{y}.png' onload='alert(1)",
])
def test_tiles_option_refuses_markup(tmp_path: Path, capsys, no_render, tiles) -> None:
    code, _, err = run_cli(["bilateral", str(small_csv(tmp_path / "d.csv")), "-p", "KR", "-f", "html",
                            "--tiles", tiles, "-o", str(tmp_path / "o")], capsys)
    assert code == 2
    assert "is neither a basemap name nor an http(s) URL template" in err and "Traceback" not in err
    assert files_in(tmp_path / "o") == []


def test_tile_attribution_is_escaped(japan_result) -> None:
    from atlasmaps.model import MapKind, RenderOptions
    from atlasmaps.pipeline import check_tiles
    from atlasmaps.render import web
    from atlasmaps.style import load_style

    url = check_tiles("https://t.example.org/{z}/{x}/{y}.png?key=a&lang=fr")
    html_text = web.render(japan_result, load_style(None),
                           RenderOptions(MapKind.BILATERAL, partner="JP", formats=("html",), tiles=url)).files["html"].decode()
    assert "https://t.example.org/{z}/{x}/{y}.png?key=a\\u0026amp;lang=fr" in html_text or \
        "https://t.example.org/{z}/{x}/{y}.png?key=a&amp;lang=fr" in html_text


# ------------------------------------------------------------------------------------------------ no file contents echoed

SECRET = "s3cr3t-token-" + "x" * 1300


def test_style_path_errors_never_echo_the_file(tmp_path: Path, capsys) -> None:
    secret_file = tmp_path / "notes.yaml"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    for args in (["styles", "validate", str(secret_file)],
                 ["bilateral", str(small_csv(tmp_path / "d.csv")), "-p", "KR", "--style", str(secret_file),
                  "-o", str(tmp_path / "o")]):
        code, out, err = run_cli(args, capsys)
        assert code in (1, 2)
        assert "s3cr3t" not in err + out
        assert len(one_error_line(err)) < 200
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"name: x\nfonts: {{family: [{SECRET}\n", encoding="utf-8")
    code, out, err = run_cli(["styles", "validate", str(broken)], capsys)
    assert "s3cr3t" not in err + out and len(one_error_line(err)) < 200


def test_manifest_and_columns_errors_never_echo_the_file(tmp_path: Path, capsys) -> None:
    manifest = tmp_path / "set.yaml"
    manifest.write_text(f"data: [{SECRET}\n", encoding="utf-8")
    code, out, err = run_cli(["batch", str(manifest)], capsys)
    assert code == 2 and "s3cr3t" not in err + out and len(one_error_line(err)) < 200
    manifest.write_text(f"data: x.csv\n{SECRET}: 1\n", encoding="utf-8")
    code, out, err = run_cli(["batch", str(manifest)], capsys)
    assert code == 2 and "x" * 100 not in err and len(one_error_line(err)) < 300
    mapping = tmp_path / "cols.yaml"
    mapping.write_text(f"collectivite: [{SECRET}\n", encoding="utf-8")
    code, out, err = run_cli(["validate", str(small_csv(tmp_path / "d.csv")), "--columns", str(mapping)], capsys)
    assert code == 2 and "s3cr3t" not in err + out and len(one_error_line(err)) < 200


# ------------------------------------------------------------------------------------------------ projection


def test_a_projection_hiding_the_partner_is_a_usage_error(tmp_path: Path, capsys) -> None:
    data = small_csv(tmp_path / "d.csv", countries=("JP",))
    out = tmp_path / "o"
    code, _, err = run_cli(["bilateral", str(data), "-p", "JP", "-f", "svg", "--projection",
                            "+proj=ortho +lon_0=-60 +lat_0=0", "-o", str(out)], capsys)
    assert code == 2
    assert one_error_line(err).startswith(
        "Error: --projection +proj=ortho +lon_0=-60 +lat_0=0: hides every partner place(s) of JP (14 of 14 cannot "
        "be projected)")
    assert "bug" not in err and files_in(out) == []
    code, _, err = run_cli(["bilateral", str(data), "-p", "JP", "-f", "svg", "--projection",
                            "+proj=ortho +lon_0=139 +lat_0=35", "-o", str(out)], capsys)
    assert code == 2
    assert one_error_line(err).startswith(
        "Error: --projection +proj=ortho +lon_0=139 +lat_0=35: hides 3 of 14 French collectivité(s) drawn as points")
    assert "bug" not in err and files_in(out) == []


# ------------------------------------------------------------------------------------------------ in Chromium

STYLE_INJECTION = '<img src=x onerror="alert(\'style\')">'
OPTION_INJECTION = '<svg onload="alert(\'option\')"></svg>'
DATA_INJECTIONS = ("&lt;img src=x onerror=alert('data')&gt;", "');alert('quote');//", "javascript:alert('url')")




@pytest.mark.browser
def test_no_dialog_fires_for_strings_injected_in_style_options_and_data(browser, tmp_path: Path, capsys) -> None:
    from test_web_maps import _open

    style = user_style(tmp_path, (
        "themes:\n  economie_durable:\n    color: '#C3992A'\n"
        f"    label: {{fr: {json.dumps(STYLE_INJECTION)}, en: {json.dumps(STYLE_INJECTION)}}}\n"
        "labels:\n"
        f"  fr: {{source_data: {json.dumps(STYLE_INJECTION + ' {source} {date}')}}}\n"
        f"  en: {{source_data: {json.dumps(STYLE_INJECTION + ' {source} {date}')}}}\n"))
    data = tmp_path / "d.csv"  # names matched by INSEE code and by position, so they can carry anything
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["collectivite", "type_collectivite", "code_collectivite", "partenaire", "pays", "latitude",
                         "longitude", "thematiques", "annee"])
        writer.writerow([f"Montreuil {DATA_INJECTIONS[0]}", "commune", "93048", f"Séoul {DATA_INJECTIONS[0]} {DATA_INJECTIONS[1]}", "KR",
                         "37.56", "126.97", "culture", "1990"])
        writer.writerow(["Paris", "commune", "75056", f"Busan {DATA_INJECTIONS[2]}", "KR", "35.18", "129.07",
                         f"économie;{DATA_INJECTIONS[0]}", "2001"])
    out = tmp_path / "o"
    code, _, err = run_cli(["bilateral", str(data), "-p", "KR", "-f", "html", "--style", str(style),
                            "--source", OPTION_INJECTION, "-o", str(out)], capsys)
    assert code == 0, err
    html_file = out / "bilateral-KR.html"
    opened = _open(browser, html_file.read_bytes(), tmp_path / "page.html")
    page = opened.page
    marker = page.locator(".leaflet-marker-icon.atlas-pa").first
    marker.hover()
    marker.click()
    page.get_by_role("button", name="Afficher le tableau des partenariats").click()
    page.wait_for_timeout(300)
    text = page.locator("body").inner_text()
    # the strings are shown as text, not dropped, and none of them ran
    assert "onload=\"alert('option')\"" in text and "onerror=\"alert('style')\"" in text
    assert "&lt;img src=x onerror=alert('data')&gt; ');alert('quote');//" in text
    assert opened.dialogs == [], opened.dialogs
    assert page.locator("body img, body svg[onload]").count() == 0
    assert opened.external == []
    page.close()
