"""Delivery (办实事): projects from the district's approval, their history, and the state
transitions 待制定方案 → 实施中 → 已完工待验收 → 已销账, with 暂缓 and 终止 beside them.

Each transition is one function that checks the current state (in the UPDATE's WHERE, so two
people acting at once cannot both succeed) and raises a Conflict in Chinese otherwise. Every
change writes the project's history and the audit trail (`project.<what>`)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from yishi.accounts import units
from yishi.accounts.tables import Unit
from yishi.core import audit, dates
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _
from yishi.meetings import desk
from yishi.meetings.enums import SubmissionStatus
from yishi.projects.enums import PlanStatus, ProjectState
from yishi.projects.permissions import Where
from yishi.projects.tables import Project, ProjectHistory
from yishi.wishlists import services as wishlists

S = ProjectState
REASON_MAX = 2000


def now() -> datetime:
    return dates.now()


def today() -> date:
    """Weeks, due dates and colours are China's calendar days, wherever the server runs."""
    return dates.today()


async def log(project_id: int, action: str, actor: Any, note: str = "", **data: Any) -> None:
    """One history row and one audit entry (`project.<action>`) for a change to a project."""
    await ProjectHistory.insert(ProjectHistory(
        project=project_id, action=action, actor=getattr(actor, "id", None),
        actor_name=getattr(actor, "display_name", "") or "", note=note, data=data, at=now())).run()
    await audit.record(f"project.{action}", actor=actor, object_type="project", object_id=project_id,
                       **({"note": note} if note else {}), **data)


async def history(project_id: int) -> list[dict]:
    return await ProjectHistory.select().where(ProjectHistory.project == project_id).order_by(
        ProjectHistory.id).output(load_json=True).run()


# --- from the district's approval ------------------------------------------------------------

async def start_from_approval(submission_id: int, actor: Any) -> list[int]:
    """Create the projects of an approved intent list (one per item, 待制定方案). An item's
    free-text 牵头单位 links to the district's directory when a unit has exactly that name;
    otherwise the text is kept and the street picks the unit later (`assign`)."""
    sub = await desk.get_submission(submission_id)
    if sub["status"] is not SubmissionStatus.approved:
        raise Conflict(_("意愿清单尚未获区级批准，不能转为民生微事项目。"))
    round_ = await wishlists.get_round(sub["round"])
    descriptions = {i["id"]: i["description"] for i in await wishlists.items_of(sub["round"])}
    created = now()
    ids = []
    for item in sub["snapshot"]["items"]:
        lead_name = (item.get("lead_unit") or "").strip()
        lead = await units.find_by_name(round_.district_id, lead_name)
        rows = await Project.insert(Project(
            round=sub["round"], item=item["id"], submission=submission_id, title=item["title"],
            description=descriptions.get(item["id"], ""), kind=item["kind"], cost_fen=item["cost_fen"],
            lead_unit_name=lead_name, lead_unit=lead, state=S.planning, plan_status=PlanStatus.draft,
            created_at=created)).returning(Project.id).run()
        ids.append(rows[0]["id"])
        await log(rows[0]["id"], "created", actor, submission=submission_id, version=sub["version"])
    return ids


# --- reading ----------------------------------------------------------------------------------

def _columns():
    return (Project.all_columns(), Project.round.title.as_alias("round_title"),
            Project.round.town.as_alias("town_id"), Project.round.town.name.as_alias("town_name"),
            Project.round.town.district.as_alias("district_id"),
            Project.lead_unit.name.as_alias("lead_unit_label"), Project.implementer.name.as_alias("implementer_label"))


def _shape(row: dict) -> dict:
    row["state"] = S(row["state"])
    row["plan_status"] = PlanStatus(row["plan_status"])
    # What the lead unit is called on a page: the directory's name, or the item's text.
    row["lead_unit_display"] = row["lead_unit_label"] or row["lead_unit_name"]
    return row


async def get_project(project_id: int) -> dict:
    row = await Project.select(*_columns()).where(Project.id == project_id).first().run()
    if row is None:
        raise NotFound(_("找不到这个项目。"))
    return _shape(row)


def where_of(project: dict) -> Where:
    """What the permission predicates need to know about a project."""
    return Where(town_id=project["town_id"], district_id=project["district_id"],
                 lead_unit_id=project["lead_unit"], implementer_id=project["implementer"])


async def projects_of_round(round_id: int) -> list[dict]:
    rows = await Project.select(*_columns()).where(Project.round == round_id).order_by(Project.id).run()
    return [_shape(r) for r in rows]


async def projects_of_town(town_id: int) -> list[dict]:
    rows = await Project.select(*_columns()).where(Project.round.town == town_id).order_by(Project.id).run()
    return [_shape(r) for r in rows]


async def projects_of_district(district_id: int) -> list[dict]:
    rows = await Project.select(*_columns()).where(Project.round._.town.district == district_id).order_by(
        Project.id).run()
    return [_shape(r) for r in rows]


async def projects_of_unit(unit_id: int) -> list[dict]:
    rows = await Project.select(*_columns()).where(
        (Project.lead_unit == unit_id) | (Project.implementer == unit_id)).order_by(Project.id).run()
    return [_shape(r) for r in rows]


# --- who carries it out ---------------------------------------------------------------------

