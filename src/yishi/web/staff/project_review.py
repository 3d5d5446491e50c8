"""月调度: the monthly review of a street's projects, or of the whole district's, with the 调度意见
recorded per project (posted to the project's /directives route, which comes back here), and the
month's 月调度通报 as PDF and Excel."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from yishi.core.errors import DomainError
from yishi.projects import exports, review, services
from yishi.projects import permissions as pperm
from yishi.web import deps, guards
from yishi.web.responses import file_response


def _month(request: Request) -> str | None:
    raw = request.query_params.get("month")
    return review.check_month(raw) if raw else None


async def _page(request: Request, back: str, **scope: Any) -> Template:
    try:
        r = await review.monthly_review(month=_month(request), **scope)
    except DomainError as exc:
        return Template("projects/review.html", status_code=exc.status_code, context={
            "r": None, "error": exc.message, "back": back})
    user = request.user
    return Template("projects/review.html", context={
        "r": r, "t": r.totals, "back": back, "error": None,
        "can_direct": {row.project["id"]: pperm.can_direct(user, services.where_of(row.project)) for row in r.rows},
        "many_streets": len(r.streets) > 1, "query": f"?month={r.month}"})


async def _file(request: Request, kind: str, inline: bool, **scope: Any) -> Response:
    r = await review.monthly_review(month=_month(request), **scope)
    build = exports.monthly_review_pdf if kind == "pdf" else exports.monthly_review_xlsx
    return file_response(*(await build(r)), inline=inline)


class ReviewController(Controller):
    path = "/review"

    @get("/town/{town_id:int}", guards=[guards.VIEW_STREET], dependencies=deps.TOWN)
    async def street(self, request: Request, town_id: int) -> Template:
        return await _page(request, f"/review/town/{town_id}", town_id=town_id)

    @get("/town/{town_id:int}/report.pdf", guards=[guards.VIEW_STREET], dependencies=deps.TOWN)
    async def street_pdf(self, request: Request, town_id: int) -> Response:
        return await _file(request, "pdf", True, town_id=town_id)

    @get("/town/{town_id:int}/report.xlsx", guards=[guards.VIEW_STREET], dependencies=deps.TOWN)
    async def street_xlsx(self, request: Request, town_id: int) -> Response:
        return await _file(request, "xlsx", False, town_id=town_id)

    @get("/district/{district_id:int}", guards=[guards.VIEW_DISTRICT], dependencies=deps.DISTRICT)
    async def district(self, request: Request, district_id: int) -> Template:
        return await _page(request, f"/review/district/{district_id}", district_id=district_id)

    @get("/district/{district_id:int}/report.pdf", guards=[guards.VIEW_DISTRICT], dependencies=deps.DISTRICT)
    async def district_pdf(self, request: Request, district_id: int) -> Response:
        return await _file(request, "pdf", True, district_id=district_id)

    @get("/district/{district_id:int}/report.xlsx", guards=[guards.VIEW_DISTRICT], dependencies=deps.DISTRICT)
    async def district_xlsx(self, request: Request, district_id: int) -> Response:
        return await _file(request, "xlsx", False, district_id=district_id)
