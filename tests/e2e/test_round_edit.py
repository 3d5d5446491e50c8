"""A clerk who typed 30000 for 300000: on a phone, from the round page, the draft round's name,
budget and maximum ticks are corrected until the list is published; after, the page refuses."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login, measure
from yishi.accounts.enums import Role

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


async def test_round_budget_corrected_on_phone_until_published(open_page):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    r = await f.make_round(places, items=2, budget_yuan=30000, max_ticks=2, title="2026年首批次")

    page = await open_page(phone=True)
    await login(page, staff.username)
    await page.goto(f"/rounds/{r.id}")
    await expect(page.locator(".facts")).to_contain_text("预算 30,000.00 元")
    await page.get_by_role("link", name="修改批次名称、预算或最多勾选项数").click()
    await expect(page.get_by_role("heading", name="修改批次信息")).to_be_visible()
    await expect(page.get_by_label("批次预算（元）")).to_have_value("30,000.00")

    # Junk is refused beside the form, what was typed kept.
    await page.get_by_label("批次名称").fill("2026年夏季批次")
    await page.get_by_label("批次预算（元）").fill("三十万")
    await page.get_by_role("button", name="保存修改").click()
    await expect(page.get_by_role("alert")).to_have_text("批次预算应为数字（单位：元），例如 12000 或 12000.50。")
    await expect(page.get_by_label("批次名称")).to_have_value("2026年夏季批次")
    figures = await measure(page)
    assert not figures["overflows"] and figures["under14"] == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "round-edit-refused-360.png"), full_page=True)

    await page.get_by_label("批次预算（元）").fill("300000")
    await page.get_by_label("每张选票最多勾选几项").fill("3")
    await page.get_by_role("button", name="保存修改").click()
    await expect(page).to_have_url(re.compile(rf"/rounds/{r.id}$"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("2026年夏季批次")
    await expect(page.locator(".facts")).to_contain_text("预算 300,000.00 元")
    await expect(page.locator(".facts")).to_contain_text("每人最多勾选 3 项")

    desktop = await open_page()
    await login(desktop, staff.username)
    await desktop.goto(f"/rounds/{r.id}/edit")
    await expect(desktop.get_by_label("批次预算（元）")).to_have_value("300,000.00")
    await desktop.screenshot(path=str(SHOTS / "round-edit-1280.png"), full_page=True)

    await f.open_round(r, codes_per_community=1)
    await page.reload()
    await expect(page.get_by_role("link", name="修改批次名称、预算或最多勾选项数")).to_have_count(0)
    await page.goto(f"/rounds/{r.id}/edit")
    await expect(page.get_by_role("alert")).to_have_text("清单已发布供群众勾选，不能再修改。如需调整，请新建批次。")
    await expect(page.get_by_label("批次预算（元）")).to_have_count(0)
