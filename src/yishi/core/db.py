"""Database engines: SQLite on one shared connection, or PostgreSQL from a URL.

Piccolo's SQLiteEngine opens a fresh connection (and thread) for every query, which caps writes
at a few hundred a second. SQLite allows one writer at a time anyway, so this engine keeps one
connection per event loop and serialises statements and transactions on it with a lock. The
PRAGMAs are set once per connection: WAL so readers never block the writer, synchronous=FULL so
an acknowledged ballot survives a power cut, foreign keys on.
"""
from __future__ import annotations

import asyncio
import sqlite3
from typing import Any
from urllib.parse import unquote, urlparse

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
)


class _Shared:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection
        self.lock = asyncio.Lock()


class SharedSQLiteTransaction(SQLiteTransaction):
    """A transaction that holds the shared connection's lock from BEGIN to COMMIT."""

    async def get_connection(self):
        shared = await self.engine._shared()
        await shared.lock.acquire()
        self._shared_lock = shared.lock
        return shared.connection

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
            pending = aiosqlite.connect(**self.connection_kwargs)
            # A short-lived loop (a CLI command) may end without closing us; a daemon thread
            # lets the process exit, and SQLite's WAL keeps every committed write.
            pending._thread.daemon = True
            connection = await pending
            connection.row_factory = dict_factory  # type: ignore[assignment]
            for pragma in PRAGMAS:
                await connection.execute(pragma)
            shared = self._by_loop.setdefault(loop, _Shared(connection))
            if shared.connection is not connection:
                await connection.close()
        return shared

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        shared = self._by_loop.pop(loop, None)
        if shared is not None:
            await shared.connection.close()

    async def get_connection(self):
        connection = await super().get_connection()
        for pragma in PRAGMAS[2:]:
            await connection.execute(pragma)
        return connection

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        shared = await self._shared()
        async with shared.lock:
            async with shared.connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()

    async def _run_in_existing_connection(
        self, connection, query, args=None, query_type="generic", table=None
    ):
        # Piccolo re-sends PRAGMA foreign_keys before every statement; ours is set once.
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return SharedSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


class LoopPoolPostgresEngine(PostgresEngine):
    """PostgreSQL with one asyncpg pool per event loop: a pool belongs to the loop that made it,
    and a test client runs the app on a loop of its own beside the test's."""

    @property  # type: ignore[override]
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
    raise ValueError(f"YISHI_DATABASE_URL 不支持的数据库类型: {parsed.scheme}")


async def start(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=2, max_size=10)


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, SharedSQLiteEngine):
        await engine.close()


def configure(url: str) -> Engine:
    """Point every table at the engine for `url`. Piccolo binds tables to piccolo_conf.DB at
    import; an app built from explicit settings may ask for another database."""
    from piccolo.conf.apps import Finder

    import yishi.piccolo_conf as conf

    current = conf.DB
    same = (
        isinstance(current, SharedSQLiteEngine) and url.startswith("sqlite")
        and make_engine(url).path == current.path
    )
    engine = current if same else make_engine(url)
    conf.DB = engine
    from piccolo.apps.migrations.tables import Migration

    for table in [*Finder().get_table_classes(), Migration]:
        table._meta._db = engine
    return engine
