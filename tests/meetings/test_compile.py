"""民主恳谈交清单: the council compiles the wish list in a meeting and adopts it; only an adopted
list is published for residents' ticking."""
import json
from datetime import UTC, datetime

import pytest

from tests import factories as f
from tests.meetings.setup import CATEGORIES
from yishi.accounts.enums import Role
from yishi.ballots import lifecycle
from yishi.core.errors import Conflict, DomainError
from yishi.core.tables import AuditEntry
from yishi.meetings import compile as compiling
from yishi.meetings import meeting
from yishi.meetings.enums import MeetingStep, Presence
from yishi.meetings.tables import ListAdoption
from yishi.suggestions import services as suggestions
from yishi.suggestions.enums import SuggestionStatus
from yishi.suggestions.tables import Suggestion
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import ItemKind, RoundStatus
from yishi.wishlists.tables import WishItem, WishLink

ADOPTED = "清单已由议事组在民主恳谈会上定稿，不能再修改。如需调整，请新建批次。"
NOT_ADOPTED = "清单还没有经议事组“民主恳谈交清单”会议定稿，不能发布。请召集人在会议中确定清单。"


async def _consult(*, present: int = 7, start: bool = True, items: int = 1, step=MeetingStep.consult):
    """A town with a 5+X council of seven, a draft round with `items` items prepared by staff,
    and a 恳谈交清单 meeting on it with `present` members signed in."""
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    council_id = await f.make_council(places, categories=CATEGORIES)
    r = await f.make_round(places, items=items, title="2026年第二批次")
    mid = await meeting.create_meeting(council_id, step=step, title="第二批次民主恳谈会", round_id=r.id,
                                       held_at=datetime(2026, 5, 8, 6, 30, tzinfo=UTC), place="社区活动室",
                                       actor=convener)
    m = await meeting.get_meeting(mid)
    s = await meeting.state(m)
    for member in s.members[:present]:
        await meeting.set_presence(m, member["id"], Presence.present, actor=convener)
    if start:
        await meeting.start(m, actor=convener)
    return {"places": places, "convener": convener, "round": r, "meeting": await meeting.get_meeting(mid),
            "council": council_id}


async def _items(round_id: int) -> list[tuple]:
    return [(i["title"], i["cost_fen"], i["kind"], i["description"], i["lead_unit"])
            for i in await wishlists.items_of(round_id)]


def _add(ctx, **over):
    data = {"title": "加装电梯", "description": "老旧小区加装电梯。", "cost_fen": 600_000_00, "kind": ItemKind.pilot,
            "lead_unit": "街道城建办", "suggestion_ids": []}
    data.update(over)
    return compiling.add_item(ctx["meeting"], actor=ctx["convener"], **data)


# --- services -----------------------------------------------------------------------------

async def test_council_merges_two_suggestions_into_one_item_linked_both_ways():
    ctx = await _consult()
    a = await f.make_suggestion(ctx["places"], content="3栋门口路灯坏了，晚上看不见。")
    b = await f.make_suggestion(ctx["places"], content="小区路灯太暗，老人夜里摔过跤。", community_index=1)
    ids = [row["id"] for row in await Suggestion.select(Suggestion.id).order_by(Suggestion.id)]
    item_id = await _add(ctx, title="背街小巷路灯修复", description="修复并加密小区路灯。", cost_fen=12_000_00,
                         kind=ItemKind.universal, suggestion_ids=ids)
    assert {r["suggestion"] for r in await WishLink.select().where(WishLink.wish_item == item_id)} == set(ids)
    statuses = {r["status"] for r in await Suggestion.select(Suggestion.status)}
    assert statuses == {SuggestionStatus.listed.value}
    assert a.tracking_code != b.tracking_code
    # Both now answered: neither is offered again as a candidate.
    assert await suggestions.candidates_for_list(ctx["places"]["town"]) == []
    assert [t[0] for t in await _items(ctx["round"].id)] == ["项目1", "背街小巷路灯修复"]
    entry = await AuditEntry.select().where(AuditEntry.action == "meeting.list.item_added").first()
    assert entry["object_id"] == ctx["meeting"].id


