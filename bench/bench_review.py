"""The district's 月调度 with 7 streets x 60 projects x 26 weekly reports each, and a 12-megapixel
photo upload: printed, not asserted.

    .venv/bin/python bench/bench_review.py [--db sqlite|postgres] [--repeat 3]

It builds a fresh database (a temporary SQLite file, or a new PostgreSQL database dropped
afterwards), migrates it, seeds the projects with bulk inserts, then times
projects.review.monthly_review (the rows the review page shows), the 月调度通报 PDF and the
Excel workbook, and projects.photos.process on a 4032 x 3024 JPEG."""
from __future__ import annotations

import dataclasses
import io
import random
import time
from datetime import UTC, date, datetime, timedelta

from fresh_db import main_on_fresh_database, street, street_projects

STREETS, PROJECTS, WEEKS = 7, 60, 26




async def seed(today: date) -> int:
    from yishi.places.tables import District
    from yishi.projects.enums import FundingSource, ProjectState
    from yishi.projects.rules import monday_of
    from yishi.projects.tables import Coordination, Funding, Milestone, WeeklyReport

    rng = random.Random(7)
    now = datetime.now(UTC)
    start = monday_of(today) - timedelta(weeks=WEEKS)
    district = (await District.insert(District(name="基准区")).returning(District.id).run())[0]["id"]
    for s in range(STREETS):
        town = await street(district, s)
        projects = await street_projects(town, s, PROJECTS, now, lambda i: dict(
            state=ProjectState.underway, started_on=start, planned_start=start,
            planned_end=today + timedelta(days=rng.randint(-10, 90)), progress_pct=rng.randint(0, 99),
            spent_fen=rng.randint(0, 100000_00)))
        for pid in projects:
            await Milestone.insert(*[Milestone(project=pid, position=k, task=f"节点{k + 1}", owner="单位",
                                               due=start + timedelta(days=40 * (k + 1) + rng.randint(-5, 5)),
                                               baseline_due=start + timedelta(days=40 * (k + 1)))
                                     for k in range(3)]).run()
            await Funding.insert(Funding(project=pid, source=FundingSource.public, amount_fen=80000_00),
                                 Funding(project=pid, source=FundingSource.enterprise, funder="企业",
                                         amount_fen=rng.randint(0, 80000_00))).run()
            skip = set(rng.sample(range(WEEKS), rng.choice([0, 0, 0, 1, 2])))
            reports = await WeeklyReport.insert(*[WeeklyReport(
                project=pid, week_start=start + timedelta(weeks=w), progress_pct=min(99, w * 4),
                done="本周完成情况" * 5,
                next_plan="下周计划" * 5, spent_fen=w * 1000_00, filed_at=now, slot=f"{pid}:{w}")
                for w in range(WEEKS) if w not in skip]).returning(WeeklyReport.id).run()
            if rng.random() < 0.2:
                await Coordination.insert(Coordination(project=pid, report=reports[-1]["id"], text="需协调事项",
                                                       raised_at=now)).run()
    return district


def twelve_megapixels() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (4032, 3024))
    draw = ImageDraw.Draw(image)
    rng = random.Random(1)
    for _ in range(3000):
        x, y = rng.randrange(4032), rng.randrange(3024)
        draw.rectangle((x, y, x + rng.randrange(200), y + rng.randrange(200)),
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


async def run(repeat: int) -> None:
    from PIL import Image

    from yishi.cli import migrate_async
    from yishi.config import load_settings
    from yishi.core import db as core_db
    from yishi.projects import exports, photos, review

    engine = core_db.configure(load_settings().database_url)
    await core_db.start(engine)
    try:
        await migrate_async(quiet=True)
        today = date.today()
        t = time.perf_counter()
        district = await seed(today)
        print(f"seeded {STREETS} x {PROJECTS} projects x {WEEKS} weeks in {time.perf_counter() - t:.1f} s")
        from yishi.projects.tables import Project, WeeklyReport

        for _ in range(repeat):
            # Baseline, the same run: reading the rows the review is built from, with no rule applied.
            t = time.perf_counter()
            n = len(await Project.select().run()) + len(await WeeklyReport.select(WeeklyReport.project,
                                                                                  WeeklyReport.week_start).run())
            base = time.perf_counter() - t
            t = time.perf_counter()
            r = await review.monthly_review(district_id=district, today=today)
            took = time.perf_counter() - t
            print(f"{'monthly_review (district rows)':34s} {took:7.3f} s  ({len(r.rows)} rows)   "
                  f"baseline: plain read of the {n} rows {base:.3f} s  ({took / base:.1f}x)")
        one = dataclasses.replace(r, rows=r.rows[:1], streets=r.streets[:1])
        for label, build in (("月调度通报 PDF", exports.monthly_review_pdf),
                             ("月调度 Excel", exports.monthly_review_xlsx)):
            # Baseline, the same run: the same document with one project (its fixed cost: fonts,
            # the masthead, the pages around the table).
            await build(one)  # warm: imports and font loading are paid once per process
            t = time.perf_counter()
            await build(one)
            base = time.perf_counter() - t
            t = time.perf_counter()
            _name, _mime, data = await build(r)
            took = time.perf_counter() - t
            print(f"{label:34s} {took:7.3f} s  ({len(data) // 1024} KB)   "
                  f"baseline: one project {base:.3f} s  ({took / base:.1f}x)")
        photo = twelve_megapixels()
        for _ in range(repeat):
            # Baseline, the same run: Pillow decoding the photo and saving it again, nothing else.
            t = time.perf_counter()
            Image.open(io.BytesIO(photo)).save(io.BytesIO(), "JPEG", quality=85)
            base = time.perf_counter() - t
            t = time.perf_counter()
            out = photos.process(photo, "12mp.jpg")
            took = time.perf_counter() - t
            print(f"{'12 MP JPEG re-encode + thumbnail':34s} {took:7.3f} s  "
                  f"({len(photo) // 1024} KB -> {len(out.full) // 1024} KB, {out.width}x{out.height})   "
                  f"baseline: plain decode + save {base:.3f} s  ({took / base:.1f}x)")
    finally:
        await core_db.stop(engine)


def main() -> None:
    main_on_fresh_database("yishi-bench-review-", run)

if __name__ == "__main__":
    main()
