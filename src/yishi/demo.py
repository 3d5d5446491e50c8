"""Demo data drawn from the Qingbaijiang documents: seven towns/streets, a 5+X council, a first
round of 33 micro-projects with ballots already cast, and an earlier round already decided.
Running it twice does no harm: it stops when the district is already there."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from yishi import demo_case_rates, demo_cases, demo_delivery, demo_evaluation, demo_pulse
from yishi.accounts import services as accounts
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.ballots import casting as ballots
from yishi.ballots import lifecycle
from yishi.ballots.tables import BallotCode
from yishi.core.dates import CHINA
from yishi.meetings import compile as compiling
from yishi.meetings import decisions, desk, meeting
from yishi.meetings import records as meetings
from yishi.meetings.enums import MeetingStep, MemberCategory, Presence, VoteChoice
from yishi.meetings.tables import Council, CouncilMember
from yishi.places.enums import CommunityKind, TownKind
from yishi.places.tables import Community, District, Town
from yishi.suggestions import catalog as sg_catalog
from yishi.suggestions import services as sg
from yishi.suggestions.enums import Channel, Grade, Tier, Track
from yishi.suggestions.inputs import SuggestionInput
from yishi.suggestions.tables import Suggestion
from yishi.wishlists import services as wishlists
from yishi.wishlists import sources
from yishi.wishlists.enums import ItemKind
from yishi.wishlists.tables import Round, WishItem

DISTRICT = "成都市青白江区"
DEMO_PASSWORD = "yishi-demo-2026"

TOWNS = {
    ("大弯街道", TownKind.street): ["大弯社区", "五里村社区", "团结社区", "锦城社区", "双元社区"],
    ("红阳街道", TownKind.street): ["红阳社区", "凤凰社区", "化工社区"],
    ("大同街道", TownKind.street): ["大同社区", "龙王社区", "福洪社区"],
    ("弥牟镇", TownKind.town): ["弥牟社区", "八阵村", "聚贤村"],
    ("城厢镇", TownKind.town): ["城厢社区", "十八湾村", "天星村"],
    ("姚渡镇", TownKind.town): ["姚渡社区", "光明村"],
    ("清泉镇", TownKind.town): ["清泉社区", "同心村"],
}

# (title, description, cost in yuan, kind): the documents' examples and projects like them.
ITEMS = [
    ("“悦读”时光教育成长服务包", "为中小学生发放阅读券，合作书店和图书馆兑换", 520000, ItemKind.universal),
    ("失能老年人上门助浴", "为登记的失能、半失能老人提供每月上门助浴", 380000, ItemKind.universal),
    ("幸福食堂", "社区老年助餐点，提供平价午餐和送餐上门", 450000, ItemKind.universal),
    ("临时消防水源储备", "在老旧院落设置临时消防水源和取水点", 160000, ItemKind.universal),
    ("社区应急救护培训", "面向居民的心肺复苏和急救培训，配置AED", 120000, ItemKind.universal),
    ("爱心座椅", "在老旧楼道安装折叠座椅，方便老人上楼歇脚", 48000, ItemKind.special),
    ("清泉暑期儿童托管", "暑期为双职工家庭提供儿童托管和课业辅导", 150000, ItemKind.special),
    ("公共区域增设共享智能换电柜", "在小区公共区域增设电动自行车智能换电柜，减少楼道充电", 90000, ItemKind.pilot),
    ("流动青少年宫", "每月进社区开展艺术、科技、体育兴趣课", 210000, ItemKind.special),
    ("老旧小区加装电梯", "为两个老旧小区各加装一部电梯（居民自筹部分另计）", 1200000, ItemKind.pilot),
    ("停车难治理：错时共享停车位", "协调机关单位夜间开放停车位，小区周边施划停车位", 85000, ItemKind.special),
    ("小区监控补盲", "在出入口和死角补装监控，接入网格平台", 130000, ItemKind.special),
    ("背街小巷路灯修复", "修复和新增背街小巷路灯", 76000, ItemKind.special),
    ("社区口袋公园", "利用闲置地块建设口袋公园和健身角", 320000, ItemKind.special),
    ("垃圾分类亭改造", "改造垃圾分类投放点，增设洗手池和雨棚", 68000, ItemKind.special),
    ("非机动车棚建设", "新建带充电桩的非机动车棚", 110000, ItemKind.special),
    ("家门口就业服务站", "提供岗位信息、技能培训和灵活就业对接", 95000, ItemKind.pilot),
    ("社区卫生服务上门巡诊", "家庭医生每月上门为高龄老人巡诊", 140000, ItemKind.special),
    ("适老化改造", "为困难老人家庭加装扶手、防滑地面", 180000, ItemKind.special),
    ("邻里互助积分超市", "志愿服务积分兑换生活用品", 60000, ItemKind.pilot),
    ("楼道堆物清理与消防通道整治", "清理楼道杂物，施划消防通道标线", 35000, ItemKind.special),
    ("雨污管网疏通", "疏通老旧院落雨污管网，解决雨天积水", 230000, ItemKind.special),
    ("社区食堂助餐配送车", "购置助餐配送车，为行动不便老人送餐", 90000, ItemKind.special),
    ("四点半课堂", "放学后为小学生提供看护和作业辅导", 70000, ItemKind.special),
    ("智慧安防门禁", "老旧小区门禁系统升级，人脸识别可选", 150000, ItemKind.pilot),
    ("社区法律服务室", "律师每周驻点，提供免费法律咨询", 40000, ItemKind.special),
    ("健身器材更新", "更换老化健身器材，增设适老器材", 65000, ItemKind.special),
    ("农贸市场周边交通疏导", "早高峰安排交通劝导员，增设临时停车区", 45000, ItemKind.special),
    ("小区绿化补植", "补植行道树和绿篱，修复破损草坪", 55000, ItemKind.special),
    ("社区图书角", "在党群服务中心设立图书角，延长开放时间", 30000, ItemKind.special),
    ("独居老人智能呼叫器", "为独居老人安装一键呼叫设备，对接网格员", 88000, ItemKind.pilot),
    ("宠物友好公约与便袋箱", "设置宠物粪便便袋箱，推广文明养宠公约", 25000, ItemKind.pilot),
    ("院落议事亭", "在院落建设议事亭，方便居民坐下来商量事", 42000, ItemKind.special),
]

COUNCIL = [
    ("王建国", MemberCategory.party, "大弯街道党工委委员"),
    ("李秀英", MemberCategory.worker, "大弯社区党委书记"),
    ("陈志强", MemberCategory.worker, "团结社区居委会主任"),
    ("赵明", MemberCategory.party_member, "退休党员"),
    ("刘芳", MemberCategory.party_member, "在职党员"),
    ("周伟", MemberCategory.grid, "五里村社区网格员"),
    ("吴桂兰", MemberCategory.resident, "居民代表"),
    ("郑海", MemberCategory.resident, "居民代表"),
    ("孙丽", MemberCategory.x, "锦城物业公司经理"),
    ("何平", MemberCategory.x, "区住建局工程师"),
]


class Placement(TypedDict, total=False):
    """Where a demo account belongs (create_user's keywords)."""
    district_id: int
    town_id: int
    community_id: int


async def build(verbose: bool = False, ballots_to_cast: int = 620, seed: int = 2026) -> dict:
    say = print if verbose else (lambda *a, **k: None)
    existing = await District.select(District.id).where(District.name == DISTRICT).first().run()
    if existing:
        say("演示数据已存在，跳过。")
        await _delivery_of_existing(existing["id"], say)
        return {"created": False}
    rng = random.Random(seed)
    district = District(name=DISTRICT)
    await district.save()
    towns: dict[str, int] = {}
    communities: dict[str, list[int]] = {}
    for (name, kind), places in TOWNS.items():
        town = Town(district=district.id, name=name, kind=kind)
        await town.save()
        towns[name] = town.id
        communities[name] = []
        for place in places:
            ckind = CommunityKind.village if place.endswith("村") else CommunityKind.community
            c = Community(town=town.id, name=place, kind=ckind)
            await c.save()
            communities[name].append(c.id)
    dawan = towns["大弯街道"]

    users: list[tuple[str, str, Role, Placement]] = [
        ("admin", "系统管理员", Role.admin, {}),
        ("qu_shenhe", "区委社会工作部 张审核", Role.district_reviewer, {"district_id": district.id}),
        ("dawan_staff", "大弯街道 林工作人员", Role.street_staff, {"town_id": dawan}),
        ("dawan_zhaoji", "王建国", Role.convener, {"town_id": dawan}),
        ("dawan_member", "吴桂兰", Role.member, {"town_id": dawan}),
        ("dawan_collector", "周伟（民情收集员）", Role.collector,
         {"town_id": dawan, "community_id": communities["大弯街道"][1]}),
    ]
    for username, name, role, where in users:
        if not await User.exists().where(User.username == username):
            await accounts.create_user(username=username, password=DEMO_PASSWORD, display_name=name,
                                       role=role, **where)

    council = Council(town=dawan, name="大弯街道民情协商“5+X”组")
    await council.save()
    for name, category, org in COUNCIL:
        await meetings.add_member(council.id, name=name, category=category, organisation=org)
    convener = await User.objects().where(User.username == "dawan_zhaoji").first()

    # An earlier round, already decided, so the district's PDF can be exported straight away.
    earlier = await wishlists.create_round(town_id=dawan, title="2025年第四批次", budget_fen=70_000_000,
                                           max_ticks=3, actor=convener)
    await _fill_and_vote(earlier, ITEMS[5:13], communities["大弯街道"], 180, rng, convener,
                         council=council.id, consult_title="2025年第四批次民主恳谈会", held=(2025, 10, 15))
    r = await wishlists.get_round(earlier)
    await lifecycle.close_voting(r, actor=convener)
    await build_council_work(council.id, earlier, convener)

    first = await wishlists.create_round(town_id=dawan, title="2026年首批次", budget_fen=300_000_000,
                                         max_ticks=5, actor=convener)
    await _fill_and_vote(first, ITEMS, communities["大弯街道"], ballots_to_cast, rng, convener,
                         council=council.id, consult_title="2026年首批次民主恳谈会", held=(2026, 2, 20))
    unused = await BallotCode.select(BallotCode.code).where(
        (BallotCode.round == first) & BallotCode.used_at.is_null()).limit(3).run()

    await build_suggestions(dawan, communities["大弯街道"], {"earlier": earlier, "first": first}, say, rng)
    second = await build_consult_in_progress(council.id, dawan, convener)
    delivery = await demo_delivery.build(district.id, dawan, earlier, DEMO_PASSWORD, say)
    await demo_evaluation.build(district.id, DEMO_PASSWORD, say)
    await demo_cases.build(district.id, dawan, DEMO_PASSWORD, say)
    await demo_pulse.build(district.id, say)
    await demo_case_rates.build(district.id, DEMO_PASSWORD, say)
    say("演示数据已载入：")
    say(f"  区：{DISTRICT}\uff0c7 个镇（街道）；大弯街道议事组 {len(COUNCIL)} 人（五类固定成员 + X）")
    say(f"  批次“2026年首批次”：{len(ITEMS)} 项清单，已收回 {ballots_to_cast} 张选票，正在勾选中")
    say("  批次“2026年夏季批次”：民主恳谈会正在进行，可在会上从居民建议中编制清单；"
        "发布前可修改批次名称、预算和最多勾选项数")
    say(f"  登录账号\uff08密码都是 {DEMO_PASSWORD}\uff09\uff1a")
    for username, _name, role, _w in users:
        say(f"    {username:16s} {role.label}")
    say(f"    {'dawan_danwei':16s} {Role.unit_clerk.label}")
    say(f"    {'jiaoyu_danwei':16s} {Role.unit_clerk.label}（区教育局）")
    say(f"    {'zhujian_danwei':16s} {Role.unit_clerk.label}（区住建局）")
    say(f"    {'guanchayuan':16s} {Role.observer.label}")
    say("  可用于试投的选票码：" + "、".join(u["code"] for u in unused))
    return {"created": True, "round_id": first, "earlier_round_id": earlier, "consult_meeting_id": second,
            "unused_codes": [u["code"] for u in unused], "project_ids": delivery.get("project_ids", [])}


async def _delivery_of_existing(district_id: int, say) -> None:
    """A demo loaded before delivery existed gets it on the next run (demo_delivery skips itself
    once its unit directory is there)."""
    town = await Town.select(Town.id).where((Town.district == district_id) & (Town.name == "大弯街道")).first().run()
    if town is None:
        return
    earlier = await Round.select(Round.id).where(
        (Round.town == town["id"]) & (Round.title == "2025年第四批次")).first().run()
    if earlier is not None:
        await demo_delivery.build(district_id, town["id"], earlier["id"], DEMO_PASSWORD, say)
    await demo_evaluation.build(district_id, DEMO_PASSWORD, say)
    await demo_cases.build(district_id, town["id"], DEMO_PASSWORD, say)
    await demo_pulse.build(district_id, say)
    await demo_case_rates.build(district_id, DEMO_PASSWORD, say)


async def build_consult_in_progress(council_id: int, town_id: int, convener) -> int:
    """A third round still being compiled: two items prepared by staff, and the council's
    民主恳谈交清单 meeting under way (quorate), with residents' open suggestions to pick from."""

    round_id = await wishlists.create_round(town_id=town_id, title="2026年夏季批次", budget_fen=150_000_000,
                                            max_ticks=3, actor=convener)
    r = await wishlists.get_round(round_id)
    for title, description, yuan, kind in ITEMS[13:15]:
        await wishlists.add_item(r, title=title, description=description, cost_fen=yuan * 100, kind=kind,
                                 actor=convener)
    meeting_id = await meeting.create_meeting(
        council_id, step=MeetingStep.consult, title="2026年夏季批次民主恳谈会", round_id=round_id,
        place="大弯街道党群服务中心", held_at=datetime(2026, 6, 10, 14, 30, tzinfo=CHINA),
        actor=convener)
    m = await meeting.get_meeting(meeting_id)
    for title in ("通报近期收集的居民建议", "逐条讨论，形成民生微事服务期望清单"):
        await meeting.add_agenda_item(m, title, actor=convener)
    members = await meetings.members_of(council_id)
    for member in members[:-1]:
        await meeting.set_presence(m, member["id"], Presence.present, actor=convener)
    await meeting.start(m, actor=convener)
    return meeting_id


async def _fill_and_vote(round_id: int, items, community_ids, n_ballots, rng, actor, *, council: int,
                         consult_title: str, held: tuple[int, int, int]) -> None:
    """The list compiled and adopted in a 民主恳谈交清单 meeting, then ticked by residents."""

    r = await wishlists.get_round(round_id)
    meeting_id = await meeting.create_meeting(
        council, step=MeetingStep.consult, title=consult_title, round_id=round_id, place="大弯街道党群服务中心",
        held_at=datetime(*held, 14, 30, tzinfo=CHINA), actor=actor)
    m = await meeting.get_meeting(meeting_id)
    await meeting.add_agenda_item(m, "梳理居民建议，形成民生微事服务期望清单", actor=actor)
    for member in await meetings.members_of(council):
        await meeting.set_presence(m, member["id"], Presence.present, actor=actor)
    await meeting.start(m, actor=actor)
    m = await meeting.get_meeting(meeting_id)
    ids = []
    for title, description, yuan, kind in items:
        ids.append(await compiling.add_item(m, title=title, description=description, cost_fen=yuan * 100,
                                            kind=kind, lead_unit="", suggestion_ids=[], actor=actor))
    agenda = await meeting.agenda_of(meeting_id)
    await meeting.save_notes(m, agenda[0]["id"], f"街道汇总近期居民建议，议事组逐条讨论，合并相近建议，"
                             f"形成民生微事服务期望清单 {len(ids)} 项，交居民勾选。", actor=actor)
    await compiling.adopt(m, actor=actor)
    await meeting.close_minutes(m, actor=actor)
    r = await wishlists.get_round(round_id)
    codes: list[str] = []
    per_community = (n_ballots * 13 // 10) // len(community_ids) + 1
    for cid in community_ids:
        codes += await ballots.issue_codes(r, cid, per_community, actor=actor)
    await lifecycle.open_voting(r, actor=actor)
    # Residents favour some items: weights fall with position, with some noise.
    weights = [1.0 / (1 + 0.15 * i) * rng.uniform(0.6, 1.4) for i in range(len(ids))]
    rng.shuffle(codes)
    limit = r.max_ticks or len(ids)
    for code in codes[:n_ballots]:
        k = rng.randint(1, min(limit, len(ids)))
        chosen: set[int] = set()
        while len(chosen) < k:
            chosen.add(rng.choices(ids, weights)[0])
        await ballots.cast_ballot(code, sorted(chosen))


# --- 寻民意: residents' suggestions, from the channels the Qingbaijiang documents name ----------

# (days ago, community index, category, channel, content, name, phone)
SUGGESTIONS = [
    (40, 0, "养老", "visit", "楼道太陡，老人爬到三楼就喘不过气，能不能在楼梯转角装几个折叠座椅歇歇脚？",
     "吴桂兰", "13880011234"),
    (38, 2, "养老", "qr", "团结社区老楼没有电梯，腿脚不好的老人一年下不了几次楼，希望加装电梯。", "", "13990022345"),
    (37, 2, "养老", "hotline", "老旧小区加装电梯的事情什么时候能推动？我们愿意出一部分钱。", "陈志强", "13550033456"),
    (36, 3, "养老", "qr", "锦城小区8栋能不能装电梯，家里有坐轮椅的老人。", "", ""),
    (35, 0, "养老", "visit", "社区老人吃饭难，希望办个幸福食堂，午饭平价，行动不便的能送餐上门。",
     "赵明", "13608044567"),
    (33, 1, "养老", "survey", "家里老人失能卧床，洗澡要两个人抬，希望有上门助浴服务。", "刘芳", "13730055678"),
    (30, 4, "交通出行", "hotline", "双元社区菜市场门口早上七点到八点堵得走不动，希望安排交通劝导员。",
     "", "13840066789"),
    (29, 0, "交通出行", "qr", "小区周边停车难，晚上车停到消防通道上，能不能协调机关单位夜间开放停车位？", "", ""),
    (27, 1, "安全", "visit", "五里村社区楼道里电动车充电很危险，希望在小区增设智能换电柜。", "周伟", "13950077890"),
    (26, 3, "安全", "petition", "老院落离消防栓太远，去年起火差点出事，希望设置临时消防水源。", "郑海", "02883912345"),
    (24, 2, "教育", "online", "暑假双职工家庭孩子没人管，希望社区办暑期托管班。", "", "13560088901"),
    (22, 0, "教育", "qr", "希望社区开四点半课堂，放学后孩子有地方写作业。", "", ""),
    (20, 4, "教育", "survey", "流动青少年宫能不能每月来一次双元社区？孩子们很喜欢。", "孙丽", ""),
    (18, 1, "公共设施", "qr", "五里村背街小巷路灯坏了好几盏，晚上出门摸黑。", "", "13670099012"),
    (16, 3, "环境卫生", "visit", "垃圾分类亭太脏，夏天味道大，希望加个洗手池和雨棚。", "何平", ""),
    (15, 0, "公共设施", "hotline", "大弯社区健身器材生锈了，有一个单杠已经松动，怕伤到人。", "", "13780010123"),
    (12, 2, "医疗", "qr", "希望家庭医生每月上门给高龄老人量量血压。", "", ""),
    (10, 4, "其他", "online", "小区宠物粪便到处都是，希望设置便袋箱，推广文明养宠。", "", ""),
    (8, 1, "安全", "qr", "独居老人在家摔倒没人知道，能不能装一键呼叫器？", "", "13890021234"),
    (6, 0, "公共设施", "qr", "小区门口的公交站没有遮雨棚，下雨天老人孩子淋雨等车。", "", ""),
    (4, 3, "环境卫生", "visit", "雨天院子里积水没过脚背，雨污管网该疏通了。", "李秀英", "13570032345"),
    (2, 2, "交通出行", "qr", "学校门口放学时段车辆乱停，孩子过马路不安全。", "", ""),
    (1, 4, "养老", "qr", "希望社区食堂周末也开门。", "", ""),
    (0, 1, "其他", "online", "建议在党群服务中心设个图书角，晚上也能开放。", "", ""),
]


async def build_suggestions(town_id: int, community_ids: list[int], rounds: dict[str, int], say, rng) -> dict:
    """Observation points, two dozen suggestions in every state, duplicates merged, some turned into
    wish-list items: enough for the list, the numbers and a resident's tracking page."""

    staff = await User.objects().where(User.username == "dawan_staff").first()
    collector = await User.objects().where(User.username == "dawan_collector").first()
    points = []
    for idx, name, address in [(0, "大弯社区党群服务中心观测点", "大弯社区党群服务中心一楼大厅"),
                               (1, "五里村社区市民驿站观测点", "五里村社区市民驿站"),
                               (3, "锦城社区小区门岗观测点", "锦城小区南门门岗")]:
        points.append(await sg_catalog.create_point(community_id=community_ids[idx], name=name, address=address,
                                                    actor=staff))
    cats = {c["name"]: c["id"] for c in await sg_catalog.categories()}
    now = datetime.now(UTC)
    ids = []
    codes = []
    for days_ago, cidx, category, channel, content, name, phone in SUGGESTIONS:
        received = (now - timedelta(days=days_ago)).astimezone(CHINA).date()
        data = SuggestionInput(content=content, category_id=cats[category], community_id=community_ids[cidx],
                               name=name, phone=phone, received_on=received)
        chan = Channel(channel)
        point_at = {0: 0, 1: 1, 3: 2}.get(cidx)  # the communities with an observation point
        point = points[point_at] if chan is Channel.qr and point_at is not None else None
        receipt = await sg.submit(data, channel=chan, point_id=point, actor=None if chan is Channel.qr else collector)
        if chan is Channel.qr:
            await Suggestion.update({Suggestion.received_on: received}).where(Suggestion.id == receipt.id)
        ids.append(receipt.id)
        codes.append(receipt.tracking_code)

    async def stamp(sid: int, days_after: int, *columns) -> None:
        row = await Suggestion.select(Suggestion.received_on).where(Suggestion.id == sid).first().run()
        if row is None:
            raise RuntimeError(f"demo suggestion {sid} is missing")
        moment = datetime.combine(row["received_on"], datetime.min.time(), UTC) + timedelta(
            days=days_after, hours=2)
        await Suggestion.update({c: moment for c in columns}).where(Suggestion.id == sid)

    async def grade(i, g, track, tier, lead):
        await sg.grade(ids[i], grade=g, track=track, tier=tier, lead_unit=lead, actor=staff)
        await stamp(ids[i], 1, Suggestion.graded_at)

    # Lifts: three residents, one case, studied at district level.
    await grade(1, Grade.A, Track.study, Tier.district, "区住建局")
    await sg.merge(ids[1], [ids[2], ids[3]], actor=staff)
    await sg.start_handling(ids[1], actor=staff)
    await sg.answer(ids[1], "已转区住建局研究，正在摸排团结、锦城两个小区的加装条件，下月召开居民意见征询会。",
                    actor=staff)
    await stamp(ids[1], 10, Suggestion.replied_at)
    # Folding seats and the canteen: turned into wish-list items.
    seat = await WishItem.select(WishItem.id).where(
        (WishItem.round == rounds["earlier"]) & (WishItem.title == "爱心座椅")).first().run()
    if seat:
        await sources.link_to_item([ids[0]], item_id=seat["id"], actor=staff)
        await stamp(ids[0], 6, Suggestion.replied_at, Suggestion.closed_at)
    for i, title in ((4, "幸福食堂"), (5, "失能老年人上门助浴"), (9, "临时消防水源储备"),
                     (8, "公共区域增设共享智能换电柜"), (10, "清泉暑期儿童托管")):
        item = await WishItem.select(WishItem.id).where(
            (WishItem.round == rounds["first"]) & (WishItem.title == title)).first().run()
        if item:
            await grade(i, Grade.A, Track.deadline, Tier.street, "大弯街道社区发展办")
            await sources.link_to_item([ids[i]], item_id=item["id"], actor=staff)
            await stamp(ids[i], rng.randint(4, 12), Suggestion.replied_at, Suggestion.closed_at)
    # Handled at once by the community.
    for i, lead, reply, days in (
        (13, "五里村社区居委会", "已联系供电所，背街小巷 6 盏路灯已于本周修复，新增 2 盏。感谢您的反映！", 2),
        (15, "大弯社区居委会", "松动的单杠已拆除，新器材已申报，更换前已设置警示牌。", 3),
        (14, "锦城社区物业", "分类亭已清洗消毒，物业每天清运两次；洗手池和雨棚已报入下一批清单征集。", 6),
    ):
        await grade(i, Grade.C, Track.now, Tier.community, lead)
        await sg.start_handling(ids[i], actor=staff)
        await sg.close(ids[i], reply, actor=staff)
        await stamp(ids[i], days, Suggestion.replied_at, Suggestion.closed_at)
    await grade(17, Grade.C, Track.now, Tier.community, "双元社区居委会")
    await sg.reject(ids[17], "属于居民公约和物业管理范围，不宜使用民生微事资金。",
                    "谢谢您的建议。文明养宠将写入小区居民公约，由物业在小区内张贴提示；便袋箱请业委会协商设置。",
                    actor=staff)
    await stamp(ids[17], 3, Suggestion.replied_at, Suggestion.closed_at)
    # In progress, one of them late; the newest ones still waiting to be graded.
    await grade(6, Grade.B, Track.deadline, Tier.street, "区交通运输局")
    await sg.start_handling(ids[6], actor=staff)
    await grade(7, Grade.B, Track.deadline, Tier.street, "大弯街道城管办")
    await grade(16, Grade.C, Track.now, Tier.community, "大弯社区卫生服务站")
    await grade(20, Grade.C, Track.now, Tier.community, "锦城社区居委会")
    say(f"  居民建议：{len(ids)} 条（3 个“码上听”观测点），"
        f"查询码示例：{codes[1]}\uff08已合并的加装电梯\uff09、{codes[13]}\uff08已办结\uff09")
    return {"suggestion_ids": ids, "tracking_codes": codes}


# --- 议民情: the council's meeting on the earlier round, and its way to the district ---------

async def build_council_work(council_id: int, round_id: int, convener) -> dict:
    """A 民主议事定方向 meeting for the earlier round: sign-in (one member on leave, one X guest),
    an agenda with notes, a show of hands on every item, the decision from the votes, closed
    minutes; then the street submits the intent list to the district desk (awaiting review)."""

    for username, name in (("dawan_zhaoji", "王建国"), ("dawan_member", "吴桂兰")):
        user = await User.select(User.id).where(User.username == username).first()
        if user is None:
            raise RuntimeError(f"the demo account {username} is missing")
        await CouncilMember.update({CouncilMember.user: user["id"]}).where(
            (CouncilMember.council == council_id) & (CouncilMember.name == name))
    held = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)
    meeting_id = await meeting.create_meeting(
        council_id, step=MeetingStep.decide, title="2025年第四批次民主议事会", held_at=held,
        place="大弯街道党群服务中心二楼会议室", round_id=round_id, actor=convener)
    m = await meeting.get_meeting(meeting_id)
    for title in ("通报群众勾选结果和批次预算", "逐项讨论清单项目", "逐项表决，形成意愿清单"):
        await meeting.add_agenda_item(m, title, actor=convener)
    members = await meetings.members_of(council_id)
    for member in members:
        presence = Presence.leave if member["name"] == "郑海" else Presence.present
        await meeting.set_presence(m, member["id"], presence, actor=convener)
    await meeting.add_guest(m, name="钱进", organisation="锦城物业公司", reason="涉及小区公共区域改造", actor=convener)
    await meeting.start(m, actor=convener)
    m = await meeting.get_meeting(meeting_id)
    agenda = await meeting.agenda_of(meeting_id)
    await meeting.save_notes(m, agenda[0]["id"], "本批次清单 8 项，发放选票码 240 个，收回选票 180 张；预算 70 万元。",
                             actor=convener)
    await meeting.save_notes(m, agenda[1]["id"], "成员认为爱心座椅、背街小巷路灯修复群众呼声高、投入小，应优先实施；"
                             "小区监控补盲需与公安部门衔接点位。", actor=convener)
    support = await meetings.decision_support(round_id)
    state = await meeting.state(m)
    present = sorted(state.present_ids)
    for item_id in state.counts:
        if item_id in support.greedy:
            choices = {mid: (VoteChoice.abstain if i == 0 else VoteChoice.yes) for i, mid in enumerate(present)}
        else:
            choices = {mid: (VoteChoice.yes if i < 2 else VoteChoice.no) for i, mid in enumerate(present)}
        await meeting.record_votes(m, item_id, choices, actor=convener)
    await decisions.decide(m, "经民情协商“5+X”组民主议事，结合群众勾选结果和批次预算，"
                            "逐项表决通过意愿清单所列民生微事，报请区委社会工作部审议。", "", actor=convener)
    await meeting.save_notes(m, agenda[2]["id"], "逐项举手表决，表决结果见下表。", actor=convener)
    await meeting.close_minutes(m, actor=convener)
    staff = await User.objects().where(User.username == "dawan_staff").first()
    submission = await desk.submit(await wishlists.get_round(round_id), "经议事组表决通过，请审议。", actor=staff)
    return {"meeting_id": meeting_id, "submission_id": submission}
