"""The secrecy of the ballot against someone who can read the whole database: the pairings an
insider would try, from what the tables store, do not pair a spent code with its ballot."""
import itertools

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting, paper
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode

N = 20


async def _cast_twenty_distinct_ballots():
    """20 codes of one community spent in the order they were issued (the worst case: any order
    the database keeps then matches the codes' own order), each ticking a different set."""
    places = await f.make_places(1)
    r = await f.make_round(places, items=6, max_ticks=0)
    codes = await f.open_round(r, codes_per_community=N)
    items = await f.item_ids(r.id)
    sets = [frozenset(c) for n in (1, 2, 3) for c in itertools.combinations(items, n)][:N]
    truth = {}
    for code, ticks in zip(codes, sets, strict=True):
        await casting.cast_ballot(code, sorted(ticks))
        truth[code] = ticks
    return r, truth


async def _ballots() -> dict[int, frozenset]:
    out: dict[int, set] = {}
    for row in await BallotChoice.select(BallotChoice.ballot, BallotChoice.item):
        out.setdefault(row["ballot"], set()).add(row["item"])
    return {k: frozenset(v) for k, v in out.items()}


def _paired(guess: dict[str, frozenset], truth: dict[str, frozenset]) -> int:
    return sum(guess[code] == truth[code] for code in truth)


async def test_ballot_ids_and_times_pair_no_code_with_its_ballot():
    _r, truth = await _cast_twenty_distinct_ballots()
    # The spent codes in the order the database can give: by the time they were spent (a day at
    # most), then by id.
    spent = [r["code"] for r in await BallotCode.select(BallotCode.code, BallotCode.used_at, BallotCode.id).where(
        BallotCode.used_at.is_not_null()).order_by(BallotCode.used_at).order_by(BallotCode.id)]
    assert len(spent) == N and len({r["used_at"] for r in await BallotCode.select(BallotCode.used_at).where(
        BallotCode.used_at.is_not_null())}) == 1  # one day, no finer
    ballots = await _ballots()
    # Insider 1: ballots by id.
    by_id = [ballots[r["id"]] for r in await Ballot.select(Ballot.id).order_by(Ballot.id)]
    # Insider 2: ballots by the ids of their ticks, written with them.
    first_tick: dict[int, int] = {}
    for row in await BallotChoice.select(BallotChoice.id, BallotChoice.ballot):
        first_tick[row["ballot"]] = min(first_tick.get(row["ballot"], row["id"]), row["id"])
    by_tick = [ballots[b] for b in sorted(first_tick, key=first_tick.get)]
    orders = {"ballot id": by_id, "tick id": by_tick}
    if Ballot._meta.db.engine_type == "sqlite":
        # Insider 3: the rows as the table hands them out, with no order asked (SQLite: by rowid).
        orders["stored order"] = [ballots[r["id"]] for r in await Ballot.raw("SELECT id FROM ballot")]
    for name, order in orders.items():
        # With sequential ids every pair would be right (20); a random order gets about one.
        assert _paired(dict(zip(spent, order, strict=True)), truth) < N // 2, name


async def test_paper_ballot_gets_a_random_id_and_its_code_only_the_day():
    places = await f.make_places(1)
    r = await f.make_round(places, items=3, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=N)
    items = await f.item_ids(r.id)
    a, b = await f.make_user(Role.collector, places), await f.make_user(Role.collector, places)
    for code in codes[:6]:
        await paper.enter(code, items[:1], actor=a)
        await paper.enter(code, items[:1], actor=b)
    ids = [row["id"] for row in await Ballot.select(Ballot.id)]
    assert len(ids) == 6 and sorted(ids) != list(range(min(ids), min(ids) + 6))
    used = await BallotCode.select(BallotCode.used_at).where(BallotCode.used_at.is_not_null())
    assert {(u["used_at"].hour, u["used_at"].minute, u["used_at"].second) for u in used} == {(16, 0, 0)}  # 00:00 China


@pytest.mark.xfail(strict=True, reason="known, not closed: on PostgreSQL the spent code's row version and the "
                   "ballot written in the same statement share the transaction id (xmin)")
async def test_postgres_xmin_pairs_a_spent_code_with_its_ballot():
    if Ballot._meta.db.engine_type != "postgres":
        pytest.skip("PostgreSQL's system columns only")
    _r, truth = await _cast_twenty_distinct_ballots()
    ballots = await _ballots()
    ballot_of = {r["xmin"]: ballots[r["id"]] for r in await Ballot.raw("SELECT id, xmin::text AS xmin FROM ballot")}
    guess = {r["code"]: ballot_of.get(r["xmin"]) for r in await BallotCode.raw(
        "SELECT code, xmin::text AS xmin FROM ballot_code WHERE used_at IS NOT NULL")}
    assert _paired(guess, truth) < N // 2
