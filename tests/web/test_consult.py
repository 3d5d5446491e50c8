"""会商 pages: the street calls a meeting from a case, the clerk sees it in her queue and reports,
the meeting page shows attendance, decisions, follow-ups and ratings to whom they concern; the
协办意见 on the case page; bad input refused in Chinese with a 4xx."""
from __future__ import annotations

from datetime import UTC, date, datetime

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.cases import consult
from yishi.cases import services as cases
from yishi.cases.enums import MeetingKind, MeetingState
from yishi.cases.services import Dispatch

WHEN = datetime(2026, 3, 12, 6, 30, tzinfo=UTC)


async def world():
    places = await f.make_places()
    a, b = await f.make_unit(places, name="城管办"), await f.make_unit(places, name="住建局")
    staff = await f.make_user(Role.street_staff, places)
    s = await f.make_suggestion(places, content="锦城小区加装电梯多方意见不一。")
    case_id = await cases.dispatch(s.id, Dispatch(a, (b,)), actor=staff)
    return {"places": places, "a": a, "b": b, "staff": staff, "case": case_id,
            "clerk_a": await f.make_clerk(places, a), "clerk_b": await f.make_clerk(places, b),
            "reviewer": await f.make_user(Role.district_reviewer, places)}


async def test_street_calls_a_meeting_from_the_case_page(client):
    w = await world()
    token = await f.login(client, w["staff"].username)
    page = await client.get(f"/cases/{w['case']}")
    assert f'href="/cases/meetings/new?case={w["case"]}"' in page.text
    form = await client.get(f"/cases/meetings/new?case={w['case']}")
    assert f'name="cases" value="{w["case"]}" checked' in form.text
    r = await client.post("/cases/meetings/new", data={
        "_csrf_token": token, "kind": "on_site", "topic": "加装电梯现场办公会", "held_at": "2026-03-12T14:30",
        "place": "锦城小区3栋", "cases": str(w["case"]), "units": [str(w["a"]), str(w["b"])]})
    assert r.status_code in (302, 303)
    meeting_id = int(r.headers["location"].split("/")[3].split("?")[0])
    m = await consult.get_meeting(meeting_id)
    assert (m["kind"], m["topic"], m["held_at"], [u["name"] for u in m["units"]]) == (
        MeetingKind.on_site, "加装电梯现场办公会", datetime(2026, 3, 12, 6, 30, tzinfo=UTC), ["城管办", "住建局"])
    page = (await client.get(f"/cases/meetings/{meeting_id}")).text
    shown = f.text(page)
    assert "加装电梯现场办公会" in shown and "待报到" in shown
    # The meeting's history marks the units' names as typed data (an English page leaves them be).
    history = page.split('<ol class="history" id="history">')[1].split("</ol>")[0]
    assert '<span translate="no">城管办</span>' in history
    assert "召集会商" in f.text((await client.get(f"/cases/{w['case']}")).text)


async def test_call_without_topic_time_or_units_is_refused_in_chinese(client):
    w = await world()
    token = await f.login(client, w["staff"].username)
    r = await client.post("/cases/meetings/new", data={"_csrf_token": token, "kind": "whistle", "topic": "",
                                                       "held_at": "明天", "cases": str(w["case"])})
    assert r.status_code == 400
    assert "会商时间的格式不对" in r.text
    r = await client.post("/cases/meetings/new", data={"_csrf_token": token, "kind": "whistle", "topic": "议题",
                                                       "held_at": "2026-03-12T14:30", "cases": str(w["case"])})
    assert r.status_code == 400 and "请至少召集一个单位" in r.text
    r = await client.post("/cases/meetings/new", data={"_csrf_token": token, "kind": "x", "topic": "议题",
                                                       "held_at": "2026-03-12T14:30", "cases": str(w["case"]),
                                                       "units": str(w["a"])})
    assert r.status_code == 400 and "会商形式选择有误" in r.text
    assert await consult.meetings_for(w["staff"]) == []


