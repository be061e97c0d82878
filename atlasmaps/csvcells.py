"""CSV cells for spreadsheets: formula injection neutralised.

OWASP's rule for "CSV injection": a cell that starts with = + - @, a tab or a carriage return is
run by Excel or LibreOffice as a formula (=HYPERLINK(...), =cmd|...). A leading apostrophe makes it
text. Every CSV atlasmaps writes for people goes through `neutralise`. The corrections template
comes back filled in with the apostrophe still there: harmless, since names are compared after
`normalize_name`, which ignores punctuation.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise(value: object) -> object:
    """The cell made safe: text that starts like a formula gets a leading apostrophe.

    Plain numbers (-1.5 in partner_lon, +33) are left alone, whatever the column: a spreadsheet
    reads them as numbers, which run nothing, and numeric columns stay numeric.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
