"""The district dashboard (区级看板) with 7 streets x 20,000 suggestions x 60 projects, 3,000
residents' ratings a street: printed, not asserted.

    .venv/bin/python bench/bench_dashboard.py [--db sqlite|postgres] [--repeat 3]

It builds a fresh database (a temporary SQLite file, or a new PostgreSQL database dropped
afterwards), migrates it, seeds with bulk inserts, then times, in the same run and through the
same app (Litestar's in-process client, no network): GET /healthz (the bare GET floor: the app's
middleware, no query), GET /dashboard/ID as the district reviewer the first time (cold: the
calendar and the settings not yet read) and again (warm), the Excel export, and
evaluation.dashboard.build alone (the queries and the arithmetic, without the charts)."""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta

STREETS, SUGGESTIONS, PROJECTS, RATINGS = 7, 20_000, 60, 3_000
PASSWORD = "bench-password-1"


def _setup_env(db: str) -> str | None:
    tmp = tempfile.mkdtemp(prefix="yishi-bench-dashboard-")
    os.environ["YISHI_DATA_DIR"] = tmp
    os.environ.setdefault("YISHI_SECRET_KEY", "bench")
    os.environ["YISHI_ARGON2_TIME_COST"] = "1"
    os.environ["YISHI_ARGON2_MEMORY_COST"] = "1024"
    if db == "postgres":
        name = f"yishi_bench_{uuid.uuid4().hex[:8]}"
        os.environ["YISHI_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
        return name
    os.environ["YISHI_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    return None


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _chunks(table, rows: list, size: int = 1000) -> None:
    # 1,000 rows of up to 30 columns: under PostgreSQL's 32,767 parameters a statement.
    for i in range(0, len(rows), size):
        await table.insert(*rows[i:i + size]).run()


async def seed(today: date) -> int:
    from yishi.accounts import services as accounts
    from yishi.accounts.enums import Role
    from yishi.evaluation.tables import Rating
    from yishi.meetings.tables import Submission
    from yishi.places.tables import Community, District, Town
    from yishi.projects.enums import PlanStatus, ProjectState
    from yishi.projects.tables import Milestone, Project
    from yishi.suggestions import catalog
    from yishi.suggestions.tables import Suggestion
    from yishi.wishlists.tables import Round, WishItem

    rng = random.Random(7)
    now = datetime.now(UTC)
    month = today.strftime("%Y-%m")
    cats = [c["id"] for c in await catalog.categories()]
    district = (await District.insert(District(name="基准区")).returning(District.id).run())[0]["id"]
    await accounts.create_user(username="bench_reviewer", password=PASSWORD, display_name="基准审核",
                               role=Role.district_reviewer, district_id=district)
    for s in range(STREETS):
        town = (await Town.insert(Town(district=district, name=f"基准{s + 1}街道")).returning(Town.id).run())[0]["id"]
        communities = [r["id"] for r in await Community.insert(*[Community(town=town, name=f"第{c + 1}社区")
                                                                  for c in range(8)]).returning(Community.id).run()]
        rows = []
        for n in range(SUGGESTIONS):
            received = today - timedelta(days=rng.randrange(365))
            answered = rng.random() < 0.85
            replied = datetime.combine(received, datetime.min.time(), UTC) + timedelta(days=rng.randrange(1, 12))
            rows.append(Suggestion(
                tracking_code=f"B{s}{n:07d}", town=town, community=rng.choice(communities), channel="qr",
                category=rng.choice(cats), content="基准建议内容", received_on=received,
                status=rng.choice(["closed", "listed", "in_progress"]) if answered else "received",
                replied_at=replied if answered else None, closed_at=replied if answered else None, created_at=now))
        await _chunks(Suggestion, rows)
        rnd = (await Round.insert(Round(town=town, title="基准批次", created_at=now))
               .returning(Round.id).run())[0]["id"]
        items = await WishItem.insert(*[WishItem(round=rnd, position=i, title=f"项目{s + 1}-{i + 1}",
                                                 cost_fen=100000_00)
                                        for i in range(PROJECTS)]).returning(WishItem.id).run()
        sub = (await Submission.insert(Submission(round=rnd, version=1, status="approved", snapshot={},
                                                  submitted_at=now, slot=f"{rnd}:1"))
               .returning(Submission.id).run())[0]["id"]
        projects = await Project.insert(*[Project(
            round=rnd, item=item["id"], submission=sub, title=f"项目{s + 1}-{i + 1}", kind="special",
            cost_fen=100000_00, lead_unit_name="基准单位",
            state=ProjectState.written_off if i % 3 == 0 else ProjectState.underway,
            plan_status=PlanStatus.approved, started_on=today - timedelta(days=120),
            planned_end=today + timedelta(days=30), spent_fen=rng.randint(0, 100000_00), created_at=now)
            for i, item in enumerate(items)]).returning(Project.id).run()
        await _chunks(Milestone, [Milestone(project=p["id"], position=0, task="节点", due=today + timedelta(days=10))
                                  for p in projects])
        done = [p["id"] for i, p in enumerate(projects) if i % 3 == 0]
        await _chunks(Rating, [Rating(project=rng.choice(done), community=rng.choice(communities),
                                      grade=rng.choice(["satisfied", "satisfied", "basic", "unsatisfied"]),
                                      channel=rng.choice(["online", "online", "paper", "telephone"]), month=month)
                               for _ in range(RATINGS)])
    return district


async def _timed(label: str, call, note=lambda r: "") -> object:
    t = time.perf_counter()
    result = await call()
    print(f"{label:40s} {1000 * (time.perf_counter() - t):9.1f} ms  {note(result)}")
    return result


async def run(repeat: int) -> None:
    from litestar.testing import AsyncTestClient

    from yishi.app import create_app
    from yishi.cli import migrate_async
    from yishi.config import load_settings
    from yishi.core import db as core_db
    from yishi.evaluation import dashboard

    settings = load_settings()
    engine = core_db.configure(settings.database_url)
    await core_db.start(engine)
    try:
        await migrate_async(quiet=True)
        today = date.today()
        t = time.perf_counter()
        district = await seed(today)
        print(f"seeded {STREETS} streets x {SUGGESTIONS:,} suggestions x {PROJECTS} projects, {RATINGS:,} ratings a "
              f"street in {time.perf_counter() - t:.1f} s")
    finally:
        await core_db.stop(engine)
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        page = await client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        await client.post("/login", data={"username": "bench_reviewer", "password": PASSWORD, "_csrf_token": token})
        size = lambda r: f"{r.status_code}, {len(r.content) // 1024} KB"  # noqa: E731
        for _ in range(repeat):
            await _timed("GET /healthz (bare GET floor)", lambda: client.get("/healthz"), size)
        await _timed("GET /dashboard/ID cold", lambda: client.get(f"/dashboard/{district}"), size)
        for _ in range(repeat):
            await _timed("GET /dashboard/ID warm", lambda: client.get(f"/dashboard/{district}"), size)
        await _timed("GET /dashboard/ID/export.xlsx", lambda: client.get(f"/dashboard/{district}/export.xlsx"), size)
        month = today.strftime("%Y-%m")
        for _ in range(repeat):
            await _timed("evaluation.dashboard.build (no charts)", lambda: dashboard.build(district, month))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pg = _setup_env(args.db)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    if pg:
        asyncio.run(_pg(f'CREATE DATABASE "{pg}"'))
    try:
        asyncio.run(run(args.repeat))
    finally:
        if pg:
            asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{pg}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
