"""办实事 for staff and units: the project list of the user's scope, and one project's page with
its plan, funding, weekly reports, coordination items, 调度意见, state changes and history.

Every route loads the project once (deps.PROJECT) and its guard decides from the project's street,
district and units (projects.permissions). Items named in the path under a project (a milestone,
a coordination item, a 调度意见) are checked to belong to that project, so a guard on one project
never lets a change through to another's."""
from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from yishi.accounts import permissions as perm
from yishi.accounts import units
from yishi.accounts.enums import Role
from yishi.core.errors import DomainError, InvalidInput, NotFound
from yishi.core.i18n import _, _l
from yishi.core.money import parse_yuan
from yishi.places import services as places
from yishi.projects import exports, photos, plan, reports, review, services, supervision
from yishi.projects import permissions as pperm
from yishi.projects.enums import Colour, FundingSource, ProjectState
from yishi.projects.rules import Supervision, monday_of, week_label
from yishi.projects.tables import Project
from yishi.web import deps, guards, links
from yishi.web.forms import form_int, optional_date, optional_int, refused, text
from yishi.web.responses import file_response

PAGE = "projects/project.html"
# Nine photos of up to 15 MB, and the report's text.
MAX_UPLOAD = photos.MAX_PHOTOS * photos.MAX_BYTES + 256 * 1024

HISTORY_LABELS = {
    "created": _l("区级批准，项目建立"), "units.assigned": _l("确定责任单位"), "plan.saved": _l("保存实施方案"),
    "plan.submitted": _l("实施方案报街道审定"), "plan.returned": _l("街道退回实施方案"),
    "plan.approved": _l("街道审定实施方案"),
    "milestone.rescheduled": _l("调整节点日期"), "milestone.done": _l("节点完成"), "report.filed": _l("填报周报告"),
    "photos.added": _l("上传照片"), "coordination.answered": _l("答复需协调事项"),
    "directive.issued": _l("下达调度意见"),
    "directive.answered": _l("答复调度意见"), "paused": _l("暂缓"), "resumed": _l("恢复办理"), "stopped": _l("终止"),
    "completion.filed": _l("提交完工报告"), "completion.returned": _l("街道退回完工报告"), "written_off": _l("销账"),
    "reopened": _l("重新办理"),
}


async def projects_in_scope(user: Any) -> list[dict]:
    """The projects this user follows: a unit's, a street's, a district's, or all of them."""
    role = perm.role_of(user)
    if role is Role.admin:
        rows = []
        for d in await places.districts():
            rows += await services.projects_of_district(d["id"])
        return rows
    if role is Role.district_reviewer:
        return await services.projects_of_district(user.district)
    if role is Role.unit_clerk:
        return await services.projects_of_unit(user.unit)
    return await services.projects_of_town(user.town)


def _enum_filter(value: str | None, enum_cls: Any, label: str) -> Any:
    if not value:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        raise DomainError(_("{label}选择有误，请重新选择。").format(label=label)) from None


async def project_context(user: Any, project_id: int, **extra: Any) -> dict[str, Any]:
    p = await services.get_project(project_id)
    where = services.where_of(p)
    today = services.today()
    sup = (await supervision.colours([p], today))[project_id]
    reports_ = await reports.reports_of(project_id)
    pictures = await photos.photos_of(project_id)
    by_report: dict[Any, list[dict]] = {}
    for ph in pictures:
        by_report.setdefault(ph["report"], []).append(ph)
    funding = await plan.funding_of(project_id)
    can_report = pperm.can_report(user, where)
    can_supervise = pperm.can_supervise(user, where)
    this_week = monday_of(today)
    context = {
        "p": p, "sup": sup, "today": today,
        "milestones": await plan.milestones_of(project_id), "funding": funding, "money": plan.money(funding),
        "sources": list(FundingSource), "reports": list(reversed(reports_)), "photos_by_report": by_report,
        "coordination": await reports.coordination_of(project_id),
        "directives": await reports.directives_of([project_id]),
        "history": list(reversed(await services.history(project_id))), "history_labels": HISTORY_LABELS,
        "can_report": can_report, "can_supervise": can_supervise, "can_direct": pperm.can_direct(user, where),
        "units": await units.units_of(p["district_id"]) if can_supervise else [],
        "this_week": this_week, "this_week_label": week_label(this_week),
        "reported_this_week": any(r["week_start"] == this_week for r in reports_),
        "week_label": week_label, "max_photos": photos.MAX_PHOTOS,
        "error": None, "error_at": None, "form": {}, "plan_rows": None, "funding_rows": None,
    }
    context.update(extra)
    return context


