"""Sample data shipped with the package: real, public partnerships (see SOURCES.md) for the demo
and the tests, and a generator of a synthetic Atlas-sized dataset for benchmarks."""

from __future__ import annotations

from pathlib import Path


def sample_path() -> Path:
    """The sample partnerships CSV (France–Japan, France–Bénin and a few others, with sources)."""
    return Path(__file__).with_name("partenariats.csv")


#: When the sample was compiled and its sources checked (SOURCES.md): the date its maps print, rather
#: than the file's modification time, which on a fresh clone is the date of the clone.
SAMPLE_DATE = "2026-11-22"
