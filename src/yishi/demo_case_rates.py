"""The demo's 办件三率, ranking and 约谈: Dawan's cases of the two months before this one, handled
by six units at different speeds, some brought in by two collector teams and rated by residents;
the district's ranking rule, a 约谈 with the unit last in the first month (区住房和城乡建设局,
slow to sign and to close) and its follow-up the month after, when it has improved; the unit
with most cases (the police station) is flagged too and left waiting for its talk.

Runs after demo_cases (the units, their catalogue and two clerks); skips itself once the district
has a talk on record. The cases stay out of 锦城社区, whose rise this week is the pulse's warning
(demo_pulse), and every case is closed or answered, so the open lists keep demo_cases' stories."""
from __future__ import annotations

from datetime import datetime, timedelta

from yishi.accounts import services as accounts
from yishi.accounts import units
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.cases import services
from yishi.cases.enums import CaseKind
from yishi.cases.services import Dispatch
from yishi.core import dates
from yishi.core.dates import CHINA
from yishi.evaluation import callbacks, case_ranking, rules, talks
from yishi.evaluation.tables import UnitTalk
from yishi.places.tables import Community
from yishi.suggestions import catalog as sg_catalog
from yishi.suggestions import services as suggestions
from yishi.suggestions.enums import Channel, Track
from yishi.suggestions.inputs import SuggestionInput

PASSWORD_NOTE = "密码同其他演示账号"
CITY, POLICE, EDU = "大弯街道城市管理办公室", "区公安分局大弯派出所", "区教育局"
SOCIAL, HOUSING, COMMITTEE = "青白江区乐邻社会工作服务中心", "区住房和城乡建设局", "大弯社区居民委员会"
CLERKS = {POLICE: ("paichusuo_danwei", "大弯派出所 何警官（经办人）"),
          SOCIAL: ("shegong_danwei", "乐邻社工 陈社工（经办人）"),
          HOUSING: ("zhujian_danwei", "区住建局 杨科员（经办人）"),
          COMMITTEE: ("dawan_juweihui", "大弯社区居委会 刘主任（经办人）")}
COLLECTOR2 = ("tuanjie_shouji", "赵敏（团结社区民情收集员）", "团结社区")
# unit: (cases, signed late, closed late, answered but not closed) in the first month, then the second.
PLAN = {
    CITY: ((7, 0, 0, 0), (6, 0, 0, 0)),
    POLICE: ((11, 1, 1, 0), (10, 1, 0, 0)),
    EDU: ((4, 0, 1, 0), (4, 0, 0, 0)),
    SOCIAL: ((4, 1, 0, 0), (3, 0, 0, 0)),
    HOUSING: ((6, 4, 2, 2), (5, 1, 0, 0)),
    COMMITTEE: ((3, 0, 0, 0), (3, 0, 0, 0)),
}
WORDS = {
    CITY: ("公共设施", "小区路灯不亮，晚上出行不便。"), POLICE: ("交通出行", "路口电动车乱停，堵住了人行道。"),
    EDU: ("教育", "想咨询明年小学报名的划片范围。"), SOCIAL: ("养老", "独居老人希望有人定期上门看看。"),
    HOUSING: ("公共设施", "老旧小区单元楼顶漏水，下雨天屋里滴水。"), COMMITTEE: ("其他", "希望社区周末组织亲子活动。"),
}
COMMUNITIES = ("大弯社区", "五里村社区", "团结社区", "双元社区")


def _at(month: str, day: int, hour: int = 10) -> datetime:
    first = rules.month_bounds(month)[0]
    return datetime(first.year, first.month, day, hour, 0, tzinfo=CHINA)


