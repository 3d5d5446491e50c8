"""Weekly reports, 需协调事项, 调度意见, and the colours of stored projects."""
from datetime import date, timedelta

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.core.errors import Conflict, DomainError
from yishi.projects import reports, services, supervision
from yishi.projects.enums import Colour
from yishi.projects.reports import ReportInput
from yishi.projects.rules import Thresholds, monday_of
from yishi.projects.tables import Coordination, Project, WeeklyReport

REPORT = ReportInput(progress_pct=40, done="完成招标", next_plan="进场施工", spent_fen=3000_00,
                     problems=("施工需占用消防通道，请街道协调物业",))


async def underway(start: date | None = None):
    places, (pid, other) = await f.make_projects()
    staff = await f.make_user(Role.street_staff, places)
    await f.start_project(pid, staff)
    if start:
        await Project.update({Project.started_on: start}).where(Project.id == pid)
    return places, staff, pid, other


async def test_report_once_per_week_updates_project_and_opens_problem():
    places, staff, pid, _o = await underway()
    rid = await reports.file_report(pid, REPORT, actor=staff)
    p = await services.get_project(pid)
    assert (p["progress_pct"], p["spent_fen"]) == (40, 3000_00)
    (row,) = await reports.reports_of(pid)
    assert (row["id"], row["week_start"], row["done"]) == (rid, monday_of(services.today()), "完成招标")
    with pytest.raises(Conflict) as info:
        await reports.file_report(pid, REPORT, actor=staff)
    assert info.value.message == f"{monday_of(services.today()).isoformat()} 这一周的周报告已经填报过了。"
    assert await WeeklyReport.count() == 1 and await Coordination.count() == 1
    assert [c["text"] for c in await reports.open_coordination(town_id=places["town"])] == [
        "施工需占用消防通道，请街道协调物业"]
    assert [c["project_title"] for c in await reports.open_coordination(district_id=places["district"])] == ["项目1"]


async def test_report_for_planning_project_refused():
    _places, (pid, _o) = await f.make_projects()
    with pytest.raises(Conflict) as info:
        await reports.file_report(pid, REPORT, actor=None)
    assert info.value.message == "项目现在是“待制定方案”，不需要填报周报告。"


async def test_report_future_week_and_bad_progress_refused():
    _places, staff, pid, _o = await underway()
    with pytest.raises(DomainError) as info:
        await reports.file_report(pid, REPORT, actor=staff, week_of=services.today() + timedelta(days=7))
    assert info.value.message == "不能填报以后各周的周报告。"
    with pytest.raises(DomainError) as info:
        await reports.file_report(pid, ReportInput(101, "a", "b", 0), actor=staff)
    assert info.value.message == "完成进度应在 0 到 100 之间。"
    assert await WeeklyReport.count() == 0


async def test_late_report_for_earlier_week_keeps_newer_progress():
    start = monday_of(services.today()) - timedelta(days=14)
    _places, staff, pid, _o = await underway(start)
    await reports.file_report(pid, ReportInput(60, "本周", "下周", 5000_00), actor=staff)
    await reports.file_report(pid, ReportInput(30, "补报", "下周", 2000_00), actor=staff, week_of=start)
    p = await services.get_project(pid)
    assert (p["progress_pct"], p["spent_fen"]) == (60, 5000_00)


async def test_answer_coordination_closes_it_once():
    places, staff, pid, _o = await underway()
    await reports.file_report(pid, REPORT, actor=staff)
    (item,) = await reports.open_coordination(project_id=pid)
    await reports.answer_coordination(item["id"], "已协调物业，周三起开放", actor=staff)
    assert await reports.open_coordination(town_id=places["town"]) == []
    with pytest.raises(Conflict) as info:
        await reports.answer_coordination(item["id"], "再答", actor=staff)
    assert info.value.message == "这条需协调事项已经答复过了。"
    assert [c["answer"] for c in await reports.coordination_of(pid)] == ["已协调物业，周三起开放"]


async def test_directive_defaults_to_lead_unit_and_is_answered():
    places, staff, pid, _o = await underway()
    await services.assign(pid, lead_unit_id=await f.make_unit(places, "区住建局"), implementer_id=None,
                          responsible_name="", responsible_phone="", actor=staff)
    did = await reports.issue_directive(pid, text="12月15日前完成招标", assignee="", due=date(2026, 12, 15),
                                        actor=staff, month="2026-12")
    await reports.answer_directive(did, "已发布招标公告", actor=staff)
    (d,) = await reports.directives_of([pid], "2026-12")
    assert (d["assignee"], d["due"], d["answer"]) == ("区住建局", date(2026, 12, 15), "已发布招标公告")
    assert await reports.directives_of([pid], "2026-11") == []


async def test_colours_of_stored_projects_with_local_holiday_and_thresholds():
    places, staff, pid, other = await underway(date(2026, 11, 2))
    await reports.file_report(pid, REPORT, actor=staff, week_of=date(2026, 11, 2))
    await reports.file_report(pid, REPORT, actor=staff, week_of=date(2026, 11, 9))
    p = await services.get_project(pid)
    # Monday 23 Nov: the milestone of Friday 20 is a working day overdue (yellow), which outweighs
    # the report of 16–22 November being a day late (blue).
    found = await supervision.colours([p, await services.get_project(other)], date(2026, 11, 23))
    assert (found[pid].colour, found[pid].reason) == (Colour.yellow, "节点“招标完成”已逾期 1 个工作日")
    assert found[other].colour is Colour.none
    milestone_free = await supervision.colours([p], date(2026, 11, 19))
    assert (milestone_free[pid].colour, milestone_free[pid].reason) == (
        Colour.blue, "节点“招标完成”还有 1 个工作日到期")
    await supervision.add_calendar_day(places["district"], date(2026, 11, 20), workday=False, note="防汛放假",
                                       actor=None)
    shifted = await supervision.colours([p], date(2026, 11, 19))
    assert shifted[pid].reason == "节点“招标完成”于 11月20日 到期，此前已无工作日"
    await supervision.set_thresholds(places["district"], Thresholds(0, 1, 5, 2), actor=None)
    assert (await supervision.colours([p], date(2026, 11, 18)))[pid].colour is Colour.green
    with pytest.raises(Conflict):
        await supervision.add_calendar_day(places["district"], date(2026, 11, 20), workday=True, note="重复",
                                           actor=None)
