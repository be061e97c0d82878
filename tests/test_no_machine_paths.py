"""No absolute path of a development machine in the package, the tests, the scripts or the docs:
they must work from any clone, and a reader cannot open a file that only exists on one machine."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Built from parts so that this file does not match itself.
MACHINE_PATH = re.compile("/" + "(?:work|root|home)" + r"/[\w.-]+")
SCANNED = ("atlasmaps", "tests", "scripts", "benchmarks", "styles", "docs")
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".sh", ".txt", ".cfg", ".csv", ".js", ".css", ".html"}


def _files() -> list[Path]:
    files = [p for p in ROOT.glob("*.md")] + [ROOT / "pyproject.toml"]
    for top in SCANNED:
        files += [p for p in (ROOT / top).rglob("*") if p.is_file() and p.suffix in SUFFIXES]
    return [p for p in files if "__pycache__" not in p.parts]


def test_no_absolute_development_paths() -> None:
    files = _files()
    assert len(files) > 50
    hits = [f"{p.relative_to(ROOT)}:{n}: {m.group(0)}"
            for p in files
            for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
            for m in [MACHINE_PATH.search(line)] if m]
    assert hits == []
