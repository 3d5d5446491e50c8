"""The mix: rows that were written together with the code that made them (a spent ballot code and
its ballot, a rating code's use and its rating) rewritten later all at once, in an order that
owes nothing to when they were written.

Why: on PostgreSQL every row version carries the id of the transaction that wrote it (the
system column xmin), and the heap keeps rows in the order they were written (ctid). A code is
spent in the same transaction that stores its ballot (it must be: the code is spent if and only
if the ballot is stored), so before a mix anyone who can read the tables pairs each code with
its ballot by xmin, or by sorting both by ctid. After the mix every row of the round carries the
mix's own xmin, and the heap holds them in an order that owes nothing to when they were written
(the order of their random ids, or one drawn at random).

What it cannot do: the old row versions stay in the heap, invisible to SQL, until VACUUM frees
them (readable before that only with superuser tools such as pageinspect, or from the files);
the write-ahead log and a continuous observer of the database saw every row as it was written.
SQLite has neither xmin nor a physical order a query can see (a table's rows are kept by rowid,
which for these tables is the random id), so there the mix does nothing. See the README
("选票保密").

Callers build the `where` texts from integers they checked themselves: they are SQL, not data.
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

log = logging.getLogger(__name__)


def is_postgres(table: type[Table]) -> bool:
    return isinstance(table._meta.db, PostgresEngine)


def _connection(table: type[Table]) -> Any:
    transaction = table._meta.db.current_transaction.get()
    if transaction is None:
        raise RuntimeError("the mix runs inside a transaction")
    return transaction.connection


@dataclass(frozen=True)
class Kind:
    """What a domain mixes per round: its advisory lock's first key, the table that remembers
    each round's last mix (columns round, `count_column`, mixed_at), the SQL that counts the rows
    each round has now (`round, n`), and the tables the mix rewrites (VACUUMed after)."""

    lock: int
    marker: type[Table]
    count_column: str
    counts: str
    tables: tuple[type[Table], ...]


async def mix(kind: Kind, round_id: int, work: Callable[[int], Awaitable[int]], *, force: bool) -> int | None:
    """One mix of a round, in the caller's transaction if there is one, else in its own: waits
    for any other mix of the round (an advisory lock: two mixes of the same rows would each
    delete and insert them again, and the second's inserts would clash), then, unless `force`,
    does nothing (None) when the round has no rows since its last mix (another pass mixed it
    meanwhile); else `work(round_id)`, which returns how many rows it mixed, and remembers that
    count. Nothing at all on SQLite (0)."""
    table = kind.marker
    if not is_postgres(table):
        return 0
    r, name, column = int(round_id), table._meta.tablename, kind.count_column
    async with table._meta.db.transaction():
        conn = _connection(table)
        await conn.execute(f"SELECT pg_advisory_xact_lock({int(kind.lock)}, {r})")
        if not force and r not in await _due(kind, r):
            return None
        mixed = await work(r)
        await conn.execute(
            f"INSERT INTO {name} (round, {column}, mixed_at) VALUES ($1, $2, $3) ON CONFLICT (round)"
            f" DO UPDATE SET {column} = excluded.{column}, mixed_at = excluded.mixed_at", r, mixed, datetime.now(UTC))
    return mixed


async def _due(kind: Kind, round_id: int | None = None) -> list[int]:
    only = f"WHERE c.round = {int(round_id)} AND" if round_id is not None else "WHERE"
    rows = await kind.marker.raw(
        f"SELECT c.round FROM ({kind.counts}) AS c LEFT JOIN {kind.marker._meta.tablename} m ON m.round = c.round"
        f" {only} c.n <> coalesce(m.{kind.count_column}, -1) ORDER BY c.round").run()
    return [row["round"] for row in rows]


async def due_rounds(kind: Kind) -> list[int]:
    """Rounds with more rows than at their last mix (or never mixed). Empty on SQLite."""
    return await _due(kind) if is_postgres(kind.marker) else []


async def mix_due(kind: Kind, mix_round: Callable[[int], Awaitable[int | None]]) -> dict[int, int]:
    """The scheduled pass: every due round mixed, each in a transaction of its own, then the
    tables VACUUMed. {round id: rows mixed}, without the rounds another pass mixed meanwhile."""
    mixed = {}
    for round_id in await due_rounds(kind):
        n = await mix_round(round_id)
        if n is not None:
            mixed[round_id] = n
    if mixed:
        await vacuum(kind.tables)
    return mixed


async def run(table: type[Table], sql: str) -> None:
    """Statements of a mix (text only, no parameters) on its transaction's connection."""
    await _connection(table).execute(sql)


def _stash(table: type[Table]) -> str:
    return f"yishi_mix_{table._meta.tablename}"


async def rewrite_shuffled(specs: Sequence[tuple[type[Table], str, str]], *, between: Sequence[str] = ()) -> int:
    """Inside the caller's transaction on PostgreSQL: the rows of each table that match its
    `where`, deleted and inserted again with the same values (ids included) in the order
    `order` gives, which must owe nothing to when the rows were written: their random ids
    (db.secret_id), which anyone reads anyway, and which the indexes take faster than a random()
    order (10,000 ballots: 1.2 s against 1.7 s for their 30,000 ticks, bench/bench_mix.py).
    `specs` lists parents before children: a child's `where` may name a parent's stash
    (`stash_of(Parent)`). The rows are copied first, each table in one statement after the
    previous one, so a row another transaction commits meanwhile is either copied with all its
    children or not touched at all; then `between` runs (statements that must see the copies and
    the rows still in place); then the rows are deleted, children first, and inserted, parents
    first. Returns how many rows of the first table were rewritten."""
    conn = _connection(specs[0][0])
    counts = []
    for table, where, _order in specs:
        name = table._meta.tablename
        await conn.execute(f"CREATE TEMP TABLE {_stash(table)} ON COMMIT DROP AS SELECT * FROM {name} WHERE {where}")
        counts.append(await conn.fetchval(f"SELECT count(*) FROM {_stash(table)}"))
    for statement in between:
        await conn.execute(statement)
    for table, _where, _order in reversed(specs):
        await conn.execute(f"DELETE FROM {table._meta.tablename} WHERE id IN (SELECT id FROM {_stash(table)})")
    for table, _where, order in specs:
        await conn.execute(f"INSERT INTO {table._meta.tablename} SELECT * FROM {_stash(table)} ORDER BY {order}")
    for table, _where, _order in specs:
        await conn.execute(f"DROP TABLE {_stash(table)}")
    return counts[0]


def stash_of(table: type[Table]) -> str:
    """The copy rewrite_shuffled keeps of `table`'s rows while it runs (for a child's `where`)."""
    return _stash(table)


async def restamp_shuffled(table: type[Table], column: str, where: str) -> None:
    """Inside the caller's transaction on PostgreSQL: every row of `table` matching `where`
    written again unchanged (`column = column`), one by one in a random order, so each gets the
    mix's xmin and its new version lands in the heap in that order. For rows that others refer
    to (a ballot code), which cannot be deleted and inserted again."""
    name, column = table._meta.tablename, table._meta.get_column_by_name(column)._meta.db_column_name
    await _connection(table).execute(
        "DO $mix$ DECLARE r record; BEGIN"
        f" FOR r IN SELECT id FROM {name} WHERE {where} ORDER BY random() LOOP"
        f" UPDATE {name} SET {column} = {column} WHERE id = r.id;"
        " END LOOP; END $mix$")


async def vacuum(tables: Sequence[type[Table]]) -> None:
    """After a mix has committed: VACUUM the tables, so the row versions the mix replaced are
    freed (until then pageinspect, a superuser's tool, still shows them with their old xmin).
    Outside any transaction (VACUUM cannot run in one). Best effort: a role that may not VACUUM
    is logged, and autovacuum does it later."""
    engine = tables[0]._meta.db
    if not isinstance(engine, PostgresEngine):
        return
    names = ", ".join(t._meta.tablename for t in tables)
    try:
        if engine.pool is not None:
            async with engine.pool.acquire() as conn:
                await conn.execute(f"VACUUM {names}")
        else:
            conn = await engine.get_new_connection()
            try:
                await conn.execute(f"VACUUM {names}")
            finally:
                await conn.close()
    except Exception:  # a failed VACUUM leaves the mix whole; autovacuum comes later
        log.warning("VACUUM %s after the mix failed", names, exc_info=True)
