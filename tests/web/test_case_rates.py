"""办件三率 pages: the district sees every street, unit and community; a street its own only; the
Excel export has the page's tables; a bad month is refused in Chinese."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests import factories as f
from tests.evaluation.test_case_rates import handled, world
from yishi.accounts.enums import Role


async def test_district_page_shows_streets_units_communities_with_rates(client):
    w = await world()
    await handled(w, "a", 3)
    await handled(w, "b", 9, accept_after=None)
    reviewer = await f.make_user(Role.district_reviewer, w["places"])
    await f.login(client, reviewer.username)
    page = await client.get(f"/case-rates/district/{w['places']['district']}?month=2026-11")
    assert page.status_code == 200
    text = f.text(page.text)
    assert "城管办" in text and "住建局" in text and "第1社区" in text and "民情收集队" in text
    assert 'id="fig-dispatched">2<' in page.text and 'id="fig-response">50%<' in page.text
    assert "办结率（即三率中的解决率）= 已办结的工单 ÷ 办理期限在本月的工单" in text
    empty = await client.get(f"/case-rates/district/{w['places']['district']}?month=2026-08")
    assert 'id="fig-response">—<' in empty.text and 'id="fig-dispatched">0<' in empty.text


async def test_street_page_and_export(client):
    w, other = await world(), await world()
    await handled(w, "a", 3)
    await handled(other, "b", 3)
    await f.login(client, w["staff"].username)
    page = await client.get(f"/case-rates/town/{w['places']['town']}?month=2026-11")
    assert page.status_code == 200 and "城管办" in page.text and "住建局" not in page.text
    assert (await client.get(f"/case-rates/town/{other['places']['town']}")).status_code == 403
    assert (await client.get(f"/case-rates/district/{w['places']['district']}")).status_code == 403
    x = await client.get(f"/case-rates/town/{w['places']['town']}/export.xlsx?month=2026-11")
    assert x.status_code == 200
    book = load_workbook(io.BytesIO(x.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["责任单位", "派单量", "响应率", "办结率"]
    assert [c.value for c in sheet[2]][:4] == ["城管办", 1, "100%", "100%"]


async def test_bad_month_is_refused_in_chinese(client):
    w = await world()
    await f.login(client, w["staff"].username)
    r = await client.get(f"/case-rates/town/{w['places']['town']}?month=2026-13")
    assert r.status_code == 400 and "月份格式应为 2026-11" in r.text
