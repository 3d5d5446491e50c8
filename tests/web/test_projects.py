"""办实事 pages: who sees which project (unit x street grid), the plan, weekly reports with photos,
write-off, the monthly review and its files, the unit directory, and the residents' pages."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.projects import photos, plan, reports, services
from yishi.projects.enums import ProjectState
from yishi.projects.tables import Coordination, Milestone, Photo, WeeklyReport


def jpeg_bytes(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


async def _two_units():
    """Two projects of one street, each led by its own unit with its own clerk, and the street's staff."""
    places = await f.make_places()
    unit_a, unit_b = await f.make_unit(places, "区住建局"), await f.make_unit(places, "区民政局")
    places, ids = await f.make_projects(places, items=2, lead_units=["区住建局", "区民政局"])
    staff = await f.make_user(Role.street_staff, places)
    return places, ids, staff, await f.make_clerk(places, unit_a), await f.make_clerk(places, unit_b)


# --- who sees what ---------------------------------------------------------------------------

async def test_unit_clerk_sees_own_units_project_and_never_another_units(client):
    _places, (mine, theirs), _staff, clerk_a, _clerk_b = await _two_units()
    await f.login(client, clerk_a.username)
    listing = await client.get("/projects/")
    assert listing.status_code == 200
    assert f'href="/projects/{mine}"' in listing.text and f'href="/projects/{theirs}"' not in listing.text
    assert (await client.get(f"/projects/{mine}")).status_code == 200
    refused = await client.get(f"/projects/{theirs}")
    assert refused.status_code == 403 and "没有权限" in refused.text


async def test_unit_clerk_cannot_report_on_another_units_project(client):
    _places, (_mine, theirs), staff, clerk_a, _clerk_b = await _two_units()
    await f.start_project(theirs, staff)
    token = await f.login(client, clerk_a.username)
    r = await client.post(f"/projects/{theirs}/reports", data={
        "_csrf_token": token, "progress_pct": "50", "done": "挖开路面", "next_plan": "铺设管线", "spent": "0"})
    assert r.status_code == 403 and "责任单位" in r.text
    assert await WeeklyReport.count().where(WeeklyReport.project == theirs).run() == 0


async def test_street_never_sees_or_changes_another_streets_project(client):
    _places, (other, _o2) = await f.make_projects(items=2)
    mine = await f.make_places()
    staff = await f.make_user(Role.street_staff, mine)
    token = await f.login(client, staff.username)
    assert (await client.get(f"/projects/{other}")).status_code == 403
    r = await client.post(f"/projects/{other}/pause", data={"_csrf_token": token, "reason": "资金未到位"})
    assert r.status_code == 403
    assert (await services.get_project(other))["state"] is ProjectState.planning
    assert f'href="/projects/{other}"' not in (await client.get("/projects/")).text


async def test_unit_clerk_is_taken_to_projects_instead_of_rounds(client):
    _places, _ids, _staff, clerk_a, _b = await _two_units()
    await f.login(client, clerk_a.username)
    r = await client.get("/rounds")
    assert r.status_code in (302, 303) and r.headers["location"] == "/projects/"


async def test_list_filter_by_colour_and_junk_filter_is_refused_in_chinese(client):
    _places, (a, b), staff, _ca, _cb = await _two_units()
    await f.start_project(a, staff)
    await f.login(client, staff.username)
    shown = await client.get("/projects/?state=underway")
    assert f'href="/projects/{a}"' in shown.text and f'href="/projects/{b}"' not in shown.text
    junk = await client.get("/projects/?colour=purple")
    assert junk.status_code == 400 and "督办颜色选择有误" in junk.text


# --- the plan --------------------------------------------------------------------------------

async def test_unit_drafts_plan_and_street_approves_it(client, app):
    _places, (mine, _t), staff, clerk_a, _b = await _two_units()
    token = await f.login(client, clerk_a.username)
    r = await client.post(f"/projects/{mine}/plan", data={
        "_csrf_token": token, "planned_start": "2026-11-02", "planned_end": "2026-12-31",
        "task": ["招标完成", "竣工验收", ""], "owner": ["城管办", "城管办", ""],
        "due": ["2026-11-20", "2026-12-30", ""], "source": ["public", "enterprise", "public"],
        "funder": ["", "成都某物业公司", ""], "amount": ["80000", "20000", ""]})
    assert r.status_code in (302, 303), r.text
    assert [m["task"] for m in await plan.milestones_of(mine)] == ["招标完成", "竣工验收"]
    assert plan.money(await plan.funding_of(mine)) == {"public_fen": 8_000_000, "social_fen": 2_000_000,
                                                       "leverage": 0.25}
    assert (await client.post(f"/projects/{mine}/plan/submit", data={"_csrf_token": token})).status_code in (302, 303)
    assert (await client.post(f"/projects/{mine}/plan/approve", data={"_csrf_token": token})).status_code == 403
    token = await f.login(client, staff.username)
    assert (await client.post(f"/projects/{mine}/plan/approve", data={"_csrf_token": token})).status_code in (302, 303)
    assert (await services.get_project(mine))["state"] is ProjectState.underway


