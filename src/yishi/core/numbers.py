"""Whole numbers typed into forms, URLs and query strings: one parse for all of them.

Every id and count the app stores is a signed 64-bit integer on SQLite and PostgreSQL alike; a
typed number beyond that names nothing and would overflow the database driver, so it is refused
here, as junk is, before any query sees it."""
from __future__ import annotations

from yishi.core.text import typed

MAX_INT64 = 2**63 - 1
MIN_INT64 = -(2**63)


def in_range(value: int) -> bool:
    return MIN_INT64 <= value <= MAX_INT64


def parse_int(raw: object) -> int | None:
    """'42', '４２' (full-width) -> 42; blank -> None; junk, or beyond 64 bits, -> ValueError."""
    text = typed(raw)
    if not text:
        return None
    if len(text) > 20:  # longer than any 64-bit number: refused before int() does the work
        raise ValueError(text[:20])
    value = int(text)
    if not in_range(value):
        raise ValueError(text)
    return value
