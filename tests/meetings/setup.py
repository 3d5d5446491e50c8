"""Builders for meeting tests: a counted round with ballots, a 5+X council, a decide meeting."""
from __future__ import annotations

from datetime import UTC, datetime

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting as ballots
from yishi.ballots import lifecycle
from yishi.meetings import decisions, meeting
from yishi.meetings.enums import MeetingStep, MemberCategory, Presence, VoteChoice
from yishi.meetings.tables import CouncilMember
from yishi.wishlists import services as wishlists

# Seven members: the five fixed categories, a second resident representative and one X.
CATEGORIES = [MemberCategory.party, MemberCategory.worker, MemberCategory.party_member, MemberCategory.grid,
              MemberCategory.resident, MemberCategory.resident, MemberCategory.x]


async def counted_round(places=None, convener=None, budget_yuan: int = 50000):
    """Three items costing 10,000 / 20,000 / 30,000 yuan; ballots tick item 1 three times,
    item 2 twice, item 3 once. With a 50,000 budget greedy picks items 1 and 2."""
    places = places or await f.make_places()
    convener = convener or await f.make_user(Role.convener, places)
    r = await f.make_round(places, items=3, max_ticks=0, budget_yuan=budget_yuan, title="2026年首批次")
    codes = await f.open_round(r, codes_per_community=2)
    ids = await f.item_ids(r.id)
    await ballots.cast_ballot(codes[0], ids)
    await ballots.cast_ballot(codes[1], ids[:2])
    await ballots.cast_ballot(codes[2], ids[:1])
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=convener)
    return places, convener, await wishlists.get_round(r.id), ids


async def council(places, member_user=None) -> tuple[int, list[int]]:
    council_id = await f.make_council(places, categories=CATEGORIES)
    members = [m["id"] for m in await CouncilMember.select(CouncilMember.id).where(
        CouncilMember.council == council_id).order_by(CouncilMember.id)]
    if member_user is not None:
        await CouncilMember.update({CouncilMember.user: member_user.id}).where(CouncilMember.id == members[4])
    return council_id, members


async def decide_meeting(*, present: int = 7, start: bool = True, with_member_user: bool = False,
                         budget_yuan: int = 50000):
    places, convener, r, ids = await counted_round(budget_yuan=budget_yuan)
    member_user = await f.make_user(Role.member, places) if with_member_user else None
    council_id, members = await council(places, member_user)
    mid = await meeting.create_meeting(council_id, step=MeetingStep.decide, title="首批次民主议事会",
                                       held_at=datetime(2026, 3, 12, 6, 30, tzinfo=UTC), place="党群服务中心",
                                       round_id=r.id, actor=convener)
    m = await meeting.get_meeting(mid)
    await meeting.add_agenda_item(m, "通报群众勾选结果", actor=convener)
    for member in members[:present]:
        await meeting.set_presence(m, member, Presence.present, actor=convener)
    if start:
        await meeting.start(m, actor=convener)
    return {"places": places, "convener": convener, "round": r, "ids": ids, "council": council_id,
            "members": members, "meeting": await meeting.get_meeting(mid), "member_user": member_user}


async def vote_all(ctx, item_id: int, choice: VoteChoice = VoteChoice.yes, members=None) -> None:
    m = await meeting.get_meeting(ctx["meeting"].id)
    s = await meeting.state(m)
    chosen = members if members is not None else sorted(s.present_ids)
    await meeting.record_votes(m, item_id, {mid: choice for mid in chosen}, actor=ctx["convener"])


async def quorate_meeting(r, actor=None, held_at: datetime | None = None, title: str = "民主议事会") -> int:
    """A 民主议事定方向 meeting on round r, under way, with every member of the town's council
    present (the council is made, 5+X, if the town has none): the only place a decision may come
    from. On a decided round whose list the district returned it is a 复议 meeting. Returns the
    meeting's id."""
    from yishi.meetings import records

    council_row = await records.council_of_town(r.town_id)
    council_id = council_row["id"] if council_row else await f.make_council({"town": r.town_id}, categories=CATEGORIES)
    mid = await meeting.create_meeting(council_id, step=MeetingStep.decide, title=title,
                                       held_at=held_at or datetime(2026, 3, 12, 6, 30, tzinfo=UTC),
                                       place="党群服务中心", round_id=r.id, actor=actor)
    m = await meeting.get_meeting(mid)
    for member in await records.members_of(council_id):
        await meeting.set_presence(m, member["id"], Presence.present, actor=actor)
    await meeting.start(m, actor=actor)
    return mid


async def decide_through_meeting(r, approved: list[int], resolution: str, actor=None,
                                 held_at: datetime | None = None, title: str = "民主议事会") -> int:
    """The council decides r in a quorate meeting: every member present votes 赞成 on the approved
    items and 反对 on the rest; a departure from the greedy pick is given a reason. After a return
    the same steps are the 复议 (the meeting reconsiders the returned list)."""
    mid = await quorate_meeting(r, actor, held_at=held_at, title=title)
    m = await meeting.get_meeting(mid)
    s = await meeting.state(m)
    for item_id in s.counts:
        choice = VoteChoice.yes if item_id in approved else VoteChoice.no
        await meeting.record_votes(m, item_id, {p: choice for p in sorted(s.present_ids)}, actor=actor)
    await decisions.decide(m, resolution, "议事组综合考虑后调整。", actor=actor)
    return mid


async def reconsider(r, approved: list[int], resolution: str, actor=None) -> int:
    """复议 after the district returned r's list: a quorate 民主议事定方向 meeting votes again and
    decides; returns the meeting's id."""
    from datetime import timedelta

    from yishi.wishlists import services as wishlists

    # Held the day after the return (which the tests make now).
    return await decide_through_meeting(await wishlists.get_round(r.id), approved, resolution, actor,
                                        held_at=datetime.now(UTC) + timedelta(days=1), title="复议会议")
