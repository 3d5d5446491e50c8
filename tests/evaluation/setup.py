"""Shared set-up for the evaluation tests: written-off projects with rating codes."""
from __future__ import annotations

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.evaluation import services
from yishi.projects import services as projects


async def written_off(places: dict | None = None, items: int = 2, lead_units: list[str] | None = None):
    """places, street staff, project ids (all written off), the round id."""
    places, ids = await f.make_projects(places, items=items, lead_units=lead_units)
    staff = await f.make_user(Role.street_staff, places)
    for pid in ids:
        await f.start_project(pid, staff)
        await projects.file_completion(pid, "已完工", 9000_00, actor=staff)
        await projects.write_off(pid, good="居民议事定点位", lessons="", actor=staff)
    round_id = (await projects.get_project(ids[0]))["round"]
    return places, staff, ids, round_id


async def codes(places: dict, staff, round_id: int, count: int = 5, community_index: int = 0) -> list[str]:
    return await services.print_codes(round_id, places["communities"][community_index], count, actor=staff)
