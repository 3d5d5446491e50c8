"""The demo's 接诉即办: a 派单目录, a second unit clerk, and cases in every state across units,
so a newcomer sees the street's dispatch, a unit's queue and the district's 提级 cases at once.

Runs after demo_delivery (it needs the unit directory) and skips itself once a case exists in
the district. The clock is moved back with each step's `now`, so the colours show as they would."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from yishi import demo_consult
from yishi.accounts import services as accounts
from yishi.accounts import units
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.cases import catalog, services
from yishi.cases.enums import CaseKind, Urgency
from yishi.cases.services import Dispatch
from yishi.cases.tables import Case
from yishi.core import audit
from yishi.core.dates import CHINA, in_china
from yishi.evaluation import callbacks
from yishi.places.tables import Community
from yishi.suggestions import catalog as sg_catalog
from yishi.suggestions import services as suggestions
from yishi.suggestions.enums import Channel, Track
from yishi.suggestions.inputs import SuggestionInput

CITY = "大弯街道城市管理办公室"
EDU = "区教育局"
POLICE = "区公安分局大弯派出所"
SOCIAL = "青白江区乐邻社会工作服务中心"
HOUSING = "区住房和城乡建设局"
COMMITTEE = "大弯社区居民委员会"

# (level1, level2, level3, suggestion category, unit, kind)
CATALOG = [
    ("城市管理", "市政设施", "路灯与井盖", "公共设施", CITY, CaseKind.help),
    ("城市管理", "市容环境", "垃圾清运", "环境卫生", CITY, CaseKind.complaint),
    ("公共安全", "交通秩序", "乱停乱放", "交通出行", POLICE, CaseKind.complaint),
    ("公共安全", "治安防范", "", "安全", POLICE, CaseKind.help),
    ("教育", "入学入园", "入学咨询", "教育", EDU, CaseKind.consult),
    ("民政", "养老服务", "居家养老", "养老", SOCIAL, CaseKind.help),
    ("住房", "老旧小区", "加装电梯", None, HOUSING, CaseKind.suggestion),
    ("其他", "社区事务", "", "其他", COMMITTEE, CaseKind.suggestion),
]

@dataclass(frozen=True)
class Plan:
    """A dispatch in the stories: the unit is the catalogue's for the category unless named."""

    kind: CaseKind
    urgency: Urgency = Urgency.normal
    track: Track = Track.now
    unit: str | None = None
    assists: tuple[str, ...] = ()


