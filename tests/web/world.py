"""One street's world for the route-wide tests (the permission grid, the fuzz): a round with its
submission and started-from-approval projects led by a unit of the street, a council with a
meeting on the round, a suggestion, an observation point, an account; and the id each kind of
path parameter names in it."""
from __future__ import annotations

from datetime import UTC, datetime

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.cases import consult
from yishi.cases import services as cases
from yishi.cases.enums import MeetingKind
from yishi.meetings import meeting
from yishi.meetings.enums import MeetingStep
from yishi.meetings.tables import CouncilMember, Submission
from yishi.projects.tables import Project
from yishi.suggestions import catalog


async def street(n: int) -> dict:
    places = await f.make_places()
    unit_name = f"网格单位{n}"
    unit_id = await f.make_unit(places, name=unit_name)
    _, project_ids = await f.make_projects(places, lead_units=[unit_name])
    await Project.update({Project.lead_unit: unit_id}).where(Project.id.is_in(project_ids))
    project = await Project.select(Project.round).where(Project.id == project_ids[0]).first()
    submission = await Submission.select(Submission.id).where(Submission.round == project["round"]).first()
    council_id = await f.make_council(places)
    member = await CouncilMember.select(CouncilMember.id).where(CouncilMember.council == council_id).first()
    r = await f.make_round(places)
    meeting_id = await meeting.create_meeting(council_id, step=MeetingStep.consult, title="民主恳谈会",
                                              held_at=datetime(2026, 3, 12, 6, 30, tzinfo=UTC),
                                              place="党群服务中心", round_id=r.id, actor=None)
    account = await f.make_user(Role.collector, places)
    point = await f.make_point(places)
    category = (await catalog.categories())[0]
    staff = await f.make_user(Role.street_staff, places)
    case_id = await cases.dispatch((await f.make_suggestion(places)).id, cases.Dispatch(unit_id), actor=staff)
    consult_id = await consult.call(consult.Call(MeetingKind.whistle, datetime(2026, 3, 12, 6, 30, tzinfo=UTC), "现场",
                                                 "会商", (case_id,), (unit_id,)), actor=staff)
    ids = {"round_id": r.id, "meeting_id": meeting_id, "suggestion_id": (await f.make_suggestion(places)).id,
           "submission_id": submission["id"], "project_id": project_ids[0], "town_id": places["town"],
           "district_id": places["district"], "user_id": account.id, "unit_id": unit_id,
           "item_id": (await f.item_ids(r.id))[0], "member_id": member["id"], "point_id": point.id,
           "category_id": category["id"], "community_id": places["communities"][0], "case_id": case_id,
           "consult_id": consult_id}
    return {"places": places, "unit_id": unit_id, "ids": ids}


def url(path: str, ids: dict) -> str:
    """A route's path with its parameters filled from `ids` (1, or "X" for a code, otherwise)."""
    for name, value in ids.items():
        path = path.replace(f"{{{name}:int}}", str(value))
    path = path.replace("{file_path:path}", "css/app.css")
    for kind in ("int", "str"):
        while f":{kind}}}" in path:
            start = path.index("{")
            path = path[:start] + ("1" if kind == "int" else "X") + path[path.index("}") + 1:]
    return path


async def users(places: dict, unit_id: int) -> dict:
    """One account of each role in the street (the clerk in its unit)."""
    out = {}
    for role in Role:
        if role is Role.unit_clerk:
            out[role] = await f.make_clerk(places, unit_id)
        else:
            out[role] = await f.make_user(role, places)
    return out
