"""What the case page and a unit clerk's queue show of 会商 and 协办意见, each as one included
fragment (templates/cases/_consult.html, _consult_queue.html), so the case page's own template
and routes stay as they are."""
from __future__ import annotations

from typing import Any

from yishi.cases import consult
from yishi.cases import permissions as cperm
from yishi.cases.rules import Actor
from yishi.core import dates


async def case_panel(user: Any, case: dict, actor: Actor) -> dict[str, Any]:
    """What the case page's 会商 and 协办意见 fragment needs: the case's meetings with their
    decisions, each assisting unit's opinion (or that it has given none yet), and what the viewer
    may do there."""
    mine = cperm.clerk_unit(user)
    meetings = await consult.meetings_of_case(case["id"])
    # A clerk opens only the meetings her unit was summoned to; the others she sees as lines here.
    summoned = await consult.summoned_to(mine, [m["meeting"] for m in meetings]) if mine is not None else None
    for m in meetings:
        m["viewable"] = summoned is None or m["meeting"] in summoned
    return {"consult": {
        "meetings": meetings,
        "opinions": await consult.opinions_of(case),
        "can_call": actor in (Actor.street, Actor.district, Actor.admin) and case["state"].is_open
        and (actor is not Actor.district or bool(case["escalated_at"])),
        "can_write": actor is Actor.assist_unit and case["state"].is_open,
        "my_unit": mine,
    }}


async def queue_panel(user: Any) -> dict[str, Any]:
    """A unit clerk's queue: the meetings her unit was summoned to and its open follow-up items."""
    unit = cperm.clerk_unit(user)
    if unit is None:
        return {"consult_queue": None}
    return {"consult_queue": await consult.unit_queue(unit), "today": dates.today()}
