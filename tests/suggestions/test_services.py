"""Suggestion services: intake, lifecycle, merge, wish-list link, search, numbers, purge."""
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.core.errors import Conflict, DomainError, InvalidInput, NotFound
from yishi.core.i18n import _, language
from yishi.suggestions import catalog, history, privacy, queries, retention, rules, services
from yishi.suggestions.enums import Channel, Grade, SuggestionStatus, Tier, Track
from yishi.suggestions.inputs import SuggestionInput
from yishi.suggestions.tables import Suggestion
from yishi.wishlists import services as wishlists
from yishi.wishlists import sources
from yishi.wishlists.enums import ItemKind
from yishi.wishlists.tables import WishLink


async def _setup():
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    return places, staff


async def _cat(name="公共设施") -> int:
    return {c["name"]: c["id"] for c in await catalog.categories()}[name]


async def test_categories_default_to_the_eight_of_the_issue():
    names = [c["name"] for c in await catalog.categories()]
    assert names == ["教育", "养老", "医疗", "交通出行", "环境卫生", "公共设施", "安全", "其他"]


async def test_submit_stores_phone_encrypted_hashed_and_masked():
    places, _ = await _setup()
    receipt = await f.make_suggestion(places, phone="138 1234 1234", name="王秀英")
    row = await Suggestion.select().where(Suggestion.id == receipt.id).first().run()
    assert rules.is_plausible_code(row["tracking_code"])
    assert row["status"] == "received"
    assert row["phone_masked"] == "138****1234"
    assert "13812341234" not in row["phone_cipher"]
    assert row["phone_hash"] == privacy.vault().lookup_hash("13812341234")
    assert privacy.vault().decrypt(row["phone_cipher"]) == "13812341234"
    assert row["town"] == places["town"]
    assert row["received_on"] == rules.today_in_china()


@pytest.mark.parametrize("content,category,community,phone,field", [
    ("短", "公共设施", 0, "", "content"),
    ("字" * 1001, "公共设施", 0, "", "content"),
    ("路灯坏了很久了", None, 0, "", "category"),
    ("路灯坏了很久了", "公共设施", None, "", "community"),
    ("路灯坏了很久了", "公共设施", 0, "12345", "phone"),
])
async def test_submit_rejects_bad_input_and_saves_nothing(content, category, community, phone, field):
    places, _ = await _setup()
    data = SuggestionInput(content=content, category_id=await _cat(category) if category else None,
                           community_id=places["communities"][community] if community is not None else None,
                           phone=phone)
    with pytest.raises(InvalidInput) as exc:
        await services.submit(data, channel=Channel.qr)
    assert exc.value.field == field
    assert exc.value.status_code == 400
    assert await Suggestion.count() == 0


async def test_public_submit_ignores_backdate_but_collector_may_backdate():
    places, _ = await _setup()
    collector = await f.make_user(Role.collector, places)
    week_ago = rules.today_in_china() - timedelta(days=7)
    public = await f.make_suggestion(places, received_on=week_ago)
    visit = await f.make_suggestion(places, received_on=week_ago, actor=collector, channel=Channel.visit)
    assert (await services.get(public.id))["received_on"] == rules.today_in_china()
    row = await services.get(visit.id)
    assert row["received_on"] == week_ago
    assert row["recorded_by"] == collector.id and row["channel"] == "visit"
    with pytest.raises(InvalidInput):
        await f.make_suggestion(places, received_on=rules.today_in_china() + timedelta(days=1), actor=collector)


async def test_grade_sets_due_date_from_track_and_keeps_history():
    places, staff = await _setup()
    r = await f.make_suggestion(places)
    await services.grade(r.id, grade=Grade.C, track=Track.now, tier=Tier.community, lead_unit="社区居委会",
                         actor=staff)
    row = await services.get(r.id)
    assert row["status"] is SuggestionStatus.graded
    assert row["due_on"] == row["received_on"] + timedelta(days=3)
    assert row["handler"] == staff.id
    await services.grade(r.id, grade=Grade.B, track=Track.study, tier=Tier.district, lead_unit="区住建局",
                         actor=staff)
    row = await services.get(r.id)
    assert (row["grade"], row["track"], row["due_on"]) == ("B", "study", row["received_on"] + timedelta(days=30))
    lines = [h["text"] for h in await history.history(r.id)]
    assert lines[0].startswith("受理（码上听")
    assert lines[1].startswith("分级（分级：C 能够及时办理；办理方式：即可办；办理层级：社区直接办；"
                               "牵头单位：社区居委会；办理期限：")
    assert "分级：C 能够及时办理 → B 情况复杂不能及时办理" in lines[2]
    assert "牵头单位：社区居委会 → 区住建局" in lines[2]
    assert all(h["who"] == staff.display_name for h in (await history.history(r.id))[1:])


