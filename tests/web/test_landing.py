"""Each role lands on the page of its next task after logging in (and on the home page when signed
in); a council member on her next meeting. Found in the walk (issue 13): everyone got the round list."""
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.meetings import meeting
from yishi.meetings.enums import MeetingStep
from yishi.meetings.tables import Meeting


async def _login_without_next(client, username):
    page = await client.get("/login")
    return await client.post("/login", data={"username": username, "password": f.PASSWORD,
                                             "_csrf_token": f.csrf_from(page.text)})


async def _meeting(council_id, title, days):
    return await meeting.create_meeting(council_id, step=MeetingStep.consult, title=title, place="会议室",
                                        round_id=None, actor=None, held_at=datetime.now(UTC) + timedelta(days=days))


async def test_member_lands_on_her_next_meeting(client):
    places = await f.make_places()
    council_id = await f.make_council(places)
    await _meeting(council_id, "下周的会", 7)
    soon = await _meeting(council_id, "明天的会", 1)
    await f.make_user(Role.member, places, username="m1")
    r = await _login_without_next(client, "m1")
    assert r.headers["location"] == f"/meetings/{soon}"
    assert (await client.get("/")).headers["location"] == f"/meetings/{soon}"


async def test_meeting_under_way_comes_before_a_sooner_planned_one(client):
    places = await f.make_places()
    council_id = await f.make_council(places)
    await _meeting(council_id, "明天的会", 1)
    running = await _meeting(council_id, "下周的会", 7)
    await Meeting.update({Meeting.status: "open"}).where(Meeting.id == running)
    await f.make_user(Role.convener, places, username="c1")
    assert (await _login_without_next(client, "c1")).headers["location"] == f"/meetings/{running}"


@pytest.mark.parametrize(("role", "landing"), [
    (Role.member, "/council"), (Role.convener, "/rounds"), (Role.collector, "/suggestions/new"),
    (Role.street_staff, "/rounds"), (Role.admin, "/rounds"), (Role.district_reviewer, "/district"),
    (Role.observer, "/evaluation/"),
])
async def test_each_role_lands_on_its_next_task(client, role, landing):
    places = await f.make_places()
    user = await f.make_user(role, places)
    assert (await _login_without_next(client, user.username)).headers["location"] == landing
    assert (await client.get(landing)).status_code == 200


async def test_a_next_page_asked_for_still_wins(client):
    places = await f.make_places()
    await f.make_user(Role.collector, places, username="c1")
    page = await client.get("/login")
    r = await client.post("/login", data={"username": "c1", "password": f.PASSWORD, "next": "/suggestions/",
                                          "_csrf_token": f.csrf_from(page.text)})
    assert r.headers["location"] == "/suggestions/"


async def test_unit_clerk_lands_on_her_queue_while_a_case_waits_on_her_unit(client):
    from yishi.cases import services
    from yishi.cases.services import Dispatch
    places = await f.make_places()
    unit = await f.make_unit(places, name="城管办")
    staff = await f.make_user(Role.street_staff, places)
    clerk = await f.make_clerk(places, unit, username="clerk1")
    assert (await _login_without_next(client, "clerk1")).headers["location"] == "/projects/"
    s = await f.make_suggestion(places)
    case_id = await services.dispatch(s.id, Dispatch(unit), actor=staff)
    assert (await client.get("/")).headers["location"] == "/cases/"        # 待签收
    await services.accept(case_id, actor=clerk)
    assert (await client.get("/")).headers["location"] == "/cases/"        # 办理中
    await services.reply(case_id, "已修好。", actor=clerk)
    assert (await client.get("/")).headers["location"] == "/projects/"     # 已答复: the street's turn


async def test_unit_clerk_lands_on_her_queue_while_a_meeting_waits_on_her_unit(client):
    from datetime import UTC, datetime

    from yishi.cases import consult, services
    from yishi.cases.enums import MeetingKind
    from yishi.cases.services import Dispatch
    places = await f.make_places()
    unit, other = await f.make_unit(places, name="城管办"), await f.make_unit(places, name="住建局")
    staff = await f.make_user(Role.street_staff, places)
    await f.make_clerk(places, unit, username="clerk2")
    case_id = await services.dispatch((await f.make_suggestion(places)).id, Dispatch(other), actor=staff)
    assert (await _login_without_next(client, "clerk2")).headers["location"] == "/projects/"
    meeting_id = await consult.call(consult.Call(MeetingKind.whistle, datetime(2026, 3, 12, 6, 30, tzinfo=UTC), "",
                                                 "协调会", (case_id,), (unit,)), actor=staff)
    assert (await client.get("/")).headers["location"] == "/cases/"        # summoned: 待报到
    await consult.cancel(meeting_id, "已自行协调。", actor=staff)
    assert (await client.get("/")).headers["location"] == "/projects/"
    held = await consult.call(consult.Call(MeetingKind.whistle, datetime(2026, 3, 12, 6, 30, tzinfo=UTC), "",
                                           "协调会", (case_id,), (unit,)), actor=staff)
    await consult.hold(held, "纪要", actor=staff)                           # did not report: nothing to rate
    assert (await client.get("/")).headers["location"] == "/projects/"
    await consult.add_item(held, unit, None, "说明未到会原因", datetime(2026, 3, 20).date(), actor=staff)
    assert (await client.get("/")).headers["location"] == "/cases/"        # a follow-up item to answer
