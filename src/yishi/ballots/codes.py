"""Ballot codes and receipts: short, random, and easy to read aloud or type on a phone."""
from __future__ import annotations

import secrets

# The alphabet and the reading of typed codes are core's, shared with suggestion tracking codes.
from yishi.core.codes import ALPHABET, display, normalise

__all__ = ["ALPHABET", "CODE_LENGTH", "RECEIPT_LENGTH", "display", "new_code", "new_receipt", "normalise"]

CODE_LENGTH = 8
RECEIPT_LENGTH = 10


# `length` characters of ALPHABET, each uniform and independent, from one call to the system's
# random source instead of one per character (receipts are drawn on the ballot's hot path): a
# byte below the largest multiple of the alphabet's size maps to a character (translate), the
# few above it are dropped (rejection sampling, so no character is favoured).
_TABLE = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(256))
_DROP = bytes(range(256 - 256 % len(ALPHABET), 256))


def _draw(length: int) -> str:
    while True:
        picked = secrets.token_bytes(2 * length).translate(_TABLE, _DROP)
        if len(picked) >= length:
            return picked[:length].decode("ascii")


def new_code() -> str:
    return _draw(CODE_LENGTH)


def new_receipt() -> str:
    return _draw(RECEIPT_LENGTH)

