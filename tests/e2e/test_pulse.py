"""民情热度表 in a real browser, on a phone: the street's staff land on the warning, open the
table, reach its scrollable region from the keyboard, drill into the warned community's 点位,
and open the warning's topic report; axe-core checks every page on the way."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from yishi.accounts.enums import Role
from yishi.core import dates

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")


async def test_street_staff_follow_a_warning_to_its_places_on_a_phone(open_page):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    today = dates.today()
    for ago, ci, category, spot, n in [(40, 1, "教育", "", 1), (20, 0, "养老", "锦城花园", 1),
                                       (1, 0, "养老", "锦城花园3栋", 6), (3, 1, "教育", "菜市场门口", 2)]:
        for _i in range(n):
            await f.make_suggestion(places, community_index=ci, category=category, spot=spot, actor=staff,
                                    received_on=today - timedelta(days=ago), content=f"{category}方面的问题，请处理。")
    page = await open_page(phone=True)
    await login(page, staff.username)
    await page.goto("/rounds")
    warning = page.locator("#pulse-warnings")
    await expect(warning).to_contain_text("第1社区 · 养老")
    await expect(warning).to_contain_text("近7天 6 件")
    await warning.get_by_role("link", name="打开民情热度表").click()

    region = page.get_by_role("region", name="民情热度表")
    await region.focus()
    await expect(region).to_be_focused()
    await page.keyboard.press("ArrowRight")  # the keyboard scrolls the weeks, as a finger does
    await expect(page.locator("#heat-table")).to_contain_text("预警")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / "e2e-pulse-360.png"), full_page=True)

    await page.locator("#heat-table").get_by_role("link", name="第1社区").click()
    await expect(page.locator("#heat-table")).to_contain_text("锦城花园3栋")
    await page.locator("#warnings").get_by_role("link", name="专题报告").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("专题报告：养老")
    await expect(page.locator("#units")).to_contain_text("（未定牵头单位）")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
