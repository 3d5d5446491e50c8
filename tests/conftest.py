"""Test set-up: one database per run (SQLite file, or a fresh PostgreSQL database when
YISHI_TEST_DB=postgres), migrated once, emptied after every test."""
from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from tests import axe  # stdlib only: imports nothing of the app before the settings below

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
TEST_DB = os.environ.get("YISHI_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("YISHI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")

_tmp = Path(tempfile.mkdtemp(prefix="yishi-test-"))
os.environ["YISHI_DATA_DIR"] = str(_tmp)
os.environ["YISHI_SECRET_KEY"] = "test-secret-key-not-for-production"
# Cheap argon2 in tests only; production keeps the library's defaults.
os.environ["YISHI_ARGON2_TIME_COST"] = "1"
os.environ["YISHI_ARGON2_MEMORY_COST"] = "1024"

if TEST_DB == "postgres":
    import asyncio

    import asyncpg

    _pg_name = f"yishi_test_{uuid.uuid4().hex[:10]}"

    async def _create() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{_pg_name}"')
        finally:
            await conn.close()

    try:
        asyncio.run(_create())
    except (OSError, asyncpg.PostgresError) as exc:  # pragma: no cover - depends on the machine
        raise SystemExit(f"PostgreSQL is required for YISHI_TEST_DB=postgres and is not reachable: {exc}") from exc
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    os.environ["YISHI_DATABASE_URL"] = f"{base}/{_pg_name}"
else:
    os.environ["YISHI_DATABASE_URL"] = f"sqlite:///{_tmp / 'test.sqlite3'}"

import yishi  # noqa: E402,F401  (sets PICCOLO_CONF)
from yishi.config import load_settings  # noqa: E402
from yishi.core import db as core_db  # noqa: E402

SETTINGS = load_settings()
ENGINE = core_db.configure(SETTINGS.database_url)
# The cheap cost above reaches the hasher only through create_app; service tests build no app.
from yishi.core.security import configure_hasher  # noqa: E402

configure_hasher(SETTINGS.argon2_time_cost, SETTINGS.argon2_memory_cost)


# What a page looks like does not depend on the database: the walks over every page (marker `walk`)
# and axe-core on each page of the other browser tests run in the SQLite run, once, which keeps the
# two runs of `make test` together under 15 minutes. YISHI_PAGE_CHECKS=1 turns them on for PostgreSQL.
PAGE_CHECKS = TEST_DB == "sqlite" or os.environ.get("YISHI_PAGE_CHECKS") == "1"


# A test marked pure touches no database: the PostgreSQL run of `make test` would run the very same
# code a second time (the MES tallies of the real elections, the catalogs, the settings: ~50 s).
# It runs in the SQLite run only; any database will do for it.
PURE_ONCE = TEST_DB == "postgres"


def pytest_collection_modifyitems(config, items):
    walk = pytest.mark.skip(reason="page walks run in the SQLite run (pages are the same on either database)")
    pure = pytest.mark.skip(reason="touches no database: run in the SQLite run")
    for item in items:
        if not PAGE_CHECKS and item.get_closest_marker("walk"):
            item.add_marker(walk)
        elif PURE_ONCE and item.get_closest_marker("pure"):
            item.add_marker(pure)


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: its figures go to the controller
        session.config.workeroutput["figures"] = _FIGURES
    if TEST_DB == "postgres":
        import asyncio

        import asyncpg

        async def _drop() -> None:
            conn = await asyncpg.connect(PG_ADMIN_URL)
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{_pg_name}" WITH (FORCE)')
            finally:
                await conn.close()

        asyncio.run(_drop())


@pytest.fixture(scope="session", autouse=True)
async def migrated():
    from yishi.cli import migrate_async

    await core_db.start(ENGINE)
    await migrate_async(quiet=True)
    yield
    if _APP_ENGINE is not None and _APP_ENGINE is not ENGINE:
        await core_db.stop(_APP_ENGINE)
    await core_db.stop(ENGINE)


@functools.cache
def _tables_in_delete_order() -> tuple[str, ...]:
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    tables = sort_table_classes(Finder().get_table_classes())
    return tuple(t._meta.tablename for t in reversed(tables))


async def empty_tables() -> None:
    # DELETE, not TRUNCATE, on PostgreSQL too: a test leaves a handful of rows, and TRUNCATE's
    # new files cost ~0.2 s a test, more than most tests themselves. No test relies on ids
    # restarting. All ~70 statements in one go: one transaction (one fsync) on SQLite, one round
    # trip on PostgreSQL, instead of one each (10-15 ms a test, ~20 s of a run).
    deletes = [f'DELETE FROM "{name}"' for name in _tables_in_delete_order()]
    if isinstance(ENGINE, core_db.SharedSQLiteEngine):
        await ENGINE.write(_run_all, deletes)
        return
    pool = ENGINE.pool if isinstance(ENGINE, core_db.LoopPoolPostgresEngine) else None
    if pool is None:
        for sql in deletes:
            await ENGINE.run_ddl(sql)
        return
    async with pool.acquire() as connection:
        await connection.execute(";\n".join(deletes))  # no arguments: one simple query, many statements


def _run_all(connection, statements: list[str]) -> None:
    for sql in statements:
        connection.execute(sql)


@pytest.fixture(autouse=True)
async def clean_db(request, migrated):
    yield
    if request.node.get_closest_marker("pure"):
        return  # wrote nothing: emptying ~40 tables would cost more than the test
    if request.node.get_closest_marker("shared_world"):
        return  # the module's tests share one world; shared_world_cleanup empties it after the last
    await empty_tables()


@pytest.fixture(scope="module")
async def shared_world_cleanup(migrated):
    """For a module marked shared_world: its tests build on one world (made by the first), and
    the tables are emptied once, after the module's last test."""
    yield
    await empty_tables()


_FIGURES: list[str] = []


@pytest.fixture(scope="session")
def figures():
    """figures(line): a measured figure (a race's counts, the fuzz's answers), printed in the
    summary at the end of the run, so CI's log shows it without -s."""
    return lambda line: _FIGURES.append(f"[{TEST_DB}] {line}")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """`make test` runs two pytest-xdist workers (each with its own database, server and browser):
    their figures are printed by the controller."""
    _FIGURES.extend(getattr(node, "workeroutput", {}).get("figures", []))


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def settings():
    return SETTINGS


@pytest.fixture
async def app(settings):
    """The app, built once: building it (signature parsing of every handler) costs more than
    most tests. What a test can change lives in app.state, which starts fresh every time."""
    global _APP, _APP_ENGINE
    from yishi.app import create_app

    if _APP is None:
        _APP = create_app(settings)
        # On PostgreSQL create_app points every table at an engine of its own, pooled by the
        # app on its loop only; pool it on the session's loop too, or every query a test
        # makes would open a connection. (migrated closes it.)
        import yishi.piccolo_conf as conf

        _APP_ENGINE = conf.DB
        if _APP_ENGINE is not ENGINE:
            await core_db.start(_APP_ENGINE)
    for key in list(_APP.state.keys()):
        if key not in ("settings", "shared_store", "login_limiter", "account_limiter"):
            del _APP.state[key]  # e.g. something a route kept on first use
    # The limits' counts live in the database (shared_state), emptied after every test.
    # Settings read per request (the public address, trusted proxies) a test may replace.
    _APP.state.settings = settings
    return _APP


_APP = None
_APP_ENGINE = None


@pytest.fixture
async def client(app):
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        c.follow_redirects = False  # tests check where a form sends the user
        yield c


def shared_data(name: str) -> Path:
    """A folder of ../shared/data: skip when a user's clone lacks it, fail under CI."""
    path = SHARED_DATA / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: CI must have ../shared/data")
        pytest.skip(f"{path} is absent (a user's clone)")
    return path


# --- a real server for browser tests -------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int | None = None, *extra: str) -> tuple[subprocess.Popen, str]:
    """`yishi serve [extra...]` in a subprocess on the test database, as a user would start it;
    returns once /healthz answers. The caller stops it (terminate, or SIGKILL to crash it)."""
    import time
    import urllib.request

    port = port or _free_port()
    env = {**os.environ, "YISHI_PORT": str(port)}
    log_path = _tmp / f"serve-{port}-{uuid.uuid4().hex[:6]}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "yishi.cli", "serve", *extra], env=env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    # A deadline, not a count of tries: on a loaded CI machine the start-up alone can take 20 s.
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text()) from None
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("yishi serve did not start") from None
            time.sleep(0.1)


