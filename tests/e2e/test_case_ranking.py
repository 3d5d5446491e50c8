"""办件三率 and 约谈 in a real browser on a 360 px phone: the district reviewer opens the month's
rates, follows the link to the ranking, sees the 末位 unit flagged and records the talk with its
head; the page then shows it as held."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from tests.evaluation.test_talks import ranked_world
from yishi.accounts.enums import Role
from yishi.evaluation import talks

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")


async def test_district_sees_the_ranking_and_records_a_talk_on_a_phone(open_page):
    w = await ranked_world()
    d = w["places"]["district"]
    reviewer = await f.make_user(Role.district_reviewer, w["places"])
    page = await open_page(phone=True)
    await login(page, reviewer.username)
    await page.goto(f"/case-rates/district/{d}?month=2026-11")
    await expect(page.locator("#fig-dispatched")).to_have_text("7")
    await expect(page.get_by_role("region", name="2026-11 各责任单位办件三率")).to_contain_text("住建局")
    await page.get_by_role("link", name="月度排名与约谈").click()
    ranking = page.get_by_role("region", name="责任单位排名")
    await expect(ranking).to_contain_text("末位")
    await expect(page.locator("#talks")).to_contain_text("待约谈")
    form = page.locator("#talk-form")
    await form.get_by_label("被约谈的单位").select_option(label="住建局")
    await form.get_by_label("约谈日期").fill("2026-12-03")
    await form.get_by_label("被约谈人（单位负责人）").fill("住建局 李局长")
    await form.get_by_label("约谈人", exact=True).fill("区委社会工作部 张部长")
    await form.get_by_label("约定的整改事项").fill("一周内清理逾期工单，指定专人签收。")
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / "e2e-case-ranking-360.png"), full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await form.get_by_role("button", name="记录约谈").click()
    await expect(page.locator("#done")).to_have_text("约谈已记录。")
    await expect(page.locator("#talks")).to_contain_text("已约谈")
    await expect(page.locator("#history")).to_contain_text("一周内清理逾期工单")
    [talk] = await talks.talks_of(d)
    assert (talk["unit_name"], talk["head"], talk["month"]) == ("住建局", "住建局 李局长", "2026-11")