async def test_grade_uses_town_deadline_setting():
    places, staff = await _setup()
    await catalog.set_track_days(places["town"], {Track.now: 2, Track.deadline: 10, Track.study: 45}, actor=staff)
    r = await f.make_suggestion(places)
    await services.grade(r.id, grade=Grade.A, track=Track.deadline, actor=staff)
    row = await services.get(r.id)
    assert row["due_on"] == row["received_on"] + timedelta(days=10)
    with pytest.raises(InvalidInput):
        await catalog.set_track_days(places["town"], {Track.now: 0}, actor=staff)


async def test_lifecycle_close_requires_reply_and_grading():
    places, staff = await _setup()
    r = await f.make_suggestion(places)
    with pytest.raises(Conflict):
        await services.close(r.id, "已修好", actor=staff)  # not graded yet
    await services.grade(r.id, grade=Grade.C, track=Track.now, actor=staff)
    await services.start_handling(r.id, actor=staff)
    with pytest.raises(InvalidInput) as exc:
        await services.close(r.id, "  ", actor=staff)
    assert exc.value.message == "请填写给居民的答复。"
    await services.close(r.id, "路灯已于3月5日修复，感谢您的反映。", actor=staff)
    row = await services.get(r.id)
    assert row["status"] is SuggestionStatus.closed
    assert row["closed_at"] is not None and row["replied_at"] is not None
    with pytest.raises(Conflict) as exc:
        await services.answer(r.id, "再答复", actor=staff)
    assert "已办结" in exc.value.message


async def test_reject_requires_reason_and_reply():
    places, staff = await _setup()
    r = await f.make_suggestion(places)
    with pytest.raises(InvalidInput) as exc:
        await services.reject(r.id, "", "答复", actor=staff)
    assert exc.value.field == "reason"
    with pytest.raises(InvalidInput):
        await services.reject(r.id, "不属于社区事务", "", actor=staff)
    await services.reject(r.id, "该路段属市政道路，已转12345", "您反映的路段由市政部门管理，已转交。", actor=staff)
    row = await services.get(r.id)
    assert row["status"] is SuggestionStatus.rejected and row["reject_reason"] == "该路段属市政道路，已转12345"


async def test_interim_answer_sets_first_reply_time_once():
    places, staff = await _setup()
    r = await f.make_suggestion(places)
    await services.answer(r.id, "已转交区住建局研究。", actor=staff)
    first = (await services.get(r.id))["replied_at"]
    await services.answer(r.id, "区住建局已现场查看。", actor=staff)
    row = await services.get(r.id)
    assert row["replied_at"] == first and row["reply"] == "区住建局已现场查看。"
    assert row["status"] is SuggestionStatus.received


async def test_merge_counts_supporters_and_every_code_shows_the_answer():
    places, staff = await _setup()
    a = await f.make_suggestion(places, content="建议在小区加装电梯，老人上下楼太难。")
    b = await f.make_suggestion(places, content="老旧小区能不能加装电梯？")
    c = await f.make_suggestion(places, content="希望给5栋装电梯。")
    d = await f.make_suggestion(places, content="加装电梯，我们愿意出一部分钱。")
    assert await services.merge(b.id, [c.id], actor=staff) == 2
    assert await services.merge(a.id, [b.id, d.id], actor=staff) == 4
    # c was merged into b, which was merged into a: flattened to point at a directly
    assert (await services.get(c.id))["merged_into"] == a.id
    await services.grade(a.id, grade=Grade.A, track=Track.study, actor=staff)
    await services.close(a.id, "已列入2026年老旧小区改造计划，加装电梯。", actor=staff)
    for receipt in (a, b, c, d):
        view = await services.track(receipt.tracking_code)
        assert view.status is SuggestionStatus.closed
        assert view.reply == "已列入2026年老旧小区改造计划，加装电梯。"
        assert view.supporters == 4
        assert view.merged is (receipt is not a)
    assert (await services.track(c.tracking_code)).content == "希望给5栋装电梯。"


async def test_merge_refuses_closed_other_town_and_self():
    places, staff = await _setup()
    other_places = await f.make_places()
    a = await f.make_suggestion(places)
    b = await f.make_suggestion(places)
    x = await f.make_suggestion(other_places)
    with pytest.raises(InvalidInput):
        await services.merge(a.id, [a.id], actor=staff)
    with pytest.raises(Conflict):
        await services.merge(a.id, [x.id], actor=staff)
    await services.reject(b.id, "重复", "已答复", actor=staff)
    with pytest.raises(Conflict):
        await services.merge(a.id, [b.id], actor=staff)
    assert (await services.get(a.id))["supporters"] == 1


