"""Meetings and the desk through HTTP: pages, CSRF-protected posts, refusals in Chinese with 4xx."""
import re
from datetime import UTC

from tests import factories as f
from tests.meetings import setup
from yishi.accounts.enums import Role
from yishi.meetings import decisions, desk, meeting
from yishi.meetings.tables import MemberVote, Submission


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
    _places, convener, r, _ids = await setup.counted_round()
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
    await decisions.decide(ctx["meeting"], "同意。", "", actor=ctx["convener"])
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
    from yishi.meetings import records

    ctx = await setup.decide_meeting(present=4)  # party, worker, party_member, grid: no resident
    await records.set_rules(ctx["council"], quorum_share_pct=50, quorum_all_fixed=False, pass_share_pct=50)
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
    from yishi.meetings import records

    ctx = await setup.decide_meeting(present=4)
    await records.set_rules(ctx["council"], quorum_share_pct=60, quorum_all_fixed=False, pass_share_pct=50)
    await f.login(client, ctx["convener"].username)
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    assert "未达到法定人数" in page.text and "到会成员 4 人，需超过60%即至少 5 人" in page.text
    assert "超过半数" not in page.text


async def _scrambled_meeting():
    """A council whose members were added X first and party last: codes sort otherwise."""
    from datetime import datetime

    from yishi.meetings import records
    from yishi.meetings.enums import MeetingStep, MemberCategory, Presence

    places, convener, r, _ids = await setup.counted_round()
    order = [MemberCategory.x, MemberCategory.resident, MemberCategory.grid, MemberCategory.party_member,
             MemberCategory.worker, MemberCategory.party]
    council_id = await f.make_council(places, categories=order)
    mid = await meeting.create_meeting(council_id, step=MeetingStep.decide, title="议事会", place="会议室",
                                       held_at=datetime(2026, 3, 12, tzinfo=UTC), round_id=r.id, actor=convener)
    m = await meeting.get_meeting(mid)
    for member in await records.members_of(council_id):
        await meeting.set_presence(m, member["id"], Presence.present, actor=convener)
    return convener, mid


STANDARD = ["成员6", "成员5", "成员4", "成员3", "成员2", "成员1"]  # party, worker, party member, grid, resident, X


def _order(text: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: f.unmarked(text).index(f"<strong>{n}</strong>"))


async def test_meeting_page_lists_members_in_standard_category_order(client):
    convener, mid = await _scrambled_meeting()
    await f.login(client, convener.username)
    page = await client.get(f"/meetings/{mid}/chair")
    attendance = page.text[page.text.index('id="attendance"'):page.text.index('id="agenda"')]
    assert _order(attendance, STANDARD) == STANDARD


async def test_minutes_pdf_lists_members_in_standard_category_order(tmp_path):
    import subprocess

    from yishi.meetings import exports

    _convener, mid = await _scrambled_meeting()
    _name, _mime, data = await exports.minutes_pdf(mid)
    path = tmp_path / "m.pdf"
    path.write_bytes(data)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                             check=True).stdout)
    present = text[text.index("出席："):]
    assert sorted(STANDARD, key=present.index) == STANDARD


# --- the member's vote on a phone: short rows, a count of what is left, htmx ---------------

def _item_html(html: str, item_id: int) -> str:
    start = html.index(f'id="item-{item_id}"')
    return html[start:html.index("</li>", start)]


async def test_member_sees_three_buttons_per_item_and_what_is_left(client):
    ctx = await setup.decide_meeting(with_member_user=True)
    await f.login(client, ctx["member_user"].username)
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    assert "还剩 <strong>3</strong> 项未表决" in page.text
    row = _item_html(page.text, ctx["ids"][0])
    assert all(b in row for b in ('aria-label="赞成 项目1"', 'aria-label="反对 项目1"', 'aria-label="弃权 项目1"'))
    assert "1 万元" in row and "勾选 3" in row and "按勾选数" in row and "赞成 0" not in row
    assert "记录举手表决" not in page.text  # the convener's forms are not the member's


