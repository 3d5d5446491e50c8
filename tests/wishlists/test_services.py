"""The wish list of a round: compiling it in draft, and the freeze once ticking opens."""
import asyncio

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import lifecycle
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.tables import AuditEntry
from yishi.wishlists import services
from yishi.wishlists.enums import ItemKind, RoundStatus
from yishi.wishlists.tables import Round, WishItem

FROZEN = "清单已发布供群众勾选，不能再修改。如需调整，请新建批次。"


async def _items_snapshot(round_id: int) -> list[tuple]:
    return [(i["id"], i["title"], i["cost_fen"], i["kind"]) for i in await services.items_of(round_id)]


async def test_create_round_stores_draft_and_audits():
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    round_id = await services.create_round(town_id=places["town"], title="  2026年首批次 ",
                                           budget_fen=300_000_00, max_ticks=5, actor=convener)
    r = await services.get_round(round_id)
    assert (r.title, r.town_id, r.district_id, r.budget_fen, r.max_ticks, r.status) == (
        "2026年首批次", places["town"], places["district"], 300_000_00, 5, RoundStatus.draft)
    assert (r.opened_at, r.closed_at) == (None, None)
    entries = await AuditEntry.select(AuditEntry.action, AuditEntry.actor_id).where(
        AuditEntry.object_type == "round").run()
    assert entries == [{"action": "wishlist.round.created", "actor_id": convener.id}]


@pytest.mark.parametrize(
    ("title", "max_ticks", "message"),
    [
        ("", 2, "请填写批次名称。"),
        ("   ", 2, "请填写批次名称。"),
        ("批" * 81, 2, "批次名称不能超过 80 个字。"),
        ("首批次", -1, "最多可勾选项数应在 0 到 200 之间（0 表示不限）。"),
        ("首批次", 201, "最多可勾选项数应在 0 到 200 之间（0 表示不限）。"),
    ],
)
async def test_create_round_invalid_refused(title, max_ticks, message):
    places = await f.make_places()
    with pytest.raises(DomainError) as caught:
        await services.create_round(town_id=places["town"], title=title, budget_fen=0, max_ticks=max_ticks,
                                    actor=None)
    assert caught.value.message == message
    assert await Round.count() == 0


@pytest.mark.parametrize("max_ticks", [0, 200])
async def test_create_round_max_ticks_bounds_accepted(max_ticks):
    places = await f.make_places()
    round_id = await services.create_round(town_id=places["town"], title="批" * 80, budget_fen=0,
                                           max_ticks=max_ticks, actor=None)
    assert (await services.get_round(round_id)).max_ticks == max_ticks


async def test_create_round_unknown_town_refused():
    with pytest.raises(DomainError) as caught:
        await services.create_round(town_id=999_999, title="首批次", budget_fen=0, max_ticks=0, actor=None)
    assert caught.value.message == "所选镇（街道）不存在。"
    assert await Round.count() == 0


async def test_get_round_unknown_404():
    with pytest.raises(NotFound) as caught:
        await services.get_round(999_999)
    assert caught.value.message == "找不到该批次。"
    assert caught.value.status_code == 404


async def test_list_rounds_filters_by_town_and_district():
    a = await f.make_places()
    b = await f.make_places()
    ra = await f.make_round(a, items=0)
    rb = await f.make_round(b, items=0)
    assert [r["id"] for r in await services.list_rounds(town_id=a["town"])] == [ra.id]
    assert [r["id"] for r in await services.list_rounds(district_id=b["district"])] == [rb.id]
    assert [r["id"] for r in await services.list_rounds()] == [rb.id, ra.id]


async def test_add_item_numbers_positions_in_order():
    places = await f.make_places()
    r = await f.make_round(places, items=3)
    items = await services.items_of(r.id)
    assert [(i["position"], i["title"], i["cost_fen"], i["kind"]) for i in items] == [
        (1, "项目1", 10000_00, "universal"),
        (2, "项目2", 20000_00, "special"),
        (3, "项目3", 30000_00, "pilot"),
    ]


