"""The thin slice through the HTTP routes: a convener compiles, residents tick, the council decides in a
quorate 民主议事定方向 meeting (sign-in, votes, decision), and the intent list comes out."""
from tests import factories as f
from yishi.accounts.enums import Role
from yishi.meetings import records as meetings


async def test_thin_slice_through_routes_produces_pdf(client):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    council_id = await f.make_council(places)  # the 5+X council: the five fixed categories and one X
    token = await f.login(client, convener.username)
    r = await client.post("/rounds/", data={"_csrf_token": token, "title": "2026年首批次",
                                            "budget": "300000", "max_ticks": "2"})
    assert r.status_code in (302, 303)
    round_id = int(r.headers["location"].rsplit("/", 1)[1])
    # Street staff may prepare a draft item on the round page before the meeting.
    r = await client.post(f"/rounds/{round_id}/items", data={"_csrf_token": token, "title": "爱心座椅",
                                                            "cost": "48000", "kind": "special"})
    assert r.status_code in (302, 303), r.text
    # 民主恳谈交清单: the council completes the list in a quorate meeting and adopts it.
    r = await client.post(f"/rounds/{round_id}/open", data={"_csrf_token": token})
    assert r.status_code == 409 and "清单还没有经议事组“民主恳谈交清单”会议定稿" in r.text
    r = await client.post("/meetings/", data={"_csrf_token": token, "step": "consult", "round": str(round_id),
                                              "title": "2026年首批次民主恳谈会", "held_at": "2026-02-20T14:30",
                                              "place": "街道党群服务中心"})
    assert r.status_code in (302, 303), r.text
    consult_url = r.headers["location"]
    members = [m["id"] for m in await meetings.members_of(council_id)]
    for step in ("attendance", "start"):
        r = await client.post(f"{consult_url}/{step}", data={"_csrf_token": token,
                                                            **{f"presence_{m}": "present" for m in members}})
        assert r.status_code in (302, 303), r.text
    r = await client.post(f"{consult_url}/list/items", data={"_csrf_token": token, "title": "幸福食堂",
                                                            "cost": "450000", "kind": "universal"})
    assert r.status_code in (302, 303), r.text
    r = await client.post(f"{consult_url}/list/adopt", data={"_csrf_token": token})
    assert r.status_code in (302, 303), r.text
    page = await client.get(consult_url)
    assert "经“2026年首批次民主恳谈会”定稿（2 项，合计 498,000.00 元）" in page.text
    r = await client.post(f"/rounds/{round_id}/codes", data={"_csrf_token": token,
                                                            "community": places["communities"][0], "count": "3"})
    assert r.status_code == 200
    r = await client.post(f"/rounds/{round_id}/open", data={"_csrf_token": token})
    assert r.status_code in (302, 303)
    from yishi.ballots.casting import unused_codes
    codes = [c["code"] for c in await unused_codes(round_id)]
    items = await f.item_ids(round_id)
    page = await client.get(f"/v/{codes[0]}")
    assert "爱心座椅" in page.text
    r = await client.post(f"/v/{codes[0]}", data={"_csrf_token": f.csrf_from(page.text), "item": [str(items[0])]})
    assert r.status_code == 200 and "提交成功" in r.text
    r = await client.post(f"/rounds/{round_id}/close", data={"_csrf_token": token})
    assert r.status_code in (302, 303)
    # 民主议事定方向: no decision from the round page; the convener arranges the council's meeting.
    r = await client.post(f"/rounds/{round_id}/decision", data={"_csrf_token": token, "approved": [str(items[0])],
                                                               "resolution": "同意实施爱心座椅项目。"})
    assert r.status_code == 409 and "议事决定只能在达到法定人数的“民主议事定方向”会议上" in r.text
    page = await client.get(f"/rounds/{round_id}")
    assert 'id="decide-meeting-form"' in page.text
    r = await client.post("/meetings/", data={"_csrf_token": token, "step": "decide", "round": str(round_id),
                                              "title": "2026年首批次民主议事会", "held_at": "2026-03-12T14:30",
                                              "place": "街道党群服务中心"})
    assert r.status_code in (302, 303), r.text
    meeting_url = r.headers["location"]
    r = await client.post(f"{meeting_url}/attendance", data={"_csrf_token": token,
                                                            **{f"presence_{m}": "present" for m in members}})
    assert r.status_code in (302, 303), r.text
    page = await client.get(meeting_url)
    assert "已达到法定人数：应到 6 人，实到 6 人（需至少 4 人），五类固定成员齐全。" in page.text
    r = await client.post(f"{meeting_url}/start", data={"_csrf_token": token})
    assert r.status_code in (302, 303), r.text
    for item, choice in ((items[0], "yes"), (items[1], "no")):
        r = await client.post(f"{meeting_url}/votes/{item}", data={"_csrf_token": token,
                                                                  **{f"vote_{m}": choice for m in members}})
        assert r.status_code in (302, 303), r.text
    r = await client.post(f"{meeting_url}/decide", data={"_csrf_token": token, "resolution": "同意实施爱心座椅项目。"})
    assert r.status_code in (302, 303), r.text
    decision = await meetings.decision_of(round_id)
    assert decision["approved"] == {items[0]} and decision["meeting"] == int(meeting_url.rsplit("/", 1)[1])
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
