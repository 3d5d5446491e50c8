"""Round pages through HTTP: creating, compiling the list, the freeze, and who may see what."""
import html
import re

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots.tables import BallotCode
from yishi.wishlists import services
from yishi.wishlists.enums import RoundStatus
from yishi.wishlists.tables import Round, WishItem

FROZEN = "清单已发布供群众勾选，不能再修改。如需调整，请新建批次。"
FORBIDDEN = "您没有权限查看或操作此页面。"


def _input_value(page: str, name: str) -> str:
    match = re.search(rf'<input name="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no input {name}"
    return html.unescape(match.group(1))


def _textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea name="{name}"[^>]*>([^<]*)</textarea>', page)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1))


def _selected_kinds(page: str) -> list[str]:
    return re.findall(r'<option value="(\w+)" selected>', page)


async def _items(round_id: int) -> list[tuple]:
    return [(i["id"], i["title"], i["cost_fen"], i["kind"]) for i in await services.items_of(round_id)]


async def _convener_with_round(client, items: int = 2):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    token = await f.login(client, convener.username)
    r = await f.make_round(places, items=items)
    return places, token, r


# --- creating a round --------------------------------------------------------------------

async def test_create_round_as_convener_redirects_to_round(client):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    token = await f.login(client, convener.username)
    response = await client.post("/rounds/", data={"_csrf_token": token, "title": "2026年首批次",
                                                   "budget": "300,000", "max_ticks": "3"})
    assert response.status_code == 302
    (row,) = await Round.select(Round.id, Round.town, Round.title, Round.budget_fen, Round.max_ticks,
                                Round.created_by).run()
    assert response.headers["location"] == f"/rounds/{row['id']}"
    assert row == {"id": row["id"], "town": places["town"], "title": "2026年首批次", "budget_fen": 300_000_00,
                   "max_ticks": 3, "created_by": convener.id}


async def test_create_round_town_comes_from_account_not_form(client):
    mine = await f.make_places()
    other = await f.make_places()
    convener = await f.make_user(Role.convener, mine)
    token = await f.login(client, convener.username)
    await client.post("/rounds/", data={"_csrf_token": token, "title": "首批次", "town": str(other["town"])})
    assert [r["town"] for r in await Round.select(Round.town).run()] == [mine["town"]]


async def test_create_round_as_admin_for_chosen_town(client):
    places = await f.make_places()
    admin = await f.make_user(Role.admin)
    token = await f.login(client, admin.username)
    response = await client.post("/rounds/", data={"_csrf_token": token, "title": "首批次",
                                                   "town": str(places["town"]), "max_ticks": "0"})
    assert response.status_code == 302
    assert [r["town"] for r in await Round.select(Round.town).run()] == [places["town"]]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"title": ""}, "请填写批次名称。"),
        ({"title": "首批次", "budget": "三十万"}, "批次预算应为数字（单位：元），例如 12000 或 12000.50。"),
        ({"title": "首批次", "budget": "-1"}, "批次预算应为不小于 0 的合理金额。"),
        ({"title": "首批次", "max_ticks": "两项"}, "最多可勾选项数应为整数。"),
        ({"title": "首批次", "max_ticks": "201"}, "最多可勾选项数应在 0 到 200 之间（0 表示不限）。"),
    ],
)
async def test_create_round_invalid_400_in_chinese(client, form, message):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    token = await f.login(client, convener.username)
    response = await client.post("/rounds/", data={"_csrf_token": token, **form})
    assert response.status_code == 400
    assert message in response.text
    assert await Round.count() == 0


@pytest.mark.parametrize("role", [Role.member, Role.collector, Role.district_reviewer])
async def test_create_round_by_role_without_right_403(client, role):
    places = await f.make_places()
    user = await f.make_user(role, places)
    token = await f.login(client, user.username)
    response = await client.post("/rounds/", data={"_csrf_token": token, "title": "首批次",
                                                   "town": str(places["town"])})
    assert response.status_code == 403
    assert FORBIDDEN in response.text
    assert await Round.count() == 0


