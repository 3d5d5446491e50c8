"""接诉即办 pages: the street's dispatch (派单) of a suggestion to a unit, the case list (a
street's cases, a unit clerk's queue of 工单, the district's 提级 cases), one case with the steps
its viewer may take, and the district's 派单目录 and time limits. Routes parse, call a service,
render; who may do what in which state is cases.rules.allowed."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Template

from yishi.accounts import units as unit_directory
from yishi.accounts.enums import Role
from yishi.accounts.permissions import id_of
from yishi.cases import catalog, queries, rules, services
from yishi.cases import history as case_history
from yishi.cases import permissions as cperm
from yishi.cases import settings as case_settings
from yishi.cases.enums import CaseKind, Urgency
from yishi.cases.rules import Action, Actor
from yishi.core.dates import local_text, now
from yishi.core.errors import DomainError, Forbidden, NotFound
from yishi.core.i18n import _
from yishi.places import services as places
from yishi.projects.enums import Colour
from yishi.projects.supervision import calendar_of
from yishi.suggestions import catalog as suggestion_catalog
from yishi.suggestions import rules as srules
from yishi.suggestions.enums import Track
from yishi.web import deps, forms, guards
from yishi.web.staff import callbacks as callback_pages
from yishi.web.staff import consult_panels


def scope_for(user: Any) -> queries.Scope:
    role = cperm.role_of(user)
    if role is Role.admin:
        return queries.Scope()
    if role is Role.district_reviewer:
        return queries.Scope(district_id=id_of(user.district))
    if role is Role.unit_clerk:
        return queries.Scope(unit_id=id_of(user.unit))
    return queries.Scope(town_id=id_of(user.town))


HELPERS = {"display_code": srules.display_code, "local_text": local_text, "due_text": rules.due_text}


def _page_number(value: Any) -> int:
    try:
        return max(1, min(int(value or 1), 100_000))
    except (TypeError, ValueError):
        return 1


async def _district_of(request: Request) -> int:
    """The district whose catalogue and limits are shown: the reviewer's own; an administrator's
    from ?district= (the first when none is named; an unknown one is a 404)."""
    user = request.user
    if cperm.role_of(user) is Role.district_reviewer:
        return id_of(user.district)
    districts = await places.districts()
    if not districts:
        raise NotFound(_("还没有区，请先建立行政区划。"))
    wanted = request.query_params.get("district", "")
    if not wanted:
        return districts[0]["id"]
    found = next((d["id"] for d in districts if str(d["id"]) == wanted), None)
    if found is None:
        raise NotFound(_("没有这个区。"))
    return found


def actions_for(actor: Actor, case: dict | None) -> set[str]:
    state = case["state"] if case else None
    owned, escalated = bool(case and case["owner"]), bool(case and case["escalated_at"])
    return {a.value for a in Action if rules.allowed(a, actor, state, owned=owned, escalated=escalated)}


async def case_context(request: Request, case: dict, **extra: Any) -> dict[str, Any]:
    """The case page's context (the 协办意见 route, in web.staff.consult, shows the page again with it)."""
    actor = cperm.actor_of(request.user, case["where"])
    limits = await case_settings.of_district(case["district"])
    sup = rules.colour(state=case["state"], urgency=case["urgency"], now=now(), accept_by=case["accept_by"],
                       due_at=case["due_at"], limits=limits, calendar=await calendar_of(case["district"]))
    return {"c": case, "sup": sup, "actor": actor.value, "actions": actions_for(actor, case),
            "history": await case_history.history(case["suggestion"]),
            "limit": rules.limit_text(urgency=case["urgency"], track=case["track"], kind=case["kind"],
                                      limits=limits),
            "sees_suggestion": actor in (Actor.street, Actor.district, Actor.admin),
            "done": request.query_params.get("done", ""), "error": None, "form": {}, **HELPERS,
            **await callback_pages.panel(request.user, case),
            **await consult_panels.case_panel(request.user, case, actor), **extra}