async def test_clerk_sees_the_summons_in_her_queue_reports_and_rates_the_preparation(client):
    w = await world()
    meeting_id = await consult.call(consult.Call(MeetingKind.whistle, WHEN, "", "电梯协调会", (w["case"],),
                                                 (w["a"],)), actor=w["staff"])
    token = await f.login(client, w["clerk_a"].username)
    queue = f.text((await client.get("/cases/")).text)
    assert "被召集的会商" in queue and "电梯协调会" in queue and "待报到" in queue
    r = await client.post(f"/cases/meetings/{meeting_id}/report", data={"_csrf_token": token, "attendee": "王科长"})
    assert r.status_code in (302, 303)
    await consult.hold(meeting_id, "议定城管办牵头。", actor=w["staff"])
    r = await client.post(f"/cases/meetings/{meeting_id}/rate-prep", data={"_csrf_token": token, "score": "9",
                                                                           "note": "材料不全"})
    assert r.status_code == 400 and "评分应为 1 到 5 分" in r.text
    prep_form = r.text.split('id="prep-form"')[1].split("</form>")[0]
    assert 'value="材料不全"' in prep_form  # the refused form comes back with what was typed
    r = await client.post(f"/cases/meetings/{meeting_id}/rate-prep", data={"_csrf_token": token, "score": "4",
                                                                           "note": "材料提前发到"})
    assert r.status_code in (302, 303)
    unit = (await consult.get_meeting(meeting_id))["units"][0]
    assert (unit["reported"], unit["attendee"], unit["prep_score"], unit["prep_note"]) == (
        True, "王科长", 4, "材料提前发到")
    # the clerk cannot run the meeting's steps
    r = await client.post(f"/cases/meetings/{meeting_id}/close", data={"_csrf_token": token})
    assert r.status_code == 403


async def test_clerk_of_an_unsummoned_unit_and_another_street_are_refused(client):
    w, other = await world(), await world()
    meeting_id = await consult.call(consult.Call(MeetingKind.whistle, WHEN, "", "电梯协调会", (w["case"],),
                                                 (w["a"],)), actor=w["staff"])
    await f.login(client, w["clerk_b"].username)
    r = await client.get(f"/cases/meetings/{meeting_id}")
    assert r.status_code == 403 and "没有参加这次会商" in r.text
    await f.login(client, other["staff"].username)
    assert (await client.get(f"/cases/meetings/{meeting_id}")).status_code == 403
    await f.login(client, w["reviewer"].username)
    assert (await client.get(f"/cases/meetings/{meeting_id}")).status_code == 200


async def test_decision_against_the_first_receiver_is_refused_with_409(client):
    w = await world()
    await cases.accept(w["case"], actor=w["clerk_a"])
    meeting_id = await consult.call(consult.Call(MeetingKind.joint, WHEN, "", "电梯协调会", (w["case"],),
                                                 (w["a"], w["b"])), actor=w["staff"])
    token = await f.login(client, w["staff"].username)
    r = await client.post(f"/cases/meetings/{meeting_id}/hold", data={"_csrf_token": token, "summary": "会议纪要"})
    assert r.status_code in (302, 303)
    r = await client.post(f"/cases/meetings/{meeting_id}/decide", data={
        "_csrf_token": token, "case": str(w["case"]), "lead_unit": str(w["b"]), "decision": "住建局主责",
        "due_on": "2026-03-31"})
    assert r.status_code == 409 and "首接负责制" in r.text
    # What was typed comes back in the form, nothing lost.
    assert '<textarea name="decision" rows="3">住建局主责</textarea>' in r.text
    assert 'name="due_on" value="2026-03-31"' in r.text
    r = await client.post(f"/cases/meetings/{meeting_id}/decide", data={
        "_csrf_token": token, "case": str(w["case"]), "lead_unit": str(w["a"]), "assist": str(w["b"]),
        "decision": "城管办主责，住建局出具图纸", "due_on": "2026-03-31"})
    assert r.status_code in (302, 303)
    r = await client.post(f"/cases/meetings/{meeting_id}/items", data={
        "_csrf_token": token, "unit": str(w["b"]), "case": "", "what": "出具图纸", "due_on": "2026-03-20"})
    assert r.status_code in (302, 303)
    r = await client.post(f"/cases/meetings/{meeting_id}/rate-response", data={
        "_csrf_token": token, "unit": str(w["b"]), "score": "2", "note": "未到会"})
    assert r.status_code in (302, 303)
    page = f.text((await client.get(f"/cases/meetings/{meeting_id}")).text)
    assert "城管办主责，住建局出具图纸" in page and "出具图纸" in page and "未报到" in page
    m = await consult.get_meeting(meeting_id)
    assert (m["state"], m["cases"][0]["due_on"], m["units"][1]["response_score"]) == (
        MeetingState.held, date(2026, 3, 31), 2)


