"""The resident's rating (评实效): one screen on a phone, reached from the project's public page
or the rating slip's QR code, with a rating code. No account; the code is the only check, and a
code rates a project once (evaluation.services)."""
from __future__ import annotations

from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template

from yishi.ballots import codes as code_utils
from yishi.core.errors import DomainError
from yishi.evaluation import services
from yishi.evaluation.enums import Satisfaction
from yishi.projects import public
from yishi.projects import services as projects
from yishi.projects.enums import ProjectState
from yishi.web import deps, guards
from yishi.web.forms import refused, text


class RateController(Controller):
    path = ""
    opt = guards.PUBLIC_PAGES

    async def _context(self, project_id: int) -> dict:
        p = await public.public_project(project_id)
        rateable = True
        why = ""
        try:
            await services.check_rateable(await projects.get_project(project_id))
        except DomainError as exc:
            rateable, why = False, exc.message
        return {"p": p, "grades": list(Satisfaction), "rateable": rateable, "why": why}

    @get("/p/{project_id:int}/rate")
    async def form(self, request: Request, project_id: int, code: str = "") -> Template:
        context = await self._context(deps.path_id(request, "project_id"))
        return Template("evaluation/rate.html", context={**context, "form": {"code": code}, "error": None})

    @post("/p/{project_id:int}/rate", media_type=MediaType.HTML)
    async def rate(self, request: Request, project_id: int) -> Template:
        project_id = deps.path_id(request, "project_id")
        form = await request.form()
        try:
            await services.rate_online(project_id, text(form, "code"), text(form, "grade"), text(form, "comment"))
        except DomainError as exc:
            return refused("evaluation/rate.html", exc, await self._context(project_id), form)
        return Template("evaluation/rated.html", context={"p": await public.public_project(project_id),
                                                          "code": code_utils.normalise(text(form, "code"))})

    @get("/r")
    async def enter(self, code: str = "") -> Template | Redirect:
        if code:
            return Redirect(f"/r/{code_utils.normalise(code)}")
        return Template("evaluation/enter_code.html", context={"error": None})

    @get("/r/{code:str}")
    async def projects_of_code(self, code: str) -> Template:
        """The slip's QR code: the projects of the code's round that can be rated now."""
        try:
            round_id = await services.round_of_code(code)
        except DomainError as exc:
            return Template("evaluation/enter_code.html", status_code=exc.status_code, context={"error": exc.message})
        rows = [p for p in await projects.projects_of_round(round_id)
                if p["state"] in (ProjectState.written_off, ProjectState.underway)]
        open_rows = []
        for p in rows:
            try:
                await services.check_rateable(p)
                open_rows.append(p)
            except DomainError:
                pass
        return Template("evaluation/code_projects.html", context={
            "rows": open_rows, "code": code_utils.normalise(code),
            "display": code_utils.display(code_utils.normalise(code))})
