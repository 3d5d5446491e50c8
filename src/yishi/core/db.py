"""Database engines: SQLite on one shared connection, or PostgreSQL from a URL.

Piccolo's SQLiteEngine opens a fresh connection (and thread) for every query, which caps writes
at a few hundred a second. SQLite allows one writer at a time anyway, so this engine keeps one
connection per event loop, on a thread of its own, and serialises statements and transactions on
it with a lock. The PRAGMAs are set once per connection: WAL so readers never block the writer,
synchronous=FULL so an acknowledged ballot survives a power cut, foreign keys on.

Writes outside a transaction go through a group commit (`SharedSQLiteEngine.write`): the
writes that queue up while one COMMIT is being flushed to disk run together in the next
transaction, each in a savepoint of its own, and each caller is answered only after that COMMIT
returned. One fsync then serves many writes, a failing write takes none of the others with it,
and nothing is acknowledged before it is on disk. A hot path (casting a ballot) hands `write` a
plain function of the sqlite3 connection, so its statements cost one hop to the database thread
in all.

PostgreSQL: one asyncpg pool per event loop, which keeps its connections' sessions as they are
on release (see `_keep_session`).
"""
from __future__ import annotations

import asyncio
import contextlib
import io
import secrets
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from queue import SimpleQueue
from typing import Any, TypeVar
from urllib.parse import unquote, urlparse

from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.table import Table

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
)
# Writes committed together at most; bounds how long one transaction holds the database.
MAX_GROUP = 256

T = TypeVar("T")


