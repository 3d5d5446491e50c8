"""接诉即办 pages: the street dispatches with the catalogue's pre-fill, the clerk's queue holds
only her unit's cases, the district sees its 提级 cases; bad input is refused in Chinese."""
from __future__ import annotations

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.cases import catalog, services
from yishi.cases.enums import CaseKind, CaseState
from yishi.cases.services import Dispatch
from yishi.suggestions import catalog as suggestion_catalog


async def world():
    places = await f.make_places()
    a, b = await f.make_unit(places, name="城管办"), await f.make_unit(places, name="住建局")
    cats = {c["name"]: c["id"] for c in await suggestion_catalog.categories()}
    await catalog.add_entry(places["district"], level1="城市管理", level2="市政设施", level3="路灯",
                            unit_id=a, category_id=cats["公共设施"], kind=CaseKind.help, actor=None)
    return {"places": places, "a": a, "b": b, "staff": await f.make_user(Role.street_staff, places),
            "clerk_a": await f.make_clerk(places, a), "clerk_b": await f.make_clerk(places, b),
            "reviewer": await f.make_user(Role.district_reviewer, places)}


async def test_dispatch_page_prefills_the_catalogue_unit_and_dispatch_creates_the_case(client):
    w = await world()
    s = await f.make_suggestion(w["places"])
    token = await f.login(client, w["staff"].username)
    inbox = await client.get("/cases/")
    assert inbox.status_code == 200 and "小区门口的路灯坏了三盏" in inbox.text
    page = await client.get(f"/cases/dispatch/{s.id}")
    assert ('已按派单目录“<span translate="no">城市管理 › 市政设施 › 路灯</span>”预填主办单位：'
            '<span translate="no">城管办</span>') in page.text
    assert f'<option value="{w["a"]}" selected>城管办</option>' in f.unmarked(page.text)
    r = await client.post(f"/cases/dispatch/{s.id}", data={
        "_csrf_token": token, "lead_unit": str(w["a"]), "assist": str(w["b"]), "kind": "help",
        "urgency": "normal", "track": "now", "catalog": "", "note": "请尽快处理"})
    assert r.status_code in (302, 303)
    case_id = await services.case_id_of(s.id)
    case = await services.get_case(case_id)
    assert (case["state"], case["lead_unit_name"], case["kind"]) == (CaseState.dispatched, "城管办", CaseKind.help)


async def test_dispatch_without_a_unit_is_refused_in_chinese_and_nothing_saved(client):
    w = await world()
    s = await f.make_suggestion(w["places"])
    token = await f.login(client, w["staff"].username)
    r = await client.post(f"/cases/dispatch/{s.id}", data={
        "_csrf_token": token, "lead_unit": "", "kind": "help", "urgency": "normal", "track": "now"})
    assert r.status_code == 400 and "请选择主办单位" in r.text
    assert await services.case_id_of(s.id) is None


async def test_clerk_queue_holds_her_units_cases_only_and_another_units_case_is_forbidden(client):
    w = await world()
    s1, s2 = await f.make_suggestion(w["places"], content="一号楼下水道堵塞了好几天。"), await f.make_suggestion(
        w["places"], content="二号楼电梯经常停运。")
    c1 = await services.dispatch(s1.id, Dispatch(w["a"]), actor=w["staff"])
    c2 = await services.dispatch(s2.id, Dispatch(w["b"]), actor=w["staff"])
    await f.login(client, w["clerk_a"].username)
    queue = await client.get("/cases/")
    assert "一号楼下水道" in queue.text and "二号楼电梯" not in queue.text
    assert (await client.get(f"/cases/{c1}")).status_code == 200
    assert (await client.get(f"/cases/{c2}")).status_code == 403


async def test_clerk_accepts_and_replies_through_the_pages(client):
    w = await world()
    s = await f.make_suggestion(w["places"])
    case_id = await services.dispatch(s.id, Dispatch(w["a"]), actor=w["staff"])
    token = await f.login(client, w["clerk_a"].username)
    assert (await client.post(f"/cases/{case_id}/accept", data={"_csrf_token": token})).status_code in (302, 303)
    r = await client.post(f"/cases/{case_id}/reply", data={"_csrf_token": token, "reply": ""})
    assert r.status_code == 400 and "请填写办理结果" in r.text
    r = await client.post(f"/cases/{case_id}/reply", data={"_csrf_token": token, "reply": "已修好。"})
    assert r.status_code in (302, 303)
    page = await client.get(f"/cases/{case_id}")
    assert "已答复" in page.text and "主办单位答复" in page.text


