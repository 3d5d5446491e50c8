"""What the mix of a round's ballots costs (ballots/mixing.py), beside the count the closing does
anyway, on the same round in the same run.

    python bench/bench_mix.py [--db sqlite|postgres|both] [--ballots 10000] [--repeat 3]

For each database: a fresh one (a temporary SQLite file, or a new PostgreSQL database dropped
afterwards), migrated, holding one round open for ticking with 20 items (1 to 5 ticks) and its
codes in 3 communities (bench_ballots.seed); --ballots of them are spent by casting.cast_ballot
(in-process, 32 at a time), as residents would. Then, --repeat times each, timed the same way (wall clock around one
await, in this process):

  * baseline: results.count_from_ballots, the count the closing runs over the same ballots
    (every ballot and tick read back);
  * mix: mixing.mix_round, one transaction: every ballot and tick deleted and written again in
    the order of their random ids, every spent code written again one by one in a random order;
  * VACUUM of the four tables the mix rewrote (what mix_due runs after its mixes);
  * casting during a mix: 300 more ballots cast 32 at a time, once alone and once while a mix
    runs, to see whether the mix holds casting up (it should not: it takes no lock a ballot needs).

Afterwards it checks that the round is whole: ballots == spent codes, the tally equals what the
codes ticked, and on PostgreSQL that every ballot, tick and spent code carries one xmin. On
SQLite the mix does nothing (no xmin; rows are kept by their random rowid): its time is printed
all the same.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

import bench_ballots  # noqa: E402 — the same fresh database, round and codes as the ballots bench
from bench_ballots import PG_ADMIN_URL, ticks_for  # noqa: E402

CONCURRENCY, DURING = 32, 300


async def _cast_all(codes: list[str], first: int, item_ids: list[int]) -> None:
    from yishi.ballots import casting

    for start in range(0, len(codes), CONCURRENCY):
        await asyncio.gather(*[casting.cast_ballot(code, ticks_for(first + start + n, item_ids))
                               for n, code in enumerate(codes[start:start + CONCURRENCY])])


async def _timed(coro) -> float:
    t0 = time.perf_counter()
    await coro
    return time.perf_counter() - t0


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.0f} ms (least {min(values) * 1000:.0f})"


async def run_one(url: str, n_ballots: int, repeat: int) -> dict:
    total = n_ballots + 2 * DURING * repeat
    seeded = await bench_ballots.seed(url, total)  # migrated, one round open with `total` codes
    round_id, item_ids, codes = seeded["round_id"], seeded["item_ids"], seeded["codes"]
    from yishi.ballots import mixing, results
    from yishi.ballots.tables import Ballot, BallotCode
    from yishi.core import db as core_db
    from yishi.core import mixing as core_mixing

    engine = core_db.configure(url)
    await core_db.start(engine)
    try:
        t0 = time.perf_counter()
        await _cast_all(codes[:n_ballots], 0, item_ids)
        cast_s = time.perf_counter() - t0

        out: dict = {"cast": cast_s, "count": [], "mix": [], "vacuum": [], "alone": [], "during": [], "mix_beside": []}
        next_code = n_ballots
        for _n in range(repeat):
            out["count"].append(await _timed(results.count_from_ballots(round_id)))
            out["mix"].append(await _timed(mixing.mix_round(round_id)))
            out["vacuum"].append(await _timed(core_mixing.vacuum(mixing.BALLOTS.tables)))
            batch = codes[next_code:next_code + DURING]
            out["alone"].append(await _timed(_cast_all(batch, next_code, item_ids)))
            next_code += DURING
            batch = codes[next_code:next_code + DURING]
            mix = asyncio.ensure_future(_timed(mixing.mix_round(round_id)))
            await asyncio.sleep(0)  # the mix has sent its first statement
            out["during"].append(await _timed(_cast_all(batch, next_code, item_ids)))
            out["mix_beside"].append(await mix)
            next_code += DURING

        # The round is whole.
        cast = Counter(i for n in range(next_code) for i in ticks_for(n, item_ids))
        approvals, ballots = await results.count_from_ballots(round_id)
        spent = await BallotCode.count().where((BallotCode.round == round_id) & BallotCode.used_at.is_not_null())
        assert ballots == next_code == spent, (ballots, next_code, spent)
        assert {k: v for k, v in approvals.items() if v} == dict(cast), "tally differs from what was cast"
        await mixing.mix_round(round_id)
        if core_mixing.is_postgres(Ballot):
            xmins = await Ballot.raw(
                "SELECT count(DISTINCT x) AS n FROM (SELECT xmin::text AS x FROM ballot UNION ALL"
                " SELECT xmin::text FROM ballot_choice UNION ALL"
                " SELECT xmin::text FROM ballot_code WHERE used_at IS NOT NULL) AS t").run()
            assert xmins[0]["n"] == 1, xmins
        out["ballots"] = ballots
        return out
    finally:
        await core_db.stop(engine)


async def main_async(args: argparse.Namespace) -> int:
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows = []
    for db in dbs:
        if db == "sqlite":
            tmp = tempfile.mkdtemp(prefix="yishi-bench-mix-")
            url = f"sqlite:///{tmp}/bench.sqlite3"
            os.environ["YISHI_DATA_DIR"] = tmp
            rows.append((db, await run_one(url, args.ballots, args.repeat)))
        else:
            name = f"yishi_bench_mix_{uuid.uuid4().hex[:8]}"
            await bench_ballots._pg_admin(f'CREATE DATABASE "{name}"')
            try:
                url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
                rows.append((db, await run_one(url, args.ballots, args.repeat)))
            finally:
                await bench_ballots._pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"\nmix of one round of {args.ballots:,} ballots; median of {args.repeat} (least), wall clock")
    for db, out in rows:
        print(f"\n[{db}] {args.ballots:,} ballots cast in {out['cast']:.1f} s;"
              f" {out['ballots']:,} in the round at the end")
        print(f"  baseline: the count the closing runs  {_ms(out['count'])}")
        print(f"  mix (one transaction)                 {_ms(out['mix'])}")
        print(f"  VACUUM of the 4 tables after it       {_ms(out['vacuum'])}")
        print(f"  {DURING} ballots cast, alone            {_ms(out['alone'])}")
        print(f"  {DURING} ballots cast, beside a mix     {_ms(out['during'])}"
              f"  (the mix beside them took {_ms(out['mix_beside']).strip()})")
    print("\nchecks passed: every ballot stored once, the tally equals what was cast"
          + (", one xmin per round after the mix (PostgreSQL)" if "postgres" in dbs else ""))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