async def test_edit_wording_and_cost_in_meeting_is_saved_and_audited():
    ctx = await _consult()
    item_id = (await f.item_ids(ctx["round"].id))[0]
    await compiling.edit_item(ctx["meeting"], item_id, title="爱心座椅（公交站旁）",
                              description="在公交站旁安放 10 张座椅。", cost_fen=45_000_00, kind=ItemKind.special,
                              lead_unit="社区居委会", actor=ctx["convener"])
    assert await _items(ctx["round"].id) == [
        ("爱心座椅（公交站旁）", 45_000_00, "special", "在公交站旁安放 10 张座椅。", "社区居委会")]
    entry = await AuditEntry.select().where(AuditEntry.action == "wishlist.item.edited").first()
    data = json.loads(entry["data"]) if isinstance(entry["data"], str) else entry["data"]
    assert data["after"]["title"] == "爱心座椅（公交站旁）" and data["before"]["title"] == "项目1"


async def test_bad_item_refused_nothing_saved():
    ctx = await _consult()
    before = await _items(ctx["round"].id)
    with pytest.raises(DomainError) as caught:
        await _add(ctx, title="  ")
    assert caught.value.message == "请填写项目名称。"
    with pytest.raises(DomainError) as caught:
        await compiling.edit_item(ctx["meeting"], 999999, title="x", description="", cost_fen=1, kind=ItemKind.pilot,
                                  lead_unit="", actor=None)
    assert caught.value.status_code == 404
    assert await _items(ctx["round"].id) == before


async def test_adopt_without_quorum_409_list_stays_open():
    ctx = await _consult(present=3)
    with pytest.raises(Conflict) as caught:
        await compiling.adopt(ctx["meeting"], actor=ctx["convener"])
    assert caught.value.message.startswith("未达到法定人数，不能确定清单（")
    assert (await wishlists.get_round(ctx["round"].id)).adopted_at is None
    assert await ListAdoption.count() == 0
    # Discussion goes on without a quorum: the list can still be worked on.
    await _add(ctx)
    assert len(await _items(ctx["round"].id)) == 2


async def test_adopt_freezes_the_list_and_records_it():
    ctx = await _consult(items=2)
    await compiling.adopt(ctx["meeting"], actor=ctx["convener"])
    r = await wishlists.get_round(ctx["round"].id)
    assert r.adopted_at is not None and r.status is RoundStatus.draft
    adoption = await compiling.adoption_of(r.id)
    assert adoption["meeting"] == ctx["meeting"].id
    assert [i["title"] for i in adoption["snapshot"]["items"]] == ["项目1", "项目2"]
    assert adoption["snapshot"]["total_fen"] == 30_000_00
    before = await _items(r.id)
    item_id = (await f.item_ids(r.id))[0]
    for attempt in (
        lambda: _add(ctx),
        lambda: compiling.remove_item(ctx["meeting"], item_id, actor=None),
        lambda: compiling.adopt(ctx["meeting"], actor=None),
        # The round page's own forms obey the same freeze.
        lambda: wishlists.add_item(r, title="迟到的项目", description="", cost_fen=1, kind=ItemKind.pilot, actor=None),
        lambda: wishlists.remove_item(r, item_id, actor=None),
    ):
        with pytest.raises(Conflict) as caught:
            await attempt()
        assert caught.value.message == ADOPTED
    assert await _items(r.id) == before
    # A request holding a view from before the adoption is refused by the database check.
    with pytest.raises(Conflict) as caught:
        await wishlists.add_item(ctx["round"], title="迟到的项目", description="", cost_fen=1, kind=ItemKind.pilot,
                                 actor=None)
    assert caught.value.message == ADOPTED
    assert await _items(r.id) == before


