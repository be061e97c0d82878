"""Texts shared by the print and web maps: the data date and counted nouns, in the map's language.

Both renderers print the same source line ("données du 22 novembre 2026"), so the date is formatted
here once, with babel (CLDR): the style holds the sentence, babel the language's date format.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atlasmaps.model import JoinResult
    from atlasmaps.style import Style

#: Locale of the dates per map language: the Atlas is European, its English writes "22 November 2026".
DATE_LOCALES: dict[str, str] = {"fr": "fr_FR", "en": "en_GB"}


def format_data_date(value: str | None, lang: str = "fr") -> str:
    """An ISO date of the data ("2026-11-22") as a date in `lang` ("22 novembre 2026", "22 November 2026").

    A value that is not an ISO date (a year, free text) is returned as given; None gives "".
    """
    if not value:
        return ""
    text = str(value).strip()
    try:
        day = _dt.date.fromisoformat(text[:10])
    except ValueError:
        return text
    from babel.dates import format_date

    try:
        text = format_date(day, format="long", locale=DATE_LOCALES.get(lang, lang))
    except Exception:  # noqa: BLE001 - an unknown locale keeps the ISO date rather than failing the map
        return day.isoformat()
    if lang == "fr" and day.day == 1 and text.startswith("1 "):
        text = "1er " + text[2:]  # "1er mars 2024" (CLDR writes "1 mars")
    return text


def source_line(style: Style, joined: JoinResult, lang: str = "fr") -> str:
    """The maps' source line, print and web alike: the source the data states (`JoinResult.data_source`,
    decided by `atlasmaps.join.stated_source`) with its date, else the style's default line."""
    date = format_data_date(joined.data_date, lang) or "—"
    if joined.data_source and style.has_text("source_data", lang):  # an older custom style may lack it
        return style.text("source_data", lang, source=joined.data_source, date=date)
    return style.text("source", lang, date=date)


def plural_category(n: float, lang: str = "fr") -> str:
    """CLDR plural category of `n` in `lang`: "one" or "other" ("many" for big French numbers).

    French counts 0 and 1 as singular ("0 projet", "1 projet"), English only 1.
    """
    from babel import Locale

    try:
        return Locale.parse(lang).plural_form(n)
    except Exception:  # noqa: BLE001
        return "one" if n == 1 else "other"


def counted(style: Style, key: str, n: float, lang: str = "fr", **fields: object) -> str:
    """The label `key` for the count `n`: `key_one` / `key_other` when the style has them, else `key`.

    Styles write the singular as `<key>_one` ("{value} projet") and may keep `<key>` as the plural;
    every other field is passed to the template.
    """
    form = plural_category(n, lang)
    fields = {k: format_number(v, lang) if isinstance(v, int | float) and not isinstance(v, bool) else v
              for k, v in fields.items()}
    for candidate in (f"{key}_{form}", f"{key}_other" if form != "one" else None, key):
        if candidate and style.has_text(candidate, lang):
            return style.text(candidate, lang, **fields)
    return style.text(key, lang, **fields)


def format_number(n: float, lang: str = "fr") -> str:
    """A count as the map's language writes it: "11 452" in French, "11,452" in English."""
    from babel.numbers import format_decimal

    try:
        return format_decimal(n, locale=DATE_LOCALES.get(lang, lang))
    except Exception:  # noqa: BLE001 - an unknown locale keeps the plain number
        return str(n)


def counted_noun(style: Style, noun: str, n: int, lang: str = "fr") -> str:
    """"5 projets", "1 country": the label `count.<noun>` in the form `n` asks for."""
    return counted(style, f"count.{noun}", n, lang, count=n)


def world_subtitle(style: Style, total: int, n_countries: int, lang: str = "fr") -> str:
    """The world map's subtitle, each count with its own plural ("5 projects in 1 country")."""
    return style.text("subtitle.world", lang, total=format_number(total, lang), countries=format_number(n_countries, lang),
                      projects=counted_noun(style, "project", total, lang),
                      countries_n=counted_noun(style, "country", n_countries, lang))


def two_lines(text: str, min_chars: int) -> str | None:
    """`text` on two lines broken at the space or hyphen nearest its middle (the hyphen ends the
    first line), or None when shorter than `min_chars` (0: never) or without a place to break."""
    if not min_chars or len(text) < min_chars or "\n" in text:
        return None
    breaks = [(i if c == " " else i + 1, i + 1) for i, c in enumerate(text) if c in " -"]
    cuts = [(max(len(text[:i].rstrip()), len(text[j:])), i, j) for i, j in breaks
            if len(text[:i].strip()) >= 3 and len(text[j:].strip()) >= 3]
    if not cuts:
        return None
    _, i, j = min(cuts)
    return f"{text[:i].rstrip()}\n{text[j:].lstrip()}"
