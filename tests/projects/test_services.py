"""Projects from the district's approval, units, state transitions, history and audit."""
import pytest

from tests import factories as f
from tests.meetings import setup
from yishi.accounts import units
from yishi.accounts.enums import Role, UnitKind
from yishi.core.errors import Conflict, DomainError
from yishi.core.tables import AuditEntry
from yishi.meetings import desk
from yishi.meetings.enums import SubmissionStatus
from yishi.meetings.tables import Submission
from yishi.projects import services
from yishi.projects.enums import PlanStatus
from yishi.projects.enums import ProjectState as S
from yishi.projects.tables import Project
from yishi.wishlists import services as wishlists


async def test_start_from_approval_links_lead_unit_by_name():
    places = await f.make_places()
    unit = await f.make_unit(places, "大弯街道城管办")
    places, ids = await f.make_projects(places, lead_units=["大弯街道城管办", "某未登记单位"])
    first, second = [await services.get_project(i) for i in ids]
    assert (first["lead_unit"], first["lead_unit_display"], first["state"], first["plan_status"]) == (
        unit, "大弯街道城管办", S.planning, PlanStatus.draft)
    assert (second["lead_unit"], second["lead_unit_display"], second["lead_unit_name"]) == (
        None, "某未登记单位", "某未登记单位")
    assert (first["title"], first["description"], first["cost_fen"]) == ("项目1", "说明1", 10000_00)
    assert [h["action"] for h in await services.history(ids[0])] == ["created"]


async def test_start_from_approval_in_the_desk_transaction_rolls_back_together():
    places, convener, r, ids = await setup.counted_round()
    await setup.decide_through_meeting(r, ids[:1], "同意实施项目1。", actor=convener)
    sid = await desk.submit(await wishlists.get_round(r.id), "", actor=convener)
    reviewer = await f.make_user(Role.district_reviewer, places)

    async def broken(submission_id, actor):
        await services.start_from_approval(submission_id, actor)
        raise DomainError("模拟失败")

    with pytest.raises(DomainError):
        await desk.review(sid, approve=True, comment="", item_comments={}, actor=reviewer, on_approved=broken)
    assert (await desk.get_submission(sid))["status"] is SubmissionStatus.submitted
    assert await Project.count() == 0
    await desk.review(sid, approve=True, comment="", item_comments={}, actor=reviewer,
                      on_approved=services.start_from_approval)
    assert [p["item"] for p in await services.projects_of_round(r.id)] == ids[:1]


async def test_start_from_unapproved_submission_refused():
    _places, convener, r, ids = await setup.counted_round()
    await setup.decide_through_meeting(r, ids[:1], "同意。", actor=convener)
    sid = await desk.submit(await wishlists.get_round(r.id), "", actor=convener)
    with pytest.raises(Conflict) as info:
        await services.start_from_approval(sid, convener)
    assert info.value.message == "意愿清单尚未获区级批准，不能转为民生微事项目。"
    assert await Project.count() == 0


async def test_unit_directory_duplicate_name_refused():
    places = await f.make_places()
    await f.make_unit(places, "区住建局")
    with pytest.raises(Conflict) as info:
        await units.create_unit(places["district"], name=" 区住建局 ", kind=UnitKind.district_department)
    assert info.value.message == "单位“区住建局”已在名录中。"
    assert [u["name"] for u in await units.units_of(places["district"])] == ["区住建局"]


async def test_unit_clerk_needs_a_unit_and_takes_its_district():
    places = await f.make_places()
    with pytest.raises(DomainError) as info:
        await f.make_clerk(places, None)
    assert info.value.message == "责任单位经办人需要指定所属单位。"
    clerk = await f.make_clerk(places, await f.make_unit(places))
    assert (clerk.district, clerk.role) == (places["district"], Role.unit_clerk)


