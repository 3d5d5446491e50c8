"""Rate limits that hold across every server process (`yishi serve --workers N`, or several
machines on one PostgreSQL): their counts live in a shared store, not in one process's memory.

The store is a table of small JSON records with an expiry (core.tables.SharedState). Each change
is one read-modify-write under the database's own serialisation: on SQLite a job of the group
commit (BEGIN IMMEDIATE holds the write lock, also against other processes); on PostgreSQL one
transaction that locks the row (an upsert that returns it). So two processes counting the same
key never lose a count.

Two kinds of limit use it:
- AttemptLimiter: at most `limit` attempts per key within a sliding `window` (the per-address
  login limit, the public suggestion form, tracking-code guesses);
- GrowingDelay: after `free` failures in a row, each further one makes the key wait twice as long
  as the one before, up to `max_delay` (the per-account login limit: it slows guessing from
  any number of addresses, yet never shuts the owner out for longer than `max_delay`).

Time is the wall clock (time.time): processes share it, where each has its own monotonic one.
"""
from __future__ import annotations

import hashlib
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from yishi.core.db import SharedSQLiteEngine
from yishi.core.tables import SharedState

R = TypeVar("R")
# change(value or None, now) -> (new value or None to delete it, its expiry, what to return)
Change = Callable[[Any, float], tuple[Any, float, R]]

_KEY_MAX = 200
# One change in this many also deletes the expired records (a scan of one-off usernames must not
# grow the table for ever); a sweep is one indexed-free DELETE of a small table.
SWEEP_ONE_IN = 64