async def test_district_sees_escalated_cases_of_its_streets(client):
    w = await world()
    s = await f.make_suggestion(w["places"])
    await services.escalate(s.id, "涉及区住建、城管两个部门。", actor=w["staff"])
    await f.login(client, w["reviewer"].username)
    page = await client.get("/cases/")
    assert "涉及区住建、城管两个部门。" in page.text


async def test_district_edits_the_catalogue_and_the_limits(client):
    w = await world()
    token = await f.login(client, w["reviewer"].username)
    r = await client.post("/cases/catalog", data={"_csrf_token": token, "level1": "教育", "level2": "入学咨询",
                                                  "level3": "", "unit": str(w["b"]), "category": "", "kind": "consult"})
    assert r.status_code in (302, 303)
    assert [e["path"] for e in await catalog.entries_of(w["places"]["district"])] == [
        "城市管理 › 市政设施 › 路灯", "教育 › 入学咨询"]
    form = {"_csrf_token": token, "accept_hours": "12", "urgent_accept_hours": "1", "urgent_hours": "24",
            "critical_hours": "2", "blue_within": "1", "red_after": "3"}
    form.update({f"wd_{t}_{k}": "5" for t in ("now", "deadline", "study")
                 for k in ("consult", "help", "complaint", "suggestion")})
    assert (await client.post("/cases/settings", data=form)).status_code in (302, 303)
    form["critical_hours"] = "48"
    r = await client.post("/cases/settings", data=form)
    assert r.status_code == 400 and "特急件的时限不能长于紧急件" in r.text


async def test_htmx_asks_for_the_rows_or_the_dispatch_fields_and_gets_only_them(client):
    """The list's filters and the dispatch form's catalogue choice swap a fragment by htmx
    (request.htmx.target); the same address opened plainly is the whole page."""
    w = await world()
    s = await f.make_suggestion(w["places"])
    await f.login(client, w["staff"].username)
    page = await client.get("/cases/")
    rows = await client.get("/cases/", headers={"hx-request": "true", "hx-target": "case-rows"})
    assert "<html" in page.text and 'id="case-rows"' in page.text
    assert rows.status_code == 200 and "<html" not in rows.text and "小区门口的路灯坏了三盏" in rows.text
    fields = await client.get(f"/cases/dispatch/{s.id}", headers={"hx-request": "true", "hx-target": "dispatch-fields"})
    assert fields.text.lstrip().startswith('<div id="dispatch-fields">') and "<html" not in fields.text
    assert "<html" in (await client.get(f"/cases/dispatch/{s.id}", headers={"hx-target": "dispatch-fields"})).text


async def test_an_administrator_picks_the_district_of_the_catalogue_and_an_unknown_one_is_a_404(client):
    w = await world()
    other = await f.make_places()
    school = await f.make_unit(other, name="区教育局")
    await catalog.add_entry(other["district"], level1="教育", level2="入学咨询", level3="", unit_id=school,
                            category_id=None, kind=CaseKind.consult, actor=None)
    admin = await f.make_user(Role.admin)
    await f.login(client, admin.username)
    mine = await client.get(f"/cases/catalog?district={w['places']['district']}")
    assert mine.status_code == 200 and "路灯" in mine.text and "入学咨询" not in mine.text
    theirs = await client.get(f"/cases/catalog?district={other['district']}")
    assert theirs.status_code == 200 and "入学咨询" in theirs.text and "区教育局" in theirs.text
    assert "路灯" not in theirs.text
    for wrong in ("999999", "abc"):
        r = await client.get(f"/cases/catalog?district={wrong}")
        assert r.status_code == 404 and "没有这个区" in r.text


async def test_history_marks_a_unit_named_like_an_interface_word_and_not_the_word(client):
    """A unit may be named anything, 派单 too: the history line marks the unit's name as typed
    (translate="no"), and the line's own 派单 stays interface text, which English translates."""
    w = await world()
    odd = await f.make_unit(w["places"], name="派单")
    s = await f.make_suggestion(w["places"])
    case_id = await services.dispatch(s.id, Dispatch(odd, (w["b"],)), actor=w["staff"])
    await f.login(client, w["staff"].username)
    page = (await client.get(f"/cases/{case_id}")).text
    history = page.split('id="history"')[1].split("</ol>")[0]
    line = next(li.split("<br>")[1] for li in history.split("</li>") if "主办" in li)
    assert line.startswith('派单（主办：<span translate="no">派单</span>；协办：<span translate="no">住建局</span>')
