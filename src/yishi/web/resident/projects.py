"""家门口的微民生 for residents, with no account: a street's approved projects (state, progress,
lead unit, money, photos, the 复盘 once written off), a page per project (the QR poster's target),
and the photos, served only after the permission check. Nothing personal: projects.public keeps to
the public fields."""
from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.response import Template

from yishi.core.errors import Forbidden
from yishi.core.i18n import _
from yishi.projects import permissions as pperm
from yishi.projects import photos, public, services
from yishi.projects.enums import ProjectState
from yishi.projects.rules import leverage
from yishi.web import deps, guards


class PublicProjectController(Controller):
    path = ""
    opt = guards.PUBLIC_PAGES

    @get("/street/{town_id:int}")
    async def street(self, request: Request, town_id: int) -> Template:
        town = await deps.load_town(request)
        rows = await public.street_projects(town_id)
        totals = {"projects": len(rows), "cost_fen": sum(r["cost_fen"] for r in rows),
                  "public_fen": sum(r["public_fen"] for r in rows), "social_fen": sum(r["social_fen"] for r in rows),
                  "done": sum(1 for r in rows if r["state"] is ProjectState.written_off)}
        totals["leverage"] = leverage(totals["social_fen"], totals["public_fen"])
        # Done and under way first, then the rest; within each, as approved.
        order = {ProjectState.written_off: 0, ProjectState.completed: 1, ProjectState.underway: 2,
                 ProjectState.planning: 3, ProjectState.paused: 4, ProjectState.stopped: 5}
        rows.sort(key=lambda r: (order[r["state"]], r["id"]))
        return Template("projects/public_street.html", context={"town": town, "rows": rows, "totals": totals})

    @get("/p/{project_id:int}")
    async def project(self, request: Request, project_id: int) -> Template:
        p = await public.public_project(deps.path_id(request, "project_id"))
        return Template("projects/public_project.html", context={"p": p, "town_id": (
            await services.get_project(project_id))["town_id"]})

    async def _photo(self, request: Request, thumb: bool) -> Response:
        row = await photos.lookup(deps.path_id(request, "photo_id"))
        project = await services.get_project(row["project"])
        viewer = await deps.session_user(request.session)
        if not pperm.can_view_photo(viewer, services.where_of(project), project["state"]):
            raise Forbidden(_("您没有权限查看这张照片。"))
        data = photos.read(request.app.state.settings.data_dir, row["sha256"], thumb)
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600",
                                                                 "X-Content-Type-Options": "nosniff"})

    @get("/photos/{photo_id:int}")
    async def photo(self, request: Request, photo_id: int) -> Response:
        return await self._photo(request, thumb=False)

    @get("/photos/{photo_id:int}/thumb")
    async def thumb(self, request: Request, photo_id: int) -> Response:
        return await self._photo(request, thumb=True)