async def test_round_list_shows_only_own_town(client):
    _places, _token, mine = await _convener_with_round(client, items=0)
    other = await f.make_places()
    await f.make_round(other, items=0, title="别人的批次")
    page = await client.get("/rounds")
    assert page.status_code == 200
    assert f'href="/rounds/{mine.id}"' in page.text
    assert "别人的批次" not in page.text


async def test_round_list_for_reviewer_shows_own_district_only(client):
    places = await f.make_places()
    await f.make_round(places, items=0, title="本区批次")
    await f.make_round(await f.make_places(), items=0, title="外区批次")
    reviewer = await f.make_user(Role.district_reviewer, places)
    await f.login(client, reviewer.username)
    page = await client.get("/rounds")
    assert "本区批次" in page.text
    assert "外区批次" not in page.text


# --- compiling the list ------------------------------------------------------------------

async def test_add_item_redirects_and_saves(client):
    _places, token, r = await _convener_with_round(client, items=0)
    response = await client.post(f"/rounds/{r.id}/items", data={
        "_csrf_token": token, "title": "爱心座椅", "cost": "48,000", "kind": "special", "description": "折叠座椅"})
    assert response.status_code == 302
    assert response.headers["location"] == f"/rounds/{r.id}#items"
    (item,) = await services.items_of(r.id)
    assert (item["title"], item["cost_fen"], item["kind"], item["description"]) == (
        "爱心座椅", 48000_00, "special", "折叠座椅")


async def test_add_item_missing_title_400_form_kept(client):
    _places, token, r = await _convener_with_round(client, items=0)
    response = await client.post(f"/rounds/{r.id}/items", data={
        "_csrf_token": token, "title": "", "cost": "48000", "kind": "pilot", "description": "楼道折叠座椅"})
    assert response.status_code == 400
    assert "请填写项目名称。" in response.text
    assert _input_value(response.text, "cost") == "48000"
    assert _selected_kinds(response.text) == ["pilot"]
    assert _textarea(response.text, "description") == "楼道折叠座椅"
    assert await WishItem.count() == 0


async def test_add_item_bad_cost_400_form_kept(client):
    _places, token, r = await _convener_with_round(client, items=0)
    response = await client.post(f"/rounds/{r.id}/items", data={
        "_csrf_token": token, "title": "幸福食堂", "cost": "四十五万", "kind": "universal", "description": "助餐"})
    assert response.status_code == 400
    assert "预计费用应为数字（单位：元），例如 12000 或 12000.50。" in response.text
    assert _input_value(response.text, "title") == "幸福食堂"
    assert _input_value(response.text, "cost") == "四十五万"
    assert _selected_kinds(response.text) == ["universal"]
    assert _textarea(response.text, "description") == "助餐"
    assert await WishItem.count() == 0


async def test_add_item_too_many_decimals_400_form_kept(client):
    _places, token, r = await _convener_with_round(client, items=0)
    response = await client.post(f"/rounds/{r.id}/items", data={
        "_csrf_token": token, "title": "幸福食堂", "cost": "1.005", "kind": "universal"})
    assert response.status_code == 400
    assert "预计费用最多保留两位小数（精确到分）。" in response.text
    assert _input_value(response.text, "cost") == "1.005"
    assert await WishItem.count() == 0


@pytest.mark.parametrize("kind", ["", "bogus", "Universal"])
async def test_add_item_bad_kind_400_form_kept(client, kind):
    _places, token, r = await _convener_with_round(client, items=0)
    response = await client.post(f"/rounds/{r.id}/items", data={
        "_csrf_token": token, "title": "<b>幸福食堂</b>", "cost": "450000", "kind": kind})
    assert response.status_code == 400
    assert "请选择项目类型（普惠性、特色或试点）。" in response.text
    # Shown again as typed, and escaped.
    assert _input_value(response.text, "title") == "<b>幸福食堂</b>"
    assert "<b>幸福食堂</b>" not in response.text
    assert _input_value(response.text, "cost") == "450000"
    assert _selected_kinds(response.text) == []
    assert await WishItem.count() == 0


