"""What people see when they get something wrong: a clear message in Chinese, what they typed kept."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from yishi.accounts.enums import Role

pytestmark = pytest.mark.e2e


async def test_login_with_wrong_password_shows_chinese_error(open_page):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    page = await open_page(phone=True)

    await login(page, convener.username, "not-the-password")

    await expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确。")
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_label("用户名", exact=True)).to_have_value(convener.username)
    await expect(page.get_by_label("密码", exact=True)).to_have_value("")


async def test_home_page_unknown_code_shows_chinese_message(open_page):
    page = await open_page(phone=True)
    await page.goto("/")

    await page.get_by_label("选票码").fill("acde-fghj")
    await page.get_by_role("button", name="开始勾选").click()

    await expect(page.get_by_role("alert")).to_have_text("没有找到这个选票码，请核对后重新输入。")
    await expect(page.get_by_label("请输入选票上的选票码")).to_have_value("ACDEFGHJ")  # to correct, not retype

    await page.get_by_label("请输入选票上的选票码").fill("12")
    await page.get_by_role("button", name="开始勾选").click()
    await expect(page.get_by_role("alert")).to_have_text("选票码应为 8 位字母和数字，请核对后重新输入。")


async def test_ballot_without_javascript_counts_and_checks_on_the_server(open_page):
    """Some residents' phones run old browsers, or none of our script: the form still works."""
    places = await f.make_places(n_communities=1)
    round_ = await f.make_round(places, items=3, max_ticks=2)
    code = (await f.open_round(round_, codes_per_community=1))[0]
    page = await open_page(phone=True, javascript=False)
    await page.goto(f"/v/{code}")

    for title in ("项目1", "项目2", "项目3"):
        await page.get_by_role("checkbox", name=re.compile(title)).check()
    await page.get_by_role("button", name="提交", exact=True).click()

    await expect(page.get_by_role("alert")).to_have_text("最多只能勾选 2 项，您勾选了 3 项。请取消一些后再提交。")
    await expect(page.locator("#left")).to_have_text("已超出 1 项，请取消一些")
    await page.get_by_role("checkbox", name=re.compile("项目3")).uncheck()
    await page.get_by_role("button", name="提交", exact=True).click()
    await expect(page.locator("h1")).to_have_text("提交成功，谢谢您！")


async def test_ballot_without_javascript_and_without_ticks_asks_for_one(open_page):
    places = await f.make_places(n_communities=1)
    round_ = await f.make_round(places, items=2, max_ticks=2)
    code = (await f.open_round(round_, codes_per_community=1))[0]
    page = await open_page(phone=True, javascript=False)
    await page.goto(f"/v/{code}")

    await page.get_by_role("button", name="提交", exact=True).click()

    await expect(page.get_by_role("alert")).to_have_text("请至少勾选一项。")
    await expect(page.get_by_role("checkbox")).to_have_count(2)


async def test_ballot_with_no_tick_is_stopped_before_sending(open_page):
    places = await f.make_places(n_communities=1)
    round_ = await f.make_round(places, items=2, max_ticks=2)
    code = (await f.open_round(round_, codes_per_community=1))[0]
    page = await open_page(phone=True)
    await page.goto(f"/v/{code}")

    await page.get_by_role("button", name="提交", exact=True).click()

    await expect(page.locator("#left")).to_have_text("请至少勾选一项，再点“提交”。")
    await expect(page).to_have_url(re.compile(rf"/v/{code}$"))
    await page.get_by_role("checkbox", name=re.compile("项目1")).check()
    await expect(page.locator("#left")).to_have_text("还可勾选 1 项")