def store_key(*parts: str) -> str:
    """A key from its parts; one longer than the column is shortened with a digest of the rest
    (a username is whatever a form posted)."""
    key = "|".join(parts)
    if len(key) <= _KEY_MAX:
        return key
    return key[:_KEY_MAX - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()


class Store(Protocol):
    async def get(self, key: str, now: float) -> Any: ...

    async def update(self, key: str, now: float, change: Change) -> Any: ...

    async def delete(self, key: str) -> None: ...


def _sqlite_update(conn: Any, key: str, now: float, change: Change, sweep: bool) -> Any:
    row = conn.execute("SELECT value, expires_at FROM shared_state WHERE key = ?", (key,)).fetchone()
    old = json.loads(row["value"]) if row and row["expires_at"] > now else None
    new, expires_at, result = change(old, now)
    if new is None:
        conn.execute("DELETE FROM shared_state WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT INTO shared_state (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key)"
            " DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
            (key, json.dumps(new), expires_at))
    if sweep:
        conn.execute("DELETE FROM shared_state WHERE expires_at <= ?", (now,))
    return result


# Makes the row if it is missing and locks it either way, returning what it holds: the second
# of two processes racing on a new key waits here for the first one's commit, then sees its count.
_PG_LOCK = (
    "INSERT INTO shared_state (key, value, expires_at) VALUES ({}, 'null', 0) ON CONFLICT (key)"
    " DO UPDATE SET key = excluded.key RETURNING value, expires_at"
)


class DatabaseStore:
    """The shared store in yishi's own database (the default; nothing else to run)."""

    async def get(self, key: str, now: float) -> Any:
        row = await SharedState.select(SharedState.value, SharedState.expires_at) \
            .where(SharedState.key == key).first().run()
        return json.loads(row["value"]) if row and row["expires_at"] > now else None

    async def update(self, key: str, now: float, change: Change) -> Any:
        engine = SharedState._meta.db
        sweep = random.randrange(SWEEP_ONE_IN) == 0
        if isinstance(engine, SharedSQLiteEngine):
            return await engine.write(_sqlite_update, key, now, change, sweep)
        async with engine.transaction():
            row = (await SharedState.raw(_PG_LOCK, key).run())[0]
            old = json.loads(row["value"]) if row["expires_at"] > now else None
            new, expires_at, result = change(old, now)
            if new is None:
                await SharedState.delete().where(SharedState.key == key).run()
            else:
                await SharedState.update({SharedState.value: json.dumps(new), SharedState.expires_at: expires_at}) \
                    .where(SharedState.key == key).run()
        if sweep:
            await SharedState.delete().where(SharedState.expires_at <= now).run()
        return result

    async def delete(self, key: str) -> None:
        await SharedState.delete().where(SharedState.key == key).run()


def _wait(until: float, now: float) -> int:
    """Whole seconds until `until`: half a second left is 1, never 0."""
    return max(1, math.ceil(until - now)) if until > now else 0


def minutes(wait: int) -> int:
    """A refusal's wait in whole minutes as told to the person: rounded up, at least 1."""
    return max(1, -(-wait // 60))


@dataclass
class AttemptLimiter:
    """At most `limit` attempts per key within a sliding `window` of seconds. The record is the
    list of the attempts' moments still inside the window."""

    store: Store
    name: str
    limit: int
    window: float

    def _key(self, key: str) -> str:
        return store_key(self.name, key)

    def _live(self, value: Any, now: float) -> list[float]:
        return [t for t in (value or []) if t > now - self.window]

    def _wait(self, moments: list[float], now: float) -> int:
        if len(moments) < self.limit:
            return 0
        return _wait(moments[-self.limit] + self.window, now)

    async def blocked_for(self, key: str) -> int:
        """Seconds until another attempt is allowed, 0 when allowed now."""
        now = time.time()
        return self._wait(self._live(await self.store.get(self._key(key), now), now), now)

    def _count(self, refuse_when_full: bool) -> Change:
        def change(value: Any, now: float) -> tuple[Any, float, int]:
            moments = self._live(value, now)
            wait = self._wait(moments, now)
            if wait and refuse_when_full:
                return moments, moments[-1] + self.window, wait
            moments = [*moments, now][-self.limit:]
            return moments, now + self.window, 0
        return change

    async def attempt(self, key: str) -> int:
        """Counts an attempt and allows it (0), or refuses it uncounted: the seconds to wait.
        Check and count are one step, so simultaneous attempts cannot all slip under the limit."""
        return await self.store.update(self._key(key), time.time(), self._count(True))

    async def fail(self, key: str) -> None:
        """Counts a failure (where only failures count: a tracking code that names nothing)."""
        await self.store.update(self._key(key), time.time(), self._count(False))

    async def reset(self, key: str) -> None:
        await self.store.delete(self._key(key))


@dataclass
class GrowingDelay:
    """After `free` failures in a row on a key, each further attempt first waits: `first_delay`
    seconds, then twice as long each time, at most `max_delay`. A success resets the key
    (`reset`); a key left alone for `forget` seconds starts afresh. The record is
    {"n": attempts counted, "until": the moment the next one is allowed}."""

    store: Store
    name: str
    free: int
    first_delay: float
    max_delay: float
    forget: float = 24 * 3600

    def _key(self, key: str) -> str:
        return store_key(self.name, key)

    def delay(self, n: int) -> float:
        """The wait after the n-th failure in a row."""
        if n <= self.free:
            return 0.0
        return min(self.max_delay, self.first_delay * 2 ** min(n - self.free - 1, 30))

    async def blocked_for(self, key: str) -> int:
        now = time.time()
        value = await self.store.get(self._key(key), now)
        return _wait(value["until"], now) if value else 0

    async def attempt(self, key: str) -> int:
        """Allows an attempt (0) and counts it, starting the wait that follows it should it fail;
        or refuses it uncounted while a wait runs: the seconds left. A success then calls reset."""
        def change(value: Any, now: float) -> tuple[Any, float, int]:
            value = value or {"n": 0, "until": 0.0}
            if value["until"] > now:
                return value, now + self.forget, _wait(value["until"], now)
            n = value["n"] + 1
            return {"n": n, "until": now + self.delay(n)}, now + self.forget, 0
        return await self.store.update(self._key(key), time.time(), change)

    async def reset(self, key: str) -> None:
        await self.store.delete(self._key(key))
