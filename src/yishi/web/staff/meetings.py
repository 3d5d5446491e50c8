"""The meeting page and its actions. Each POST calls one service; on a refusal the page is shown
again with the message in Chinese and the refusal's 4xx status, and nothing has changed."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from yishi.ballots import casting as ballots
from yishi.core import dates
from yishi.core.errors import DomainError, Forbidden
from yishi.core.i18n import _
from yishi.meetings import compile as compiling
from yishi.meetings import decisions, desk, exports, meeting, records
from yishi.meetings import permissions as perm
from yishi.meetings.enums import (
    MeetingStatus,
    MeetingStep,
    Presence,
    VoteChoice,
)
from yishi.suggestions import services as suggestions
from yishi.web import deps, guards
from yishi.web.forms import form_int, form_ints, item_input
from yishi.web.responses import file_response
from yishi.wishlists import services as wishlists
from yishi.wishlists import sources
from yishi.wishlists.enums import ItemKind


def parse_when(text: str) -> datetime:
    """'2026-03-12T14:30' from <input type=datetime-local>, read as Beijing time."""
    when = dates.parse_datetime(text, _("会议时间"))
    if when is None:
        raise DomainError(_("请填写会议时间，例如 2026-03-12 14:30。"))
    return when


async def meeting_context(user: Any, m: meeting.MeetingView, picked: list[int] | None = None) -> dict[str, Any]:
    s = await meeting.state(m)
    me = await meeting.member_of_user(m, user.id) if user else None
    context: dict[str, Any] = {
        "m": m, "s": s, "me": me, "number": await meeting.number_of(m),
        "quorum_reason": meeting.quorum_reason(s.quorum, m.rules),
        "quorum_basis": meeting.quorum_basis(s.quorum, m.rules),
        "can_edit_agenda": perm.can_edit_agenda(user, m.town_id, m.status),
        "can_run": perm.can_run_meeting(user, m.town_id, m.status),
        "can_chair": perm.can_plan_meeting(user, m.town_id),
        "can_vote_hands": perm.can_record_votes(user, m.town_id, m.status),
        "can_sign_in": perm.can_sign_in(user, me, m.status),
        "can_vote_self": perm.can_vote_self(user, me, bool(me and me["id"] in s.present_ids), m.status),
        "round": None, "items": [], "error": None,
    }
    if m.round_id is not None:
        round_ = await wishlists.get_round(m.round_id)
        items = await wishlists.items_of(m.round_id)
        tally = await ballots.tally(m.round_id)
        items.sort(key=lambda i: (-tally.approvals.get(i["id"], 0), i["position"], i["id"]))
        context.update(round=round_, items=items, tally=tally,
                       decision=await records.decision_of(m.round_id))
        if m.step is MeetingStep.consult:
            context.update(await compile_context(m, round_, items, can_run=context["can_run"], picked=picked))
        if m.step is MeetingStep.decide:
            support = await records.decision_support(m.round_id)
            passed = {i for i, c in s.counts.items() if c.passed}
            context.update(support=support, passed=passed, departs=passed != set(support.greedy))
            context.update(await desk.revision_context(m, round_, context["decision"]))  # 复议, voting_open
    return context


async def compile_context(m: meeting.MeetingView, round_: Any, items: list[dict], *, can_run: bool,
                          picked: list[int] | None = None) -> dict[str, Any]:
    """The 民主恳谈交清单 part of the page: the list in the making, the suggestions to pick from."""
    editable = can_run and m.status is MeetingStatus.open and round_.list_editable
    items = sorted(items, key=lambda i: (i["position"], i["id"]))
    return {
        "list_items": items,
        "list_total_fen": sum(i["cost_fen"] for i in items),
        "adoption": await compiling.adoption_of(round_.id),
        "can_compile": editable,
        "candidates": await suggestions.candidates_for_list(round_.town_id, picked=picked) if editable else [],
        "sources": await sources.source_counts(round_.id),
        "kinds": list(ItemKind),
        "form": {},
        "picked": set(picked or []),
        "edit_item_id": None,
        "edit_form": None,
    }


class MeetingController(Controller):
    path = "/meetings"
    dependencies = deps.MEETING

    async def _page(self, request: Request, meeting_id: int, error: str | None = None, status: int = 200,
                    *, chair: bool = False, **extra: Any) -> Template:
        m = await meeting.get_meeting(meeting_id)
        context = await meeting_context(request.user, m)
        page = "meetings/chair.html" if chair else "meetings/meeting.html"
        return Template(page, status_code=status, context={**context, "error": error, **extra})

    async def _act(self, request: Request, meeting_id: int, action, anchor: str = "", *, chair: bool = False,
                   done: str | None = None) -> Any:
        """Run the service (the route's guard has let the user in); a refusal re-renders the page
        with its message. The chair's actions come back to the chair's page."""
        m = await deps.load_meeting(request)
        form = await request.form()
        try:
            await action(m, form)
        except DomainError as exc:
            return await self._page(request, meeting_id, exc.message, exc.status_code, chair=chair, form=dict(form))
        return Redirect(done or f"/meetings/{meeting_id}{'/chair' if chair else ''}{anchor}")

    @post("/", guards=[guards.PLAN_MEETING])
    async def create(self, request: Request) -> Redirect:
        user = request.user
        council = await records.council_of_town(user.town)
        if council is None:
            raise Forbidden(_("只有本镇（街道）议事组召集人可以安排会议。"))
        form = await request.form()
        try:
            step = MeetingStep(str(form.get("step", "")))
        except ValueError:
            raise DomainError(_("请选择会议所属的议事步骤。")) from None
        round_id = form_int(form.get("round"), _("批次"), default=0) or None
        meeting_id = await meeting.create_meeting(
            council["id"], step=step, title=str(form.get("title", "")),
            held_at=parse_when(str(form.get("held_at", ""))),
            place=str(form.get("place", "")), round_id=round_id, actor=user)
        return Redirect(f"/meetings/{meeting_id}")

    @get("/{meeting_id:int}", guards=[guards.VIEW_MEETING])
    async def page(self, request: Request, meeting_id: int) -> Template:
        return await self._page(request, meeting_id)

    @get("/{meeting_id:int}/chair", guards=[guards.CHAIR_MEETING])
    async def chair(self, request: Request, meeting_id: int) -> Template:
        """The chair's panel: start and close, agenda, sign-in, guests, the show of hands per item
        and the decision; the meeting page keeps the convener's own votes as short as a member's."""
        return await self._page(request, meeting_id, chair=True)

    @post("/{meeting_id:int}/agenda", guards=[guards.CHAIR_MEETING])
    async def add_agenda(self, request: Request, meeting_id: int) -> Any:
        async def act(m, form):
            await meeting.add_agenda_item(m, str(form.get("title", "")), actor=request.user)
        return await self._act(request, meeting_id, act, "#agenda", chair=True)

    @post("/{meeting_id:int}/agenda/{item_id:int}/{op:str}", guards=[guards.CHAIR_MEETING])
    async def agenda_op(self, request: Request, meeting_id: int, item_id: int, op: str) -> Any:
        async def act(m, form):
            if op == "delete":
                await meeting.remove_agenda_item(m, item_id, actor=request.user)
            elif op in ("up", "down"):
                await meeting.move_agenda_item(m, item_id, op == "up", actor=request.user)
            elif op == "notes":
                await meeting.save_notes(m, item_id, str(form.get("notes", "")), actor=request.user)
            else:
                raise DomainError(_("不支持这种操作。"), 404)
        return await self._act(request, meeting_id, act, "#agenda", chair=True)

    @post("/{meeting_id:int}/start", guards=[guards.CHAIR_MEETING])
    async def start(self, request: Request, meeting_id: int) -> Any:
        async def act(m, form):
            await meeting.start(m, actor=request.user)
        # Once started, the meeting's work (compiling the list, voting) is on the meeting page.
        return await self._act(request, meeting_id, act, chair=True, done=f"/meetings/{meeting_id}")

    @post("/{meeting_id:int}/close", guards=[guards.CHAIR_MEETING])
    async def close(self, request: Request, meeting_id: int) -> Any:
        async def act(m, form):
            await meeting.close_minutes(m, actor=request.user)
        return await self._act(request, meeting_id, act, chair=True)

    @post("/{meeting_id:int}/attendance", guards=[guards.CHAIR_MEETING])
    async def attendance(self, request: Request, meeting_id: int) -> Any:
        async def act(m, form):
            s = await meeting.state(m)
            for member in s.members:
                value = str(form.get(f"presence_{member['id']}", "") or "")
                if value and value != s.presence.get(member["id"]):
                    try:
                        presence = Presence(value)
                    except ValueError:
                        raise DomainError(_("提交的内容格式不对，请刷新页面后重新提交。")) from None
                    await meeting.set_presence(m, member["id"], presence, actor=request.user)
        return await self._act(request, meeting_id, act, "#attendance", chair=True)

    @post("/{meeting_id:int}/sign-in", guards=[guards.VIEW_MEETING])
    async def sign_in(self, request: Request, meeting_id: int) -> Any:
        me: dict | None = None

        async def act(m, form):
            await meeting.set_presence(m, me["id"], Presence.present, actor=request.user, self_signed=True)

        me = await meeting.member_of_user(await deps.load_meeting(request), request.user.id)
        perm.require(me is not None, _("您不是本议事组的在任成员，不能签到。"))
        return await self._act(request, meeting_id, act, "#signed-in")

    @post("/{meeting_id:int}/guests", guards=[guards.CHAIR_MEETING])
    async def guests(self, request: Request, meeting_id: int) -> Any:
        async def act(m, form):
            await meeting.add_guest(m, name=str(form.get("name", "")), organisation=str(form.get("organisation", "")),
                                    reason=str(form.get("reason", "")), actor=request.user)
        return await self._act(request, meeting_id, act, "#guests", chair=True)

    @post("/{meeting_id:int}/votes/{item_id:int}", guards=[guards.CHAIR_MEETING])
    async def hands(self, request: Request, meeting_id: int, item_id: int) -> Any:
        """The convener records a show of hands on one item: a choice per member present."""
        async def act(m, form):
            choices = {}
            for key, value in form.items():
                if key.startswith("vote_") and value:
                    try:
                        choices[int(key[5:])] = VoteChoice(str(value))
                    except ValueError:
                        raise DomainError(_("提交的内容格式不对，请刷新页面后重新提交。")) from None
            await meeting.record_votes(m, item_id, choices, actor=request.user)
        return await self._act(request, meeting_id, act, f"#hands-{item_id}", chair=True)

    @post("/{meeting_id:int}/my-vote/{item_id:int}", guards=[guards.VIEW_MEETING])
    async def my_vote(self, request: HTMXRequest, meeting_id: int, item_id: int) -> Any:
        me = await meeting.member_of_user(await deps.load_meeting(request), request.user.id)
        perm.require(me is not None, _("您不是本议事组的在任成员，不能表决。"))

        async def act(m, form):
            try:
                choice = VoteChoice(str(form.get("choice", "")))
            except ValueError:
                raise DomainError(_("请选择赞成、反对或弃权。")) from None
            await meeting.record_votes(m, item_id, {me["id"]: choice}, actor=request.user, by_self=True)
        if request.htmx:
            return await self._vote_item(request, meeting_id, item_id, act)
        return await self._act(request, meeting_id, act, f"#item-{item_id}")

    async def _vote_item(self, request: Request, meeting_id: int, item_id: int, action) -> Template:
        """A member's vote by htmx: the item's row again (with a refusal's message, and its 4xx
        status) and the "还剩 N 项未表决" bar out of band, instead of the whole page."""
        m = await deps.load_meeting(request)
        form = await request.form()
        error, status = None, 200
        try:
            await action(m, form)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        context = await meeting_context(request.user, await meeting.get_meeting(meeting_id))
        ranked = [(n, i) for n, i in enumerate(context["items"], 1) if i["id"] == item_id]
        if not ranked:
            raise DomainError(_("该项目不在本批次清单上，请刷新页面后重试。"), 404)
        return Template("meetings/_vote_item.html", status_code=status, headers={"X-Vote-Item": str(item_id)},
                        context={**context, "fragment_item": ranked[0][1], "fragment_rank": ranked[0][0],
                                 "item_error": error})

    @post("/{meeting_id:int}/decide", guards=[guards.CHAIR_MEETING])
    async def decide(self, request: Request, meeting_id: int) -> Any:
        async def act(m, form):
            await decisions.decide(m, str(form.get("resolution", "")), str(form.get("departure_reason", "")),
                                 actor=request.user)
        return await self._act(request, meeting_id, act, "#decide", chair=True)

    # --- 民主恳谈交清单: compile the round's list in the meeting ----------------------------

    async def _list_page(self, request: Request, m: meeting.MeetingView, *, picked: list[int],
                         error: str | None = None, status: int = 200, **extra: Any) -> Template:
        """The page again with what was typed kept: the add form (`form`) with its suggestions
        still ticked, or an item's edit form (`edit_item_id`, `edit_form`) held open."""
        context = await meeting_context(request.user, m, picked=picked)
        return Template("meetings/meeting.html", status_code=status,
                        context={**context, "error": error, **extra})

    async def _compiler(self, request: Request,
                        meeting_id: int) -> tuple[meeting.MeetingView, Any, list[int] | DomainError]:
        """The meeting, the posted form and its ticked suggestions (or, for junk in their place, the
        error to show with the rest of what was typed), for whoever may run it."""
        m = await deps.load_meeting(request)
        form = await request.form()
        try:
            picked = form_ints(form.getall("suggestion", []))
        except DomainError as exc:
            # Junk in place of a suggestion id: say so, keep the rest of what was typed.
            return m, form, exc
        return m, form, picked

    @post("/{meeting_id:int}/list/items", guards=[guards.RUN_MEETING])
    async def list_add(self, request: Request, meeting_id: int) -> Any:
        """A new item, from the picked suggestions (merged into one) or typed directly; or, with
        `into` set, the picked suggestions answered by an item already on the list."""
        m, form, picked = await self._compiler(request, meeting_id)
        try:
            if isinstance(picked, DomainError):
                raise picked
            into = form_int(form.get("into"), _("清单项目"), default=0)
            if into:
                await compiling.link_suggestions(m, into, picked, actor=request.user)
            else:
                await compiling.add_item(m, **item_input(form), suggestion_ids=picked, actor=request.user)
        except DomainError as exc:
            return await self._list_page(request, m, picked=picked if isinstance(picked, list) else [],
                                         error=exc.message, status=exc.status_code, form=dict(form))
        return Redirect(f"/meetings/{meeting_id}#list")

    @post("/{meeting_id:int}/list/draft", guards=[guards.RUN_MEETING])
    async def list_draft(self, request: Request, meeting_id: int) -> Template:
        """起草: the add form filled in from the picked suggestions' words, to edit; saves nothing."""
        m, form, picked = await self._compiler(request, meeting_id)
        draft = dict(form)
        if isinstance(picked, DomainError) or not picked:
            message = picked.message if isinstance(picked, DomainError) else _("请先勾选要纳入的居民建议。")
            return await self._list_page(request, m, picked=[], error=message, status=400, form=draft)
        if not str(draft.get("description", "")).strip():
            words = await suggestions.contents_of(picked, town_id=m.town_id)
            draft["description"] = "\n".join(words)[:2000]
        return await self._list_page(request, m, picked=picked, form=draft)

    @post("/{meeting_id:int}/list/items/{item_id:int}/edit", guards=[guards.RUN_MEETING])
    async def list_edit(self, request: Request, meeting_id: int, item_id: int) -> Any:
        m, form, _picked = await self._compiler(request, meeting_id)
        try:
            await compiling.edit_item(m, item_id, **item_input(form), actor=request.user)
        except DomainError as exc:
            return await self._list_page(request, m, picked=[], error=exc.message, status=exc.status_code,
                                         edit_item_id=item_id, edit_form=dict(form))
        return Redirect(f"/meetings/{meeting_id}#list-item-{item_id}")

    @post("/{meeting_id:int}/list/items/{item_id:int}/delete", guards=[guards.RUN_MEETING])
    async def list_remove(self, request: Request, meeting_id: int, item_id: int) -> Any:
        async def act(m, form):
            await compiling.remove_item(m, item_id, actor=request.user)
        return await self._act(request, meeting_id, act, "#list")

    @post("/{meeting_id:int}/list/adopt", guards=[guards.RUN_MEETING])
    async def list_adopt(self, request: Request, meeting_id: int) -> Any:
        async def act(m, form):
            await compiling.adopt(m, actor=request.user)
        return await self._act(request, meeting_id, act, "#list")

    @get("/{meeting_id:int}/minutes.pdf", guards=[guards.VIEW_MEETING])
    async def minutes_pdf(self, request: Request, meeting_id: int) -> Response:
        filename, mimetype, data = await exports.minutes_pdf(meeting_id)
        return file_response(filename, mimetype, data, inline=True)
