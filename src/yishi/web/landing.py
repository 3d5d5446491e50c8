"""Where each role lands after logging in (and on the home page when signed in): the page of its
next task, not the same round list for everyone. A council member's is her next meeting, to sign in
and vote; a collector's the form to record a resident's suggestion; a unit clerk's her unit's
接诉即办 queue while a case waits on it, else its projects; and so on."""
from __future__ import annotations

from typing import Any

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.cases import consult, queries
from yishi.meetings import meeting, records

ROUND_LIST = "/rounds"


async def landing_for(user: Any) -> str:
    role = perm.role_of(user)
    if role in (Role.member, Role.convener) and user.town is not None:
        council = await records.council_of_town(user.town)
        upcoming = await meeting.next_meeting(council["id"]) if council else None
        if upcoming is not None and (role is Role.member or upcoming["status"] == "open"):
            return f"/meetings/{upcoming['id']}"
        return "/council" if role is Role.member else ROUND_LIST
    if role is Role.collector:
        return "/suggestions/new"
    if role is Role.unit_clerk:
        # A 工单 has a time limit in hours to sign for it, a project a weekly report: the queue first
        # while her unit has a case to sign for or to answer, or a 会商 to attend or follow up, else
        # the projects it delivers.
        unit = perm.id_of(user.unit)
        if unit is None:
            return "/projects/"
        if await queries.waiting_on_unit(unit):
            return "/cases/"
        return "/cases/" if await consult.waits_on_unit(unit) else "/projects/"
    if role is Role.observer:
        return "/evaluation/"
    if role is Role.district_reviewer and user.district is not None:
        return "/district"
    return ROUND_LIST