class CaseController(Controller):
    path = "/cases"

    # --- the lists ------------------------------------------------------------------------------

    @get("/", guards=[guards.CASES])
    async def list_page(self, request: HTMXRequest) -> Template:
        user = request.user
        scope = scope_for(user)
        role = cperm.role_of(user)
        params = request.query_params
        street = role in (Role.street_staff, Role.convener)
        default = "escalated" if role is Role.district_reviewer else ("inbox" if street else "open")
        tab = params.get("tab", default)
        tab = tab if tab in (*queries.TABS, "inbox") else default
        if tab == "inbox" and not (street or role is Role.admin):
            tab = "open"
        page_no = _page_number(params.get("page"))
        try:
            colour = Colour(params.get("colour", "")) if params.get("colour") else None
        except ValueError:
            colour = None
        moment = now()
        result = await queries.list_cases(scope, tab="open" if tab == "inbox" else tab, page=page_no, now=moment,
                                          colour=colour)
        # The guard (CASES) lets a street's staff in only with a street, a unit's clerk only with a unit.
        inbox = None
        inbox_page = page_no if tab == "inbox" else 1
        if role is Role.admin:
            inbox = await queries.to_dispatch(None, page=inbox_page)
        elif street and scope.town_id is not None:
            inbox = await queries.to_dispatch((scope.town_id,), page=inbox_page)
        unit_name = None
        if role is Role.unit_clerk and scope.unit_id is not None:
            unit_name = (await unit_directory.get_unit(scope.unit_id))["name"]
        rates_link = (f"/case-rates/district/{scope.district_id}" if role is Role.district_reviewer
                      else f"/case-rates/town/{scope.town_id}" if street else "")
        context = {"result": result, "inbox": inbox, "tab": tab, "colour": colour, "role": role.value if role else "",
                   "unit_name": unit_name, "street": street, "done": params.get("done", ""), "rates_link": rates_link,
                   **HELPERS, **await consult_panels.queue_panel(user)}
        if request.htmx and request.htmx.target == "case-rows":
            return HTMXTemplate(template_name="cases/_rows.html", context=context)
        return Template("cases/list.html", context=context)

    # --- 派单 -------------------------------------------------------------------------------------

    async def _dispatch_context(self, request: Request, suggestion: dict, **extra: Any) -> dict[str, Any]:
        district = suggestion["district_id"]
        case_id = await services.case_id_of(suggestion["id"])
        case = await services.get_case(case_id) if case_id else None
        entries = await catalog.entries_of(district)
        wanted = forms.optional_int(request.query_params, "catalog", _("派单目录"))
        entry = next((e for e in entries if e["id"] == wanted), None) or catalog.default_for(
            entries, suggestion["category"])
        limits = await case_settings.of_district(district)
        form: dict[str, Any] = {"catalog": entry["id"] if entry else "", "lead_unit": entry["unit"] if entry else "",
                "kind": (entry["kind"].value if entry else CaseKind.suggestion.value),
                "urgency": Urgency.normal.value, "track": suggestion["track"] or Track.now.value, "assist": []}
        if case and not wanted:
            form.update(kind=case["kind"].value, urgency=case["urgency"].value, track=case["track"].value)
        table = [{"track": t, "days": {k: limits.days_for(t, k) for k in CaseKind}} for t in Track]
        return {"s": suggestion, "case": case, "entries": entries, "entry": entry,
                "units": await unit_directory.units_of(district), "form": form, "limits": limits,
                "table": table, "error": None, "errors": {},
                "can_escalate": actions_for(cperm.actor_of(request.user, case["where"] if case else cperm.Where(
                    suggestion["town"], district)), case).__contains__("escalate"),
                **HELPERS, **extra}

    @get("/dispatch/{suggestion_id:int}", guards=[guards.DISPATCH_SUGGESTION], dependencies=deps.SUGGESTION)
    async def dispatch_page(self, request: HTMXRequest, suggestion: dict) -> Template:
        context = await self._dispatch_context(request, suggestion)
        if request.htmx and request.htmx.target == "dispatch-fields":
            return HTMXTemplate(template_name="cases/_dispatch_fields.html", context=context)
        return Template("cases/dispatch.html", context=context)

    @post("/dispatch/{suggestion_id:int}", guards=[guards.DISPATCH_SUGGESTION], dependencies=deps.SUGGESTION)
    async def dispatch(self, request: Request, suggestion: dict) -> Template | Redirect:
        form = await request.form()
        try:
            d = services.Dispatch(
                lead_unit_id=forms.optional_int(form, "lead_unit", _("主办单位")),
                assist_unit_ids=tuple(forms.ids(form, "assist")),
                kind=forms.choice(form, "kind", CaseKind, _("诉求类型")),
                urgency=forms.choice(form, "urgency", Urgency, _("紧急程度")),
                track=forms.choice(form, "track", Track, _("办理方式")),
                catalog_entry_id=forms.optional_int(form, "catalog", _("派单目录")),
                note=forms.text(form, "note"))
            case_id = await services.dispatch(suggestion["id"], d, actor=request.user)
        except DomainError as exc:
            context = await self._dispatch_context(request, suggestion)
            typed = forms.typed(form, lists=("assist",))
            return forms.refused("cases/dispatch.html", exc, context, errors=getattr(exc, "errors", {}),
                                 form={**context["form"], **typed})
        return Redirect(f"/cases/{case_id}?done=dispatched")

    @post("/escalate/{suggestion_id:int}", guards=[guards.ESCALATE_SUGGESTION], dependencies=deps.SUGGESTION)
    async def escalate(self, request: Request, suggestion: dict) -> Template | Redirect:
        form = await request.form()
        try:
            case_id = await services.escalate(suggestion["id"], forms.text(form, "escalate_reason"),
                                              actor=request.user)
        except DomainError as exc:
            context = await self._dispatch_context(request, suggestion)
            return forms.refused("cases/dispatch.html", exc, context,
                                 escalate_reason=forms.text(form, "escalate_reason"))
        return Redirect(f"/cases/{case_id}?done=escalated")

    # --- one case ---------------------------------------------------------------------------------

    @get("/{case_id:int}", guards=[guards.VIEW_CASE], dependencies=deps.CASE)
    async def case_page(self, request: Request, case: dict) -> Template:
        return Template("cases/case.html", context=await case_context(request, case))

    async def _step(self, request: Request, case: dict, step, done: str, to: str | None = None) -> Template | Redirect:
        form = await request.form()
        try:
            await step(form)
        except DomainError as exc:
            if isinstance(exc, Forbidden | NotFound):
                raise
            fresh = await services.get_case(case["id"])
            return forms.refused("cases/case.html", exc, await case_context(request, fresh), form=form)
        return Redirect(to or f"/cases/{case['id']}?done={done}")

    @post("/{case_id:int}/accept", guards=[guards.VIEW_CASE], dependencies=deps.CASE)
    async def accept(self, request: Request, case: dict) -> Template | Redirect:
        async def run(form):
            await services.accept(case["id"], actor=request.user)
        return await self._step(request, case, run, "accepted")

    @post("/{case_id:int}/send-back", guards=[guards.VIEW_CASE], dependencies=deps.CASE)
    async def send_back(self, request: Request, case: dict) -> Template | Redirect:
        async def run(form):
            await services.send_back(case["id"], forms.text(form, "reason"), actor=request.user)
        # The unit holds the case no more (it may not even see it): back to its queue.
        return await self._step(request, case, run, "returned", to="/cases/?done=returned")

    @post("/{case_id:int}/reply", guards=[guards.VIEW_CASE], dependencies=deps.CASE)
    async def reply(self, request: Request, case: dict) -> Template | Redirect:
        async def run(form):
            await services.reply(case["id"], forms.text(form, "reply"), actor=request.user)
        return await self._step(request, case, run, "answered")

    @post("/{case_id:int}/close", guards=[guards.VIEW_CASE], dependencies=deps.CASE)
    async def close(self, request: Request, case: dict) -> Template | Redirect:
        async def run(form):
            await services.close(case["id"], forms.text(form, "reply"), actor=request.user)
        return await self._step(request, case, run, "closed")

    # --- the district's 派单目录 and time limits ---------------------------------------------------

    async def _catalog_context(self, request: Request, district_id: int, **extra: Any) -> dict[str, Any]:
        limits = await case_settings.of_district(district_id)
        return {"district_id": district_id, "districts": await places.districts()
                if cperm.is_admin(request.user) else [],
                "entries": await catalog.entries_of(district_id, active_only=False),
                "units": await unit_directory.units_of(district_id),
                "categories": await suggestion_catalog.categories(), "limits": limits,
                "saved": request.query_params.get("saved", ""), "error": None, "form": {}, **HELPERS, **extra}

    @get("/catalog", guards=[guards.CASE_CATALOG])
    async def catalog_page(self, request: Request) -> Template:
        district_id = await _district_of(request)
        return Template("cases/catalog.html", context=await self._catalog_context(request, district_id))

    @post("/catalog", guards=[guards.CASE_CATALOG])
    async def catalog_add(self, request: Request) -> Template | Redirect:
        district_id = await _district_of(request)
        form = await request.form()
        try:
            await catalog.add_entry(
                district_id, level1=forms.text(form, "level1"), level2=forms.text(form, "level2"),
                level3=forms.text(form, "level3"), unit_id=forms.optional_int(form, "unit", _("默认承办单位")),
                category_id=forms.optional_int(form, "category", _("建议类别")),
                kind=forms.choice(form, "kind", CaseKind, _("诉求类型")), actor=request.user)
        except DomainError as exc:
            context = await self._catalog_context(request, district_id)
            return forms.refused("cases/catalog.html", exc, context, form=form)
        return Redirect(f"/cases/catalog?district={district_id}&saved=entry")

    @post("/catalog/{entry_id:int}/toggle", guards=[guards.CASE_CATALOG])
    async def catalog_toggle(self, request: Request, entry_id: int) -> Redirect:
        entry = await catalog.get_entry(entry_id)
        cperm.require(cperm.can_edit_catalog(request.user, entry["district"]), _("这不是本区的派单目录。"))
        await catalog.set_active(entry_id, not entry["active"], actor=request.user)
        return Redirect(f"/cases/catalog?district={entry['district']}&saved=entry")

    @post("/settings", guards=[guards.CASE_CATALOG])
    async def settings_save(self, request: Request) -> Template | Redirect:
        district_id = await _district_of(request)
        form = await request.form()
        try:
            labels = {"accept_hours": _("签收时限"), "urgent_accept_hours": _("紧急件签收时限"),
                      "urgent_hours": _("紧急件办理时限"), "critical_hours": _("特急件办理时限"),
                      "blue_within": _("蓝色提醒"), "red_after": _("红色督办")}
            values: dict[str, Any] = {name: forms.form_int(form.get(name), label) for name, label in labels.items()}
            values["workdays"] = {t.value: {k.value: forms.form_int(
                form.get(f"wd_{t.value}_{k.value}"), f"{t.label}·{k.label}") for k in CaseKind} for t in Track}
            await case_settings.set_district(district_id, values, actor=request.user)
        except DomainError as exc:
            context = await self._catalog_context(request, district_id)
            return forms.refused("cases/catalog.html", exc, context, form=form)
        return Redirect(f"/cases/catalog?district={district_id}&saved=limits")