async def test_add_item_strips_title_and_description():
    places = await f.make_places()
    r = await f.make_round(places, items=0)
    item_id = await services.add_item(r, title="  爱心座椅 ", description="  折叠座椅  ", cost_fen=48000_00,
                                      kind=ItemKind.special, actor=None)
    assert await _items_snapshot(r.id) == [(item_id, "爱心座椅", 48000_00, "special")]
    assert (await services.items_of(r.id))[0]["description"] == "折叠座椅"


@pytest.mark.parametrize(
    ("title", "description", "message"),
    [
        ("", "", "请填写项目名称。"),
        ("  ", "", "请填写项目名称。"),
        ("项" * 81, "", "项目名称不能超过 80 个字。"),
        ("爱心座椅", "说" * 2001, "项目说明不能超过 2000 个字。"),
    ],
)
async def test_add_item_invalid_refused(title, description, message):
    places = await f.make_places()
    r = await f.make_round(places, items=0)
    with pytest.raises(DomainError) as caught:
        await services.add_item(r, title=title, description=description, cost_fen=100, kind=ItemKind.special,
                                actor=None)
    assert caught.value.message == message
    assert await WishItem.count() == 0


async def test_add_item_list_full_refused(monkeypatch):
    monkeypatch.setattr(services, "MAX_ITEMS", 2)
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    with pytest.raises(DomainError) as caught:
        await services.add_item(r, title="第三项", description="", cost_fen=100, kind=ItemKind.pilot, actor=None)
    assert caught.value.message == "一份清单最多 2 项。"
    assert await WishItem.count() == 2


async def test_remove_item_deletes_and_audits():
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    first, second = await f.item_ids(r.id)
    await services.remove_item(r, first, actor=None)
    assert await f.item_ids(r.id) == [second]
    removed = await AuditEntry.select(AuditEntry.object_id, AuditEntry.data).where(
        AuditEntry.action == "wishlist.item.removed").output(load_json=True).run()
    assert removed == [{"object_id": r.id, "data": {"item_id": first}}]


async def test_remove_item_of_another_round_404_and_kept():
    places = await f.make_places()
    mine = await f.make_round(places, items=1)
    other = await f.make_round(places, items=1, title="第二批次")
    (other_item,) = await f.item_ids(other.id)
    with pytest.raises(NotFound) as caught:
        await services.remove_item(mine, other_item, actor=None)
    assert caught.value.message == "清单中没有这一项。"
    assert await f.item_ids(other.id) == [other_item]


@pytest.mark.parametrize("status", [RoundStatus.voting, RoundStatus.counted, RoundStatus.decided])
async def test_add_item_after_opening_409_nothing_changed(status):
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    await Round.update({Round.status: status}).where(Round.id == r.id)
    r = await services.get_round(r.id)
    before = await _items_snapshot(r.id)
    with pytest.raises(Conflict) as caught:
        await services.add_item(r, title="迟到的项目", description="", cost_fen=100, kind=ItemKind.special,
                                actor=None)
    assert caught.value.status_code == 409
    assert caught.value.message == FROZEN
    assert await _items_snapshot(r.id) == before


async def test_remove_item_after_opening_409_nothing_changed():
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    await f.open_round(r, codes_per_community=1)
    r = await services.get_round(r.id)
    before = await _items_snapshot(r.id)
    with pytest.raises(Conflict) as caught:
        await services.remove_item(r, before[0][0], actor=None)
    assert caught.value.message == FROZEN
    assert await _items_snapshot(r.id) == before


async def test_update_round_rules_in_draft_and_frozen_after_opening():
    places = await f.make_places()
    r = await f.make_round(places, items=1, max_ticks=2, budget_yuan=1000)
    title = r.title
    await services.update_round_rules(r, title=f" {title} ", budget_fen=5000_00, max_ticks=1, actor=None)
    r = await services.get_round(r.id)
    assert (r.title, r.budget_fen, r.max_ticks) == (title, 5000_00, 1)
    await f.open_round(r, codes_per_community=1)
    r = await services.get_round(r.id)
    with pytest.raises(Conflict) as caught:
        await services.update_round_rules(r, title="改名", budget_fen=9000_00, max_ticks=0, actor=None)
    assert caught.value.message == FROZEN
    r = await services.get_round(r.id)
    assert (r.title, r.budget_fen, r.max_ticks) == (title, 5000_00, 1)


