"""派单 → 签收 → 答复 → 办结, 退单 and 重新派单, 提级, and who sees which cases."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.cases import history as case_history
from yishi.cases import queries, services
from yishi.cases.enums import CaseKind, CaseState, Urgency
from yishi.cases.services import Dispatch
from yishi.core import audit, i18n
from yishi.core.errors import Conflict, Forbidden, InvalidInput
from yishi.suggestions import services as suggestions
from yishi.suggestions.enums import SuggestionStatus

NOW = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


async def street_with_units():
    places = await f.make_places()
    a, b = await f.make_unit(places, name="城管办"), await f.make_unit(places, name="住建局")
    return {"places": places, "a": a, "b": b, "staff": await f.make_user(Role.street_staff, places),
            "clerk_a": await f.make_clerk(places, a), "clerk_b": await f.make_clerk(places, b),
            "reviewer": await f.make_user(Role.district_reviewer, places)}


async def test_dispatch_accept_reply_close_walks_the_case_and_the_suggestion_with_it():
    w = await street_with_units()
    s = await f.make_suggestion(w["places"])
    case_id = await services.dispatch(s.id, Dispatch(w["a"], (w["b"],), kind=CaseKind.complaint), actor=w["staff"],
                                      now=NOW)
    case = await services.get_case(case_id)
    assert (case["state"], case["lead_unit_name"], [u["name"] for u in case["units"].assists]) == (
        CaseState.dispatched, "城管办", ["住建局"])
    got = await suggestions.get(s.id)
    assert (got["status"], got["lead_unit"]) == (SuggestionStatus.in_progress, "城管办")

    await services.accept(case_id, actor=w["clerk_a"])
    await services.reply(case_id, "已派人修好三盏路灯。", actor=w["clerk_a"])
    assert (await suggestions.get(s.id))["reply"] == "已派人修好三盏路灯。"
    await services.close(case_id, "", actor=w["staff"])
    case = await services.get_case(case_id)
    assert (case["state"], case["owner_name"]) == (CaseState.closed, "城管办")
    assert (await suggestions.get(s.id))["status"] is SuggestionStatus.closed
    actions = [e["action"] for e in await audit.entries_for("suggestion", s.id)]
    assert actions == ["suggestion.received", "case.dispatched", "case.accepted", "suggestion.answered",
                       "case.answered", "suggestion.closed", "case.closed"]


async def test_send_back_needs_a_reason_and_the_street_dispatches_again():
    w = await street_with_units()
    s = await f.make_suggestion(w["places"])
    case_id = await services.dispatch(s.id, Dispatch(w["a"]), actor=w["staff"])
    with pytest.raises(InvalidInput):
        await services.send_back(case_id, "  ", actor=w["clerk_a"])
    await services.send_back(case_id, "路灯归住建局管理，不属本单位职责。", actor=w["clerk_a"])
    case = await services.get_case(case_id)
    assert (case["state"], case["lead_unit"], case["returns"]) == (CaseState.returned, None, 1)
    with pytest.raises(Forbidden):  # the unit that sent it back holds it no more
        await services.accept(case_id, actor=w["clerk_a"])
    await services.dispatch(s.id, Dispatch(w["b"]), actor=w["staff"])
    await services.accept(case_id, actor=w["clerk_b"])
    assert (await services.get_case(case_id))["owner_name"] == "住建局"


async def test_first_unit_to_accept_owns_the_case_no_send_back_nor_redispatch():
    w = await street_with_units()
    s = await f.make_suggestion(w["places"])
    case_id = await services.dispatch(s.id, Dispatch(w["a"]), actor=w["staff"])
    await services.accept(case_id, actor=w["clerk_a"])
    with pytest.raises(Conflict):
        await services.send_back(case_id, "不归我们管", actor=w["clerk_a"])
    with pytest.raises(Conflict, match="首接负责制"):
        await services.dispatch(s.id, Dispatch(w["b"]), actor=w["staff"])


async def test_another_units_clerk_and_another_street_cannot_act():
    w, other = await street_with_units(), await street_with_units()
    s = await f.make_suggestion(w["places"])
    case_id = await services.dispatch(s.id, Dispatch(w["a"]), actor=w["staff"])
    with pytest.raises(Forbidden):
        await services.accept(case_id, actor=other["clerk_a"])
    with pytest.raises(Conflict):  # an assisting unit does not accept for the lead
        await services.dispatch(s.id, Dispatch(w["b"]), actor=w["staff"])
    with pytest.raises(Forbidden):
        await services.escalate(s.id, "街道无法解决", actor=other["staff"])
    with pytest.raises(InvalidInput):  # another district's unit is not in the directory
        s2 = await f.make_suggestion(w["places"])
        await services.dispatch(s2.id, Dispatch(other["a"]), actor=w["staff"])


async def test_escalate_goes_to_the_district_which_dispatches_and_closes():
    w = await street_with_units()
    s = await f.make_suggestion(w["places"])
    with pytest.raises(InvalidInput):
        await services.escalate(s.id, "", actor=w["staff"])
    case_id = await services.escalate(s.id, "涉及多个部门，街道协调不了。", actor=w["staff"])
    assert (await services.get_case(case_id))["state"] is CaseState.escalated
    with pytest.raises(Conflict):
        await services.dispatch(s.id, Dispatch(w["a"]), actor=w["staff"])
    await services.dispatch(s.id, Dispatch(w["b"], urgency=Urgency.urgent), actor=w["reviewer"])
    await services.accept(case_id, actor=w["clerk_b"])
    await services.reply(case_id, "区住建局已协调解决。", actor=w["clerk_b"])
    with pytest.raises(Conflict):
        await services.close(case_id, "", actor=w["staff"])
    await services.close(case_id, "", actor=w["reviewer"])
    assert (await services.get_case(case_id))["state"] is CaseState.closed


async def test_escalate_an_accepted_case_keeps_its_owner():
    w = await street_with_units()
    s = await f.make_suggestion(w["places"])
    case_id = await services.dispatch(s.id, Dispatch(w["a"]), actor=w["staff"])
    await services.accept(case_id, actor=w["clerk_a"])
    await services.escalate(s.id, "需要区级会商。", actor=w["staff"])
    case = await services.get_case(case_id)
    assert (case["state"], case["owner_name"], case["escalate_reason"]) == (
        CaseState.accepted, "城管办", "需要区级会商。")


async def test_lists_a_clerk_sees_her_units_cases_a_street_its_own_the_district_all():
    w, other = await street_with_units(), await street_with_units()
    mine = [await f.make_suggestion(w["places"]) for _ in range(3)]
    await services.dispatch(mine[0].id, Dispatch(w["a"]), actor=w["staff"])
    await services.dispatch(mine[1].id, Dispatch(w["b"], (w["a"],)), actor=w["staff"])
    await services.dispatch(mine[2].id, Dispatch(w["b"]), actor=w["staff"])
    theirs = await f.make_suggestion(other["places"])
    await services.dispatch(theirs.id, Dispatch(other["a"]), actor=other["staff"])

    def codes(page):
        return sorted(r["tracking_code"] for r in page.rows)

    now = datetime.now(UTC)
    unit_a = await queries.list_cases(queries.Scope(unit_id=w["a"]), now=now)
    assert codes(unit_a) == sorted([mine[0].tracking_code, mine[1].tracking_code])
    street = await queries.list_cases(queries.Scope(town_id=w["places"]["town"]), now=now)
    assert codes(street) == sorted(s.tracking_code for s in mine)
    district = await queries.list_cases(queries.Scope(district_id=other["places"]["district"]), now=now)
    assert codes(district) == [theirs.tracking_code]
    inbox = await queries.to_dispatch((w["places"]["town"],))
    assert inbox.total == 0


async def test_history_in_english_says_what_was_done_where_the_buttons_say_what_to_do():
    """派单, 签收, 退单, 重新派单 are a button's words and a line of the history: the history's have a
    context of their own in the catalog ("Dispatched", not "Dispatch"); Chinese is the same word."""
    w = await street_with_units()
    s = await f.make_suggestion(w["places"])
    case_id = await services.dispatch(s.id, Dispatch(w["a"]), actor=w["staff"])
    await services.send_back(case_id, "不属本单位职责。", actor=w["clerk_a"])
    await services.dispatch(s.id, Dispatch(w["b"]), actor=w["staff"])
    await services.accept(case_id, actor=w["clerk_b"])
    lines = [h["text"] for h in await case_history.history(s.id)][1:]
    assert [t.split("（")[0] for t in lines] == ["派单", "退单", "重新派单", "签收"]
    with i18n.language("en"):
        lines = [h["text"] for h in await case_history.history(s.id)][1:]
        assert [t.split(" (")[0] for t in lines] == ["Dispatched", "Sent back", "Dispatched again", "Accepted"]
        assert lines[0].startswith("Dispatched (lead: 城管办")
        assert (i18n.gettext("派单"), i18n.gettext("签收")) == ("Dispatch", "Accept")  # the buttons'
        meeting = [case_history.describe_meeting({"action": f"case.meeting.{a}", "data": {}})
                   for a in ("called", "item_added", "response_rated", "cancelled")]
        assert meeting == ["Meeting called (whistle)", "Follow-up item assigned", "Unit\u2019s response rated",
                           "Meeting cancelled"]
