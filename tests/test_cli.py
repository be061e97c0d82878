"""The command line as a user meets it: help without heavy imports, the demo, map commands' errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from atlasmaps import __version__
from atlasmaps.cli import COMMANDS, main
from atlasmaps.sample import sample_path


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_help_lists_every_command_without_importing_heavy_modules() -> None:
    probe = (
        "import sys\n"
        "from atlasmaps.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "heavy = [m for m in ('geopandas', 'cartopy', 'matplotlib', 'folium', 'shapely', 'pandas') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "HEAVY []" in done.stdout
    for name in COMMANDS:
        assert name in done.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli([command, "--help"], capsys)
    assert code == 0
    assert "Example" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"atlasmaps, version {__version__}"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["bilateral", "missing.csv", "-p", "JP"], 2, "Error: missing.csv: file not found"),
        (["bilateral", "{sample}", "-p", "Narnia"], 2,
         "Error: --partner: unknown country 'Narnia' (give an ISO code such as JP or a name such as Japon)"),
        (["country", "{sample}", "-p", "France", "-f", "svg"], 2,
         "Error: --partner: 'France' is France (FR); the maps show France's partners abroad (a partnership between "
         "two French collectivités is not drawn)"),
        (["bilateral", "{sample}", "-p", "JP", "--style", "nope"], 2,
         "Error: --style: unknown style 'nope' (available: quai-dorsay, quai-dorsay-gris)"),
        (["bilateral", "{sample}", "-p", "JP", "-f", "tiff"], 2, "'tiff' is not one of pdf, svg, png, html"),
        (["bilateral", "{sample}", "-p", "JP", "--projection", "EPSG:999999"], 2,
         "Error: --projection: invalid projection 'EPSG:999999'"),
        (["country", "{sample}", "-p", "FJ", "-f", "svg"], 1,
         "Error: {sample}: no partnership to map with FJ (no row)"),
        (["nope"], 2, "No such command 'nope'"),
    ],
)
def test_map_command_errors_are_one_clear_line(
    args: list[str], code: int, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = str(sample_path())
    args = [a.replace("{sample}", sample) for a in args] + ["-o", str(tmp_path)] * (args[0] != "nope")
    got, _, err = run_cli(args, capsys)
    assert got == code
    assert message.replace("{sample}", sample) in err
    assert "Traceback" not in err
    assert not list(tmp_path.iterdir()), "nothing is written when the map cannot be made"


def test_demo_renders_every_demo_map_in_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["demo", "-o", str(tmp_path), "--dpi", "40"], capsys)
    assert code == 0, err
    expected = {f"{stem}.{fmt}" for stem in ("bilateral-JP", "bilateral-BJ", "country-BJ", "world", "france")
                for fmt in ("pdf", "svg", "png", "html")}
    assert {p.name for p in tmp_path.iterdir()} == expected
    assert out.count("wrote ") == len(expected)
    assert "41 rows, 0 invalid, 41 mapped" in err


def test_only_active_partnerships_are_drawn_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The Atlas maps active cooperations: an inactive one is left off, said so, and drawn on request."""
    import re

    lines = sample_path().read_text(encoding="utf-8").splitlines()
    rows = [lines[0]] + [ln for ln in lines[1:] if ln.startswith(("JP01", "JP02", "JP03", "JP04"))]
    rows[2] = rows[2].replace(",active,", ",inactive,")  # JP02: Paris – Kyoto
    data = tmp_path / "data.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")

    def partners(out: Path) -> set[str]:
        return set(re.findall(r'<g id="(partner-[^"]+)"', (out / "bilateral-JP.svg").read_text(encoding="utf-8")))

    code, _, err = run_cli(["bilateral", str(data), "-p", "JP", "-f", "svg", "-o", str(tmp_path / "a")], capsys)
    assert code == 0
    assert "1 partnership(s) not active (inactive or planned) left off the map" in err
    code, _, err = run_cli(["bilateral", str(data), "-p", "JP", "-f", "svg", "-o", str(tmp_path / "b"),
                            "--include-inactive"], capsys)
    assert code == 0
    assert "not active" not in err
    assert partners(tmp_path / "b") - partners(tmp_path / "a") == {"partner-kyoto"}


def test_data_date_option_reaches_the_source_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pypdf import PdfReader

    code, _, _ = run_cli(["bilateral", str(sample_path()), "-p", "KR", "-f", "pdf", "-o", str(tmp_path),
                          "--data-date", "2025-06-01"], capsys)  # Korea: a quick map of the sample
    assert code == 0
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "bilateral-KR.pdf").pages)
    assert "données du 1er juin 2025" in text
    code, _, err = run_cli(["bilateral", str(sample_path()), "-p", "JP", "--data-date", "2025-13-01"], capsys)
    assert code == 2
    assert "'2025-13-01' is not a date like 2026-03-15" in err
