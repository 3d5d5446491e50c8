"""评实效 in a real browser: a resident rates a project on a 360 px phone with a code and is
refused the second time; an observer scores; the district confirms a recommendation and the
street carries the project into its next round; the dashboard at 1280 and 360 px."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from tests.evaluation.setup import codes, written_off
from yishi.accounts.enums import Role
from yishi.core import dates
from yishi.evaluation import nextyear, services
from yishi.evaluation.tables import Rating
from yishi.wishlists import services as wishlists

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")


async def test_resident_rates_on_a_phone_and_is_refused_the_second_time(open_page):
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    SHOTS.mkdir(exist_ok=True)
    page = await open_page(phone=True)
    await page.goto(f"/p/{pid}")
    await page.get_by_role("link", name="评价这个项目").click()
    await expect(page.get_by_role("heading", name="您对这个项目满意吗？")).to_be_visible()
    await page.get_by_label(re.compile("^评价码")).fill(code[:4].lower() + "-" + code[4:])
    await page.get_by_label("基本满意").check()
    await page.get_by_label(re.compile("^意见或建议")).fill("有的楼层还没装")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await page.screenshot(path=str(SHOTS / "e2e-rate-form-360.png"), full_page=True)
    await page.get_by_role("button", name="提交评价").click()
    await expect(page.locator("#thanks")).to_have_text("谢谢！您的评价已收到。")

    await page.goto(f"/p/{pid}/rate")
    await page.get_by_label(re.compile("^评价码")).fill(code)
    await page.get_by_label("满意", exact=True).check()
    await page.get_by_role("button", name="提交评价").click()
    await expect(page.locator("#error")).to_have_text(
        "这个评价码已经评价过这个项目了，每个评价码对每个项目只能评价一次。谢谢您的参与！")
    await expect(page.get_by_label(re.compile("^评价码"))).to_have_value(code)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await page.screenshot(path=str(SHOTS / "e2e-rate-refused-360.png"), full_page=True)
    assert [(r["grade"], r["comment"]) for r in await Rating.select().run()] == [("basic", "有的楼层还没装")]


async def test_observer_scores_a_project(open_page):
    places, _staff, (_pid, _), _round_id = await written_off()
    observer = await f.make_user(Role.observer, places)
    page = await open_page()
    await login(page, observer.username)
    await page.goto("/evaluation/")
    await page.get_by_role("link", name="项目1").click()
    for name, value in (("办理响应度", "5"), ("完成质量", "4"), ("资金使用", "3"), ("群众参与", "5")):
        await page.get_by_label(name, exact=True).select_option(value)
    await page.get_by_label("完成质量 说明").fill("座椅牢固")
    await page.get_by_role("button", name="提交评分").click()
    await expect(page.locator("#score")).to_contain_text("平均：85.0")
    await page.locator("#score").screenshot(path=str(SHOTS / "e2e-observer-score-1280.png"))


async def test_district_confirms_and_street_carries_into_next_round(open_page):
    places, staff, (pid, _), round_id = await written_off()
    for code in await codes(places, staff, round_id, 3):
        await services.rate_online(pid, code, "satisfied")
    reviewer = await f.make_user(Role.district_reviewer, places)
    nxt = await f.make_round(places, items=0, title="2027年首批次")
    page = await open_page()
    await login(page, reviewer.username)
    await page.goto(f"/evaluation/projects/{pid}")
    await expect(page.locator("#advised")).to_have_text("待观察")
    await page.get_by_label("深化推广").check()
    await page.get_by_role("button", name="确认决定").click()
    await expect(page.locator("#error")).to_have_text("与建议（待观察）不同的决定须写明理由。")
    await page.get_by_label(re.compile("^理由")).fill("三条评价全部满意，居民联名要求推广")
    await page.get_by_role("button", name="确认决定").click()
    await expect(page.locator("#decided")).to_have_text("深化推广")
    await page.locator("#decision").screenshot(path=str(SHOTS / "e2e-decision-1280.png"))

    await page.goto(f"/dashboard/{places['district']}")
    await expect(page.locator("#fig-satisfaction")).to_have_text("100.0%")
    await page.screenshot(path=str(SHOTS / "e2e-dashboard-1280.png"), full_page=True)

    street = await open_page()
    await login(street, staff.username)
    await street.goto(f"/evaluation/projects/{pid}")
    await street.get_by_label(re.compile("^转入本街道的新批次")).select_option(str(nxt.id))
    await street.get_by_role("button", name="转入新批次").click()
    await expect(street.locator("#decision")).to_contain_text("已转入：2027年首批次")
    (item,) = await wishlists.items_of(nxt.id)
    assert (await nextyear.carried_from([item["id"]]))[item["id"]]["project"] == pid

    phone = await open_page(phone=True)
    await login(phone, reviewer.username)
    await phone.goto(f"/dashboard/{places['district']}")
    await phone.screenshot(path=str(SHOTS / "e2e-dashboard-360.png"), full_page=True)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 360


async def test_dashboard_figure_opens_its_list_and_project_rates_by_month(open_page):
    places, staff, (pid, _), round_id = await written_off()
    for code, grade in zip(await codes(places, staff, round_id, 3), ["satisfied", "basic", "unsatisfied"], strict=True):
        await services.rate_online(pid, code, grade, "噪音大" if grade == "unsatisfied" else "")
    month = services.month_of(dates.today())
    phone = await open_page(phone=True)
    await login(phone, staff.username)
    await phone.goto(f"/dashboard/street/{places['town']}")
    await phone.locator("#fig-ratings").click()
    await expect(phone.locator("#ratings-total")).to_have_text("共 3 条")
    await expect(phone.locator("#ratings")).to_contain_text("噪音大")
    await phone.screenshot(path=str(SHOTS / "e2e-ratings-list-360.png"), full_page=True)
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 360
    await phone.goto(f"/evaluation/projects/{pid}")
    await expect(phone.locator("#rates-period")).to_have_text("整个项目")
    await phone.locator("#rates-by-month").get_by_role("link", name=month).click()
    await expect(phone.locator("#rates-period")).to_have_text(month)
    await expect(phone.locator("#rate-satisfaction")).to_have_text("66.7%")
    await phone.locator("#rates").screenshot(path=str(SHOTS / "e2e-project-rates-month-360.png"))
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 360
