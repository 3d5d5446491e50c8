"""What a new password must be: long enough, not among the passwords everyone tries first, not
the username; and one-time passwords for a reset or a bulk import, easy to read aloud."""
from __future__ import annotations

import itertools
import secrets
from functools import cache
from pathlib import Path

from yishi.core.i18n import _

MIN_LENGTH = 8
MAX_LENGTH = 128
# No 0/O, 1/l/I: a one-time password is read off a sheet of paper or over the phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@cache
def common_passwords() -> frozenset[str]:
    """The most used passwords of Chinese and international leaks (top lists), lower-cased; only
    those of MIN_LENGTH or more matter, shorter ones are refused for their length."""
    text = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def _run_of_one(password: str) -> bool:
    return len(set(password)) <= 2


def _sequence(password: str) -> bool:
    """12345678, 87654321, abcdefgh: each character one step from the last."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(password)}
    return steps in ({1}, {-1})


def problem(password: str, username: str = "") -> str | None:
    """Why this password will not do, in a sentence; None when it will."""
    if len(password) < MIN_LENGTH:
        return _("密码至少需要 {n} 个字符。").format(n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("密码不能超过 {n} 个字符。").format(n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or _run_of_one(password) or _sequence(lowered):
        return _("这个密码太常见，很容易被猜到，请换一个。")
    if username and username.lower() in lowered:
        return _("密码不能包含用户名。")
    return None


def one_time_password() -> str:
    """Ten characters in two groups of five (about 50 bits), e.g. k7mpx-4qtz9."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"
