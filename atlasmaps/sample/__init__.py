"""Sample data shipped with the package: real, public partnerships (see SOURCES.md) for the demo
and the tests, and a generator of a synthetic Atlas-sized dataset for benchmarks."""

from __future__ import annotations

from pathlib import Path


def sample_path() -> Path:
    """The sample partnerships CSV (France–Japan, France–Bénin and a few others, with sources)."""
    return Path(__file__).with_name("partenariats.csv")
