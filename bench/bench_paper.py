"""Time printing 1,000 paper ballots as one PDF (A5 with 8 items, A4 with 33), on a throwaway
SQLite database. Usage: .venv/bin/python bench/bench_paper.py [--count 1000]"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


async def main(count: int) -> None:
    from yishi.ballots import casting, paper_pdf
    from yishi.cli import migrate_async
    from yishi.config import load_settings
    from yishi.core import db
    from yishi.places.tables import Community, District, Town
    from yishi.wishlists import services as wishlists
    from yishi.wishlists.enums import ItemKind

    engine = db.configure(load_settings().database_url)
    await db.start(engine)
    await migrate_async(quiet=True)
    district = District(name="青白江区")
    await district.save()
    town = Town(district=district.id, name="大弯街道")
    await town.save()
    community = Community(town=town.id, name="大弯社区")
    await community.save()
    for items, size in ((8, "A5"), (33, "A4")):
        round_id = await wishlists.create_round(town_id=town.id, title=f"{items}项清单", budget_fen=10**9,
                                               max_ticks=5, actor=None)
        r = await wishlists.get_round(round_id)
        for i in range(items):
            await wishlists.add_item(r, title=f"民生微事项目{i + 1}", description="", cost_fen=(i + 1) * 10**6,
                                     kind=ItemKind.special, actor=None)
        await casting.issue_codes(r, community.id, count, actor=None)
        start = time.perf_counter()
        _name, _mime, data = await paper_pdf.paper_ballots_pdf(round_id, base_url="http://127.0.0.1:8000",
                                                               limit=count, size=size)
        seconds = time.perf_counter() - start
        print(f"{count} paper ballots, {items} items, {size}: {seconds:.2f} s, {len(data) / 1e6:.1f} MB")
    await db.stop(engine)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="yishi-bench-paper-")
    os.environ["YISHI_DATA_DIR"] = folder
    os.environ["YISHI_DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    sys.path.insert(0, str(ROOT / "src"))
    asyncio.run(main(args.count))
