"""The thin slice in a real browser, through the UI only: a convener compiles the wish list and hands
out ballot codes, residents tick on their phones, staff watch the tally, the council decides in a
quorate 民主议事定方向 meeting (arranged from the round page, members of all five fixed categories
signed in, a show of hands, the decision) and the district's PDF comes out. Only places, users and
the 5+X council are seeded."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests import factories as f
from tests.e2e.helpers import accept_dialogs, login, pdf_fonts, pdf_text
from tests.meetings import setup
from yishi.accounts.enums import Role
from yishi.places.tables import Town

pytestmark = pytest.mark.e2e

ITEMS = [("爱心座椅", "48000", "特色"), ("幸福食堂", "450000", "普惠性"), ("共享换电柜", "90000", "试点")]


async def test_thin_slice_from_wish_list_to_intent_list_pdf(open_page, tmp_path):
    places = await f.make_places(n_communities=2)
    convener = await f.make_user(Role.convener, places)
    await setup.council(places)  # seven members: the five fixed categories, a second resident, one X
    town_name = (await Town.select(Town.name).where(Town.id == places["town"]).first())["name"]
    await f.make_suggestion(places, content="希望办一个社区食堂，老人吃饭方便些。", category="公共设施")

    staff = await open_page()
    dialogs = accept_dialogs(staff)
    round_url, codes = await compile_list_and_open_ticking(staff, convener.username)

    first = await open_page(phone=True)
    await tick_over_the_maximum_then_submit(first, codes[0])

    await watch_tally_update_without_reload(staff, round_url, open_page, codes[1])

    pdf = await close_decide_and_download(staff, tmp_path)
    assert dialogs == ["开始会议后议程不能再修改，确定开始吗？", "定稿后清单不能再修改，确定吗？",
                       "发布后清单不能再修改，确定开放群众勾选吗？", "结束后居民不能再勾选，确定结束吗？",
                       "开始会议后议程不能再修改，确定开始吗？", "决议形成后不能修改，确定提交吗？"]

    assert any("Noto" in font["name"] and "CJK" in font["name"] and font["embedded"] for font in pdf_fonts(pdf))
    assert all(font["embedded"] for font in pdf_fonts(pdf))
    text = pdf_text(pdf)
    assert f"{town_name}2026年首批次民生微事意愿清单" in text  # the dossier's attachment 1
    assert "2026年首批次" in text
    assert "爱心座椅" in text and "幸福食堂" in text
    # Ticked by residents but not approved by the council: absent from the intent list (附件1),
    # present only among the residents' tallies (附件3).
    assert "共享换电柜" not in text[text.index("附件1"):text.index("附件2")]
    assert "—1—" in text and "—2—" in text  # GB/T 9704 page numbers


async def compile_list_and_open_ticking(page: Page, username: str) -> tuple[str, list[str]]:
    """Step 1, 民主恳谈交清单: log in, create the round, prepare one item as a draft; the council's
    meeting (arranged from the round page) turns a resident's suggestion into an item, adds one
    more and adopts the list; then codes are issued and the ticking opened."""
    await login(page, username)
    await expect(page).to_have_url(re.compile(r"/rounds/?$"))
    await page.locator("#new-round").get_by_label("批次名称").fill("2026年首批次")
    await page.get_by_label("批次预算（元）").fill("300000")
    await page.get_by_label("每人最多可勾选几项").fill("2")
    await page.get_by_role("button", name="创建批次").click()
    await expect(page).to_have_url(re.compile(r"/rounds/\d+$"))
    round_url = page.url
    await expect(page.locator("h1")).to_contain_text("2026年首批次")
    await expect(page.locator("h1 .status")).to_have_text("清单编制中")
    await expect(page.locator("#items .empty")).to_contain_text("清单还是空的")

    title, cost, kind = ITEMS[0]  # staff prepare a draft item before the meeting
    await page.get_by_label("项目名称").fill(title)
    await page.get_by_label("预计费用（元）").fill(cost)
    await page.get_by_label("类型").select_option(label=kind)
    await page.get_by_role("button", name="添加到清单").click()
    await expect(page.locator("#items tbody tr").filter(has_text=title)).to_contain_text(kind)
    await expect(page.locator("#not-adopted")).to_contain_text("定稿后才能发布")
    await expect(page.get_by_role("button", name="发布清单，开放群众勾选")).to_have_count(0)

    form = page.locator("#consult-meeting-form")
    await expect(form.get_by_label("会议名称")).to_have_value("2026年首批次民主恳谈会")
    await form.get_by_label("会议时间").fill("2026-02-20T14:30")
    await form.get_by_label("会议地点").fill("街道党群服务中心")
    await form.get_by_role("button", name="安排恳谈会议").click()
    await expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    await page.get_by_role("link", name=re.compile("主持会议")).click()  # the chair's panel, one tap away
    for n in range(1, 7):
        await page.get_by_label(f"成员{n}", exact=True).select_option("present")
    await page.get_by_role("button", name="保存签到").click()
    await page.get_by_role("button", name="开始会议").click()
    await expect(page.locator("#meeting-status")).to_have_text("会议进行中")
    await expect(page).to_have_url(re.compile(r"/meetings/\d+$"))  # back to the list being compiled

    listing = page.locator("#add-form")
    await listing.get_by_role("checkbox", name=re.compile("社区食堂")).check()
    await listing.get_by_role("button", name="用所选建议起草项目说明").click()
    await expect(listing.get_by_label("项目说明（居民勾选时能看到）")).to_have_value(re.compile("社区食堂"))
    await expect(listing.get_by_role("checkbox", name=re.compile("社区食堂"))).to_be_checked()
    for title, cost, kind in ITEMS[1:]:
        await listing.get_by_label("项目名称").fill(title)
        await listing.get_by_label("预计费用（元）").fill(cost)
        await listing.get_by_label("类型").select_option(label=kind)
        await listing.get_by_role("button", name="加入清单").click()
        await expect(page.locator(".compile-list > li").filter(has_text=title)).to_contain_text(kind)
    await expect(page.locator(".compile-list > li").filter(has_text="幸福食堂")).to_contain_text("来自 1 条居民建议")
    await expect(page.locator("#list h2")).to_contain_text("3 项，合计 588,000.00 元")
    await page.get_by_role("button", name="清单定稿").click()
    await expect(page.locator("#adopted")).to_contain_text("经“2026年首批次民主恳谈会”定稿（3 项，合计 588,000.00 元）")
    await expect(page.get_by_role("button", name="加入清单")).to_have_count(0)  # the list is frozen
    await page.get_by_role("link", name="去生成选票码、发布清单").click()
    await expect(page.locator("#items tbody tr")).to_have_count(3)
    await expect(page.get_by_role("button", name="添加到清单")).to_have_count(0)

    await page.locator("select[name=community]").select_option(label="第1社区")
    await page.get_by_label("生成选票码数量").fill("3")
    await page.get_by_role("button", name="生成选票码").click()
    await expect(page.locator("h1")).to_have_text("新生成的选票码（3 个）")
    codes = [c.replace("-", "") for c in await page.locator(".slip-code").all_inner_texts()]
    assert len(codes) == 3 and all(re.fullmatch(r"[A-Z0-9]{8}", c) for c in codes)

    await page.get_by_role("link", name="返回批次").click()
    await page.get_by_role("button", name="发布清单，开放群众勾选").click()
    await expect(page.locator("h1 .status")).to_have_text("群众勾选中")
    return round_url, codes


async def tick_over_the_maximum_then_submit(page: Page, code: str) -> None:
    """Step 2: a resident on a 360 px phone ticks one item too many, is stopped by the server with
    the ticks kept, unticks one and submits; the code cannot be used twice."""
    await page.goto(f"/v/{code}")
    await expect(page.locator("#left")).to_have_text("还可勾选 2 项")
    for title, _cost, _kind in ITEMS:
        await page.get_by_role("checkbox", name=re.compile(title)).check()
    await expect(page.locator("#left")).to_have_text("已超出 1 项，请取消一些")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sticks out
    submit = page.get_by_role("button", name="提交", exact=True)
    assert (await submit.bounding_box())["height"] >= 44  # a finger, not a stylus
    assert (await page.locator("label.choice").first.bounding_box())["height"] >= 44

    await submit.click()
    await expect(page.get_by_role("alert")).to_have_text("最多只能勾选 2 项，您勾选了 3 项。请取消一些后再提交。")
    for title, _cost, _kind in ITEMS:
        await expect(page.get_by_role("checkbox", name=re.compile(title))).to_be_checked()
    await expect(page.locator("#left")).to_have_text("已超出 1 项，请取消一些")

    await page.get_by_role("checkbox", name=re.compile("共享换电柜")).uncheck()
    await expect(page.locator("#left")).to_have_text("还可勾选 0 项")
    await submit.click()
    await expect(page.locator("h1")).to_have_text("提交成功，谢谢您！")
    await expect(page.locator("#receipt")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}$"))

    await page.goto(f"/v/{code}")
    await expect(page.get_by_text("这个选票码已经使用过了。每个选票码只能投一次。")).to_be_visible()
    await expect(page.get_by_role("checkbox")).to_have_count(0)


async def watch_tally_update_without_reload(staff: Page, round_url: str, open_page, code: str) -> None:
    """Step 3: staff keep the round page open; a second resident votes (typing the code on the
    home page, in lower case and with a dash); the count changes without a reload (htmx, 5 s)."""
    await staff.goto(round_url)
    await expect(staff.locator("#ballots-count")).to_have_text("1")
    await expect(staff.locator(".bars li").filter(has_text="爱心座椅").locator(".n")).to_have_text("1票")
    await staff.evaluate("window.__sameDocument = true")

    second = await open_page(phone=True)
    await second.goto("/")
    await second.get_by_label("选票码").fill(f"{code[:4].lower()}-{code[4:].lower()}")
    await second.get_by_role("button", name="开始勾选").click()
    await second.get_by_role("checkbox", name=re.compile("爱心座椅")).check()
    await second.get_by_role("button", name="提交", exact=True).click()
    await expect(second.locator("h1")).to_have_text("提交成功，谢谢您！")

    await expect(staff.locator("#ballots-count")).to_have_text("2", timeout=15_000)
    await expect(staff.locator(".bars li").filter(has_text="爱心座椅").locator(".n")).to_have_text("2票")
    assert await staff.evaluate("window.__sameDocument === true"), "the page was reloaded"


async def close_decide_and_download(page: Page, tmp_path):
    """Step 4: close the ticking; the round page offers no decision form but the council's meeting:
    arrange it, sign in six of seven members (all five fixed categories), start, vote by show of
    hands, decide from the votes (with a reason, as it departs from the greedy pick); then back on
    the round page download the intent list."""
    await page.get_by_role("button", name="结束群众勾选").click()
    await expect(page.locator("h1 .status")).to_have_text("勾选已结束")
    round_url = page.url.split("#")[0]
    await expect(page.locator("#decision-form")).to_have_count(0)
    await expect(page.get_by_role("button", name="记录议事决定")).to_have_count(0)

    form = page.locator("#decide-meeting-form")
    await expect(form.get_by_label("会议名称")).to_have_value("2026年首批次民主议事会")
    await form.get_by_label("会议时间").fill("2026-03-12T14:30")
    await form.get_by_label("会议地点").fill("街道党群服务中心")
    await form.get_by_role("button", name="安排民主议事会议").click()
    await expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    meeting_url = page.url
    await expect(page.locator("#quorum")).to_contain_text("未达到法定人数")

    await page.get_by_role("link", name=re.compile("主持会议")).click()
    for n in range(1, 7):  # 成员1–6: the five fixed categories and a second resident; the X absent
        await page.get_by_label(f"成员{n}", exact=True).select_option("present")
    await page.get_by_role("button", name="保存签到").click()
    await expect(page.locator("#quorum")).to_have_text(
        "已达到法定人数：应到 7 人，实到 6 人（需至少 4 人），五类固定成员齐全。")
    await page.get_by_role("button", name="开始会议").click()
    await expect(page.locator("#meeting-status")).to_have_text("会议进行中")

    await page.get_by_role("link", name=re.compile("主持会议")).click()
    for item, choice in (("爱心座椅", "yes"), ("幸福食堂", "yes"), ("共享换电柜", "no")):
        row = page.locator("#hands-table > li").filter(has_text=item)
        await row.get_by_text("记录举手表决").click()
        for n in range(1, 7):
            await row.get_by_label(f"成员{n} {item}").select_option(choice)
        await row.get_by_role("button", name="保存表决").click()
        await expect(page.locator("#hands-table > li").filter(has_text=item)).to_contain_text(
            "赞成 6 · 反对 0 · 弃权 0" if choice == "yes" else "赞成 0 · 反对 6 · 弃权 0")
    # 48,000 + 450,000 yuan against a budget of 300,000: the page says so before anyone signs.
    await expect(page.locator("#decide")).to_contain_text("表决通过 2 项，合计 498,000.00 元（预算 300,000.00 元）。")
    await expect(page.locator("#departs")).to_be_visible()
    await page.get_by_label("决议内容").fill("经民情协商“5+X”组民主议事，表决通过爱心座椅、幸福食堂两项。")
    await page.get_by_label(re.compile("调整理由")).fill("幸福食堂群众呼声高，超出部分申请区级补助。")
    await page.get_by_role("button", name="按表决结果形成意愿清单").click()
    await expect(page.locator("#decided-here")).to_contain_text("本次会议已形成决议。")

    await page.goto(round_url)
    await expect(page.locator("h1 .status")).to_have_text("已形成意愿清单")
    await expect(page.locator("#decision table.approved tbody tr")).to_have_count(2)
    await expect(page.locator("#decision blockquote")).to_have_text(
        "经民情协商“5+X”组民主议事，表决通过爱心座椅、幸福食堂两项。")
    await expect(page.locator("#council-work")).to_contain_text("2026年首批次民主议事会")
    assert meeting_url

    # WeasyPrint takes a few seconds on a busy 2-core machine: more than the 10 s default wait.
    async with page.expect_download(timeout=30_000) as info:
        await page.get_by_role("link", name="导出意愿清单（PDF）").click()
    download = await info.value
    assert download.suggested_filename.endswith("2026年首批次-意愿清单.pdf")
    path = tmp_path / "intent-list.pdf"
    await download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    return path