async def assign(project_id: int, *, lead_unit_id: int | None, implementer_id: int | None,
                 responsible_name: str, responsible_phone: str, actor: Any) -> None:
    """The lead unit and implementer from the directory, and the responsible officer. The
    officer's phone is a work contact in an official plan: stored as typed, shown to staff
    only (never on the public page); residents' phones are the ones kept encrypted."""
    p = await get_project(project_id)
    if p["state"] in (S.written_off, S.stopped):
        raise Conflict(_("项目已{state}，不能再更改责任单位。").format(state=p["state"].label))
    for unit_id in (lead_unit_id, implementer_id):
        if unit_id is not None:
            unit = await Unit.select(Unit.district).where(Unit.id == unit_id).first().run()
            if unit is None or unit["district"] != p["district_id"]:
                raise DomainError(_("所选单位不在本区的单位名录中。"))
    name, phone = (responsible_name or "").strip(), (responsible_phone or "").strip()
    if len(name) > 40 or len(phone) > 30:
        raise DomainError(_("责任人姓名或电话太长。"))
    if phone and not all(c.isdigit() or c in "-+ " for c in phone):
        raise DomainError(_("责任人电话只能包含数字和“-”。"))
    await Project.update({Project.lead_unit: lead_unit_id, Project.implementer: implementer_id,
                          Project.responsible_name: name, Project.responsible_phone: phone}).where(
        Project.id == project_id).run()
    await log(project_id, "units.assigned", actor, lead_unit=lead_unit_id, implementer=implementer_id,
              responsible=name)


# --- state transitions ------------------------------------------------------------------------

def require_text(text: str, what: str) -> str:
    """A reason, a report or an answer: required, at most 2,000 characters."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写{what}。").format(what=what))
    if len(text) > REASON_MAX:
        raise DomainError(_("{what}不能超过 2000 个字。").format(what=what))
    return text


async def move(project_id: int, allowed: set[ProjectState], to: ProjectState, values: dict, *, doing: str) -> dict:
    """Change the state if it is one of `allowed`, in one UPDATE; a Conflict naming the current
    state otherwise. Returns the project as it was before."""
    p = await get_project(project_id)
    if p["state"] not in allowed:
        raise Conflict(_("项目现在是“{state}”，不能{doing}。").format(state=p["state"].label, doing=doing))
    changed = await Project.update({Project.state: to, **values}).where(
        (Project.id == project_id) & (Project.state == p["state"])).returning(Project.id).run()
    if not changed:
        raise Conflict(_("项目刚刚已被他人更改，请刷新页面。"))
    return p


async def pause(project_id: int, reason: str, *, actor: Any) -> None:
    reason = require_text(reason, _("暂缓原因"))
    p = await move(project_id, {S.planning, S.underway}, S.paused, {Project.state_reason: reason}, doing=_("暂缓"))
    await log(project_id, "paused", actor, reason, previous=p["state"].value)


async def resume(project_id: int, *, actor: Any) -> None:
    """Back to where it was: 实施中 once the plan is the baseline, 待制定方案 before."""
    p = await get_project(project_id)
    to = S.underway if p["plan_status"] is PlanStatus.approved else S.planning
    await move(project_id, {S.paused}, to, {Project.state_reason: ""}, doing=_("恢复办理"))
    await log(project_id, "resumed", actor, state=to.value)


async def stop(project_id: int, reason: str, *, actor: Any) -> None:
    reason = require_text(reason, _("终止原因"))
    p = await move(project_id, {S.planning, S.underway, S.paused, S.completed}, S.stopped,
                   {Project.state_reason: reason}, doing=_("终止"))
    await log(project_id, "stopped", actor, reason, previous=p["state"].value)


async def file_completion(project_id: int, report: str, final_spent_fen: int, *, actor: Any) -> None:
    """完工报告: what was delivered and the final spending; photos go with it (photos.attach)."""
    report = require_text(report, _("完工情况"))
    if final_spent_fen < 0:
        raise DomainError(_("最终支出不能为负数。"))
    await move(project_id, {S.underway}, S.completed,
               {Project.completion_report: report, Project.spent_fen: final_spent_fen,
                Project.progress_pct: 100, Project.completed_at: now()}, doing=_("提交完工报告"))
    await log(project_id, "completion.filed", actor, report, spent_fen=final_spent_fen)


async def send_back(project_id: int, reason: str, *, actor: Any) -> None:
    reason = require_text(reason, _("退回原因"))
    await move(project_id, {S.completed}, S.underway, {Project.state_reason: reason}, doing=_("退回"))
    await log(project_id, "completion.returned", actor, reason)


async def write_off(project_id: int, *, good: str, lessons: str, actor: Any) -> None:
    """销账, with the 复盘 that the public page shows: 好经验、好做法 and the lessons."""
    good = require_text(good, _("好经验、好做法"))
    lessons = (lessons or "").strip()
    if len(lessons) > REASON_MAX:
        raise DomainError(_("问题与教训不能超过 2000 个字。"))
    await move(project_id, {S.completed}, S.written_off,
               {Project.review_good: good, Project.review_lessons: lessons, Project.written_off_at: now(),
                Project.state_reason: ""}, doing=_("销账"))
    await log(project_id, "written_off", actor, good, lessons=lessons)


async def reopen(project_id: int, reason: str, *, actor: Any) -> None:
    """重新办理 (residents are not satisfied, say): back to 实施中; the write-off stays in the
    history."""
    reason = require_text(reason, _("重新办理原因"))
    await move(project_id, {S.written_off}, S.underway,
               {Project.state_reason: reason, Project.written_off_at: None, Project.completed_at: None},
               doing=_("重新办理"))
    await log(project_id, "reopened", actor, reason)