async def test_remove_item_in_draft(client):
    _places, token, r = await _convener_with_round(client, items=2)
    first, second = await f.item_ids(r.id)
    response = await client.post(f"/rounds/{r.id}/items/{first}/delete", data={"_csrf_token": token})
    assert response.status_code == 302
    assert await f.item_ids(r.id) == [second]


async def test_remove_item_of_another_round_404(client):
    places, token, r = await _convener_with_round(client, items=1)
    other = await f.make_round(places, items=1, title="第二批次")
    (other_item,) = await f.item_ids(other.id)
    response = await client.post(f"/rounds/{r.id}/items/{other_item}/delete", data={"_csrf_token": token})
    assert response.status_code == 404
    assert "清单中没有这一项。" in response.text
    assert await f.item_ids(other.id) == [other_item]


async def test_round_page_unknown_round_404(client):
    _places, _token, _r = await _convener_with_round(client, items=0)
    response = await client.get("/rounds/999999")
    assert response.status_code == 404
    assert "找不到该批次。" in response.text


# --- the freeze --------------------------------------------------------------------------

async def test_add_item_after_opening_409_nothing_changed(client):
    _places, token, r = await _convener_with_round(client, items=2)
    await f.open_round(r, codes_per_community=1)
    before = await _items(r.id)
    response = await client.post(f"/rounds/{r.id}/items", data={
        "_csrf_token": token, "title": "迟到的项目", "cost": "1000", "kind": "special"})
    assert response.status_code == 409
    assert FROZEN in response.text
    assert await _items(r.id) == before


async def test_remove_item_after_opening_409_nothing_changed(client):
    _places, token, r = await _convener_with_round(client, items=2)
    await f.open_round(r, codes_per_community=1)
    before = await _items(r.id)
    response = await client.post(f"/rounds/{r.id}/items/{before[0][0]}/delete", data={"_csrf_token": token})
    assert response.status_code == 409
    assert FROZEN in response.text
    assert await _items(r.id) == before


async def test_round_page_after_opening_has_no_edit_forms(client):
    _places, _token, r = await _convener_with_round(client, items=2)
    await f.open_round(r, codes_per_community=1)
    page = await client.get(f"/rounds/{r.id}")
    assert page.status_code == 200
    assert f'action="/rounds/{r.id}/items"' not in page.text
    assert "/delete" not in page.text


async def test_open_round_twice_409(client):
    _places, token, r = await _convener_with_round(client, items=1)
    await f.adopt_list(r)
    assert (await client.post(f"/rounds/{r.id}/open", data={"_csrf_token": token})).status_code == 302
    response = await client.post(f"/rounds/{r.id}/open", data={"_csrf_token": token})
    assert response.status_code == 409
    assert "该批次已经开放过勾选，不能重复开放。" in response.text


async def test_open_empty_round_400(client):
    _places, token, r = await _convener_with_round(client, items=0)
    response = await client.post(f"/rounds/{r.id}/open", data={"_csrf_token": token})
    assert response.status_code == 400
    assert "清单还是空的，请先添加项目再开放勾选。" in response.text
    assert (await services.get_round(r.id)).status is RoundStatus.draft


# --- a draft round's name, budget and maximum ticks ---------------------------------------

async def _rules(round_id: int) -> tuple:
    r = await services.get_round(round_id)
    return r.title, r.budget_fen, r.max_ticks


async def test_edit_round_page_filled_with_current_values_and_linked_from_round(client):
    _places, _token, r = await _convener_with_round(client, items=1)
    assert f'href="/rounds/{r.id}/edit"' in (await client.get(f"/rounds/{r.id}")).text
    page = await client.get(f"/rounds/{r.id}/edit")
    assert page.status_code == 200
    assert (_input_value(page.text, "title"), _input_value(page.text, "budget"),
            _input_value(page.text, "max_ticks")) == ("首批次", "100,000.00", "2")