async def test_plan_with_a_bad_date_is_refused_keeping_what_was_typed(client):
    _places, (mine, _t), _staff, clerk_a, _b = await _two_units()
    token = await f.login(client, clerk_a.username)
    r = await client.post(f"/projects/{mine}/plan", data={
        "_csrf_token": token, "planned_start": "2026-11-02", "planned_end": "2026-12-31",
        "task": ["招标完成"], "owner": ["城管办"], "due": ["明天"], "source": ["public"], "funder": [""],
        "amount": [""]})
    assert r.status_code == 400
    assert "第 1 个节点的完成日期应为日期" in r.text and 'value="招标完成"' in r.text
    assert await Milestone.count().where(Milestone.project == mine).run() == 0


async def test_changing_a_due_date_of_another_projects_milestone_is_not_found(client):
    _places, (a, b), staff, _ca, _cb = await _two_units()
    await f.start_project(a, staff)
    await f.start_project(b, staff)
    other = (await plan.milestones_of(b))[0]
    token = await f.login(client, staff.username)
    r = await client.post(f"/projects/{a}/milestones/{other['id']}/due",
                          data={"_csrf_token": token, "due": "2026-11-27", "reason": "雨季"})
    assert r.status_code == 404 and "找不到这个时间节点" in r.text
    assert (await plan.milestones_of(b))[0]["due"] == other["due"]


async def test_street_changes_a_due_date_with_a_reason_shown_in_the_history(client):
    _places, (a, _b), staff, _ca, _cb = await _two_units()
    await f.start_project(a, staff)
    m = (await plan.milestones_of(a))[0]
    token = await f.login(client, staff.username)
    r = await client.post(f"/projects/{a}/milestones/{m['id']}/due", data={"_csrf_token": token, "due": "2026-11-27",
                                                                          "reason": "连续降雨，无法施工"})
    assert r.status_code in (302, 303)
    page = await client.get(f"/projects/{a}")
    assert "原定 2026-11-20" in page.text and "连续降雨，无法施工" in page.text
    assert "2026-11-20 → 2026-11-27" in page.text


# --- weekly reports and photos ---------------------------------------------------------------

