"""The secrecy of the ballot against someone who can read the whole database: the pairings an
insider would try, from what the tables store, do not pair a spent code with its ballot once the
round is mixed (ballots/mixing.py). Before the mix PostgreSQL's transaction ids and the heap's
order do pair them: that window is documented here too, as it is."""
import itertools

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting, mixing, paper
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode

N = 20
postgres_only = pytest.mark.skipif(Ballot._meta.db.engine_type != "postgres",
                                   reason="PostgreSQL's system columns (xmin, ctid) only")


async def _distinct_round(n: int = N):
    places = await f.make_places(1)
    r = await f.make_round(places, items=6, max_ticks=0)
    codes = await f.open_round(r, codes_per_community=n)
    items = await f.item_ids(r.id)
    sets = [frozenset(c) for k in (1, 2, 3) for c in itertools.combinations(items, k)][:n]
    return places, r, codes, sets


async def _cast_twenty_distinct_ballots():
    """20 codes of one community spent in the order they were issued (the worst case: any order
    the database keeps then matches the codes' own order), each ticking a different set."""
    _places, r, codes, sets = await _distinct_round()
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
    return sum(guess.get(code) == truth[code] for code in truth)


async def _codes(order: str) -> list[str]:
    return [r["code"] for r in await BallotCode.raw(
        f"SELECT code FROM ballot_code WHERE used_at IS NOT NULL ORDER BY {order}")]


async def _ballots_in(order: str | None) -> list[frozenset]:
    ballots = await _ballots()
    query = "SELECT id FROM ballot" + (f" ORDER BY {order}" if order else "")
    return [ballots[r["id"]] for r in await Ballot.raw(query)]


async def _insiders_pairings(truth: dict[str, frozenset]) -> dict[str, int]:
    """Every pairing an insider would try, from what the tables give, and how many codes each
    pairs with the right ballot. With an order that follows the casting every code pairs (20);
    a random order pairs about one."""
    ballots = await _ballots()
    # The spent codes as the database can give them: by the time they were spent (a day at most),
    # then by id.
    by_time = await _codes("used_at, id")
    first_tick: dict[int, int] = {}
    for row in await BallotChoice.select(BallotChoice.id, BallotChoice.ballot):
        first_tick[row["ballot"]] = min(first_tick.get(row["ballot"], row["id"]), row["id"])
    orders = {
        "ballot id": (by_time, await _ballots_in("id")),
        "tick id": (by_time, [ballots[b] for b in sorted(first_tick, key=first_tick.__getitem__)]),
        # The rows as the table hands them out with no order asked (SQLite: by rowid).
        "stored order": (by_time, await _ballots_in(None)),
    }
    if Ballot._meta.db.engine_type == "postgres":
        # The heap's physical order of both tables, and the transaction ids in the order they were given.
        orders["ctid"] = (await _codes("ctid"), await _ballots_in("ctid"))
        orders["xmin order"] = (await _codes("xmin::text::bigint, ctid"), await _ballots_in("xmin::text::bigint, ctid"))
    out = {name: _paired(dict(zip(codes, order, strict=True)), truth) for name, (codes, order) in orders.items()}
    if Ballot._meta.db.engine_type == "postgres":
        # The same transaction id on a spent code and a ballot.
        ballot_of = {r["xmin"]: ballots[r["id"]] for r in await Ballot.raw("SELECT id, xmin::text AS xmin FROM ballot")}
        out["same xmin"] = _paired({r["code"]: ballot_of.get(r["xmin"]) for r in await BallotCode.raw(
            "SELECT code, xmin::text AS xmin FROM ballot_code WHERE used_at IS NOT NULL")}, truth)
    return out


async def _xmins(table: str, where: str) -> set[str]:
    return {r["x"] for r in await Ballot.raw(f"SELECT xmin::text AS x FROM {table} WHERE {where}")}