# What happens to each case, by a name that demo_consult picks cases by: (days ago received,
# category, words, steps). Steps run in order; each is (hours ago, step, argument).
STORIES: dict[str, tuple[int, str, str, list[tuple[float, str, Any]]]] = {
    "manhole": (1, "公共设施", "锦城小区3栋门口的井盖松动，踩上去会晃，老人孩子经过很危险。",
     [(20, "dispatch", Plan(kind=CaseKind.help, urgency=Urgency.urgent)), (19.5, "accept", None)]),
    "market_rubbish": (2, "环境卫生", "五里村社区菜市场后面的垃圾两天没人清运，气味很大。",
     [(30, "dispatch", Plan(kind=CaseKind.complaint))]),
    "square_lights": (4, "公共设施", "大弯社区健身广场的路灯有四盏不亮，晚上跳舞看不清。",
     [(60, "dispatch", Plan(kind=CaseKind.help, track=Track.deadline)), (58, "accept", None)]),
    "greenbelt_rubbish": (16, "环境卫生", "团结路绿化带里堆了很多建筑垃圾，一直没有人来清理。",
     [(370, "dispatch", Plan(kind=CaseKind.complaint)), (365, "accept", None)]),
    "garage_leak": (1, "公共设施", "幸福小区6栋地下车库漏水，积水已经没过脚踝，车辆进不去。",
     [(28, "dispatch", Plan(kind=CaseKind.help, urgency=Urgency.urgent)), (27, "accept", None)]),
    "ramp": (6, "公共设施", "建议在大弯社区党群服务中心门口增设无障碍坡道。",
     [(120, "dispatch", Plan(kind=CaseKind.suggestion, track=Track.deadline)), (118, "accept", None),
      (20, "reply", "已于本周完成坡道施工，欢迎居民使用并提出意见。")]),
    "bins_closed": (20, "环境卫生", "锦城小区南门外的垃圾桶满了没人倒，夏天招蚊子。",
     [(400, "dispatch", Plan(kind=CaseKind.complaint)), (398, "accept", None),
      (380, "reply", "已增加清运频次为每日两次，并更换了带盖垃圾桶。"), (370, "close", "")]),
    "school_parking": (3, "交通出行", "学校门口早晚接送时电动车乱停，堵住了人行道。",
     [(50, "dispatch", Plan(kind=CaseKind.complaint, unit=CITY)),
      (48, "send_back", "占道停放属交通秩序，由派出所交管中队负责，请改派。")]),
    "lift": (5, "公共设施", "老旧小区加装电梯，多个部门意见不一，街道协调不下来，请区里会商。",
     [(90, "escalate", "涉及住建、规划、供电三个区级部门，街道层面无法协调。")]),
    "school_zone": (8, "教育", "孩子明年上小学，想问户籍在五里村、租房在大弯社区，应该去哪所学校报名？",
     [(150, "dispatch", Plan(kind=CaseKind.consult, assists=(COMMITTEE,))), (149, "accept", None),
      (100, "escalate", "划片政策需区教育局与两个社区共同确认，提请区级会商。"),
      (70, "reply", "已与两个社区核对户籍和租房情况：孩子可到大弯小学报名，请带租房合同和居住证。"),
      (50, "district_call", ("satisfied", "家长说已经清楚去哪所学校报名了。"))]),
    "after_school": (2, "教育", "建议学校放学后开设托管班，双职工家庭接孩子很困难。",
     [(3, "dispatch", Plan(kind=CaseKind.suggestion, track=Track.deadline, assists=(SOCIAL, CITY)))]),
    # 回访: each grade online, one by telephone, one reopened after 不满意 and being redone, one
    # reopened twice and so escalated, one whose rating window passed unrated.
    "stair_lights": (9, "公共设施", "锦城小区2栋楼道的声控灯坏了，晚上上下楼要摸黑。",
     [(200, "dispatch", Plan(kind=CaseKind.help)), (199, "accept", None),
      (170, "reply", "已更换2栋1至6层声控灯，请居民试用。"), (160, "close", ""),
      (150, "rate", ("satisfied", "修得很快，谢谢。"))]),
    "toilet": (7, "环境卫生", "五里村社区公厕没有人打扫，味道很重。",
     [(160, "dispatch", Plan(kind=CaseKind.complaint)), (158, "accept", None),
      (130, "reply", "已安排保洁员每日早晚各打扫一次。"), (100, "rate", ("basic", "早上干净了，晚上还是有味道。"))]),
    "basketball": (10, "公共设施", "大弯社区篮球场的篮筐歪了，打球不安全。",
     [(230, "dispatch", Plan(kind=CaseKind.help)), (229, "accept", None),
      (200, "reply", "已加固篮筐底座。"), (190, "close", ""),
      (180, "call", ("satisfied", "居民说篮筐已经修好，很满意。"))]),
    "depot_noise": (6, "环境卫生", "幸福小区门口的垃圾中转站每天早上六点就开始作业，噪音太大。",
     [(140, "dispatch", Plan(kind=CaseKind.complaint)), (139, "accept", None),
      (110, "reply", "已要求清运公司调整作业时间。"),
      (60, "rate", ("unsatisfied", "作业时间还是早上六点，没有任何变化。"))]),
    "pavement_twice": (15, "公共设施", "团结路人行道的地砖大面积松动，下雨踩上去溅一身泥水。",
     [(350, "dispatch", Plan(kind=CaseKind.help, track=Track.deadline)), (349, "accept", None),
      (300, "reply", "已修补松动地砖二十余块。"),
      (280, "rate", ("unsatisfied", "只修了门口几块，往东一百米还是坏的。")),
      (200, "reply", "已将团结路东段松动地砖全部翻修。"),
      (150, "call", ("unsatisfied", "居民说东段修了，但西段又坏了，希望整条路统一翻修。"))]),
    "bus_seat": (30, "公共设施", "五里村社区公交站的座椅坏了一个，老人等车没地方坐。",
     [(700, "dispatch", Plan(kind=CaseKind.help)), (699, "accept", None),
      (650, "reply", "已更换公交站座椅。"), (640, "close", "")]),
}


