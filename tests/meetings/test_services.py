"""The 5+X council and its decision on a round; the intent list gathered for the district."""
from datetime import UTC

import pytest

from tests import factories as f
from tests.meetings import setup
from yishi.accounts.enums import Role
from yishi.ballots import casting as ballots
from yishi.ballots import lifecycle
from yishi.core.errors import Conflict, DomainError
from yishi.core.tables import AuditEntry
from yishi.meetings import decisions, records
from yishi.meetings.enums import MemberCategory
from yishi.meetings.tables import CouncilMember, Decision, DecisionItem
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import ItemKind, RoundStatus

FIVE = [MemberCategory.party, MemberCategory.worker, MemberCategory.party_member, MemberCategory.grid,
        MemberCategory.resident]


async def _counted_round(items: int = 3, **kwargs):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    r = await f.make_round(places, items=items, max_ticks=0, **kwargs)
    codes = await f.open_round(r, codes_per_community=2)
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=convener)
    return places, convener, await wishlists.get_round(r.id), codes


async def _nothing_decided(round_id: int) -> None:
    assert await Decision.count() == 0
    assert await DecisionItem.count() == 0
    assert (await wishlists.get_round(round_id)).status is RoundStatus.counted


# --- the council -------------------------------------------------------------------------

def test_missing_categories_full_council_none_missing():
    assert records.missing_categories([c.value for c in MemberCategory]) == []


def test_missing_categories_empty_council_all_five_in_order():
    assert records.missing_categories([]) == FIVE


def test_missing_categories_x_alone_does_not_count():
    assert records.missing_categories(["x", "x"]) == FIVE


def test_missing_categories_names_the_gaps():
    assert records.missing_categories(["party", "resident", "resident", "x"]) == [
        MemberCategory.worker, MemberCategory.party_member, MemberCategory.grid]


async def test_members_of_in_standard_category_order_not_by_code():
    places = await f.make_places()
    order = [MemberCategory.x, MemberCategory.resident, MemberCategory.grid, MemberCategory.party_member,
             MemberCategory.worker, MemberCategory.party, MemberCategory.resident]
    council_id = await f.make_council(places, categories=order)
    members = await records.members_of(council_id)
    assert [m["category"] for m in members] == ["party", "worker", "party_member", "grid", "resident", "resident", "x"]
    assert [m["name"] for m in members][4:] == ["成员2", "成员7", "成员1"]  # within a category, by id


async def test_add_member_and_members_of_by_category():
    places = await f.make_places()
    council_id = await f.make_council(places, categories=[MemberCategory.x, MemberCategory.party])
    members = await records.members_of(council_id)
    assert [(m["name"], m["category"]) for m in members] == [("成员2", "party"), ("成员1", "x")]
    assert (await records.council_of_town(places["town"]))["id"] == council_id


async def test_add_member_blank_name_refused():
    places = await f.make_places()
    council_id = await f.make_council(places, categories=[MemberCategory.x])
    with pytest.raises(DomainError) as caught:
        await records.add_member(council_id, name="  ", category=MemberCategory.grid)
    assert caught.value.message == "请填写成员姓名。"
    assert await CouncilMember.count() == 1


# --- recording the decision --------------------------------------------------------------

async def test_record_decision_when_counted():
    _places, convener, r, _codes = await _counted_round()
    a, b, c = await f.item_ids(r.id)
    mid = await setup.quorate_meeting(r, convener)
    await decisions.record_decision(r, [c, a, a], "  同意实施项目1和项目3。 ", actor=convener, meeting_id=mid)
    assert (await wishlists.get_round(r.id)).status is RoundStatus.decided
    (decision,) = await Decision.select(Decision.round, Decision.resolution, Decision.decided_by).run()
    assert decision == {"round": r.id, "resolution": "同意实施项目1和项目3。", "decided_by": convener.id}
    rows = await DecisionItem.select(DecisionItem.item, DecisionItem.approved).order_by(DecisionItem.item).run()
    assert [(x["item"], x["approved"]) for x in rows] == [(a, True), (b, False), (c, True)]
    audit = await AuditEntry.select(AuditEntry.actor_id, AuditEntry.data).where(
        AuditEntry.action == "meeting.decision.recorded").output(load_json=True).run()
    assert audit == [{"actor_id": convener.id, "data": {"approved": [a, c], "meeting_id": mid}}]
    found = await records.decision_of(r.id)
    assert found["approved"] == {a, c}