async def test_update_round_rules_after_adoption_still_allowed_and_audited_with_what_changed():
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    r = await f.adopt_list(await f.make_round(places, items=1, max_ticks=2, budget_yuan=30000))
    await services.update_round_rules(r, title="2026年首批次", budget_fen=300000_00, max_ticks=2, actor=staff)
    assert (await services.get_round(r.id)).budget_fen == 300000_00
    entry = await AuditEntry.select(AuditEntry.actor_id, AuditEntry.data).where(
        AuditEntry.action == "wishlist.round.rules_changed").output(load_json=True).first()
    assert entry["actor_id"] == staff.id
    assert entry["data"] == {"before": {"title": r.title, "budget_fen": 30000_00},
                             "after": {"title": "2026年首批次", "budget_fen": 300000_00}}


async def test_update_round_rules_blank_title_or_too_many_ticks_refused_unchanged():
    places = await f.make_places()
    r = await f.make_round(places, items=1, max_ticks=2, budget_yuan=1000)
    with pytest.raises(DomainError) as caught:
        await services.update_round_rules(r, title="  ", budget_fen=1, max_ticks=2, actor=None)
    assert caught.value.message == "请填写批次名称。"
    with pytest.raises(DomainError) as caught:
        await services.update_round_rules(r, title="新名称", budget_fen=1, max_ticks=201, actor=None)
    assert caught.value.message == "最多可勾选项数应在 0 到 200 之间（0 表示不限）。"
    after = await services.get_round(r.id)
    assert (after.title, after.budget_fen, after.max_ticks) == (r.title, 1000_00, 2)


async def test_set_status_only_from_expected():
    places = await f.make_places()
    r = await f.make_round(places, items=0)
    assert await services.set_status(r.id, RoundStatus.voting, RoundStatus.counted) is False
    assert (await services.get_round(r.id)).status is RoundStatus.draft
    assert await services.set_status(r.id, RoundStatus.draft, RoundStatus.voting) is True
    assert (await services.get_round(r.id)).status is RoundStatus.voting


# A request holds the round as it was when it started; another may open the list meanwhile.

async def test_add_item_with_view_from_before_opening_409_nothing_changed():
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    await lifecycle.open_voting(await f.adopt_list(r), actor=None)
    before = await _items_snapshot(r.id)
    with pytest.raises(Conflict) as caught:
        await services.add_item(r, title="迟到的项目", description="", cost_fen=100, kind=ItemKind.special,
                                actor=None)
    assert caught.value.message == FROZEN
    assert await _items_snapshot(r.id) == before


async def test_remove_item_with_view_from_before_opening_409_nothing_changed():
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    await lifecycle.open_voting(await f.adopt_list(r), actor=None)
    before = await _items_snapshot(r.id)
    with pytest.raises(Conflict) as caught:
        await services.remove_item(r, before[0][0], actor=None)
    assert caught.value.message == FROZEN
    assert await _items_snapshot(r.id) == before


async def test_update_round_rules_with_view_from_before_opening_409_unchanged():
    places = await f.make_places()
    r = await f.make_round(places, items=1, max_ticks=2, budget_yuan=1000)
    await lifecycle.open_voting(await f.adopt_list(r), actor=None)
    with pytest.raises(Conflict) as caught:
        await services.update_round_rules(r, title="改名", budget_fen=1, max_ticks=0, actor=None)
    assert caught.value.message == FROZEN
    r = await services.get_round(r.id)
    assert (r.budget_fen, r.max_ticks) == (1000_00, 2)


async def test_add_item_concurrently_distinct_positions():
    places = await f.make_places()
    r = await f.make_round(places, items=0)
    await asyncio.gather(*[services.add_item(r, title=f"项目{i}", description="", cost_fen=100,
                                             kind=ItemKind.special, actor=None) for i in range(8)])
    assert sorted(i["position"] for i in await services.items_of(r.id)) == [1, 2, 3, 4, 5, 6, 7, 8]


async def test_add_item_lead_unit_stripped_and_saved():
    places = await f.make_places()
    r = await f.make_round(places, items=0)
    item_id = await services.add_item(r, title="路灯", description="", cost_fen=100, kind=ItemKind.universal,
                                      lead_unit=" 区住建局 ", actor=None)
    assert (await WishItem.select(WishItem.lead_unit).where(WishItem.id == item_id).first())["lead_unit"] == "区住建局"