async def test_adopting_an_empty_list_refused():
    ctx = await _consult(items=0)
    with pytest.raises(DomainError) as caught:
        await compiling.adopt(ctx["meeting"], actor=None)
    assert caught.value.message == "清单还是空的，不能定稿。请先添加项目。"
    assert (await wishlists.get_round(ctx["round"].id)).adopted_at is None


async def test_only_an_adopted_list_is_published():
    ctx = await _consult()
    with pytest.raises(Conflict) as caught:
        await lifecycle.open_voting(ctx["round"], actor=None)
    assert caught.value.message == NOT_ADOPTED
    assert (await wishlists.get_round(ctx["round"].id)).status is RoundStatus.draft
    await compiling.adopt(ctx["meeting"], actor=None)
    await lifecycle.open_voting(await wishlists.get_round(ctx["round"].id), actor=None)
    assert (await wishlists.get_round(ctx["round"].id)).status is RoundStatus.voting


@pytest.mark.parametrize("case", ["planned", "closed", "decide-step"])
async def test_list_work_refused_outside_an_open_consult_meeting(case):
    ctx = await _consult(start=case != "planned",
                         step=MeetingStep.decide if case == "decide-step" else MeetingStep.consult)
    m = ctx["meeting"]
    if case == "closed":
        await meeting.close_minutes(m, actor=None)
        m = await meeting.get_meeting(m.id)
    before = await _items(ctx["round"].id)
    with pytest.raises(Conflict) as caught:
        await compiling.add_item(m, title="加装电梯", description="", cost_fen=1, kind=ItemKind.pilot, lead_unit="",
                                 suggestion_ids=[], actor=None)
    assert caught.value.message == {
        "planned": "会议还没有开始，请召集人先点“开始会议”。",
        "closed": "会议纪要已定稿，不能再修改。",
        "decide-step": "只有“民主恳谈交清单”会议才能编制清单。",
    }[case]
    with pytest.raises(Conflict):
        await compiling.adopt(m, actor=None)
    assert await _items(ctx["round"].id) == before
    assert (await wishlists.get_round(ctx["round"].id)).adopted_at is None


async def test_another_towns_suggestion_cannot_be_merged_in():
    ctx = await _consult()
    other = await f.make_places()
    await f.make_suggestion(other)
    foreign = (await Suggestion.select(Suggestion.id).first())["id"]
    before = await WishItem.count()
    with pytest.raises(Conflict) as caught:
        await _add(ctx, suggestion_ids=[foreign])
    assert caught.value.message == "只能把本镇（街道）的建议纳入本镇（街道）的清单。"
    assert await WishItem.count() == before
    assert await WishLink.count() == 0


# --- routes -------------------------------------------------------------------------------