async def test_edit_round_saves_name_budget_and_ticks(client):
    _places, token, r = await _convener_with_round(client, items=1)
    response = await client.post(f"/rounds/{r.id}/edit", data={
        "_csrf_token": token, "title": "2026年首批次", "budget": "300000", "max_ticks": "5"})
    assert response.status_code == 302
    assert response.headers["location"] == f"/rounds/{r.id}"
    assert await _rules(r.id) == ("2026年首批次", 300_000_00, 5)
    assert "预算 300,000.00 元" in (await client.get(f"/rounds/{r.id}")).text


@pytest.mark.parametrize(("form", "message"), [
    ({"title": "", "budget": "300000", "max_ticks": "5"}, "请填写批次名称。"),
    ({"title": "新名称", "budget": "三十万", "max_ticks": "5"},
     "批次预算应为数字（单位：元），例如 12000 或 12000.50。"),
    ({"title": "新名称", "budget": "300000", "max_ticks": "九"}, "最多可勾选项数应为整数。"),
    ({"title": "新名称", "budget": "300000", "max_ticks": "500"}, "最多可勾选项数应在 0 到 200 之间（0 表示不限）。"),
])
async def test_edit_round_bad_input_400_form_kept_nothing_changed(client, form, message):
    _places, token, r = await _convener_with_round(client, items=1)
    response = await client.post(f"/rounds/{r.id}/edit", data={"_csrf_token": token, **form})
    assert response.status_code == 400
    assert message in response.text
    assert [_input_value(response.text, k) for k in ("title", "budget", "max_ticks")] == [
        form["title"], form["budget"], form["max_ticks"]]
    assert await _rules(r.id) == ("首批次", 100_000_00, 2)


async def test_edit_round_after_publishing_409_and_no_link(client):
    _places, token, r = await _convener_with_round(client, items=1)
    await f.open_round(r, codes_per_community=1)
    assert f'href="/rounds/{r.id}/edit"' not in (await client.get(f"/rounds/{r.id}")).text
    page = await client.get(f"/rounds/{r.id}/edit")
    assert page.status_code == 409
    assert FROZEN in page.text and 'name="budget"' not in page.text
    response = await client.post(f"/rounds/{r.id}/edit", data={
        "_csrf_token": token, "title": "改名", "budget": "1", "max_ticks": "0"})
    assert response.status_code == 409
    assert FROZEN in response.text
    assert await _rules(r.id) == ("首批次", 100_000_00, 2)


@pytest.mark.parametrize("role", [Role.member, Role.collector, Role.district_reviewer])
async def test_edit_round_by_role_without_right_403_unchanged(client, role):
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    token = await f.login(client, (await f.make_user(role, places)).username)
    assert (await client.get(f"/rounds/{r.id}/edit")).status_code == 403
    response = await client.post(f"/rounds/{r.id}/edit", data={
        "_csrf_token": token, "title": "改名", "budget": "1", "max_ticks": "0"})
    assert response.status_code == 403
    assert await _rules(r.id) == ("首批次", 100_000_00, 2)


# --- another town's convener -------------------------------------------------------------

async def _foreign_round(client):
    """A round of town A, with the session of town B's convener."""
    home = await f.make_places()
    r = await f.make_round(home, items=2)
    await f.make_user(Role.convener, home)
    outsider = await f.make_user(Role.convener, await f.make_places())
    token = await f.login(client, outsider.username)
    return home, r, token