_LIVE: list[subprocess.Popen] = []  # the session's live server, once a test of this worker asked for it


@pytest.fixture(scope="session")
def live_server():
    """`yishi serve` on the test database, for the whole session."""
    proc, url = start_server()
    _LIVE.append(proc)
    yield url
    _LIVE.remove(proc)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def live_server_paused():
    """The session's live server, if this worker started one, stopped (SIGSTOP) for the test: its
    round closer ends any due round every 30 s, and would end the ones the test means its own
    closers to end (found when a run put tests/test_periodic.py on a worker with a live server:
    its `yishi periodic` passes then found nothing left to do). Between tests the server is idle."""
    import signal

    for proc in _LIVE:
        os.kill(proc.pid, signal.SIGSTOP)
    yield
    for proc in _LIVE:
        os.kill(proc.pid, signal.SIGCONT)


@pytest.fixture
def start_server_process():
    """start_server_process() -> (proc, url): a server of the test's own, to crash or restart;
    any still running at the end of the test is killed."""
    procs: list[subprocess.Popen] = []

    def _start(port: int | None = None) -> tuple[subprocess.Popen, str]:
        proc, url = start_server(port)
        procs.append(proc)
        return proc, url

    yield _start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A mid-range Android phone: 360 CSS px wide, as many elderly residents have.
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
async def browser():
    """Debian's Chromium through Playwright's async API. (The sync API marks its own loop as the
    thread's running loop after every call, which stops pytest-asyncio from running the async
    fixtures; the async API lets tests await the factories on the session's loop.)"""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=os.environ.get("YISHI_CHROMIUM", "/usr/bin/chromium"),
                                    args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest.fixture
async def open_page(browser, live_server: str):
    """open_page(phone=False, javascript=True) -> a Page in a fresh context (own cookies), on the
    live server. Contexts close before the autouse clean_db empties the tables."""
    contexts = []

    async def _open(*, phone: bool = False, javascript: bool = True):
        ctx = await browser.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=javascript,
                                        accept_downloads=True, **(PHONE if phone else DESKTOP))
        ctx.set_default_timeout(10_000)
        # axe-core on every page the test loads (tests/axe.py); serious or critical findings fail it.
        contexts.append((ctx, await axe.attach(ctx) if javascript and PAGE_CHECKS else None))
        return await ctx.new_page()

    yield _open
    found = []
    for ctx, log in contexts:
        if log is not None:
            for page in ctx.pages:
                await axe.check_now(page, log)
            found.append(log.report())
        await ctx.close()
    found = "\n".join(r for r in found if r)
    assert not found, "axe-core found serious or critical accessibility problems:\n" + found
