"""群众勾选: codes, casting, the secrecy of the ballot table, counting."""
import asyncio
from datetime import UTC

import pytest

from tests import factories as f
from tests.conftest import SETTINGS
from yishi.ballots import casting, lifecycle
from yishi.ballots import codes as code_utils
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.tables import AuditEntry
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

USED = "这个选票码已经使用过了。每个选票码只能投一次。"
NOT_OPEN = "本批次清单尚未开放勾选，请稍后再来。"
ENDED = "本批次的群众勾选已经结束，感谢您的关注。"
NOT_ON_LIST = "提交的项目不在本次清单上，请刷新页面后重新勾选。"
EMPTY = "请至少勾选一项。"


async def _open_round(items: int = 3, max_ticks: int = 2, codes_per_community: int = 3, communities: int = 2):
    places = await f.make_places(communities)
    r = await f.make_round(places, items=items, max_ticks=max_ticks)
    codes = await f.open_round(r, codes_per_community=codes_per_community)
    return places, await wishlists.get_round(r.id), codes, await f.item_ids(r.id)


async def _nothing_cast(code: str) -> None:
    assert await Ballot.count() == 0
    assert await BallotChoice.count() == 0
    assert (await casting.lookup_code(code)).used is False


async def _code_row(code: str) -> dict:
    return await BallotCode.select(BallotCode.used_at, BallotCode.channel).where(BallotCode.code == code).first()


# --- issuing codes -----------------------------------------------------------------------

async def test_issue_codes_returns_distinct_readable_codes():
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    issued = await casting.issue_codes(r, places["communities"][0], 50, actor=None)
    assert len(issued) == 50
    assert len(set(issued)) == 50
    assert issued == sorted(issued)
    assert all(len(c) == 8 and set(c) <= set(code_utils.ALPHABET) for c in issued)
    rows = await BallotCode.select(
        BallotCode.code, BallotCode.community, BallotCode.used_at, BallotCode.batch).order_by(BallotCode.code).run()
    (batch,) = await casting.code_batches(r.id)
    assert rows == [{"code": c, "community": places["communities"][0], "used_at": None, "batch": batch["id"]}
                    for c in issued]
    assert (batch["number"], batch["size"], batch["unused"], batch["issued_by_name"]) == (1, 50, 50, None)
    audit = await AuditEntry.select(AuditEntry.action, AuditEntry.data).output(load_json=True).run()
    assert audit[-1] == {"action": "ballot.codes.issued",
                         "data": {"community_id": places["communities"][0], "count": 50,
                         "voter_unit": "resident", "batch_id": batch["id"]}}


@pytest.mark.parametrize("count", [0, -1, 5001])
async def test_issue_codes_count_out_of_range_refused(count):
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    with pytest.raises(DomainError) as caught:
        await casting.issue_codes(r, places["communities"][0], count, actor=None)
    assert caught.value.message == "每次可生成 1 到 5000 个选票码。"
    assert await BallotCode.count() == 0


@pytest.mark.parametrize("count", [1, 5000])
async def test_issue_codes_count_bounds_accepted(count):
    # 5000 rows go in one INSERT: within both databases' limits on bound parameters.
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    issued = await casting.issue_codes(r, places["communities"][0], count, actor=None)
    assert len(set(issued)) == count
    assert await BallotCode.count() == count


async def test_issue_codes_community_of_another_town_refused():
    mine = await f.make_places()
    other = await f.make_places()
    r = await f.make_round(mine, items=1)
    with pytest.raises(DomainError) as caught:
        await casting.issue_codes(r, other["communities"][0], 5, actor=None)
    assert caught.value.message == "所选社区不属于本镇（街道）。"
    assert await BallotCode.count() == 0


async def test_issue_codes_unknown_community_refused():
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    with pytest.raises(DomainError) as caught:
        await casting.issue_codes(r, 999_999, 5, actor=None)
    assert caught.value.message == "所选社区不属于本镇（街道）。"


