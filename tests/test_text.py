"""Counts and dates as each map language writes them (shared by print and web)."""

from __future__ import annotations

import pytest

from atlasmaps.content.text import counted_noun, format_data_date, format_number, world_subtitle
from atlasmaps.style import load_style


@pytest.mark.parametrize(("lang", "expected"), [("fr", "11\u202f452"), ("en", "11,452")])
def test_big_counts_have_the_language_s_digit_grouping(lang: str, expected: str) -> None:
    assert format_number(11452, lang) == expected


def test_world_subtitle_formats_and_pluralises_each_count() -> None:
    style = load_style()
    assert world_subtitle(style, 11452, 140, "fr") == "11\u202f452 projets dans 140 pays"
    assert world_subtitle(style, 11452, 140, "en") == "11,452 projects in 140 countries"
    assert world_subtitle(style, 5, 1, "en") == "5 projects in 1 country"
    assert counted_noun(style, "project", 1, "fr") == "1 projet"


def test_data_date_in_the_map_language() -> None:
    assert format_data_date("2026-11-22", "fr") == "22 novembre 2026"
    assert format_data_date("2024-03-01", "fr") == "1er mars 2024"
    assert format_data_date("2026-11-22", "en") == "22 November 2026"
    assert format_data_date("printemps 2025", "fr") == "printemps 2025"


def test_world_subtitle_bare_numbers_for_user_styles(tmp_path) -> None:
    """`{total}` and `{countries}` (styles/README.md) are the bare numbers, grouped per language."""
    sheet = tmp_path / "bare.yaml"
    sheet.write_text('extends: quai-dorsay\nlabels:\n  fr: {subtitle: {world: "{total} / {countries}"}}\n'
                     '  en: {subtitle: {world: "{total} / {countries}"}}\n', encoding="utf-8")
    style = load_style(str(sheet))
    assert world_subtitle(style, 11452, 1400, "fr") == "11\u202f452 / 1\u202f400"
    assert world_subtitle(style, 11452, 1400, "en") == "11,452 / 1,400"