async def test_to_wish_item_links_both_ways_and_lists_suggestions():
    places, staff = await _setup()
    a = await f.make_suggestion(places, content="楼道太陡，希望装折叠座椅歇脚。", category="养老")
    b = await f.make_suggestion(places, content="老人爬楼梯中间没地方坐。", category="养老")
    r = await f.make_round(places, items=0, actor=staff)
    item_id = await sources.to_wish_item([a.id, b.id], round_id=r.id, title="爱心座椅", description="楼道折叠座椅",
                                          cost_fen=48000_00, kind=ItemKind.special, actor=staff)
    assert [i["title"] for i in await wishlists.items_of(r.id)] == ["爱心座椅"]
    assert sorted(s["id"] for s in await sources.sources_of_item(item_id)) == [a.id, b.id]
    assert [i["title"] for i in await sources.wish_items_of(a.id)] == ["爱心座椅"]
    view = await sources.track(a.tracking_code)
    assert view.status is SuggestionStatus.listed
    assert "爱心座椅" in view.reply and "首批次" in view.reply
    assert view.wish_items[0]["title"] == "爱心座椅"


async def test_to_wish_item_fails_whole_when_round_frozen_or_input_bad():
    places, staff = await _setup()
    a = await f.make_suggestion(places)
    r = await f.make_round(places, items=1, actor=staff)
    with pytest.raises(DomainError):
        await sources.to_wish_item([a.id], round_id=r.id, title="", description="", cost_fen=0,
                                    kind=ItemKind.special, actor=staff)
    assert await WishLink.count() == 0
    assert (await services.get(a.id))["status"] is SuggestionStatus.received
    await f.open_round(r, codes_per_community=1)
    with pytest.raises(Conflict):
        await sources.to_wish_item([a.id], round_id=r.id, title="路灯", description="", cost_fen=0,
                                    kind=ItemKind.special, actor=staff)
    # an item already on a frozen list can still answer a suggestion
    item_id = (await f.item_ids(r.id))[0]
    await sources.link_to_item([a.id], item_id=item_id, actor=staff)
    assert (await services.get(a.id))["status"] is SuggestionStatus.listed


async def test_history_says_closed_where_the_button_says_close_in_english():
    """办结 is both what the button does (Close) and what the history records (Closed): the
    history's line has a context of its own in the catalog."""
    places, staff = await _setup()
    r = await f.make_suggestion(places)
    await services.grade(r.id, grade=Grade.C, track=Track.now, actor=staff)
    await services.close(r.id, "路灯已修复。", actor=staff)
    assert (await history.history(r.id))[-1]["text"] == "办结（答复：路灯已修复。）"
    with language("en"):
        assert (await history.history(r.id))[-1]["text"].startswith("Closed")
        assert _("办结") == "Close"


async def test_track_unknown_code_reveals_nothing():
    for code in ("ACDE-FGHJ", "x", "", "13800138000"):
        with pytest.raises(NotFound) as exc:
            await services.track(code)
        assert exc.value.message == "查不到这个查询码，请核对后重新输入。"


async def test_reveal_phone_is_logged_without_the_number():
    places, staff = await _setup()
    r = await f.make_suggestion(places, phone="13912345678")
    assert await services.reveal_phone(r.id, actor=staff) == "13912345678"
    lines = await history.history(r.id)
    assert lines[-1]["text"] == "查看完整电话" and lines[-1]["who"] == staff.display_name
    from yishi.core.tables import AuditEntry
    # What the log stores, without the timestamps (whose microseconds may hold any digits).
    dump = str(await AuditEntry.select(AuditEntry.action, AuditEntry.actor_name, AuditEntry.data).run())
    assert "13912345678" not in dump and "1391" not in dump and "5678" not in dump


async def test_search_finds_chinese_text_phone_and_code_with_facets():
    places, _staff = await _setup()
    a = await f.make_suggestion(places, content="菜市场门口早上堵车严重，希望安排交通劝导。", category="交通出行",
                                phone="13700001111")
    b = await f.make_suggestion(places, content="小区垃圾分类亭太脏，夏天有味道。", category="环境卫生",
                                community_index=1)
    await f.make_suggestion(places, content="希望增加老年食堂的送餐服务。", category="养老")
    scope = queries.Scope((places["town"],))
    page = await queries.search(scope, queries.Filters(q="堵车"))
    assert [r["id"] for r in page.rows] == [a.id]
    page = await queries.search(scope, queries.Filters(q="137-0000-1111"))
    assert [r["id"] for r in page.rows] == [a.id]
    page = await queries.search(scope, queries.Filters(q=rules.display_code(b.tracking_code).lower()))
    assert [r["id"] for r in page.rows] == [b.id]
    page = await queries.search(scope, queries.Filters(community=places["communities"][0]))
    assert page.total == 2
    # facet counts for community ignore the community filter itself; others apply it
    assert page.counts["community"] == {places["communities"][0]: 2, places["communities"][1]: 1}
    assert sum(page.counts["category"].values()) == 2
    assert page.counts["status"] == {"received": 2}
    assert (await queries.search(queries.Scope((-5,)), queries.Filters())).total == 0


