"""The thin slice through the HTTP routes: a convener compiles, residents tick, the council decides."""
from yishi.accounts.enums import Role
from tests import factories as f


async def test_thin_slice_through_routes_produces_pdf(client):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    token = await f.login(client, convener.username)
    r = await client.post("/rounds/", data={"_csrf_token": token, "title": "2026年首批次",
                                            "budget": "300000", "max_ticks": "2"})
    assert r.status_code in (302, 303)
    round_id = int(r.headers["location"].rsplit("/", 1)[1])
    for title, cost, kind in [("爱心座椅", "48000", "special"), ("幸福食堂", "450000", "universal")]:
        r = await client.post(f"/rounds/{round_id}/items", data={"_csrf_token": token, "title": title,
                                                                "cost": cost, "kind": kind})
        assert r.status_code in (302, 303), r.text
    r = await client.post(f"/rounds/{round_id}/codes", data={"_csrf_token": token,
                                                            "community": places["communities"][0], "count": "3"})
    assert r.status_code == 200
    r = await client.post(f"/rounds/{round_id}/open", data={"_csrf_token": token})
    assert r.status_code in (302, 303)
    from yishi.ballots.services import unused_codes
    codes = [c["code"] for c in await unused_codes(round_id)]
    items = await f.item_ids(round_id)
    page = await client.get(f"/v/{codes[0]}")
    assert "爱心座椅" in page.text
    r = await client.post(f"/v/{codes[0]}", data={"_csrf_token": f.csrf_from(page.text), "item": [str(items[0])]})
    assert r.status_code == 200 and "提交成功" in r.text
    r = await client.post(f"/rounds/{round_id}/close", data={"_csrf_token": token})
    r = await client.post(f"/rounds/{round_id}/decision", data={"_csrf_token": token, "approved": [str(items[0])],
                                                               "resolution": "同意实施爱心座椅项目。"})
    assert r.status_code in (302, 303), r.text
    pdf = await client.get(f"/rounds/{round_id}/intent-list.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


async def test_home_page_leads_residents_to_ticking_suggestions_and_tracking(client):
    home = await client.get("/")
    assert home.status_code == 200
    for href, heading in [("/s", "我要提建议"), ("/t", "查询办理进度")]:
        assert f'href="{href}"' in home.text and heading in home.text
        page = await client.get(href)
        assert page.status_code == 200