async def test_assign_unit_of_another_district_refused():
    _places, (pid, _other) = await f.make_projects()
    elsewhere = await f.make_unit(await f.make_places())
    with pytest.raises(DomainError) as info:
        await services.assign(pid, lead_unit_id=elsewhere, implementer_id=None, responsible_name="李四",
                              responsible_phone="13800001111", actor=None)
    assert info.value.message == "所选单位不在本区的单位名录中。"
    assert (await services.get_project(pid))["lead_unit"] is None


async def test_transitions_full_life_with_history_and_audit():
    places, (pid, _other) = await f.make_projects()
    staff = await f.make_user(Role.street_staff, places)
    await f.start_project(pid, staff)
    assert (await services.get_project(pid))["state"] is S.underway
    await services.pause(pid, "雨季暂停施工", actor=staff)
    with pytest.raises(Conflict) as info:
        await services.file_completion(pid, "已完工", 9000_00, actor=staff)
    assert info.value.message == "项目现在是“暂缓”，不能提交完工报告。"
    await services.resume(pid, actor=staff)
    await services.file_completion(pid, "安装折叠座椅 40 把", 9500_00, actor=staff)
    await services.send_back(pid, "缺少验收照片", actor=staff)
    await services.file_completion(pid, "安装折叠座椅 40 把，附验收照片", 9500_00, actor=staff)
    await services.write_off(pid, good="居民议事定点位", lessons="采购周期偏长", actor=staff)
    p = await services.get_project(pid)
    assert (p["state"], p["progress_pct"], p["spent_fen"], p["review_good"]) == (
        S.written_off, 100, 9500_00, "居民议事定点位")
    await services.reopen(pid, "居民反映座椅松动", actor=staff)
    assert (await services.get_project(pid))["state"] is S.underway
    actions = [h["action"] for h in await services.history(pid)]
    assert actions == ["created", "plan.saved", "plan.submitted", "plan.approved", "paused", "resumed",
                       "completion.filed", "completion.returned", "completion.filed", "written_off", "reopened"]
    audit = [a["action"] for a in await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.object_type == "project").order_by(AuditEntry.id).run()]
    assert audit[-3:] == ["project.completion.filed", "project.written_off", "project.reopened"]


async def test_pause_needs_a_reason():
    _places, (pid, _other) = await f.make_projects()
    with pytest.raises(DomainError) as info:
        await services.pause(pid, "  ", actor=None)
    assert info.value.message == "请填写暂缓原因。"
    assert (await services.get_project(pid))["state"] is S.planning


async def test_resume_before_plan_goes_back_to_planning():
    _places, (pid, _other) = await f.make_projects()
    await services.pause(pid, "等待资金", actor=None)
    await services.resume(pid, actor=None)
    assert (await services.get_project(pid))["state"] is S.planning


async def test_stop_from_written_off_refused():
    places, (pid, _other) = await f.make_projects()
    staff = await f.make_user(Role.street_staff, places)
    await f.start_project(pid, staff)
    await services.file_completion(pid, "完工", 1, actor=staff)
    await services.write_off(pid, good="好", lessons="", actor=staff)
    with pytest.raises(Conflict) as info:
        await services.stop(pid, "不办了", actor=staff)
    assert info.value.message == "项目现在是“已销账”，不能终止。"


async def test_move_loses_a_race_with_conflict():
    _places, (pid, _other) = await f.make_projects()
    await Project.update({Project.state: S.stopped}).where(Project.id == pid)
    with pytest.raises(Conflict):
        await services.pause(pid, "原因", actor=None)


async def test_projects_of_unit_lead_or_implementer():
    places = await f.make_places()
    a, b = await f.make_unit(places, "甲单位"), await f.make_unit(places, "乙单位")
    places, (p1, p2) = await f.make_projects(places)
    nobody = {"responsible_name": "", "responsible_phone": "", "actor": None}
    await services.assign(p1, lead_unit_id=a, implementer_id=None, **nobody)
    await services.assign(p2, lead_unit_id=b, implementer_id=a, **nobody)
    assert [p["id"] for p in await services.projects_of_unit(a)] == [p1, p2]
    assert [p["id"] for p in await services.projects_of_unit(b)] == [p2]
    assert await Submission.count() == 1
