"""Text folding, the one home of it: names, vocabulary keys and slugs, for data, join, style,
boundaries, the renderers and the boundaries build script.

One name normaliser for every match, so "St-Étienne", "Saint Etienne" and "SAINT-ÉTIENNE" meet:
Saint/St both become "saint" (`normalize_name`). Names in the Atlas are typed by many hands and
GeoNames romanises Japanese names with or without macrons (Hyōgo / Hyogo). Folding them all the
same way, in one place, is what makes an index lookup (a dict) possible instead of a pairwise
comparison.

- `fold`: case and accents only (keeps punctuation), the base of the others;
- `normalize_name`: the matching key of a place name (separators, Saint/St, leading article);
- `words`: case, accents and punctuation folded, nothing else (labels and keys compared as typed);
- `slug`: `words` joined by a separator, for ids;
- `collation_key`: the order of names in a list a reader scans (accents and case aside, numbers by value).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

# Letters that Unicode decomposition does not split into a base letter + mark.
_SPECIAL = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ı": "i",
        "þ": "th",
    }
)
# Apostrophes, hyphens, dashes and punctuation all become word separators.
_SEPARATORS = re.compile(r"[\s'’ʼʻ‘`´\-‐‑‒–—_.,;:/()\[\]\"«»]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_LEADING_ARTICLES = frozenset({"le", "la", "les", "l"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Casefold and strip accents (ō→o, é→e), keeping punctuation: the base of every comparison."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # casefold after decomposition ("ℌ" -> "H" -> "h"), special letters last ("Þ" -> "þ" -> "th")
    return text.casefold().translate(_SPECIAL)


@lru_cache(maxsize=200_000)
def normalize_name(name: str) -> str:
    """The matching key of a name: case, accents, hyphens, apostrophes, Saint/St/Ste, leading
    article (Le, La, Les, L') and spaces folded. "L'Haÿ-les-Roses" -> "hay les roses".

    A name made only of an article keeps it ("La" -> "la"), so that no non-empty name maps to "".
    """
    if name.isascii() and name.isalpha():  # fast path: most place names are one plain word
        lower = name.lower()
        return _ABBREVIATIONS.get(lower, lower)
    words = [w for w in _SEPARATORS.split(fold(name)) if w]
    words = [_ABBREVIATIONS.get(w, w) for w in words]
    if len(words) > 1 and words[0] in _LEADING_ARTICLES:
        words = words[1:]
    return " ".join(words)


def words(text: Any) -> str:
    """Case, accents and punctuation folded, words separated by one space ("L'Haÿ-les-Roses" ->
    "l hay les roses"); None and NaN give "". No abbreviation or article rule."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return " ".join(_NOT_ALNUM.sub(" ", fold(str(text))).split())


def slug(text: Any, sep: str = "-") -> str:
    """`words(text)` joined by `sep` ("Préfecture d'Osaka" -> "prefecture-d-osaka"); "x" when empty."""
    return sep.join(words(text).split()) or "x"


_DIGITS = re.compile(r"(\d+)")


def collation_key(text: Any) -> tuple[tuple[str | int, ...], str]:
    """Sort key of a name in a list read by people: accents and case set aside (Égypte among the E,
    not after Zimbabwe; Île-de-France before Occitanie), numbers by their value ("numéro 8" before
    "numéro 10"); the text as written breaks ties, so the order never depends on the input's."""
    text = "" if text is None else str(text)
    parts = _DIGITS.split(words(text))  # text, number, text, number...: alike at each position
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), text


_JP_LONG = re.compile(r"ou|oo|uu|oh(?![aeiou])")


def japanese_variant(key: str) -> str:
    """A Japanese romanisation without long-vowel marks: Ōno, Oono, Ohno and Ono all give "ono";
    Tōkyō, Toukyou and Tokyo give "tokyo". Applied to both the index and the query, for Japan only."""
    previous = None
    while previous != key:
        previous, key = key, _JP_LONG.sub(lambda m: m.group(0)[0], key)
    return key
