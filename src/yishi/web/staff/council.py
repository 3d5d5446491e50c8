from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from yishi.accounts import management
from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.core import dates
from yishi.core.errors import DomainError, Forbidden
from yishi.core.i18n import _
from yishi.meetings import decisions, exports, meeting, records
from yishi.meetings import permissions as mperm
from yishi.meetings.enums import (
    FIXED_CATEGORIES,
    MemberCategory,
)
from yishi.meetings.tables import CouncilMember
from yishi.web import guards
from yishi.web.forms import form_int, optional_int, refused, text
from yishi.web.responses import file_response
from yishi.web.staff.users import one_time
from yishi.wishlists import services as wishlists


class DecisionController(Controller):
    path = "/rounds/{round_id:int}"

    @post("/decision", guards=[guards.DECIDE_ROUND])
    async def record(self, request: Request, round_id: int) -> None:
        """The old direct form, kept only to refuse: the council's decision comes from a quorate
        民主议事定方向 meeting (decisions.decide), never from a form that skips sign-in and votes."""
        raise decisions.not_from_meeting()

    @get("/intent-list.pdf", guards=[guards.EXPORT_ROUND])
    async def intent_list_pdf(self, request: Request, round_id: int) -> Response:
        filename, mimetype, data = await exports.intent_list_pdf(round_id)
        return file_response(filename, mimetype, data, inline=True)


class CouncilController(Controller):
    path = "/council"

    async def _context(self, user: Any, **extra: Any) -> dict[str, Any]:
        council = await records.council_of_town(user.town)
        members = await records.members_of(council["id"]) if council else []
        rounds = await wishlists.list_rounds(town_id=user.town)
        return {
            "council": council, "members": members,
            "missing": records.missing_categories([m["category"] for m in members]),
            "fixed": FIXED_CATEGORIES,
            "meetings": await meeting.meetings_of_council(council["id"]) if council else [],
            "rounds": rounds,
            "can_manage": council is not None and mperm.can_manage_council(user, council["town"]),
            "can_plan": council is not None and mperm.can_plan_meeting(user, council["town"]),
            # A member's account: link one of the street's, or (who may make accounts) make a new one.
            "linkable": await records.linkable_accounts(council["id"], council["town"]) if council else [],
            "can_create_account": perm.can_manage_account(user, Role.member, user.town),
            "error": None, "form": {}, **extra,
        }

    @get("/", guards=[guards.TOWN_COUNCIL])
    async def council_page(self, request: Request) -> Template:
        return Template("meetings/council.html", context=await self._context(request.user))

    async def _manage(self, request: Request, action) -> Template | Redirect:
        user = request.user
        council = await records.council_of_town(user.town)
        if council is None:
            raise Forbidden(_("只有本镇（街道）工作人员或召集人可以管理议事组。"))
        form = await request.form()
        try:
            await action(council, form)
        except DomainError as exc:
            return refused("meetings/council.html", exc, await self._context(user), form)
        return Redirect("/council")

    @post("/members", guards=[guards.MANAGE_COUNCIL])
    async def add_member(self, request: Request) -> Template | Redirect:
        """A member on the roster, with her account: none, one of the street's linked, or a new one
        made in the same step (its one-time password shown once). Member and account are saved
        together or not at all."""
        made: dict[str, Any] = {}

        async def act(council, form):
            try:
                category = MemberCategory(str(form.get("category", "")))
            except ValueError:
                raise DomainError(_("请选择成员类别。")) from None
            mode = text(form, "account")
            user_id = optional_int(form, "user", _("账号")) if mode == "link" else None
            if mode == "link" and user_id is None:
                raise DomainError(_("请选择要关联的账号。"))
            async with CouncilMember._meta.db.transaction():
                if mode == "new":
                    user, made["password"] = await management.create_account(
                        request.user, username=text(form, "username"), display_name=text(form, "name"),
                        phone="", role=Role.member, town_id=council["town"])
                    user_id = made["user_id"] = user.id
                await records.add_member(
                    council["id"], name=str(form.get("name", "")), category=category,
                    organisation=str(form.get("organisation", "")), contact=str(form.get("contact", "")),
                    term_start=dates.parse_date(form.get("term_start"), _("任期开始")),
                    term_end=dates.parse_date(form.get("term_end"), _("任期结束")),
                    actor=request.user, user_id=user_id)
        answer = await self._manage(request, act)
        if made and isinstance(answer, Redirect):
            return one_time(await management.get_account(made["user_id"]), made["password"], created=True)
        return answer

    @post("/members/{member_id:int}/account", guards=[guards.MANAGE_COUNCIL])
    async def link(self, request: Request, member_id: int) -> Template | Redirect:
        async def act(council, form):
            await records.link_account(council["id"], member_id, optional_int(form, "user", _("账号")),
                                       actor=request.user)
        return await self._manage(request, act)

    @post("/members/{member_id:int}/retire", guards=[guards.MANAGE_COUNCIL])
    async def retire(self, request: Request, member_id: int) -> Template | Redirect:
        async def act(council, form):
            await records.retire_member(council["id"], member_id, actor=request.user)
        return await self._manage(request, act)

    @post("/rules", guards=[guards.MANAGE_COUNCIL])
    async def rules(self, request: Request) -> Template | Redirect:
        async def act(council, form):
            await records.set_rules(
                council["id"], quorum_share_pct=form_int(form.get("quorum_share_pct"), _("到会比例")),
                quorum_all_fixed=form.get("quorum_all_fixed") == "1",
                pass_share_pct=form_int(form.get("pass_share_pct"), _("通过比例")), actor=request.user)
        return await self._manage(request, act)
