"""回访 pages: the resident rates at /t/CODE and is refused the second time, after the window there
is no form, the street records a call on the case page, a clerk of the owning unit may see the
phone, the ledger lists the case's entry; every refusal is a 4xx in Chinese."""
from __future__ import annotations

from datetime import timedelta

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.cases import services
from yishi.cases.enums import CaseState
from yishi.cases.services import Dispatch
from yishi.cases.tables import Case
from yishi.core import audit, dates
from yishi.evaluation.tables import CaseRating


async def answered(phone: str = "13800138000", *, escalated: bool = False):
    places = await f.make_places()
    unit = await f.make_unit(places, name="城管办")
    w = {"places": places, "unit": unit, "staff": await f.make_user(Role.street_staff, places),
         "clerk": await f.make_clerk(places, unit)}
    s = await f.make_suggestion(places, phone=phone)
    w["s"] = s
    w["case"] = await services.dispatch(s.id, Dispatch(unit), actor=w["staff"])
    await services.accept(w["case"], actor=w["clerk"])
    if escalated:  # the unit keeps it (首接负责制) and the district joins
        await services.escalate(s.id, "涉及区级部门，街道协调不下来。", actor=w["staff"])
    await services.reply(w["case"], "已派人修好三盏路灯。", actor=w["clerk"])
    return w


async def test_resident_rates_once_and_the_second_time_reads_why(client):
    w = await answered()
    page = await client.get(f"/t/{w['s'].tracking_code}")
    assert page.status_code == 200 and "您对答复满意吗？" in page.text and 'id="rate-form"' in page.text
    token = f.csrf_from(page.text)
    r = await client.post(f"/t/{w['s'].tracking_code}/rate", data={"_csrf_token": token, "grade": "satisfied"})
    assert r.status_code in (302, 303) and r.headers["location"].endswith("?rated=1#callback")
    page = await client.get(r.headers["location"].split("#")[0])
    assert "谢谢您的评价！" in page.text and 'id="rate-form"' not in page.text
    assert "第 1 次答复：满意" in f.text(page.text)
    r = await client.post(f"/t/{w['s'].tracking_code}/rate", data={"_csrf_token": token, "grade": "basic"})
    assert r.status_code == 409 and "这次答复已经评价过了（满意），每次答复只能评价一次。" in r.text
    assert await CaseRating.count() == 1


async def test_unsatisfied_without_a_reason_is_refused_and_keeps_the_choice(client):
    w = await answered()
    page = await client.get(f"/t/{w['s'].tracking_code}")
    r = await client.post(f"/t/{w['s'].tracking_code}/rate", data={
        "_csrf_token": f.csrf_from(page.text), "grade": "unsatisfied", "comment": " "})
    assert r.status_code == 400 and "请写一句哪里不满意" in r.text
    assert 'value="unsatisfied" required\n        checked' in r.text or 'value="unsatisfied" required checked' in r.text
    r = await client.post(f"/t/{w['s'].tracking_code}/rate", data={
        "_csrf_token": f.csrf_from(page.text), "grade": "unsatisfied", "comment": "还有两盏不亮"})
    assert r.status_code in (302, 303)
    page = await client.get(f"/t/{w['s'].tracking_code}?rated=1")
    assert "您的意见已转给承办单位重新办理" in page.text
    assert (await services.get_case(w["case"]))["state"] is CaseState.accepted


async def test_after_the_window_there_is_no_form_and_a_post_is_refused(client):
    w = await answered()
    await Case.update({Case.answered_at: dates.now() - timedelta(days=20)}).where(Case.id == w["case"]).run()
    page = await client.get(f"/t/{w['s'].tracking_code}")
    assert "评价期已过" in page.text and 'id="rate-form"' not in page.text
    r = await client.post(f"/t/{w['s'].tracking_code}/rate", data={
        "_csrf_token": f.csrf_from(page.text), "grade": "satisfied"})
    assert r.status_code == 409 and "评价期已过" in r.text


async def test_an_unknown_code_is_a_404_in_chinese(client):
    page = await client.get("/s")
    r = await client.post("/t/ZZZZZZZZ/rate", data={"_csrf_token": f.csrf_from(page.text), "grade": "satisfied"})
    assert r.status_code == 404 and "查不到这个查询码" in r.text


async def test_staff_record_a_call_on_the_case_page(client):
    w = await answered()
    token = await f.login(client, w["staff"].username)
    page = await client.get(f"/cases/{w['case']}")
    assert page.status_code == 200 and 'id="call-form"' in page.text and "138****8000" in page.text
    today = dates.today()
    r = await client.post(f"/cases/{w['case']}/callback", data={
        "_csrf_token": token, "grade": "basic", "called_on": (today + timedelta(days=1)).isoformat()})
    assert r.status_code == 400 and "通话日期不能晚于今天。" in r.text
    r = await client.post(f"/cases/{w['case']}/callback", data={
        "_csrf_token": token, "grade": "basic", "called_on": "昨天"})
    assert r.status_code == 400 and "通话日期" in r.text
    r = await client.post(f"/cases/{w['case']}/callback", data={
        "_csrf_token": token, "grade": "basic", "called_on": today.isoformat(), "comment": "居民说基本修好了"})
    assert r.status_code in (302, 303)
    page = await client.get(r.headers["location"].split("#")[0])
    assert "电话回访已登记。" in page.text and "居民评价：基本满意" in f.text(page.text)
    assert 'id="call-form"' not in page.text


