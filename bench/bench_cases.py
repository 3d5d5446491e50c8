"""接诉即办 lists with 20,000 cases a street over two years: printed, not asserted.

    .venv/bin/python bench/bench_cases.py [--db sqlite|postgres] [--repeat 3]

Builds a fresh database (a temporary SQLite file, or a new PostgreSQL database dropped
afterwards), migrates it, seeds 2 streets x 20,000 suggestions each dispatched to one of 10
units (2% still open, in every state; a fifth with an assisting unit) and 50 waiting to be
dispatched, then times in the same run and through the same app (Litestar's in-process client,
no network): GET /healthz (the bare GET floor: the app's middleware, no query); the street's
list (its inbox, its open cases, a deep page of its closed ones); a unit's queue (open, closed);
the district's list."""
from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime, timedelta

from fresh_db import chunks, main_on_fresh_database, migrate_and_seed

STREETS, CASES, UNITS, INBOX = 2, 20_000, 10, 50
PASSWORD = "bench-password-1"





async def seed() -> dict:
    from yishi.accounts import services as accounts
    from yishi.accounts.enums import Role
    from yishi.accounts.tables import Unit
    from yishi.cases.tables import Case, CaseUnit
    from yishi.places.tables import Community, District, Town
    from yishi.suggestions import catalog
    from yishi.suggestions.tables import Suggestion

    rng = random.Random(19)
    now = datetime.now(UTC)
    cats = [c["id"] for c in await catalog.categories()]
    district = (await District.insert(District(name="基准区")).returning(District.id).run())[0]["id"]
    units = [r["id"] for r in await Unit.insert(*[Unit(district=district, name=f"基准单位{u}", slot=f"{district}:{u}")
                                                   for u in range(UNITS)]).returning(Unit.id).run()]
    await accounts.create_user(username="bench_reviewer", password=PASSWORD, display_name="基准审核",
                               role=Role.district_reviewer, district_id=district)
    await accounts.create_user(username="bench_clerk", password=PASSWORD, display_name="基准经办人",
                               role=Role.unit_clerk, unit_id=units[0])
    open_states = ["dispatched", "accepted", "accepted", "answered", "returned", "escalated"]
    for s in range(STREETS):
        town = (await Town.insert(Town(district=district, name=f"基准{s + 1}街道")).returning(Town.id).run())[0]["id"]
        if s == 0:
            await accounts.create_user(username="bench_staff", password=PASSWORD, display_name="基准街道",
                                       role=Role.street_staff, town_id=town)
        communities = [r["id"] for r in await Community.insert(*[Community(town=town, name=f"第{c + 1}社区")
                                                                  for c in range(8)]).returning(Community.id).run()]
        received = [now - timedelta(days=rng.randrange(730), hours=rng.randrange(24)) for _ in range(CASES + INBOX)]
        is_open = [n >= CASES or rng.random() < 0.02 for n in range(CASES + INBOX)]
        suggestions = await chunks(Suggestion, [Suggestion(
            tracking_code=f"C{s}{n:07d}", town=town, community=rng.choice(communities), channel="qr",
            category=rng.choice(cats), content="基准诉求内容：小区路灯坏了，晚上出行不便。",
            received_on=received[n].date(), status="in_progress" if is_open[n] else "closed",
            closed_at=None if is_open[n] else received[n] + timedelta(days=3), created_at=now)
            for n in range(CASES + INBOX)])
        cases, leads = [], []
        for n in range(CASES):
            state = rng.choice(open_states) if is_open[n] else "closed"
            lead = rng.choice(units)
            leads.append(lead)
            at = received[n] + timedelta(hours=2)
            cases.append(Case(
                suggestion=suggestions[n]["id"], town=town, district=district, kind="complaint", urgency="normal",
                track="now", state=state, lead_unit=None if state in ("returned", "escalated") else lead,
                owner=lead if state in ("accepted", "answered", "closed") else None, dispatched_at=at,
                accept_by=at + timedelta(hours=24), due_at=at + timedelta(days=rng.randrange(2, 20)),
                accepted_at=at + timedelta(hours=3), closed_at=at + timedelta(days=3) if state == "closed" else None,
                escalated_at=at if state == "escalated" or rng.random() < 0.01 else None, created_at=at))
        case_ids = await chunks(Case, cases)
        links = []
        for n, row in enumerate(case_ids):
            current = cases[n].state not in ("returned", "escalated")
            links.append(CaseUnit(case=row["id"], unit=leads[n], role="lead", current=current,
                                  dispatched_at=now, slot=f"{row['id']}:{leads[n]}"))
            if rng.random() < 0.2:
                other = rng.choice([u for u in units if u != leads[n]])
                links.append(CaseUnit(case=row["id"], unit=other, role="assist", current=current,
                                      dispatched_at=now, slot=f"{row['id']}:{other}"))
        await chunks(CaseUnit, links)
    return {"district": district}


async def _timed(label: str, call, note=lambda r: "") -> object:
    t = time.perf_counter()
    result = await call()
    print(f"{label:48s} {1000 * (time.perf_counter() - t):9.1f} ms  {note(result)}")
    return result


async def _login(client, username: str) -> None:
    client.cookies.clear()
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post("/login", data={"username": username, "password": PASSWORD, "_csrf_token": token})
    assert r.status_code in (200, 302, 303), r.status_code


async def run(repeat: int) -> None:
    from litestar.testing import AsyncTestClient

    from yishi.app import create_app

    settings, _seeded, took = await migrate_and_seed(seed)
    print(f"seeded {STREETS} streets x {CASES:,} cases over two years ({UNITS} units, ~2% open) "
          f"+ {INBOX} to dispatch a street in {took:.1f} s")
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        client.follow_redirects = False

        def size(r):
            found = re.search(r"第 1 页 / 共 (\d+) 页|第 \d+ 页 / 共 (\d+) 页", r.text)
            pages = next((g for g in found.groups() if g), "?") if found else "1"
            return f"{r.status_code}, {len(r.content) // 1024} KB, {pages} pages"

        await _login(client, "bench_staff")
        for _ in range(repeat):
            await _timed("GET /healthz (bare GET floor)", lambda: client.get("/healthz"), lambda r: str(r.status_code))
        for label, url in [("street: GET /cases/ (inbox, default)", "/cases/"),
                           ("street: GET /cases/?tab=open", "/cases/?tab=open"),
                           ("street: GET /cases/?tab=closed", "/cases/?tab=closed"),
                           ("street: GET /cases/?tab=closed&page=500", "/cases/?tab=closed&page=500"),
                           ("street: GET /cases/?colour=red", "/cases/?tab=open&colour=red")]:
            for _ in range(repeat):
                await _timed(label, lambda u=url: client.get(u), size)
        await _login(client, "bench_clerk")
        for label, url in [("unit queue: GET /cases/ (open)", "/cases/"),
                           ("unit queue: GET /cases/?tab=closed", "/cases/?tab=closed"),
                           ("unit queue: GET /cases/?tab=closed&page=100", "/cases/?tab=closed&page=100")]:
            for _ in range(repeat):
                await _timed(label, lambda u=url: client.get(u), size)
        await _login(client, "bench_reviewer")
        for _ in range(repeat):
            await _timed("district: GET /cases/ (escalated)", lambda: client.get("/cases/"), size)


def main() -> None:
    main_on_fresh_database("yishi-bench-cases-", run)

if __name__ == "__main__":
    main()
