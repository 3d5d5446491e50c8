"""The district's ranking page: units ranked and flagged, a 约谈 recorded through the form (and
refused in Chinese when incomplete), its follow-up the month after; the rules page checks its
numbers; streets may not record talks."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests import factories as f
from tests.evaluation.test_talks import RULE, ranked_world
from yishi.accounts.enums import Role
from yishi.evaluation import case_ranking, talks
from yishi.evaluation.tables import UnitTalk


async def test_district_records_a_talk_with_the_flagged_unit_and_follows_it_up(client):
    w = await ranked_world()
    d = w["places"]["district"]
    reviewer = await f.make_user(Role.district_reviewer, w["places"])
    token = await f.login(client, reviewer.username)
    page = await client.get(f"/case-rates/district/{d}/ranking?month=2026-11")
    assert page.status_code == 200
    text = f.text(page.text)
    assert "住建局" in text and "末位" in text and "待约谈" in text
    r = await client.post(f"/case-rates/district/{d}/talks?month=2026-11", data={
        "_csrf_token": token, "unit": str(w["b"]), "held_on": "2026-12-03", "head": "", "talked_by": "张部长",
        "agreed": "清理逾期工单"})
    assert r.status_code == 400 and "请填写被约谈的单位负责人" in r.text and "清理逾期工单" in r.text
    r = await client.post(f"/case-rates/district/{d}/talks?month=2026-11", data={
        "_csrf_token": token, "unit": str(w["b"]), "held_on": "2026-12-03", "head": "李局长", "talked_by": "张部长",
        "agreed": "清理逾期工单"})
    assert r.status_code in (302, 303)
    page = await client.get(f"/case-rates/district/{d}/ranking?month=2026-11")
    assert "已约谈" in f.text(page.text) and "待约谈" not in f.text(page.text)
    [talk] = await talks.talks_of(d)
    december = await client.get(f"/case-rates/district/{d}/ranking?month=2026-12")
    assert "尚未记录跟进情况" in f.text(december.text)
    r = await client.post(f"/case-rates/district/{d}/talks/{talk['id']}/follow-up?month=2026-12", data={
        "_csrf_token": token, "follow_up": "已指定专人签收"})
    assert r.status_code in (302, 303)
    assert (await UnitTalk.select(UnitTalk.follow_up).first().run())["follow_up"] == "已指定专人签收"


async def test_rules_page_refuses_bad_numbers_in_chinese(client):
    w = await ranked_world()
    d = w["places"]["district"]
    reviewer = await f.make_user(Role.district_reviewer, w["places"])
    token = await f.login(client, reviewer.username)
    assert (await client.get(f"/case-rates/district/{d}/ranking/settings")).status_code == 200
    data = {"_csrf_token": token, **{k: str(v) for k, v in RULE.items()}}
    r = await client.post(f"/case-rates/district/{d}/ranking/settings", data={**data, "bottom_below_pct": "120"})
    assert r.status_code == 400 and "末位综合得分线应在 0 到 100 之间" in r.text
    r = await client.post(f"/case-rates/district/{d}/ranking/settings", data={**data, "min_cases": "abc"})
    assert r.status_code == 400
    r = await client.post(f"/case-rates/district/{d}/ranking/settings", data={**data, "bottom_n": "2"})
    assert r.status_code in (302, 303) and (await case_ranking.rule_of(d)).bottom_n == 2


async def test_street_staff_may_not_see_the_ranking_or_record_talks(client):
    w = await ranked_world()
    d = w["places"]["district"]
    token = await f.login(client, w["staff"].username)
    assert (await client.get(f"/case-rates/district/{d}/ranking")).status_code == 403
    r = await client.post(f"/case-rates/district/{d}/talks", data={"_csrf_token": token, "unit": str(w["b"])})
    assert r.status_code == 403 and not await UnitTalk.exists().where(UnitTalk.district == d)


async def test_ranking_export_has_both_tables(client):
    w = await ranked_world()
    reviewer = await f.make_user(Role.district_reviewer, w["places"])
    await f.login(client, reviewer.username)
    r = await client.get(f"/case-rates/district/{w['places']['district']}/ranking.xlsx?month=2026-11")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert [s.title for s in book.worksheets] == ["2026-11 责任单位排名", "2026-11 民情收集队排名"]
    assert [c.value for c in book.worksheets[0][3]][:3] == [2, "住建局", 4]