async def build(district_id: int, town_id: int, password: str, say) -> dict:
    if await Case.exists().where(Case.district == district_id):
        return {"created": False}
    staff = await User.objects().where(User.username == "dawan_staff").first()
    reviewer = await User.objects().where(User.username == "qu_shenhe").first()
    if staff is None or reviewer is None:
        return {"created": False}
    unit_ids = {u["name"]: u["id"] for u in await units.units_of(district_id)}
    if CITY not in unit_ids:
        return {"created": False}
    if not await User.exists().where(User.username == "jiaoyu_danwei"):
        await accounts.create_user(username="jiaoyu_danwei", password=password,
                                   display_name="区教育局 罗老师（经办人）",
                                   role=Role.unit_clerk, unit_id=unit_ids[EDU])
    clerks = {u.unit: u for u in await User.objects().where(User.role == Role.unit_clerk.value)}
    cats = {c["name"]: c["id"] for c in await sg_catalog.categories()}
    entries = {}
    for l1, l2, l3, category, unit, kind in CATALOG:
        entries[category] = await catalog.add_entry(district_id, level1=l1, level2=l2, level3=l3,
                                                    unit_id=unit_ids[unit], category_id=cats.get(category), kind=kind,
                                                    actor=reviewer)
    default_unit = {category: unit for _l1, _l2, _l3, category, unit, _k in CATALOG if category}
    communities = [c["id"] for c in await Community.select(Community.id).where(Community.town == town_id).order_by(
        Community.id).run()]
    now = datetime.now(UTC)
    made = 0
    case_ids: dict[str, int] = {}
    for n, (name, (days_ago, category, words, steps)) in enumerate(STORIES.items()):
        # Came in `days_ago` days ago, and in any case before its first step.
        came = now - timedelta(hours=max(days_ago * 24, steps[0][0] + 1))
        received = came.astimezone(CHINA).date()
        with audit.as_of(came):
            receipt = await suggestions.submit(SuggestionInput(
                content=words, category_id=cats[category], community_id=communities[n % len(communities)],
                name="", phone="", received_on=received), channel=Channel.visit, town_id=town_id, actor=staff)
        case_id = 0  # set by each story's first step, its dispatch (or escalation)
        for hours_ago, step, arg in steps:
            at = now - timedelta(hours=hours_ago)
            with audit.as_of(at):  # the history shows the story's moments, not one minute
                if step == "dispatch":
                    lead = unit_ids[arg.unit or default_unit[category]]
                    d = Dispatch(lead, tuple(unit_ids[a] for a in arg.assists), kind=arg.kind,
                                 urgency=arg.urgency, track=arg.track, catalog_entry_id=entries.get(category))
                    case_id = await services.dispatch(receipt.id, d, actor=staff, now=at)
                    lead_clerk = clerks.get(lead)
                elif step == "accept":
                    await services.accept(case_id, actor=lead_clerk or staff, now=at)
                elif step == "reply":
                    await services.reply(case_id, arg, actor=lead_clerk, now=at)
                elif step == "close":
                    await services.close(case_id, arg, actor=staff, now=at)
                elif step == "send_back":
                    await services.send_back(case_id, arg, actor=lead_clerk)
                elif step == "escalate":
                    case_id = await services.escalate(receipt.id, arg, actor=staff, now=at)
                elif step == "rate":
                    await callbacks.rate_online(receipt.tracking_code, arg[0], arg[1], now=at)
                elif step in ("call", "district_call"):  # the district rings on a case sent up to it
                    await callbacks.record_call(case_id, arg[0], arg[1], in_china(at).date(),
                                                actor=staff if step == "call" else reviewer, now=at)
        made += 1
        case_ids[name] = case_id
    say(f"  接诉即办：派单目录 {len(CATALOG)} 类，{made} 件工单（待签收、超时未签收、办理中、临期、逾期、紧急、"
        f"已答复、已办结、已退单、提级；回访：网上评价满意、基本满意、不满意重办中，电话回访（街道的、区里对提级工单的），"
        f"两次不满意自动提级，评价期已过，已答复待评价）；单位经办人 dawan_danwei（城管办）、jiaoyu_danwei（区教育局）")
    say(await demo_consult.build(
        units={"city": unit_ids[CITY], "housing": unit_ids[HOUSING], "police": unit_ids[POLICE]},
        cases={"held": case_ids["greenbelt_rubbish"], "planned": case_ids["garage_leak"],
               "planned2": case_ids["market_rubbish"], "escalated": case_ids["lift"],
               "assisted": case_ids["after_school"], "cancelled": case_ids["market_rubbish"]},
        staff=staff, reviewer=reviewer, password=password, now=now))
    return {"created": True}
