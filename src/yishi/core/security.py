"""Passwords (argon2id). The login limits are in core.limits."""
from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def configure_hasher(time_cost: int, memory_cost: int) -> None:
    global _hasher, _dummy_hash
    _dummy_hash = None
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


async def hash_password(password: str) -> str:
    # ~150 ms of CPU: keep it off the event loop.
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


async def burn_verify(password: str) -> None:
    """Spend a verification's time when the username is unknown, so timing does not reveal
    which usernames exist."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = await hash_password("not-the-password")
    await verify_password(_dummy_hash, password)


_dummy_hash: str | None = None


# A one-time password is a random secret of ~50 bits (core.passwords) that must be replaced at the
# first login: guessing it is hopeless whatever the hash costs, so a bulk import of a street's
# thousand accounts hashes them cheaply (about 5 ms each instead of 150) and the owner's own
# password, chosen at the first login, gets the full cost.
_one_time_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def hash_one_time_sync(password: str) -> str:
    return _one_time_hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    """A hash made with other costs than today's (an older setting, a cheap one-time hash)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False