async def test_member_vote_by_htmx_returns_the_row_and_the_count(client):
    ctx = await setup.decide_meeting(with_member_user=True)
    token = await f.login(client, ctx["member_user"].username)
    url = f"/meetings/{ctx['meeting'].id}/my-vote/{ctx['ids'][1]}"
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    r = await client.post(url, data={"choice": "no"}, headers=headers)
    assert r.status_code == 200 and r.headers["x-vote-item"] == str(ctx["ids"][1])
    assert r.text.lstrip().startswith(f'<li id="item-{ctx["ids"][1]}" class="vote-item voted">')
    assert "✓ 反对" in r.text and 'aria-label="反对 项目2"' not in r.text
    assert 'id="votes-left"' in r.text and 'hx-swap-oob="true"' in r.text
    assert "还剩 <strong>2</strong> 项未表决" in r.text
    assert "<html" not in r.text
    # Twice: refused with the message in the row, 409, nothing more recorded.
    r = await client.post(url, data={"choice": "yes"}, headers=headers)
    assert r.status_code == 409 and r.headers["x-vote-item"] == str(ctx["ids"][1])
    assert "已经对该项表决过，每人每项只能表决一次。" in r.text
    rows = await MemberVote.select(MemberVote.choice).run()
    assert rows == [{"choice": "no"}]
    # Without the CSRF header htmx's post is refused like any other.
    r = await client.post(f"/meetings/{ctx['meeting'].id}/my-vote/{ctx['ids'][0]}", data={"choice": "yes"},
                          headers={"HX-Request": "true"})
    assert r.status_code == 403 and await MemberVote.count() == 1


async def test_member_vote_without_javascript_comes_back_to_the_item(client):
    ctx = await setup.decide_meeting(with_member_user=True)
    token = await f.login(client, ctx["member_user"].username)
    r = await client.post(f"/meetings/{ctx['meeting'].id}/my-vote/{ctx['ids'][2]}",
                          data={"_csrf_token": token, "choice": "abstain"})
    assert r.status_code == 302 and r.headers["location"] == f"/meetings/{ctx['meeting'].id}#item-{ctx['ids'][2]}"
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    assert "✓ 弃权" in _item_html(page.text, ctx["ids"][2])
    assert "还剩 <strong>2</strong> 项未表决" in page.text


async def test_convener_still_records_a_show_of_hands_per_item(client):
    ctx = await setup.decide_meeting()
    await f.login(client, ctx["convener"].username)
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    assert "记录举手表决" not in page.text  # the meeting page keeps to the votes
    assert f'href="/meetings/{ctx["meeting"].id}/chair"' in page.text  # the chair's panel, one tap away
    assert 'id="votes-left"' not in page.text  # the convener here is no council member
    chair = await client.get(f"/meetings/{ctx['meeting'].id}/chair")
    start = chair.text.index(f'id="hands-{ctx["ids"][0]}"')
    row = chair.text[start:chair.text.index("</li>", start)]
    assert "记录举手表决（7 人未表决）" in row and 'aria-label="成员1 项目1"' in row


async def test_chair_page_refused_to_a_member_403(client):
    ctx = await setup.decide_meeting(with_member_user=True)
    await f.login(client, ctx["member_user"].username)
    r = await client.get(f"/meetings/{ctx['meeting'].id}/chair")
    assert r.status_code == 403 and "您没有权限进行这项会议操作。" in r.text


async def test_show_of_hands_comes_back_to_the_chair_page(client):
    ctx = await setup.decide_meeting()
    token = await f.login(client, ctx["convener"].username)
    item, member = ctx["ids"][0], ctx["members"][0]
    r = await client.post(f"/meetings/{ctx['meeting'].id}/votes/{item}",
                          data={"_csrf_token": token, f"vote_{member}": "yes"})
    assert r.headers["location"] == f"/meetings/{ctx['meeting'].id}/chair#hands-{item}"


async def test_badges_in_chinese_and_no_false_empty_agenda(client):
    ctx = await setup.decide_meeting()
    await f.login(client, ctx["convener"].username)
    page = await client.get(f"/meetings/{ctx['meeting'].id}")
    row = _item_html(page.text, ctx["ids"][0])
    assert "均等份额法" in row and "MES" not in row
    assert "还没有议程" not in page.text
    chair = await client.get(f"/meetings/{ctx['meeting'].id}/chair")
    assert "还没有议程" not in chair.text and "通报群众勾选结果" in chair.text


# --- 复议 after a return, through HTTP --------------------------------------------------------

async def _returned_round():
    from yishi.wishlists import services as wishlists

    ctx = await setup.decide_meeting(with_member_user=True)
    for item in ctx["ids"][:2]:
        await setup.vote_all(ctx, item)
    await decisions.decide(ctx["meeting"], "同意实施项目1和项目2。", "", actor=ctx["convener"])
    ctx["round"] = await wishlists.get_round(ctx["round"].id)
    reviewer = await f.make_user(Role.district_reviewer, ctx["places"])
    ctx["v1"] = await desk.submit(ctx["round"], "", actor=ctx["convener"])
    await desk.review(ctx["v1"], approve=False, comment="请压缩费用。", item_comments={ctx["ids"][1]: "费用偏高"},
                      actor=reviewer)
    return ctx


