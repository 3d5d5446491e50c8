"""The mix of a round's ballots (ballots/mixing.py) against what goes on around it: ballots cast
and paper ballots entered while it runs are neither lost nor counted twice, two mixes of one
round wait for each other, counting mixes the round first, and VACUUM frees what the mix left."""
import asyncio
import contextvars

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting, lifecycle, mixing, paper, results
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode, BallotMix
from yishi.core import mixing as core_mixing
from yishi.wishlists import services as wishlists

POSTGRES = Ballot._meta.db.engine_type == "postgres"
postgres_only = pytest.mark.skipif(not POSTGRES, reason="the mix rewrites rows on PostgreSQL only")


def _ticks(n: int, items: list[int]) -> list[int]:
    return sorted({items[n % len(items)], items[(n * 3 + 1) % len(items)]})


async def _setup(codes_per_community: int):
    places = await f.make_places(1)
    r = await f.make_round(places, items=4, max_ticks=0)
    codes = await f.open_round(r, codes_per_community=codes_per_community)
    a, b = await f.make_user(Role.collector, places), await f.make_user(Role.collector, places)
    return r, codes, await f.item_ids(r.id), a, b


async def _check_whole(round_id: int, receipts: list[str], cast: list[list[int]]) -> None:
    """Every acknowledged ballot stored once with its ticks, and nothing else: the spent codes
    are as many as the ballots, and the tally is what was cast."""
    stored = await Ballot.select(Ballot.receipt).where(Ballot.round == round_id)
    assert sorted(b["receipt"] for b in stored if b["receipt"] in receipts) == sorted(receipts)
    assert len(stored) == len(cast)
    spent = await BallotCode.count().where((BallotCode.round == round_id) & BallotCode.used_at.is_not_null())
    assert spent == len(cast)
    assert sorted(map(sorted, await casting.stored_ballots(round_id))) == sorted(cast)


async def _xmins(where: str) -> set[str]:
    out = set()
    for table, cond in (("ballot", where), ("ballot_choice", f"ballot IN (SELECT id FROM ballot WHERE {where})"),
                        ("ballot_code", f"{where} AND used_at IS NOT NULL")):
        out |= {r["x"] for r in await Ballot.raw(f"SELECT xmin::text AS x FROM {table} WHERE {cond}")}
    return out


def _elsewhere(coro):
    """Run `coro` as another request would: on a connection of its own, outside the transaction
    the caller holds open."""
    return asyncio.create_task(coro, context=contextvars.Context())


@postgres_only
async def test_ballots_cast_while_a_mix_is_open_are_kept_and_mixed_next_time(monkeypatch):
    r, codes, items, a, b = await _setup(30)
    cast, receipts = [], []
    for n, code in enumerate(codes[:10]):
        receipts.append(await casting.cast_ballot(code, _ticks(n, items)))
        cast.append(_ticks(n, items))
    for n, code in enumerate(codes[10:15], start=10):
        await paper.enter(code, _ticks(n, items), actor=a)

    async def during() -> None:
        for n, code in enumerate(codes[15:25], start=15):
            receipts.append(await casting.cast_ballot(code, _ticks(n, items)))
            cast.append(_ticks(n, items))
        for n, code in enumerate(codes[10:15], start=10):
            assert (await paper.enter(code, _ticks(n, items), actor=b)).status == "counted"
            cast.append(_ticks(n, items))

    restamp = core_mixing.restamp_shuffled
    calls = []

    async def restamp_with_ballots_arriving(*args, **kwargs):
        # The mix has copied, deleted and written again the round's ballots and has not yet
        # committed: ten residents vote and five paper ballots are counted, each committed at once.
        if not calls:
            calls.append(args)
            await _elsewhere(during())
        await restamp(*args, **kwargs)

    monkeypatch.setattr(core_mixing, "restamp_shuffled", restamp_with_ballots_arriving)
    assert await mixing.mix_round(r.id) == 10
    monkeypatch.setattr(core_mixing, "restamp_shuffled", restamp)

    await _check_whole(r.id, receipts, cast)
    assert await mixing.due_rounds() == [r.id]  # 25 ballots now, 10 at the mix
    assert len(await _xmins(f"round = {r.id}")) > 1
    assert await mixing.mix_due() == {r.id: 25}
    await _check_whole(r.id, receipts, cast)
    assert len(await _xmins(f"round = {r.id}")) == 1
    assert await mixing.due_rounds() == []


@postgres_only
async def test_a_second_mix_of_the_round_waits_for_the_first_before_it_touches_a_row():
    r, codes, items, _a, _b = await _setup(12)
    receipts = [await casting.cast_ballot(code, _ticks(n, items)) for n, code in enumerate(codes)]
    waiting = ("SELECT locktype FROM pg_locks WHERE NOT granted AND pid IN"
               " (SELECT pid FROM pg_stat_activity WHERE datname = current_database())")
    async with Ballot._meta.db.transaction():
        assert await mixing.mix_round(r.id) == 12
        second = _elsewhere(mixing.mix_round(r.id))
        while not (locks := await Ballot.raw(waiting)):
            assert not second.done(), second
            await asyncio.sleep(0.01)
        # It waits on the mix's own lock, not on a row the first mix holds: it has copied nothing
        # yet, so it will copy what the first one committed.
        assert [x["locktype"] for x in locks] == ["advisory"]
    assert await second == 12
    await _check_whole(r.id, receipts, [_ticks(n, items) for n in range(12)])


