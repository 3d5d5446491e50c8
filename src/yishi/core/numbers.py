"""Whole numbers typed into forms, URLs and query strings: one parse for all of them.

Every id and count the app stores fits a PostgreSQL `integer` (Piccolo's Serial keys and Integer
columns are 32-bit there; SQLite's are 64-bit): a typed number beyond that names nothing and would
overflow the database driver, so it is refused here, as junk is, before any query sees it. (Money
is not read here: core.money.parse_yuan, in fen, has its own range.)"""
from __future__ import annotations

from yishi.core.text import typed

MAX_INT = 2**31 - 1
MIN_INT = -(2**31)


def in_range(value: int) -> bool:
    return MIN_INT <= value <= MAX_INT


def parse_int(raw: object) -> int | None:
    """'42', '４２' (full-width) -> 42; blank -> None; junk, or beyond 32 bits, -> ValueError."""
    text = typed(raw)
    if not text:
        return None
    if len(text) > 20:  # longer than any such number: refused before int() does the work
        raise ValueError(text[:20])
    value = int(text)
    if not in_range(value):
        raise ValueError(text)
    return value
