"""周报告 (one per project and ISO week, China time), 需协调事项 (open until answered) and 调度意见
(the monthly review's instruction per project, which the unit answers)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from yishi.core import db
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _
from yishi.projects import services
from yishi.projects.enums import ProjectState
from yishi.projects.rules import monday_of
from yishi.projects.tables import Coordination, Directive, Project, WeeklyReport

TEXT_MAX = 2000


@dataclass(frozen=True)
class ReportInput:
    progress_pct: int
    done: str
    next_plan: str
    spent_fen: int
    problems: tuple[str, ...] = ()


def _text(value: str, what: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("请填写{what}。").format(what=what))
    if len(value) > TEXT_MAX:
        raise DomainError(_("{what}不能超过 2000 个字。").format(what=what))
    return value


async def file_report(project_id: int, data: ReportInput, *, actor: Any, week_of: date | None = None) -> int:
    """This week's report (or a late one for an earlier week). Its progress and spending become
    the project's; each problem becomes an open 需协调事项."""
    p = await services.get_project(project_id)
    if p["state"] is not ProjectState.underway:
        raise Conflict(_("项目现在是“{state}”，不需要填报周报告。").format(state=p["state"].label))
    today = services.today()
    monday = monday_of(week_of or today)
    if monday > monday_of(today):
        raise DomainError(_("不能填报以后各周的周报告。"))
    if p["started_on"] and monday < monday_of(p["started_on"]):
        raise DomainError(_("项目开始实施之前的周不需要填报周报告。"))
    if not 0 <= data.progress_pct <= 100:
        raise DomainError(_("完成进度应在 0 到 100 之间。"))
    if data.spent_fen < 0:
        raise DomainError(_("累计支出不能为负数。"))
    done = _text(data.done, _("本周完成情况"))
    next_plan = _text(data.next_plan, _("下周计划"))
    problems = [_text(t, _("需协调事项")) for t in data.problems if (t or "").strip()]
    if len(problems) > 10:
        raise DomainError(_("一期周报最多提出 10 项需协调事项。"))
    now = services.now()
    try:
        async with Project._meta.db.transaction():
            rows = await WeeklyReport.insert(WeeklyReport(
                project=project_id, week_start=monday, progress_pct=data.progress_pct, done=done,
                next_plan=next_plan, spent_fen=data.spent_fen, filed_by=getattr(actor, "id", None), filed_at=now,
                slot=f"{project_id}:{monday.isoformat()}")).returning(WeeklyReport.id).run()
            report_id = rows[0]["id"]
            if problems:
                await Coordination.insert(*[Coordination(project=project_id, report=report_id, text=t, raised_at=now)
                                            for t in problems]).run()
            if monday == monday_of(today) or monday >= await _latest_week(project_id, report_id):
                await Project.update({Project.progress_pct: data.progress_pct,
                                      Project.spent_fen: data.spent_fen}).where(Project.id == project_id).run()
            await services.log(project_id, "report.filed", actor, week=monday.isoformat(),
                               progress=data.progress_pct, spent_fen=data.spent_fen, problems=len(problems))
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise Conflict(_("{d} 这一周的周报告已经填报过了。").format(d=monday.isoformat())) from exc
        raise
    return report_id


async def _latest_week(project_id: int, other_than: int) -> date:
    row = await WeeklyReport.select(WeeklyReport.week_start).where(
        (WeeklyReport.project == project_id) & (WeeklyReport.id != other_than)).order_by(
        WeeklyReport.week_start, ascending=False).first().run()
    return row["week_start"] if row else date.min


async def reports_of(project_id: int) -> list[dict]:
    return await WeeklyReport.select(*WeeklyReport.all_columns(), WeeklyReport.filed_by.display_name.as_alias(
        "filed_by_name")).where(WeeklyReport.project == project_id).order_by(WeeklyReport.week_start).run()


async def reported_weeks(project_ids: list[int]) -> dict[int, set[date]]:
    out: dict[int, set[date]] = {pid: set() for pid in project_ids}
    if project_ids:
        for row in await WeeklyReport.select(WeeklyReport.project, WeeklyReport.week_start).where(
                WeeklyReport.project.is_in(project_ids)).run():
            out[row["project"]].add(row["week_start"])
    return out


