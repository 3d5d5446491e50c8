"""Meetings and the desk through HTTP: pages, CSRF-protected posts, refusals in Chinese with 4xx."""
import re

from yishi.accounts.enums import Role
from yishi.meetings import desk, meeting
from yishi.meetings.tables import MemberVote, Submission
from tests import factories as f
from tests.meetings import setup


def _alert(html: str) -> str:
    match = re.search(r'id="error">([^<]+)<', html)
    return match.group(1) if match else ""


async def test_meeting_page_shows_quorum_and_tallies(client):
    ctx = await setup.decide_meeting()
    token = await f.login(client, ctx["convener"].username)
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    assert page.status_code == 200
    assert "已达到法定人数：应到 7 人，实到 7 人（需至少 4 人）" in page.text
    assert "按勾选数" in page.text and "MES" in page.text
    assert token


async def test_meeting_page_without_quorum_says_why(client):
    ctx = await setup.decide_meeting(present=3)
    await f.login(client, ctx["convener"].username)
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    assert "未达到法定人数：可以讨论，但不能表决、不能形成决议。固定类别缺席：网格员代表、村（居）民代表" in page.text


async def test_show_of_hands_then_vote_twice_409(client):
    ctx = await setup.decide_meeting()
    token = await f.login(client, ctx["convener"].username)
    item, member = ctx["ids"][0], ctx["members"][0]
    url = f"/meetings/{ctx['meeting'].id}/votes/{item}"
    r = await client.post(url, data={"_csrf_token": token, f"vote_{member}": "yes"})
    assert r.status_code == 302
    r = await client.post(url, data={"_csrf_token": token, f"vote_{member}": "no"})
    assert r.status_code == 409
    assert _alert(r.text) == "成员1已经对该项表决过，每人每项只能表决一次。"
    assert await MemberVote.count() == 1


async def test_vote_without_csrf_403(client):
    ctx = await setup.decide_meeting()
    await f.login(client, ctx["convener"].username)
    r = await client.post(f"/meetings/{ctx['meeting'].id}/votes/{ctx['ids'][0]}",
                          data={f"vote_{ctx['members'][0]}": "yes"})
    assert r.status_code == 403
    assert await MemberVote.count() == 0


async def test_member_votes_on_phone_and_not_as_someone_else(client):
    ctx = await setup.decide_meeting(with_member_user=True)
    member_user = ctx["member_user"]
    token = await f.login(client, member_user.username)
    url = f"/meetings/{ctx['meeting'].id}/my-vote/{ctx['ids'][0]}"
    assert (await client.post(url, data={"_csrf_token": token, "choice": "yes"})).status_code == 302
    rows = await MemberVote.select(MemberVote.member, MemberVote.by_self).run()
    assert rows == [{"member": ctx["members"][4], "by_self": True}]
    # A member cannot use the convener's show-of-hands form.
    r = await client.post(f"/meetings/{ctx['meeting'].id}/votes/{ctx['ids'][1]}",
                          data={"_csrf_token": token, f"vote_{ctx['members'][0]}": "yes"})
    assert r.status_code == 403 and "您没有权限进行这项会议操作。" in r.text
    assert await MemberVote.count() == 1


async def test_non_member_cannot_vote_403(client):
    ctx = await setup.decide_meeting()
    staff = await f.make_user(Role.street_staff, ctx["places"])
    token = await f.login(client, staff.username)
    r = await client.post(f"/meetings/{ctx['meeting'].id}/my-vote/{ctx['ids'][0]}",
                          data={"_csrf_token": token, "choice": "yes"})
    assert r.status_code == 403 and "您不是本议事组的在任成员，不能表决。" in r.text
    assert await MemberVote.count() == 0


async def test_decide_without_quorum_409(client):
    ctx = await setup.decide_meeting(present=3)
    token = await f.login(client, ctx["convener"].username)
    r = await client.post(f"/meetings/{ctx['meeting'].id}/decide",
                          data={"_csrf_token": token, "resolution": "同意。", "departure_reason": ""})
    assert r.status_code == 409
    assert _alert(r.text).startswith("未达到法定人数，不能表决或形成决议")


async def test_closed_minutes_edit_409(client):
    ctx = await setup.decide_meeting()
    token = await f.login(client, ctx["convener"].username)
    mid = ctx["meeting"].id
    assert (await client.post(f"/meetings/{mid}/close", data={"_csrf_token": token})).status_code == 302
    agenda = await meeting.agenda_of(mid)
    r = await client.post(f"/meetings/{mid}/agenda/{agenda[0]['id']}/notes", data={"_csrf_token": token, "notes": "改"})
    assert r.status_code == 409 and _alert(r.text) == "会议纪要已定稿，不能再修改。"
    assert (await meeting.agenda_of(mid))[0]["notes"] == ""


async def test_other_town_convener_cannot_see_meeting_403(client):
    ctx = await setup.decide_meeting()
    other = await f.make_user(Role.convener, await f.make_places())
    await f.login(client, other.username)
    assert (await client.get(f"/meetings/{ctx['meeting'].id}")).status_code == 403