async def test_issue_codes_while_voting_allowed():
    places, r, _codes, _items = await _open_round()
    more = await casting.issue_codes(r, places["communities"][1], 2, actor=None)
    assert len(more) == 2
    assert await BallotCode.count() == 8


@pytest.mark.parametrize("status", [RoundStatus.counted, RoundStatus.decided])
async def test_issue_codes_after_ticking_ended_409(status):
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    await wishlists.set_status(r.id, RoundStatus.draft, status)
    r = await wishlists.get_round(r.id)
    with pytest.raises(Conflict) as caught:
        await casting.issue_codes(r, places["communities"][0], 5, actor=None)
    assert caught.value.message == "勾选已结束，不能再发放选票码。"
    assert await BallotCode.count() == 0


# --- looking codes up --------------------------------------------------------------------

async def test_lookup_code_forgives_case_spaces_and_dashes():
    places, r, codes, _items = await _open_round()
    typed = " " + code_utils.display(codes[0]).lower().replace("-", " - ") + " "
    info = await casting.lookup_code(typed)
    assert (info.code, info.round_id, info.community_id, info.used) == (codes[0], r.id, places["communities"][0],
                                                                       False)
    assert info.community_name == "第1社区"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "选票码应为 8 位字母和数字，请核对后重新输入。"),
        ("ACDEFGH", "选票码应为 8 位字母和数字，请核对后重新输入。"),
        ("ACDEFGHJK", "选票码应为 8 位字母和数字，请核对后重新输入。"),
        ("ACDEFGHJ", "没有找到这个选票码，请核对后重新输入。"),
    ],
)
async def test_lookup_code_unknown_404(raw, message):
    with pytest.raises(NotFound) as caught:
        await casting.lookup_code(raw)
    assert caught.value.message == message
    assert caught.value.status_code == 404


# --- check_choices (pure) ----------------------------------------------------------------

def test_check_choices_sorted_and_deduplicated():
    assert casting.check_choices([3, 1, 3, 1], {1, 2, 3}, 2) == [1, 3]


def test_check_choices_exactly_max_ticks_accepted():
    assert casting.check_choices([2, 1], {1, 2, 3}, 2) == [1, 2]


def test_check_choices_zero_max_means_unlimited():
    assert casting.check_choices([1, 2, 3], {1, 2, 3}, 0) == [1, 2, 3]


def test_check_choices_duplicates_do_not_count_twice_against_max():
    assert casting.check_choices([1, 1, 1], {1, 2}, 1) == [1]


@pytest.mark.parametrize(
    ("ticked", "valid", "max_ticks", "message"),
    [
        ([], {1, 2}, 0, EMPTY),
        ([], set(), 0, EMPTY),
        ([3], {1, 2}, 0, NOT_ON_LIST),
        ([1, 3], {1, 2}, 0, NOT_ON_LIST),
        ([-1], {1, 2}, 0, NOT_ON_LIST),
        ([1, 2, 3], {1, 2, 3}, 2, "最多只能勾选 2 项，您勾选了 3 项。请取消一些后再提交。"),
        # A foreign item is reported before the count, so the message points at the real problem.
        ([1, 2, 9], {1, 2, 3}, 1, NOT_ON_LIST),
    ],
)
def test_check_choices_refused(ticked, valid, max_ticks, message):
    with pytest.raises(DomainError) as caught:
        casting.check_choices(ticked, valid, max_ticks)
    assert caught.value.message == message
    assert caught.value.status_code == 400


# --- casting -----------------------------------------------------------------------------

async def test_cast_ballot_records_choices_and_spends_code():
    places, r, codes, items = await _open_round()
    receipt = await casting.cast_ballot(codes[0], [items[2], items[0], items[2]])
    assert len(receipt) == 10
    assert set(receipt) <= set(code_utils.ALPHABET)
    (ballot,) = await Ballot.select().run()
    assert ballot == {"id": ballot["id"], "round": r.id, "community": places["communities"][0], "receipt": receipt}
    choices = await BallotChoice.select(BallotChoice.item).where(BallotChoice.ballot == ballot["id"]).order_by(
        BallotChoice.item).run()
    assert [c["item"] for c in choices] == [items[0], items[2]]
    row = await _code_row(codes[0])
    assert row["channel"] == "online"
    assert row["used_at"] is not None
    assert (await casting.lookup_code(codes[0])).used is True


