"""回访 in a real browser on a 360 px phone: a resident rates an answered case at /t/CODE and is
refused the second time; the street's staff record a telephone follow-up on the case page; a
unit clerk finds the case the resident was not satisfied with back in her queue."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login, measure
from yishi.accounts.enums import Role
from yishi.cases import services
from yishi.cases.enums import CaseState
from yishi.cases.services import Dispatch
from yishi.evaluation import callbacks
from yishi.evaluation.tables import CaseRating

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")


async def _answered():
    places = await f.make_places()
    unit = await f.make_unit(places, name="街道城管办")
    staff, clerk = await f.make_user(Role.street_staff, places), await f.make_clerk(places, unit)
    s = await f.make_suggestion(places, phone="13800138000")
    case_id = await services.dispatch(s.id, Dispatch(unit), actor=staff)
    await services.accept(case_id, actor=clerk)
    await services.reply(case_id, "已派人修好三盏路灯。", actor=clerk)
    return {"s": s, "case": case_id, "staff": staff, "clerk": clerk}


async def test_resident_rates_the_answer_and_is_refused_the_second_time_on_a_phone(open_page):
    w = await _answered()
    page = await open_page(phone=True)
    await page.goto(f"/t/{w['s'].tracking_code}")
    await expect(page.locator("#callback h2")).to_have_text("您对答复满意吗？")
    # Big targets for an old hand: each choice is a whole row at least 48 px high.
    box = await page.locator("label.grade-satisfied").bounding_box()
    assert box and box["height"] >= 48 and box["width"] >= 280
    shown = await measure(page)
    assert not shown["overflows"] and shown["smallest"] >= 14, shown
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / "e2e-callback-rate-360.png"), full_page=True)
    await page.get_by_text("满意", exact=True).click()
    await page.get_by_role("button", name="提交评价").click()
    await expect(page.locator("#rated")).to_contain_text("谢谢您的评价！")
    await expect(page.locator("#rate-form")).to_have_count(0)
    await expect(page.locator("#rate-history")).to_contain_text("第 1 次答复：满意")

    # The same page opened before the rating (another phone of the family) tries again.
    other = await open_page(phone=True)
    await other.goto(f"/t/{w['s'].tracking_code}")
    await page.goto(f"/t/{w['s'].tracking_code}")
    await expect(page.locator("#rate-done")).to_contain_text("您已评价这次答复：满意")
    assert await other.locator("#rate-form").count() == 0  # already rated: no form for anyone
    assert await CaseRating.count() == 1


async def test_a_second_post_of_the_form_reads_why_it_was_refused(open_page):
    w = await _answered()
    first, second = await open_page(phone=True), await open_page(phone=True)
    await first.goto(f"/t/{w['s'].tracking_code}")
    await second.goto(f"/t/{w['s'].tracking_code}")
    await first.get_by_text("基本满意", exact=True).click()
    await first.get_by_role("button", name="提交评价").click()
    await expect(first.locator("#rated")).to_be_visible()
    await second.get_by_text("满意", exact=True).click()
    await second.get_by_role("button", name="提交评价").click()
    await expect(second.locator("#rate-error")).to_have_text(
        "这次答复已经评价过了（基本满意），每次答复只能评价一次。谢谢您！")
    await second.screenshot(path=str(SHOTS / "e2e-callback-refused-360.png"), full_page=True)
    assert await CaseRating.count() == 1


async def test_staff_record_a_telephone_follow_up_on_a_phone(open_page):
    w = await _answered()
    page = await open_page(phone=True)
    await login(page, w["staff"].username)
    await page.goto(f"/cases/{w['case']}")
    await expect(page.locator("#case-phone")).to_contain_text("138****8000")
    await page.get_by_role("button", name="查看完整号码").click()
    await expect(page.locator("#case-phone")).to_contain_text("13800138000")
    form = page.locator("#call-form")
    await form.get_by_role("radio", name="不满意").check()
    await form.get_by_label("居民怎么说（不满意时必填）").fill("只修了一盏，另外两盏还是黑的")
    await page.screenshot(path=str(SHOTS / "e2e-callback-call-360.png"), full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await form.get_by_role("button", name="登记回访").click()
    await expect(page.locator("#called")).to_contain_text("电话回访已登记。居民不满意，工单已退回承办单位重新办理。")
    await expect(page.locator("#state")).to_have_text("办理中")
    await expect(page.locator("#history")).to_contain_text("居民不满意，退回重办")
    (row,) = await CaseRating.select().run()
    assert (row["channel"], row["grade"], row["recorded_by"]) == ("telephone", "unsatisfied", w["staff"].id)


async def test_clerk_finds_the_reopened_case_in_her_queue_on_a_phone(open_page):
    w = await _answered()
    await callbacks.rate_online(w["s"].tracking_code, "unsatisfied", "另外两盏还是不亮")
    page = await open_page(phone=True)
    await login(page, w["clerk"].username)
    await page.goto("/cases/")
    row = page.locator("#cases li", has_text="小区门口的路灯坏了三盏")
    await expect(row.locator(".reopened")).to_have_text("居民不满意·重办")
    await page.screenshot(path=str(SHOTS / "e2e-callback-queue-360.png"), full_page=True)
    await row.get_by_role("link").first.click()
    await expect(page.locator("#history")).to_contain_text("另外两盏还是不亮")
    await page.get_by_label("办理结果（居民会看到）").fill("三盏都修好了，夜里已亮。")
    await page.get_by_role("button", name="提交答复").click()
    await expect(page.locator("#done")).to_contain_text("已答复")
    assert (await services.get_case(w["case"]))["state"] is CaseState.answered
    await expect(page.locator("#callback-state")).to_contain_text("第 2 次答复，待评价")
