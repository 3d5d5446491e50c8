"""The mix: rows that were written together with the code that made them (a spent ballot code and
its ballot, a rating code's use and its rating) rewritten later all at once, in a random order.

Why: on PostgreSQL every row version carries the id of the transaction that wrote it (the
system column xmin), and the heap keeps rows in the order they were written (ctid). A code is
spent in the same transaction that stores its ballot (it must be: the code is spent if and only
if the ballot is stored), so before a mix anyone who can read the tables pairs each code with
its ballot by xmin, or by sorting both by ctid. After the mix every row of the round carries the
mix's own xmin, and the heap holds them in an order drawn at random.

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
from collections.abc import Sequence
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


async def lock(table: type[Table], kind: int, key: int) -> None:
    """Inside the mix's transaction: one mix of (kind, key) at a time. Two mixes of the same rows
    would each delete and insert them again, and the second's inserts would clash."""
    await _connection(table).execute(f"SELECT pg_advisory_xact_lock({int(kind)}, {int(key)})")


def _stash(table: type[Table]) -> str:
    return f"yishi_mix_{table._meta.tablename}"


async def rewrite_shuffled(specs: Sequence[tuple[type[Table], str]], *, between: Sequence[str] = ()) -> int:
    """Inside the caller's transaction on PostgreSQL: the rows of each table that match its
    `where`, deleted and inserted again with the same values (ids included) in a random order.
    `specs` lists parents before children: a child's `where` may name a parent's stash
    (`stash_of(Parent)`). The rows are copied first, each table in one statement after the
    previous one, so a row another transaction commits meanwhile is either copied with all its
    children or not touched at all; then `between` runs (statements that must see the copies and
    the rows still in place); then the rows are deleted, children first, and inserted, parents
    first. Returns how many rows of the first table were rewritten."""
    conn = _connection(specs[0][0])
    counts = []
    for table, where in specs:
        name = table._meta.tablename
        await conn.execute(f"CREATE TEMP TABLE {_stash(table)} ON COMMIT DROP AS SELECT * FROM {name} WHERE {where}")
        counts.append(await conn.fetchval(f"SELECT count(*) FROM {_stash(table)}"))
    for statement in between:
        await conn.execute(statement)
    for table, _where in reversed(specs):
        await conn.execute(f"DELETE FROM {table._meta.tablename} WHERE id IN (SELECT id FROM {_stash(table)})")
    for table, _where in specs:
        await conn.execute(f"INSERT INTO {table._meta.tablename} SELECT * FROM {_stash(table)} ORDER BY random()")
    for table, _where in specs:
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