async def test_cast_ballot_unknown_code_404():
    _places, _r, codes, items = await _open_round()
    with pytest.raises(NotFound) as caught:
        await casting.cast_ballot("ACDEFGHJ" if "ACDEFGHJ" not in codes else "ACDEFGHK", [items[0]])
    assert caught.value.message == "没有找到这个选票码，请核对后重新输入。"
    assert await Ballot.count() == 0


async def test_cast_ballot_used_code_409():
    _places, _r, codes, items = await _open_round()
    first = await casting.cast_ballot(codes[0], [items[0]])
    with pytest.raises(Conflict) as caught:
        await casting.cast_ballot(codes[0], [items[1]])
    assert caught.value.message == USED
    assert [b["receipt"] for b in await Ballot.select(Ballot.receipt).run()] == [first]
    assert [c["item"] for c in await BallotChoice.select(BallotChoice.item).run()] == [items[0]]


async def test_cast_ballot_draft_round_409():
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    (code,) = await casting.issue_codes(r, places["communities"][0], 1, actor=None)
    with pytest.raises(Conflict) as caught:
        await casting.cast_ballot(code, await f.item_ids(r.id))
    assert caught.value.message == NOT_OPEN
    await _nothing_cast(code)


@pytest.mark.parametrize("status", [RoundStatus.counted, RoundStatus.decided])
async def test_cast_ballot_closed_round_409(status):
    _places, r, codes, items = await _open_round()
    await wishlists.set_status(r.id, RoundStatus.voting, status)
    with pytest.raises(Conflict) as caught:
        await casting.cast_ballot(codes[0], [items[0]])
    assert caught.value.message == ENDED
    await _nothing_cast(codes[0])


async def test_cast_ballot_too_many_ticks_400_nothing_saved():
    _places, _r, codes, items = await _open_round(items=3, max_ticks=2)
    with pytest.raises(DomainError) as caught:
        await casting.cast_ballot(codes[0], items)
    assert caught.value.status_code == 400
    assert caught.value.message == "最多只能勾选 2 项，您勾选了 3 项。请取消一些后再提交。"
    await _nothing_cast(codes[0])
    assert await _code_row(codes[0]) == {"used_at": None, "channel": None}
    # The code still works once the resident ticks fewer.
    await casting.cast_ballot(codes[0], items[:2])
    assert await Ballot.count() == 1


async def test_cast_ballot_item_of_another_round_400_nothing_saved():
    places, _r, codes, items = await _open_round()
    other = await f.make_round(places, items=1, title="另一批次")
    (foreign,) = await f.item_ids(other.id)
    with pytest.raises(DomainError) as caught:
        await casting.cast_ballot(codes[0], [items[0], foreign])
    assert caught.value.message == NOT_ON_LIST
    await _nothing_cast(codes[0])


async def test_cast_ballot_empty_400_nothing_saved():
    _places, _r, codes, _items = await _open_round()
    with pytest.raises(DomainError) as caught:
        await casting.cast_ballot(codes[0], [])
    assert caught.value.message == EMPTY
    await _nothing_cast(codes[0])


async def test_cast_ballot_same_code_concurrently_exactly_one_ballot():
    _places, _r, codes, items = await _open_round(codes_per_community=1, communities=1)
    results = await asyncio.gather(*[casting.cast_ballot(codes[0], [items[i % 2]]) for i in range(20)],
                                   return_exceptions=True)
    receipts = [x for x in results if isinstance(x, str)]
    conflicts = [x for x in results if isinstance(x, Conflict)]
    assert len(receipts) == 1
    assert len(conflicts) == 19
    assert {c.message for c in conflicts} == {USED}
    assert [b["receipt"] for b in await Ballot.select(Ballot.receipt).run()] == receipts
    assert await BallotChoice.count() == 1