async def test_compile_page_walk_draft_from_suggestions_then_add_and_adopt(client):
    ctx = await _consult()
    await f.make_suggestion(ctx["places"], content="希望在菜市场门口加几张座椅，老人买菜能歇脚。")
    sid = (await Suggestion.select(Suggestion.id).first())["id"]
    token = await f.login(client, ctx["convener"].username)
    url = f"/meetings/{ctx['meeting'].id}"
    page = await client.get(url)
    assert page.status_code == 200
    assert "从居民建议中选取" in page.text and "希望在菜市场门口加几张座椅" in page.text
    # 起草: the description is filled in from the suggestion; nothing is saved yet.
    page = await client.post(f"{url}/list/draft", data={"_csrf_token": token, "suggestion": str(sid)})
    assert page.status_code == 200
    assert ">希望在菜市场门口加几张座椅，老人买菜能歇脚。</textarea>" in page.text
    assert f'value="{sid}" checked' in page.text
    assert await WishItem.count() == 1
    # A mistake keeps what was typed and the ticked suggestion, and saves nothing.
    bad = {"_csrf_token": token, "suggestion": str(sid), "title": "菜市场爱心座椅", "cost": "三万", "kind": "special",
           "description": "菜市场门口安放座椅。"}
    page = await client.post(f"{url}/list/items", data=bad)
    assert page.status_code == 400
    assert "预计费用应为数字（单位：元），例如 12000 或 12000.50。" in page.text
    assert 'value="菜市场爱心座椅"' in page.text and f'value="{sid}" checked' in page.text
    assert await WishItem.count() == 1
    response = await client.post(f"{url}/list/items", data={**bad, "cost": "30,000"})
    assert response.status_code in (302, 303)
    assert await WishLink.count() == 1
    response = await client.post(f"{url}/list/adopt", data={"_csrf_token": token})
    assert response.status_code in (302, 303)
    page = await client.get(url)
    assert "经“第二批次民主恳谈会”定稿（2 项，合计 40,000.00 元），不能再修改。" in page.text
    assert f'action="{url}/list/items"' not in page.text
    response = await client.post(f"{url}/list/items", data={**bad, "cost": "1"})
    assert response.status_code == 409 and ADOPTED in response.text
    assert await WishItem.count() == 2


async def test_adopt_route_without_quorum_409_in_chinese(client):
    ctx = await _consult(present=2)
    token = await f.login(client, ctx["convener"].username)
    response = await client.post(f"/meetings/{ctx['meeting'].id}/list/adopt", data={"_csrf_token": token})
    assert response.status_code == 409
    assert "未达到法定人数，不能确定清单" in response.text
    assert (await wishlists.get_round(ctx["round"].id)).adopted_at is None


@pytest.mark.parametrize("role", [Role.member, Role.street_staff, Role.collector, Role.district_reviewer])
async def test_only_the_convener_works_on_the_list_403(client, role):
    ctx = await _consult()
    user = await f.make_user(role, ctx["places"])
    token = await f.login(client, user.username)
    url = f"/meetings/{ctx['meeting'].id}"
    item_id = (await f.item_ids(ctx["round"].id))[0]
    for path, form in [("/list/items", {"title": "x", "cost": "1", "kind": "pilot"}), ("/list/adopt", {}),
                       (f"/list/items/{item_id}/delete", {}), ("/list/draft", {"suggestion": "1"}),
                       (f"/list/items/{item_id}/edit", {"title": "x", "cost": "1", "kind": "pilot"})]:
        response = await client.post(url + path, data={"_csrf_token": token, **form})
        assert response.status_code == 403, path
    assert await _items(ctx["round"].id) == [("项目1", 10_000_00, "universal", "说明1", "")]
    assert (await wishlists.get_round(ctx["round"].id)).adopted_at is None


async def test_list_post_without_csrf_refused(client):
    ctx = await _consult()
    await f.login(client, ctx["convener"].username)
    response = await client.post(f"/meetings/{ctx['meeting'].id}/list/adopt", data={})
    assert response.status_code == 403
    assert (await wishlists.get_round(ctx["round"].id)).adopted_at is None


async def test_removing_an_item_reopens_the_suggestions_it_alone_answered():
    ctx = await _consult()
    await f.make_suggestion(ctx["places"], content="路灯坏了。")
    await f.make_suggestion(ctx["places"], content="路灯太暗。")
    a, b = [row["id"] for row in await Suggestion.select(Suggestion.id).order_by(Suggestion.id)]
    lamps = await _add(ctx, title="路灯修复", suggestion_ids=[a, b])
    park = await _add(ctx, title="口袋公园", suggestion_ids=[])
    await compiling.link_suggestions(ctx["meeting"], park, [b], actor=ctx["convener"])
    await compiling.remove_item(ctx["meeting"], lamps, actor=ctx["convener"])
    rows = {r["id"]: r for r in await Suggestion.select().order_by(Suggestion.id)}
    # a answered only by the removed item: open again, its 已纳入清单 answer withdrawn.
    assert rows[a]["status"] == SuggestionStatus.received.value
    assert rows[a]["reply"] == "" and rows[a]["closed_at"] is None
    # b is still answered by the park.
    assert rows[b]["status"] == SuggestionStatus.listed.value
    assert [c["id"] for c in await suggestions.candidates_for_list(ctx["places"]["town"])] == [a]
    entry = await AuditEntry.select().where(AuditEntry.action == "suggestion.unlisted").first()
    assert entry["object_id"] == a


