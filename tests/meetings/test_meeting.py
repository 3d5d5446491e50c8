"""The meeting: agenda, sign-in, quorum, votes, decision, minutes; refusals change nothing."""
import sqlite3

import asyncpg
import pytest

from tests.meetings import setup
from yishi.core.errors import Conflict, DomainError
from yishi.core.tables import AuditEntry
from yishi.meetings import decisions, meeting, records
from yishi.meetings.enums import MeetingStatus, Presence, VoteChoice
from yishi.meetings.tables import AgendaItem, Attendance, Decision, Guest, MemberVote
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus


async def test_decision_support_greedy_and_mes_from_ballots():
    ctx = await setup.decide_meeting()
    support = await records.decision_support(ctx["round"].id)
    ids = ctx["ids"]
    assert support.greedy == [ids[0], ids[1]]
    assert support.greedy_total == 30000_00
    assert set(support.mes) <= set(ids)
    assert support.over_budget == set()


async def test_decision_support_flags_items_over_budget():
    ctx = await setup.decide_meeting(budget_yuan=25000)
    support = await records.decision_support(ctx["round"].id)
    assert support.over_budget == {ctx["ids"][2]}


async def test_decision_support_reads_the_ballots_in_yuan_and_totals_in_fen():
    """Three ballots (items 1+2+3, 1+2, 1) against a 50,000 yuan budget: greedy takes items 1 and 2
    (10,000 + 20,000 yuan); so does MES. The rules see yuan, as Pabulib's Add1 (+1 per voter a
    step) is defined in the currency unit; the page's totals are in fen like every amount."""
    ctx = await setup.decide_meeting()
    support = await records.decision_support(ctx["round"].id)
    assert support.greedy == ctx["ids"][:2] and support.mes == ctx["ids"][:2]
    assert support.greedy_total == support.mes_total == 30000_00
    assert support.over_budget == set()


async def test_agenda_ordered_and_moved_until_start():
    ctx = await setup.decide_meeting(start=False)
    m = ctx["meeting"]
    second = await meeting.add_agenda_item(m, "逐项表决", actor=ctx["convener"])
    await meeting.move_agenda_item(m, second, up=True, actor=ctx["convener"])
    assert [a["title"] for a in await meeting.agenda_of(m.id)] == ["逐项表决", "通报群众勾选结果"]


async def test_agenda_frozen_after_start_409():
    ctx = await setup.decide_meeting()
    with pytest.raises(Conflict) as info:
        await meeting.add_agenda_item(ctx["meeting"], "新议程", actor=ctx["convener"])
    assert info.value.message == "会议已经开始，议程不能再修改。"
    assert await AgendaItem.count() == 1


async def test_quorum_shown_with_reason_when_category_missing():
    ctx = await setup.decide_meeting(present=3)
    s = await meeting.state(ctx["meeting"])
    assert s.quorum.met is False
    assert meeting.quorum_reason(s.quorum) == ("固定类别缺席：网格员代表、村（居）民代表；"
                                               "到会成员 3 人，需超过半数即至少 4 人")


async def test_vote_without_quorum_refused_nothing_recorded():
    ctx = await setup.decide_meeting(present=4)  # four of seven, but no resident representative
    with pytest.raises(Conflict) as info:
        await setup.vote_all(ctx, ctx["ids"][0], members=ctx["members"][:4])
    assert info.value.message.startswith("未达到法定人数，不能表决或形成决议（固定类别缺席：村（居）民代表")
    assert await MemberVote.count() == 0


async def test_guest_does_not_make_quorum():
    ctx = await setup.decide_meeting(present=4)
    await meeting.add_guest(ctx["meeting"], name="钱进", organisation="物业", reason="", actor=ctx["convener"])
    s = await meeting.state(ctx["meeting"])
    assert (s.quorum.met, s.quorum.present, len(s.guests)) == (False, 4, 1)


async def test_vote_twice_refused_409_first_vote_kept():
    ctx = await setup.decide_meeting()
    item = ctx["ids"][0]
    await setup.vote_all(ctx, item, VoteChoice.yes, members=ctx["members"][:1])
    with pytest.raises(Conflict) as info:
        await setup.vote_all(ctx, item, VoteChoice.no, members=ctx["members"][:2])
    assert info.value.message == "成员1已经对该项表决过，每人每项只能表决一次。"
    rows = await MemberVote.select(MemberVote.member, MemberVote.choice).run()
    assert rows == [{"member": ctx["members"][0], "choice": "yes"}]


async def test_vote_unique_slot_enforced_by_database():
    ctx = await setup.decide_meeting()
    m, item, member = ctx["meeting"], ctx["ids"][0], ctx["members"][0]
    await setup.vote_all(ctx, item, members=[member])
    with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
        await MemberVote.insert(MemberVote(meeting=m.id, item=item, member=member, choice="no",
                                           recorded_at=m.held_at, slot=f"{m.id}:{item}:{member}")).run()
    assert await MemberVote.count() == 1


async def test_vote_by_absent_member_refused_403():
    ctx = await setup.decide_meeting(present=6)
    with pytest.raises(DomainError) as info:
        await setup.vote_all(ctx, ctx["ids"][0], members=[ctx["members"][6]])
    assert (info.value.status_code, info.value.message) == (403, "成员7没有签到出席，不能表决。")
    assert await MemberVote.count() == 0