@pytest.mark.parametrize("path", ["", "/codes", "/tally", "/intent-list.pdf"])
async def test_round_pages_other_town_convener_403(client, path):
    _home, r, _token = await _foreign_round(client)
    response = await client.get(f"/rounds/{r.id}{path}")
    assert response.status_code == 403
    assert FORBIDDEN in response.text


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/items", {"title": "外来项目", "cost": "100", "kind": "special"}),
        ("/items/{item}/delete", {}),
        ("/open", {}),
        ("/close", {}),
        ("/edit", {"title": "外来批次", "budget": "1", "max_ticks": "0"}),
        ("/codes", {"community": "{community}", "count": "5"}),
        ("/decision", {"approved": "{item}", "resolution": "同意。"}),
    ],
)
async def test_round_posts_other_town_convener_403_nothing_changed(client, path, form):
    home, r, token = await _foreign_round(client)
    item = (await f.item_ids(r.id))[0]
    fill = {"item": item, "community": home["communities"][0]}
    data = {k: v.format(**fill) for k, v in form.items()}
    before = (await _items(r.id), await services.get_round(r.id))
    response = await client.post(f"/rounds/{r.id}{path.format(**fill)}", data={"_csrf_token": token, **data})
    assert response.status_code == 403
    assert ("只有本镇（街道）议事组召集人可以记录议事决定。" if path == "/decision" else FORBIDDEN) in response.text
    assert (await _items(r.id), await services.get_round(r.id)) == before
    assert await BallotCode.count() == 0


async def test_round_posts_other_town_convener_403_in_every_state(client):
    _home, r, token = await _foreign_round(client)
    await f.open_round(r, codes_per_community=1)
    assert (await client.post(f"/rounds/{r.id}/close", data={"_csrf_token": token})).status_code == 403
    assert (await services.get_round(r.id)).status is RoundStatus.voting


async def test_round_page_links_items_to_the_suggestions_they_answer(client):
    from yishi.accounts.enums import Role
    from yishi.wishlists import sources

    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    r = await f.make_round(places, items=2)
    first, second = await f.item_ids(r.id)
    a = await f.make_suggestion(places)
    b = await f.make_suggestion(places, content="楼道里太黑了，希望装感应灯，老人上下楼方便。")
    await sources.link_to_item([a.id, b.id], item_id=first, actor=convener)
    await f.login(client, convener.username)
    page = await client.get(f"/rounds/{r.id}")
    assert page.status_code == 200
    assert f'href="/suggestions/wish-items/{first}"' in page.text and "来自 2 条居民建议" in page.text
    assert f'href="/suggestions/wish-items/{second}"' not in page.text
    sources = await client.get(f"/suggestions/wish-items/{first}")
    assert sources.status_code == 200 and "感应灯" in sources.text


# --- 牵头单位 (lead unit), set while compiling -------------------------------------------------

async def test_add_item_with_lead_unit_saved_and_shown(client):
    _places, token, r = await _convener_with_round(client, items=0)
    response = await client.post(f"/rounds/{r.id}/items", data={
        "_csrf_token": token, "title": "背街小巷路灯修复", "cost": "30000", "kind": "universal",
        "lead_unit": "  大弯街道城管办 "})
    assert response.status_code == 302
    (item,) = await services.items_of(r.id)
    assert item["lead_unit"] == "大弯街道城管办"
    page = await client.get(f"/rounds/{r.id}")
    assert "牵头单位：大弯街道城管办" in page.text
    assert 'name="lead_unit"' in page.text


async def test_add_item_lead_unit_too_long_400_form_kept(client):
    _places, token, r = await _convener_with_round(client, items=0)
    response = await client.post(f"/rounds/{r.id}/items", data={
        "_csrf_token": token, "title": "爱心座椅", "cost": "48000", "kind": "special", "lead_unit": "单" * 81})
    assert response.status_code == 400
    assert "牵头单位不能超过 80 个字。" in response.text
    assert await WishItem.count() == 0


async def test_add_item_without_lead_unit_defaults_to_empty(client):
    _places, token, r = await _convener_with_round(client, items=0)
    await client.post(f"/rounds/{r.id}/items", data={"_csrf_token": token, "title": "爱心座椅", "cost": "48000",
                                                     "kind": "special"})
    (item,) = await services.items_of(r.id)
    assert item["lead_unit"] == ""