async def test_minutes_of_the_consult_meeting_list_the_adopted_items(tmp_path):
    import subprocess

    from yishi.meetings import exports

    ctx = await _consult(items=2)
    await compiling.adopt(ctx["meeting"], actor=ctx["convener"])
    await meeting.close_minutes(await meeting.get_meeting(ctx["meeting"].id), actor=ctx["convener"])
    _name, _mime, pdf = await exports.minutes_pdf(ctx["meeting"].id)
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "确定的清单" in flat
    assert "确定《民生微事服务期望清单》2项，预计费用合计30,000.00元，交居民勾选" in flat
    assert "项目1" in flat and "项目2" in flat and "普惠性" in flat


async def test_refused_edit_keeps_what_was_typed_in_the_open_edit_form(client):
    ctx = await _consult()
    token = await f.login(client, ctx["convener"].username)
    item_id = (await f.item_ids(ctx["round"].id))[0]
    url = f"/meetings/{ctx['meeting'].id}"
    page = await client.post(f"{url}/list/items/{item_id}/edit", data={
        "_csrf_token": token, "title": "爱心座椅（改）", "cost": "四万", "kind": "special",
        "description": "改后的说明"})
    assert page.status_code == 400
    assert "预计费用应为数字（单位：元），例如 12000 或 12000.50。" in page.text
    edit = page.text[page.text.index(f'id="list-item-{item_id}"'):page.text.index(f'/list/items/{item_id}/delete')]
    assert '<details class="edit" open>' in edit
    assert 'value="爱心座椅（改）"' in edit and 'value="四万"' in edit and ">改后的说明</textarea>" in edit
    # The add form is not filled with the edit's words.
    add = page.text[page.text.index('id="add-form"'):]
    assert "爱心座椅（改）" not in add
    assert await _items(ctx["round"].id) == [("项目1", 10_000_00, "universal", "说明1", "")]


async def test_junk_suggestion_id_400_keeps_the_typed_item(client):
    ctx = await _consult()
    token = await f.login(client, ctx["convener"].username)
    page = await client.post(f"/meetings/{ctx['meeting'].id}/list/items", data={
        "_csrf_token": token, "suggestion": "abc", "title": "加装电梯", "cost": "600000", "kind": "pilot"})
    assert page.status_code == 400
    assert "提交的内容格式不对，请刷新页面后重新提交。" in page.text
    assert 'value="加装电梯"' in page.text
    assert await WishItem.count() == 1


async def test_adoption_snapshot_is_the_frozen_list_and_the_dossier_names_only_that_meeting():
    from yishi.meetings import exports

    ctx = await _consult(items=2)
    # A second 恳谈 meeting planned on the same round but never held.
    await meeting.create_meeting(ctx["council"], step=MeetingStep.consult, title="未召开的恳谈会",
                                 round_id=ctx["round"].id,
                                 held_at=datetime(2026, 5, 20, 6, 30, tzinfo=UTC), place="社区活动室",
                                 actor=ctx["convener"])
    await compiling.adopt(ctx["meeting"], actor=ctx["convener"])
    adoption = await compiling.adoption_of(ctx["round"].id)
    assert [i["title"] for i in adoption["snapshot"]["items"]] == [t[0] for t in await _items(ctx["round"].id)]
    events = await exports.course_of(ctx["round"].id, [])
    assert [e["title"] for e in events] == ["第二批次民主恳谈会"]
