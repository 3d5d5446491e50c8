"""What residents see (家门口的微民生): a street's projects with state, progress, lead unit, money,
photos and the 复盘, and the project a tracking code's suggestion became. No personal data:
no responsible person or phone, no clerk's or staff member's name, no coordination problems."""
from __future__ import annotations

from yishi.projects import photos, services
from yishi.projects.enums import ProjectState
from yishi.projects.review import money_by_project
from yishi.projects.rules import leverage
from yishi.projects.tables import Project
from yishi.wishlists import sources

# A stopped project is listed with its reason; one still being planned shows as such.
PUBLIC_FIELDS = ("id", "title", "description", "kind", "cost_fen", "spent_fen", "progress_pct", "planned_start",
                 "planned_end", "round_title", "town_name", "lead_unit_display", "review_good", "review_lessons",
                 "completion_report")


async def _public(projects: list[dict]) -> list[dict]:
    ids = [p["id"] for p in projects]
    money = await money_by_project(ids)
    pictures = await photos.photo_ids_by_project(ids)
    out = []
    for p in projects:
        public_fen, social_fen = money.get(p["id"], (0, 0))
        row = {k: p[k] for k in PUBLIC_FIELDS}
        done = p["state"] is ProjectState.written_off
        row.update(state=p["state"], state_label=p["state"].label, public_fen=public_fen, social_fen=social_fen,
                   leverage=leverage(social_fen, public_fen), photo_ids=pictures[p["id"]],
                   # The 复盘 is the street's, published once the project is written off.
                   review_good=p["review_good"] if done else "", review_lessons=p["review_lessons"] if done else "",
                   state_reason=p["state_reason"] if p["state"] in (ProjectState.paused, ProjectState.stopped) else "")
        out.append(row)
    return out


async def street_projects(town_id: int) -> list[dict]:
    return await _public(await services.projects_of_town(town_id))


async def public_project(project_id: int) -> dict:
    (row,) = await _public([await services.get_project(project_id)])
    return row


async def projects_for_code(code: str) -> list[dict]:
    """/t/CODE: the projects the code's suggestion (or the one it was merged into) became, via
    the wish-list items it is linked to. NotFound for an unknown code, as suggestions.track."""
    tracking = await sources.track(code)
    item_ids = [i["item_id"] for i in tracking.wish_items]
    if not item_ids:
        return []
    ids = [r["id"] for r in await Project.select(Project.id).where(
        Project.item.is_in(item_ids)).order_by(Project.id).run()]
    return await _public([await services.get_project(i) for i in ids])
