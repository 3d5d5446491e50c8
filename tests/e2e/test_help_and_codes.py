"""使用说明 and the ballot codes by issuing batch in a real browser (found in the walk, issue 13):
a collector opens her guide from the header on a 360 px phone and gets the one-page PDF; a resident
without an account gets the residents' guide; a street's staff filters the unused codes by one
issuing batch, prints exactly those and exports the same set."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.ballots import casting
from yishi.ballots import codes as code_utils

pytestmark = pytest.mark.e2e


async def test_collector_opens_her_guide_from_the_header_on_a_phone(open_page, tmp_path):
    places = await f.make_places()
    await f.make_user(Role.collector, places, username="zhou_wei")
    phone = await open_page(phone=True)
    await login(phone, "zhou_wei")
    await expect(phone).to_have_url(re.compile(r"/suggestions/new$"))
    await phone.get_by_role("link", name="使用说明").click()
    await expect(phone.get_by_role("heading", level=1)).to_have_text("使用说明：民情收集员")
    await expect(phone.get_by_role("link", name="代居民录入")).to_be_visible()
    # Large type for elderly readers, and nothing wider than the phone.
    size = await phone.locator(".guide-steps li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 20  # 1.2rem: 20.4 px where the phone layout sets the root to 17 px
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 360
    await phone.screenshot(path=str(tmp_path / "help-collector-360.png"), full_page=True)
    response = await phone.request.get("/help/collector.pdf", timeout=120_000)  # WeasyPrint on a busy machine
    assert response.headers["content-type"] == "application/pdf"
    assert (await response.body()).startswith(b"%PDF")
    await phone.get_by_role("link", name="议事组召集人").click()
    await expect(phone.get_by_role("heading", level=1)).to_have_text("使用说明：议事组召集人")


async def test_resident_without_account_gets_the_residents_guide(open_page):
    page = await open_page(phone=True)
    await page.goto("/")
    await page.get_by_role("link", name="使用说明").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("使用说明：居民")
    await page.get_by_role("link", name="查询办理进度").click()
    await expect(page).to_have_url(re.compile(r"/t$"))


async def test_staff_prints_and_exports_exactly_one_issuing_batch(open_page):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places, username="lin")
    await User.update({User.display_name: "林工作人员"}).where(User.id == staff.id)
    r = await f.make_round(places, items=2)
    first = await casting.issue_code_batch(r, places["communities"][0], 3, actor=staff)
    second = await casting.issue_code_batch(r, places["communities"][0], 2, actor=staff)
    other = await casting.issue_code_batch(r, places["communities"][1], 4, actor=staff)
    page = await open_page()
    await login(page, "lin")
    await page.goto(f"/rounds/{r.id}/codes")
    await expect(page.locator(".slip")).to_have_count(9)
    option = page.get_by_label("发放记录").locator(f'option[value="{second.id}"]')
    await expect(option).to_have_text(
        re.compile(r"^第 2 次发放 · 第1社区 · \d{4}-\d\d-\d\d \d\d:\d\d · 林工作人员 · 2 个（未用 2 个）$"))
    await page.get_by_label("发放记录").select_option(str(second.id))
    await page.get_by_role("button", name="筛选").click()
    await expect(page.locator(".slip")).to_have_count(2)
    assert await page.locator(".slip-code").all_inner_texts() == [code_utils.display(c) for c in second.codes]
    await expect(page.get_by_role("button", name="打印这 2 个选票码")).to_be_visible()
    async with page.expect_download() as download:
        await page.get_by_role("link", name="导出选票码（CSV）").click()
    lines = (await (await download.value).path()).read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[1:3] for line in lines[1:]] == [["第 2 次发放", code_utils.display(c)]
                                                            for c in second.codes]
    slips = set(await page.locator(".slip-code").all_inner_texts())
    assert not {code_utils.display(c) for c in first.codes + other.codes} & slips


async def test_street_staff_reads_the_cases_step_of_her_guide_on_a_phone(open_page, tmp_path):
    places = await f.make_places()
    await f.make_user(Role.street_staff, places, username="wang_jie")
    for phone_width in (True, False):
        page = await open_page(phone=phone_width)
        await login(page, "wang_jie")
        await page.get_by_role("link", name="使用说明").click()
        step = page.locator(".guide-steps li", has_text="派单目录")
        await expect(step).to_contain_text("主办单位会自动填好")
        await expect(page.locator(".guide-steps li", has_text="办结和提级")).to_contain_text("交给区里办")
        if phone_width:
            assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        await page.screenshot(path=str(tmp_path / f"help-street-{'360' if phone_width else 'desktop'}.png"),
                              full_page=True)
        await step.get_by_role("link", name="接诉即办").click()
        await expect(page).to_have_url(re.compile(r"/cases/$"))
        await expect(page.get_by_role("link", name=re.compile("待派单"))).to_be_visible()
