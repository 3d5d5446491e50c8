from __future__ import annotations

from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from yishi.accounts import permissions as perm
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.core.web import form_ints
from yishi.meetings import exports, services
from yishi.meetings.enums import FIXED_CATEGORIES, MemberCategory
from yishi.wishlists import services as wishlists
from yishi.wishlists.routes import round_context


class DecisionController(Controller):
    path = "/rounds/{round_id:int}"

    @post("/decision")
    async def record(self, request: Request, round_id: int) -> Template | Redirect:
        round_ = await wishlists.get_round(round_id)
        perm.require(perm.can_record_decision(request.user, round_.town_id),
                     _("只有本镇(街道)议事组召集人可以记录议事决定。"))
        form = await request.form()
        approved: list[int] = []
        try:
            approved = form_ints(form.getall("approved", []))
            await services.record_decision(round_, approved, str(form.get("resolution", "")),
                                           actor=request.user)
        except DomainError as exc:
            if isinstance(exc, Conflict):
                # The round is not (or no longer) awaiting a decision, so the page has no form
                # to carry the message: the error page says it instead.
                raise
            context = await round_context(request.user, round_id)
            return Template("wishlists/round.html", status_code=exc.status_code, context={
                **context, "decision_error": exc.message, "error": None, "form": {},
                "draft_approved": set(approved), "draft_resolution": form.get("resolution", ""),
            })
        return Redirect(f"/rounds/{round_id}#decision")

    @get("/intent-list.pdf")
    async def intent_list_pdf(self, request: Request, round_id: int) -> Response:
        round_ = await wishlists.get_round(round_id)
        perm.require(perm.can_export_intent_list(request.user, round_.town_id, round_.district_id))
        filename, mimetype, data = await exports.intent_list_pdf(round_id)
        return Response(data, media_type=mimetype, headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
        })


class CouncilController(Controller):
    path = "/council"

    @get("/")
    async def council_page(self, request: Request) -> Template:
        user = request.user
        perm.require(user.town is not None, _("您的账号没有所属镇(街道),无法查看议事组。"))
        council = await services.council_of_town(user.town)
        members = await services.members_of(council["id"]) if council else []
        return Template("meetings/council.html", context={
            "council": council, "members": members,
            "missing": services.missing_categories([m["category"] for m in members]),
            "Category": MemberCategory, "fixed": FIXED_CATEGORIES,
        })
