"""The implementation plan: draft, submit, approve (baseline), due-date changes, money."""
from datetime import date

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.core.errors import Conflict, DomainError
from yishi.projects import plan, services
from yishi.projects.enums import FundingSource as F
from yishi.projects.enums import PlanStatus
from yishi.projects.enums import ProjectState as S
from yishi.projects.plan import FundingInput, MilestoneInput

FUNDING = [FundingInput(F.public, "", 10000_00), FundingInput(F.enterprise, "锦城物业公司", 8000_00),
           FundingInput(F.volunteer, "大弯志愿服务队", 4000_00)]


async def test_plan_approved_becomes_baseline_and_starts_project():
    places, (pid, _o) = await f.make_projects()
    staff = await f.make_user(Role.street_staff, places)
    await f.start_project(pid, staff, funding=FUNDING)
    p = await services.get_project(pid)
    assert (p["state"], p["plan_status"], p["started_on"]) == (S.underway, PlanStatus.approved, services.today())
    assert [(m["task"], m["due"], m["baseline_due"]) for m in await plan.milestones_of(pid)] == [
        ("招标完成", date(2026, 11, 20), date(2026, 11, 20)), ("竣工验收", date(2026, 12, 31), date(2026, 12, 31))]
    assert await plan.money_of([pid]) == {"public_fen": 10000_00, "social_fen": 12000_00, "leverage": 1.2}


async def test_plan_edit_after_submit_refused():
    _places, (pid, _o) = await f.make_projects()
    await plan.save_draft(pid, planned_start=date(2026, 11, 2), planned_end=date(2026, 12, 31),
                          milestones=[MilestoneInput("招标完成", "城管办", date(2026, 11, 20))], funding=[], actor=None)
    await plan.submit_plan(pid, actor=None)
    with pytest.raises(Conflict) as info:
        await plan.save_draft(pid, planned_start=date(2026, 11, 2), planned_end=date(2026, 12, 31),
                              milestones=[MilestoneInput("改", "城管办", date(2026, 11, 20))], funding=[], actor=None)
    assert info.value.message == "实施方案现在是“待街道审定”，不能修改。"
    await plan.return_plan(pid, "请补充资金来源", actor=None)
    assert (await services.get_project(pid))["plan_status"] is PlanStatus.draft


async def test_plan_milestone_outside_dates_refused():
    _places, (pid, _o) = await f.make_projects()
    with pytest.raises(DomainError) as info:
        await plan.save_draft(pid, planned_start=date(2026, 11, 2), planned_end=date(2026, 12, 31),
                              milestones=[MilestoneInput("招标完成", "城管办", date(2027, 1, 5))], funding=[],
                              actor=None)
    assert info.value.message == "节点“招标完成”的完成日期应在计划开始和完工日期之间。"
    assert await plan.milestones_of(pid) == []


async def test_plan_social_money_without_funder_refused():
    _places, (pid, _o) = await f.make_projects()
    with pytest.raises(DomainError) as info:
        await plan.save_draft(pid, planned_start=date(2026, 11, 2), planned_end=date(2026, 12, 31),
                              milestones=[MilestoneInput("招标完成", "城管办", date(2026, 11, 20))],
                              funding=[FundingInput(F.enterprise, " ", 100)], actor=None)
    assert info.value.message == "社会资金请写明出资方（企业、社会组织或志愿服务队名称）。"


async def test_plan_submit_without_milestones_refused():
    _places, (pid, _o) = await f.make_projects()
    with pytest.raises(DomainError) as info:
        await plan.submit_plan(pid, actor=None)
    assert info.value.message == "请先填写计划日期和时间节点，再报街道审定。"


async def test_change_due_keeps_baseline_and_reason_in_history():
    places, (pid, _o) = await f.make_projects()
    staff = await f.make_user(Role.street_staff, places)
    await f.start_project(pid, staff)
    first = (await plan.milestones_of(pid))[0]
    with pytest.raises(DomainError) as info:
        await plan.change_due(first["id"], date(2026, 11, 27), "", actor=staff)
    assert info.value.message == "请填写调整原因。"
    await plan.change_due(first["id"], date(2026, 11, 27), "供应商延期供货", actor=staff)
    m = (await plan.milestones_of(pid))[0]
    assert (m["due"], m["baseline_due"]) == (date(2026, 11, 27), date(2026, 11, 20))
    last = (await services.history(pid))[-1]
    assert (last["action"], last["note"], last["data"]["old"], last["data"]["new"], last["data"]["baseline"]) == (
        "milestone.rescheduled", "供应商延期供货", "2026-11-20", "2026-11-27", "2026-11-20")


async def test_change_due_before_approval_refused():
    _places, (pid, _o) = await f.make_projects()
    await plan.save_draft(pid, planned_start=date(2026, 11, 2), planned_end=date(2026, 12, 31),
                          milestones=[MilestoneInput("招标完成", "城管办", date(2026, 11, 20))], funding=[], actor=None)
    m = (await plan.milestones_of(pid))[0]
    with pytest.raises(Conflict) as info:
        await plan.change_due(m["id"], date(2026, 11, 27), "原因", actor=None)
    assert info.value.message == "只有已审定、正在实施的方案才能调整节点日期。"


async def test_money_leverage_without_public_money_is_none():
    assert plan.money([{"source": "enterprise", "amount_fen": 500}]) == {
        "public_fen": 0, "social_fen": 500, "leverage": None}
