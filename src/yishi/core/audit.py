"""Append-only audit trail: every state change is recorded with a dotted action name.

Tamper-evident: each entry carries the SHA-256 of its own content (canonical JSON) together with
the hash of the entry before it, so changing or deleting a row in the database breaks the chain
from there on, and `verify` names the first entry that does not match. Appends are serialised
(SQLite: the one writer, the read of the last hash and the insert in one write job; PostgreSQL:
a transaction-scoped advisory lock), so two writers never chain onto the same entry.

What it proves and what it does not: see the README ("审计日志的防篡改链")."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from yishi.core.db import SharedSQLiteEngine
from yishi.core.tables import AuditEntry

_LOCK_KEY = 0x79697368  # 'yish': the advisory lock that serialises appends on PostgreSQL
_COLUMNS = ("action", "actor_id", "actor_name", "object_type", "object_id", "data", "created_at",
            "prev_hash", "hash")


# The moment entries are stamped with: now, except inside `as_of`.
_as_of: ContextVar[datetime | None] = ContextVar("audit_as_of", default=None)


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    """Stamp the entries recorded inside with `moment` instead of now. For the demo only, whose
    stories happened over days but are written in a second: a case's history then reads as its
    own dates say (派单 three days ago, 签收 two days ago), not every step at the same minute.
    The chain is unchanged: entries are still appended and sealed in the order they are written."""
    token = _as_of.set(moment)
    try:
        yield
    finally:
        _as_of.reset(token)


def _moment(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _data(value: Any) -> str:
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def seal(entry: dict, prev_hash: str) -> str:
    """The entry's hash: SHA-256 of its content and the previous hash, as canonical JSON (sorted
    keys, no spaces, UTF-8, the moment in UTC to the microsecond)."""
    content = {"action": entry["action"], "actor_id": entry["actor_id"], "actor_name": entry["actor_name"] or "",
               "object_type": entry["object_type"] or "", "object_id": entry["object_id"],
               "data": _data(entry["data"]), "created_at": _moment(entry["created_at"]), "prev": prev_hash}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _append_sqlite(conn: Any, entry: dict) -> None:
    row = conn.execute("SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
    entry["prev_hash"] = (row["hash"] or "") if row else ""
    entry["hash"] = seal(entry, entry["prev_hash"])
    conn.execute(f"INSERT INTO audit_entry ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                 [entry[c] for c in _COLUMNS])


async def record(
    action: str,
    *,
    actor: Any = None,
    object_type: str = "",
    object_id: int | None = None,
    **data: Any,
) -> None:
    # The row, column by column (the SQLite path writes it with plain SQL, so by column name).
    entry: dict[str, Any] = {"action": action, "actor_id": getattr(actor, "id", None),
             "actor_name": getattr(actor, "display_name", "") or "", "object_type": object_type,
             # Stored in the order given (history pages show it so); sorted only to hash it.
             "object_id": object_id, "data": json.dumps(data, ensure_ascii=False, default=str),
             "created_at": _as_of.get() or datetime.now(UTC)}
    db = AuditEntry._meta.db
    if isinstance(db, SharedSQLiteEngine):
        await db.write(_append_sqlite, {**entry, "created_at": _moment(entry["created_at"])})
        return
    async with db.transaction():
        await AuditEntry.raw(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})").run()
        last = await AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id, ascending=False).first().run()
        prev_hash = (last["hash"] or "") if last else ""
        await AuditEntry.insert(AuditEntry(**entry, prev_hash=prev_hash, hash=seal(entry, prev_hash))).run()


async def entries_for(object_type: str, object_id: int) -> list[dict]:
    return (
        await AuditEntry.select()
        .where((AuditEntry.object_type == object_type) & (AuditEntry.object_id == object_id))
        .order_by(AuditEntry.id)
        .run()
    )


@dataclass(frozen=True)
class Head:
    entry_id: int
    hash: str

    @property
    def short(self) -> str:
        return self.hash[:16]


async def head() -> Head | None:
    """The chain's last entry now: its id and hash (what a published page prints)."""
    row = await AuditEntry.select(AuditEntry.id, AuditEntry.hash).where(AuditEntry.hash != "") \
        .order_by(AuditEntry.id, ascending=False).first().run()
    return Head(row["id"], row["hash"]) if row else None


async def head_of(actions: str | tuple[str, ...], object_type: str, object_id: int) -> Head | None:
    """The chain's head as it was when the last of `actions` was recorded on the object (that
    entry itself): e.g. a round's results as published at its close or last recount."""
    actions = (actions,) if isinstance(actions, str) else actions
    row = await AuditEntry.select(AuditEntry.id, AuditEntry.hash).where(
        AuditEntry.action.is_in(list(actions)) & (AuditEntry.object_type == object_type)
        & (AuditEntry.object_id == object_id) & (AuditEntry.hash != "")) \
        .order_by(AuditEntry.id, ascending=False).first().run()
    return Head(row["id"], row["hash"]) if row else None


@dataclass(frozen=True)
class Verdict:
    checked: int
    unsealed: int  # entries written before the chain existed (the first ones, if any)
    bad_id: int | None
    reason: str
    head: Head | None


async def verify(batch: int = 5000) -> Verdict:
    """Walk the chain in id order; the first entry whose stored hash is not the hash of its
    content and of the entry before it is named, with why."""
    prev, checked, unsealed, last_id = "", 0, 0, 0
    last: Head | None = None
    while True:
        rows = await AuditEntry.select().where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch).run()
        if not rows:
            return Verdict(checked, unsealed, None, "", last)
        for row in rows:
            last_id = row["id"]
            if not row["hash"] and last is None:
                unsealed += 1
                continue
            if (row["prev_hash"] or "") != prev:
                return Verdict(checked, unsealed, row["id"], "prev", last)
            if seal(row, prev) != row["hash"]:
                return Verdict(checked, unsealed, row["id"], "content", last)
            prev, checked, last = row["hash"], checked + 1, Head(row["id"], row["hash"])
