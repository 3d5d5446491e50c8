"""民情热度表 in the demo: twelve weeks of Dawan's suggestions spread over its communities,
categories and 点位 (a compound or building named), most of them answered and closed, and one
warning firing: 锦城社区's 环境卫生 suggestions this week, seven against a usual one. Skips itself
once Dawan has a suggestion that names a 点位 (so `yishi demo` stays idempotent)."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from yishi.core import dates
from yishi.places import services as places
from yishi.suggestions import catalog as sg_catalog
from yishi.suggestions import services as sg
from yishi.suggestions.enums import Channel, SuggestionStatus
from yishi.suggestions.inputs import SuggestionInput
from yishi.suggestions.tables import Suggestion

TOWN = "大弯街道"
WEEKS = 12
PER_WEEK = 11
# 点位 per community, as residents and collectors name them.
SPOTS = {
    "大弯社区": ["大弯菜市场", "大弯小区2栋", "文化广场"],
    "五里村社区": ["五里村安置小区", "村口公交站"],
    "团结社区": ["团结小区北门", "团结小区5栋", "社区卫生站"],
    "锦城社区": ["锦城花园", "锦城花园3栋", "锦城路口"],
    "双元社区": ["双元小区", "双元幼儿园门口"],
}
# What residents ask about, by category (the defaults), a few words each.
TOPICS = {
    "教育": "放学时段校门口拥堵，希望增加护学岗。", "养老": "老人白天没人照看，希望增加日间照料服务。",
    "医疗": "卫生站周末不开门，老人看病不方便。", "交通出行": "路口没有红绿灯，早晚高峰过马路危险。",
    "环境卫生": "垃圾桶满了没人清运，夏天气味很大。", "公共设施": "楼道灯坏了，晚上上下楼看不见。",
    "安全": "单元门禁坏了，外人随便进出。", "其他": "希望社区多组织文体活动。",
}
WEIGHTS = {"教育": 2, "养老": 3, "医疗": 2, "交通出行": 3, "环境卫生": 2, "公共设施": 3, "安全": 2, "其他": 1}
SPIKE = ("锦城社区", "环境卫生", "锦城花园", 7)


async def build(district_id: int, say, seed: int = 19) -> None:
    towns = {t["name"]: t["id"] for t in await places.towns(await places.town_ids_of_district(district_id))}
    if TOWN not in towns or await Suggestion.exists().where(
            (Suggestion.town == towns[TOWN]) & (Suggestion.spot != "")):
        return
    rng = random.Random(seed)
    town = towns[TOWN]
    communities = {c["name"]: c["id"] for c in await places.communities_of(town)}
    cats = {c["name"]: c["id"] for c in await sg_catalog.categories()}
    today = dates.today()
    names = [n for n in WEIGHTS if n in cats]
    weights = [WEIGHTS[n] for n in names]
    n = 0
    for week in range(WEEKS, 0, -1):  # the weeks before this one: the usual level
        for _i in range(PER_WEEK):
            community = rng.choice(list(communities))
            category = rng.choices(names, weights)[0]
            if (community, category) == SPIKE[:2] and rng.random() < 0.7:
                category = "公共设施"  # 锦城's 环境卫生 stays at about one a week or less
            received = today - timedelta(days=7 * week + rng.randrange(7))
            await _one(town, communities[community], cats[category], community, category,
                       rng.choice([*SPOTS.get(community, [""]), ""]), received, rng)
            n += 1
    community, category, spot, count = SPIKE
    for day in range(count):  # this week's rise
        await _one(town, communities[community], cats[category], community, category, spot,
                   today - timedelta(days=day % 7), rng, fresh=True)
    say(f"  民情热度表：{TOWN}近 {WEEKS} 周 {n + count} 条带点位的建议；"
        f"{community}“{category}”本周 {count} 件，触发预警")


async def _one(town: int, community_id: int, category_id: int, community: str, category: str, spot: str,
               received: date, rng: random.Random, fresh: bool = False) -> None:
    content = f"{community}{spot}：{TOPICS.get(category, '希望社区帮忙解决。')}"
    if fresh:
        content = f"{community}{spot}：垃圾站这周一直没人清运，苍蝇多、味道大，居民意见很大。"
    data = SuggestionInput(content=content, category_id=category_id, community_id=community_id, spot=spot)
    receipt = await sg.submit(data, channel=rng.choice([Channel.qr, Channel.visit, Channel.hotline]), town_id=town)
    values: dict[Any, Any] = {Suggestion.received_on: received}
    age = (dates.today() - received).days
    if not fresh and age > 10:
        replied = datetime.combine(received, datetime.min.time(), UTC) + timedelta(
            days=rng.choice([1, 2, 2, 5]), hours=3)
        values.update({Suggestion.replied_at: replied, Suggestion.status: SuggestionStatus.in_progress,
                       Suggestion.reply: "已转交社区办理，正在处理。"})
        if rng.random() < 0.8:
            values.update({Suggestion.status: SuggestionStatus.closed, Suggestion.closed_at: replied,
                           Suggestion.reply: "已处理完毕，感谢您的反映。"})
    await Suggestion.update(values).where(Suggestion.id == receipt.id).run()