async def test_cast_ballot_different_codes_concurrently_all_counted():
    _places, r, codes, items = await _open_round(codes_per_community=10, communities=1)
    results = await asyncio.gather(*[casting.cast_ballot(c, [items[0]]) for c in codes])
    assert len(set(results)) == 10
    assert (await casting.tally(r.id)).approvals == {items[0]: 10}


# --- secrecy -----------------------------------------------------------------------------

async def _db_columns(table: str) -> dict[str, str]:
    if SETTINGS.is_postgres:
        rows = await Ballot.raw(
            "SELECT column_name AS name, data_type AS type FROM information_schema.columns "
            "WHERE table_name = {} AND table_schema = current_schema()", table).run()
    else:
        rows = await Ballot.raw(f'PRAGMA table_info("{table}")').run()
    return {r["name"]: r["type"].lower() for r in rows}


async def test_ballot_table_holds_no_code_and_no_time():
    columns = await _db_columns("ballot")
    assert set(columns) == {"id", "round", "community", "receipt"}
    assert not [t for t in columns.values() if "time" in t or "date" in t]
    assert {c._meta.name for c in Ballot._meta.columns} == {"id", "round", "community", "receipt"}


async def test_ballot_choice_table_holds_no_code_and_no_time():
    columns = await _db_columns("ballot_choice")
    assert set(columns) == {"id", "ballot", "item"}


async def test_cast_ballot_stores_nothing_that_leads_back_to_code():
    _places, _r, codes, items = await _open_round()
    receipt = await casting.cast_ballot(codes[0], [items[0]])
    assert receipt != codes[0]
    (ballot,) = await Ballot.select().run()
    assert codes[0] not in {str(v) for v in ballot.values()}
    # Casting writes no audit entry: the log must not pair a code with a moment either.
    assert await AuditEntry.count().where(AuditEntry.action.like("ballot.cast%")) == 0
    assert codes[0] not in str(await AuditEntry.select(AuditEntry.data).run())


# --- opening, closing, counting ----------------------------------------------------------

async def test_open_voting_freezes_and_stamps():
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    r = await f.adopt_list(r)
    await lifecycle.open_voting(r, actor=None)
    r = await wishlists.get_round(r.id)
    assert r.status is RoundStatus.voting
    assert r.opened_at is not None
    with pytest.raises(Conflict) as caught:
        await lifecycle.open_voting(r, actor=None)
    assert caught.value.message == "该批次已经开放过勾选，不能重复开放。"


async def test_open_voting_stale_view_409():
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    r = await f.adopt_list(r)
    await lifecycle.open_voting(r, actor=None)
    with pytest.raises(Conflict) as caught:
        await lifecycle.open_voting(r, actor=None)  # r still says draft
    assert caught.value.message == "该批次的状态已被他人更改，请刷新页面。"


async def test_open_voting_empty_list_refused():
    places = await f.make_places()
    r = await f.make_round(places, items=0)
    with pytest.raises(DomainError) as caught:
        await lifecycle.open_voting(r, actor=None)
    assert caught.value.message == "清单还是空的，请先添加项目再开放勾选。"
    assert (await wishlists.get_round(r.id)).status is RoundStatus.draft


async def test_close_voting_only_while_voting():
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    with pytest.raises(Conflict) as caught:
        await lifecycle.close_voting(r, actor=None)
    assert caught.value.message == "该批次当前不在勾选中，无法结束勾选。"
    await f.open_round(r, codes_per_community=1)
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    r = await wishlists.get_round(r.id)
    assert r.status is RoundStatus.counted
    assert r.closed_at is not None
    actions = [a["action"] for a in await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.action.like("ballot.round.%")).order_by(AuditEntry.id).run()]
    assert actions == ["ballot.round.opened", "ballot.round.closed"]


