"""Races against cast_ballot, in-process, on a fresh database: the guarantees the fast write path
must keep. Companion of bench_ballots.py (which checks the same invariants over HTTP).

    python bench/race_check.py [--db sqlite|postgres|both]

1. One code, many simultaneous submissions: exactly one ballot, the rest refused as used.
2. A refused ballot (ticks not on the list, too many, none) saves nothing, not even the code.
3. Closing the ticking while hundreds of ballots are in flight: every ballot that was
   acknowledged is stored, every refused one left its code unused, and no ballot is stored after
   close_voting has returned.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))

import bench_ballots as bb  # noqa: E402


async def _counts(round_id: int) -> tuple[int, int]:
    from yishi.ballots.tables import Ballot, BallotCode

    ballots = await Ballot.count().where(Ballot.round == round_id)
    used = await BallotCode.count().where((BallotCode.round == round_id) & BallotCode.used_at.is_not_null())
    return ballots, used


async def _run(url: str, seeded: dict) -> list[str]:
    from yishi.ballots import casting, lifecycle
    from yishi.ballots.tables import BallotCode
    from yishi.core import db as core_db
    from yishi.core.errors import Conflict, DomainError
    from yishi.wishlists import services as wishlists

    failures: list[str] = []
    engine = core_db.configure(url)
    await core_db.start(engine)
    try:
        round_id, items, codes = seeded["round_id"], seeded["item_ids"], list(seeded["codes"])
        rng = random.Random(7)

        # 1. the same code, 8 submissions at once, for 50 codes at once
        batch, codes = codes[:50], codes[50:]

        async def attempt(code: str) -> str:
            try:
                await casting.cast_ballot(code, items[:2])
                return "ok"
            except Conflict:
                return "used"

        outcomes = await asyncio.gather(*[attempt(c) for c in batch for _ in range(8)])
        oks = outcomes.count("ok")
        ballots, used = await _counts(round_id)
        if oks != 50 or ballots != 50 or used != 50 or outcomes.count("used") != 350:
            failures.append(f"same-code race: {oks} acknowledged, {ballots} ballots, {used} codes used "
                            f"(want 50 each, 350 refused)")

        # 2. refusals save nothing
        for ticks in ([], [items[0], 10**9], items[: bb.MAX_TICKS + 1], [-1], [2**40]):
            code = codes.pop()
            try:
                await casting.cast_ballot(code, ticks)
                failures.append(f"ticks {ticks} were accepted")
            except DomainError:
                pass
            row = await BallotCode.select(BallotCode.used_at).where(BallotCode.code == code).first()
            if row["used_at"] is not None:
                failures.append(f"a refused ballot ({ticks}) spent its code")
        if (await _counts(round_id))[0] != 50:
            failures.append("a refused ballot was stored")

        # 3. close while ballots are in flight
        batch, codes = codes[:600], codes[600:]
        acknowledged: list[str] = []
        refused: list[str] = []

        async def cast(code: str) -> None:
            await asyncio.sleep(rng.random() * 0.2)
            try:
                await casting.cast_ballot(code, rng.sample(items, rng.randint(1, bb.MAX_TICKS)))
                acknowledged.append(code)
            except Conflict:
                refused.append(code)

        tasks = [asyncio.create_task(cast(c)) for c in batch]
        await asyncio.sleep(0.1)
        await lifecycle.close_voting(await wishlists.get_round(round_id), actor=None)
        at_close, _ = await _counts(round_id)
        await asyncio.gather(*tasks)
        after, used = await _counts(round_id)
        if after != at_close:
            failures.append(f"{after - at_close} ballots were stored after the close returned")
        if after != 50 + len(acknowledged) or used != after:
            failures.append(f"close race: {len(acknowledged)} acknowledged, {after - 50} stored, "
                            f"{used - 50} codes used")
        spent_refused = await BallotCode.count().where(
            BallotCode.code.is_in(refused or ["-"]) & BallotCode.used_at.is_not_null())
        if spent_refused:
            failures.append(f"{spent_refused} refused ballots spent their code")
        print(f"  close race: {len(acknowledged)} ballots before the close, {len(refused)} refused after",
              flush=True)
    finally:
        await core_db.stop(engine)
    return failures


def check(kind: str) -> bool:
    tmp = Path(tempfile.mkdtemp(prefix=f"yishi-race-{kind}-"))
    pg_name = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'race.sqlite3'}"
    else:
        pg_name = f"yishi_race_{uuid.uuid4().hex[:10]}"
        asyncio.run(bb._pg_admin(f'CREATE DATABASE "{pg_name}"'))
        url = f"{bb.PG_ADMIN_URL.rsplit('/', 1)[0]}/{pg_name}"
    os.environ.update({"YISHI_DATABASE_URL": url, "YISHI_DATA_DIR": str(tmp),
                       "YISHI_SECRET_KEY": bb.SECRET, "PICCOLO_CONF": "yishi.piccolo_conf"})
    try:
        print(f"[{kind}]", flush=True)
        seeded = asyncio.run(bb.seed(url, 2000))
        failures = asyncio.run(_run(url, seeded))
    finally:
        if pg_name:
            asyncio.run(bb._pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print(f"  FAILED: {f}")
    if not failures:
        print("  all races held")
    return not failures


def main() -> None:
    parser = argparse.ArgumentParser(description="races against cast_ballot")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [check(kind) for kind in kinds]
    if not all(results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
