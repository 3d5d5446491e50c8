"""The demo's 会商, after the cases of demo_cases: a planned 现场办公会, a held 吹哨报到 with two
units reported and one absent, its decision, follow-ups answered and open and both ratings of
双考核, a closed 县级会商办 that dispatched a case sent up to the district, a cancelled meeting,
and a 协办意见 given by one assisting unit while the other has not."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from yishi.accounts import services as accounts
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.cases import consult
from yishi.cases.consult import Call, Decision
from yishi.cases.enums import MeetingKind
from yishi.core.dates import CHINA, in_china


def _at(now: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    day = in_china(now).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=CHINA)


async def build(*, units: dict[str, int], cases: dict[str, int], staff, reviewer, password: str,
                now: datetime) -> str:
    """`units` by name, `cases` by the role they play here: held, planned, planned2, escalated,
    assisted, cancelled."""
    city, housing, police = units["city"], units["housing"], units["police"]
    if not await User.exists().where(User.username == "zhujian_danwei"):
        await accounts.create_user(username="zhujian_danwei", password=password,
                                   display_name="区住建局 何工（经办人）", role=Role.unit_clerk, unit_id=housing)
    clerks = {u.unit: u for u in await User.objects().where(User.role == Role.unit_clerk.value)}
    city_clerk, housing_clerk = clerks[city], clerks[housing]

    # 吹哨报到, held three days ago: the city office and housing came, the police did not.
    held = await consult.call(Call(MeetingKind.whistle, _at(now, -3, 9, 30), "大弯街道办事处三楼会议室",
                                   "团结路绿化带建筑垃圾久拖未清", (cases["held"],), (city, housing, police)),
                              actor=staff, now=now - timedelta(days=5))
    await consult.report(held, "城管办 李科长", actor=city_clerk, now=_at(now, -3, 9, 20))
    await consult.record_attendance(held, {city: "城管办 李科长", housing: "住建局 何工"}, actor=staff,
                                    now=_at(now, -3, 9, 35))
    await consult.hold(held, "建筑垃圾来自相邻工地。议定城管办牵头三日内清运，住建局约谈施工单位并出具整改通知；"
                             "派出所未到会，会后另行通报。", actor=staff)
    await consult.decide(held, Decision(cases["held"], city, (housing,), "城管办牵头清运，住建局督促施工单位整改",
                                        in_china(now).date() + timedelta(days=4)), actor=staff)
    answered = await consult.add_item(held, city, cases["held"], "三日内清运团结路绿化带建筑垃圾并拍照回传",
                                      in_china(now).date() - timedelta(days=1), actor=staff)
    await consult.add_item(held, housing, cases["held"], "约谈相邻工地施工单位，出具书面整改通知",
                           in_china(now).date() + timedelta(days=3), actor=staff)
    await consult.add_item(held, police, None, "说明未到会原因，并派员核查夜间偷倒渣土车辆",
                           in_china(now).date() + timedelta(days=2), actor=staff)
    await consult.answer_item(held, answered, "已于前天清运完毕，共清运建筑垃圾约 6 车，照片已上传街道。",
                              actor=city_clerk)
    await consult.rate_response(held, city, 5, "提前到会，方案具体，当天动手", actor=staff)
    await consult.rate_response(held, housing, 4, "到会，整改通知尚在走流程", actor=staff)
    await consult.rate_response(held, police, 1, "被召集未报到，也未请假", actor=staff)
    await consult.rate_prep(held, 4, "材料齐全、现场照片清楚；通知再早一天更好", actor=city_clerk)
    await consult.rate_prep(held, 5, "议题明确，会前已核清工地权属", actor=housing_clerk)

    # 现场办公会 the day after tomorrow: summoned, nobody reported yet.
    await consult.call(Call(MeetingKind.on_site, _at(now, 2, 15), "幸福小区6栋地下车库",
                            "地下车库漏水与排水设施改造", (cases["planned"], cases["planned2"]), (city, housing)),
                       actor=staff, now=now)

    # 县级会商办 on the case sent up to the district: decided, dispatched, answered, closed.
    district = await consult.call(Call(MeetingKind.joint, _at(now, -2, 14, 30), "区民生服务促进中心二楼",
                                       "老旧小区加装电梯多部门意见不一", (cases["escalated"],), (housing, city)),
                                  actor=reviewer, now=now - timedelta(days=4))
    await consult.report(district, "住建局 何工", actor=housing_clerk, now=_at(now, -2, 14, 20))
    await consult.report(district, "城管办 李科长", actor=city_clerk, now=_at(now, -2, 14, 25))
    await consult.hold(district, "议定由区住建局主责加装电梯审批与协调，街道城管办配合做好施工期间占道管理。",
                       actor=reviewer)
    await consult.decide(district, Decision(cases["escalated"], housing, (city,), "住建局主责，城管办配合",
                                            in_china(now).date() + timedelta(days=20)), actor=reviewer)
    item = await consult.add_item(district, city, cases["escalated"], "施工期间的占道审批与现场管理方案",
                                  in_china(now).date() + timedelta(days=5), actor=reviewer)
    await consult.answer_item(district, item, "方案已报区住建局，施工期间每天巡查两次。", actor=city_clerk)
    await consult.rate_response(district, housing, 5, "主动认领，思路清楚", actor=reviewer)
    await consult.rate_response(district, city, 4, "配合到位", actor=reviewer)
    await consult.rate_prep(district, 5, "", actor=housing_clerk)
    await consult.close(district, actor=reviewer)

    # A meeting called off, and one 协办意见 of two.
    cancelled = await consult.call(Call(MeetingKind.joint, _at(now, 1, 10), "大弯街道办事处",
                                        "垃圾清运频次协调", (cases["cancelled"],), (city,)), actor=staff, now=now)
    await consult.cancel(cancelled, "城管办已答应增加清运频次，不再需要会商。", actor=staff)
    await consult.write_opinion(cases["assisted"], "建议与附近小学共用场地，托管人员由社工中心统一培训。",
                                actor=city_clerk, now=now)
    return ("  会商：待召开的现场办公会、已召开的吹哨报到（两个单位报到、一个未报到，决定、会后事项、双考核）、"
            "已办结的县级会商办、已取消的会商；协办意见；单位经办人 zhujian_danwei（区住建局）")