async def build(district_id: int, password: str, say) -> dict:
    if await UnitTalk.exists().where(UnitTalk.district == district_id):
        return {"created": False}
    staff = await User.objects().where(User.username == "dawan_staff").first()
    reviewer = await User.objects().where(User.username == "qu_shenhe").first()
    collector = await User.objects().where(User.username == "dawan_collector").first()
    unit_ids = {u["name"]: u["id"] for u in await units.units_of(district_id)}
    if staff is None or reviewer is None or collector is None or any(u not in unit_ids for u in PLAN):
        return {"created": False}
    communities = {c["name"]: c["id"] for c in await Community.select(Community.id, Community.name).where(
        Community.town == staff.town).run()}
    if any(c not in communities for c in COMMUNITIES):
        return {"created": False}
    for unit, (username, name) in CLERKS.items():
        if not await User.exists().where(User.username == username):
            await accounts.create_user(username=username, password=password, display_name=name,
                                       role=Role.unit_clerk, unit_id=unit_ids[unit])
    if not await User.exists().where(User.username == COLLECTOR2[0]):
        await accounts.create_user(username=COLLECTOR2[0], password=password, display_name=COLLECTOR2[1],
                                   role=Role.collector, town_id=staff.town, community_id=communities[COLLECTOR2[2]])
    team2 = await User.objects().where(User.username == COLLECTOR2[0]).first()
    clerks = {u.unit: u for u in await User.objects().where(User.role == Role.unit_clerk.value)}
    cats = {c["name"]: c["id"] for c in await sg_catalog.categories()}
    this_month = dates.today().strftime("%Y-%m")
    second = rules.previous_month(this_month)
    first = rules.previous_month(second)
    made = 0
    for which, month in enumerate((first, second)):
        n = 0
        for unit, plans in PLAN.items():
            count, late_accept, late_close, unclosed = plans[which]
            for i in range(count):
                n += 1
                start = _at(month, 1 + (n * 19 // 36) % 20)
                by = collector if n % 4 == 0 else team2 if n % 7 == 0 else staff
                community = communities[COLLECTOR2[2]] if by is team2 else (
                    collector.community if by is collector else communities[COMMUNITIES[n % len(COMMUNITIES)]])
                category, words = WORDS[unit]
                receipt = await suggestions.submit(SuggestionInput(
                    content=words, category_id=cats[category], community_id=community, name="", phone="",
                    received_on=start.date()), channel=Channel.visit, town_id=staff.town, actor=by)
                case_id = await services.dispatch(receipt.id, Dispatch(unit_ids[unit], kind=CaseKind.help,
                                                                       track=Track.now), actor=staff, now=start)
                clerk = clerks[unit_ids[unit]]
                accepted = start + timedelta(hours=30 if i < late_accept else 2)
                await services.accept(case_id, actor=clerk, now=accepted)
                answered = accepted + timedelta(days=6 if i < late_close else 1)
                await services.reply(case_id, "已到现场处理完毕，请居民查看。", actor=clerk, now=answered)
                if count - i > unclosed:
                    await services.close(case_id, "", actor=staff, now=answered + timedelta(hours=2))
                if i % 2 == 0:
                    await callbacks.rate_online(receipt.tracking_code, "satisfied" if i % 4 == 0 else "basic",
                                                now=answered + timedelta(days=1))
                made += 1
    await case_ranking.set_rule(district_id, {"min_cases": 3, "bottom_n": 1, "bottom_below_pct": 85,
                                              "top_volume_n": 1}, actor=reviewer)
    talk_id = await talks.record(district_id, first, talks.TalkInput(
        unit_id=unit_ids[HOUSING], held_on=_at(second, 3).date(), head="区住房和城乡建设局 副局长 孙立",
        talked_by="区委社会工作部 张审核",
        agreed="一是指定专人每日两次签收工单；二是逾期工单本周内全部办结；三是下月签收及时率不低于九成。"),
        actor=reviewer, now=_at(second, 3, 15))
    await talks.follow_up(district_id, talk_id,
                          "已落实专人签收，本月超时签收由4件降为1件，逾期办结清零；继续跟踪一个月。",
                          actor=reviewer, now=_at(second, 28, 16))
    say(f"  办件三率：{first} 与 {second} 共 {made} 件工单（六个单位，两支民情收集队）；{first} 排名中区住建局末位、"
        f"派出所接诉量前列；已约谈区住建局并在 {second} 记录跟进；单位经办人 "
        + "、".join(u for u, _n in CLERKS.values()) + f"，收集员 {COLLECTOR2[0]}（{PASSWORD_NOTE}）")
    return {"created": True, "first": first, "second": second, "talk_id": talk_id}

