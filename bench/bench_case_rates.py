"""办件三率 and the monthly ranking with 20,000 cases a street over two years: printed, not asserted.

    .venv/bin/python bench/bench_case_rates.py [--db sqlite|postgres] [--repeat 3]

Seeds as bench_cases.py (2 streets x 20,000 cases dispatched to 10 units over two years, ~2%
open), plus a resident's rating (回访) for a third of the closed cases in the month each was
closed; then times in the same run and through the same app: GET /healthz (the bare GET floor),
the district's rates page and its Excel export, a street's rates page, and the district's
ranking of units and teams, all for last month (the month a ranking is read for)."""
from __future__ import annotations

import random
import time

from bench_cases import PASSWORD, _login, _timed
from bench_cases import seed as seed_cases
from fresh_db import chunks, main_on_fresh_database, migrate_and_seed


async def seed() -> dict:
    from yishi.cases.tables import Case
    from yishi.core.dates import in_china
    from yishi.evaluation.tables import CaseRating
    from yishi.places.tables import Town

    out = await seed_cases()
    rng = random.Random(7)
    closed = await Case.select(Case.id, Case.closed_at).where(Case.state == "closed").run()
    ratings = [CaseRating(case=c["id"], grade=rng.choice(["satisfied", "satisfied", "basic", "unsatisfied"]),
                          channel=rng.choice(["online", "online", "telephone"]),
                          month=in_china(c["closed_at"]).strftime("%Y-%m"), rated_at=c["closed_at"],
                          answer_no=1, slot=f"{c['id']}:1")
               for c in closed if rng.random() < 1 / 3]
    await chunks(CaseRating, ratings)
    town = await Town.select(Town.id).where(Town.district == out["district"]).order_by(Town.id).first().run()
    return {**out, "town": town["id"], "ratings": len(ratings)}


async def run(repeat: int) -> None:
    from litestar.testing import AsyncTestClient

    from yishi.app import create_app
    from yishi.core import dates
    from yishi.evaluation.rules import previous_month

    settings, seeded, took = await migrate_and_seed(seed)
    month = previous_month(dates.today().strftime("%Y-%m"))
    print(f"seeded 2 streets x 20,000 cases over two years (10 units, ~2% open), {seeded['ratings']:,} ratings, "
          f"in {took:.1f} s; month {month}")
    app = create_app(settings)
    d, t = seeded["district"], seeded["town"]
    async with AsyncTestClient(app=app, base_url="http://bench.local") as client:
        client.follow_redirects = False

        def size(r):
            return f"{r.status_code}, {len(r.content) // 1024} KB"

        await _login(client, "bench_reviewer")
        for _ in range(repeat):
            await _timed("GET /healthz (bare GET floor)", lambda: client.get("/healthz"), lambda r: str(r.status_code))
        for label, url in [("district: 办件三率 page", f"/case-rates/district/{d}?month={month}"),
                           ("district: 办件三率 Excel", f"/case-rates/district/{d}/export.xlsx?month={month}"),
                           ("district: ranking and 约谈 page", f"/case-rates/district/{d}/ranking?month={month}"),
                           ("district: ranking Excel", f"/case-rates/district/{d}/ranking.xlsx?month={month}")]:
            for _ in range(repeat):
                await _timed(label, lambda u=url: client.get(u), size)
        await _login(client, "bench_staff")
        for _ in range(repeat):
            await _timed("street: 办件三率 page", lambda: client.get(f"/case-rates/town/{t}?month={month}"), size)
    assert PASSWORD and time


def main() -> None:
    main_on_fresh_database("yishi-bench-case-rates-", run)


if __name__ == "__main__":
    main()
