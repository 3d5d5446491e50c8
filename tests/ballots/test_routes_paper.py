"""Paper ballots, results and exports through HTTP: permissions, CSRF, status codes."""
from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting, lifecycle, round_settings
from yishi.ballots.tables import PaperBallot
from yishi.wishlists import services as wishlists


async def _voting():
    places = await f.make_places(2)
    r = await f.make_round(places, items=3, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=2)
    return places, r, codes, await f.item_ids(r.id)


async def test_paper_entry_post_without_csrf_403(client):
    places, r, codes, items = await _voting()
    collector = await f.make_user(Role.collector, places)
    await f.login(client, collector.username)
    response = await client.post(f"/rounds/{r.id}/paper/entries", data={"code": codes[0], "item": [str(items[0])]})
    assert response.status_code == 403
    assert await PaperBallot.count() == 0


async def test_paper_entry_by_collector_then_message(client):
    places, r, codes, items = await _voting()
    collector = await f.make_user(Role.collector, places)
    await f.login(client, collector.username)
    page = await client.get(f"/rounds/{r.id}/paper")
    assert page.status_code == 200 and "录入收回的纸质选票" in page.text
    response = await client.post(f"/rounds/{r.id}/paper/entries",
                                 data={"_csrf_token": f.csrf_from(page.text), "code": codes[0],
                                       "item": [str(items[0])]})
    assert response.status_code == 200
    assert "已保存第一遍录入" in response.text


async def test_paper_entry_too_many_ticks_400_keeps_form(client):
    places, r, codes, items = await _voting()
    collector = await f.make_user(Role.collector, places)
    await f.login(client, collector.username)
    page = await client.get(f"/rounds/{r.id}/paper")
    response = await client.post(f"/rounds/{r.id}/paper/entries",
                                 data={"_csrf_token": f.csrf_from(page.text), "code": codes[0],
                                       "item": [str(i) for i in items]})
    assert response.status_code == 400
    assert "最多只能勾选 2 项" in response.text
    assert codes[0] in response.text
    assert await PaperBallot.count() == 0


async def test_paper_page_other_town_collector_403(client):
    _places, r, _codes, _items = await _voting()
    other = await f.make_places(1)
    collector = await f.make_user(Role.collector, other)
    await f.login(client, collector.username)
    assert (await client.get(f"/rounds/{r.id}/paper")).status_code == 403


async def test_paper_pdf_collector_403_staff_200(client):
    places, r, _codes, _items = await _voting()
    collector = await f.make_user(Role.collector, places)
    token = await f.login(client, collector.username)
    response = await client.post(f"/rounds/{r.id}/paper/ballots.pdf", data={"_csrf_token": token, "count": "2"})
    assert response.status_code == 403
    assert await PaperBallot.count() == 0 and (await round_settings.get(r.id)).uses_paper is False
    staff = await f.make_user(Role.street_staff, places)
    token = await f.login(client, staff.username)
    # Printing changes the round (its count will wait for paper): a link or a forged form cannot.
    assert (await client.get(f"/rounds/{r.id}/paper/ballots.pdf")).status_code == 405
    assert (await client.post(f"/rounds/{r.id}/paper/ballots.pdf", data={"count": "2"})).status_code == 403
    assert (await round_settings.get(r.id)).uses_paper is False
    response = await client.post(f"/rounds/{r.id}/paper/ballots.pdf", data={"_csrf_token": token, "count": "2",
                                                                           "size": "A5"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (await round_settings.get(r.id)).uses_paper is True
    response = await client.post(f"/rounds/{r.id}/paper/ballots.pdf", data={"_csrf_token": token, "count": "很多"})
    assert response.status_code == 400 and "张数应为整数。" in response.text


async def test_public_results_after_close_and_receipt_check(client):
    _places, r, codes, items = await _voting()
    receipt = await casting.cast_ballot(codes[0], [items[0]])
    assert (await client.get(f"/results/{r.id}")).status_code == 409
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    page = await client.get(f"/results/{r.id}")
    assert page.status_code == 200
    assert "<svg" in page.text and "各社区参与情况" in page.text
    found = await client.get(f"/results/{r.id}", params={"receipt": receipt.lower()})
    assert "在已计入的选票中" in found.text
    missing = await client.get(f"/results/{r.id}", params={"receipt": "AAAAAAAAAA"})
    assert "没有找到回执号" in missing.text
    listing = await client.get(f"/results/{r.id}/receipts.txt")
    assert listing.text.replace("-", "").split() == [receipt]


async def test_recount_by_staff_matches_and_exports_download(client):
    places, r, codes, items = await _voting()
    await casting.cast_ballot(codes[0], [items[0]])
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    staff = await f.make_user(Role.street_staff, places)
    token = await f.login(client, staff.username)
    response = await client.post(f"/rounds/{r.id}/recount", data={"_csrf_token": token})
    assert response.status_code == 200
    assert "结果与公布的完全一致" in response.text
    xlsx = await client.get(f"/rounds/{r.id}/export/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert (await client.get(f"/rounds/{r.id}/export/nope")).status_code == 404