async def test_ballots_racing_repeated_mixes_are_neither_lost_nor_counted_twice():
    r, codes, items, a, b = await _setup(60)
    on_paper = codes[:15]
    for n, code in enumerate(on_paper):
        await paper.enter(code, _ticks(n, items), actor=a)
    done = asyncio.Event()
    mixes: list[int] = []

    async def keep_mixing() -> None:
        while not done.is_set():
            mixes.append(await mixing.mix_round(r.id))
            await asyncio.sleep(0)

    async def residents() -> list[str]:
        try:
            online = [casting.cast_ballot(code, _ticks(n, items)) for n, code in enumerate(codes[15:], start=15)]
            entries = [paper.enter(code, _ticks(n, items), actor=b) for n, code in enumerate(on_paper)]
            out = await asyncio.gather(*online, *entries)
        finally:
            done.set()
        return [x for x in out if isinstance(x, str)]

    receipts, _ = await asyncio.gather(residents(), keep_mixing())
    await _check_whole(r.id, receipts, [_ticks(n, items) for n in range(60)])
    assert mixes  # it did run; on SQLite each mix is nothing (0)
    await mixing.mix_round(r.id)
    await _check_whole(r.id, receipts, [_ticks(n, items) for n in range(60)])
    if POSTGRES:
        assert len(await _xmins(f"round = {r.id}")) == 1


async def test_counting_mixes_the_round_and_every_receipt_still_checks():
    r, codes, items, _a, _b = await _setup(15)
    receipts = [await casting.cast_ballot(code, _ticks(n, items)) for n, code in enumerate(codes)]
    assert await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None) is True
    assert all([await results.receipt_counted(r.id, receipt) for receipt in receipts])
    assert (await results.recount(await wishlists.get_round(r.id), actor=None)).matches
    mixed = await BallotMix.select(BallotMix.round, BallotMix.ballots).run()
    if POSTGRES:
        assert mixed == [{"round": r.id, "ballots": 15}]
        assert len(await _xmins(f"round = {r.id}")) == 1
        assert await mixing.due_rounds() == []
    else:
        assert mixed == []  # nothing to mix on SQLite


async def test_mix_due_mixes_only_the_rounds_with_ballots_since_their_last_mix():
    r1, codes1, items1, _a, _b = await _setup(4)
    r2, codes2, items2, _c, _d = await _setup(4)
    await f.make_round(await f.make_places(1), items=2)  # no ballots: never due
    for n in range(3):
        await casting.cast_ballot(codes1[n], _ticks(n, items1))
        await casting.cast_ballot(codes2[n], _ticks(n, items2))
    if not POSTGRES:
        before = await Ballot.raw("SELECT rowid, * FROM ballot ORDER BY rowid").run()
        assert await mixing.due_rounds() == [] and await mixing.mix_due() == {}
        assert await mixing.mix_round(r1.id) == 0
        assert await Ballot.raw("SELECT rowid, * FROM ballot ORDER BY rowid").run() == before
        return
    assert await mixing.due_rounds() == sorted([r1.id, r2.id])
    assert await mixing.mix_due() == {r1.id: 3, r2.id: 3}
    assert await mixing.due_rounds() == []
    await casting.cast_ballot(codes2[3], _ticks(3, items2))
    assert await mixing.mix_due() == {r2.id: 4}
    assert await mixing.mix_due() == {}


@postgres_only
async def test_old_row_versions_stay_until_vacuum_frees_them():
    """What the mix leaves behind: the rows it replaced, with their old transaction ids, stay in
    the heap (invisible to SQL, shown by pageinspect, a superuser's tool) until VACUUM frees
    them; mix_due runs VACUUM after its mixes."""
    r, codes, items, _a, _b = await _setup(20)
    for n, code in enumerate(codes):
        await casting.cast_ballot(code, _ticks(n, items))
    cast_xmins = {x["x"] for x in await Ballot.raw("SELECT xmin::text AS x FROM ballot")}
    await Ballot.raw("CREATE EXTENSION IF NOT EXISTS pageinspect").run()

    async def in_heap(table: str) -> set[str]:
        rows = await Ballot.raw(
            "SELECT t_xmin::text AS x FROM generate_series(0, pg_relation_size({}) / current_setting('block_size')::int"
            " - 1) AS blk, heap_page_items(get_raw_page({}, blk::int)) WHERE t_xmin IS NOT NULL", table, table).run()
        return {x["x"] for x in rows}

    await mixing.mix_round(r.id)
    assert cast_xmins <= await in_heap("ballot")  # the window VACUUM closes
    await core_mixing.vacuum(mixing.BALLOTS.tables)
    assert not cast_xmins & await in_heap("ballot")
    assert not cast_xmins & await in_heap("ballot_choice")
    assert not cast_xmins & await in_heap("ballot_code")
    assert await BallotChoice.count() == sum(len(_ticks(n, items)) for n in range(20))
