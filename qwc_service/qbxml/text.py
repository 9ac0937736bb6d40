"""Making text safe for QuickBooks Desktop before it goes into a request.

QuickBooks Desktop (US/CA) stores Latin-1. Latin-1 accents survive a round trip; anything else is
stored as "?" at best and rejected as bad XML at worst. Word-processor punctuation (curly quotes,
dashes, the ellipsis, the euro sign) is Windows-1252, not Latin-1, and is common in pasted text,
so it is spelled out in ASCII instead of being lost.

Transliteration can lengthen a value (``…`` becomes ``...``), so check field lengths afterwards.
"""

from __future__ import annotations

import unicodedata

__all__ = ["quickbooks_text"]

_SPELLED_OUT = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u2022": "*",
    "\u20ac": "EUR",
    "\u2122": "(TM)",
    "\u2039": "<",
    "\u203a": ">",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u200b": "",
    "\ufeff": "",
}
_LATIN1_LAST = 0xFF
_ALLOWED_CONTROLS = "\t\n\r"


def quickbooks_text(value: str) -> str:
    """Return ``value`` using only characters QuickBooks Desktop stores faithfully (Latin-1).

    Composed forms are used where they exist (e + combining acute becomes é), Windows-1252
    punctuation is spelled out in ASCII, letters with marks outside Latin-1 lose the mark
    (ő becomes o), control characters other than tab and newlines are dropped, and what is left
    outside Latin-1 becomes "?", which is what QuickBooks would have stored anyway.
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFC", value):
        code = ord(char)
        if code <= _LATIN1_LAST:
            is_control = unicodedata.category(char) == "Cc"
            if not is_control or char in _ALLOWED_CONTROLS:
                out.append(char)
            continue
        if char in _SPELLED_OUT:
            out.append(_SPELLED_OUT[char])
            continue
        base = "".join(
            part
            for part in unicodedata.normalize("NFKD", char)
            if ord(part) <= _LATIN1_LAST and not unicodedata.combining(part)
        )
        out.append(base or "?")
    return "".join(out)