async def test_search_paginates_and_hides_merged_by_default():
    places, staff = await _setup()
    ids = [(await f.make_suggestion(places, content=f"第{i}条建议：修补道路坑洼")).id for i in range(25)]
    scope = queries.Scope(None)
    first = await queries.search(scope, queries.Filters(), page=1)
    second = await queries.search(scope, queries.Filters(), page=2)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (25, 2, 20, 5)
    assert first.rows[0]["id"] == ids[-1]
    await services.merge(ids[0], ids[1:3], actor=staff)
    assert (await queries.search(scope, queries.Filters())).total == 23
    assert (await queries.search(scope, queries.Filters(status="merged"))).total == 2


async def test_figures_per_community_category_and_channel():
    places, staff = await _setup()
    a = await f.make_suggestion(places, category="养老")
    b = await f.make_suggestion(places, category="养老", community_index=1, channel=Channel.hotline)
    c = await f.make_suggestion(places, category="教育")
    await services.grade(a.id, grade=Grade.C, track=Track.now, actor=staff)
    await services.close(a.id, "已办好", actor=staff)
    await services.reject(b.id, "不属实", "经核实情况不属实", actor=staff)
    scope = queries.Scope((places["town"],))
    summary = await queries.figures(scope, queries.Filters(), "community")
    assert summary.total.cases == 3 and summary.total.resolved == 1 and summary.total.answered == 2
    assert summary.total.resolution_rate == 1 / 3
    town = await catalog.town_ref(places["town"])
    first = summary.groups[(town.name, "第1社区")]
    assert (first.cases, first.resolved) == (2, 1)
    by_cat = await queries.figures(scope, queries.Filters(), "category")
    assert by_cat.groups["养老"].cases == 2 and by_cat.groups["教育"].cases == 1
    by_channel = await queries.figures(scope, queries.Filters(), "channel")
    assert by_channel.groups["12345热线"].cases == 1 and by_channel.groups["码上听"].cases == 2
    assert by_cat.groups["教育"].open == 1 and c.id


async def test_purge_clears_personal_data_after_retention_only():
    places, staff = await _setup()
    old = await f.make_suggestion(places, phone="13600001234", name="李大爷")
    dup = await f.make_suggestion(places, phone="13600005678", name="张阿姨")
    fresh = await f.make_suggestion(places, phone="13600009999", name="赵奶奶")
    still_open = await f.make_suggestion(places, phone="13600007777")
    await services.merge(old.id, [dup.id], actor=staff)
    await services.reject(old.id, "重复", "已答复", actor=staff)
    await services.reject(fresh.id, "重复", "已答复", actor=staff)
    long_ago = datetime.now(UTC) - timedelta(days=200)
    await Suggestion.update({Suggestion.closed_at: long_ago}).where(Suggestion.id == old.id).run()
    assert await retention.purge_personal_data(older_than_days=180) == 2
    rows = {r["id"]: r for r in await Suggestion.select().run()}
    for sid in (old.id, dup.id):
        assert (rows[sid]["submitter_name"], rows[sid]["phone_cipher"], rows[sid]["phone_masked"],
                rows[sid]["phone_hash"]) == ("", "", "", "")
        assert rows[sid]["purged_at"] is not None
    assert rows[fresh.id]["submitter_name"] == "赵奶奶" and rows[still_open.id]["phone_masked"] == "136****7777"
    assert (await services.track(dup.tracking_code)).reply == "已答复"
    assert await retention.purge_personal_data(older_than_days=180) == 0
    with pytest.raises(NotFound):
        await services.reveal_phone(old.id, actor=staff)


async def test_points_have_unique_codes_and_resolve():
    places, staff = await _setup()
    p1 = await f.make_point(places)
    p2 = await f.make_point(places, community_index=1, name="五里村市民驿站观测点")
    assert p1.code != p2.code and len(p1.code) == 6
    assert (await catalog.point_by_code(p1.code.lower())).community_name == "第1社区"
    await catalog.set_point_active(p1.id, False, actor=staff)
    with pytest.raises(NotFound):
        await catalog.point_by_code(p1.code)
    assert [p.name for p in await catalog.points_of_town(places["town"])] == [
        "党群服务中心观测点", "五里村市民驿站观测点"]