async def test_tally_counts_exact():
    _places, r, codes, items = await _open_round(items=3, max_ticks=0, codes_per_community=4)
    a, b, c = items
    # Community 1 holds codes[0:4], community 2 codes[4:8].
    await casting.cast_ballot(codes[0], [a, b])
    await casting.cast_ballot(codes[1], [a])
    await casting.cast_ballot(codes[2], [a, b, c])
    await casting.cast_ballot(codes[4], [b])
    result = await casting.tally(r.id)
    assert result.approvals == {a: 3, b: 3, c: 1}
    assert result.ballots == 4
    assert result.codes_issued == 8
    assert result.turnout == 0.5


async def test_tally_turnout_per_community_exact():
    places = await f.make_places(3)
    r = await f.make_round(places, items=2, max_ticks=0)
    first, second, third = places["communities"]
    c1 = await casting.issue_codes(r, first, 4, actor=None)
    c2 = await casting.issue_codes(r, second, 2, actor=None)
    await casting.issue_codes(r, third, 3, actor=None)
    r = await f.adopt_list(r)
    await lifecycle.open_voting(r, actor=None)
    items = await f.item_ids(r.id)
    for code in c1[:3] + c2[:1]:
        await casting.cast_ballot(code, [items[0]])
    result = await casting.tally(r.id)
    assert result.per_community == [
        {"id": first, "name": "第1社区", "issued": 4, "voted": 3},
        {"id": second, "name": "第2社区", "issued": 2, "voted": 1},
        {"id": third, "name": "第3社区", "issued": 3, "voted": 0},
    ]
    assert (result.ballots, result.codes_issued) == (4, 9)
    assert result.turnout == 4 / 9


async def test_tally_keeps_rounds_apart():
    places, r, codes, items = await _open_round(items=2, max_ticks=0)
    other = await f.make_round(places, items=2, title="另一批次", max_ticks=0)
    other_codes = await f.open_round(other, codes_per_community=1)
    other_items = await f.item_ids(other.id)
    await casting.cast_ballot(codes[0], items)
    await casting.cast_ballot(other_codes[0], [other_items[1]])
    assert (await casting.tally(r.id)).approvals == {items[0]: 1, items[1]: 1}
    assert (await casting.tally(other.id)).approvals == {other_items[1]: 1}
    assert (await casting.tally(other.id)).codes_issued == 2


async def test_tally_empty_round_zero_turnout():
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    result = await casting.tally(r.id)
    assert (result.approvals, result.ballots, result.codes_issued, result.per_community, result.turnout) == (
        {}, 0, 0, [], 0.0)


async def test_unused_codes_lists_only_unspent():
    places, r, codes, items = await _open_round(codes_per_community=2)
    await casting.cast_ballot(codes[0], [items[0]])
    unused = await casting.unused_codes(r.id)
    assert sorted(u["code"] for u in unused) == sorted(codes[1:])
    by_community = await casting.unused_codes(r.id, community_id=places["communities"][1])
    assert sorted(u["code"] for u in by_community) == sorted(codes[2:])
    assert {u["community"] for u in by_community} == {"第2社区"}
    assert len(await casting.unused_codes(r.id, limit=2)) == 2


async def test_cast_ballot_records_only_the_day_a_code_was_spent():
    """Spending times to the second would pair codes with the sequential ballot ids."""
    _places, _r, codes, items = await _open_round()
    await casting.cast_ballot(codes[0], [items[0]])
    await casting.cast_ballot(codes[1], [items[1]])
    used = await BallotCode.select(BallotCode.used_at).where(BallotCode.code.is_in(codes[:2])).run()
    local = [row["used_at"].astimezone(casting.CHINA) for row in used]
    assert [(t.hour, t.minute, t.second, t.microsecond) for t in local] == [(0, 0, 0, 0)] * 2
    assert local[0] == local[1]


def test_spent_day_is_midnight_china_time():
    from datetime import datetime

    moment = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)  # 01:30 on the 26th in China
    day = casting.spent_day(moment)
    assert day == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
