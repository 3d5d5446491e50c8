"""勾选设置 through HTTP: the staff form on the round page, read-only once opened, and what
residents see on the ballot page."""
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting
from yishi.ballots import round_settings as rs
from yishi.ballots.tables import RoundSetting
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

CHINA = timezone(timedelta(hours=8))


def _local(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


async def _staff(client, role: Role = Role.street_staff):
    places = await f.make_places(3)
    user = await f.make_user(role, places)
    token = await f.login(client, user.username)
    r = await f.make_round(places, items=2)
    return places, token, r


def _form(token, places, **kw):
    closes = (datetime.now(CHINA) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"_csrf_token": token, "opens_at": "", "closes_at": closes, "voter_unit": "household",
            "community": [str(c) for c in places["communities"][:2]]}
    data.update(kw)
    return data


async def test_draft_round_page_has_settings_form(client):
    _places, _token, r = await _staff(client)
    page = await client.get(f"/rounds/{r.id}")
    assert page.status_code == 200
    assert 'id="settings-form"' in page.text
    assert f'action="/rounds/{r.id}/settings"' in page.text
    assert "每人一票（一人一码）" in page.text


async def test_save_settings_route(client):
    places, token, r = await _staff(client)
    data = _form(token, places)
    response = await client.post(f"/rounds/{r.id}/settings", data=data)
    assert response.status_code in (302, 303), response.text
    assert response.headers["location"] == f"/rounds/{r.id}#settings"
    setup = await rs.get(r.id)
    assert setup.voter_unit == "household"
    assert setup.communities == frozenset(places["communities"][:2])
    assert _local(setup.closes_at) == data["closes_at"].replace("T", " ")
    page = await client.get(f"/rounds/{r.id}")
    assert "每户一票" in page.text
    assert "生成选票码数量（户数）" in page.text
    # Codes are offered only for the communities taking part.
    issuing = page.text.split(f'action="/rounds/{r.id}/codes"')[1].split("</form>")[0]
    assert "第1社区" in issuing and "第2社区" in issuing and "第3社区" not in issuing
    assert data["closes_at"] in page.text  # the form keeps the value


async def test_save_settings_invalid_shows_message_beside_form(client):
    places, token, r = await _staff(client)
    response = await client.post(f"/rounds/{r.id}/settings",
                                 data=_form(token, places, closes_at="2020-01-01T08:00"))
    assert response.status_code == 400
    assert "截止时间已经过去，请填写以后的时间。" in response.text
    assert 'value="2020-01-01T08:00"' in response.text
    assert await RoundSetting.count() == 0


async def test_save_settings_no_community_400(client):
    places, token, r = await _staff(client)
    data = _form(token, places)
    del data["community"]
    response = await client.post(f"/rounds/{r.id}/settings", data=data)
    assert response.status_code == 400
    assert "请至少选择一个参加勾选的社区。" in response.text


async def test_save_settings_without_csrf_403(client):
    places, token, r = await _staff(client)
    data = _form(token, places)
    del data["_csrf_token"]
    response = await client.post(f"/rounds/{r.id}/settings", data=data)
    assert response.status_code == 403
    assert await RoundSetting.count() == 0


@pytest.mark.parametrize("role", [Role.collector])
async def test_save_settings_needs_manage_permission(client, role):
    places = await f.make_places(2)
    r = await f.make_round(places, items=2)
    user = await f.make_user(role, places)
    token = await f.login(client, user.username)
    response = await client.post(f"/rounds/{r.id}/settings", data=_form(token, places))
    assert response.status_code == 403
    assert await RoundSetting.count() == 0


async def test_save_settings_other_town_403(client):
    _places, token, _r = await _staff(client)
    other = await f.make_places(1)
    theirs = await f.make_round(other, items=1)
    response = await client.post(f"/rounds/{theirs.id}/settings", data=_form(token, other))
    assert response.status_code == 403
    assert await RoundSetting.count() == 0


async def test_settings_frozen_after_opening_409_and_read_only(client):
    places, token, r = await _staff(client)
    assert (await client.post(f"/rounds/{r.id}/settings", data=_form(token, places))).status_code in (302, 303)
    await f.adopt_list(r)
    assert (await client.post(f"/rounds/{r.id}/open", data={"_csrf_token": token})).status_code in (302, 303)
    response = await client.post(f"/rounds/{r.id}/settings", data=_form(token, places, voter_unit="resident"))
    assert response.status_code == 409
    assert "群众勾选已开放，勾选设置已冻结，不能再修改。" in response.text
    assert (await rs.get(r.id)).voter_unit == "household"
    page = await client.get(f"/rounds/{r.id}")
    assert 'id="settings-form"' not in page.text
    assert "清单发布时已冻结，不能再修改。" in page.text
    assert "第1社区、第2社区" in f.text(page.text)


async def test_ballot_page_tells_closing_time_and_household(client):
    places = await f.make_places(2)
    r = await f.make_round(places, items=2)
    closes = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=1)
    await rs.save(r, opens_at=None, closes_at=closes, voter_unit="household",
                  communities=places["communities"], actor=None)
    codes = await f.open_round(r, codes_per_community=1)
    page = await client.get(f"/v/{codes[0]}")
    assert page.status_code == 200
    assert f"勾选截止时间：{_local(closes)}（北京时间）" in page.text
    assert "本次勾选每户一票" in page.text


async def test_ballot_page_before_opening_time_has_no_form(client):
    places = await f.make_places(1)
    r = await f.make_round(places, items=2)
    opens = datetime.now(UTC) + timedelta(hours=3)
    await rs.save(r, opens_at=opens, closes_at=None, voter_unit="resident",
                  communities=places["communities"], actor=None)
    codes = await f.open_round(r, codes_per_community=1)
    page = await client.get(f"/v/{codes[0]}")
    assert f"本批次的群众勾选将于 {_local(opens)} 开始，请到时再来。" in page.text
    assert 'id="ballot"' not in page.text
    response = await client.post(f"/v/{codes[0]}", data={
        "_csrf_token": f.csrf_from((await client.get("/login")).text),
        "item": [str(i) for i in (await f.item_ids(r.id))[:1]]})
    assert response.status_code == 409
    assert "开始，请到时再来。" in response.text
    assert (await casting.lookup_code(codes[0])).used is False


async def test_round_page_closes_a_due_round_on_demand(client, monkeypatch):
    places, _token, r = await _staff(client)
    closes = datetime.now(UTC) + timedelta(hours=1)
    await rs.save(r, opens_at=None, closes_at=closes, voter_unit="resident",
                  communities=places["communities"], actor=None)
    await f.open_round(r, codes_per_community=1)
    monkeypatch.setattr(rs, "now_utc", lambda: closes + timedelta(seconds=1))
    page = await client.get(f"/rounds/{r.id}")
    assert page.status_code == 200
    assert (await wishlists.get_round(r.id)).status is RoundStatus.counted
    assert "结束群众勾选" not in page.text


async def test_app_startup_starts_the_closer(app):
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app) as c:
        task = c.app.state.round_closer
        assert not task.done()
    assert task.done()