async def test_decision_of_none_before_decision():
    _places, _convener, r, _codes = await _counted_round()
    assert await records.decision_of(r.id) is None


@pytest.mark.parametrize(("status", "message"), [
    (RoundStatus.draft, "群众勾选结束后才能记录议事决定。"),
    (RoundStatus.voting, "群众勾选结束后才能记录议事决定。"),
])
async def test_record_decision_before_counted_409(status, message):
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    if status is RoundStatus.voting:
        await f.open_round(r, codes_per_community=1)
        r = await wishlists.get_round(r.id)
    with pytest.raises(Conflict) as caught:
        await decisions.record_decision(r, await f.item_ids(r.id), "同意。", actor=None,
                                       meeting_id=await setup.quorate_meeting(r))
    assert caught.value.message == message
    assert await Decision.count() == 0
    assert (await wishlists.get_round(r.id)).status is status


@pytest.mark.parametrize(
    ("approved", "resolution", "message"),
    [
        ("none", "同意。", "请至少选择一项通过的项目。"),
        ("first", "", "请填写议事组的决议内容。"),
        ("first", "  \n ", "请填写议事组的决议内容。"),
        ("first", "议" * 4001, "决议内容不能超过 4000 个字。"),
        ("foreign", "同意。", "提交的项目不在本次清单上，请刷新页面后重试。"),
    ],
)
async def test_record_decision_invalid_refused_nothing_saved(approved, resolution, message):
    places, convener, r, _codes = await _counted_round()
    other = await f.make_round(places, items=1, title="另一批次")
    chosen = {"none": [], "first": (await f.item_ids(r.id))[:1], "foreign": await f.item_ids(other.id)}[approved]
    mid = await setup.quorate_meeting(r, convener)
    with pytest.raises(DomainError) as caught:
        await decisions.record_decision(r, chosen, resolution, actor=convener, meeting_id=mid)
    assert caught.value.status_code == 400
    assert caught.value.message == message
    await _nothing_decided(r.id)


async def test_record_decision_resolution_of_4000_accepted():
    _places, convener, r, _codes = await _counted_round()
    await decisions.record_decision(r, (await f.item_ids(r.id))[:1], "议" * 4000, actor=convener,
                                   meeting_id=await setup.quorate_meeting(r, convener))
    assert len((await Decision.select(Decision.resolution).first())["resolution"]) == 4000


async def test_record_decision_twice_409():
    _places, convener, r, _codes = await _counted_round()
    items = await f.item_ids(r.id)
    mid = await setup.quorate_meeting(r, convener)
    await decisions.record_decision(r, items[:1], "同意。", actor=convener, meeting_id=mid)
    with pytest.raises(Conflict) as caught:
        await decisions.record_decision(await wishlists.get_round(r.id), items[1:], "改为同意其余项目。",
                                       actor=convener, meeting_id=mid)
    assert caught.value.message == "本批次已经形成决议，不能重复记录。"
    assert (await records.decision_of(r.id))["approved"] == {items[0]}


async def test_record_decision_twice_from_stale_page_409():
    _places, convener, r, _codes = await _counted_round()
    items = await f.item_ids(r.id)
    mid = await setup.quorate_meeting(r, convener)
    await decisions.record_decision(r, items[:1], "同意。", actor=convener, meeting_id=mid)
    with pytest.raises(Conflict) as caught:
        # r still says counted
        await decisions.record_decision(r, items[1:], "改为同意其余项目。", actor=convener, meeting_id=mid)
    assert caught.value.message == "本批次的状态已被他人更改，请刷新页面。"
    assert await Decision.count() == 1
    assert (await records.decision_of(r.id))["approved"] == {items[0]}


# --- the intent list ---------------------------------------------------------------------