async def test_the_clerk_cannot_record_a_call_but_may_see_the_phone_on_record(client):
    w = await answered()
    token = await f.login(client, w["clerk"].username)
    page = await client.get(f"/cases/{w['case']}")
    assert 'id="call-form"' not in page.text and "查看完整号码" in page.text
    r = await client.post(f"/cases/{w['case']}/callback", data={
        "_csrf_token": token, "grade": "satisfied", "called_on": dates.today().isoformat()})
    assert r.status_code == 403
    r = await client.post(f"/cases/{w['case']}/phone", data={"_csrf_token": token}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "13800138000" in r.text
    entries = await audit.entries_for("suggestion", w["s"].id)
    assert [e["actor_name"] for e in entries if e["action"] == "suggestion.phone.unmasked"] == [
        w["clerk"].display_name]


async def test_the_district_records_a_call_on_a_case_sent_up_to_it_not_on_the_streets_own(client):
    w = await answered(escalated=True)
    own = await services.dispatch((await f.make_suggestion(w["places"])).id, Dispatch(w["unit"]), actor=w["staff"])
    await services.accept(own, actor=w["clerk"])
    await services.reply(own, "已清运。", actor=w["clerk"])
    reviewer = await f.make_user(Role.district_reviewer, w["places"])
    token = await f.login(client, reviewer.username)
    page = await client.get(f"/cases/{own}")
    assert page.status_code == 200 and "待评价" in page.text and 'id="call-form"' not in page.text
    r = await client.post(f"/cases/{own}/callback", data={
        "_csrf_token": token, "grade": "satisfied", "called_on": dates.today().isoformat()})
    assert r.status_code == 403 and "提级到区的工单，区级人员也可以" in r.text
    assert (await client.post(f"/cases/{own}/phone", data={"_csrf_token": token})).status_code == 403

    page = await client.get(f"/cases/{w['case']}")
    assert 'id="call-form"' in page.text and "查看完整号码" in page.text
    r = await client.post(f"/cases/{w['case']}/phone", data={"_csrf_token": token}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "13800138000" in r.text
    r = await client.post(f"/cases/{w['case']}/callback", data={
        "_csrf_token": token, "grade": "unsatisfied", "called_on": dates.today().isoformat(),
        "comment": "居民说电梯的事还没人来谈"})
    assert r.status_code in (302, 303)
    page = await client.get(r.headers["location"].split("#")[0])
    assert "电话回访已登记。" in page.text and "居民不满意，工单已退回承办单位重新办理。" in page.text
    (rating,) = await CaseRating.select().run()
    assert rating["channel"] == "telephone" and rating["recorded_by"] == reviewer.id


async def test_another_units_clerk_may_not_see_the_phone(client):
    w = await answered()
    other = await f.make_clerk(w["places"], await f.make_unit(w["places"], name="住建局"))
    token = await f.login(client, other.username)
    r = await client.post(f"/cases/{w['case']}/phone", data={"_csrf_token": token})
    assert r.status_code == 403


async def test_the_ledger_lists_the_cases_entry_beside_the_projects(client):
    w = await answered()
    page = await client.get(f"/t/{w['s'].tracking_code}")
    await client.post(f"/t/{w['s'].tracking_code}/rate", data={
        "_csrf_token": f.csrf_from(page.text), "grade": "unsatisfied", "comment": "还有两盏不亮"})
    await f.login(client, w["clerk"].username)
    page = await client.get("/evaluation/ledger")
    assert page.status_code == 200 and "还有两盏不亮" in page.text and 'id="case-ledger"' in page.text
    queue = await client.get("/cases/")
    assert "居民不满意·重办" in queue.text


async def test_too_many_rating_posts_from_one_client_are_refused_in_chinese(client):
    w = await answered()
    page = await client.get(f"/t/{w['s'].tracking_code}")
    data = {"_csrf_token": f.csrf_from(page.text), "grade": "unsatisfied", "comment": ""}
    for _ in range(20):  # refused for the missing reason, and counted all the same
        assert (await client.post(f"/t/{w['s'].tracking_code}/rate", data=data)).status_code == 400
    r = await client.post(f"/t/{w['s'].tracking_code}/rate", data={**data, "comment": "还有两盏不亮"})
    assert r.status_code == 429 and "提交太频繁了" in r.text and "您写的内容还在下面" in r.text
    # The page again with what was typed, not a bare refusal the resident has to retype after.
    assert 'id="rate-form"' in r.text and ">还有两盏不亮</textarea>" in r.text
    assert 'value="unsatisfied" required' in r.text and "checked" in r.text.split('value="unsatisfied"')[1][:40]
    assert await CaseRating.count() == 0


async def test_unknown_codes_posted_as_ratings_count_against_the_tracking_pages_allowance(client):
    """Posting ratings is another way to try tracking codes: the misses count with the page's."""
    w = await answered()
    token = f.csrf_from((await client.get("/s")).text)
    for n in range(20):
        r = await client.post(f"/t/ZZZZZZ{n:02d}/rate", data={"_csrf_token": token, "grade": "satisfied"})
        assert r.status_code == 404 and "查不到这个查询码" in r.text
    page = await client.get(f"/t/{w['s'].tracking_code}")
    assert page.status_code == 429 and "查询次数太多" in page.text
    r = await client.post(f"/t/{w['s'].tracking_code}/rate", data={"_csrf_token": token, "grade": "satisfied"})
    assert r.status_code == 429 and "查询次数太多" in r.text
    assert await CaseRating.count() == 0
