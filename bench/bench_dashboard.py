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

import random
import re
import time
from datetime import UTC, date, datetime, timedelta

from fresh_db import chunks, main_on_fresh_database, migrate_and_seed, street, street_projects

STREETS, SUGGESTIONS, PROJECTS, RATINGS = 7, 20_000, 60, 3_000
PASSWORD = "bench-password-1"





async def seed(today: date) -> int:
    from yishi.accounts import services as accounts
    from yishi.accounts.enums import Role
    from yishi.evaluation.tables import Rating
    from yishi.places.tables import Community, District
    from yishi.projects.enums import ProjectState
    from yishi.projects.tables import Milestone
    from yishi.suggestions import catalog
    from yishi.suggestions.tables import Suggestion

    rng = random.Random(7)
    now = datetime.now(UTC)
    month = today.strftime("%Y-%m")
    cats = [c["id"] for c in await catalog.categories()]
    district = (await District.insert(District(name="基准区")).returning(District.id).run())[0]["id"]
    await accounts.create_user(username="bench_reviewer", password=PASSWORD, display_name="基准审核",
                               role=Role.district_reviewer, district_id=district)
    for s in range(STREETS):
        town = await street(district, s)
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
        await chunks(Suggestion, rows)
        projects = await street_projects(town, s, PROJECTS, now, lambda i: dict(
            state=ProjectState.written_off if i % 3 == 0 else ProjectState.underway,
            started_on=today - timedelta(days=120), planned_end=today + timedelta(days=30),
            spent_fen=rng.randint(0, 100000_00)))
        await chunks(Milestone, [Milestone(project=p, position=0, task="节点", due=today + timedelta(days=10))
                                  for p in projects])
        done = [p for i, p in enumerate(projects) if i % 3 == 0]
        await chunks(Rating, [Rating(project=rng.choice(done), community=rng.choice(communities),
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
    from yishi.evaluation import dashboard

    today = date.today()
    settings, district, took = await migrate_and_seed(lambda: seed(today))
    print(f"seeded {STREETS} streets x {SUGGESTIONS:,} suggestions x {PROJECTS} projects, {RATINGS:,} ratings a "
          f"street in {took:.1f} s")
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
    main_on_fresh_database("yishi-bench-dashboard-", run)

if __name__ == "__main__":
    main()
