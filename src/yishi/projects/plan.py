"""实施方案: the unit drafts the plan (dates, funding lines, milestones), the street approves it.

Once approved the milestones' due dates are the baseline: a later change keeps the baseline,
needs a reason, and goes into the history (old date, new date, why)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _
from yishi.projects import services
from yishi.projects.enums import FundingSource, PlanStatus, ProjectState
from yishi.projects.rules import leverage
from yishi.projects.tables import Funding, Milestone, Project

S = ProjectState
MAX_MILESTONES = 30
MAX_FUNDING_LINES = 20


@dataclass(frozen=True)
class MilestoneInput:
    task: str
    owner: str
    due: date


@dataclass(frozen=True)
class FundingInput:
    source: FundingSource
    funder: str
    amount_fen: int


def _editable(p: dict) -> None:
    """The draft is the unit's until it is sent; after approval only due dates change, with a reason."""
    if p["state"] not in (S.planning, S.paused) or p["plan_status"] is not PlanStatus.draft:
        raise Conflict(_("实施方案现在是“{s}”，不能修改。").format(s=p["plan_status"].label))


def _check_milestones(milestones: list[MilestoneInput], start: date, end: date) -> list[MilestoneInput]:
    if not milestones:
        raise DomainError(_("实施方案至少要有一个时间节点。"))
    if len(milestones) > MAX_MILESTONES:
        raise DomainError(_("时间节点不能超过 30 个。"))
    out = []
    for m in milestones:
        task, owner = (m.task or "").strip(), (m.owner or "").strip()
        if not task or len(task) > 120 or len(owner) > 60:
            raise DomainError(_("每个时间节点都要写明任务（120 字以内）和责任人（60 字以内）。"))
        if not start <= m.due <= end:
            raise DomainError(_("节点“{task}”的完成日期应在计划开始和完工日期之间。").format(task=task))
        out.append(MilestoneInput(task, owner, m.due))
    return out


def _check_funding(lines: list[FundingInput]) -> list[FundingInput]:
    if len(lines) > MAX_FUNDING_LINES:
        raise DomainError(_("资金来源不能超过 20 条。"))
    out = []
    for line in lines:
        funder = (line.funder or "").strip()
        if line.amount_fen <= 0:
            raise DomainError(_("每条资金来源的金额都应大于 0。"))
        if line.source.is_social and not funder:
            # Seed 000 counts leveraged social money by who gave it: each line is named.
            raise DomainError(_("社会资金请写明出资方（企业、社会组织或志愿服务队名称）。"))
        if len(funder) > 80:
            raise DomainError(_("出资方名称不能超过 80 个字。"))
        out.append(FundingInput(line.source, funder, line.amount_fen))
    return out


async def save_draft(project_id: int, *, planned_start: date, planned_end: date, milestones: list[MilestoneInput],
                     funding: list[FundingInput], actor: Any) -> None:
    """The unit's draft, replaced as a whole each time it is saved."""
    p = await services.get_project(project_id)
    _editable(p)
    if planned_end < planned_start:
        raise DomainError(_("计划完工日期不能早于计划开始日期。"))
    milestones = _check_milestones(milestones, planned_start, planned_end)
    funding = _check_funding(funding)
    async with Project._meta.db.transaction():
        await Project.update({Project.planned_start: planned_start, Project.planned_end: planned_end}).where(
            Project.id == project_id).run()
        await Milestone.delete().where(Milestone.project == project_id).run()
        await Milestone.insert(*[Milestone(project=project_id, position=i, task=m.task, owner=m.owner, due=m.due)
                                 for i, m in enumerate(milestones)]).run()
        await Funding.delete().where(Funding.project == project_id).run()
        if funding:
            await Funding.insert(*[Funding(project=project_id, source=f.source, funder=f.funder,
                                           amount_fen=f.amount_fen) for f in funding]).run()
        await services.log(project_id, "plan.saved", actor, milestones=len(milestones),
                           funding_fen=sum(f.amount_fen for f in funding))


async def submit_plan(project_id: int, *, actor: Any) -> None:
    p = await services.get_project(project_id)
    _editable(p)
    if p["planned_start"] is None or not await Milestone.exists().where(Milestone.project == project_id):
        raise DomainError(_("请先填写计划日期和时间节点，再报街道审定。"))
    await _plan_status(project_id, PlanStatus.draft, PlanStatus.submitted)
    await services.log(project_id, "plan.submitted", actor)


