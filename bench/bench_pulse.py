"""The 民情热度表 with 7 streets x 20,000 suggestions each over two years (8 communities, 30 点位
a street): printed, not asserted.

    .venv/bin/python bench/bench_pulse.py [--db sqlite|postgres] [--repeat 3] [--without-index]

It builds a fresh database (a temporary SQLite file, or a new PostgreSQL database dropped
afterwards), migrates it, seeds with bulk inserts, then times, in the same run and through the
same app (Litestar's in-process client, no network): GET /healthz (the bare GET floor), the
street's table as its staff open it (/suggestions/pulse/town/ID: warnings, 12 weeks, the month's
top ten) cold then warm, one community's 点位, 26 weeks, the district's view across the seven
streets, the street's landing page with its warnings (/rounds), and the 周汇总 and 月分析 as Excel.
--without-index drops the index the 热度表 counts from (suggestion_pulse) first, to see what it is worth."""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import time
from datetime import UTC, date, datetime, timedelta

from fresh_db import pg as run_pg
from fresh_db import setup_env

STREETS, SUGGESTIONS, DAYS, SPOTS = 7, 20_000, 730, 30
PASSWORD = "bench-password-1"


async def seed(today: date) -> tuple[int, int, int]:
    from yishi.accounts import services as accounts
    from yishi.accounts.enums import Role
    from yishi.places.tables import Community, District, Town
    from yishi.suggestions import catalog
    from yishi.suggestions.tables import Suggestion

    rng = random.Random(19)
    now = datetime.now(UTC)
    cats = [c["id"] for c in await catalog.categories()]
    district = (await District.insert(District(name="基准区")).returning(District.id).run())[0]["id"]
    await accounts.create_user(username="bench_reviewer", password=PASSWORD, display_name="基准审核",
                               role=Role.district_reviewer, district_id=district)
    first_town = first_community = 0
    for s in range(STREETS):
        town = (await Town.insert(Town(district=district, name=f"基准{s + 1}街道")).returning(Town.id).run())[0]["id"]
        communities = [r["id"] for r in await Community.insert(*[Community(town=town, name=f"第{c + 1}社区")
                                                                  for c in range(8)]).returning(Community.id).run()]
        if s == 0:
            first_town, first_community = town, communities[0]
            await accounts.create_user(username="bench_staff", password=PASSWORD, display_name="基准街道",
                                       role=Role.street_staff, town_id=town)
        spots = [f"第{i + 1}小区" for i in range(SPOTS)]
        rows = []
        for n in range(SUGGESTIONS):
            received = today - timedelta(days=rng.randrange(DAYS))
            answered = rng.random() < 0.85
            replied = datetime.combine(received, datetime.min.time(), UTC) + timedelta(days=rng.randrange(1, 12))
            rows.append(Suggestion(
                tracking_code=f"P{s}{n:07d}", town=town, community=rng.choice(communities), channel="qr",
                category=rng.choice(cats), content="基准建议内容", received_on=received,
                spot=rng.choice(spots) if rng.random() < 0.6 else "", lead_unit=f"单位{rng.randrange(12)}",
                status=rng.choice(["closed", "listed", "in_progress"]) if answered else "received",
                replied_at=replied if answered else None, closed_at=replied if answered else None, created_at=now))
        for i in range(0, len(rows), 1000):
            await Suggestion.insert(*rows[i:i + 1000]).run()
    return district, first_town, first_community


async def _timed(label: str, call, note=lambda r: "") -> object:
    t = time.perf_counter()
    result = await call()
    print(f"{label:44s} {1000 * (time.perf_counter() - t):9.1f} ms  {note(result)}")
    return result


async def _login(client, username: str) -> None:
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    await client.post("/login", data={"username": username, "password": PASSWORD, "_csrf_token": token})


async def run(repeat: int, without_index: bool) -> None:
    from litestar.testing import AsyncTestClient

    from yishi.app import create_app
    from yishi.cli import migrate_async
    from yishi.config import load_settings
    from yishi.core import db as core_db

    settings = load_settings()
    engine = core_db.configure(settings.database_url)
    await core_db.start(engine)
    try:
        await migrate_async(quiet=True)
        if without_index:
            await engine.run_ddl("DROP INDEX suggestion_pulse")
        today = date.today()
        t = time.perf_counter()
        district, town, community = await seed(today)
        await engine.run_ddl("ANALYZE")
        print(f"seeded {STREETS} streets x {SUGGESTIONS:,} suggestions over {DAYS} days in "
              f"{time.perf_counter() - t:.1f} s; index suggestion_pulse: {'no' if without_index else 'yes'}")
    finally:
        await core_db.stop(engine)
    app = create_app(settings)
    def size(r) -> str:
        return f"{r.status_code}, {len(r.content) // 1024} KB"

    base = f"/suggestions/pulse/town/{town}"
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        await _login(client, "bench_staff")
        for _ in range(repeat):
            await _timed("GET /healthz (bare GET floor)", lambda: client.get("/healthz"), size)
        await _timed("GET street table cold", lambda: client.get(base), size)
        for _ in range(repeat):
            await _timed("GET street table warm (12 weeks)", lambda: client.get(base), size)
        for _ in range(repeat):
            await _timed("GET street table, 26 weeks", lambda: client.get(base + "?weeks=26"), size)
        for _ in range(repeat):
            await _timed("GET one community's 点位", lambda: client.get(f"{base}?community={community}"), size)
        for _ in range(repeat):
            await _timed("GET /rounds (landing, warnings)", lambda: client.get("/rounds"), size)
        await _timed("GET 周汇总 Excel", lambda: client.get(base + "/files/weekly.xlsx"), size)
        await _timed("GET 月分析 Excel", lambda: client.get(base + "/files/monthly.xlsx"), size)
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        await _login(client, "bench_reviewer")
        for _ in range(repeat):
            await _timed("GET district view (7 streets)", lambda: client.get(f"/suggestions/pulse/district/{district}"),
                         size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--without-index", action="store_true")
    args = parser.parse_args()
    pg = setup_env(args.db, "yishi-bench-pulse-")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    if pg:
        asyncio.run(run_pg(f'CREATE DATABASE "{pg}"'))
    try:
        asyncio.run(run(args.repeat, args.without_index))
    finally:
        if pg:
            asyncio.run(run_pg(f'DROP DATABASE IF EXISTS "{pg}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