async def test_vote_by_non_member_refused_403():
    ctx = await setup.decide_meeting()
    with pytest.raises(DomainError) as info:
        await setup.vote_all(ctx, ctx["ids"][0], members=[999999])
    assert info.value.status_code == 403
    assert await MemberVote.count() == 0


async def test_vote_before_start_refused():
    ctx = await setup.decide_meeting(start=False)
    with pytest.raises(Conflict) as info:
        await setup.vote_all(ctx, ctx["ids"][0])
    assert info.value.message == "会议还没有开始，请召集人先点“开始会议”。"


async def test_decide_greedy_result_records_decision_with_meeting():
    ctx = await setup.decide_meeting()
    ids = ctx["ids"]
    await setup.vote_all(ctx, ids[0])
    await setup.vote_all(ctx, ids[1])
    await setup.vote_all(ctx, ids[2], VoteChoice.no)
    passed = await decisions.decide(ctx["meeting"], "同意实施项目1和项目2。", "", actor=ctx["convener"])
    assert passed == [ids[0], ids[1]]
    decision = await records.decision_of(ctx["round"].id)
    assert decision["approved"] == {ids[0], ids[1]}
    assert (decision["meeting"], decision["departure_reason"]) == (ctx["meeting"].id, "")
    assert (await wishlists.get_round(ctx["round"].id)).status is RoundStatus.decided


async def test_decide_departing_from_greedy_needs_reason():
    ctx = await setup.decide_meeting()
    ids = ctx["ids"]
    await setup.vote_all(ctx, ids[0])
    await setup.vote_all(ctx, ids[2])  # item 3 instead of item 2
    with pytest.raises(DomainError) as info:
        await decisions.decide(ctx["meeting"], "同意。", "", actor=ctx["convener"])
    assert info.value.message == "表决通过的项目与“按勾选数排序、预算内依次入选”的结果不同，请填写调整理由。"
    assert await Decision.count() == 0
    await decisions.decide(ctx["meeting"], "同意。", "项目3涉及消防安全，优先实施。", actor=ctx["convener"])
    assert (await records.decision_of(ctx["round"].id))["departure_reason"] == "项目3涉及消防安全，优先实施。"


async def test_decide_tie_does_not_pass():
    ctx = await setup.decide_meeting(present=6)
    members = ctx["members"][:6]
    m = ctx["meeting"]
    await meeting.record_votes(m, ctx["ids"][0], {x: (VoteChoice.yes if i < 3 else VoteChoice.no)
                                                  for i, x in enumerate(members)}, actor=ctx["convener"])
    s = await meeting.state(m)
    assert (s.counts[ctx["ids"][0]].yes, s.counts[ctx["ids"][0]].passed) == (3, False)
    with pytest.raises(DomainError) as info:
        await decisions.decide(m, "同意。", "理由", actor=ctx["convener"])
    assert info.value.message == "还没有项目获得表决通过，不能形成意愿清单。"


async def test_closed_minutes_refuse_every_change():
    ctx = await setup.decide_meeting()
    m = ctx["meeting"]
    await meeting.close_minutes(m, actor=ctx["convener"])
    m = await meeting.get_meeting(m.id)
    assert m.status is MeetingStatus.closed
    agenda = await meeting.agenda_of(m.id)
    before = (await Attendance.count(), await Guest.count(), await MemberVote.count())
    for attempt in (
        meeting.save_notes(m, agenda[0]["id"], "改动", actor=ctx["convener"]),
        meeting.set_presence(m, ctx["members"][6], Presence.present, actor=ctx["convener"]),
        meeting.add_guest(m, name="甲", organisation="", reason="", actor=ctx["convener"]),
        setup.vote_all(ctx, ctx["ids"][0]),
    ):
        with pytest.raises(Conflict) as info:
            await attempt
        assert info.value.message == "会议纪要已定稿，不能再修改。"
    assert (await Attendance.count(), await Guest.count(), await MemberVote.count()) == before
    assert (await meeting.agenda_of(m.id))[0]["notes"] == ""


async def test_self_sign_in_twice_refused():
    ctx = await setup.decide_meeting(present=0, with_member_user=True, start=False)
    member_user = ctx["member_user"]
    m, me = ctx["meeting"], ctx["members"][4]
    await meeting.set_presence(m, me, Presence.present, actor=member_user, self_signed=True)
    with pytest.raises(Conflict) as info:
        await meeting.set_presence(m, me, Presence.present, actor=member_user, self_signed=True)
    assert info.value.message == "您已经签到过了。"


async def test_member_who_voted_cannot_be_marked_on_leave():
    ctx = await setup.decide_meeting()
    await setup.vote_all(ctx, ctx["ids"][0], members=[ctx["members"][0]])
    with pytest.raises(Conflict):
        await meeting.set_presence(ctx["meeting"], ctx["members"][0], Presence.leave, actor=ctx["convener"])


async def test_actions_are_audited():
    ctx = await setup.decide_meeting()
    await setup.vote_all(ctx, ctx["ids"][0])
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.object_type == "meeting").order_by(AuditEntry.id).run()]
    assert actions[0] == "meeting.created"
    assert "meeting.started" in actions and actions[-1] == "meeting.vote.recorded"