async def test_intent_list_before_decision_409():
    _places, _convener, r, _codes = await _counted_round()
    with pytest.raises(Conflict) as caught:
        await records.intent_list(r.id)
    assert caught.value.message == "本批次尚未形成议事决定，还不能导出意愿清单。"


async def test_intent_list_holds_approved_items_totals_and_counts():
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    council_id = await f.make_council(places)
    r = await f.make_round(places, items=5, max_ticks=0)  # kinds cycle universal, special, pilot
    codes = await f.open_round(r, codes_per_community=3)
    i1, i2, i3, i4, _i5 = await f.item_ids(r.id)
    await ballots.cast_ballot(codes[0], [i1, i2, i4])
    await ballots.cast_ballot(codes[1], [i1, i4])
    await ballots.cast_ballot(codes[3], [i1])
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=convener)
    await setup.decide_through_meeting(await wishlists.get_round(r.id), [i4, i1, i3], "同意三项。", actor=convener)

    intent = await records.intent_list(r.id)
    assert [(i["id"], i["title"], i["kind"], i["cost_fen"], i["approvals"]) for i in intent.items] == [
        (i1, "项目1", ItemKind.universal, 10000_00, 3),
        (i3, "项目3", ItemKind.pilot, 30000_00, 0),
        (i4, "项目4", ItemKind.universal, 40000_00, 2),
    ]
    assert intent.total_fen == 80000_00
    assert intent.by_kind == {ItemKind.universal: 2, ItemKind.special: 0, ItemKind.pilot: 1}
    assert (intent.ballots, intent.codes_issued) == (3, 6)
    assert intent.resolution == "同意三项。"
    assert intent.council_name == "测试议事组"
    assert len(intent.members) == 6
    assert {m["council"] for m in intent.members} == {council_id}
    assert intent.round.id == r.id
    assert intent.decided_at is not None


# --- no decision without a quorate meeting ------------------------------------------------

async def _not_quorate_meeting(r, convener, present: int) -> int:
    from datetime import datetime

    from yishi.meetings import meeting
    from yishi.meetings.enums import MeetingStep, Presence

    council_id, members = await setup.council({"town": r.town_id})
    mid = await meeting.create_meeting(council_id, step=MeetingStep.decide, title="议事会", place="会议室",
                                       held_at=datetime(2026, 3, 12, tzinfo=UTC), round_id=r.id, actor=convener)
    m = await meeting.get_meeting(mid)
    for member in members[:present]:
        await meeting.set_presence(m, member, Presence.present, actor=convener)
    await meeting.start(m, actor=convener)
    return mid


async def test_record_decision_without_meeting_409_nothing_saved():
    _places, convener, r, _codes = await _counted_round()
    with pytest.raises(Conflict) as caught:
        await decisions.record_decision(r, (await f.item_ids(r.id))[:1], "同意。", actor=convener, meeting_id=None)
    assert caught.value.message.startswith("议事决定只能在达到法定人数的“民主议事定方向”会议上逐项表决形成。")
    await _nothing_decided(r.id)


async def test_record_decision_in_meeting_without_quorum_409_nothing_saved():
    _places, convener, r, _codes = await _counted_round()
    mid = await _not_quorate_meeting(r, convener, present=3)  # of 7, and categories missing
    with pytest.raises(Conflict) as caught:
        await decisions.record_decision(r, (await f.item_ids(r.id))[:1], "同意。", actor=convener, meeting_id=mid)
    assert caught.value.message.startswith("未达到法定人数，不能表决或形成决议")
    await _nothing_decided(r.id)


async def test_record_decision_in_meeting_of_another_round_409():
    places, convener, r, _codes = await _counted_round()
    other = await f.make_round(places, items=1, title="另一批次")
    mid = await setup.quorate_meeting(other, convener)
    with pytest.raises(Conflict) as caught:
        await decisions.record_decision(r, (await f.item_ids(r.id))[:1], "同意。", actor=convener, meeting_id=mid)
    assert caught.value.message.startswith("议事决定只能在达到法定人数的“民主议事定方向”会议上")
    await _nothing_decided(r.id)