async def return_plan(project_id: int, reason: str, *, actor: Any) -> None:
    """The street sends the draft back to the unit with what to change."""
    reason = services.require_text(reason, _("退回意见"))
    await _plan_status(project_id, PlanStatus.submitted, PlanStatus.draft)
    await services.log(project_id, "plan.returned", actor, reason)


async def approve_plan(project_id: int, *, actor: Any) -> None:
    """The street's approval makes the plan the baseline and starts the project (实施中); weekly
    reports are owed from the first full week on."""
    p = await services.get_project(project_id)
    if p["plan_status"] is not PlanStatus.submitted:
        raise Conflict(_("实施方案现在是“{s}”，不能审定。").format(s=p["plan_status"].label))
    async with Project._meta.db.transaction():
        await services.move(project_id, {S.planning}, S.underway, {
            Project.plan_status: PlanStatus.approved, Project.plan_approved_at: services.now(),
            Project.started_on: p["started_on"] or services.today()}, doing=_("审定实施方案"))
        await Milestone.update({Milestone.baseline_due: Milestone.due}).where(Milestone.project == project_id).run()
        await services.log(project_id, "plan.approved", actor)


async def _plan_status(project_id: int, expected: PlanStatus, new: PlanStatus) -> None:
    changed = await Project.update({Project.plan_status: new}).where(
        (Project.id == project_id) & (Project.plan_status == expected)).returning(Project.id).run()
    if not changed:
        raise Conflict(_("实施方案刚刚已被他人更改，请刷新页面。"))


async def change_due(milestone_id: int, new_due: date, reason: str, *, actor: Any) -> None:
    """After approval: the baseline stays, the current due date moves, the history says why."""
    m = await Milestone.select(*Milestone.all_columns()).where(Milestone.id == milestone_id).first().run()
    if m is None:
        raise NotFound(_("找不到这个时间节点。"))
    p = await services.get_project(m["project"])
    if p["plan_status"] is not PlanStatus.approved or p["state"] not in (S.underway, S.paused):
        raise Conflict(_("只有已审定、正在实施的方案才能调整节点日期。"))
    reason = services.require_text(reason, _("调整原因"))
    if new_due == m["due"]:
        raise DomainError(_("新的完成日期与原日期相同。"))
    await Milestone.update({Milestone.due: new_due}).where(Milestone.id == milestone_id).run()
    await services.log(p["id"], "milestone.rescheduled", actor, reason, task=m["task"], old=m["due"].isoformat(),
                       new=new_due.isoformat(), baseline=(m["baseline_due"] or m["due"]).isoformat())


async def mark_done(milestone_id: int, done_on: date, *, actor: Any) -> None:
    m = await Milestone.select(Milestone.project, Milestone.task).where(Milestone.id == milestone_id).first().run()
    if m is None:
        raise NotFound(_("找不到这个时间节点。"))
    p = await services.get_project(m["project"])
    if p["state"] is not S.underway:
        raise Conflict(_("项目现在是“{state}”，不能登记节点完成。").format(state=p["state"].label))
    if done_on > services.today():
        raise DomainError(_("完成日期不能晚于今天。"))
    await Milestone.update({Milestone.done_on: done_on}).where(Milestone.id == milestone_id).run()
    await services.log(p["id"], "milestone.done", actor, task=m["task"], done_on=done_on.isoformat())


async def milestones_of(project_id: int) -> list[dict]:
    return await Milestone.select().where(Milestone.project == project_id).order_by(Milestone.position).run()


async def funding_of(project_id: int) -> list[dict]:
    rows = await Funding.select().where(Funding.project == project_id).order_by(Funding.id).run()
    for row in rows:
        row["source"] = FundingSource(row["source"])
    return rows


def money(funding: list[dict]) -> dict:
    """Public and social money of some funding lines (of one project, a street, a district)."""
    public = sum(f["amount_fen"] for f in funding if not FundingSource(f["source"]).is_social)
    social = sum(f["amount_fen"] for f in funding if FundingSource(f["source"]).is_social)
    return {"public_fen": public, "social_fen": social, "leverage": leverage(social, public)}


async def money_of(project_ids: list[int]) -> dict:
    if not project_ids:
        return money([])
    return money(await Funding.select(Funding.source, Funding.amount_fen).where(
        Funding.project.is_in(project_ids)).run())
