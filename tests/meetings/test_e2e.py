"""A full 民主议事定方向 meeting and the intent list's way through the district desk, in a real
browser: arrange the meeting, sign in, start, show of hands, decide, submit, return with an item
comment, revise, resubmit, approve. Places, users, the council and a counted round are seeded."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.conftest import open_page  # noqa: F401  (browser-page fixture of tests/e2e)
from tests.e2e.helpers import accept_dialogs, login, pdf_fonts, pdf_text
from tests.meetings import setup
from yishi.accounts.enums import Role

pytestmark = pytest.mark.e2e


async def test_meeting_decision_submission_return_resubmission_approval(open_page, tmp_path):
    places, convener, r, ids = await setup.counted_round()
    await setup.council(places)
    reviewer = await f.make_user(Role.district_reviewer, places)

    page = await open_page()
    accept_dialogs(page)
    await login(page, convener.username)
    await page.goto("/council")
    await expect(page.locator("#coverage")).to_have_text("五类固定成员齐全，共 7 人。")
    await page.get_by_label("会议名称").fill("首批次民主议事会")
    await page.get_by_label("议事步骤").select_option(label="民主议事定方向")
    await page.get_by_label("所议批次").select_option(label="2026年首批次")
    await page.get_by_label("会议时间").fill("2026-03-12T14:30")
    await page.get_by_label("会议地点").fill("街道党群服务中心")
    await page.get_by_role("button", name="安排会议").click()
    await expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    meeting_url = page.url
    await expect(page.locator("#quorum")).to_contain_text("未达到法定人数")

    await page.get_by_label("议程内容").fill("通报群众勾选结果")
    await page.get_by_role("button", name="添加议程").click()
    await expect(page.locator("#agenda li")).to_have_count(1)
    for n in range(1, 7):  # six of seven present, the X member absent
        await page.get_by_label(f"成员{n}", exact=True).select_option("present")
    await page.get_by_role("button", name="保存签到").click()
    await expect(page.locator("#quorum")).to_contain_text("已达到法定人数：应到 7 人，实到 6 人（需至少 4 人）")
    await page.get_by_role("button", name="开始会议").click()
    await expect(page.locator("#meeting-status")).to_have_text("会议进行中")
    await expect(page.get_by_role("button", name="添加议程")).to_have_count(0)

    for item in ("项目1", "项目2"):
        row = page.locator("#vote-table tr").filter(has_text=item)
        await row.get_by_text("记录举手表决").click()
        for n in range(1, 7):
            await row.get_by_label(f"成员{n} {item}").select_option("yes")
        await row.get_by_role("button", name="保存表决").click()
        await expect(page.locator("#vote-table tr").filter(has_text=item)).to_contain_text("6 / 0 / 0")
    await page.get_by_label("决议内容").fill("经民主议事，同意实施项目1和项目2。")
    await page.get_by_role("button", name="按表决结果形成意愿清单").click()
    await expect(page.locator("#voting")).to_contain_text("本批次已形成决议。")

    await page.goto(f"/rounds/{r.id}/council-work")
    await page.get_by_role("button", name="报送区级审核").click()
    await expect(page.locator("#submission-status")).to_contain_text("第 1 版 已提交")

    desk = await open_page()
    await login(desk, reviewer.username)
    await desk.goto("/district")
    await desk.get_by_role("link", name=r.town_name).click()
    await desk.get_by_label("对“项目2”的意见").fill("项目2费用偏高，请暂缓。")
    await desk.get_by_role("button", name="退回修改").click()
    await expect(desk.locator("#sub-status")).to_have_text("已退回")

    await page.goto(f"/rounds/{r.id}/council-work")
    await expect(page.locator("#return-comments")).to_contain_text("项目2:项目2费用偏高，请暂缓。")
    await page.get_by_role("checkbox", name=re.compile("项目2")).uncheck()
    await page.get_by_role("button", name="保存修改").click()
    await page.get_by_label(re.compile("报送说明")).fill("已按意见暂缓项目2。")
    await page.get_by_role("button", name="重新报送").click()
    await expect(page.locator("#submission-status")).to_contain_text("第 2 版 已提交")

    await desk.goto("/district")
    await desk.get_by_role("link", name=r.town_name).click()
    await expect(desk.locator("#diff")).to_contain_text("删去：项目2")
    await desk.get_by_role("button", name="批准").click()
    await expect(desk.locator("#sub-status")).to_have_text("已批准")

    await page.goto(f"/rounds/{r.id}/council-work")
    await expect(page.locator("#council-work")).to_contain_text("已批准，1 项转为民生微事项目")

    await page.goto(meeting_url)
    await page.get_by_role("button", name="会议结束，纪要定稿").click()
    await expect(page.locator("#meeting-status")).to_have_text("纪要已定稿")
    for url, name, needle in ((f"{meeting_url}/minutes.pdf", "minutes.pdf", "出席："),
                              (f"/rounds/{r.id}/intent-list.pdf", "dossier.pdf", "附件1")):
        response = await page.request.get(url)
        path = tmp_path / name
        path.write_bytes(await response.body())
        assert all(font["embedded"] for font in pdf_fonts(path))
        text = pdf_text(path)
        assert needle in text and "—1—" in text
