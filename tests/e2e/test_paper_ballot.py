"""A returned paper ballot entered twice in a real browser: the first collector's entry waits,
the second collector's differing entry is held, the supervisor sees the difference and decides."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import accept_dialogs, login, pdf_text
from yishi.accounts.enums import Role
from yishi.ballots import codes as code_utils
from yishi.ballots import lifecycle

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "ballots"


async def _enter(page, round_id: int, code: str, titles: list[str]) -> None:
    await page.goto(f"/rounds/{round_id}/paper")
    await page.get_by_label("选票码").fill(code_utils.display(code).lower())
    for title in titles:
        await page.locator("#entry label.choice", has_text=title).click()
    await page.get_by_role("button", name="保存录入").click()


async def test_paper_ballot_entered_twice_then_supervisor_decides(open_page):
    places = await f.make_places(2)
    r = await f.make_round(places, items=3, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=2)
    a = await f.make_user(Role.collector, places)
    b = await f.make_user(Role.collector, places)
    staff = await f.make_user(Role.street_staff, places)

    first = await open_page(phone=True)
    await login(first, a.username)
    await _enter(first, r.id, codes[0], ["项目1", "项目2"])
    await expect(first.locator("#message")).to_contain_text("已保存第一遍录入")
    # The same collector cannot be the second entry.
    await _enter(first, r.id, codes[0], ["项目1", "项目2"])
    await expect(first.locator("#error")).to_have_text("您已经录入过这张选票。第二遍须由另一位收集员录入，以便核对。")

    second = await open_page(phone=True)
    await login(second, b.username)
    await _enter(second, r.id, codes[0], ["项目1", "项目3"])
    await expect(second.locator("#message")).to_contain_text("两遍录入不一致，这张选票已交审核人处理")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await second.screenshot(path=str(ARTIFACTS / "paper-entry-360.png"), full_page=True)

    boss = await open_page()
    await login(boss, staff.username)
    await boss.goto(f"/rounds/{r.id}/paper")
    held = boss.locator("#held .held")
    await expect(held).to_have_count(1)
    await expect(held.locator("tr.diff")).to_have_count(2)
    await expect(held.locator("tr.diff").first).to_contain_text("项目2")
    await boss.screenshot(path=str(ARTIFACTS / "paper-supervisor-1280.png"), full_page=True)
    await held.get_by_role("button", name="采用第二遍").click()
    await expect(boss.locator("#held .empty")).to_have_text("没有待审核的选票。")
    totals = boss.locator("#reconciliation tfoot td")
    await expect(totals).to_have_text(["合计", "4", "0", "1", "1", "0", "0", "0"])


async def test_public_results_page_readable_on_phone_and_desktop(open_page):
    from yishi.ballots import casting
    from yishi.wishlists import services as wishlists

    places = await f.make_places(2)
    r = await f.make_round(places, items=3, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=3)
    items = await f.item_ids(r.id)
    receipt = await casting.cast_ballot(codes[0], items[:2])
    await casting.cast_ballot(codes[1], items[1:])
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    for phone, name in ((True, "results-360.png"), (False, "results-1280.png")):
        page = await open_page(phone=phone)
        await page.goto(f"/results/{r.id}")
        await page.get_by_label("回执号").fill(code_utils.display(receipt))
        await page.get_by_role("button", name="查询").click()
        await expect(page.locator("#receipt-result")).to_contain_text("在已计入的选票中")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= (360 if phone else 1280)
        await page.screenshot(path=str(ARTIFACTS / name), full_page=True)


async def test_paper_ballots_entered_after_the_ticking_ended_then_staff_confirm_the_count(open_page):
    """Staff end the ticking of a round that used paper: online voting stops at once, the round
    waits (“勾选已截止，纸质选票录入中”), a ballot handed in before the end is entered a second
    time, and only when staff confirm is the round counted and its result public."""
    from yishi.ballots import paper

    places = await f.make_places(2)
    r = await f.make_round(places, items=3, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=2)
    a = await f.make_user(Role.collector, places)
    b = await f.make_user(Role.collector, places)
    staff = await f.make_user(Role.street_staff, places)
    items = await f.item_ids(r.id)
    await paper.enter(codes[0], items[:2], actor=a)  # handed in and entered once before the end
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    boss = await open_page(phone=True)
    dialogs = accept_dialogs(boss)
    await login(boss, staff.username)
    await boss.goto(f"/rounds/{r.id}")
    await boss.get_by_role("button", name="结束群众勾选").click()
    state = boss.locator("#casting-state")
    await expect(state).to_contain_text("勾选已截止，纸质选票录入中")
    await expect(boss.locator("#paper-waiting")).to_have_text("还有 1 张等第二遍录入。")
    await expect(boss.locator("#count-blocked")).to_be_visible()
    assert "已交回的纸质选票录入完毕后再计票" in dialogs[0]
    assert await boss.evaluate("document.documentElement.scrollWidth") <= 360
    await boss.screenshot(path=str(ARTIFACTS / "round-paper-entry-360.png"), full_page=True)

    resident = await open_page(phone=True)
    await resident.goto(f"/v/{codes[1]}")
    await expect(resident.locator(".alert")).to_contain_text("截止，感谢您的关注")

    second = await open_page(phone=True)
    await login(second, b.username)
    await _enter(second, r.id, codes[0], ["项目1", "项目2"])
    await expect(second.locator("#message")).to_contain_text("两遍录入一致，这张选票已计入")
    await expect(second.locator("#casting-state")).to_contain_text("只录入截止前交回的纸质选票")
    assert await second.evaluate("document.documentElement.scrollWidth") <= 360
    await second.screenshot(path=str(ARTIFACTS / "paper-after-close-360.png"), full_page=True)

    await boss.goto(f"/rounds/{r.id}")
    await expect(boss.locator("#paper-waiting")).to_have_text("已录入的纸质选票都已处理完毕。")
    await boss.screenshot(path=str(ARTIFACTS / "round-ready-to-count-360.png"), full_page=True)
    await boss.get_by_role("button", name="纸质选票已全部录入，计票并公布结果").click()
    await expect(boss.locator("#casting-state")).to_have_count(0)
    await expect(boss.get_by_role("link", name="公开的勾选结果（含回执号核对）")).to_be_visible()
    await boss.goto(f"/results/{r.id}")
    await expect(boss.locator(".facts")).to_contain_text("收回选票 1 张")
    assert await boss.evaluate("document.documentElement.scrollWidth") <= 360
    await boss.screenshot(path=str(ARTIFACTS / "results-after-paper-360.png"), full_page=True)


async def test_paper_ballots_printed_in_chinese_and_english_from_a_phone(open_page, tmp_path):
    """The print form's language choice (中文 / English / 中文 + English) at 360 px: the download is
    the bilingual ballot, the page around it stays in Chinese."""
    places = await f.make_places(1)
    r = await f.make_round(places, items=3, max_ticks=2)
    await f.open_round(r, codes_per_community=1)
    staff = await f.make_user(Role.street_staff, places)
    page = await open_page(phone=True)
    await login(page, staff.username)
    await page.goto(f"/rounds/{r.id}/paper")
    await page.get_by_label("张数").fill("1")
    await page.get_by_label("打印语言").select_option("bilingual")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.locator("#print").screenshot(path=str(ARTIFACTS / "paper-print-language-360.png"))
    async with page.expect_download(timeout=30_000) as info:
        await page.get_by_role("button", name="下载选票 PDF").click()
    path = tmp_path / "ballots.pdf"
    await (await info.value).save_as(path)
    text = pdf_text(path)
    assert "群众勾选票" in text and "Wishlistofcommunityprojects·ballot" in text
    desk = await open_page()
    await login(desk, staff.username)
    await desk.goto(f"/rounds/{r.id}/paper")
    await desk.locator("#print").screenshot(path=str(ARTIFACTS / "paper-print-language-1280.png"))
