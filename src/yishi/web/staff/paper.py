"""Paper ballots: print them, enter the returned ones twice, decide the differing, reconcile."""
from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.ballots import codes as code_utils
from yishi.ballots import lifecycle, paper, paper_pdf, round_settings
from yishi.ballots import permissions as bperm
from yishi.core import i18n
from yishi.core.errors import DomainError
from yishi.core.i18n import _, _l
from yishi.places import services as places
from yishi.web import deps, guards, links
from yishi.web.forms import form_int, form_ints, refused
from yishi.web.responses import file_response
from yishi.wishlists import services as wishlists
from yishi.wishlists.services import RoundView

MESSAGES = {
    paper.PENDING: _l("已保存第一遍录入。请另一位收集员再录入一遍这张选票，两遍一致才计入。"),
    paper.COUNTED: _l("两遍录入一致，这张选票已计入。"),
    paper.SPOILT: _l("两遍录入一致：这张选票作废，不计入。"),
    paper.CONFLICT: _l("两遍录入不一致，这张选票已交审核人处理。"),
}


class PaperController(Controller):
    path = "/rounds/{round_id:int}/paper"
    dependencies = deps.ROUND

    async def _context(self, request: Request, round_id: int) -> dict:
        round_ = await wishlists.get_round(round_id)
        user = request.user
        communities = await places.communities_of(round_.town_id)
        own = getattr(user, "community", None)
        if perm.role_of(user) is Role.collector and own:
            communities = [c for c in communities if c["id"] == getattr(own, "id", own)]
        return {
            "round": round_, "items": await wishlists.items_of(round_id),
            "setup": await round_settings.get(round_id),
            "communities": communities,
            "recon": await paper.reconciliation(round_id),
            "held": await paper.held(round_id) if bperm.can_supervise_paper(user, round_.town_id) else [],
            "can_print": perm.can_manage_round(user, round_.town_id),
            "can_enter": bperm.can_enter_paper(user, round_.town_id),
            "can_supervise": bperm.can_supervise_paper(user, round_.town_id),
            "display": code_utils.display, "message": None, "error": None, "form": {}, "ticked": set(),
        }

    @get("/", guards=[guards.PAPER_PAGE])
    async def page(self, request: Request, round_id: int) -> Template:
        return Template("ballots/paper.html", context=await self._context(request, round_id))

    @post("/ballots.pdf", status_code=200, guards=[guards.MANAGE_ROUND])
    async def ballots_pdf(self, request: Request, round_id: int) -> Response:
        """A POST (with CSRF), not a link: printing marks the round as using paper, so that its
        count waits for the paper ballots after the closing time."""
        form = await request.form()
        name, mime, data = await paper_pdf.paper_ballots_pdf(
            round_id, base_url=links.public_base(request),
            community_id=form_int(form.get("community"), _("社区"), default=0) or None,
            limit=form_int(form.get("count"), _("张数"), default=100), size=str(form.get("size", "A4") or "A4"),
            language=i18n.print_language(form.get("lang")), actor=request.user)
        return file_response(name, mime, data)

    @post("/entries", guards=[guards.ENTER_PAPER])
    async def enter(self, request: Request, round_id: int) -> Template:
        context = await self._context(request, round_id)
        form = await request.form()
        ticked: list[int] = []
        try:
            ticked = form_ints(form.getall("item", []) if hasattr(form, "getall") else form.get("item"))
            outcome = await paper.enter(str(form.get("code", "")), ticked, spoiled=bool(form.get("spoiled")),
                                        actor=request.user, round_id=round_id)
        except DomainError as exc:
            return refused("ballots/paper.html", exc, context, form, ticked=set(ticked))
        context = await self._context(request, round_id)
        context["message"] = f"{code_utils.display(outcome.code)}：{MESSAGES[outcome.status]}"
        return Template("ballots/paper.html", context=context)

    @post("/count", guards=[guards.MANAGE_ROUND])
    async def count(self, request: Request, round_id: int, round_: RoundView) -> Redirect:
        """纸质选票已全部录入: staff count a round that used paper, after its closing time."""
        await lifecycle.confirm_count(round_, actor=request.user)
        return Redirect(f"/rounds/{round_id}")

    @post("/{paper_id:int}/resolve", guards=[guards.SUPERVISE_PAPER])
    async def resolve(self, request: Request, round_id: int, paper_id: int) -> Redirect:
        form = await request.form()
        await paper.resolve(round_id, paper_id, str(form.get("choice", "")), actor=request.user)
        return Redirect(f"/rounds/{round_id}/paper#held")
