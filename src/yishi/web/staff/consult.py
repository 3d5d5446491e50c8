"""会商 pages: the list of case meetings (a street's, the district's, those a clerk's unit was
summoned to), the form that calls one (吹哨) from a case, the meeting page (attendance, decisions,
follow-up items, 双考核), and the 协办意见 an assisting unit writes on a case. Routes parse, call
one service of cases.consult, render; who may do which step in which state is
cases.consult_rules.allowed. The case page and the clerk's queue show theirs through web.staff.consult_panels."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from yishi.accounts import units as unit_directory
from yishi.accounts.enums import Role
from yishi.accounts.permissions import id_of
from yishi.cases import consult
from yishi.cases import history as case_history
from yishi.cases import permissions as cperm
from yishi.cases import services as cases
from yishi.cases.consult_rules import SCORES, MeetingActor, Step
from yishi.cases.consult_rules import allowed as step_allowed
from yishi.cases.enums import MeetingKind, MeetingState
from yishi.core import dates
from yishi.core.dates import local_text
from yishi.core.errors import DomainError, InvalidInput
from yishi.core.i18n import _
from yishi.places import services as places
from yishi.suggestions import rules as srules
from yishi.web import deps, forms, guards
from yishi.web.staff.cases import case_context

HELPERS = {"display_code": srules.display_code, "local_text": local_text, "MeetingState": MeetingState}


async def _district_of_user(user: Any) -> int | None:
    role = cperm.role_of(user)
    if role in (Role.district_reviewer, Role.admin) and id_of(user.district) is not None:
        return id_of(user.district)
    if id_of(getattr(user, "town", None)) is not None:
        town = await places.town(id_of(user.town))
        return town["district"] if town else None
    districts = await places.districts()
    return districts[0]["id"] if districts else None


class ConsultController(Controller):
    path = "/cases/meetings"

    @get("/", guards=[guards.CASES])
    async def list_page(self, request: Request) -> Template:
        rows = await consult.meetings_for(request.user)
        return Template("cases/meetings.html", context={
            "rows": rows, "can_call": cperm.can_call_meeting(request.user),
            "role": getattr(cperm.role_of(request.user), "value", ""), **HELPERS})

    # --- 召集 -------------------------------------------------------------------------------------

    async def _new_context(self, request: Request, **extra: Any) -> dict[str, Any]:
        user = request.user
        open_cases = await consult.open_cases_to_consult(user)
        wanted = forms.optional_int(request.query_params, "case", _("工单"))
        district = next((c["district"] for c in open_cases if c["id"] == wanted), None) \
            or await _district_of_user(user)
        picked = next((c for c in open_cases if c["id"] == wanted), None)
        form = {"kind": MeetingKind.whistle.value, "cases": [str(wanted)] if picked else [], "units": [],
                "topic": "", "place": "", "held_at": ""}
        return {"open_cases": [c for c in open_cases if c["district"] == district],
                "units": await unit_directory.units_of(district) if district else [],
                "kinds": list(MeetingKind), "form": form, "error": None, "errors": {},
                "district_level": cperm.role_of(user) is Role.district_reviewer, **HELPERS, **extra}

    @get("/new", guards=[guards.CALL_CONSULT])
    async def new_page(self, request: Request) -> Template:
        return Template("cases/meeting_new.html", context=await self._new_context(request))

    @post("/new", guards=[guards.CALL_CONSULT])
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            try:
                held_at = dates.parse_datetime(form.get("held_at"), _("会商时间"))
            except DomainError as exc:
                raise InvalidInput(exc.message, "held_at") from None
            meeting_id = await consult.call(consult.Call(
                kind=forms.choice(form, "kind", MeetingKind, _("会商形式")), held_at=held_at,
                place=forms.text(form, "place"), topic=forms.text(form, "topic"),
                case_ids=tuple(forms.ids(form, "cases")), unit_ids=tuple(forms.ids(form, "units"))),
                actor=request.user)
        except DomainError as exc:
            context = await self._new_context(request)
            typed = forms.typed(form, lists=("cases", "units"))
            return forms.refused("cases/meeting_new.html", exc, context, errors=getattr(exc, "errors", {}),
                                 form={**context["form"], **typed})
        return Redirect(f"/cases/meetings/{meeting_id}?done=called")

    # --- the meeting ------------------------------------------------------------------------------

    async def _context(self, request: Request, meeting: dict, **extra: Any) -> dict[str, Any]:
        actor = consult.actor_of(request.user, meeting)
        steps = {s.value for s in Step if step_allowed(s, actor, meeting["state"])}
        mine = cperm.clerk_unit(request.user) if actor is MeetingActor.unit else None
        return {"m": meeting, "actor": actor.value, "steps": steps,
                "mine": next((u for u in meeting["units"] if u["unit"] == mine), None),
                "district_units": await unit_directory.units_of(meeting["district"]),
                "history": await case_history.meeting_history(meeting["id"]), "scores": list(SCORES),
                "done": request.query_params.get("done", ""), "error": None, "form": {}, "refused": "",
                "today": dates.today(),
                **HELPERS, **extra}

    @get("/{consult_id:int}", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def page(self, request: Request, meeting: dict) -> Template:
        return Template("cases/meeting.html", context=await self._context(request, meeting))

    async def _step(self, request: Request, meeting: dict, step, done: str, name: str = "") -> Template | Redirect:
        """Run one form's step; refused, the page comes back with that form (``refused``: its name,
        ``done`` unless given) holding what was typed, and every other form as it was."""
        form = await request.form()
        try:
            await step(form)
        except DomainError as exc:
            fresh = await consult.get_meeting(meeting["id"])
            context = await self._context(request, fresh, refused=name or done)
            return forms.refused("cases/meeting.html", exc, context, form=form)
        return Redirect(f"/cases/meetings/{meeting['id']}?done={done}#{done}")

    @post("/{consult_id:int}/report", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def report(self, request: Request, meeting: dict) -> Template | Redirect:
        async def run(form):
            await consult.report(meeting["id"], forms.text(form, "attendee"), actor=request.user)
        return await self._step(request, meeting, run, "reported")

    @post("/{consult_id:int}/attendance", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def attendance(self, request: Request, meeting: dict) -> Template | Redirect:
        async def run(form):
            present = {u: forms.text(form, f"attendee_{u}") for u in forms.ids(form, "present")}
            await consult.record_attendance(meeting["id"], present, actor=request.user)
        return await self._step(request, meeting, run, "attendance")

    @post("/{consult_id:int}/hold", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def hold(self, request: Request, meeting: dict) -> Template | Redirect:
        async def run(form):
            try:
                held_at = dates.parse_datetime(form.get("held_at"), _("会商时间"))
            except DomainError as exc:
                raise InvalidInput(exc.message, "held_at") from None
            await consult.hold(meeting["id"], forms.text(form, "summary"), actor=request.user, held_at=held_at)
        return await self._step(request, meeting, run, "held")

    @post("/{consult_id:int}/decide", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def decide(self, request: Request, meeting: dict) -> Template | Redirect:
        async def run(form):
            await consult.decide(meeting["id"], consult.Decision(
                case_id=forms.required_int(form, "case", _("工单")),
                lead_unit_id=forms.optional_int(form, "lead_unit", _("主责单位")),
                assist_unit_ids=tuple(forms.ids(form, "assist")), text=forms.text(form, "decision"),
                due_on=forms.optional_date(form, "due_on", _("办结时限"))), actor=request.user)
        return await self._step(request, meeting, run, "decided")

    @post("/{consult_id:int}/items", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def add_item(self, request: Request, meeting: dict) -> Template | Redirect:
        async def run(form):
            await consult.add_item(meeting["id"], forms.optional_int(form, "unit", _("承办单位")),
                                   forms.optional_int(form, "case", _("工单")), forms.text(form, "what"),
                                   forms.optional_date(form, "due_on", _("完成期限")), actor=request.user)
        return await self._step(request, meeting, run, "item")

    @post("/{consult_id:int}/items/{item_id:int}/answer", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def answer_item(self, request: Request, meeting: dict, item_id: int) -> Template | Redirect:
        async def run(form):
            await consult.answer_item(meeting["id"], item_id, forms.text(form, "answer"), actor=request.user)
        return await self._step(request, meeting, run, "answered")

    @post("/{consult_id:int}/rate-response", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def rate_response(self, request: Request, meeting: dict) -> Template | Redirect:
        async def run(form):
            await consult.rate_response(meeting["id"], forms.optional_int(form, "unit", _("单位")),
                                        forms.optional_int(form, "score", _("评分")), forms.text(form, "note"),
                                        actor=request.user)
        return await self._step(request, meeting, run, "rated")

    @post("/{consult_id:int}/rate-prep", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def rate_prep(self, request: Request, meeting: dict) -> Template | Redirect:
        async def run(form):
            await consult.rate_prep(meeting["id"], forms.optional_int(form, "score", _("评分")),
                                    forms.text(form, "note"), actor=request.user)
        return await self._step(request, meeting, run, "rated", name="prep")

    @post("/{consult_id:int}/close", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def close(self, request: Request, meeting: dict) -> Template | Redirect:
        async def run(form):
            await consult.close(meeting["id"], actor=request.user)
        return await self._step(request, meeting, run, "closed")

    @post("/{consult_id:int}/cancel", guards=[guards.VIEW_CONSULT], dependencies=deps.CONSULT)
    async def cancel(self, request: Request, meeting: dict) -> Template | Redirect:
        async def run(form):
            await consult.cancel(meeting["id"], forms.text(form, "cancel_reason"), actor=request.user)
        return await self._step(request, meeting, run, "cancelled")


class OpinionController(Controller):
    """协办意见 on a case, from the case page."""

    path = "/cases"

    @post("/{case_id:int}/opinion", guards=[guards.VIEW_CASE], dependencies=deps.CASE)
    async def write(self, request: Request, case: dict) -> Template | Redirect:
        form = await request.form()
        try:
            await consult.write_opinion(case["id"], forms.text(form, "opinion"), actor=request.user)
        except DomainError as exc:
            context = await case_context(request, await cases.get_case(case["id"]))
            return forms.refused("cases/case.html", exc, context, form=form)
        return Redirect(f"/cases/{case['id']}?done=opinion#opinions")