async def _read_uploads(form: Any) -> list[tuple[str, bytes]]:
    out = []
    for f in (form.getall("photos") if "photos" in form else []):
        if isinstance(f, str) or not getattr(f, "filename", ""):
            continue
        data = await f.read()
        if data or f.filename:
            out.append((f.filename, data))
    if len(out) > photos.MAX_PHOTOS:
        raise InvalidInput(_("每期报告最多 9 张照片，这次选了 {n} 张。").format(n=len(out)), "photos")
    return out


def _rows(form: Any, *names: str, blank_unless: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """Repeated fields (task, owner, due, ...) as rows; rows left blank (in `blank_unless`, or in
    every field) are dropped."""
    columns = {n: [str(v).strip() for v in (form.getall(n) if n in form else [])] for n in names}
    length = max((len(v) for v in columns.values()), default=0)
    rows = [{n: (columns[n][i] if i < len(columns[n]) else "") for n in names} for i in range(length)]
    return [r for r in rows if any(r[n] for n in (blank_unless or names))]


def _plan_input(form: Any) -> tuple[date, date, list[plan.MilestoneInput], list[plan.FundingInput]]:
    start = optional_date(form, "planned_start", _("计划开始日期"))
    end = optional_date(form, "planned_end", _("计划完工日期"))
    if start is None or end is None:
        raise InvalidInput(_("请填写计划开始日期和计划完工日期。"), "planned_start")
    milestones = []
    for n, row in enumerate(_rows(form, "task", "owner", "due"), start=1):
        due = optional_date({"due": row["due"]}, "due", _("第 {n} 个节点的完成日期").format(n=n))
        if due is None:
            raise InvalidInput(_("请填写第 {n} 个节点的完成日期。").format(n=n), "due")
        milestones.append(plan.MilestoneInput(row["task"], row["owner"], due))
    funding = []
    for n, row in enumerate(_rows(form, "source", "funder", "amount", blank_unless=("funder", "amount")), start=1):
        try:
            source = FundingSource(row["source"])
        except ValueError:
            raise InvalidInput(_("请为第 {n} 条资金选择来源。").format(n=n), "source") from None
        funding.append(plan.FundingInput(source, row["funder"], parse_yuan(row["amount"], _("资金金额"))))
    return start, end, milestones, funding


def _member(item_id: int, rows: list[dict], message: str) -> None:
    if not any(r["id"] == item_id for r in rows):
        raise NotFound(message)


class ListRow(TypedDict):
    """A line of the project list: the project, its supervision colour and what waits on someone."""
    p: dict
    sup: Supervision
    problems: int
    directives: int


class ProjectController(Controller):
    path = "/projects"
    dependencies = deps.PROJECT

    @get("/", guards=[guards.PROJECTS])
    async def list_projects(self, request: Request) -> Template:
        user = request.user
        # "state" is a name Litestar keeps for the app state: the filters are read from the query.
        state, colour = request.query_params.get("state"), request.query_params.get("colour")
        try:
            want_state = _enum_filter(state, ProjectState, _("状态"))
            want_colour = _enum_filter(colour, Colour, _("督办颜色"))
        except DomainError as exc:
            return Template("projects/list.html", status_code=400, context={
                "rows": [], "error": exc.message, "state": "", "colour": "",
                "counts": {}, "total": 0, "user_role": user.role})
        projects = await projects_in_scope(user)
        today = services.today()
        colours = await supervision.colours(projects, today)
        # What waits on someone: problems for the street to answer, 调度意见 for the unit to answer.
        ids = {p["id"] for p in projects}
        problems: dict[int, int] = {}
        for item in await reports.open_coordination():
            if item["project"] in ids:
                problems[item["project"]] = problems.get(item["project"], 0) + 1
        directives: dict[int, int] = {}
        for d in await reports.directives_of(list(ids)):
            if d["answered_at"] is None:
                directives[d["project"]] = directives.get(d["project"], 0) + 1
        rows: list[ListRow] = [{"p": p, "sup": colours[p["id"]], "problems": problems.get(p["id"], 0),
                 "directives": directives.get(p["id"], 0)} for p in projects]
        counts: dict[Colour, int] = {}
        for r in rows:
            counts[r["sup"].colour] = counts.get(r["sup"].colour, 0) + 1
        # ?town=N: one street's projects (the dashboard's figures link here).
        raw_town = request.query_params.get("town", "")
        want_town = int(raw_town) if raw_town.isascii() and raw_town.isdigit() else None
        raw_round = request.query_params.get("round", "")  # ?round=N: one round's (the dashboard's per-round table)
        want_round = int(raw_round) if raw_round.isascii() and raw_round.isdigit() else None
        shown = [r for r in rows if (want_state is None or r["p"]["state"] is want_state)
                 and (want_colour is None or r["sup"].colour is want_colour)
                 and (want_town is None or r["p"]["town_id"] == want_town)
                 and (want_round is None or r["p"]["round"] == want_round)]
        shown.sort(key=lambda r: (-r["sup"].colour.rank, r["p"]["town_name"], r["p"]["id"]))
        return Template("projects/list.html", context={
            "rows": shown, "total": len(rows), "counts": counts,
            "state": want_state.value if want_state else "", "colour": want_colour.value if want_colour else "",
            "town": want_town, "error": None, "user_role": user.role,
            # The administrator reaches every district's 月调度 from here.
            "districts": await places.districts()
            if perm.role_of(user) is Role.admin else [],
            "user_town": getattr(user, "town", None), "user_district": getattr(user, "district", None)})

    @get("/{project_id:int}", guards=[guards.VIEW_PROJECT])
    async def page(self, request: Request, project_id: int) -> Template:
        return Template(PAGE, context=await project_context(request.user, project_id))

    async def _act(self, request: Request, project_id: int, at: str, action, *,
                   form: Any = None) -> Template | Redirect:
        """Run one service call from a posted form; a refusal shows the page again with what was typed."""
        form = form if form is not None else await request.form()
        try:
            await action(form)
        except DomainError as exc:
            extra: dict[str, str | list[dict[str, str]]] = {"error_at": at}
            if at == "plan":
                extra.update(plan_rows=_rows(form, "task", "owner", "due"),
                             funding_rows=_rows(form, "source", "funder", "amount", blank_unless=("funder", "amount")))
            return refused(PAGE, exc, await project_context(request.user, project_id), form, **extra)
        return Redirect(f"/projects/{project_id}#{at}")

    # --- the plan ------------------------------------------------------------------------------

    @post("/{project_id:int}/plan", guards=[guards.REPORT_PROJECT])
    async def save_plan(self, request: Request, project_id: int) -> Template | Redirect:
        async def act(form):
            start, end, milestones, funding = _plan_input(form)
            await plan.save_draft(project_id, planned_start=start, planned_end=end, milestones=milestones,
                                  funding=funding, actor=request.user)
        return await self._act(request, project_id, "plan", act)

    @post("/{project_id:int}/plan/submit", guards=[guards.REPORT_PROJECT])
    async def submit_plan(self, request: Request, project_id: int) -> Template | Redirect:
        return await self._act(request, project_id, "plan",
                               lambda form: plan.submit_plan(project_id, actor=request.user))

    @post("/{project_id:int}/plan/approve", guards=[guards.SUPERVISE_PROJECT])
    async def approve_plan(self, request: Request, project_id: int) -> Template | Redirect:
        return await self._act(request, project_id, "plan",
                               lambda form: plan.approve_plan(project_id, actor=request.user))

    @post("/{project_id:int}/plan/return", guards=[guards.SUPERVISE_PROJECT])
    async def return_plan(self, request: Request, project_id: int) -> Template | Redirect:
        return await self._act(request, project_id, "plan", lambda form: plan.return_plan(
            project_id, text(form, "reason"), actor=request.user))

    @post("/{project_id:int}/milestones/{milestone_id:int}/due", guards=[guards.SUPERVISE_PROJECT])
    async def change_due(self, request: Request, project_id: int, milestone_id: int) -> Template | Redirect:
        async def act(form):
            _member(milestone_id, await plan.milestones_of(project_id), _("找不到这个时间节点。"))
            new_due = optional_date(form, "due", _("新的完成日期"))
            if new_due is None:
                raise InvalidInput(_("请填写新的完成日期。"), "due")
            await plan.change_due(milestone_id, new_due, text(form, "reason"), actor=request.user)
        return await self._act(request, project_id, "plan", act)

    @post("/{project_id:int}/milestones/{milestone_id:int}/done", guards=[guards.REPORT_PROJECT])
    async def milestone_done(self, request: Request, project_id: int, milestone_id: int) -> Template | Redirect:
        async def act(form):
            _member(milestone_id, await plan.milestones_of(project_id), _("找不到这个时间节点。"))
            done_on = optional_date(form, "done_on", _("完成日期")) or services.today()
            await plan.mark_done(milestone_id, done_on, actor=request.user)
        return await self._act(request, project_id, "plan", act)

    # --- who carries it out --------------------------------------------------------------------

    @post("/{project_id:int}/units", guards=[guards.SUPERVISE_PROJECT])
    async def assign_units(self, request: Request, project_id: int) -> Template | Redirect:
        async def act(form):
            await services.assign(project_id, lead_unit_id=optional_int(form, "lead_unit", _("牵头单位")),
                                  implementer_id=optional_int(form, "implementer", _("实施主体")),
                                  responsible_name=text(form, "responsible_name"),
                                  responsible_phone=text(form, "responsible_phone"), actor=request.user)
        return await self._act(request, project_id, "units", act)

    # --- weekly reports, completion ------------------------------------------------------------

    @post("/{project_id:int}/reports", guards=[guards.REPORT_PROJECT], request_max_body_size=MAX_UPLOAD)
    async def file_report(self, request: Request, project_id: int) -> Template | Redirect:
        async def act(form):
            uploads = await _read_uploads(form)
            data = reports.ReportInput(
                progress_pct=form_int(text(form, "progress_pct"), _("完成进度")),
                done=text(form, "done"), next_plan=text(form, "next_plan"),
                spent_fen=parse_yuan(text(form, "spent") or "0", _("累计支出")),
                problems=tuple(v for v in (form.getall("problem") if "problem" in form else []) if isinstance(v, str)))
            # The report and its photos are kept together or not at all: a refused photo undoes the report.
            async with Project._meta.db.transaction():
                report_id = await reports.file_report(project_id, data, actor=request.user)
                if uploads:
                    await photos.attach(project_id, uploads, data_dir=request.app.state.settings.data_dir,
                                        actor=request.user, report_id=report_id)
        return await self._act(request, project_id, "weekly", act)

    @post("/{project_id:int}/completion", guards=[guards.REPORT_PROJECT], request_max_body_size=MAX_UPLOAD)
    async def file_completion(self, request: Request, project_id: int) -> Template | Redirect:
        async def act(form):
            uploads = await _read_uploads(form)
            spent = parse_yuan(text(form, "final_spent"), _("最终支出"))
            async with Project._meta.db.transaction():
                await services.file_completion(project_id, text(form, "report"), spent, actor=request.user)
                if uploads:
                    await photos.attach(project_id, uploads, data_dir=request.app.state.settings.data_dir,
                                        actor=request.user)
        return await self._act(request, project_id, "state", act)

    # --- coordination and 调度意见 ---------------------------------------------------------------

    @post("/{project_id:int}/coordination/{item_id:int}/answer", guards=[guards.DIRECT_PROJECT])
    async def answer_coordination(self, request: Request, project_id: int, item_id: int) -> Template | Redirect:
        async def act(form):
            _member(item_id, await reports.coordination_of(project_id), _("找不到这条需协调事项。"))
            await reports.answer_coordination(item_id, text(form, "answer"), actor=request.user)
        return await self._act(request, project_id, "coordination", act)

    @post("/{project_id:int}/directives", guards=[guards.DIRECT_PROJECT])
    async def issue_directive(self, request: Request, project_id: int) -> Template | Redirect:
        form = await request.form()
        back = text(form, "back")

        async def act(form):
            # From a month's review page, the 调度意见 belongs to that month; otherwise to this one.
            month = review.check_month(text(form, "month")) if text(form, "month") else None
            await reports.issue_directive(project_id, text=text(form, "text"), assignee=text(form, "assignee"),
                                          due=optional_date(form, "due", _("完成时限")), actor=request.user,
                                          month=month)
        result = await self._act(request, project_id, "directives", act, form=form)
        # From the monthly review page: back to its row (only our own review pages, never elsewhere).
        if isinstance(result, Redirect) and back.startswith("/review/") and "//" not in back:
            return Redirect(f"{back}#p{project_id}")
        return result

    @post("/{project_id:int}/directives/{directive_id:int}/answer", guards=[guards.REPORT_PROJECT])
    async def answer_directive(self, request: Request, project_id: int, directive_id: int) -> Template | Redirect:
        async def act(form):
            _member(directive_id, await reports.directives_of([project_id]), _("找不到这条调度意见。"))
            await reports.answer_directive(directive_id, text(form, "answer"), actor=request.user)
        return await self._act(request, project_id, "directives", act)

    # --- state changes -------------------------------------------------------------------------

    @post("/{project_id:int}/pause", guards=[guards.SUPERVISE_PROJECT])
    async def pause(self, request: Request, project_id: int) -> Template | Redirect:
        return await self._act(request, project_id, "state", lambda form: services.pause(
            project_id, text(form, "reason"), actor=request.user))

    @post("/{project_id:int}/resume", guards=[guards.SUPERVISE_PROJECT])
    async def resume(self, request: Request, project_id: int) -> Template | Redirect:
        return await self._act(request, project_id, "state",
                               lambda form: services.resume(project_id, actor=request.user))

    @post("/{project_id:int}/stop", guards=[guards.SUPERVISE_PROJECT])
    async def stop(self, request: Request, project_id: int) -> Template | Redirect:
        return await self._act(request, project_id, "state", lambda form: services.stop(
            project_id, text(form, "reason"), actor=request.user))

    @post("/{project_id:int}/send-back", guards=[guards.SUPERVISE_PROJECT])
    async def send_back(self, request: Request, project_id: int) -> Template | Redirect:
        return await self._act(request, project_id, "state", lambda form: services.send_back(
            project_id, text(form, "reason"), actor=request.user))

    @post("/{project_id:int}/write-off", guards=[guards.SUPERVISE_PROJECT])
    async def write_off(self, request: Request, project_id: int) -> Template | Redirect:
        return await self._act(request, project_id, "state", lambda form: services.write_off(
            project_id, good=text(form, "good"), lessons=text(form, "lessons"), actor=request.user))

    @post("/{project_id:int}/reopen", guards=[guards.SUPERVISE_PROJECT])
    async def reopen(self, request: Request, project_id: int) -> Template | Redirect:
        return await self._act(request, project_id, "state", lambda form: services.reopen(
            project_id, text(form, "reason"), actor=request.user))

    # --- the poster ----------------------------------------------------------------------------

    @get("/{project_id:int}/poster.pdf", guards=[guards.VIEW_PROJECT])
    async def poster(self, request: Request, project_id: int) -> Response:
        filename, mime, data = await exports.project_poster_pdf(project_id, links.public_base(request))
        return file_response(filename, mime, data, inline=True)