async def test_assisting_clerk_writes_an_opinion_the_street_and_the_lead_see(client):
    w = await world()
    token = await f.login(client, w["clerk_b"].username)
    page = f.text((await client.get(f"/cases/{w['case']}")).text)
    assert "尚未提出意见" in page
    r = await client.post(f"/cases/{w['case']}/opinion", data={"_csrf_token": token, "opinion": ""})
    assert r.status_code == 400 and "请填写协办意见" in r.text
    r = await client.post(f"/cases/{w['case']}/opinion", data={"_csrf_token": token, "opinion": "建议先做结构检测。"})
    assert r.status_code in (302, 303)
    for user in (w["clerk_a"], w["staff"]):
        await f.login(client, user.username)
        shown = f.text((await client.get(f"/cases/{w['case']}")).text)
        assert "已提出意见" in shown and "建议先做结构检测。" in shown
    token = await f.login(client, w["clerk_a"].username)
    r = await client.post(f"/cases/{w['case']}/opinion", data={"_csrf_token": token, "opinion": "主办也想写"})
    assert r.status_code == 403


async def test_case_page_links_a_clerk_only_to_the_meetings_her_unit_was_summoned_to(client):
    w = await world()
    summoned = await consult.call(consult.Call(MeetingKind.whistle, WHEN, "", "电梯协调会", (w["case"],),
                                               (w["a"],)), actor=w["staff"])
    other = await consult.call(consult.Call(MeetingKind.joint, WHEN, "", "图纸会审", (w["case"],), (w["b"],)),
                               actor=w["staff"])
    await f.login(client, w["clerk_a"].username)
    page = (await client.get(f"/cases/{w['case']}")).text
    assert f'href="/cases/meetings/{summoned}"' in page and f'href="/cases/meetings/{other}"' not in page
    assert "图纸会审" in f.text(page)
    await f.login(client, w["staff"].username)
    page = (await client.get(f"/cases/{w['case']}")).text
    assert f'href="/cases/meetings/{summoned}"' in page and f'href="/cases/meetings/{other}"' in page


async def test_call_form_offers_the_cases_that_need_coordination_first(client):
    """A big street has hundreds of open cases: the form lists first those a meeting is for
    (sent back by a unit, past its deadline), each with its reason, and the rest folded
    under "其他未办结的工单", opened when one of them was picked from its case page."""
    w = await world()
    staff, a = w["staff"], w["a"]
    long_ago = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)
    late = await f.make_suggestion(w["places"], content="菜场门口积水多日无人处理。")
    late_case = await cases.dispatch(late.id, Dispatch(a, ()), actor=staff, now=long_ago)
    back = await f.make_suggestion(w["places"], content="楼道灯坏了，物业说不归他们管。")
    back_case = await cases.dispatch(back.id, Dispatch(a, ()), actor=staff)
    await cases.send_back(back_case, "不属于本单位职责。", actor=w["clerk_a"])
    await f.login(client, staff.username)

    page = (await client.get("/cases/meetings/new")).text
    picks = page.split('id="pick-cases"')[1].split("</fieldset>")[0]
    needy, others = picks.split('id="other-cases"')
    assert f'value="{late_case}"' in needy and f'value="{back_case}"' in needy
    assert f'value="{w["case"]}"' in others and f'value="{w["case"]}"' not in needy
    late_label = needy.split(f'value="{late_case}"')[1].split("</label>")[0]
    back_label = needy.split(f'value="{back_case}"')[1].split("</label>")[0]
    assert "已逾期" in f.text(late_label) and "已退单" in f.text(back_label)
    assert f.text(back_label).count("已退单") == 1  # the state says it; no badge repeats it
    assert "其他未办结的工单（1 件）" in f.text(others)
    assert "open" not in others.split(">")[0]  # folded

    picked = (await client.get(f"/cases/meetings/new?case={w['case']}")).text
    assert "open" in picked.split('id="other-cases"')[1].split(">")[0]
    assert f'name="cases" value="{w["case"]}" checked' in picked
