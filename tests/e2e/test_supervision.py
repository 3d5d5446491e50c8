"""督办设置 in a real browser, on a phone: the administrator registers a local day off and changes
a threshold; the page says what was saved and shows the day."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from yishi.accounts.enums import Role
from yishi.projects import supervision

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")


async def test_admin_registers_a_local_holiday_and_a_threshold_on_a_phone(open_page):
    places = await f.make_places()
    admin = await f.make_user(Role.admin, places)
    page = await open_page(phone=True)
    await login(page, admin.username)
    await page.goto("/units/")
    await page.get_by_role("link", name="督办设置：蓝黄红阈值与本地工作日历 ›").click()

    await page.get_by_label("红色督办：时间节点逾期超过几个工作日").fill("8")
    await page.get_by_role("button", name="保存阈值").click()
    await expect(page.locator("#saved")).to_contain_text("督办阈值已保存")
    await expect(page.get_by_label("红色督办：时间节点逾期超过几个工作日")).to_have_value("8")

    await page.get_by_label("日期").fill("2026-07-15")
    await page.get_by_label("原因").fill("防汛放假")
    await page.get_by_role("button", name="登记").click()
    await expect(page.locator("#days")).to_contain_text("2026-07-15")
    await expect(page.locator("#days")).to_contain_text("防汛放假")
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / "e2e-supervision-360.png"), full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert (await supervision.thresholds_of(places["district"])).red_overdue_days == 8
