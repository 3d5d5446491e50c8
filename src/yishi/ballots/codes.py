"""Ballot codes and receipts: short, random, and easy to read aloud or type on a phone."""
from __future__ import annotations

import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: characters an elderly resident could mistake for one another.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8
RECEIPT_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_LENGTH))


def normalise(text: str) -> str:
    """What a resident typed -> the stored form: upper case, no spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def display(code: str) -> str:
    """'K7QM4XPR' -> 'K7QM-4XPR'."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
