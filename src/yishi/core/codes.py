"""Codes residents read off paper and type back (ballot codes, receipts, suggestion tracking
codes): one alphabet and one way to read what was typed."""
from __future__ import annotations

import re

from yishi.core.text import typed

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: characters an elderly resident could mistake for one another
# when reading a code off a slip of paper or aloud over the phone.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"

# Between codes in a list: commas, semicolons, spaces, and the enumeration comma (U+3001 顿号).
# NFKC has already turned the full-width comma, semicolon and space into ASCII ones.
_SEPARATORS = re.compile("[\\s,;\u3001]+")


def normalise(text: str | None) -> str:
    """What a resident typed -> the stored form: full-width characters as ASCII (NFKC), upper
    case, only letters and digits (dashes and spaces dropped)."""
    folded = typed(text).upper()
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


def split(text: str | None) -> list[str]:
    """Several codes typed in one field -> their stored forms, in order, blanks dropped:
    'K7QM-4XPR，ACDE FGHJ、…' (an input method's comma, 顿号 or semicolon, or spaces)."""
    parts = _SEPARATORS.split(typed(text))
    return [code for code in (normalise(p) for p in parts) if code]


def is_plausible(code: str, length: int) -> bool:
    return len(code) == length and all(ch in ALPHABET for ch in code)


def display(code: str) -> str:
    """'K7QM4XPR' -> 'K7QM-4XPR'."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
