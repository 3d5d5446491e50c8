"""评实效 in the demo: rating codes and residents' ratings of Dawan's written-off project (online,
paper entered twice, 电话回访), an unsatisfied case in the ledger, an observer's scores, and
enough suggestions in each of the seven streets, this month and last, for the monthly ranking.
Skips itself once the district has an observer account (so `yishi demo` stays idempotent)."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from piccolo.columns import Column

from yishi.accounts import services as accounts
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.core import dates
from yishi.evaluation import observers, services
from yishi.evaluation.rules import month_bounds, previous_month
from yishi.places import services as places
from yishi.projects import services as projects
from yishi.projects.enums import ProjectState
from yishi.suggestions import catalog as sg_catalog
from yishi.suggestions import services as sg
from yishi.suggestions.enums import Channel, SuggestionStatus
from yishi.suggestions.inputs import SuggestionInput
from yishi.suggestions.tables import Suggestion

OBSERVER = "guanchayuan"
# Per street: (answered on time, answered late, left unanswered, resolved) of ten suggestions a
# month, last month then this month: a spread that puts streets in every band.
PROFILES = {
    "大弯街道": ((8, 1, 1, 7), (9, 1, 0, 8)),
    "大同街道": ((6, 2, 2, 5), (9, 1, 0, 8)),
    "弥牟镇": ((9, 1, 0, 9), (10, 0, 0, 9)),
    "城厢镇": ((5, 2, 3, 4), (5, 2, 3, 4)),
    "姚渡镇": ((7, 2, 1, 6), (7, 1, 2, 6)),
    "清泉镇": ((4, 3, 3, 3), (7, 2, 1, 6)),
    "红阳街道": ((8, 1, 1, 7), (6, 2, 2, 5)),
}
COMMENTS = {
    "satisfied": ["座椅很方便，老人上楼能歇脚。", "", "", "谢谢社区，做得很实在。", ""],
    "basic": ["有的楼层还没装。", "", "希望高一点。"],
    "unsatisfied": ["3 栋二楼的座椅松动了，坐上去晃。", ""],
}


async def build(district_id: int, password: str, say) -> dict:
    if await User.exists().where(User.username == OBSERVER):
        return {"created": False}
    observer = await accounts.create_user(username=OBSERVER, password=password, display_name="陈明（市民观察员）",
                                          role=Role.observer, district_id=district_id)
    rng = random.Random(12)
    rated = await _ratings(district_id, rng)
    await _suggestions(district_id, rng)
    if rated:
        await observers.score(rated, {"办理响应度": 5, "完成质量": 4, "资金使用": 4, "群众参与": 5},
                              {"完成质量": "个别座椅需加固", "群众参与": "点位由居民议事会逐栋商定"},
                              "居民认可度高，建议推广到其他老旧小区。", actor=observer)
    say(f"  评实效：已销账项目的居民评价（网上、纸质、电话回访）、不满意问题台账、观察员评分；"
        f"七个镇（街道）的月度三率排名。观察员账号 {OBSERVER}")
    return {"created": True, "rated_project": rated}


async def _ratings(district_id: int, rng: random.Random) -> int | None:
    done = [p for p in await projects.projects_of_district(district_id) if p["state"] is ProjectState.written_off]
    if not done:
        return None
    p = done[0]
    staff = await User.objects().where(User.username == "dawan_staff").first()
    collector = await User.objects().where(User.username == "dawan_collector").first()
    if staff is None or collector is None:
        raise RuntimeError("the demo's 大弯街道 accounts (dawan_staff, dawan_collector) are missing")
    communities = await places.communities_of(p["town_id"])
    for c in communities:
        await services.print_codes(p["round"], c["id"], 20, actor=staff)
    own = [s["code"] for s in await services.codes_of(p["round"], collector.community)][-3:]
    for code, grade in zip(own, ["satisfied", "basic", "satisfied"], strict=True):
        await services.enter_paper(p["id"], code, grade, "", actor=collector)
        await services.enter_paper(p["id"], code, grade, "", actor=staff)
    slips = [s["code"] for s in await services.codes_of(p["round"]) if s["code"] not in own]
    grades = ["satisfied"] * 26 + ["basic"] * 8 + ["unsatisfied"] * 4
    rng.shuffle(grades)
    for code, grade in zip(slips[:len(grades)], grades, strict=True):  # 38 rate online, the other slips unused
        await services.rate_online(p["id"], code, grade, rng.choice(COMMENTS[grade]))
    for grade in ("satisfied", "satisfied", "basic", "unsatisfied"):
        await services.record_call(p["id"], grade, "楼道灯还是太暗。" if grade == "unsatisfied" else "",
                                   community_id=None, actor=staff)
    return p["id"]


async def _suggestions(district_id: int, rng: random.Random) -> None:
    """Ten suggestions a street a month, last month and this. Their history (answered when,
    resolved or not) is written straight into the rows, as demo.build_suggestions stamps dates:
    going through every handling step for 140 cases would add nothing to the demo."""
    cats = [c["id"] for c in await sg_catalog.categories()]
    today = dates.today()
    this = today.strftime("%Y-%m")
    towns = {t["name"]: t["id"] for t in await places.towns(await places.town_ids_of_district(district_id))}
    for name, (last_profile, this_profile) in PROFILES.items():
        if name not in towns:
            continue
        communities = await places.communities_of(towns[name])
        for month, profile in ((previous_month(this), last_profile), (this, this_profile)):
            first, last = month_bounds(month)
            last = min(last, today - timedelta(days=1)) if month == this else last
            if last < first:
                continue
            on_time, late, unanswered, resolved = profile
            kinds = ["on_time"] * on_time + ["late"] * late + ["unanswered"] * unanswered
            for n, kind in enumerate(kinds):
                received = first + timedelta(days=rng.randrange((last - first).days + 1))
                receipt = await sg.submit(SuggestionInput(
                    content=f"{name}居民反映：小区公共设施需要维修（演示数据 {month} 第 {n + 1} 件）。",
                    category_id=rng.choice(cats), community_id=rng.choice(communities)["id"], name="", phone="",
                    received_on=None), channel=Channel.qr, actor=None)
                values: dict[Column | str, Any] = {Suggestion.received_on: received}
                if kind != "unanswered":
                    replied = min(_moment(received, 1 if kind == "on_time" else 12), dates.now())
                    values.update({Suggestion.replied_at: replied, Suggestion.status: SuggestionStatus.in_progress})
                    if n < resolved:
                        values.update({Suggestion.status: SuggestionStatus.closed, Suggestion.closed_at: replied})
                await Suggestion.update(values).where(Suggestion.id == receipt.id).run()


def _moment(day: date, days_after: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(days=days_after, hours=2)
