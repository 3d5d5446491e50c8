"""Demo of 办实事: the district approves the earlier round, and its projects are in delivery in
every state and colour at once — written off with a 复盘, on plan, late (yellow), red, 暂缓 — with
a unit directory, a unit clerk (dawan_danwei), weekly reports with generated photos, open
coordination problems and this month's 调度意见. Dates are counted back from today, so the
colours hold whenever the demo is loaded. Called by demo.build; does nothing a second time."""
from __future__ import annotations

import io
import random
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw

from yishi.accounts import services as accounts
from yishi.accounts import units
from yishi.accounts.enums import Role, UnitKind
from yishi.accounts.tables import Unit, User
from yishi.config import load_settings
from yishi.meetings import desk
from yishi.meetings.enums import SubmissionStatus
from yishi.projects import photos, plan, reports, services
from yishi.projects.enums import FundingSource as F
from yishi.projects.plan import FundingInput, MilestoneInput
from yishi.projects.reports import ReportInput
from yishi.projects.rules import Calendar, monday_of, owed_weeks
from yishi.projects.tables import Project

UNITS = [
    ("区住房和城乡建设局", UnitKind.district_department, "何平", "028-83600001"),
    ("区教育局", UnitKind.district_department, "罗老师", "028-83600002"),
    ("区公安分局大弯派出所", UnitKind.district_department, "邱警官", "028-83600003"),
    ("大弯街道城市管理办公室", UnitKind.town, "林工", "028-83600004"),
    ("大弯街道社区发展治理办公室", UnitKind.town, "唐主任", "028-83600005"),
    ("大弯社区居民委员会", UnitKind.community, "李秀英", "028-83600006"),
    ("锦城物业服务有限公司", UnitKind.enterprise, "孙丽", "028-83600007"),
    ("青白江区乐邻社会工作服务中心", UnitKind.social_org, "杨社工", "028-83600008"),
]

# Per approved item, in order: (state, lead unit, implementer, responsible, funding, scenario).
PLANS = [
    ("written_off", "大弯街道城市管理办公室", "锦城物业服务有限公司", ("林建", "13800000101"),
     [FundingInput(F.public, "", 38000_00), FundingInput(F.enterprise, "锦城物业服务有限公司", 10000_00)]),
    ("green", "青白江区乐邻社会工作服务中心", "大弯社区居民委员会", ("杨帆", "13800000102"),
     [FundingInput(F.public, "", 120000_00), FundingInput(F.social_org, "青白江区乐邻社会工作服务中心", 20000_00),
      FundingInput(F.volunteer, "大弯社区志愿服务队", 15000_00)]),
    ("yellow", "大弯街道城市管理办公室", "锦城物业服务有限公司", ("林建", "13800000101"),
     [FundingInput(F.public, "", 60000_00), FundingInput(F.enterprise, "成都某换电科技公司", 45000_00)]),
    ("red", "区教育局", "青白江区乐邻社会工作服务中心", ("罗明", "13800000103"),
     [FundingInput(F.public, "", 210000_00)]),
    ("paused", "区公安分局大弯派出所", "大弯街道社区发展治理办公室", ("邱实", "13800000104"),
     [FundingInput(F.public, "", 130000_00)]),
]


def _workdays_back(cal: Calendar, today: date, n: int) -> date:
    day = today
    while n:
        day -= timedelta(days=1)
        n -= cal.is_workday(day)
    return day


