"""评实效 pages: the resident's rating form, paper entry, 电话回访, observers, the district's
decision, rating codes, the ledger and the district dashboard."""
import base64
import io
import re

from openpyxl import load_workbook

from tests import factories as f
from tests.evaluation.setup import codes, written_off
from yishi.accounts.enums import Role
from yishi.evaluation import nextyear, observers, services, settings
from yishi.evaluation.tables import Rating


async def _csrf(client, path="/login"):
    return f.csrf_from((await client.get(path)).text)


async def test_public_page_links_to_rating_and_second_try_refused(client):
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    page = await client.get(f"/p/{pid}")
    assert f'href="/p/{pid}/rate"' in page.text
    form = await client.get(f"/p/{pid}/rate?code={code}")
    assert form.status_code == 200 and "您对这个项目满意吗？" in form.text and f'value="{code}"' in form.text
    token = f.csrf_from(form.text)
    r = await client.post(f"/p/{pid}/rate", data={"_csrf_token": token, "code": code.lower(), "grade": "basic",
                                                   "comment": "还可以"})
    assert r.status_code == 200 and "谢谢！您的评价已收到。" in r.text
    r = await client.post(f"/p/{pid}/rate", data={"_csrf_token": token, "code": code, "grade": "satisfied"})
    assert r.status_code == 409
    assert "这个评价码已经评价过这个项目了，每个评价码对每个项目只能评价一次。" in r.text
    assert 'value="satisfied" required\n        checked' in r.text or "checked" in r.text
    assert [(x["grade"], x["comment"]) for x in await Rating.select().run()] == [("basic", "还可以")]


async def test_rating_form_unknown_code_keeps_what_was_typed(client):
    _places, _staff, (pid, _), _round_id = await written_off()
    token = await _csrf(client, f"/p/{pid}/rate")
    r = await client.post(f"/p/{pid}/rate", data={"_csrf_token": token, "code": "ACDE-FGHJ", "grade": "unsatisfied",
                                                   "comment": "路灯还是不亮"})
    assert r.status_code == 400 and "没有找到这个评价码" in r.text and "路灯还是不亮" in r.text


async def test_slip_qr_lists_the_rounds_rateable_projects(client):
    places, staff, (pid, other), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    r = await client.get(f"/r/{code}")
    assert r.status_code == 200 and f"/p/{pid}/rate?code={code}" in r.text and f"/p/{other}/rate?code={code}" in r.text
    assert (await client.get("/r/ACDEFGHJ")).status_code == 400


async def test_collectors_enter_paper_twice_and_staff_call(client):
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    c1 = await f.make_user(Role.collector, places)
    c2 = await f.make_user(Role.collector, places)
    for collector, expected in ((c1, "paper-pending"), (c2, "paper-counted")):
        token = await f.login(client, collector.username)
        page = await client.get(f"/evaluation/projects/{pid}")
        assert page.status_code == 200 and 'id="paper"' in page.text and 'id="call"' not in page.text
        r = await client.post(f"/evaluation/projects/{pid}/paper", data={
            "_csrf_token": token, "code": code, "grade": "unsatisfied", "comment": "噪音大"})
        assert r.status_code in (302, 303) and expected in r.headers["location"]
        await client.post("/logout", data={"_csrf_token": token})
    token = await f.login(client, staff.username)
    r = await client.post(f"/evaluation/projects/{pid}/call", data={"_csrf_token": token, "grade": "basic",
                                                                     "community": "", "comment": ""})
    assert r.status_code in (302, 303)
    page = await client.get(f"/evaluation/projects/{pid}")
    assert "噪音大" in page.text and "黄色预警" not in page.text
    assert sorted((x["grade"], x["channel"]) for x in await Rating.select().run()) == [
        ("basic", "telephone"), ("unsatisfied", "paper")]
    ledger = await client.get("/evaluation/ledger")
    assert "噪音大" in ledger.text and "办理中" in ledger.text


async def test_observer_scores_on_the_page(client):
    places, _staff, (pid, _), _round_id = await written_off()
    observer = await f.make_user(Role.observer, places)
    token = await f.login(client, observer.username)
    page = await client.get(f"/evaluation/projects/{pid}")
    assert page.status_code == 200 and 'name="score_3"' in page.text
    r = await client.post(f"/evaluation/projects/{pid}/score", data={
        "_csrf_token": token, "score_0": "5", "score_1": "4", "score_2": "3", "score_3": "5", "note_1": "座椅牢固"})
    assert r.status_code in (302, 303)
    page = await client.get(f"/evaluation/projects/{pid}")
    assert "<strong>85.0</strong>" in page.text
    r = await client.post(f"/evaluation/projects/{pid}/score", data={"_csrf_token": token, "score_0": "5"})
    assert r.status_code == 400 and "请为“完成质量”打 1 到 5 分。" in r.text
    assert (await client.post(f"/evaluation/projects/{pid}/decide", data={
        "_csrf_token": token, "decided": "extend"})).status_code == 403


async def test_district_confirms_and_street_carries_into_a_new_round(client):
    places, staff, (pid, _), _round_id = await written_off()
    reviewer = await f.make_user(Role.district_reviewer, places)
    token = await f.login(client, reviewer.username)
    page = await client.get(f"/evaluation/projects/{pid}")
    assert 'id="advised">待观察<' in page.text
    r = await client.post(f"/evaluation/projects/{pid}/decide", data={"_csrf_token": token, "decided": "extend"})
    assert r.status_code == 400 and "与建议（待观察）不同的决定须写明理由。" in r.text
    r = await client.post(f"/evaluation/projects/{pid}/decide", data={
        "_csrf_token": token, "decided": "extend", "reason": "居民联名要求推广"})
    assert r.status_code in (302, 303)
    assert (await nextyear.get_decision(pid))["decided"] == "extend"
    await client.post("/logout", data={"_csrf_token": token})
    nxt = await f.make_round(places, items=0, title="第二批次")
    token = await f.login(client, staff.username)
    r = await client.post(f"/evaluation/projects/{pid}/carry", data={"_csrf_token": token, "round": str(nxt.id)})
    assert r.status_code in (302, 303)
    assert "已转入：第二批次" in f.text((await client.get(f"/evaluation/projects/{pid}")).text)


