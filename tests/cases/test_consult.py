"""会商: call (吹哨), 报到, held, decisions against 首接负责制, follow-up items, 双考核, close; and
协办意见. Who may do each step is checked with the real accounts of a street and its units."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.cases import consult
from yishi.cases import services as cases
from yishi.cases.consult import Call, Decision
from yishi.cases.consult_rules import Effect
from yishi.cases.enums import CaseState, MeetingKind, MeetingLevel, MeetingState
from yishi.cases.services import Dispatch
from yishi.cases.tables import CaseMeetingUnit
from yishi.core import audit
from yishi.core.errors import Conflict, Forbidden, InvalidInput

WHEN = datetime(2026, 3, 12, 6, 30, tzinfo=UTC)
DUE = date(2026, 3, 31)


async def world():
    places = await f.make_places()
    a, b, c = (await f.make_unit(places, name="城管办"), await f.make_unit(places, name="住建局"),
               await f.make_unit(places, name="供电公司"))
    w = {"places": places, "a": a, "b": b, "c": c, "staff": await f.make_user(Role.street_staff, places),
         "clerk_a": await f.make_clerk(places, a), "clerk_b": await f.make_clerk(places, b),
         "clerk_c": await f.make_clerk(places, c), "reviewer": await f.make_user(Role.district_reviewer, places)}
    return w


async def a_case(w, *, lead=None, accept=False) -> int:
    s = await f.make_suggestion(w["places"])
    case_id = await cases.dispatch(s.id, Dispatch(lead or w["a"]), actor=w["staff"])
    if accept:
        await cases.accept(case_id, actor=w["clerk_a"] if (lead or w["a"]) == w["a"] else w["clerk_b"])
    return case_id


async def called(w, case_ids, units=None) -> int:
    return await consult.call(Call(MeetingKind.whistle, WHEN, "党群服务中心", "老旧小区加装电梯协调", tuple(case_ids),
                                   tuple(units or (w["a"], w["b"]))), actor=w["staff"])


async def test_call_report_hold_decide_rate_close_walks_the_meeting():
    w = await world()
    case_id = await a_case(w, accept=True)
    meeting_id = await called(w, [case_id])
    m = await consult.get_meeting(meeting_id)
    assert (m["state"], m["level"], m["town"], [u["name"] for u in m["units"]]) == (
        MeetingState.planned, MeetingLevel.street, w["places"]["town"], ["城管办", "住建局"])

    await consult.report(meeting_id, "张科长", actor=w["clerk_a"])
    await consult.hold(meeting_id, "会上明确由城管办牵头，住建局配合。", actor=w["staff"])
    effect = await consult.decide(meeting_id, Decision(case_id, w["a"], (w["b"],), "城管办牵头拆除违建", DUE),
                                  actor=w["staff"])
    assert effect is Effect.record
    item_id = await consult.add_item(meeting_id, w["b"], case_id, "提供图纸", DUE, actor=w["staff"])
    await consult.answer_item(meeting_id, item_id, "图纸已送街道。", actor=w["clerk_b"])
    await consult.rate_response(meeting_id, w["a"], 5, "到得早，方案清楚", actor=w["staff"])
    await consult.rate_response(meeting_id, w["b"], 2, "未报到", actor=w["staff"])
    await consult.rate_prep(meeting_id, 4, "材料齐全", actor=w["clerk_a"])
    await consult.close(meeting_id, actor=w["staff"])

    rows = {r["unit"]: r for r in await CaseMeetingUnit.select().where(CaseMeetingUnit.meeting == meeting_id).run()}
    assert [(r["reported"], r["response_score"], r["prep_score"]) for r in (rows[w["a"]], rows[w["b"]])] == [
        (True, 5, 4), (False, 2, None)]
    m = await consult.get_meeting(meeting_id)
    assert (m["state"], m["cases"][0]["lead_name"], m["cases"][0]["assist_names"], m["follow_ups"][0]["answer"]) == (
        MeetingState.closed, "城管办", ["住建局"], "图纸已送街道。")
    actions = [e["action"] for e in await audit.entries_for("case_meeting", meeting_id)]
    assert actions == ["case.meeting.called", "case.meeting.reported", "case.meeting.held", "case.meeting.decided",
                       "case.meeting.item_added", "case.meeting.item_answered", "case.meeting.response_rated",
                       "case.meeting.response_rated", "case.meeting.prep_rated", "case.meeting.closed"]
    suggestion = (await cases.get_case(case_id))["suggestion"]
    case_actions = [e["action"] for e in await audit.entries_for("suggestion", suggestion)]
    assert case_actions[-2:] == ["case.meeting.called", "case.meeting.decided"]


async def test_decision_dispatches_a_returned_case_to_its_lead_and_assisting_units():
    w = await world()
    case_id = await a_case(w)
    await cases.send_back(case_id, "不属本单位。", actor=w["clerk_a"])
    meeting_id = await called(w, [case_id], units=(w["b"], w["c"]))
    await consult.hold(meeting_id, "议定由住建局主责。", actor=w["staff"])
    effect = await consult.decide(meeting_id, Decision(case_id, w["b"], (w["c"],), "住建局主责，供电配合", DUE),
                                  actor=w["staff"])
    case = await cases.get_case(case_id)
    assert (effect, case["state"], case["lead_unit_name"], [u["name"] for u in case["units"].assists]) == (
        Effect.dispatch, CaseState.dispatched, "住建局", ["供电公司"])


async def test_decision_must_name_the_owner_of_an_accepted_case():
    w = await world()
    case_id = await a_case(w, accept=True)
    meeting_id = await called(w, [case_id])
    await consult.hold(meeting_id, "纪要", actor=w["staff"])
    with pytest.raises(Conflict, match="首接负责制"):
        await consult.decide(meeting_id, Decision(case_id, w["b"], (), "改由住建局办", DUE), actor=w["staff"])
    case = await cases.get_case(case_id)
    assert (case["owner_name"], case["lead_unit_name"]) == ("城管办", "城管办")


async def test_decision_on_a_case_waiting_for_acceptance_names_its_unit_or_waits():
    w = await world()
    case_id = await a_case(w)
    meeting_id = await called(w, [case_id])
    await consult.hold(meeting_id, "纪要", actor=w["staff"])
    with pytest.raises(Conflict, match="待它签收或退单"):
        await consult.decide(meeting_id, Decision(case_id, w["b"], (), "改派", DUE), actor=w["staff"])
    assert await consult.decide(meeting_id, Decision(case_id, w["a"], (), "城管办继续办", DUE),
                                actor=w["staff"]) is Effect.record


async def test_district_meeting_takes_only_escalated_cases_and_dispatches_them():
    w = await world()
    s = await f.make_suggestion(w["places"])
    escalated = await cases.escalate(s.id, "街道协调不了。", actor=w["staff"])
    plain = await a_case(w)
    with pytest.raises(InvalidInput, match="县级会商办只议"):
        await consult.call(Call(MeetingKind.joint, WHEN, "", "区级会商", (escalated, plain), (w["a"],)),
                           actor=w["reviewer"])
    meeting_id = await consult.call(Call(MeetingKind.joint, WHEN, "", "区级会商", (escalated,), (w["a"], w["b"])),
                                    actor=w["reviewer"])
    m = await consult.get_meeting(meeting_id)
    assert m["level"] is MeetingLevel.district
    with pytest.raises(Forbidden):
        await consult.hold(meeting_id, "纪要", actor=w["staff"])  # the street sees it but does not run it
    await consult.hold(meeting_id, "纪要", actor=w["reviewer"])
    assert await consult.decide(meeting_id, Decision(escalated, w["b"], (w["a"],), "住建局主责", DUE),
                                actor=w["reviewer"]) is Effect.dispatch
    assert (await cases.get_case(escalated))["lead_unit_name"] == "住建局"


async def test_a_street_cannot_call_a_meeting_on_another_streets_case():
    w, other = await world(), await world()
    case_id = await a_case(other)
    with pytest.raises(InvalidInput, match="只能选择本街道"):
        await consult.call(Call(MeetingKind.whistle, WHEN, "", "议题", (case_id,), (w["a"],)), actor=w["staff"])
    with pytest.raises(InvalidInput, match="不在本区单位名录"):
        await consult.call(Call(MeetingKind.whistle, WHEN, "", "议题", (await a_case(w),), (other["a"],)),
                           actor=w["staff"])


async def test_call_names_every_missing_field():
    w = await world()
    with pytest.raises(InvalidInput) as refused:
        await consult.call(Call(MeetingKind.whistle, None, "", " ", (), ()), actor=w["staff"])
    assert set(refused.value.errors) == {"held_at", "topic", "cases", "units"}


async def test_steps_out_of_state_or_by_the_wrong_side_are_refused():
    w = await world()
    case_id = await a_case(w, accept=True)
    meeting_id = await called(w, [case_id])
    with pytest.raises(Conflict, match="待召开"):
        await consult.decide(meeting_id, Decision(case_id, w["a"], (), "x", DUE), actor=w["staff"])
    with pytest.raises(Forbidden):
        await consult.hold(meeting_id, "纪要", actor=w["clerk_a"])
    with pytest.raises(Forbidden):
        await consult.report(meeting_id, "", actor=w["clerk_c"])  # not summoned
    with pytest.raises(Conflict, match="待召开"):
        await consult.rate_prep(meeting_id, 3, "", actor=w["clerk_a"])
    await consult.report(meeting_id, "", actor=w["clerk_a"])
    with pytest.raises(Conflict, match="已经报到"):
        await consult.report(meeting_id, "", actor=w["clerk_a"])
    await consult.hold(meeting_id, "纪要", actor=w["staff"])
    with pytest.raises(InvalidInput, match="1 到 5"):
        await consult.rate_response(meeting_id, w["a"], 6, "", actor=w["staff"])
    await consult.rate_response(meeting_id, w["a"], 3, "", actor=w["staff"])
    with pytest.raises(Conflict, match="已经评价过"):
        await consult.rate_response(meeting_id, w["a"], 4, "", actor=w["staff"])
    with pytest.raises(Conflict, match="没有报到"):
        await consult.rate_prep(meeting_id, 4, "", actor=w["clerk_b"])
    item_id = await consult.add_item(meeting_id, w["b"], None, "出具意见", DUE, actor=w["staff"])
    with pytest.raises(Forbidden):
        await consult.answer_item(meeting_id, item_id, "答复", actor=w["clerk_a"])
    await consult.close(meeting_id, actor=w["staff"])
    with pytest.raises(Conflict, match="已办结"):
        await consult.answer_item(meeting_id, item_id, "答复", actor=w["clerk_b"])
    # 双考核 stays open after the close
    await consult.rate_prep(meeting_id, 4, "", actor=w["clerk_a"])


async def test_attendance_recorded_by_the_street_overrides_and_counts_the_absent():
    w = await world()
    meeting_id = await called(w, [await a_case(w)])
    await consult.report(meeting_id, "", actor=w["clerk_b"])
    await consult.record_attendance(meeting_id, {w["a"]: "李主任"}, actor=w["staff"])
    m = await consult.get_meeting(meeting_id)
    assert [(u["name"], u["reported"], u["attendee"]) for u in m["units"]] == [
        ("城管办", True, "李主任"), ("住建局", False, "")]


async def test_cancel_needs_a_reason_and_only_while_planned():
    w = await world()
    meeting_id = await called(w, [await a_case(w)])
    with pytest.raises(InvalidInput):
        await consult.cancel(meeting_id, "", actor=w["staff"])
    await consult.cancel(meeting_id, "单位已自行协调解决。", actor=w["staff"])
    assert (await consult.get_meeting(meeting_id))["state"] is MeetingState.cancelled
    with pytest.raises(Conflict):
        await consult.hold(meeting_id, "纪要", actor=w["staff"])


async def test_lists_show_a_clerk_only_her_units_meetings_and_a_street_only_its_own():
    w, other = await world(), await world()
    mine = await called(w, [await a_case(w)], units=(w["a"],))
    theirs = await called(other, [await a_case(other)])
    assert [m["id"] for m in await consult.meetings_for(w["clerk_a"])] == [mine]
    assert await consult.meetings_for(w["clerk_b"]) == []
    assert [m["id"] for m in await consult.meetings_for(w["staff"])] == [mine]
    assert [m["id"] for m in await consult.meetings_for(other["reviewer"])] == [theirs]
    queue = await consult.unit_queue(w["a"])
    assert [m["meeting"] for m in queue.meetings] == [mine]


async def test_a_meeting_waits_on_a_unit_until_it_reported_rated_the_preparation_and_answered_its_items():
    w = await world()
    meeting_id = await called(w, [await a_case(w, accept=True)], units=(w["a"],))
    assert await consult.waits_on_unit(w["a"]) and not await consult.waits_on_unit(w["b"])  # 待报到
    await consult.report(meeting_id, "张科长", actor=w["clerk_a"])
    assert not await consult.waits_on_unit(w["a"])  # reported; the meeting is not held yet
    await consult.hold(meeting_id, "纪要", actor=w["staff"])
    assert await consult.waits_on_unit(w["a"])  # 待评价会前准备
    await consult.rate_prep(meeting_id, 4, "", actor=w["clerk_a"])
    assert not await consult.waits_on_unit(w["a"])
    item_id = await consult.add_item(meeting_id, w["a"], None, "提供图纸", DUE, actor=w["staff"])
    assert await consult.waits_on_unit(w["a"])  # a follow-up item to answer
    await consult.answer_item(meeting_id, item_id, "图纸已送街道。", actor=w["clerk_a"])
    assert not await consult.waits_on_unit(w["a"])


async def test_opinion_only_from_an_assisting_unit_and_shown_per_unit():
    w = await world()
    s = await f.make_suggestion(w["places"])
    case_id = await cases.dispatch(s.id, Dispatch(w["a"], (w["b"], w["c"])), actor=w["staff"])
    with pytest.raises(Forbidden):
        await consult.write_opinion(case_id, "意见", actor=w["clerk_a"])  # the lead
    await consult.write_opinion(case_id, "建议先做结构检测。", actor=w["clerk_b"])
    await consult.write_opinion(case_id, "建议先做结构检测，再施工。", actor=w["clerk_b"])
    shown = await consult.opinions_of(await cases.get_case(case_id))
    assert [(o["name"], o["opinion"]["text"] if o["opinion"] else None) for o in shown] == [
        ("住建局", "建议先做结构检测，再施工。"), ("供电公司", None)]
    assert [e["action"] for e in await audit.entries_for("suggestion", s.id)][-2:] == [
        "case.opinion.written", "case.opinion.written"]


async def test_unit_ratings_count_held_meetings_in_the_window_with_the_absent():
    w = await world()
    held = await called(w, [await a_case(w, accept=True)])
    await consult.report(held, "", actor=w["clerk_a"])
    await consult.hold(held, "纪要", actor=w["staff"])
    await consult.rate_response(held, w["a"], 4, "", actor=w["staff"])
    await consult.rate_response(held, w["b"], 1, "未到", actor=w["staff"])
    await called(w, [await a_case(w)])  # still planned: not counted
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    got = await consult.unit_ratings(w["places"]["district"], start, end)
    assert {u: [(r["reported"], r["response_score"]) for r in rs] for u, rs in got.items()} == {
        w["a"]: [(True, 4)], w["b"]: [(False, 1)]}
    assert await consult.unit_ratings(w["places"]["district"], end, datetime(2026, 5, 1, tzinfo=UTC)) == {}