async def test_direct_edit_of_a_returned_list_refused_409_nothing_changed(client):
    from yishi.meetings import records

    ctx = await _returned_round()
    staff = await f.make_user(Role.street_staff, ctx["places"])
    token = await f.login(client, staff.username)
    before = await records.decision_of(ctx["round"].id)
    r = await client.post(f"/rounds/{ctx['round'].id}/revise", data={
        "_csrf_token": token, "approved": [str(ctx["ids"][0])], "resolution": "改为只实施项目1。"})
    assert r.status_code == 409
    assert "意愿清单的项目和决议是议事组逐项表决形成的，街道工作人员不能直接修改。" in r.text
    assert await records.decision_of(ctx["round"].id) == before
    page = await client.get(f"/rounds/{ctx['round'].id}/council-work")
    assert f'action="/rounds/{ctx["round"].id}/revise"' not in page.text and 'type="checkbox"' not in page.text
    assert "按退回意见复议" in page.text and "等待议事组召集人安排复议会议。" in page.text
    assert 'id="revision-meeting-form"' not in page.text  # staff do not plan meetings


async def test_direct_edit_by_a_member_403(client):
    ctx = await _returned_round()
    token = await f.login(client, ctx["member_user"].username)
    r = await client.post(f"/rounds/{ctx['round'].id}/revise", data={
        "_csrf_token": token, "approved": [str(ctx["ids"][0])], "resolution": "改。"})
    assert r.status_code == 403


async def test_convener_plans_the_revision_meeting_which_shows_the_districts_comments(client):
    ctx = await _returned_round()
    token = await f.login(client, ctx["convener"].username)
    page = await client.get(f"/rounds/{ctx['round'].id}/council-work")
    assert 'id="revision-meeting-form"' in page.text and "2026年首批次复议会议" in page.text
    r = await client.post("/meetings/", data={"_csrf_token": token, "step": "decide", "round": str(ctx["round"].id),
                                             "title": "2026年首批次复议会议", "held_at": "2026-03-20T14:30",
                                             "place": "党群服务中心"})
    assert r.status_code in (302, 303)
    page = await client.get(r.headers["location"])
    assert "复议：第 1 版意愿清单（2 项）" in page.text and "区级意见：请压缩费用。" in page.text
    assert "区级意见：费用偏高" in _item_html(page.text, ctx["ids"][1])
    assert "第 1 版已列入" in _item_html(page.text, ctx["ids"][0])
    work = await client.get(f"/rounds/{ctx['round'].id}/council-work")
    assert "复议会议还没有形成决议。" in work.text and f'action="/rounds/{ctx["round"].id}/submit"' not in work.text


async def test_versions_page_names_the_meeting_of_each_version(client):
    ctx = await _returned_round()
    await setup.reconsider(ctx["round"], ctx["ids"][:1], "复议：同意实施项目1。", actor=ctx["convener"])
    await desk.submit(ctx["round"], "", actor=ctx["convener"])
    await f.login(client, ctx["convener"].username)
    page = await client.get(f"/rounds/{ctx['round'].id}/submissions")
    assert page.status_code == 200
    v1 = page.text[page.text.index('id="v1"'):]
    v2 = page.text[page.text.index('id="v2"'):page.text.index('id="v1"')]
    assert "首批次民主议事会" in v1 and "复议会议" in v2 and "复议</span>" in v2
    assert "删去：项目2（20,000.00 元）" in page.text and "本版由“复议会议”" in page.text


async def test_planning_a_decision_meeting_while_the_list_is_at_the_district_409(client):
    from yishi.meetings.tables import Meeting

    ctx = await setup.decide_meeting()
    for item in ctx["ids"][:2]:
        await setup.vote_all(ctx, item)
    await decisions.decide(ctx["meeting"], "同意。", "", actor=ctx["convener"])
    from yishi.wishlists import services as wishlists
    await desk.submit(await wishlists.get_round(ctx["round"].id), "", actor=ctx["convener"])
    token = await f.login(client, ctx["convener"].username)
    r = await client.post("/meetings/", data={"_csrf_token": token, "step": "decide", "round": str(ctx["round"].id),
                                             "title": "复议会议", "held_at": "2026-03-20T14:30", "place": "会议室"})
    assert r.status_code == 409 and "意愿清单第 1 版正在区级审核，审核结束前不能复议。" in r.text
    assert await Meeting.count() == 1