# --- 需协调事项 ----------------------------------------------------------------------------------

def _coordination_query():
    return Coordination.select(*Coordination.all_columns(), Coordination.project.title.as_alias("project_title"),
                               Coordination.project.round.town.name.as_alias("town_name"),
                               Coordination.answered_by.display_name.as_alias("answered_by_name"))


async def open_coordination(*, town_id: int | None = None, district_id: int | None = None,
                            project_id: int | None = None) -> list[dict]:
    """Problems waiting for an answer, oldest first: per street, per district or per project."""
    query = _coordination_query().where(Coordination.answered_at.is_null())
    if town_id is not None:
        query = query.where(Coordination.project._.round.town == town_id)
    if district_id is not None:
        query = query.where(Coordination.project._.round._.town.district == district_id)
    if project_id is not None:
        query = query.where(Coordination.project == project_id)
    return await query.order_by(Coordination.raised_at).order_by(Coordination.id).run()


async def coordination_of(project_id: int) -> list[dict]:
    return await _coordination_query().where(Coordination.project == project_id).order_by(Coordination.id).run()


async def answer_coordination(item_id: int, answer: str, *, actor: Any) -> None:
    answer = _text(answer, _("协调答复"))
    row = await Coordination.select(Coordination.project).where(Coordination.id == item_id).first().run()
    if row is None:
        raise NotFound(_("找不到这条需协调事项。"))
    changed = await Coordination.update({Coordination.answer: answer,
                                         Coordination.answered_by: getattr(actor, "id", None),
                                         Coordination.answered_at: services.now()}).where(
        (Coordination.id == item_id) & Coordination.answered_at.is_null()).returning(Coordination.id).run()
    if not changed:
        raise Conflict(_("这条需协调事项已经答复过了。"))
    await services.log(row["project"], "coordination.answered", actor, answer, item=item_id)


# --- 调度意见 ---------------------------------------------------------------------------------------

def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


async def issue_directive(project_id: int, *, text: str, assignee: str, due: date | None, actor: Any,
                          month: str | None = None) -> int:
    """What the monthly review asks of a project: what to do, by whom, by when."""
    p = await services.get_project(project_id)
    if p["state"] in (ProjectState.written_off, ProjectState.stopped):
        raise Conflict(_("项目已{state}，不再调度。").format(state=p["state"].label))
    text = _text(text, _("调度意见"))
    assignee = (assignee or "").strip() or p["lead_unit_display"]
    if len(assignee) > 80:
        raise DomainError(_("责任单位或责任人不能超过 80 个字。"))
    rows = await Directive.insert(Directive(
        project=project_id, month=month or month_of(services.today()), text=text, assignee=assignee, due=due,
        issued_by=getattr(actor, "id", None), issued_at=services.now())).returning(Directive.id).run()
    await services.log(project_id, "directive.issued", actor, text, assignee=assignee,
                       due=due.isoformat() if due else None)
    return rows[0]["id"]


async def answer_directive(directive_id: int, answer: str, *, actor: Any) -> None:
    answer = _text(answer, _("落实情况"))
    row = await Directive.select(Directive.project).where(Directive.id == directive_id).first().run()
    if row is None:
        raise NotFound(_("找不到这条调度意见。"))
    changed = await Directive.update({Directive.answer: answer, Directive.answered_by: getattr(actor, "id", None),
                                      Directive.answered_at: services.now()}).where(
        (Directive.id == directive_id) & Directive.answered_at.is_null()).returning(Directive.id).run()
    if not changed:
        raise Conflict(_("这条调度意见已经答复过了。"))
    await services.log(row["project"], "directive.answered", actor, answer, directive=directive_id)


async def directives_of(project_ids: list[int], month: str | None = None) -> list[dict]:
    if not project_ids:
        return []
    query = Directive.select().where(Directive.project.is_in(project_ids))
    if month:
        query = query.where(Directive.month == month)
    return await query.order_by(Directive.id).run()