async def test_codes_page_and_pdf(client):
    places, staff, _ids, round_id = await written_off()
    token = await f.login(client, staff.username)
    r = await client.post(f"/evaluation/rounds/{round_id}/codes", data={
        "_csrf_token": token, "community": str(places["communities"][1]), "count": "3"})
    assert r.status_code in (302, 303)
    page = await client.get(f"/evaluation/rounds/{round_id}/codes")
    assert "已生成 3 个" in page.text and "第2社区" in page.text
    pdf = await client.get(f"/evaluation/rounds/{round_id}/codes.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    collector = await f.make_user(Role.collector, places)
    await client.post("/logout", data={"_csrf_token": token})
    await f.login(client, collector.username)
    assert (await client.get(f"/evaluation/rounds/{round_id}/codes")).status_code == 403


def chart_svgs(html: str) -> list[str]:
    """The dashboard's charts: SVG images in data: URLs (inline <style> is refused by the CSP)."""
    return [base64.b64decode(b).decode()
            for b in re.findall(r'<img class="chart" alt="" src="data:image/svg\+xml;base64,([^"]+)"', html)]


async def test_dashboard_draws_svg_with_tables_and_exports_excel(client):
    places, staff, (pid, _), round_id = await written_off()
    for code in await codes(places, staff, round_id, 2):
        await services.rate_online(pid, code, "satisfied")
    reviewer = await f.make_user(Role.district_reviewer, places)
    await f.login(client, reviewer.username)
    page = await client.get(f"/dashboard/{places['district']}")
    assert page.status_code == 200
    charts = chart_svgs(page.text)
    assert len(charts) == 6 and all(c.startswith("<svg") for c in charts)
    assert not any("kozea.github.io" in c or "<script" in c for c in charts)
    assert "<script" not in page.text.split("<main")[1]
    assert "满意率 =（满意 + 基本满意）÷ 全部评价" in page.text and 'id="fig-satisfaction">100.0%<' in page.text
    x = await client.get(f"/dashboard/{places['district']}/export.xlsx")
    book = load_workbook(io.BytesIO(x.content))
    assert len(book.sheetnames) == 6
    sheet = book[book.sheetnames[1]]
    assert [c.value for c in sheet[1]][:4] == ["镇（街道）", "响应率", "解决率", "满意率"]
    assert sheet.cell(row=2, column=4).value == "100%"
    other = await f.make_places()
    assert (await client.get(f"/dashboard/{other['district']}")).status_code == 403
    await client.post("/logout", data={"_csrf_token": f.csrf_from(page.text)})
    await f.login(client, staff.username)
    street = await client.get(f"/dashboard/street/{places['town']}")
    assert street.status_code == 200 and len(chart_svgs(street.text)) == 7 and "各社区居民评价" in street.text
    assert re.search(r'<td translate="no">第1社区</td><td class="num"><a href="[^"]+">2</a></td>', street.text)
    assert (await client.get(f"/dashboard/{places['district']}")).status_code == 403


async def test_district_edits_thresholds_and_indicators(client):
    places, staff, (_pid, _), _round_id = await written_off()
    reviewer = await f.make_user(Role.district_reviewer, places)
    token = await f.login(client, reviewer.username)
    page = await client.get(f"/dashboard/{places['district']}/settings")
    assert page.status_code == 200 and 'value="90"' in page.text and 'value="办理响应度"' in page.text
    values = {"extend_at_pct": "85", "min_ratings": "3", "advanced_at_pct": "92", "improving_points": "4",
              "rectify_below_pct": "65", "case_due_workdays": "7", "case_red_after": "2",
              "case_rating_days": "20"}
    r = await client.post(f"/dashboard/{places['district']}/settings", data={"_csrf_token": token, **values})
    assert r.status_code in (302, 303)
    s = await settings.of_district(places["district"])
    assert (s.advice.extend_at, s.advice.min_ratings, s.bands.advanced_at, s.case_due_workdays,
            s.case_rating_days) == (0.85, 3, 0.92, 7, 20)
    r = await client.post(f"/dashboard/{places['district']}/settings", data={
        "_csrf_token": token, **values, "rectify_below_pct": "95"})
    assert r.status_code == 400 and "整改类的线不能高于先进类的线。" in r.text and 'value="95"' in r.text
    r = await client.post(f"/dashboard/{places['district']}/indicators", data={
        "_csrf_token": token, "name_0": "完成质量", "weight_0": "60", "name_1": "群众参与", "weight_1": "40"})
    assert r.status_code in (302, 303)
    assert await observers.system_of_district(places["district"]) == [
        {"name": "完成质量", "weight": 60}, {"name": "群众参与", "weight": 40}]
    await client.post("/logout", data={"_csrf_token": token})
    await f.login(client, staff.username)
    assert (await client.get(f"/dashboard/{places['district']}/settings")).status_code == 403


async def test_yearly_report_pdf(client):
    places, _staff, (_pid, _), _round_id = await written_off()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await f.login(client, reviewer.username)
    r = await client.get(f"/dashboard/{places['district']}/report.pdf?period=2026")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert "2026%E5%B9%B4%E5%BA%A6" in r.headers["content-disposition"]  # 2026年度
    assert (await client.get(f"/dashboard/{places['district']}/report.pdf?period=26")).status_code == 400