async def test_after_the_mix_no_pairing_an_insider_tries_pairs_a_code_with_its_ballot():
    r, truth = await _cast_twenty_distinct_ballots()
    assert len({row["used_at"] for row in await BallotCode.select(BallotCode.used_at).where(
        BallotCode.used_at.is_not_null())}) == 1  # one day, no finer
    assert await mixing.mix_round(r.id) == (N if Ballot._meta.db.engine_type == "postgres" else 0)
    pairings = await _insiders_pairings(truth)
    assert set(pairings) >= {"ballot id", "tick id", "stored order"}
    assert {name: n for name, n in pairings.items() if n >= N // 2} == {}, pairings


@postgres_only
async def test_before_the_mix_postgres_pairs_every_code_with_its_ballot():
    """The window: between a ballot and the next mix of its round (the scheduled run while the
    ticking goes on, the count at its end), an insider who reads the tables pairs its code with it
    by the transaction id (and, in a table whose new rows go to its end, by the heap's order too:
    not asserted, as where a row lands depends on the free space earlier tests left). This is what
    the README says."""
    _r, truth = await _cast_twenty_distinct_ballots()
    pairings = await _insiders_pairings(truth)
    assert pairings["same xmin"] == N
    assert pairings["xmin order"] == N
    # What never paired, even before: the random ids.
    assert pairings["ballot id"] < N // 2 and pairings["tick id"] < N // 2


@postgres_only
async def test_after_the_mix_every_row_of_the_round_has_the_mixs_transaction_id():
    r, truth = await _cast_twenty_distinct_ballots()
    other, _other_truth = await _cast_twenty_distinct_ballots()
    before_other = await _xmins("ballot", f"round = {other.id}")
    await mixing.mix_round(r.id)
    mixed = await _xmins("ballot", f"round = {r.id}")
    assert len(mixed) == 1
    assert await _xmins("ballot_choice", f"ballot IN (SELECT id FROM ballot WHERE round = {r.id})") == mixed
    assert await _xmins("ballot_code", f"round = {r.id} AND used_at IS NOT NULL") == mixed
    assert await _xmins("ballot", f"round = {other.id}") == before_other  # another round is not touched
    # Nothing changed but the rows' places: the same ballots, ticks and receipts.
    assert sorted(await _ballots_of(r.id)) == sorted(sorted(t) for t in truth.values())


async def _ballots_of(round_id: int) -> list[list[int]]:
    return [sorted(b) for b in await casting.stored_ballots(round_id)]


@postgres_only
async def test_paper_forms_are_mixed_with_their_ballots():
    """A counted paper form keeps its code, and the second entry that counts it writes the ballot
    in the same transaction: the mix writes the forms again too."""
    places, r, codes, sets = await _distinct_round(12)
    a, b = await f.make_user(Role.collector, places), await f.make_user(Role.collector, places)
    truth = {}
    for code, ticks in zip(codes, sets, strict=True):
        await paper.enter(code, sorted(ticks), actor=a)
        await paper.enter(code, sorted(ticks), actor=b)
        truth[code] = ticks
    ballots = await _ballots()

    async def by_form_xmin() -> int:
        ballot_of = {x["xmin"]: ballots[x["id"]] for x in await Ballot.raw("SELECT id, xmin::text AS xmin FROM ballot")}
        return _paired({x["code"]: ballot_of.get(x["xmin"]) for x in await Ballot.raw(
            "SELECT c.code, p.xmin::text AS xmin FROM paper_ballot p JOIN ballot_code c ON c.id = p.code")}, truth)

    async def by_form_order(order: str) -> int:
        forms = [x["code"] for x in await Ballot.raw(
            f"SELECT c.code FROM paper_ballot p JOIN ballot_code c ON c.id = p.code ORDER BY p.{order}")]
        return _paired(dict(zip(forms, await _ballots_in("ctid"), strict=True)), truth)

    assert await by_form_xmin() == 12  # the window
    await mixing.mix_round(r.id)
    assert await _xmins("paper_ballot", f"round = {r.id}") == await _xmins("ballot", f"round = {r.id}")
    assert await by_form_xmin() < 6
    assert await by_form_order("ctid") < 6
    assert await by_form_order("id") < 6


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