async def test_weekly_report_with_a_photo_is_filed_and_the_photo_served(client):
    _places, (mine, _t), staff, clerk_a, _b = await _two_units()
    await f.start_project(mine, staff)
    token = await f.login(client, clerk_a.username)
    r = await client.post(f"/projects/{mine}/reports", data={
        "_csrf_token": token, "progress_pct": "40", "done": "完成路面开挖", "next_plan": "铺设管线", "spent": "12000",
        "problem": ["需要协调停水时间", "", ""]}, files={"photos": ("现场.jpg", jpeg_bytes(), "image/jpeg")})
    assert r.status_code in (302, 303), r.text
    p = await services.get_project(mine)
    assert (p["progress_pct"], p["spent_fen"]) == (40, 1_200_000)
    assert [c["text"] for c in await reports.open_coordination(project_id=mine)] == ["需要协调停水时间"]
    (photo,) = await photos.photos_of(mine)
    thumb = await client.get(f"/photos/{photo['id']}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content[:2] == b"\xff\xd8"
    assert f'/photos/{photo["id"]}/thumb' in (await client.get(f"/projects/{mine}")).text


async def test_weekly_report_with_a_file_that_is_not_a_photo_saves_nothing(client):
    _places, (mine, _t), staff, clerk_a, _b = await _two_units()
    await f.start_project(mine, staff)
    token = await f.login(client, clerk_a.username)
    r = await client.post(f"/projects/{mine}/reports", data={
        "_csrf_token": token, "progress_pct": "40", "done": "完成路面开挖", "next_plan": "铺设管线", "spent": "0",
        "problem": ["需要协调停水时间"]},
        files=[("photos", ("a.jpg", jpeg_bytes(), "image/jpeg")),
               ("photos", ("合同.pdf", b"%PDF-1.4 not a photo", "image/jpeg"))])
    assert r.status_code == 400
    assert "照片“合同.pdf”不是能识别的图片文件" in r.text and "本次上传的照片都没有保存" in r.text
    assert "完成路面开挖" in r.text  # what was typed is still there
    assert await WeeklyReport.count().where(WeeklyReport.project == mine).run() == 0
    assert await Photo.count().run() == 0 and await Coordination.count().run() == 0
    assert (await services.get_project(mine))["progress_pct"] == 0


@pytest.mark.parametrize("progress,message", [("120", "完成进度应在 0 到 100 之间"), ("很多", "完成进度应为整数")])
async def test_weekly_report_with_a_bad_progress_is_refused_in_chinese(client, progress, message):
    _places, (mine, _t), staff, clerk_a, _b = await _two_units()
    await f.start_project(mine, staff)
    token = await f.login(client, clerk_a.username)
    r = await client.post(f"/projects/{mine}/reports", data={
        "_csrf_token": token, "progress_pct": progress, "done": "完成路面开挖", "next_plan": "铺设管线", "spent": "0"})
    assert r.status_code == 400 and message in r.text
    assert await WeeklyReport.count().run() == 0


async def test_too_many_photos_are_refused_before_anything_is_read(client):
    _places, (mine, _t), staff, clerk_a, _b = await _two_units()
    await f.start_project(mine, staff)
    token = await f.login(client, clerk_a.username)
    one = jpeg_bytes(40, 30)
    r = await client.post(f"/projects/{mine}/reports", data={
        "_csrf_token": token, "progress_pct": "10", "done": "开工", "next_plan": "施工", "spent": "0"},
        files=[("photos", (f"{i}.jpg", one, "image/jpeg")) for i in range(10)])
    assert r.status_code == 400 and "每期报告最多 9 张照片，这次选了 10 张" in r.text
    assert await WeeklyReport.count().run() == 0


# --- coordination, 调度意见, write-off ---------------------------------------------------------

async def test_street_answers_coordination_and_the_unit_answers_a_directive(client):
    places, (mine, _t), staff, clerk_a, _b = await _two_units()
    await f.start_project(mine, staff)
    await reports.file_report(mine, reports.ReportInput(30, "开挖", "铺管", 0, ("协调停水",)), actor=clerk_a)
    (item,) = await reports.open_coordination(project_id=mine)
    token = await f.login(client, staff.username)
    r = await client.post(f"/projects/{mine}/coordination/{item['id']}/answer",
                          data={"_csrf_token": token, "answer": "已与自来水公司约定周六停水"})
    assert r.status_code in (302, 303)
    r = await client.post(f"/projects/{mine}/directives", data={
        "_csrf_token": token, "text": "本月底前完成管线铺设", "assignee": "区住建局", "due": "2026-12-31",
        "back": f"/review/town/{places['town']}?month=2026-11", "month": "2026-11"})
    assert r.status_code in (302, 303)
    assert r.headers["location"] == f"/review/town/{places['town']}?month=2026-11#p{mine}"
    (d,) = await reports.directives_of([mine], "2026-11")
    token = await f.login(client, clerk_a.username)
    r = await client.post(f"/projects/{mine}/directives/{d['id']}/answer",
                          data={"_csrf_token": token, "answer": "已完成 80%"})
    assert r.status_code in (302, 303)
    assert (await reports.directives_of([mine]))[0]["answer"] == "已完成 80%"
    assert await reports.open_coordination(project_id=mine) == []


async def test_a_directive_back_link_elsewhere_is_ignored(client):
    _places, (mine, _t), staff, _ca, _cb = await _two_units()
    token = await f.login(client, staff.username)
    r = await client.post(f"/projects/{mine}/directives", data={
        "_csrf_token": token, "text": "尽快完善方案", "back": "https://example.com/review/"})
    assert r.headers["location"] == f"/projects/{mine}#directives"


async def test_unit_files_completion_and_street_writes_off_with_review(client):
    _places, (mine, _t), staff, clerk_a, _b = await _two_units()
    await f.start_project(mine, staff)
    token = await f.login(client, clerk_a.username)
    r = await client.post(f"/projects/{mine}/completion", data={
        "_csrf_token": token, "report": "更换路灯 30 盏，全部通电", "final_spent": "95000"})
    assert r.status_code in (302, 303), r.text
    refused = await client.post(f"/projects/{mine}/write-off", data={"_csrf_token": token, "good": "好"})
    assert refused.status_code == 403
    token = await f.login(client, staff.username)
    empty = await client.post(f"/projects/{mine}/write-off", data={"_csrf_token": token, "good": " "})
    assert empty.status_code == 400 and "请填写好经验、好做法" in empty.text
    r = await client.post(f"/projects/{mine}/write-off", data={
        "_csrf_token": token, "good": "夜间施工不扰民", "lessons": "提前公示停电时间"})
    assert r.status_code in (302, 303)
    p = await services.get_project(mine)
    assert p["state"] is ProjectState.written_off and p["review_good"] == "夜间施工不扰民"
    again = await client.post(f"/projects/{mine}/write-off", data={"_csrf_token": token, "good": "再次"})
    assert again.status_code == 409 and "已销账" in again.text
    r = await client.post(f"/projects/{mine}/reopen", data={"_csrf_token": token, "reason": "居民反映有 3 盏不亮"})
    assert r.status_code in (302, 303) and (await services.get_project(mine))["state"] is ProjectState.underway


async def test_street_assigns_units_from_its_districts_directory_only(client):
    places, (mine, _t), staff, _ca, _cb = await _two_units()
    elsewhere = await f.make_places()
    foreign = await f.make_unit(elsewhere, "外区单位")
    own = await f.make_unit(places, "大弯社区居委会")
    token = await f.login(client, staff.username)
    r = await client.post(f"/projects/{mine}/units", data={"_csrf_token": token, "lead_unit": str(foreign),
                                                           "responsible_name": "王科长"})
    assert r.status_code == 400 and "所选单位不在本区的单位名录中" in r.text
    r = await client.post(f"/projects/{mine}/units", data={"_csrf_token": token, "lead_unit": str(own),
                                                           "implementer": str(own), "responsible_name": "王科长",
                                                           "responsible_phone": "028-83900000"})
    assert r.status_code in (302, 303)
    p = await services.get_project(mine)
    assert (p["lead_unit"], p["implementer"], p["responsible_name"]) == (own, own, "王科长")


# --- the monthly review ----------------------------------------------------------------------

async def test_monthly_review_street_and_district_with_their_files(client):
    places, (a, _b), staff, _ca, _cb = await _two_units()
    await f.start_project(a, staff)
    other_street = await f.make_user(Role.street_staff, await f.make_places())
    reviewer = await f.make_user(Role.district_reviewer, places)
    await f.login(client, staff.username)
    page = await client.get(f"/review/town/{places['town']}")
    assert page.status_code == 200 and "民生微事月调度" in page.text and f'id="p{a}"' in page.text
    pdf = await client.get(f"/review/town/{places['town']}/report.pdf?month=2026-12")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    xlsx = await client.get(f"/review/town/{places['town']}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert (await client.get(f"/review/district/{places['district']}")).status_code == 403
    bad = await client.get(f"/review/town/{places['town']}?month=十二月")
    assert bad.status_code == 400 and "月份应写成 2026-12 这样的格式" in bad.text
    await f.login(client, other_street.username)
    assert (await client.get(f"/review/town/{places['town']}")).status_code == 403
    await f.login(client, reviewer.username)
    district = await client.get(f"/review/district/{places['district']}")
    assert district.status_code == 200 and f'id="p{a}"' in district.text


# --- the unit directory ----------------------------------------------------------------------

async def test_admin_adds_edits_and_deactivates_a_unit(client):
    places = await f.make_places()
    admin = await f.make_user(Role.admin)
    token = await f.login(client, admin.username)
    r = await client.post("/units/", data={"_csrf_token": token, "district": str(places["district"]),
                                           "name": "区住建局", "kind": "district_department"})
    assert r.status_code in (302, 303)
    dup = await client.post("/units/", data={"_csrf_token": token, "district": str(places["district"]),
                                             "name": "区住建局", "kind": "district_department"})
    assert dup.status_code == 409 and "已在名录中" in dup.text
    bad = await client.post("/units/", data={"_csrf_token": token, "district": str(places["district"]),
                                             "name": "某公司", "kind": "alien"})
    assert bad.status_code == 400 and "单位类别选择有误" in bad.text
    from yishi.accounts import units
    (unit,) = await units.units_of(places["district"])
    r = await client.post(f"/units/{unit['id']}", data={
        "_csrf_token": token, "name": "区住房和城乡建设局", "kind": "district_department", "contact_name": "李",
        "active": "1"})
    assert r.status_code in (302, 303)
    assert (await client.post(f"/units/{unit['id']}/deactivate", data={"_csrf_token": token})).status_code in (302, 303)
    assert await units.units_of(places["district"]) == []
    page = await client.get(f"/units/?district={places['district']}")
    assert "区住房和城乡建设局" in page.text and "已停用" in page.text


async def test_the_unit_directory_is_the_administrators_only(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    token = await f.login(client, staff.username)
    assert (await client.get("/units/")).status_code == 403
    r = await client.post("/units/", data={"_csrf_token": token, "name": "区住建局", "kind": "district_department"})
    assert r.status_code == 403


# --- residents ---------------------------------------------------------------------------------

async def test_public_street_and_project_pages_show_no_personal_data(client, settings):
    places, (a, _b), staff, clerk_a, _cb = await _two_units()
    await services.assign(a, lead_unit_id=None, implementer_id=None, responsible_name="王秘密",
                          responsible_phone="13900001111", actor=staff)
    await f.start_project(a, staff)
    await reports.file_report(a, reports.ReportInput(30, "开挖", "铺管", 0, ("协调秘密事项",)), actor=clerk_a)
    report = (await reports.reports_of(a))[0]
    (photo_id,) = await photos.attach(a, [("x.jpg", jpeg_bytes())], data_dir=settings.data_dir, actor=clerk_a,
                                      report_id=report["id"])
    street = await client.get(f"/street/{places['town']}")
    assert street.status_code == 200 and "家门口的微民生" in street.text
    assert "项目1" in street.text and "项目2" in street.text and f"/photos/{photo_id}/thumb" in street.text
    page = await client.get(f"/p/{a}")
    assert page.status_code == 200 and "30%" in page.text
    for secret in ("王秘密", "13900001111", "协调秘密事项", clerk_a.display_name):
        assert secret not in street.text and secret not in page.text
    photo = await client.get(f"/photos/{photo_id}")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert (await client.get("/photos/99999999")).status_code == 404
    assert (await client.get("/p/99999999999999999999")).status_code == 404


async def test_tracking_page_shows_the_project_the_suggestion_became(client):
    from yishi.wishlists import sources

    places, (a,) = await f.make_projects(items=1)
    receipt = await f.make_suggestion(places)
    project = await services.get_project(a)
    await sources.link_to_item([receipt.id], item_id=project["item"],
                                   actor=await f.make_user(Role.street_staff, places))
    page = await client.get(f"/t/{receipt.tracking_code}")
    assert page.status_code == 200 and "您的建议已变成民生微事项目" in page.text and f'href="/p/{a}"' in page.text


async def test_project_poster_is_a_pdf_for_staff(client):
    _places, (a, _b), staff, _ca, _cb = await _two_units()
    await f.login(client, staff.username)
    r = await client.get(f"/projects/{a}/poster.pdf")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert "filename*=UTF-8''" in r.headers["content-disposition"]


async def test_admin_sees_every_streets_projects_and_each_districts_review(client):
    places_a, (a, _a2) = await f.make_projects(items=2)
    places_b, (b, _b2) = await f.make_projects(items=2)
    admin = await f.make_user(Role.admin)
    await f.login(client, admin.username)
    page = await client.get("/projects/")
    assert f'href="/projects/{a}"' in page.text and f'href="/projects/{b}"' in page.text
    assert f'href="/review/district/{places_a["district"]}"' in page.text
    assert (await client.get(f"/review/district/{places_b['district']}")).status_code == 200


async def test_list_shows_what_waits_for_an_answer(client):
    _places, (mine, _t), staff, clerk_a, _b = await _two_units()
    await f.start_project(mine, staff)
    await reports.file_report(mine, reports.ReportInput(30, "开挖", "铺管", 0, ("协调停水", "协调占道")), actor=clerk_a)
    await reports.issue_directive(mine, text="月底前完成铺管", assignee="区住建局", due=None, actor=staff)
    await f.login(client, clerk_a.username)
    page = await client.get("/projects/")
    assert "待协调 2 项" in page.text and "调度意见待答复 1 条" in page.text


async def test_admin_is_offered_the_directory_when_a_unit_is_missing(client):
    places, (a, _b) = await f.make_projects(items=2)
    admin = await f.make_user(Role.admin)
    await f.login(client, admin.username)
    page = await client.get(f"/projects/{a}")
    assert f'href="/units/?district={places["district"]}#new-unit"' in page.text
