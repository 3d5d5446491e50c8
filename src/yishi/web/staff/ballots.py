from __future__ import annotations

from litestar import Controller, MediaType, Request, get, post
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Redirect, Template
from litestar.response.base import ASGIResponse
from litestar.utils.scope.state import ScopeState

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.ballots import codes as code_utils
from yishi.ballots import imports
from yishi.ballots import round_settings, services
from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.core.templating import PageShell
from yishi.web.forms import form_int, form_ints
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus
from yishi.web.staff.rounds import round_context


class BallotStaffController(Controller):
    """Staff side of the ticking: open, close, hand out codes, watch the tally."""

    path = "/rounds/{round_id:int}"

    async def _managed(self, request: Request, round_id: int) -> wishlists.RoundView:
        round_ = await wishlists.get_round(round_id)
        perm.require(perm.can_manage_round(request.user, round_.town_id))
        return round_

    @post("/open")
    async def open_voting(self, request: Request, round_id: int) -> Redirect:
        await services.open_voting(await self._managed(request, round_id), actor=request.user)
        return Redirect(f"/rounds/{round_id}")

    @post("/settings")
    async def save_settings(self, request: Request, round_id: int) -> Template | Redirect:
        round_ = await self._managed(request, round_id)
        form = await request.form()
        raw = dict(form)
        picked = form.getall("community", []) if hasattr(form, "getall") else form.get("community")
        try:
            communities = form_ints(picked)
            await round_settings.save(
                round_,
                opens_at=round_settings.parse_local(form.get("opens_at"), _("开始时间")),
                closes_at=round_settings.parse_local(form.get("closes_at"), _("截止时间")),
                voter_unit=str(form.get("voter_unit", "")),
                communities=communities,
                actor=request.user,
            )
        except DomainError as exc:
            # Show the form again with what was entered, the message beside it.
            context = await round_context(request.user, round_id)
            raw["community"] = [str(c) for c in (picked if isinstance(picked, list) else [picked] if picked else [])]
            return Template("wishlists/round.html", status_code=exc.status_code, context={
                **context, "error": None, "form": {}, "settings_error": exc.message, "settings_form": raw})
        return Redirect(f"/rounds/{round_id}#settings")

    @post("/close")
    async def close_voting(self, request: Request, round_id: int) -> Redirect:
        await services.close_voting(await self._managed(request, round_id), actor=request.user)
        return Redirect(f"/rounds/{round_id}")

    @post("/codes")
    async def issue_codes(self, request: Request, round_id: int) -> Template:
        round_ = await self._managed(request, round_id)
        form = await request.form()
        community_id = form_int(form.get("community"), _("社区"))
        count = form_int(form.get("count"), _("选票码数量"))
        new = await services.issue_codes(round_, community_id, count, actor=request.user)
        return Template("ballots/codes.html", context={
            "round": round_, "setup": await round_settings.get(round_id), "codes": [{"code": c} for c in new], "display": code_utils.display,
            "base_url": str(request.base_url).rstrip("/"), "fresh": True,
        })

    @get("/codes")
    async def list_codes(self, request: Request, round_id: int) -> Template:
        round_ = await self._managed(request, round_id)
        unused = await services.unused_codes(round_id, limit=200)
        return Template("ballots/codes.html", context={
            "round": round_, "setup": await round_settings.get(round_id), "codes": unused, "display": code_utils.display,
            "base_url": str(request.base_url).rstrip("/"), "fresh": False,
        })

    @get("/tally")
    async def tally(self, request: Request, round_id: int) -> Template:
        context = await round_context(request.user, round_id)
        return HTMXTemplate(template_name="ballots/_tally.html", context=context)


MAX_PB_BYTES = 20 * 1024 * 1024  # the largest Pabulib file here (Łódź, 90,000 voters) is 3.7 MB


@post("/rounds/import-pb", request_max_body_size=MAX_PB_BYTES)
async def import_pb_upload(request: Request) -> Redirect:
    """Staff upload a Pabulib .pb file: it becomes a closed round with its ballots."""
    user = request.user
    perm.require(perm.can_create_round(user))
    form = await request.form()
    if perm.role_of(user) is Role.admin:
        town_id = form_int(form.get("town"), _("镇（街道）"))
    else:
        town_id = user.town
    perm.require(perm.can_manage_round(user, town_id))
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        raise DomainError(_("请选择要导入的 .pb 文件。"))
    data = await upload.read()
    if not data.strip():
        raise DomainError(_("上传的文件是空的。"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("文件不是 UTF-8 编码的 Pabulib .pb 文件。"))
    round_id = await imports.import_pb(text, town_id=town_id, title=str(form.get("title", "") or ""),
                                       actor=user)
    return Redirect(f"/rounds/{round_id}")


# The receipt is the answer to every ballot: the same page but for the receipt number (and the
# CSRF token base.html carries), so it is rendered once and filled in (core.templating.PageShell).
RECEIPT_PAGE = PageShell("ballots/receipt.html", holes=("receipt",))


class VoteController(Controller):
    """The resident's side: no account, just a ballot code. Residents never log in here, so these
    pages skip the session and the login (their own checks are the code's); CSRF still applies
    to the POST like to every other."""

    path = ""
    opt = {"exclude_from_auth": True, "skip_session": True}
    request_class = Request  # not the app's HTMXRequest: these pages have no use for htmx details

    @get("/vote")
    async def enter_code(self, code: str | None = None) -> Template | Redirect:
        if code:
            return Redirect(f"/v/{code_utils.normalise(code)}")
        return Template("ballots/enter_code.html", context={"error": None})

    async def _ballot_page(self, raw_code: str, error: str | None = None, ticked: list[int] | None = None,
                           status_code: int = 200) -> Template:
        info = await services.lookup_code(raw_code)
        round_ = await wishlists.get_round(info.round_id)
        return Template("ballots/vote.html", status_code=status_code, context={
            "info": info, "round": round_, "items": await wishlists.items_of(round_.id),
            "code_display": code_utils.display(info.code), "error": error,
            "ticked": set(ticked or []), "Status": RoundStatus,
            "setup": await round_settings.get(round_.id), "now": round_settings.now_utc(),
        })

    @get("/v/{code:str}")
    async def ballot(self, code: str) -> Template:
        try:
            return await self._ballot_page(code)
        except DomainError as exc:
            return Template("ballots/enter_code.html", status_code=exc.status_code, context={"error": exc.message})

    @post("/v/{code:str}", media_type=MediaType.HTML)
    async def cast(self, request: Request) -> ASGIResponse:
        """The hot path of a ticking day: the receipt goes out as a finished response (Litestar
        returns it as it is); a refusal is the ballot page again, as a Template."""
        code = request.path_params["code"]
        form = await request.form()
        ticked: list[int] = []
        try:
            ticked = form_ints(form.getall("item", []) if hasattr(form, "getall") else form.get("item"))
            receipt = await services.cast_ballot(code, ticked)
        except DomainError as exc:
            try:
                return await self._ballot_page(code, exc.message, ticked, exc.status_code)
            except DomainError as lookup:
                return Template("ballots/enter_code.html", status_code=lookup.status_code,
                                context={"error": lookup.message})
        page = RECEIPT_PAGE.render(request.app.template_engine.engine,
                                   ScopeState.from_scope(request.scope).csrf_token,
                                   receipt=code_utils.display(receipt))
        return ASGIResponse(body=page, media_type=MediaType.HTML, status_code=200)