async def test_submit_undecided_list_409(client):
    places, convener, r, ids = await setup.counted_round()
    token = await f.login(client, convener.username)
    resp = await client.post(f"/rounds/{r.id}/submit", data={"_csrf_token": token, "note": ""})
    assert resp.status_code == 409
    assert "本批次尚未形成意愿清单，不能报送区级审核。" in resp.text
    assert await Submission.count() == 0


async def test_council_page_shows_coverage_and_adds_member(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    await setup.council(places)
    token = await f.login(client, staff.username)
    page = await client.get("/council")
    assert "五类固定成员齐全，共 7 人。" in page.text
    r = await client.post("/council/members", data={"_csrf_token": token, "name": "钱多", "category": "x",
                                                    "term_start": "2026-01-01", "term_end": "2025-01-01"})
    assert r.status_code == 400 and "任期结束日期不能早于开始日期。" in r.text


async def test_reviewer_desk_and_return_via_http(client):
    ctx = await setup.decide_meeting()
    await setup.vote_all(ctx, ctx["ids"][0])
    await setup.vote_all(ctx, ctx["ids"][1])
    await meeting.decide(ctx["meeting"], "同意。", "", actor=ctx["convener"])
    from yishi.wishlists import services as wishlists
    sid = await desk.submit(await wishlists.get_round(ctx["round"].id), "", actor=ctx["convener"])
    reviewer = await f.make_user(Role.district_reviewer, ctx["places"])
    token = await f.login(client, reviewer.username)
    page = await client.get("/district")
    assert page.status_code == 200 and "已提交（1）" in page.text
    r = await client.post(f"/district/submissions/{sid}/review", data={"_csrf_token": token, "action": "return",
                                                                     "comment": ""})
    assert r.status_code == 400 and "退回时请填写总体意见" in r.text
    r = await client.post(f"/district/submissions/{sid}/review", data={
        "_csrf_token": token, "action": "return", "comment": "", f"comment_{ctx['ids'][1]}": "费用偏高"})
    assert r.status_code == 302
    assert (await desk.get_submission(sid))["status"].value == "returned"


# --- the quorum banner follows the council's rules; members in the standard 1–5 + X order ---

async def test_quorum_banner_without_fixed_category_rule_does_not_claim_all_five(client):
    from yishi.meetings import services

    ctx = await setup.decide_meeting(present=4)  # party, worker, party_member, grid: no resident
    await services.set_rules(ctx["council"], quorum_share_pct=50, quorum_all_fixed=False, pass_share_pct=50)
    await f.login(client, ctx["convener"].username)
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    assert "已达到法定人数：应到 7 人，实到 4 人（需至少 4 人）。" in page.text
    assert "五类固定成员齐全" not in page.text


async def test_quorum_banner_with_fixed_category_rule_says_all_five(client):
    ctx = await setup.decide_meeting(present=5)
    await f.login(client, ctx["convener"].username)
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    assert "已达到法定人数：应到 7 人，实到 5 人（需至少 4 人），五类固定成员齐全。" in page.text


async def test_quorum_reason_names_the_councils_share(client):
    from yishi.meetings import services

    ctx = await setup.decide_meeting(present=4)
    await services.set_rules(ctx["council"], quorum_share_pct=60, quorum_all_fixed=False, pass_share_pct=50)
    await f.login(client, ctx["convener"].username)
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    assert "未达到法定人数" in page.text and "到会成员 4 人，需超过60%即至少 5 人" in page.text
    assert "超过半数" not in page.text


async def _scrambled_meeting():
    """A council whose members were added X first and party last: codes sort otherwise."""
    from datetime import datetime, timezone

    from yishi.meetings.enums import MeetingStep, MemberCategory, Presence
    from yishi.meetings import services

    places, convener, r, ids = await setup.counted_round()
    order = [MemberCategory.x, MemberCategory.resident, MemberCategory.grid, MemberCategory.party_member,
             MemberCategory.worker, MemberCategory.party]
    council_id = await f.make_council(places, categories=order)
    mid = await meeting.create_meeting(council_id, step=MeetingStep.decide, title="议事会", place="会议室",
                                       held_at=datetime(2026, 3, 12, tzinfo=timezone.utc), round_id=r.id, actor=convener)
    m = await meeting.get_meeting(mid)
    for member in await services.members_of(council_id):
        await meeting.set_presence(m, member["id"], Presence.present, actor=convener)
    return convener, mid


STANDARD = ["成员6", "成员5", "成员4", "成员3", "成员2", "成员1"]  # party, worker, party member, grid, resident, X


def _order(text: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: text.index(f"<strong>{n}</strong>"))


async def test_meeting_page_lists_members_in_standard_category_order(client):
    convener, mid = await _scrambled_meeting()
    await f.login(client, convener.username)
    page = await client.get(f"/meetings/{mid}")
    attendance = page.text[page.text.index('id="attendance"'):page.text.index('id="guests"')]
    assert _order(attendance, STANDARD) == STANDARD


async def test_minutes_pdf_lists_members_in_standard_category_order(tmp_path):
    import subprocess

    from yishi.meetings import exports

    convener, mid = await _scrambled_meeting()
    _name, _mime, data = await exports.minutes_pdf(mid)
    path = tmp_path / "m.pdf"
    path.write_bytes(data)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    present = text[text.index("出席："):]
    assert sorted(STANDARD, key=present.index) == STANDARD
