"""接诉即办 in a real browser on a 360 px phone: the street dispatches a suggestion with the 派单目录
pre-filling the lead unit; a unit clerk accepts and answers one case and sends another back."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from yishi.accounts.enums import Role
from yishi.cases import catalog, services
from yishi.cases.enums import CaseKind, CaseState
from yishi.cases.services import Dispatch
from yishi.suggestions import catalog as suggestion_catalog

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")


async def _street():
    places = await f.make_places()
    city, housing = await f.make_unit(places, name="街道城管办"), await f.make_unit(places, name="区住建局")
    cats = {c["name"]: c["id"] for c in await suggestion_catalog.categories()}
    await catalog.add_entry(places["district"], level1="城市管理", level2="市政设施", level3="路灯",
                            unit_id=city, category_id=cats["公共设施"], kind=CaseKind.help, actor=None)
    return places, city, housing


async def test_street_dispatches_with_the_catalogue_prefill_on_a_phone(open_page):
    places, city, housing = await _street()
    staff = await f.make_user(Role.street_staff, places)
    s = await f.make_suggestion(places)
    page = await open_page(phone=True)
    await login(page, staff.username)
    await page.goto("/cases/")
    await page.get_by_role("link", name="小区门口的路灯坏了三盏").click()
    await expect(page.locator("#prefilled")).to_contain_text("城市管理 › 市政设施 › 路灯")
    await expect(page.locator("#lead_unit")).to_have_value(str(city))
    await expect(page.get_by_role("radio", name="求助")).to_be_checked()
    await page.get_by_text("协办单位（需要时勾选）").click()
    await page.get_by_role("checkbox", name="区住建局").check()
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / "e2e-dispatch-360.png"), full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.get_by_role("button", name="派单", exact=True).click()

    await expect(page.locator("#done")).to_have_text("已派单。")
    await expect(page.locator("#lead")).to_contain_text("街道城管办")
    await expect(page.locator("#history")).to_contain_text("主办：街道城管办；协办：区住建局")
    case = await services.get_case(await services.case_id_of(s.id))
    assert (case["state"], case["lead_unit"], [u["unit"] for u in case["units"].assists]) == (
        CaseState.dispatched, city, [housing])


async def test_clerk_accepts_and_answers_one_case_and_sends_another_back_on_a_phone(open_page):
    places, city, _housing = await _street()
    staff = await f.make_user(Role.street_staff, places)
    clerk = await f.make_clerk(places, city)
    lamp = await f.make_suggestion(places)
    parking = await f.make_suggestion(places, content="学校门口早晚电动车乱停，堵住了人行道。", category="交通出行")
    lamp_case = await services.dispatch(lamp.id, Dispatch(city), actor=staff)
    parking_case = await services.dispatch(parking.id, Dispatch(city), actor=staff)

    page = await open_page(phone=True)
    await login(page, clerk.username)
    await page.goto("/cases/")
    await page.get_by_role("link", name="小区门口的路灯坏了三盏").click()
    await page.get_by_role("button", name="签收这件工单").click()
    await expect(page.locator("#done")).to_contain_text("已签收")
    await expect(page.locator("#state")).to_have_text("办理中")
    await page.get_by_label("办理结果（居民会看到）").fill("已更换三盏路灯的灯泡，晚上已恢复照明。")
    await page.get_by_role("button", name="提交答复").click()
    await expect(page.locator("#state")).to_have_text("已答复")
    await expect(page.locator("#reply")).to_have_text("已更换三盏路灯的灯泡，晚上已恢复照明。")
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / "e2e-case-answered-360.png"), full_page=True)

    await page.goto("/cases/")
    await page.get_by_role("link", name="学校门口早晚电动车乱停").click()
    await page.get_by_label("退单理由").fill("占道停放由派出所交管中队负责，请改派。")
    await page.get_by_role("button", name="退单", exact=True).click()
    await expect(page.locator("#done")).to_contain_text("已退单")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.goto("/cases/")
    await expect(page.locator("#cases")).not_to_contain_text("学校门口早晚电动车乱停")
    assert (await services.get_case(lamp_case))["state"] is CaseState.answered
    back = await services.get_case(parking_case)
    assert (back["state"], back["return_reason"]) == (CaseState.returned, "占道停放由派出所交管中队负责，请改派。")