def _photo(seed: int, caption_colour: tuple[int, int, int]) -> bytes:
    """A generated site photo: sky, ground, a building with windows, the thing being built."""
    rng = random.Random(seed)
    w, h = 1600, 1200
    image = Image.new("RGB", (w, h), (135, 185, 230))
    d = ImageDraw.Draw(image)
    d.rectangle((0, 780, w, h), fill=(120, 120, 110))
    bx = rng.randint(100, 700)
    d.rectangle((bx, 260, bx + 600, 780), fill=(205, 190, 170))
    for row in range(5):
        for col in range(5):
            x, y = bx + 40 + col * 110, 300 + row * 90
            d.rectangle((x, y, x + 60, y + 50), fill=(90, 120, 150))
    ox = rng.randint(200, 1100)
    d.rectangle((ox, 640, ox + 360, 900), fill=caption_colour, outline=(40, 40, 40), width=6)
    d.ellipse((1300, 80, 1460, 240), fill=(250, 220, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


async def _directory(district_id: int, staff) -> dict[str, int]:
    ids = {}
    for name, kind, contact, phone in UNITS:
        found = await units.find_by_name(district_id, name)
        ids[name] = found or await units.create_unit(district_id, name=name, kind=kind, contact_name=contact,
                                                     contact_phone=phone, actor=staff)
    return ids


async def _approved_projects(round_id: int) -> list[int]:
    last = await desk.latest(round_id)
    if last is not None and last["status"] is SubmissionStatus.submitted:
        reviewer = await User.objects().where(User.username == "qu_shenhe").first()
        await desk.review(last["id"], approve=True, comment="同意实施。请各牵头单位制定实施方案，按周报告进度。",
                          item_comments={}, actor=reviewer, on_approved=services.start_from_approval)
    return [p["id"] for p in await services.projects_of_round(round_id)]


async def build(district_id: int, town_id: int, round_id: int, password: str, say) -> dict:
    if await Unit.exists().where(Unit.district == district_id):
        return {"created": False}
    staff = await User.objects().where(User.username == "dawan_staff").first()
    unit_ids = await _directory(district_id, staff)
    if not await User.exists().where(User.username == "dawan_danwei"):
        await accounts.create_user(username="dawan_danwei", password=password,
                                   display_name="大弯街道城管办 林建（经办人）",
                                   role=Role.unit_clerk, unit_id=unit_ids["大弯街道城市管理办公室"])
    clerk = await User.objects().where(User.username == "dawan_danwei").first()
    project_ids = await _approved_projects(round_id)
    data_dir = load_settings().data_dir
    today = services.today()
    cal = Calendar()
    # As many projects as both the round and the plans have (the demo round may approve fewer).
    pairs = zip(project_ids, PLANS, strict=False)
    for n, (pid, (scenario, lead, implementer, (person, phone), funding)) in enumerate(pairs):
        await services.assign(pid, lead_unit_id=unit_ids[lead], implementer_id=unit_ids[implementer],
                              responsible_name=person, responsible_phone=phone, actor=staff)
        await _deliver(pid, scenario, funding, today, cal, staff, clerk, data_dir, seed=n)
    say(f"  办实事：{len(UNITS)} 个责任单位，{min(len(project_ids), len(PLANS))} 个项目在办"
        f"（已销账、正常、黄色、红色、暂缓）；单位经办人 dawan_danwei")
    return {"created": True, "project_ids": project_ids}


async def _deliver(pid: int, scenario: str, funding, today: date, cal: Calendar, staff, clerk, data_dir: Path,
                   seed: int) -> None:
    weeks_ago = {"written_off": 10, "green": 5, "yellow": 6, "red": 7, "paused": 4}[scenario]
    start = monday_of(today) - timedelta(weeks=weeks_ago)
    end = today + timedelta(days={"written_off": 20, "red": 40}.get(scenario, 50))
    overdue = {"yellow": 3, "red": 8}.get(scenario)
    first_due = _workdays_back(cal, today, overdue) if overdue else start + timedelta(days=16)
    milestones = [MilestoneInput("方案细化与招标", "牵头单位", first_due),
                  MilestoneInput("进场实施", "实施主体",
                                 max(first_due, today - timedelta(days=3)) + timedelta(days=14)),
                  MilestoneInput("完工验收", "牵头单位", end)]
    await plan.save_draft(pid, planned_start=start, planned_end=end, milestones=milestones, funding=funding,
                          actor=clerk)
    await plan.submit_plan(pid, actor=clerk)
    await plan.approve_plan(pid, actor=staff)
    # The demo's projects began weeks ago: the plan's approval is dated back to the start.
    await Project.update({Project.started_on: start}).where(Project.id == pid)
    owed = owed_weeks(start, today)
    skip = {"yellow": owed[-1:], "red": owed[-3:]}.get(scenario, [])
    weeks = [w for w in owed if w not in skip] + ([monday_of(today)] if scenario == "green" else [])
    total = sum(f.amount_fen for f in funding)
    for i, monday in enumerate(weeks, start=1):
        progress = min(95, round(100 * i / (len(owed) + 3)))
        problems: tuple[str, ...] = ()
        if scenario == "yellow" and i == len(weeks):
            problems = ("换电柜安装位置需经业主大会同意，请街道协调锦城物业召开业主代表会。",)
        if scenario == "red" and i == 1:
            problems = ("流动青少年宫进社区场地不足，请街道协调党群服务中心二楼活动室。",)
        rid = await reports.file_report(pid, ReportInput(
            progress, f"第 {i} 周：按方案推进，完成现场勘查与材料采购的第 {i} 阶段工作。",
            "继续推进下一阶段工作，做好居民沟通。", total * progress // 100 // 2, problems),
            actor=clerk, week_of=monday)
        if i % 2 == 1 or i == len(weeks):
            await photos.attach(pid, [(f"现场{i}.jpg", _photo(seed * 100 + i, (60 + 30 * seed, 140, 90)))],
                                data_dir=data_dir, actor=clerk, report_id=rid)
    if scenario == "red":
        (item,) = await reports.open_coordination(project_id=pid)
        await reports.answer_coordination(item["id"], "已协调党群服务中心二楼活动室每周六上午使用。", actor=staff)
        await reports.issue_directive(pid, text="两周内补齐缺报的周报告，并提交赶工计划。", assignee="",
                                      due=today + timedelta(days=14), actor=staff)
    if scenario == "yellow":
        did = await reports.issue_directive(pid, text="本月底前确定换电柜点位。", assignee="",
                                            due=today + timedelta(days=20), actor=staff)
        await reports.answer_directive(did, "已初选三处点位，待业主代表会确认。", actor=clerk)
    if scenario == "paused":
        await services.pause(pid, "需与公安部门衔接监控点位和联网方案，暂缓实施。", actor=staff)
    if scenario in ("green", "written_off"):
        for m in await plan.milestones_of(pid):
            if m["due"] < today or scenario == "written_off":
                await plan.mark_done(m["id"], min(m["due"], today), actor=clerk)
    if scenario == "written_off":
        await services.file_completion(pid, "在 12 栋老旧楼道安装折叠爱心座椅 40 把，经居民代表现场验收。",
                                       45600_00, actor=clerk)
        await photos.attach(pid, [("验收.jpg", _photo(seed * 100 + 99, (180, 60, 60)))], data_dir=data_dir, actor=clerk)
        await services.write_off(pid, good="座椅点位由居民议事会逐栋商定，老人试坐后再定高度；物业承担日常维护。",
                                 lessons="首批座椅承重标识不清，已补贴标识。", actor=staff)