def _resolve(future: asyncio.Future, ok: bool, value: Any) -> None:
    if future.done():  # the caller gave up (cancelled); the outcome stands all the same
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class SQLiteThread:
    """One sqlite3 connection, used only from a thread of its own; coroutines queue work to it.

    Work runs in the order it was queued, each item to completion, so a function given to
    `run` (a whole group commit, say) is never interleaved with anything else.
    """

    def __init__(self, connect_kwargs: dict[str, Any]) -> None:
        self._kwargs = connect_kwargs
        self._queue: SimpleQueue = SimpleQueue()
        self._conn: sqlite3.Connection | None = None
        # A daemon: a short-lived loop (a CLI command) may end without closing us, and the
        # process must still exit. WAL keeps every committed write; an uncommitted one was
        # never acknowledged.
        self._thread = threading.Thread(target=self._work, name="yishi-sqlite", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            future, fn, args = self._queue.get()
            if fn is None:
                return
            try:
                outcome = (True, fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting coroutine
                outcome = (False, exc)
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting any more
                future.get_loop().call_soon_threadsafe(_resolve, future, *outcome)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        future = asyncio.get_running_loop().create_future()
        self._queue.put((future, fn, args))
        return await future

    def _open(self) -> None:
        # The data folder is made when the database is first opened, not when settings are read
        # or a table is imported.
        Path(self._kwargs["database"]).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(**self._kwargs)
        conn.row_factory = dict_factory
        for pragma in PRAGMAS:
            conn.execute(pragma)
        self._conn = conn

    async def open(self) -> SQLiteThread:
        await self._call(self._open)
        return self

    def _opened(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("SQLiteThread used before open()")
        return self._conn

    async def execute(self, sql: str, params: Any = None) -> list:
        """One statement, its rows as dicts. Piccolo's transactions call this to BEGIN/COMMIT."""
        return await self._call(lambda: _fetchall(self._opened(), sql, params or ()))

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(sqlite3_connection, *args) on the connection's thread."""
        return await self._call(lambda: fn(self._opened(), *args))

    async def close(self) -> None:
        def _close() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        try:
            await self._call(_close)
        finally:
            self._queue.put((None, None, None))


_WRITES = {"INSERT", "UPDATE", "DELETE", "REPLAC"}


def _fetchall(conn: sqlite3.Connection, sql: str, params: Any) -> list:
    cursor = conn.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _in_savepoint(conn: sqlite3.Connection, job: Callable[..., T], args: tuple) -> T:
    conn.execute("SAVEPOINT yishi_write")
    try:
        result = job(conn, *args)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK TO yishi_write")
            conn.execute("RELEASE yishi_write")
        raise
    conn.execute("RELEASE yishi_write")
    return result


def _group_commit(conn: sqlite3.Connection, jobs: list[tuple[Callable, tuple]]) -> list[tuple[bool, Any]]:
    """Run every job in one transaction, each in a savepoint: a job that raises leaves nothing
    behind and does not disturb the others. Returns (ok, result or exception) per job; raises
    (nothing committed) if the transaction itself fails."""
    conn.execute("BEGIN IMMEDIATE")
    outcomes: list[tuple[bool, Any]] = []
    try:
        for job, args in jobs:
            conn.execute("SAVEPOINT yishi_write")
            try:
                value = job(conn, *args)
            except Exception as exc:
                if not conn.in_transaction:
                    # SQLite rolled the whole transaction back (I/O error, full disk, ...):
                    # none of this group stands, so none of it may be acknowledged.
                    raise
                conn.execute("ROLLBACK TO yishi_write")
                conn.execute("RELEASE yishi_write")
                outcomes.append((False, exc))
            else:
                conn.execute("RELEASE yishi_write")
                outcomes.append((True, value))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


class _Shared:
    def __init__(self, connection: SQLiteThread) -> None:
        self.connection = connection
        self.lock = asyncio.Lock()
        self.pending: list[tuple[asyncio.Future, Callable, tuple]] = []
        self.flusher: asyncio.Task | None = None


class SharedSQLiteTransaction(SQLiteTransaction):
    """A transaction that holds the shared connection's lock from BEGIN to COMMIT."""

    async def get_connection(self):
        shared = await self.engine._shared()
        await shared.lock.acquire()
        self._shared_lock = shared.lock
        return shared.connection

    async def __aenter__(self):
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self.begin()
        except BaseException:
            self._shared_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self._shared_lock.release()
            self.engine.current_transaction.reset(self.context)
        return exception is None


class SharedSQLiteEngine(SQLiteEngine):
    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=10, check_same_thread=False, **kwargs)
        self._by_loop: dict[asyncio.AbstractEventLoop, _Shared] = {}

    async def _shared(self) -> _Shared:
        loop = asyncio.get_running_loop()
        shared = self._by_loop.get(loop)
        if shared is None:
            connection = await SQLiteThread(self.connection_kwargs).open()
            shared = self._by_loop.setdefault(loop, _Shared(connection))
            if shared.connection is not connection:
                await connection.close()
        return shared

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        shared = self._by_loop.get(loop)
        if shared is None:
            return
        if shared.flusher is not None:
            await asyncio.shield(shared.flusher)
        self._by_loop.pop(loop, None)
        await shared.connection.close()

    async def get_connection(self):
        # Piccolo's batch() reads on a connection of its own (an aiosqlite one, as Piccolo's).
        connection = await super().get_connection()
        for pragma in PRAGMAS[2:]:
            await connection.execute(pragma)
        return connection

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        if query.lstrip()[:6].upper() in _WRITES:
            # A write outside a transaction: commit it with whatever else is being written.
            return await self.write(_fetchall, query, args or ())
        shared = await self._shared()
        async with shared.lock:
            return await shared.connection.execute(query, args)

    async def _run_in_existing_connection(
        self, connection, query, args=None, query_type="generic", table=None
    ):
        # Piccolo re-sends PRAGMA foreign_keys before every statement; ours is set once.
        return await connection.execute(query, args)

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return SharedSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def write(self, job: Callable[..., T], *args: Any) -> T:
        """Run job(sqlite3_connection, *args) in a write transaction and return its result once
        that transaction is committed (group commit: see the module's docstring).

        The job runs on the database thread: plain sqlite3 calls, no awaiting, quick. If it
        raises, its own changes are rolled back and the exception comes back here; the other
        writes of its group are unaffected. Inside a Piccolo transaction the job runs in that
        transaction instead (in a savepoint), and is committed with it.
        """
        shared = await self._shared()
        if self.current_transaction.get() is not None:
            return await shared.connection.run(_in_savepoint, job, args)
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        shared.pending.append((future, job, args))
        if shared.flusher is None:
            shared.flusher = loop.create_task(self._flush(shared))
        return await future

    async def _flush(self, shared: _Shared) -> None:
        batch: list = []
        try:
            while shared.pending:
                batch = [p for p in shared.pending[:MAX_GROUP] if not p[0].done()]
                del shared.pending[:MAX_GROUP]
                if not batch:
                    continue
                async with shared.lock:
                    try:
                        outcomes = await shared.connection.run(
                            _group_commit, [(job, args) for _f, job, args in batch])
                    except Exception as exc:  # noqa: BLE001 — handed to every waiting coroutine
                        outcomes = [(False, exc)] * len(batch)
                for (future, _job, _args), (ok, value) in zip(batch, outcomes, strict=True):
                    _resolve(future, ok, value)
                batch = []
        except BaseException:  # cancelled (shutdown) with writes in flight: answer every waiter
            stopped = RuntimeError("the database writer stopped; this write may not be saved")
            for future, _job, _args in [*batch, *shared.pending]:
                _resolve(future, False, stopped)
            shared.pending.clear()
            raise
        finally:
            shared.flusher = None


class LoopPoolPostgresEngine(PostgresEngine):
    """PostgreSQL with one asyncpg pool per event loop: a pool belongs to the loop that made it,
    and a test client runs the app on a loop of its own beside the test's."""

    @property
    def pool(self):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return self.__dict__.setdefault("_pools", {}).get(loop)

    @pool.setter
    def pool(self, value) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        pools = self.__dict__.setdefault("_pools", {})
        if value is None:
            pools.pop(loop, None)
        else:
            pools[loop] = value


def make_engine(url: str) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:////abs/path or sqlite:///relative
        path = unquote(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else parsed.path
        if not path.startswith("/") and url.startswith("sqlite:////"):
            path = "/" + path
        return SharedSQLiteEngine(path=path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
    if parsed.scheme in ("postgres", "postgresql"):
        return LoopPoolPostgresEngine(
            config={
                "host": parsed.hostname or "127.0.0.1",
                "port": parsed.port or 5432,
                "user": unquote(parsed.username or "postgres"),
                "password": unquote(parsed.password or "") or None,
                "database": (parsed.path or "/").lstrip("/") or "postgres",
            },
            extensions=(),
        )
    raise ValueError(f"YISHI_DATABASE_URL 不支持的数据库类型： {parsed.scheme}")


async def _keep_session(connection) -> None:
    """asyncpg's pool resets a connection on release with a query of its own (RESET ALL,
    UNLISTEN *, advisory unlocks): one more round trip for every query Piccolo runs outside a
    transaction. yishi sets no session state, listens to nothing and takes no advisory locks, so
    there is nothing to reset; asyncpg still rolls back a transaction left open, by itself."""


async def start(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=2, max_size=10, reset=_keep_session)


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, SharedSQLiteEngine):
        await engine.close()


_current: Engine | None = None


def current() -> Engine | None:
    """The engine configure() set up last (piccolo_conf.DB answers with it), or None."""
    return _current


def configure(url: str) -> Engine:
    """Point every table, and Piccolo's migrations (piccolo_conf.DB), at the engine for `url`.
    Called with the one Settings object by create_app and the `yishi` command; the same SQLite
    file keeps its engine (and its one connection)."""
    global _current
    engine = make_engine(url)
    if isinstance(_current, SharedSQLiteEngine) and isinstance(engine, SharedSQLiteEngine) \
            and engine.path == _current.path:
        engine = _current
    _current = engine
    tables: list[type[Table]] = [*Finder().get_table_classes(), Migration]
    for table in tables:
        table._meta._db = engine
    return engine


# PostgreSQL's integer, the type of Piccolo's Serial primary key.
SECRET_ID_MAX = 2**31 - 1
SECRET_ATTEMPTS = 8


def secret_id() -> int:
    """A random primary key for a row that must not tell when it was written: a ballot and its
    ticks, a rating and the use of its code. Sequential ids grow in the order rows are written,
    so sorting two tables by id pairs the rows written together (a spent code with its ballot,
    a code's use with its rating). A clash (one in 2^31 per stored row) is drawn again."""
    return secrets.randbelow(SECRET_ID_MAX) + 1


async def insert_secret(table: Any, **values: Any) -> int:
    """Insert one row of `table` under a secret_id (checked free first: the row is written inside
    the caller's transaction, where a refused insert would spoil it on PostgreSQL); its id."""
    for _attempt in range(SECRET_ATTEMPTS):
        row_id = secret_id()
        if not await table.exists().where(table.id == row_id):
            await table.insert(table(id=row_id, **values)).run()
            return row_id
    raise RuntimeError(f"no free secret id in {table._meta.tablename}")


async def free_secret_ids(table: Any, count: int) -> list[int]:
    """`count` distinct secret ids no row of `table` holds yet, for a bulk insert (an imported
    round's ballots): the clashing ones are drawn again."""
    chosen: set[int] = set()
    while len(chosen) < count:
        draw = {secret_id() for _n in range(count - len(chosen))} - chosen
        batch = sorted(draw)
        for start in range(0, len(batch), 500):  # well under SQLite's limit of bound parameters
            draw -= {r["id"] for r in await table.select(table.id).where(table.id.is_in(batch[start:start + 500]))}
        chosen |= draw
    return sorted(chosen)


def is_unique_violation(exc: BaseException) -> bool:
    """Did the database refuse a row because a unique index already holds its key? (SQLite's
    IntegrityError naming UNIQUE, or asyncpg's UniqueViolationError.) The last guard of every
    "once only" rule: a second vote, a second submission, a clashing code."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc).upper()
    return type(exc).__name__ == "UniqueViolationError"


async def migrate(quiet: bool = False) -> None:
    """Run every pending Piccolo migration on the configured engine (`yishi migrate`, `yishi serve`,
    the purge run, the tests). A failed migration ends the program, with Piccolo's output."""
    # Loaded only by the commands that migrate, not by every import of core.db.
    from piccolo.apps.migrations.commands.forwards import run_forwards  # noqa: PLC0415 — start-up cost

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        response = await run_forwards(app_name="all", fake=False)
    if not response.success:
        print(sink.getvalue(), file=sys.stderr)
        raise SystemExit(f"数据库迁移失败： {response.message}")
