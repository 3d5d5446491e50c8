"""What the database benches share: a fresh database for one run (a temporary SQLite file, or a
new PostgreSQL database dropped afterwards), their command line (--db, --repeat), bulk inserts.

    from fresh_db import chunks, main_on_fresh_database
    main_on_fresh_database("yishi-bench-x-", run)   # run(repeat) is the bench's coroutine

and the streets with projects that the dashboard and review benches seed (street, street_projects)."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432"


def setup_env(db: str, prefix: str) -> str | None:
    """Point yishi's settings at a fresh database; the PostgreSQL database's name, to create."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.environ["YISHI_DATA_DIR"] = tmp
    os.environ.setdefault("YISHI_SECRET_KEY", "bench-secret-key-" + "x" * 32)
    os.environ["YISHI_ARGON2_TIME_COST"] = "1"
    os.environ["YISHI_ARGON2_MEMORY_COST"] = "1024"
    if db == "postgres":
        name = f"yishi_bench_{uuid.uuid4().hex[:8]}"
        os.environ["YISHI_DATABASE_URL"] = f"{PG_ADMIN}/{name}"
        return name
    os.environ["YISHI_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    return None


async def pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(f"{PG_ADMIN}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def chunks(table, rows: list, size: int = 1000) -> list:
    """Bulk insert, 1,000 rows a statement (under PostgreSQL's 32,767 parameters); the new ids."""
    out = []
    for i in range(0, len(rows), size):
        out += await table.insert(*rows[i:i + size]).returning(table.id).run()
    return out


def main_on_fresh_database(prefix: str, run: Callable[[int], Awaitable[None]]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    name = setup_env(args.db, prefix)
    # The app's logging config sets INFO, and httpx then logs every in-process request between
    # the bench's own lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    if name:
        asyncio.run(pg(f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(run(args.repeat))
    finally:
        if name:
            asyncio.run(pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def migrate_and_seed(seed: Callable[[], Awaitable[object]]) -> tuple[object, object, float]:
    """Migrate the fresh database and fill it: (settings, what seed returned, seconds seeding)."""
    import time

    from yishi.cli import migrate_async
    from yishi.config import load_settings
    from yishi.core import db as core_db

    settings = load_settings()
    engine = core_db.configure(settings.database_url)
    await core_db.start(engine)
    try:
        await migrate_async(quiet=True)
        t = time.perf_counter()
        result = await seed()
        return settings, result, time.perf_counter() - t
    finally:
        await core_db.stop(engine)


async def street(district: int, s: int) -> int:
    """The bench district's street number s + 1 (基准{s + 1}街道)."""
    from yishi.places.tables import Town

    return (await Town.insert(Town(district=district, name=f"基准{s + 1}街道")).returning(Town.id).run())[0]["id"]


async def street_projects(town: int, s: int, n: int, now, fields: Callable[[int], dict]) -> list[int]:
    """A street's round of n wish items, its list approved, and a project on each item (项目{s+1}-{i+1},
    100,000 yuan, 基准单位 leading, its plan approved); fields(i) gives project i's own (state, dates,
    money spent...). The projects' ids, in order."""
    from yishi.meetings.tables import Submission
    from yishi.projects.enums import PlanStatus
    from yishi.projects.tables import Project
    from yishi.wishlists.tables import Round, WishItem

    rnd = (await Round.insert(Round(town=town, title="基准批次", created_at=now)).returning(Round.id).run())[0]["id"]
    items = await WishItem.insert(*[WishItem(round=rnd, position=i, title=f"项目{s + 1}-{i + 1}", cost_fen=100000_00)
                                    for i in range(n)]).returning(WishItem.id).run()
    sub = (await Submission.insert(Submission(round=rnd, version=1, status="approved", snapshot={}, submitted_at=now,
                                              slot=f"{rnd}:1")).returning(Submission.id).run())[0]["id"]
    return [p["id"] for p in await Project.insert(*[Project(
        round=rnd, item=item["id"], submission=sub, title=f"项目{s + 1}-{i + 1}", kind="special", cost_fen=100000_00,
        lead_unit_name="基准单位", plan_status=PlanStatus.approved, created_at=now, **fields(i))
        for i, item in enumerate(items)]).returning(Project.id).run()]
